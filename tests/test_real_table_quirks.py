"""What a new user hits on real tables (issue 25, data preparation): zero-inflated columns, cleaning that destroys a
signal, numeric sentinels, decimal commas and thousands separators, constant declared columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.config import CleaningConfig, OutlierConfig, load_config
from synthlib.prepare import run_checks
from synthlib.prepare._cleaning import MAX_CHANGED_SHARE, MIN_VARIANCE_KEPT, Cleaner
from synthlib.prepare._prepare import prepare

from .conftest import toy_config, toy_frame

runner = CliRunner()
IQR = CleaningConfig(outliers={"method": "iqr", "action": "cap"})


def _zero_inflated(n: int, seed: int = 0, zero_share: float = 0.92) -> np.ndarray:
    """Like census capital gains: mostly exactly 0, the rest a long right tail."""
    rng = np.random.default_rng(seed)
    return np.where(rng.random(n) < zero_share, 0.0, rng.lognormal(8, 1, n)).round(0)


# ----------------------------------------------------------------------------------- zero-inflated columns
def test_zero_inflated_column_is_not_capped_to_a_constant():
    rows = pd.DataFrame({"gain": _zero_inflated(500), "count": np.r_[np.zeros(480, int), np.arange(1, 21)],
                         "age": np.random.default_rng(1).integers(18, 80, 500)})
    cleaner = Cleaner(["gain", "count", "age"], [], (), IQR).fit(rows)
    assert set(cleaner.zero_width_) == {"gain", "count"} and cleaner.zero_width_["gain"] == (0.0, 0.0)
    assert set(cleaner.bounds_) == {"age"}  # the other columns are still capped as asked
    cleaned = cleaner.transform(rows)
    assert cleaned.gain.equals(rows.gain) and cleaned.gain.nunique() > 1 and cleaned["count"].nunique() == 21
    skipped = [e for e in cleaner.log_ if e["action"] == "outlier rule not applied: zero-width bounds (warning)"]
    assert [(e["column"], e["count"], e["step"]) for e in skipped] == [
        ("gain", int((rows.gain > 0).sum()), "signal"), ("count", 20, "signal")]


def test_default_outlier_rule_changes_no_value():
    assert OutlierConfig().method == "none"
    rows = pd.DataFrame({"gain": _zero_inflated(400), "income": np.random.default_rng(2).lognormal(10, 1.5, 400)})
    cleaner = Cleaner(["gain", "income"], [], (), CleaningConfig()).fit(rows)
    assert cleaner.bounds_ == {} and cleaner.findings_ == []
    pd.testing.assert_frame_equal(cleaner.transform(rows), rows)


# ------------------------------------------------------------------------------ cleaning that removes signal
@pytest.mark.parametrize(("extra", "value", "finding"), [
    (25, 3.2, False),  # ~3 % capped just outside the bound: variance kept, few values changed
    (60, 3.2, True),   # ~7 % capped: more than MAX_CHANGED_SHARE changed
    (15, 1e6, True),   # ~2 % capped from far away: under MIN_VARIANCE_KEPT of the variance kept
])
def test_each_threshold_makes_a_finding_on_its_own(extra, value, finding):
    rows = pd.DataFrame({"x": np.r_[np.random.default_rng(5).normal(0, 1, 1000 - extra), np.full(extra, value)]})
    cleaner = Cleaner(["x"], [], (), IQR).fit(rows)
    low, high = cleaner.bounds_["x"]
    changed = int(((rows.x < low) | (rows.x > high)).sum()) / len(rows)
    kept = cleaner.transform(rows).x.var(ddof=0) / rows.x.var(ddof=0)
    assert (changed > MAX_CHANGED_SHARE or kept < MIN_VARIANCE_KEPT) == finding
    assert [f["column"] for f in cleaner.findings_] == (["x"] if finding else [])


def test_an_outlier_rule_that_removes_signal_is_a_finding():
    rng = np.random.default_rng(3)
    rows = pd.DataFrame({"gain": _zero_inflated(1000, zero_share=0.6),  # q1 = 0 < q3: bounds of nonzero width
                         "height": rng.normal(170, 10, 1000)})
    cleaner = Cleaner(["gain", "height"], [], (), IQR).fit(rows)
    assert "gain" in cleaner.bounds_ and "height" in cleaner.bounds_
    (finding,) = cleaner.findings_
    capped = int((rows.gain > cleaner.bounds_["gain"][1]).sum())
    assert finding["column"] == "gain" and finding["changed"] == capped
    assert finding["changed_share"] == pytest.approx(capped / 1000, abs=1e-4) and finding["changed_share"] > MAX_CHANGED_SHARE
    kept = cleaner.transform(rows).gain.var(ddof=0) / rows.gain.var(ddof=0)
    assert finding["variance_kept"] == pytest.approx(kept, abs=1e-4) and kept < MIN_VARIANCE_KEPT
    entry = [e for e in cleaner.log_ if e["action"] == "outlier rule removes signal (warning)"]
    assert [e["column"] for e in entry] == ["gain"] and entry[0]["step"] == "signal"


def test_check_warns_and_the_audit_records_the_finding(project):
    frame = toy_frame(600).assign(gain=_zero_inflated(600, zero_share=0.6), bonus=_zero_inflated(600, seed=4))
    path = project("toy", toy_config(cleaning={"outliers": {"method": "iqr"}}), frame)
    warnings = " ".join(run_checks(load_config(path)).warnings)
    assert "column `gain`: cleaning.outliers (iqr, cap) changes" in warnings and "cleaning.outliers.method: none" in warnings
    assert (f"column `bonus`: the iqr outlier bounds [0, 0] have zero width ({(frame.bonus == 0).mean():.0%} of its "
            "values are 0); capping would make it a constant, so it is not capped") in warnings
    assert "column `income`" not in warnings  # a normal column: a few capped values, most variance kept
    prepared = prepare(load_config(path))
    log = prepared.cleaning_log.to_frame()
    assert set(log.loc[log.step == "signal", "column"]) == {"gain", "bonus"}
    assert {f["column"] for f in prepared.profile["cleaning_findings"]} == {"gain", "bonus"}
    assert prepared.train.bonus.nunique() > 1


# ------------------------------------------------------------------------------------------ numeric sentinels
def test_a_marker_matches_numbers_by_value():
    rows = pd.DataFrame({"income": [-999.0, 10.0, 12.0, 11.0, -999.5], "age": [30, -999, 40, 50, 60],
                         "code": ["a", "-999.0", "b", "a", "-999"]})
    cleaner = Cleaner(["income", "age"], ["code"], ["-999"], CleaningConfig()).fit(rows)
    counts = {e["column"]: e["count"] for e in cleaner.log_ if e["action"] == "marker to NaN"}
    assert counts == {"income": 1, "age": 1, "code": 2}
    cleaned = cleaner.transform(rows)
    assert cleaned.income.tolist() == [10.5, 10.0, 12.0, 11.0, -999.5]  # -999.5 is a value, not the marker
    assert cleaned.age.tolist() == [30, 45, 40, 50, 60] and cleaned.code.tolist() == ["a", "a", "b", "a", "a"]


def test_prepare_and_check_treat_a_numeric_sentinel_as_missing(project):
    frame = toy_frame(400)
    frame.loc[frame.index[:30], "income"] = -999
    path = project("toy", toy_config(dataset={"missing_markers": ["-999", "0"]}), frame)
    prepared = prepare(load_config(path))
    marked = prepared.cleaning_log.to_frame().query("action == 'marker to NaN'")
    assert marked.set_index("column")["count"].to_dict() == {"income": 30}  # not the 0 class of the target
    assert prepared.raw_train.income.min() > 0 and prepared.profile["summary"]["income"]["min"] > 0
    assert prepared.profile["class_balance"]["full"]["rows"] == 400
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0


# ------------------------------------------------------------------------- decimal commas, thousands separators
def _european_csv(project, sections: dict) -> str:
    frame = toy_frame(300)
    european = str.maketrans({",": ".", ".": ","})  # 2,168.9 -> 2.168,9
    text = frame.assign(income=frame.income.map(lambda v: f"{v:.2f}".translate(european)),
                        amount=(frame.income * 40).map(lambda v: f"{v:,.1f}".translate(european)))
    path = project("toy", toy_config(dataset={"delimiter": ";", **sections}))
    text.to_csv(project.root / "data" / "toy.csv", index=False, sep=";")
    return str(path)


def test_check_names_the_decimal_option_for_decimal_commas(project):
    path = _european_csv(project, {})
    warnings = " ".join(run_checks(load_config(path)).warnings)
    assert "column `income` holds numbers written with a comma" in warnings
    assert "set dataset.decimal: ',' in the params file" in warnings
    assert "column `amount` holds numbers written with a comma" in warnings  # e.g. '2.168,9'
    assert "set dataset.decimal: ',' with dataset.thousands: '.'" in warnings


def test_decimal_and_thousands_read_the_numbers(project):
    path = _european_csv(project, {"decimal": ",", "thousands": "."})
    assert not any("written with a comma" in w for w in run_checks(load_config(path)).warnings)
    prepared = prepare(load_config(path))
    assert {"income", "amount"} <= set(prepared.numeric) and "income" not in prepared.categorical
    assert prepared.raw_train.amount.to_numpy() == pytest.approx(prepared.raw_train.income.to_numpy() * 40, abs=0.3)


def test_thousands_commas_name_both_readings(project):
    frame = toy_frame(300).assign(amount=lambda f: (f.income * 40).round().astype(int).map("{:,}".format))
    path = project("toy", toy_config(), frame)  # quoted by to_csv: "2,169"
    warnings = " ".join(run_checks(load_config(path)).warnings)
    first = pd.read_csv(project.root / "data" / "toy.csv").amount.iloc[0]
    assert f"column `amount` holds numbers written with a comma (e.g. '{first}'" in warnings and "," in first
    assert "set dataset.thousands: ',' if the comma separates thousands, or dataset.decimal: ','" in warnings
    prepared = prepare(load_config(project("toy", toy_config(dataset={"thousands": ","}))))
    assert "amount" in prepared.numeric and prepared.raw_train.amount.max() > 1000  # "2,169" is 2169
    assert prepared.raw_train.amount.to_numpy() == pytest.approx(prepared.raw_train.income.to_numpy() * 40, abs=0.51)


@pytest.mark.parametrize(("dataset", "fragment"), [
    ({"decimal": ",", "thousands": ","}, "dataset.decimal and dataset.thousands are both ','"),
    ({"decimal": ".."}, "dataset.decimal"),
])
def test_a_bad_number_format_stops_with_one_line(project, dataset, fragment):
    path = project("toy", toy_config(dataset=dataset), toy_frame())
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert fragment in " ".join(result.output.split()) and "toy.yml" in result.output


# ------------------------------------------------------------------------- constant declared column
def test_a_constant_declared_categorical_is_dropped_by_profile_and_named_by_check(project):
    frame = toy_frame().assign(country="US")
    features = {"numeric": ["income", "age"], "categorical": ["colour", "group", "country"]}
    path = project("toy", toy_config(features=features), frame)
    checked = runner.invoke(app, ["check", str(path)])
    assert checked.exit_code == 0
    assert ("warning: column `country` (declared in features.categorical) has one value ('US') in the rows read; "
            "it carries nothing a model can use and is dropped from the features") in " ".join(checked.output.split())
    profiled = runner.invoke(app, ["profile", str(path)])
    assert profiled.exit_code == 0 and "KeyError" not in profiled.output, profiled.output
    prepared = prepare(load_config(path))
    assert prepared.categorical == ["colour", "group"] and "country" not in prepared.train.columns
    dropped = prepared.cleaning_log.to_frame().query("action == 'drop constant column (warning)'")
    assert dropped.column.tolist() == ["country"] and "declared in features.categorical" in dropped.note.iloc[0]


# ----------------------------------------------------------------------------------- raw library warnings
def test_values_too_large_to_square_stop_check_with_one_line_not_a_numpy_warning(project):
    frame = toy_frame(300).assign(amount=lambda f: np.where(f.index % 7 == 0, 1e308, f.income))
    path = project("toy", toy_config(), frame)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "column `amount` holds 1e+308" in text and "dataset.missing_markers" in text
    assert "RuntimeWarning" not in result.output and "Traceback" not in result.output
    # declared as missing, the same value is a marker and the check passes
    path = project("toy", toy_config(dataset={"missing_markers": ["1e+308"]}), frame)
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0


def test_a_wide_table_is_cleaned_without_pandas_fragmentation_warnings(project):
    import warnings

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"f{i}": rng.normal(size=150) for i in range(400)}).assign(label=toy_frame(150).label)
    frame.iloc[::9, :50] = np.nan  # every column is imputed, as on a real wide table
    path = project("toy", toy_config(cleaning={"outliers": {"method": "iqr"}}), frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        prepared = prepare(load_config(path))
    assert prepared.X_train.shape[1] == 400 and not prepared.X_train.isna().any().any()
