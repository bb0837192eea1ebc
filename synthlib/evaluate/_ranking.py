"""Ranking configurations by their CV primary metric, and the significance conventions every later stage reads."""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlib.config import configuration_name, uses_synthetic

from ._metrics import higher_is_better

Configuration = tuple[str, str]  # (classifier, comparator)

def significant(p_value: float | None, alpha: float) -> bool:
    """The one significance convention of the report: p <= alpha."""
    return p_value is not None and bool(np.isfinite(p_value)) and p_value <= alpha


def confirmed_on_test(row: dict[str, Any]) -> bool:
    """The test-split CI of candidate - reference lies wholly on the better side of 0."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return False
    return low > 0 if higher_is_better(row["metric"]) else high < 0


def worse_on_test(row: dict[str, Any]) -> bool:
    """The test-split CI of candidate - reference lies wholly on the worse side of 0."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return False
    return high < 0 if higher_is_better(row["metric"]) else low > 0


def display_name(configuration: Configuration) -> str:
    """The configuration's name as the report prints it."""
    return configuration_name(configuration[1], configuration[0])


def degenerate_reason(utility: dict[str, Any], classifier: str, comparator: str) -> str | None:
    """Why a configuration cannot be recommended whatever its score: it never predicts the minority class."""
    confusion = utility["test"][classifier][comparator]["confusion"]
    if confusion["tp"] + confusion["fp"] == 0:
        return "predicts no minority row on the test split"
    cv = utility["cv"][classifier][comparator]
    if cv["recall_minority"]["mean"] == 0 and cv["precision_minority"]["mean"] == 0:
        return "predicts no minority row in any cross-validation fold"
    return None


def _finite(value: Any, fallback: float = -np.inf) -> float:
    return float(value) if value is not None and np.isfinite(value) else fallback


def rank_configurations(utility: dict[str, Any], evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    """Every (classifier, comparator) by mean CV primary metric (PR-AUC breaks ties), with its eligibility.

    A configuration is not eligible when it is degenerate or its mean CV minority precision is below
    `evaluation.precision_floor`.
    """
    primary, floor = evaluation["primary_metric"], evaluation.get("precision_floor")
    sign = 1 if higher_is_better(primary) else -1
    rows = []
    for classifier, by_comparator in utility["cv"].items():
        for comparator, metrics in by_comparator.items():
            test = utility["test"][classifier][comparator]
            reason = degenerate_reason(utility, classifier, comparator)
            precision = metrics["precision_minority"]["mean"]
            if reason is None and floor is not None and precision < floor:
                reason = f"mean CV minority precision {precision:.3f} is below the precision floor {floor}"
            rows.append({"classifier": classifier, "comparator": comparator, "uses_synthetic": uses_synthetic(comparator),
                         "cv_mean": metrics[primary]["mean"], "cv_std": metrics[primary]["std"],
                         "cv_precision": precision, "cv_pr_auc": metrics.get("pr_auc", {}).get("mean"),
                         "test_value": test["metrics"].get(primary), "test_ci": test.get("primary_ci"),
                         "eligible": reason is None, "excluded_because": reason})
    rows.sort(key=lambda r: (sign * _finite(r["cv_mean"], -np.inf * sign), _finite(r["cv_pr_auc"])), reverse=True)
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def best_configuration(ranked: list[dict[str, Any]], synthetic: bool) -> dict[str, Any] | None:
    """The best eligible configuration with (or without) synthetic rows."""
    return next((r for r in ranked if r["eligible"] and r["uses_synthetic"] == synthetic), None)
