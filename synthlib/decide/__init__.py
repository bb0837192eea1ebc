"""Stage 4, decide: the verdict, the one place that decides which configuration is recommended and whether
augmentation helps. Everything after it (report, bundle, monitor) reads its result."""

from ._gates import fairness_gate
from ._statement import configuration_label, verdict_sentence
from ._verdict import decide, is_tied, recompute_from_folds

__all__ = ["configuration_label", "decide", "fairness_gate", "is_tied", "recompute_from_folds", "verdict_sentence"]
