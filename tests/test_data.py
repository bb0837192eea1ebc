"""Data preparation: split first, clean with training statistics, log everything, fail clearly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.config import load_config
from synthlib.prepare._prepare import prepare

from .conftest import ROOT, toy_config, toy_frame

runner = CliRunner()


def _fails(args: list[str], *fragments: str) -> str:
    result = runner.invoke(app, args)
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in text, text
    return text


def test_german_credit_is_prepared_with_a_logged_cleaning():
    prepared = prepare(load_config(ROOT / "params" / "german_credit.yml"))
    assert prepared.train.shape == (800, 10) and prepared.test.shape == (200, 10)
    assert prepared.minority_labels == [0] and prepared.majority_label == 1
    balance = prepared.profile["class_balance"]
    assert balance["train"]["counts"] == {"1": 560, "0": 240}  # stratified split keeps 30 %
    assert balance["test"]["counts"] == {"1": 140, "0": 60}
    log = prepared.cleaning_log.to_frame()
    assert "marker to NaN" not in set(log.action)  # `not_known` is a category of its own (see the data notes)
    assert (prepared.train.checking_account == "not_known").sum() + (prepared.test.checking_account == "not_known").sum() == 394
    assert prepared.train.isna().sum().sum() == 0 and prepared.test.isna().sum().sum() == 0
    # the example keeps real tails (cleaning.outliers none): no bound, the raw amounts, integers kept
    assert "credit_amount" not in prepared.outlier_bounds and "outliers" not in set(log.step)
    assert prepared.train.credit_amount.max() == prepared.raw_train.credit_amount.max()
    assert prepared.train.credit_amount.dtype == np.int64
    assert set(prepared.profile["summary"]["age"]) >= {"mean", "std", "min", "25%", "50%", "75%", "max", "skewness"}


def test_imputation_and_bounds_use_training_statistics_only(project):
    frame = toy_frame(400)
    frame.loc[frame.index[:40], "income"] = np.nan
    project("toy", toy_config(cleaning={"outliers": {"method": "iqr"}}), frame)  # the default caps nothing
    prepared = prepare(load_config("toy"))
    raw = pd.read_csv("data/toy.csv")
    train_rows = raw.loc[prepared.train.index]
    log = prepared.cleaning_log.to_frame()
    imputed = log[(log.column == "income") & (log.split == "train") & log.action.str.startswith("impute")]
    q1, q3 = train_rows.income.quantile([0.25, 0.75])
    assert imputed.value.iloc[0] == pytest.approx(train_rows.income.median())
    assert prepared.outlier_bounds["income"][0] == pytest.approx(q1 - 1.5 * (q3 - q1))


@pytest.mark.parametrize("method", ["iqr", "percentile", "zscore"])
def test_outlier_drop_removes_training_rows_only(project, method):
    frame = toy_frame(400)
    frame.loc[frame.index[::200], "income"] = 10_000.0
    project("toy", toy_config(cleaning={"outliers": {"method": method, "action": "drop"}}), frame)
    prepared = prepare(load_config("toy"))
    assert len(prepared.test) == 80  # the test split keeps every row
    assert prepared.train.income.max() < 10_000
    assert "drop rows" in set(prepared.cleaning_log.to_frame().action)


def test_constant_column_is_dropped_with_a_warning(project):
    frame = toy_frame().assign(constant=1)
    project("toy", toy_config(), frame)
    prepared = prepare(load_config("toy"))
    assert "constant" not in prepared.train.columns
    assert "drop constant column (warning)" in set(prepared.cleaning_log.to_frame().action)


def test_feature_types_are_detected_and_logged(project):
    project("toy", toy_config(), toy_frame())
    prepared = prepare(load_config("toy"))
    assert prepared.numeric == ["income", "age"] and prepared.categorical == ["colour", "group"]
    assert "detected categorical" in set(prepared.cleaning_log.to_frame().action)


def test_missing_file(project):
    project("toy", toy_config())
    _fails(["profile", "toy"], "data file", "toy.csv does not exist")


def test_empty_file(project):
    project("toy", toy_config())
    (project.root / "data" / "toy.csv").write_text("")
    _fails(["profile", "toy"], "toy.csv is empty")


def test_not_a_table(project):
    config = toy_config()
    config["dataset"]["source"] = "data/toy.xlsx"
    project("toy", config)
    (project.root / "data" / "toy.xlsx").write_bytes(b"PK\x03\x04")
    _fails(["profile", "toy"], "suffix `.xlsx`", "allowed data files are .csv, .tsv and .parquet")


def test_corrupt_parquet(project):
    config = toy_config()
    config["dataset"]["source"] = "data/toy.parquet"
    project("toy", config)
    (project.root / "data" / "toy.parquet").write_text("not parquet")
    _fails(["profile", "toy"], "toy.parquet is not a readable Parquet file")


def test_parquet_loads(project):
    config = toy_config()
    config["dataset"]["source"] = "data/toy.parquet"
    project("toy", config)
    toy_frame().to_parquet(project.root / "data" / "toy.parquet")
    assert len(prepare(load_config("toy")).train) == 160


def test_target_absent(project):
    project("toy", toy_config(), toy_frame().drop(columns="label"))
    _fails(["profile", "toy"], "dataset.target in", "names `label`, not a column of data/toy.csv", "columns are: income")


def test_single_class_target(project):
    project("toy", toy_config(), toy_frame().assign(label=1))
    _fails(["profile", "toy"], "has a single class (1)")


def test_minority_too_small_for_k_neighbors(project):
    frame = toy_frame(300, minority_share=0.0)
    frame.loc[frame.index[:9], "label"] = 1  # 7 training rows: 5 in the training part of each of 5 CV folds
    project("toy", toy_config(), frame)
    _fails(["profile", "toy"], "minority class 1 has about 5 rows in the training part of each CV fold",
           "fewer than augmentation.k_neighbors + 1 = 6", "lower augmentation.k_neighbors to at most 4")


def test_sensitive_attribute_not_a_column(project):
    project("toy", toy_config(features={"sensitive": [{"column": "gender"}]}), toy_frame())
    _fails(["profile", "toy"], "features.sensitive", "`gender`, not a column of data/toy.csv")


def test_feature_listed_twice_or_in_two_roles(project):
    project("toy", toy_config(features={"numeric": ["income"], "categorical": ["income"]}), toy_frame())
    _fails(["profile", "toy"], "feature `income` is listed in two roles (numeric and categorical)")


def test_all_missing_column(project):
    frame = toy_frame().assign(notes="?")
    project("toy", toy_config(dataset={"missing_markers": ["?"]}), frame)
    _fails(["profile", "toy"], "column `notes`", "is entirely missing after the missing markers were applied")


def test_non_utf8_csv_names_the_encoding(project):
    frame = toy_frame().assign(colour=lambda f: np.where(f.age > 40, "café", "thé"))
    project("toy", toy_config())
    frame.to_csv(project.root / "data" / "toy.csv", index=False, encoding="latin-1")
    _fails(["profile", "toy"], "is not valid utf-8 text", "set dataset.encoding")
    project("toy", toy_config(dataset={"encoding": "latin-1"}))
    assert set(prepare(load_config("toy")).train.colour) == {"café", "thé"}


def test_duplicate_column_names(project):
    project("toy", toy_config())
    (project.root / "data" / "toy.csv").write_text("a,a,label\n1,2,0\n3,4,1\n")
    _fails(["profile", "toy"], "duplicate column names: 'a'")


def test_unknown_minority_label(project):
    project("toy", toy_config(dataset={"minority": ["yes"]}), toy_frame())
    _fails(["profile", "toy"], "names class 'yes'", "classes are: 0, 1")


def test_profile_command_prints_log_and_balance():
    result = runner.invoke(app, ["profile", str(ROOT / "params" / "german_credit.yml")])
    assert result.exit_code == 0, result.output
    assert "stratified split" in result.output and "Class balance" in result.output


def test_breast_cancer_builtin():
    prepared = prepare(load_config(ROOT / "params" / "breast_cancer.yml"))
    assert len(prepared.numeric) == 30 and prepared.categorical == []
    assert prepared.profile["class_balance"]["full"]["counts"] == {"1": 357, "0": 212}


def test_check_reads_a_seeded_sample_and_counts_every_row(project):
    from synthlib.prepare import run_checks
    from synthlib.prepare._io import load_sample

    project("toy", toy_config(), toy_frame(1000))
    config = load_config("toy")
    report = run_checks(config, sample_rows=300)
    assert (report.rows_read, report.n_rows) == (300, 1000)
    assert report.size == ("1,000 rows x 5 columns (800 in the training split); up to 132 model fits = 3 comparators "
                           "(2 baselines + 1 methods) x 4 classifiers x (5 folds x 2 repeats + 1 final); "
                           "11 generator fits")
    sample, n_rows = load_sample(config, 300)
    whole = pd.read_csv(project.root / "data" / "toy.csv")
    assert n_rows == 1000 and sample.equals(load_sample(config, 300)[0])  # the same seed reads the same rows
    assert not sample.equals(whole.head(300))  # spread over the file, not its first rows
    assert whole.merge(sample, how="inner").shape[0] == 300  # real rows, parsed as the whole file is


def test_check_command_prints_warnings_size_and_where_it_looked(project):
    frame = toy_frame().assign(customer_id=[f"C{i:04d}" for i in range(200)])
    project("toy", toy_config(), frame)
    result = runner.invoke(app, ["check", "toy"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("warning: column `customer_id` looks like an ID") for line in lines)
    assert any(line.startswith("size: 200 rows x 6 columns") for line in lines)
    assert lines[-1].startswith("valid: ") and lines[-1].endswith("data checked on every row")
