"""Bad input (issue 15): every case ends with exit 2 and one clear line, or runs with a warning; never a traceback.

Each error case goes through `synthlib check` (params + header + sample) and `synthlib profile` (the run's
own data preparation): both must stop with the same one line, so what `check` accepts does not fail later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.config import load_config
from synthlib.prepare._prepare import prepare

from .conftest import toy_config, toy_frame

runner = CliRunner()


@dataclass
class Case:
    """A params file (toy config plus `sections`) and data (the toy table changed by `frame`)."""

    name: str
    fragments: tuple[str, ...]
    sections: dict[str, Any] = field(default_factory=dict)
    frame: Callable[[pd.DataFrame], pd.DataFrame] = lambda f: f


def _with(column: str, index: int, value: Any) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.astype({column: object})
        frame.loc[frame.index[index], column] = value
        return frame
    return change


def _few_minority(n: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(label=np.where(np.arange(len(frame)) < n, 1, 0))
    return change


ERRORS = [
    Case("sampling_strategy names a class that does not exist", (
        "augmentation.sampling_strategy", "names class '7', which is not a class of `label`",
        "per-class keys must be minority classes: 1"),
        {"augmentation": {"methods": ["smote"], "sampling_strategy": {"7": 100}}}),
    Case("sampling_strategy names the majority class", (
        "augmentation.sampling_strategy", "names class '0', which is not a minority class"),
        {"augmentation": {"methods": ["smote"], "sampling_strategy": {0: 100}}}),
    Case("classifier parameter misspelt", (
        "invalid value for `models.params`", "logistic_regression (LogisticRegression) has no parameter "
        "`max_iterations`; did you mean `max_iter`?"),
        {"models": {"classifiers": ["logistic_regression"], "params": {"logistic_regression": {"max_iterations": 50}}}}),
    Case("classifier parameter out of range", ("invalid value for `models.params`", "'max_iter' parameter of "
                                               "LogisticRegression must be an int in the range [0, inf). Got -5"),
         {"models": {"params": {"logistic_regression": {"max_iter": -5}}}}),
    Case("classifier parameters that only fail when fitting", (
        "models.params.logistic_regression", "LogisticRegression with these parameters cannot be fitted",
        "penalty"), {"models": {"params": {"logistic_regression": {"penalty": "l1"}}}}),
    Case("parameters for a classifier that is not configured", (
        "invalid value for `models.params`", "parameters for `knn`, which is not in models.classifiers"),
        {"models": {"classifiers": ["logistic_regression"], "params": {"knn": {"n_neighbors": 3}}}}),
    Case("n_jobs 0", ("invalid value for `evaluation.n_jobs`", "-1 (all cores) or a positive number", "got 0"),
         {"evaluation": {"n_jobs": 0}}),
    Case("objective typo", ("invalid value for `evaluation.objective`", "takes f1_minority, fbeta, expected_cost, "
                            "recall_at_precision, balanced_accuracy, pr_auc, roc_auc; did you mean `f1_minority`?"),
         {"evaluation": {"objective": "f1_minorty"}}),
    Case("recall as the objective", ("recall_minority is not an objective: a threshold can make it 1.0",
                                     "evaluation.objective takes f1_minority"),
         {"evaluation": {"objective": "recall_minority"}}),
    Case("an old params file's primary_metric", (
        "evaluation.primary_metric (recall_minority) is replaced by evaluation.objective",
        "set objective: f1_minority | fbeta | expected_cost | recall_at_precision | balanced_accuracy | pr_auc | roc_auc",
        "a threshold can make it 1.0"),
        {"evaluation": {"primary_metric": "recall_minority"}}),
    Case("expected_cost without its costs", ("objective expected_cost needs evaluation.costs",
                                             "costs: {false_negative: 5, false_positive: 1}"),
         {"evaluation": {"objective": "expected_cost"}}),
    Case("a cost matrix with another objective", ("evaluation.costs applies only to objective expected_cost",
                                                  "the objective is f1_minority"),
         {"evaluation": {"costs": {"false_negative": 5, "false_positive": 1}}}),
    Case("a zero cost", ("`evaluation.costs.false_positive`", "greater than 0"),
         {"evaluation": {"objective": "expected_cost", "costs": {"false_negative": 5, "false_positive": 0}}}),
    Case("success criterion metric typo", ("`evaluation.success_criteria.metric`", "unknown metric `f1_minorty`"),
         {"evaluation": {"success_criteria": [{"metric": "f1_minorty", "min_improvement": 0.1}]}}),
    Case("per-class metric for a class that does not exist", (
        "evaluation.success_criteria", "is `recall_class_2`, but `label` has 2 classes"),
        {"evaluation": {"success_criteria": [{"metric": "recall_class_2", "min_improvement": 0.1}]}}),
    Case("threshold objective not implemented", (
        "invalid value for `evaluation.threshold_objective`", "'f1_minority' or 'balanced_accuracy'", "got 'youden'"),
        {"evaluation": {"threshold_objective": "youden"}}),
    Case("no classifiers", ("invalid value for `models.classifiers`", "the list is empty", "logistic_regression"),
         {"models": {"classifiers": []}}),
    Case("no methods", ("invalid value for `augmentation.methods`", "the list is empty", "smote"),
         {"augmentation": {"methods": []}}),
    Case("sensitive bins that leave values out", (
        "features.sensitive `age`", "fall outside the bins 18 to 60", "make the edges cover 18 to 79"),
        {"features": {"sensitive": [{"column": "age", "bins": [18, 40, 60]}]}, "fairness": {"favourable_label": 0}}),
    Case("declared numeric column with a stray word", (
        "features.numeric column `age`", "holds values that are not numbers: '12a' (1 of 200)",
        "dataset.missing_markers", "features.categorical"),
        {"features": {"numeric": ["income", "age"]}}, _with("age", 5, "12a")),
    Case("declared numeric column with a thousands separator", (
        "features.numeric column `income`", "holds values that are not numbers: '4,530'"),
        {"features": {"numeric": ["income", "age"]}}, _with("income", 7, "4,530")),
    Case("declared ordinal column holding text", ("features.ordinal column `colour`", "'red'"),
         {"features": {"ordinal": ["colour"]}}),
    Case("minority label that is no class, with the YAML pitfall", (
        "dataset.minority", "names class True, which is not in column `label`", "classes are: 'no', 'maybe'",
        "quote the label"),
        {"dataset": {"minority": [True]}}, lambda f: f.assign(label=np.where(f.label == 1, "maybe", "no"))),
    Case("favourable label that is no class", (
        "fairness.favourable_label", "names class 'approved', which is not in column `label`", "classes are: 0, 1"),
        {"fairness": {"favourable_label": "approved"}}),
    Case("all-NaN target", ("target `label`", "has no values"), {}, lambda f: f.assign(label=np.nan)),
    Case("target column with a near-miss name", ("dataset.target", "names `label`", "did you mean `Label `?",
                                                 "spaces or letter case"),
         {}, lambda f: f.rename(columns={"label": "Label "})),
    Case("sensitive column with a near-miss name", ("features.sensitive", "names `Group`", "did you mean `group`?"),
         {"features": {"sensitive": [{"column": "Group"}]}}),
    Case("cv_folds larger than the minority count", (
        "minority class 1 has about 4 rows in the training split", "fewer than evaluation.cv_folds = 5",
        "set evaluation.cv_folds to at most 4"),
        {"augmentation": {"methods": ["gaussian_copula"]}}, _few_minority(5)),
    Case("k_neighbors larger than a fold's minority rows", (
        "about 5 rows in the training part of each CV fold", "augmentation.k_neighbors + 1 = 6",
        "lower augmentation.k_neighbors to at most 4"), {}, _few_minority(9)),
    Case("sensitive attribute that the declared features leave out", (
        "features.sensitive", "names `group`, which is not a feature", "list it as a feature"),
        {"features": {"numeric": ["income", "age"], "categorical": ["colour"], "sensitive": [{"column": "group"}]}}),
    Case("quasi-identifier that dataset.id_columns drops", (
        "features.quasi_identifiers", "names `colour`, which is not a feature", "dataset.id_columns drops it"),
        {"dataset": {"id_columns": ["colour"]}, "features": {"quasi_identifiers": ["colour"]}}),
    # issue 25: messages that name the real cause and a fix that works
    Case("a test split that leaves no minority row for training", (
        "minority class 1 has about 0 rows in the training split", "of 44 in the data",
        "split.test_size = 0.995 sends 44 to the test split", "lower split.test_size (now 0.995) to at most 0.88"),
        {"split": {"test_size": 0.995}, "augmentation": {"methods": ["gaussian_copula"]}}),
    Case("two minority rows with two folds", (
        "minority class 1 has about 1 row in the training split", "add rows of class 1: it has 2",
        "the audit needs at least 3 (2 to train, 1 to test)"),
        {"evaluation": {"cv_folds": 2}, "augmentation": {"methods": ["gaussian_copula"]}}, _few_minority(2)),
    Case("a random split named as the cause", ("a random split (split.stratified: false)",
                                               "set split.stratified: true"),
         {"split": {"stratified": False}, "augmentation": {"methods": ["gaussian_copula"]}}, _few_minority(2)),
    Case("SMOTE on a class that leaves one row per fold", (
        "about 1 rows in the training part of each CV fold", "remove those methods",
        "add rows of class 1: it has 3, and the audit needs at least 5 (4 to train, 1 to test)"),
        {"evaluation": {"cv_folds": 2}}, _few_minority(3)),
    Case("a quoted label that differs in letter case", (
        "dataset.minority", "names class 'yes', which is not in column `label`", "classes are: 'No', 'Yes'",
        "did you mean 'Yes'? (it differs in letter case or spaces)"),
        {"dataset": {"minority": ["yes"]}}, lambda f: f.assign(label=np.where(f.label == 1, "Yes", "No"))),
    Case("a label that matches classes differing only in spaces", (
        "dataset.minority", "names 'maybe', which matches several classes of `label`", "' maybe'", "'maybe '",
        "they differ only in spaces or number format"),
        {"dataset": {"minority": ["maybe"]}},
        lambda f: f.assign(label=np.select([f.label == 0, np.arange(len(f)) % 2 == 0], ["no", " maybe"], "maybe "))),
    Case("sensitive attributes without a favourable label", (
        "fairness.favourable_label is missing", "with features.sensitive set",
        "`favourable_label: 0` if `label` = 0 is the favourable outcome, or `favourable_label: 1` if 1 is"),
        {"features": {"sensitive": [{"column": "group"}]}}),
    Case("three classes without a favourable label", (
        "fairness.favourable_label is missing", '`favourable_label: X`, X one of "no", "maybe", "yes"'),
        {"features": {"sensitive": [{"column": "group"}]}, "dataset": {"minority": ["maybe", "yes"]}},
        lambda f: f.assign(label=np.select([np.arange(len(f)) < 20, f.label == 1], ["yes", "maybe"], "no"))),
    Case("text sensitive attribute left out by a declared categorical list", (
        "features.sensitive", "names `group`, which is not a feature"),
        {"features": {"categorical": ["colour"], "sensitive": [{"column": "group"}]}}),
]


def _project(project, case: Case):
    config = toy_config()
    for section, values in case.sections.items():
        config.setdefault(section, {}).update(values)
    return project("toy", config, case.frame(toy_frame()))


def _one_error(args: list[str], alone: bool = True) -> str:
    """The one error line of a command that must exit 2 (`alone`: and print nothing else)."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    if alone:
        assert result.output.strip() == errors[0], result.output
    return errors[0]


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.name)
def test_check_and_run_stop_with_the_same_one_line(project, case: Case):
    path = _project(project, case)
    line = _one_error(["check", str(path)])
    for fragment in case.fragments:
        assert fragment in line, line
    assert _one_error(["profile", str(path)], alone=False) == line  # the run's own preparation: the same line


# ---------------------------------------------------------------------------- files and paths
def test_params_path_is_a_folder(project):
    project("toy", toy_config(), toy_frame())
    line = _one_error(["check", str(project.root / "params")])
    assert "params path" in line and "is a folder, not a file" in line


def test_params_path_with_yml_suffix_is_a_folder(project):
    (project.root / "odd.yml").mkdir()
    assert "odd.yml is a folder, not a file" in _one_error(["check", str(project.root / "odd.yml")])


def test_data_path_is_a_folder(project):
    path = project("toy", toy_config())
    (project.root / "data" / "toy.csv").mkdir()
    line = _one_error(["check", str(path)])
    assert "data path" in line and "toy.csv is a folder, not a file" in line and ".csv, .tsv or .parquet" in line


@pytest.mark.parametrize(("content", "kind"), [(b"PK\x03\x04" + bytes(200), "Excel .xlsx"),
                                               (b"\x7fELF\x02\x01\x01\x00" + bytes(200), "NUL bytes"),
                                               (b"PAR1" + bytes(100), "a Parquet file")])
def test_binary_file_named_csv(project, content, kind):
    path = project("toy", toy_config())
    (project.root / "data" / "toy.csv").write_bytes(content)
    line = _one_error(["check", str(path)])
    assert "toy.csv is not a CSV: it holds binary data" in line and kind in line


def test_one_column_csv_names_the_delimiter_and_the_key_that_fixes_it(project):
    path = project("toy", toy_config())
    toy_frame().to_csv(project.root / "data" / "toy.csv", index=False, sep=";")
    line = _one_error(["check", str(path)])
    assert "reads as a single column" in line and "look ';'-separated" in line
    assert "set dataset.delimiter: ';'" in line
    path = project("toy", toy_config(dataset={"delimiter": ";"}))
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0
    assert len(prepare(load_config(path)).train) == 160


# ------------------------------------------------------------------- handled, with a warning
def _warns(path, *fragments: str) -> str:
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    warnings = " ".join(line for line in result.output.splitlines() if line.startswith("warning:"))
    for fragment in fragments:
        assert fragment in warnings, result.output
    assert "Traceback" not in result.output
    return warnings


def test_one_group_sensitive_attribute_is_a_warning_and_kept(project):
    path = project("toy", toy_config(features={"sensitive": [{"column": "group"}]}, fairness={"favourable_label": 0}),
                   toy_frame().assign(group="a"))
    _warns(path, "sensitive attribute `group` has a single group ('a')")
    prepared = prepare(load_config(path))
    assert "group" in prepared.categorical  # a constant column is dropped, but not a sensitive attribute


def test_undeclared_numbers_stored_as_text_are_read_as_numbers(project):
    frame = _with("age", 3, "4,530")(_with("age", 5, "12a")(toy_frame()))
    path = project("toy", toy_config(), frame)
    _warns(path, "column `age` holds numbers stored as text", "2 values that are not numbers", "'12a'", "'4,530'")
    prepared = prepare(load_config(path))
    assert "age" in prepared.numeric and "age" not in prepared.categorical  # not a 53-level categorical
    log = prepared.cleaning_log.to_frame()
    assert log.loc[log.column == "age", "action"].str.contains("text read as numbers").any()
    assert prepared.train.age.notna().all() and pd.api.types.is_numeric_dtype(prepared.train.age)


def test_id_like_column_is_left_out_and_sdv_does_not_take_it_for_a_key(project):
    frame = toy_frame().assign(customer_id=[f"C{i:05d}" for i in range(200)], row=np.arange(200))
    path = project("toy", toy_config(), frame)
    _warns(path, "column `customer_id` looks like an ID", "column `row` looks like an ID", "dataset.id_columns")
    prepared = prepare(load_config(path))
    assert "customer_id" not in prepared.features and "row" not in prepared.features


def test_declared_id_like_column_reaches_sdv_without_a_primary_key_error(project):
    from synthlib.augment import make_sampler
    from synthlib.config import AugmentationConfig

    frame = toy_frame().assign(row=np.arange(200))
    path = project("toy", toy_config(features={"numeric": ["income", "age", "row"]}), frame)
    _warns(path, "column `row` is a feature but looks like an ID")
    prepared = prepare(load_config(path))
    sampler = make_sampler("gaussian_copula", AugmentationConfig(methods=("gaussian_copula",)), prepared.categorical)
    X, y = sampler.fit_resample(prepared.X_train, prepared.y_train)
    assert len(X) > len(prepared.X_train) and "row" in X.columns


def test_dates_are_left_out_with_a_warning(project):
    frame = toy_frame().assign(when=pd.date_range("2024-01-01", periods=200, freq="7h").astype(str))
    path = project("toy", toy_config(), frame)
    _warns(path, "column `when` holds dates", "left out of the features")
    assert "when" not in prepare(load_config(path)).features


def test_pandas_index_column_is_dropped(project):
    path = project("toy", toy_config())
    toy_frame().to_csv(project.root / "data" / "toy.csv")  # index written: header "" -> `Unnamed: 0`
    _warns(path, "column `Unnamed: 0` has no header name and looks like a saved pandas index", "index=False")
    prepared = prepare(load_config(path))
    assert "Unnamed: 0" not in prepared.features
    assert "drop saved pandas index column (warning)" in set(prepared.cleaning_log.to_frame().action)


def test_inf_with_outliers_none_is_treated_as_missing(project):
    frame = toy_frame()
    frame.loc[frame.index[[3, 50, 120]], "income"] = [np.inf, -np.inf, np.inf]
    path = project("toy", toy_config(cleaning={"outliers": {"method": "none"}}), frame)
    _warns(path, "column `income` holds 3 infinite values; they are treated as missing")
    prepared = prepare(load_config(path))
    assert np.isfinite(prepared.train.income).all() and np.isfinite(prepared.test.income).all()


# ------------------------------------------------------------------------------------ labels
@pytest.mark.parametrize(("yaml_minority", "classes", "expected"), [
    ("[yes]", ("no", "yes"), "yes"),          # read as text, as the data holds it (YAML 1.1 would say True)
    ("[no]", ("yes", "no"), "no"),
    ("[1]", (0.0, 1.0), 1),                   # float labels from a target with NaN
    ("['1']", (0, 1), 1),
    ("[1.0]", (0, 1), 1),
])
def test_labels_match_by_value(project, yaml_minority, classes, expected):
    frame = toy_frame()
    frame["label"] = np.where(frame.label == 1, classes[1], classes[0]).astype(object if isinstance(classes[0], str) else float)
    if isinstance(classes[0], float):
        frame.loc[frame.index[:4], "label"] = np.nan
    path = project("toy", toy_config())
    frame.to_csv(project.root / "data" / "toy.csv", index=False)
    path.write_text(path.read_text().replace("target: label", f"target: label\n  minority: {yaml_minority}"))
    assert runner.invoke(app, ["check", str(path)]).exit_code == 0
    prepared = prepare(load_config(path))
    assert prepared.minority_labels == [expected]
    assert [str(c) for c in prepared.minority_labels] == [str(expected)]  # 1, not 1.0, in every report


def test_target_with_missing_values_is_announced_and_its_labels_are_whole_numbers(project):
    frame = toy_frame().astype({"label": float})
    frame.loc[frame.index[:6], "label"] = np.nan
    config = toy_config(dataset={"minority": [1]}, augmentation={"methods": ["smote"], "sampling_strategy": {1: 150}},
                        fairness={"favourable_label": 0})
    path = project("toy", config, frame)
    _warns(path, "target `label`: 6 rows have no value and are left out")  # keys `1` and `0` match 1.0 and 0.0
    prepared = prepare(load_config(path))
    assert prepared.y_train.dtype == np.int64 and prepared.majority_label == 0


def test_tiny_minority_without_neighbour_methods_warns_about_the_tuned_threshold(project):
    frame = toy_frame().assign(label=np.where(np.arange(200) < 4, 1, 0))  # 3 training rows: 2 per CV fold (3 folds)
    path = project("toy", toy_config(augmentation={"methods": ["gaussian_copula"]}, evaluation={"cv_folds": 3}), frame)
    _warns(path, "about 2 rows in the training part of each CV fold", "tuned-threshold baseline's inner CV",
           "each CV validation fold holds about 1 of its rows")
    assert prepare(load_config(path)).y_train.sum() == 3  # the run prepares the data and goes on


def test_a_label_written_exactly_as_one_of_two_near_identical_classes_picks_that_class(project):
    frame = toy_frame().assign(label=lambda f: np.where(f.label == 1, "yes", np.where(np.arange(200) < 5, " no", "no")))
    path = project("toy", toy_config(dataset={"minority": ["yes"]}, fairness={"favourable_label": "no"},
                                     features={"sensitive": [{"column": "group"}]}), frame)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
