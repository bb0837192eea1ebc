"""The verdict's records: what `decide` hands on (`Verdict`, results.json's `verdict`), typed, row by row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from synthlib.evaluate import CalibrationFigures, RankedConfiguration
from synthlib.utils import JsonRecord, to_json


@dataclass(frozen=True)
class Evidence(JsonRecord):
    """Candidate minus reference on one metric: the one-sided corrected t-test against `margin` on the same CV folds
    (Holm-adjusted over the verdict's rows), and the test-split paired-bootstrap CI; `met` when both agree."""

    OPTIONAL = frozenset({"max_p_value", "decides", "met", "not_met_because"})

    comparison: str
    candidate: str
    reference: str
    metric: str
    margin: float
    cv_difference: float | None
    n_folds: int
    t: float | None
    p_value: float | None
    estimate: str = "CV (same folds), one-sided"
    test_difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci: str = "test split, paired bootstrap, unadjusted"
    max_p_value: float | None = None
    decides: bool | None = None
    p_holm: float | None = None
    met: bool | None = None
    not_met_because: str | None = None


@dataclass(frozen=True)
class TradeOff(JsonRecord):
    """An informational difference (not in the Holm family): CV mean difference, test difference and its CI."""

    candidate: str
    reference: str
    metric: str
    cv_difference: float | None
    lower_is_better: bool
    ci: str = "test split, paired bootstrap, unadjusted"
    test_difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    better: bool = False
    worse: bool = False


@dataclass(frozen=True)
class Contender(JsonRecord):
    """Another configuration of the recommendation's kind minus the recommendation on the primary metric, with
    its fairness and privacy gates: a tie (two-sided p > alpha) or the runner-up."""

    classifier: str
    comparator: str
    label: str
    uses_synthetic: bool
    rank: int
    cv_mean: float | None
    cv_pr_auc: float | None
    cv_difference: float | None
    cv_ci_low: float | None
    cv_ci_high: float | None
    p_value: float | None
    n_folds: int
    tied: bool
    test_difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci: str = "test split, paired bootstrap, unadjusted"
    fairness_status: str | None = None
    four_fifths_violated: tuple[str, ...] = ()
    privacy_status: str | None = None


@dataclass(frozen=True)
class ForestRow(JsonRecord):
    """An eligible configuration minus the best alternative on the primary metric, CV mean and corrected 95% CI."""

    classifier: str
    comparator: str
    uses_synthetic: bool
    cv_difference: float | None
    ci_low: float | None
    ci_high: float | None
    reference: str


@dataclass(frozen=True)
class Degenerate(JsonRecord):
    configuration: str
    reason: str | None


@dataclass(frozen=True)
class FairnessFinding(JsonRecord):
    """A gap that widened beyond the tolerance against `reference` (`change` with its CI), or a four-fifths rule
    violation (`ratio` with its CI, the classifier's plain baseline beside it): an absolute level, no reference."""

    attribute: str
    gap: str
    severity: str
    change: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ratio: float | None = None
    baseline_ratio: float | None = None
    baseline_violated: bool | None = None
    reference: str | None = None
    ratio_ci: tuple[float, float] | None = None

    FOUR_FIFTHS = "four_fifths_rule"

    @property
    def four_fifths(self) -> bool:
        return self.gap == self.FOUR_FIFTHS

    def to_json(self) -> dict[str, Any]:
        keys = (("ratio", "ratio_ci", "baseline_ratio", "baseline_violated") if self.four_fifths else
                ("change", "ci_low", "ci_high", "reference"))
        return {"attribute": self.attribute, "gap": self.gap, "severity": self.severity,
                **{k: getattr(self, k) for k in keys}}


@dataclass(frozen=True)
class Gate(JsonRecord):
    """One dimension's pass / warn / fail / n/a with its evidence in words; `details` are the dimension's own
    numbers (the fairness findings, the privacy risk, the discriminator AUC, the calibration error)."""

    status: str
    evidence: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "evidence": self.evidence, **to_json(self.details)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Gate:
        return cls(data["status"], data["evidence"], {k: v for k, v in data.items() if k not in ("status", "evidence")})

    @property
    def findings(self) -> list[FairnessFinding]:
        return [f if isinstance(f, FairnessFinding) else FairnessFinding.from_json(f)
                for f in self.details.get("findings", [])]


@dataclass(frozen=True)
class Release(JsonRecord):
    """Whether the augmented training data may leave with the bundle, and why."""

    augmented_data: bool
    reason: str


@dataclass(frozen=True)
class Calibration(JsonRecord):
    """The deployed model's calibration: whether it is recalibrated and why, with CV and test figures for it and for
    the reference; `after` is the recommendation's test figures once recalibrated."""

    OPTIONAL = frozenset({"reference", "cv_reference", "test_reference", "after", "slope", "intercept", "rows"})

    recalibrate: bool
    reason: str
    method: str
    cv: CalibrationFigures
    test_before: CalibrationFigures
    reference: str | None = None
    cv_reference: CalibrationFigures | None = None
    test_reference: CalibrationFigures | None = None
    after: CalibrationFigures | None = None
    slope: float | None = None
    intercept: float | None = None
    rows: int | None = None

    @property
    def deployed(self) -> CalibrationFigures:
        """The deployed model's test-split figures (after recalibration where applied)."""
        return self.after if self.recalibrate and self.after else self.test_before


@dataclass(frozen=True)
class Verdict(JsonRecord):
    """The one decision of the audit; see `decide`. `recommended` is what the bundle deploys."""

    OPTIONAL = frozenset({"calibration_vs_own_baseline", "parsimony", "calibration"})
    LABELLED = ("recommended", "comparison", "best_passing")

    primary_metric: str
    alpha: float
    significance: str
    confirmation: str
    ranked: tuple[RankedConfiguration, ...]
    best_augmented: RankedConfiguration | None
    best_alternative: RankedConfiguration | None
    degenerate: tuple[Degenerate, ...]
    evidence: tuple[Evidence, ...]
    trade_offs: tuple[TradeOff, ...]
    tie_rule: str
    ties: tuple[Contender, ...]
    runner_up: Contender | None
    forest: tuple[ForestRow, ...]
    augmentation_helps: str
    augmented_worse_on_test: bool
    status: str
    recommended: RankedConfiguration | None
    comparison: RankedConfiguration | None
    best_passing: RankedConfiguration | None
    conditions: tuple[str, ...]
    dimensions: dict[str, Gate]
    release: Release
    calibration_vs_own_baseline: tuple[TradeOff, ...] | None = None
    parsimony: dict[str, Any] | None = None  # ties by parsimony (`_parsimony`): rule, set within one SE, leader, choice
    calibration: Calibration | None = None  # whether the deployed model is recalibrated, and why (`_calibration`)

    def to_json(self) -> dict[str, Any]:
        """As stored in results.json: the chosen configurations carry their display label."""
        out = super().to_json()
        for key in self.LABELLED:
            if getattr(self, key) is not None:
                out[key] = getattr(self, key).labelled()
        return out

    @property
    def deciding(self) -> list[Evidence]:
        """The evidence rows that decide "does augmentation help?" (against the best alternative)."""
        return [r for r in self.evidence if r.decides]
