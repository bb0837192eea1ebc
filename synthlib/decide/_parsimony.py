"""Ties by parsimony: among configurations the CV folds cannot tell apart, recommend the simplest.

The one-standard-error rule: every eligible configuration of the recommendation's kind whose mean CV objective is
within one Nadeau-Bengio corrected standard error (of the paired per-fold difference) of the CV leader is a
candidate; of those, the simplest is recommended. Simplicity: no synthetic rows before synthetic rows (the plain
baseline, then class weights, then a tuned threshold, then the augmentation methods), then the classifier: logistic
regression, random forest, XGBoost, KNN. Where any candidate passes the fairness and privacy gates, only those that
pass are eligible. `decide` applies it only to a recommendation without synthetic rows: a confirmed augmented gain
keeps its configuration.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from synthlib.config import CLASSIFIER_NAMES, WITHOUT_SYNTHETIC, metric_name, method_name
from synthlib.evaluate import Configuration, RankedConfiguration, UtilityResult, higher_is_better

CLASSIFIER_SIMPLICITY = ("logistic_regression", "random_forest", "xgboost", "knn")
COMPARATOR_SIMPLICITY = WITHOUT_SYNTHETIC  # ("baseline", "class_weighted", "tuned_threshold"); synthetic methods after

RULE_SHORT = ("no synthetic rows before synthetic rows (original data, then class weights, then a tuned threshold); "
              "then logistic regression, random forest, XGBoost, k\u2011nearest neighbours")

_COMPARATOR_WORDS = {"baseline": "original data", "class_weighted": "class weights", "tuned_threshold": "a tuned threshold"}


def parsimony_rule(primary: str) -> str:
    """The rule in one sentence, as the verdict records it."""
    return (f"Among the eligible configurations of the recommendation's kind whose mean CV {metric_name(primary)} is "
            "within one Nadeau-Bengio corrected standard error (of the paired per-fold difference) of the CV leader, "
            f"the simplest is recommended (the one-standard-error rule): {RULE_SHORT}. Where any of them passes the fairness and privacy gates, only "
            "those that pass are considered. A confirmed gain from augmentation keeps its configuration.")


def _rank(order: tuple[str, ...], name: str) -> int:
    return order.index(name) if name in order else len(order)


def simplicity(configuration: Configuration) -> tuple[int, int]:
    """Smaller is simpler: the comparator's place in `COMPARATOR_SIMPLICITY`, then the classifier's."""
    classifier, comparator = configuration
    return _rank(COMPARATOR_SIMPLICITY, comparator), _rank(CLASSIFIER_SIMPLICITY, classifier)


def simpler_because(chosen: Configuration, leader: Configuration) -> str:
    """The first step of the simplicity order that puts `chosen` before `leader`, in words."""
    (chosen_model, chosen_kind), (leader_model, leader_kind) = chosen, leader
    if chosen_kind != leader_kind:
        words = [_COMPARATOR_WORDS.get(k, method_name(k)) for k in (chosen_kind, leader_kind)]
    else:
        words = [CLASSIFIER_NAMES.get(m, m) for m in (chosen_model, leader_model)]
    return f"{words[0]} before {words[1]}"


def within_one_se(utility: UtilityResult, row: RankedConfiguration, leader: RankedConfiguration) -> bool:
    """`row`'s mean CV objective is at most one corrected standard error below the leader's, on the same folds."""
    primary, fraction = utility.protocol.primary_metric, utility.protocol.test_fraction
    a, b = utility.fold_values(row.configuration, primary), utility.fold_values(leader.configuration, primary)
    sign = 1.0 if higher_is_better(primary) else -1.0
    d = sign * np.array([a[f] - b[f] for f in sorted(set(a) & set(b))], dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:  # no standard error: nothing is claimed to be within it
        return False
    se = float(np.sqrt((1 / len(d) + fraction) * d.var(ddof=1)))
    return bool(d.mean() >= -se)


def simplest_within_one_se(utility: UtilityResult, others: list[RankedConfiguration], leader: RankedConfiguration,
                           passes: Callable[[Configuration], bool]) -> tuple[RankedConfiguration, dict[str, Any]]:
    """The configuration to recommend and the record of why (`Verdict.parsimony`). `others`: the other eligible
    configurations of the leader's kind (`same_kind`), by rank; `passes`: the fairness and privacy gates
    (`Sections.passes`)."""
    within = [leader] + [row for row in others if within_one_se(utility, row, leader)]
    passing = [row for row in within if passes(row.configuration)]
    candidates = passing or within
    chosen = min(candidates, key=lambda r: (simplicity(r.configuration), r.rank))
    gated = len(passing) not in (0, len(within))
    if len(within) == 1:
        why = ("no other eligible configuration of its kind is within one corrected standard error of the CV leader, "
               "so the CV leader stays")
    elif chosen.configuration == leader.configuration:
        why = (f"the CV leader is the simplest of the {len(within)} configurations within one corrected standard error"
               + (" that pass the fairness and privacy gates" if gated else ""))
    else:
        because = (simpler_because(chosen.configuration, leader.configuration)
                   if simplicity(chosen.configuration) < simplicity(leader.configuration)
                   else "the CV leader does not pass the fairness and privacy gates")
        why = (f"{chosen.label} is the simplest of the {len(within)} configurations within one corrected standard "
               f"error of the CV leader {leader.label}" + (" that pass the fairness and privacy gates" if gated else "")
               + f" ({because})")
    record = {"rule": parsimony_rule(utility.protocol.primary_metric), "applied": True,
              "within_one_se": [r.label for r in within], "cv_leader": leader.label, "chosen": chosen.label, "why": why}
    if chosen.configuration != leader.configuration:
        record["simpler_because"] = because
    if gated:
        record["passing_gates"] = [r.label for r in passing]
    return chosen, record


def augmented_kept(preferred: RankedConfiguration, answer: str, primary: str) -> dict[str, Any]:
    """The record when the recommendation uses synthetic rows: the rule is not applied (`within_one_se` empty), and
    why."""
    why = ("augmentation is confirmed to help: the confirmed augmented configuration stays (no switch to an "
           "unconfirmed one)" if answer == "helps" else
           "no configuration without synthetic rows is eligible: the best augmented configuration stays")
    return {"rule": parsimony_rule(primary), "applied": False, "within_one_se": [], "cv_leader": preferred.label,
            "chosen": preferred.label, "why": why}
