"""Decision evidence says how many rows the recommended model flags, against the prevalence and per sensitive group,
and says plainly when it flags more than twice the prevalence (issue 26); page 1 rates it as a finding (issue 27)."""

from __future__ import annotations

from synthlib.report._findings import findings
from synthlib.report._narrative import flagging
from synthlib.report._prose import render_block


def _result(tp: int, fp: int, fn: int, tn: int) -> dict:
    n = tp + fp + fn + tn
    entry = {"confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn}, "predicted_minority_rate": (tp + fp) / n,
             "decision_threshold": 0.31, "metrics": {"precision_minority": tp / (tp + fp)}}
    by_group = [{"group": "a", "minority_rate": 0.5}, {"group": "b", "minority_rate": 0.3}]
    return {"verdict": {"recommended": {"classifier": "lr", "comparator": "baseline"}},
            "utility": {"test": {"lr": {"baseline": entry}}},
            "fairness": {"models": {"sex": {"lr": {"baseline": {"by_group": by_group}}}}}}


def _text(result: dict) -> str:
    return " ".join(render_block("decision_evidence", "flagging", result).split())


def test_the_flag_rate_is_stated_against_the_prevalence_and_per_group():
    text = _text(_result(tp=20, fp=20, fn=10, tn=150))  # flags 20 %, prevalence 15 %
    assert "flags 20.0% of the test rows as the minority at its decision threshold 0.310" in text
    assert "the minority prevalence there is 15.0%" in text and "By group: `sex` a 50%, b 30%." in text
    assert "twice the prevalence" not in text


def test_flagging_more_than_twice_the_prevalence_is_said_plainly():
    text = _text(_result(tp=25, fp=57, fn=5, tn=113))  # flags 41 %, prevalence 15 %
    assert "more than twice the prevalence: most flagged rows are not minority rows (precision 0.305)" in text


def test_no_recommendation_no_flagged_rows():
    result = _result(1, 1, 1, 1)
    result["verdict"]["recommended"] = None
    assert flagging(result) is None
    assert _text(result) == "No model is recommended, so no row is flagged."


def test_a_flag_rate_over_twice_the_prevalence_is_a_high_finding_on_page_one():
    result = _result(tp=25, fp=57, fn=5, tn=113)
    result["verdict"].update(dimensions={}, trade_offs=[], primary_metric="f1_minority")
    result["data"] = {"cleaning_log": []}
    result["fairness"]["tolerance"] = 0.05
    rated = [f for f in findings(result) if f.topic == "flag_rate"]
    assert len(rated) == 1 and rated[0].severity == "high" and rated[0].anchor == "sec-flagging"
    low = _result(tp=20, fp=10, fn=10, tn=160)  # flags 15 %, prevalence 15 %
    low["verdict"].update(dimensions={}, trade_offs=[], primary_metric="f1_minority")
    low["data"] = {"cleaning_log": []}
    assert [f.severity for f in findings(low) if f.topic == "flag_rate"] == ["low"]


def test_with_two_minority_classes_the_prevalence_counts_both():
    """The confusion matrix counts only the positive class; the flag rate counts every minority class."""
    result = _result(tp=3, fp=3, fn=4, tn=109)
    result["utility"]["test"]["lr"]["baseline"]["predicted_minority_rate"] = 27 / 119
    result["data"] = {"minority": ["custodial", "manage"], "profile": {"class_balance": {"test": {
        "rows": 119, "counts": {"admin": 91, "manage": 21, "custodial": 7}}}}}
    facts = flagging(result)
    assert round(facts["prevalence"], 4) == round(28 / 119, 4) and not facts["twice"]
    assert "the minority prevalence there is 23.5%" in _text(result)
