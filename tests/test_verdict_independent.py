"""The verdict agrees with an independent re-implementation of its rules (tests/independent_verdict.py, scipy only),
on hand-built audits where augmentation helps, where it does not, and where the gain is only a threshold shift; and
the check catches a verdict that breaks a rule."""

from __future__ import annotations

import copy

import pytest

from tests.independent_verdict import check_against
from tests.test_verdict import HELPING, predictions, verdict_of

NOT_HELPING = {
    ("logistic_regression", "baseline"): {"recall": 0.60, "test": predictions(0.60, 0.6, 1)},
    ("logistic_regression", "smote"): {"recall": 0.61, "test": predictions(0.61, 0.6, 2)},
    ("knn", "class_weighted"): {"recall": 0.55, "test": predictions(0.55, 0.6, 3)},
}
THRESHOLD_SHIFT = {
    ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
    ("logistic_regression", "smote"): {"recall": 0.70, "recall_at_matched_precision": 0.40,
                                       "test": predictions(0.70, 0.45, 2)},
}


@pytest.mark.parametrize("configurations", [HELPING, NOT_HELPING, THRESHOLD_SHIFT],
                         ids=["helps", "does not help", "threshold shift"])
def test_the_verdict_agrees_with_the_independent_rules(configurations):
    _, result = verdict_of(configurations)
    check_against(result)


def test_the_independent_check_catches_a_broken_rule():
    _, result = verdict_of(HELPING)
    assert result["verdict"]["augmentation_helps"] == "helps"
    broken = copy.deepcopy(result)
    broken["verdict"]["augmentation_helps"] = "no evidence"
    with pytest.raises(AssertionError):
        check_against(broken)
    wrong_reference = copy.deepcopy(result)  # a verdict that compared with a weaker alternative
    wrong_reference["verdict"]["best_alternative"]["classifier"] = "knn"
    with pytest.raises(AssertionError):
        check_against(wrong_reference)
    unguarded = copy.deepcopy(result)  # a row declared met although its test CI does not clear the margin
    row = next(r for r in unguarded["verdict"]["evidence"] if r.get("decides"))
    row["ci_low"] = row["margin"] - 0.01
    with pytest.raises(AssertionError):
        check_against(unguarded)
