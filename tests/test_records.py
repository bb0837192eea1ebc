"""The typed hand-offs round-trip through results.json: optional keys stay absent, nested records and tuples are
rebuilt, and a key a record does not declare is ignored rather than guessed."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass

import pytest

from synthlib.decide import Evidence, Gate, Release, Verdict
from synthlib.evaluate import Comparison, RankedConfiguration
from synthlib.utils import JsonRecord


@dataclass(frozen=True)
class Inner(JsonRecord):
    OPTIONAL = frozenset({"note"})
    value: float
    note: str | None = None


@dataclass(frozen=True)
class Outer(JsonRecord):
    name: str
    rows: tuple[Inner, ...]
    best: Inner | None
    by_key: dict[str, Inner]


def test_nested_records_round_trip_and_optional_keys_stay_absent():
    outer = Outer("a", (Inner(1.0), Inner(2.0, "n")), None, {"k": Inner(3.0)})
    stored = outer.to_json()
    assert stored == {"name": "a", "rows": [{"value": 1.0}, {"value": 2.0, "note": "n"}], "best": None,
                      "by_key": {"k": {"value": 3.0}}}
    again = Outer.from_json({**stored, "unknown": 1})
    assert again == outer and isinstance(again.rows, tuple) and isinstance(again.by_key["k"], Inner)
    with pytest.raises(FrozenInstanceError):
        again.name = "b"


def test_a_comparison_keeps_mcnemar_only_where_it_was_computed():
    row = Comparison("lr", "smote", "recall_minority", 0.1, 2.0, 0.01, 0.05, 0.01, 0.09, p_holm=0.02, outcome="improved")
    assert "mcnemar" not in row.to_json() and row.to_json()["ci_low"] == 0.01
    assert Comparison.from_json(row.to_json()) == row


def test_the_verdict_stores_labels_for_chosen_configurations_and_reads_them_back():
    ranked = RankedConfiguration("random_forest", "smote", True, 0.6, 0.02, 0.5, 0.55, 0.58, (0.5, 0.66), True, None, 1)
    evidence = Evidence("vs the best alternative", ranked.label, "b", "recall_minority", 0.05, 0.1, 10, 3.0, 0.01,
                        max_p_value=0.05, decides=True, p_holm=0.02, met=True)
    verdict = Verdict("recall_minority", 0.05, "p <= alpha", "the test split chose nothing", (ranked,), ranked, None, (), (evidence,), (), "rule", (),
                      None, (), "no alternative", False, "recommended", ranked, None, None, (),
                      {"utility": Gate("pass", "ok")}, Release(False, "none"))
    stored = verdict.to_json()
    assert stored["recommended"]["label"] == ranked.label and "label" not in stored["best_augmented"]
    assert "not_met_because" not in stored["evidence"][0] and "calibration_vs_own_baseline" not in stored
    assert Verdict.from_json(stored) == verdict
