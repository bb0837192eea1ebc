"""The decision objective (`evaluation.objective`) as confusion-count arithmetic: its value on a confusion matrix, and
the threshold rule that maximises it on a ranked list of scores.

F-beta, expected cost and recall at a precision floor are one-line formulas on (tp, fp, fn, tn); scikit-learn's
`fbeta_score` and friends take label arrays, and the threshold rule evaluates every distinct score of a fold at once,
so the counts are worked here with numpy (vectorised over thresholds and bootstrap draws alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# objectives computed from the counts at the operating threshold (the threshold-free pr_auc / roc_auc are not here)
COUNT_OBJECTIVES = ("f1_minority", "fbeta", "expected_cost", "recall_at_precision", "balanced_accuracy")
PARAMETERISED = ("fbeta", "expected_cost", "recall_at_precision")


@dataclass(frozen=True)
class Objective:
    """`evaluation.objective` with its parameter: what ranks configurations and places each operating threshold."""

    name: str = "f1_minority"
    beta: float | None = None
    false_negative_cost: float | None = None
    false_positive_cost: float | None = None
    min_precision: float | None = None

    @classmethod
    def from_config(cls, evaluation: Any) -> Objective:
        """The objective of an `EvaluationConfig` (its threshold rule when the objective itself is threshold-free)."""
        costs = evaluation.costs
        return cls(evaluation.threshold_rule, evaluation.beta,
                   costs.false_negative if costs else None, costs.false_positive if costs else None,
                   evaluation.min_precision)

    @property
    def higher_is_better(self) -> bool:
        return self.name != "expected_cost"

    def value(self, tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
        """The objective from confusion counts (arrays broadcast: one value per threshold or per draw)."""
        tp, fp, fn, tn = (np.asarray(a, dtype=float) for a in (tp, fp, fn, tn))
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.name == "fbeta":
                b2 = self.beta ** 2
                return _ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)
            if self.name == "expected_cost":
                return _ratio(self.false_negative_cost * fn + self.false_positive_cost * fp, tp + fp + fn + tn)
            if self.name == "recall_at_precision":
                return _ratio(tp, tp + fn)
            if self.name == "balanced_accuracy":
                return 0.5 * (_ratio(tp, tp + fn) + _ratio(tn, tn + fp))
            return _ratio(2 * tp, 2 * tp + fp + fn)  # f1_minority

    def rule(self, tp: np.ndarray, fp: np.ndarray, positives: int, n: int) -> np.ndarray:
        """What the threshold maximises at each candidate (flagging the rows scored at or above it).

        For recall_at_precision: recall where precision reaches `min_precision`; where none does, precision - 1
        (below every feasible value), so the threshold of highest precision is kept rather than one flagging everyone.
        """
        fn, tn = positives - tp, (n - positives) - fp
        value = self.value(tp, fp, fn, tn)
        if self.name == "expected_cost":
            return -value
        if self.name == "recall_at_precision":
            precision = _ratio(tp, tp + fp)
            return np.where(precision >= self.min_precision - 1e-12, value, precision - 1.0)
        return value

    @property
    def flags_none_allowed(self) -> bool:
        """Whether flagging no row can be the best operating point (a cost matrix can make it so)."""
        return self.name == "expected_cost"

    def describe(self) -> dict[str, Any]:
        """The objective and its parameter, as results.json records it."""
        out: dict[str, Any] = {"name": self.name}
        if self.name == "fbeta":
            out["beta"] = self.beta
        elif self.name == "expected_cost":
            out["costs"] = {"false_negative": self.false_negative_cost, "false_positive": self.false_positive_cost}
        elif self.name == "recall_at_precision":
            out["min_precision"] = self.min_precision
        return out


def _ratio(numerator: Any, denominator: Any) -> Any:
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float))
    out = np.divide(numerator, denominator, out=np.zeros(numerator.shape), where=denominator > 0)
    return out if out.ndim else float(out)
