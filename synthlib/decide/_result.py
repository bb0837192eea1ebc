"""`AuditResult`: every stage's hand-off and the verdict, as `results.json` stores them (one typed object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from synthlib.assess import FairnessResult, FidelityResult, PrivacyResult
from synthlib.evaluate import UtilityResult
from synthlib.utils import JsonRecord

from ._records import Verdict


@dataclass(frozen=True)
class AuditResult(JsonRecord):
    """The whole audit of one data set. `to_json()` is results.json; `config`, `data` and `augmentation` stay the
    plain records they are written as (the resolved params, the data profile, each generator's counts)."""

    OPTIONAL = frozenset({"augmentation_repeats", "verdict"})

    config: dict[str, Any]
    data: dict[str, Any]
    augmentation: dict[str, Any]
    fidelity: FidelityResult
    utility: UtilityResult
    fairness: FairnessResult
    privacy: PrivacyResult
    timings: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    devices: dict[str, str] = field(default_factory=dict)
    scale_decisions: tuple[dict[str, Any], ...] = ()
    augmentation_repeats: dict[str, Any] | None = None
    verdict: Verdict | None = None
