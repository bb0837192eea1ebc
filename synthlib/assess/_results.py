"""What the assess stage hands on, typed: `FidelityResult`, `FairnessResult`, `PrivacyResult` (results.json's
`fidelity`, `fairness` and `privacy` sections), read through accessors rather than nested keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from synthlib.utils import JsonRecord

Configuration = tuple[str, str]  # (classifier, comparator)


@dataclass(frozen=True)
class FidelityResult(JsonRecord):
    """Per generation method, how close its synthetic minority rows are to the real ones. Stored as the mapping
    `{method: metrics}` itself."""

    methods: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return dict(self.methods)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FidelityResult:
        return cls(dict(data))

    def of(self, method: str) -> dict[str, Any]:
        return self.methods.get(method) or {}

    def discriminator_auc(self, method: str) -> float | None:
        return (self.of(method).get("discriminator") or {}).get("roc_auc")

    def collapse(self, method: str) -> dict[str, Any]:
        """`{"collapsed": bool, "reason": str}` where the generator was checked for collapse, else empty."""
        return self.of(method).get("collapse_warning") or {}

    def near_copy(self, method: str) -> bool:
        return bool((self.of(method).get("closeness") or {}).get("near_copy"))


@dataclass(frozen=True)
class RiskLevel(JsonRecord):
    """A method's privacy risk: the worst level of its checks, the check that decided it, every check's level."""

    OPTIONAL = frozenset({"note"})

    risk: str
    decided_by: str | None
    levels: dict[str, str]
    note: str | None = None


@dataclass(frozen=True)
class PrivacyResult(JsonRecord):
    """Per method, the privacy checks of its synthetic rows (`methods[m]["risk_level"]` the graded risk), and the
    noise mitigation's effect."""

    OPTIONAL = frozenset({"note", "thresholds", "mitigation"})

    note: str | None = None
    thresholds: dict[str, Any] | None = None
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    mitigation: dict[str, Any] | None = None

    def risk_level(self, method: str) -> RiskLevel | None:
        checks = self.methods.get(method)
        return RiskLevel.from_json(checks["risk_level"]) if checks else None


@dataclass(frozen=True)
class GapMove(JsonRecord):
    """One gap before and after, the change and its basic-bootstrap 95% CI (None where undefined)."""

    before: float | None
    after: float | None
    change: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class GapChanges(JsonRecord):
    """How a configuration's four gaps moved against a reference (its plain baseline, or `reference`, the best
    configuration of the other kind): each `GapMove`, the reasons for those without a CI, and which widened beyond
    the tolerance with a CI past it (`widened_significantly`) or by the point estimate (`widened_point_estimate`)."""

    OPTIONAL = frozenset({"reference"})

    reasons: dict[str, str] = field(default_factory=dict)
    demographic_parity_difference: GapMove | None = None
    demographic_parity_ratio: GapMove | None = None
    equalized_odds_difference: GapMove | None = None
    equalized_odds_ratio: GapMove | None = None
    widened_significantly: tuple[str, ...] = ()
    widened_point_estimate: tuple[str, ...] = ()
    reference: tuple[str, str] | None = None

    def move(self, gap: str) -> GapMove:
        return getattr(self, gap) or GapMove(None, None)


@dataclass(frozen=True)
class FairnessResult(JsonRecord):
    """Per sensitive attribute and configuration: the group rates and gaps (`models`) and their change against the
    classifier's plain baseline with bootstrap CIs (`changes`). `available` is False without sensitive attributes."""

    OPTIONAL = frozenset({"statement", "attributes", "tolerance", "n_bootstrap", "disparate_impact_min",
                          "min_group_size", "favourable_outcome", "equalized_odds_on", "groups", "notes", "models",
                          "changes", "matrix", "representation", "intervals", "references", "reference_changes"})

    available: bool = False
    statement: str | None = None
    attributes: tuple[str, ...] | None = None
    tolerance: float | None = None
    n_bootstrap: int | None = None
    disparate_impact_min: float | None = None
    min_group_size: int | None = None
    favourable_outcome: str | None = None
    equalized_odds_on: str | None = None
    groups: dict[str, Any] | None = None
    notes: tuple[str, ...] | None = None
    models: dict[str, Any] | None = None
    changes: dict[str, Any] | None = None
    matrix: dict[str, Any] | None = None
    representation: dict[str, Any] | None = None
    intervals: str | None = None  # which bootstrap interval each figure has
    references: dict[str, Any] | None = None  # the best configuration with / without synthetic rows, by the objective
    reference_changes: dict[str, Any] | None = None  # each configuration's gaps against the best of the other kind

    def model(self, attribute: str, configuration: Configuration) -> dict[str, Any]:
        """The configuration's group rates and gaps for `attribute` (empty when it was not assessed)."""
        classifier, comparator = configuration
        return (self.models or {}).get(attribute, {}).get(classifier, {}).get(comparator, {})

    def reference_change(self, attribute: str, configuration: Configuration) -> GapChanges | None:
        """How the configuration's gaps compare with the best configuration of the other kind (`reference` names it)."""
        return _changes(self.reference_changes, attribute, configuration)

    def change(self, attribute: str, configuration: Configuration) -> GapChanges | None:
        """How the configuration's gaps moved against its classifier's plain baseline (None for the baseline)."""
        return _changes(self.changes, attribute, configuration)


def _changes(section: dict[str, Any] | None, attribute: str, configuration: Configuration) -> GapChanges | None:
    classifier, comparator = configuration
    found = (section or {}).get(attribute, {}).get(classifier, {}).get(comparator)
    return None if found is None else GapChanges.from_json(found)
