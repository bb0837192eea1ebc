"""Cleaner: statistics from training rows only, any later row cleaned (NaN, inf, markers), dtypes kept, log = changes."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from synthlib.config import CleaningConfig, load_config
from synthlib.evaluate._models import preprocessing
from synthlib.prepare._cleaning import Cleaner
from synthlib.prepare._prepare import prepare

from .conftest import toy_config, toy_frame

CAP = CleaningConfig(outliers={"method": "iqr", "action": "cap"})
DROP = CleaningConfig(outliers={"method": "iqr", "action": "drop"})


def _rows(n: int = 200, seed: int = 0) -> pd.DataFrame:
    frame = toy_frame(n, seed=seed).drop(columns="label")
    frame["code"] = np.random.default_rng(seed).integers(1, 4, n)  # an integer-coded categorical column
    return frame


def _cleaner(config: CleaningConfig = CAP, markers: tuple[str, ...] = ("?", "NA")) -> Cleaner:
    return Cleaner(["income", "age"], ["colour", "group", "code"], markers, config)


def test_statistics_come_from_the_fit_rows_only():
    train, test = _rows(200, seed=0), _rows(200, seed=1)
    train.loc[train.index[:20], "income"] = np.nan
    test["income"] = test["income"] + 500  # far away: would move any statistic fit on it
    cleaner = _cleaner().fit(train)
    q1, q3 = train.income.quantile([0.25, 0.75])
    assert cleaner.bounds_["income"] == pytest.approx((q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)))
    capped = train.income.clip(*cleaner.bounds_["income"])
    assert cleaner.fill_values_["income"] == pytest.approx(capped.median())
    assert cleaner.fill_values_["colour"] == train.colour.mode().iloc[0]
    before = dict(cleaner.bounds_)
    cleaned = cleaner.transform(test)
    assert cleaner.bounds_ == before
    assert cleaned.income.max() == pytest.approx(before["income"][1])  # test values capped at the training bound


def test_unseen_missing_values_in_any_column_are_imputed_with_training_values():
    train = _rows()
    cleaner = _cleaner().fit(train)  # no missing value anywhere at fit time
    new = _rows(6, seed=3).astype(object)
    new.loc[0, "income"] = np.inf
    new.loc[1, "income"] = -np.inf
    new.loc[2, "age"] = "?"
    new.loc[3, "colour"] = " NA "
    new.loc[4, "group"] = np.nan
    new.loc[5, "code"] = "not a number"
    new.loc[0, "age"] = "41"  # numbers written as text are numbers
    cleaned = cleaner.transform(new)
    assert not cleaned.isna().any().any()
    assert cleaned.loc[[0, 1], "income"].tolist() == [cleaner.fill_values_["income"]] * 2
    assert cleaned.loc[2, "age"] == cleaner.fill_values_["age"] and cleaned.loc[0, "age"] == 41
    assert cleaned.loc[3, "colour"] == train.colour.mode().iloc[0]
    assert cleaned.loc[4, "group"] == train.group.mode().iloc[0]
    assert cleaned.loc[5, "code"] == train.code.mode().iloc[0]
    assert list(cleaned.index) == list(new.index) and list(cleaned.columns) == list(train.columns)


def test_integer_columns_stay_integers():
    train = _rows()
    train.loc[train.index[:3], "age"] = [500, 501, -400]  # outliers in an integer column
    cleaner = _cleaner().fit(train)
    new = _rows(5, seed=4)
    new["age"] = new["age"].astype(float)
    new.loc[[0, 1, 2], "age"] = [np.nan, 10_000.0, 30.6]
    new.loc[3, "code"] = np.nan
    cleaned = cleaner.transform(new)
    assert cleaned.age.dtype == np.int64 and cleaned.code.dtype == np.int64
    low, high = cleaner.bounds_["age"]
    assert cleaned.loc[1, "age"] == int(np.floor(high)) and cleaned.loc[2, "age"] == 31
    assert cleaned.loc[0, "age"] == cleaner.fill_values_["age"] and isinstance(cleaner.fill_values_["age"], int)
    assert cleaner.transform(train).age.between(np.ceil(low), np.floor(high)).all()
    assert cleaned.income.dtype == np.float64 and cleaned.colour.dtype == object


def test_drop_flags_training_rows_but_transform_keeps_every_row():
    train = _rows()
    train.loc[train.index[:4], "income"] = 10_000.0
    train.loc[train.index[4], "income"] = np.nan
    dropping, capping = _cleaner(DROP).fit(train), _cleaner(CAP).fit(train)
    assert dropping.bounds_ == capping.bounds_
    flagged = dropping.outliers(train)
    outside = [train[c].lt(low) | train[c].gt(high) for c, (low, high) in dropping.bounds_.items()]
    assert flagged.iloc[:4].all() and flagged.equals(pd.concat(outside, axis=1).any(axis=1))
    assert dropping.fill_values_["income"] == pytest.approx(train.income[~flagged].median())  # from the kept rows
    assert len(dropping.transform(train)) == len(train)
    actions = {e["action"] for e in dropping.log_ if e["step"] == "outliers"}
    assert actions == {"flag rows for removal"} and {e["action"] for e in capping.log_ if e["step"] == "outliers"} == {"cap"}


def test_report_counts_equal_the_values_transform_changes():
    train = _rows()
    cleaner = _cleaner().fit(train)
    new = _rows(300, seed=5).astype(object)
    rng = np.random.default_rng(0)
    new.loc[rng.choice(np.arange(20, 300), 30, replace=False), "income"] = np.nan
    new.loc[rng.choice(300, 7, replace=False), "colour"] = "?"
    new.loc[rng.choice(300, 5, replace=False), "age"] = np.inf
    new.loc[new.index[:11], "income"] = 1e6
    entries = {(e["action"], e["column"]): e["count"] for e in cleaner.report(new, "new")}
    cleaned = cleaner.transform(new)
    assert entries[("marker to NaN", "colour")] == 7
    assert entries[("infinite to NaN", "age")] == 5
    income = pd.to_numeric(new.income)
    assert entries[("cap with training bounds", "income")] == int(((income < cleaner.bounds_["income"][0]) |
                                                                     (income > cleaner.bounds_["income"][1])).sum()) >= 11
    assert entries[("impute median (training value)", "income")] == income.isna().sum() == 30
    assert entries[("impute most_frequent (training value)", "colour")] == 7
    changed = (cleaned.astype(str) != new.astype(str).where(new.notna(), "nan")).sum()
    assert changed["colour"] == 7 and changed["income"] == 30 + entries[("cap with training bounds", "income")]
    assert changed["age"] == 5 + entries[("cap with training bounds", "age")]
    assert {e["split"] for e in cleaner.report(new, "new")} == {"new"}


def test_a_pipeline_with_the_cleaner_scores_raw_rows_and_survives_clone_and_pickle():
    train = _rows()
    y = (train.income > train.income.median()).astype(int)
    train.loc[train.index[:10], "colour"] = "?"
    model = Pipeline([("clean", _cleaner()), ("model", Pipeline([
        ("preprocess", preprocessing(["income", "age", "code"], ["colour", "group"])),
        ("classifier", LogisticRegression(max_iter=1000))]))]).fit(train, y)
    raw = _rows(50, seed=6).astype(object)
    raw.loc[0, "income"], raw.loc[1, "colour"], raw.loc[2, "age"] = np.nan, "NA", np.inf
    predicted = model.predict(raw)
    assert len(predicted) == 50
    assert np.array_equal(pickle.loads(pickle.dumps(model)).predict(raw), predicted)
    copy = clone(model.named_steps["clean"])
    assert copy.get_params()["missing_markers"] == ("?", "NA") and not hasattr(copy, "bounds_")


def test_prepare_with_missing_drop_keeps_test_rows_and_imputes_them(project):
    frame = toy_frame(400)
    frame.loc[frame.index[::10], "income"] = np.nan
    project("toy", toy_config(cleaning={"missing": "drop"}), frame)
    prepared = prepare(load_config("toy"))
    assert len(prepared.test) == 80  # the split is made on every row; incomplete test rows are kept
    assert prepared.raw_train.income.notna().all() and prepared.raw_test.income.isna().sum() > 0
    assert prepared.test.income.notna().all()
    log = prepared.cleaning_log.to_frame()
    dropped = log[log.action == "drop rows with missing values"]
    assert dropped.split.tolist() == ["train"] and dropped["count"].iloc[0] == 40 - prepared.raw_test.income.isna().sum()
    imputed = log[(log.split == "test") & log.action.str.startswith("impute median")]
    assert imputed["count"].iloc[0] == prepared.raw_test.income.isna().sum()


def test_prepared_keeps_raw_splits_and_the_fitted_cleaner(project):
    frame = toy_frame(400)
    frame.loc[frame.index[::7], "income"] = np.nan
    frame.loc[frame.index[3::20], "income"] = 10_000.0
    project("toy", toy_config(cleaning={"outliers": {"method": "iqr", "action": "drop"}}), frame)
    prepared = prepare(load_config("toy"))
    assert prepared.raw_train.index.equals(prepared.train.index) and prepared.raw_test.index.equals(prepared.test.index)
    pd.testing.assert_frame_equal(prepared.cleaner.transform(prepared.raw_test[prepared.features]), prepared.X_test)
    assert prepared.raw_test.income.max() == 10_000.0 and prepared.X_test.income.max() < 10_000
    drop = prepared.cleaning_log.to_frame().query("action == 'drop rows'")
    assert drop.split.tolist() == ["train"] and "test rows are capped" in drop.note.iloc[0]


def test_cleaning_summary_gives_the_test_splits_capped_values_beside_the_training_splits():
    from synthlib.report._prose import render_block

    bounds = {"method": "iqr", "lower": -6.0, "upper": 42.0}
    result = {"config": {"resolved": {"dataset": {"source": "d.csv", "missing_markers": []},
                                      "cleaning": {"missing": "impute", "outliers": {"method": "iqr", "action": "cap"}}}},
              "data": {"cleaning_log": [
                  {"step": "outliers", "action": "cap", "column": "duration", "count": 57, "split": "train", **bounds},
                  {"step": "outliers", "action": "cap with training bounds", "column": "duration", "count": 13,
                   "split": "test", **bounds}]}}
    text = " ".join(render_block("data_assessment", "cleaning", result).split())
    assert "`duration` 57 values outside [-6, 42] (test split: 13)" in text
    assert "counts in the training split, test-split counts in brackets" in text
