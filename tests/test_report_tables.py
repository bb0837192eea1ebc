"""The significance table shows the matched-precision column only where a threshold-dependent gain was checked
there (a column of blanks claimed evidence that was not computed)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from synthlib.report._context import ReportContext


def _table(rows: list[dict]) -> str:
    result = {"utility": {"protocol": {"primary_metric": "f1_minority"}, "comparisons": rows}}
    return ReportContext("t", SimpleNamespace(result=result), Path(".")).significance_table()


def _row(comparator: str, **extra) -> dict:
    return {"classifier": "logistic_regression", "comparator": comparator, "metric": "f1_minority",
            "cv_difference": 0.01, "p_holm": 0.5, "test_difference": 0.0, "ci_low": -0.02, "ci_high": 0.02,
            "outcome": "no significant difference", **extra}


def test_the_matched_precision_column_appears_only_where_a_row_was_checked():
    assert "matched precision" not in _table([_row("smote"), _row("class_weighted")]).split("|---")[0]
    table = _table([_row("smote", matched_precision_difference=0.03, matched_precision_p=0.01,
                         outcome="improved"), _row("class_weighted")])
    assert "matched precision: CV diff. (p)" in table and "+0.030 (0.010)" in table
