"""Stage 4, decide: the verdict, the one place that decides which configuration is recommended and whether
augmentation helps (`decide` -> `Verdict`), and the `AuditResult` that holds it beside every stage's result.
Everything after it (report, bundle, monitor) reads them."""

from ._gates import fairness_gate
from ._records import Contender, Evidence, FairnessFinding, Gate, Release, TradeOff, Verdict
from ._result import AuditResult
from ._statement import configuration_label, verdict_sentence
from ._verdict import decide, is_tied, recompute_from_folds

__all__ = ["AuditResult", "Contender", "Evidence", "FairnessFinding", "Gate", "Release", "TradeOff", "Verdict",
           "configuration_label", "decide", "fairness_gate", "is_tied", "recompute_from_folds", "verdict_sentence"]
