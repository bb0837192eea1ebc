"""Ranking configurations by their CV primary metric, and the significance conventions every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from synthlib.config import configuration_name, uses_synthetic
from synthlib.utils import JsonRecord

from ._metrics import higher_is_better
from ._results import Configuration, UtilityResult


def significant(p_value: float | None, alpha: float) -> bool:
    """The one significance convention of the report: p <= alpha."""
    return p_value is not None and bool(np.isfinite(p_value)) and p_value <= alpha


class TestInterval(Protocol):
    """A candidate - reference difference on one metric with its test-split CI (evidence rows, comparisons)."""

    metric: str
    ci_low: float | None
    ci_high: float | None


def _interval(row: TestInterval) -> tuple[float, float] | None:
    low, high = row.ci_low, row.ci_high
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return None
    return low, high


def confirmed_on_test(row: TestInterval) -> bool:
    """The test-split CI of candidate - reference lies wholly on the better side of 0."""
    interval = _interval(row)
    if interval is None:
        return False
    return interval[0] > 0 if higher_is_better(row.metric) else interval[1] < 0


def worse_on_test(row: TestInterval) -> bool:
    """The test-split CI of candidate - reference lies wholly on the worse side of 0."""
    interval = _interval(row)
    if interval is None:
        return False
    return interval[1] < 0 if higher_is_better(row.metric) else interval[0] > 0


def display_name(configuration: Configuration) -> str:
    """The configuration's name as the report prints it."""
    return configuration_name(configuration[1], configuration[0])


def degenerate_reason(utility: UtilityResult, configuration: Configuration) -> str | None:
    """Why a configuration cannot be recommended whatever its score: it never predicts the minority class."""
    confusion = utility.test_entry(configuration)["confusion"]
    if confusion["tp"] + confusion["fp"] == 0:
        return "predicts no minority row on the test split"
    if utility.cv_mean(configuration, "recall_minority") == 0 and utility.cv_mean(configuration, "precision_minority") == 0:
        return "predicts no minority row in any cross-validation fold"
    return None


def _finite(value: Any, fallback: float = -np.inf) -> float:
    return float(value) if value is not None and np.isfinite(value) else fallback


@dataclass(frozen=True)
class RankedConfiguration(JsonRecord):
    """One configuration's place in the ranking by mean CV primary metric, with why it is not eligible if it is not."""

    classifier: str
    comparator: str
    uses_synthetic: bool
    cv_mean: float | None
    cv_std: float | None
    cv_precision: float | None
    cv_pr_auc: float | None
    test_value: float | None
    test_ci: tuple[float, ...] | None
    eligible: bool
    excluded_because: str | None
    rank: int = 0

    @property
    def configuration(self) -> Configuration:
        return self.classifier, self.comparator

    @property
    def label(self) -> str:
        return display_name(self.configuration)

    def labelled(self) -> dict[str, Any]:
        """The JSON form with the display label, as the verdict stores a chosen configuration."""
        return {**self.to_json(), "label": self.label}


def rank_configurations(utility: UtilityResult, primary: str, precision_floor: float | None) -> list[RankedConfiguration]:
    """Every (classifier, comparator) by mean CV primary metric (PR-AUC breaks ties), with its eligibility.

    A configuration is not eligible when it is degenerate or its mean CV minority precision is below
    `precision_floor`.
    """
    sign = 1 if higher_is_better(primary) else -1
    rows = []
    for configuration in utility.configurations():
        summary = utility.cv_summary(configuration)
        test = utility.test_entry(configuration)
        reason = degenerate_reason(utility, configuration)
        precision = utility.cv_mean(configuration, "precision_minority")
        if reason is None and precision_floor is not None and precision < precision_floor:
            reason = f"mean CV minority precision {precision:.3f} is below the precision floor {precision_floor}"
        ci = test.get("primary_ci")
        rows.append(RankedConfiguration(
            *configuration, uses_synthetic=uses_synthetic(configuration[1]), cv_mean=summary[primary]["mean"],
            cv_std=summary[primary]["std"], cv_precision=precision, cv_pr_auc=utility.cv_mean(configuration, "pr_auc"),
            test_value=test["metrics"].get(primary), test_ci=None if ci is None else tuple(ci), eligible=reason is None,
            excluded_because=reason))
    rows.sort(key=lambda r: (sign * _finite(r.cv_mean, -np.inf * sign), _finite(r.cv_pr_auc)), reverse=True)
    return [replace(row, rank=rank) for rank, row in enumerate(rows, 1)]


def best_configuration(ranked: list[RankedConfiguration], synthetic: bool) -> RankedConfiguration | None:
    """The best eligible configuration with (or without) synthetic rows."""
    return next((r for r in ranked if r.eligible and r.uses_synthetic == synthetic), None)
