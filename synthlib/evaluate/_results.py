"""`UtilityResult`: what the evaluate stage hands on (the `utility` section of results.json), typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from synthlib.utils import JsonRecord

from ._objective import Objective

Configuration = tuple[str, str]  # (classifier, comparator)


@dataclass(frozen=True)
class Classes(JsonRecord):
    """The class labels as text: all of them (encoded order), the minority ones, the majority, the positive one."""

    labels: tuple[str, ...]
    minority: tuple[str, ...]
    majority: str
    positive: str

    def index(self, label: str) -> int:
        """The label's encoded value."""
        return self.labels.index(label)

    @property
    def binary(self) -> bool:
        return len(self.labels) == 2


@dataclass(frozen=True)
class Protocol(JsonRecord):
    """How the configurations were compared; `matched_precision` is the reference's CV precision (binary only)."""

    OPTIONAL = frozenset({"matched_precision", "matched_precision_reference", "objective"})

    cv_folds: int
    cv_repeats: int
    seed: int
    alpha: float
    primary_metric: str
    metrics: tuple[str, ...]
    n_bootstrap: int
    test: str
    threshold_objective: str
    matched_precision: float | None = None
    matched_precision_reference: str | None = None
    objective: dict[str, Any] | None = None  # `Objective.describe()`: the objective's name and its parameter

    def decision_objective(self) -> Objective:
        """The objective that placed every operating threshold (f1_minority when older results lack it)."""
        spec = dict(self.objective or {"name": self.threshold_objective})
        costs = spec.pop("costs", None) or {}
        return Objective(spec.pop("name"), false_negative_cost=costs.get("false_negative"),
                         false_positive_cost=costs.get("false_positive"), **spec)

    @property
    def test_fraction(self) -> float:
        """Held-out over training share of a CV fold, the Nadeau-Bengio correction's n2/n1."""
        return 1 / (self.cv_folds - 1)


@dataclass(frozen=True)
class CalibrationFigures(JsonRecord):
    """Brier score and expected calibration error of the minority-class probability (None: not computed)."""

    brier: float | None
    ece: float | None


@dataclass(frozen=True)
class Recalibrated(JsonRecord):
    """A configuration's logistic recalibration (`_calibration`) and its test-split figures before and after; `reason`
    instead of a map when none could be fitted."""

    OPTIONAL = frozenset({"slope", "intercept", "rows", "after", "reason"})

    before: CalibrationFigures
    slope: float | None = None
    intercept: float | None = None
    rows: int | None = None
    after: CalibrationFigures | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Comparison(JsonRecord):
    """One comparator against its own classifier's plain baseline on one metric (Holm-adjusted per metric)."""

    OPTIONAL = frozenset({"mcnemar", "matched_precision_difference", "matched_precision_p",
                          "matched_precision_test_difference"})

    classifier: str
    comparator: str
    metric: str
    cv_difference: float | None
    t: float | None
    p_value: float | None
    test_difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    mcnemar: dict[str, Any] | None = None
    p_holm: float | None = None
    outcome: str | None = None
    matched_precision_difference: float | None = None
    matched_precision_p: float | None = None
    matched_precision_test_difference: float | None = None

    @property
    def configuration(self) -> Configuration:
        return self.classifier, self.comparator


@dataclass(frozen=True)
class UtilityResult(JsonRecord):
    """CV summaries and fold records, test-split scores and the comparisons with each classifier's baseline.

    `cv[classifier][comparator][metric]` is `{"mean", "std"}`; `test[classifier][comparator]` holds `metrics`,
    `confusion`, `n_train_rows`, `predicted_minority_rate` and, where they exist, `curves`, `primary_ci` and
    `decision_threshold`. Read them with the accessors below.
    """

    classes: Classes
    protocol: Protocol
    folds: dict[str, Any]
    cv: dict[str, Any]
    cv_folds: tuple[dict[str, Any], ...]
    test: dict[str, Any]
    comparisons: tuple[Comparison, ...]
    cv_fold_thresholds: dict[str, Any] = field(default_factory=dict)

    def configurations(self) -> Iterator[Configuration]:
        """Every (classifier, comparator) that was cross-validated, in grid order."""
        for classifier, by_comparator in self.cv.items():
            yield from ((classifier, comparator) for comparator in by_comparator)

    def has(self, configuration: Configuration) -> bool:
        classifier, comparator = configuration
        return comparator in self.cv.get(classifier, {})

    def cv_summary(self, configuration: Configuration) -> dict[str, dict[str, float]]:
        """metric -> {"mean", "std"} over the CV folds."""
        classifier, comparator = configuration
        return self.cv[classifier][comparator]

    def cv_mean(self, configuration: Configuration, metric: str) -> float | None:
        return self.cv_summary(configuration).get(metric, {}).get("mean")

    def test_entry(self, configuration: Configuration) -> dict[str, Any]:
        classifier, comparator = configuration
        return self.test[classifier][comparator]

    def recalibration(self, configuration: Configuration) -> Recalibrated | None:
        """The configuration's recalibration record (None for multi-class tasks and older results)."""
        entry = self.test_entry(configuration).get("recalibration")
        return None if entry is None else Recalibrated.from_json(entry)

    def cv_calibration(self, configuration: Configuration) -> CalibrationFigures:
        """Mean CV Brier score and calibration error."""
        return CalibrationFigures(self.cv_mean(configuration, "brier"), self.cv_mean(configuration, "ece"))

    def test_metrics(self, configuration: Configuration) -> dict[str, Any]:
        return self.test_entry(configuration)["metrics"]

    def fold_values(self, configuration: Configuration, metric: str) -> dict[int, float]:
        """fold -> the configuration's value of `metric` in that CV fold (folds without a value left out)."""
        classifier, comparator = configuration
        return {int(r["fold"]): float(r[metric]) for r in self.cv_folds
                if r["classifier"] == classifier and r["comparator"] == comparator and r.get(metric) is not None}
