"""Audit configuration: the shipped params validate; bad keys and values fail with one clear message."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.config import load_config, parse_config
from synthlib.errors import ConfigError

from .conftest import ROOT, toy_config

runner = CliRunner()


def test_shipped_params_validate_and_are_immutable():
    config = load_config(ROOT / "params" / "german_credit.yml")
    assert config.dataset.target == "risk"
    assert config.split.test_size == 0.2
    assert [s.column for s in config.features.sensitive] == ["sex", "age"]
    assert "not_known" not in config.dataset.missing_markers  # a category of its own (see the data notes)
    with pytest.raises(Exception):
        config.split.seed = 3  # frozen
    assert load_config(ROOT / "params" / "breast_cancer.yml").features.sensitive == ()


def test_config_hash_is_stable_and_changes_with_content():
    a = parse_config(toy_config())
    b = parse_config(toy_config())
    c = parse_config(toy_config(split={"seed": 1}))
    assert a.config_hash == b.config_hash != c.config_hash


def test_check_prints_resolved_config():
    result = runner.invoke(app, ["check", str(ROOT / "params" / "german_credit.yml")])
    assert result.exit_code == 0, result.output
    assert "test_size: 0.2" in result.output
    assert "max_amplification: 3.0" in result.output  # defaults are resolved and shown


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("dataset: {name: x, source: a.csv, target: y}\nsplit: {test_sise: 0.3}\n",
         "unknown key `test_sise` in {path}, section split; did you mean `test_size`?"),
        ("dataset: {name: x, source: a.csv, target: y}\nsplit: {test_size: big}\n",
         "invalid value for `split.test_size` in {path}: Input should be a valid number"),
        ("dataset: {name: x, source: a.csv, target: y}\nsplit: {test_size: 1.5}\n",
         "test_size must be strictly between 0 and 1, got 1.5"),
        ("dataset: {name: x, source: a.csv, target: y}\nsplit: {test_size: 0}\n",
         "test_size must be strictly between 0 and 1, got 0"),
        ("- a\n- b\n", "{path} must be a YAML mapping of sections"),
        ("dataset: {name: x, source: a.csv, target: y}\nfeatures: {numeric: [a, b], categorical: [a]}\n",
         "feature `a` is listed in two roles (numeric and categorical)"),
        ("dataset: {name: x, source: a.csv, target: y}\nfeatures: {numeric: [a, a]}\n",
         "feature `a` is listed twice"),
        ("dataset: {name: x, source: a.csv}\n", "missing required key `dataset.target` in {path}"),
        ("datset: {name: x}\n", "unknown key `datset` in {path}; did you mean `dataset`?"),
        ("dataset: {name: x, source: a.csv, target: y}\naugmentation: {methods: [smoot]}\n",
         "invalid value for `augmentation.methods`"),
        ("dataset: [unclosed\n", "{path} is not valid YAML"),
        ("dataset: {name: x, source: a.csv, target: y}\naugmentation: {methods: [smote, smote]}\n",
         "invalid value for `augmentation.methods` in {path}: smote listed twice; name each once"),
        ("dataset: {name: x, source: a.csv, target: y}\naugmentation: {epochs: {ctgan: 0}}\n",
         "invalid value for `augmentation.epochs` in {path}: epochs must be whole numbers >= 1, got {{'ctgan': 0}}"),
    ],
)
def test_bad_config_gives_one_clear_message_and_exit_code_2(tmp_path, yaml_text, expected):
    path = tmp_path / "x.yml"
    path.write_text(yaml_text)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert expected.format(path=path) in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_missing_params_file_names_known_datasets(project):
    project("toy", toy_config())
    with pytest.raises(ConfigError, match="no params file for `nope`.*known data sets: toy"):
        load_config("nope")


def test_datasets_lists_params_and_builtins(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["datasets"])
    assert result.exit_code == 0
    assert "german_credit" in result.output and "builtin:breast_cancer" in result.output


def test_fast_profile_overrides_and_stays_valid():
    from synthlib.config import FAST_PROFILE, with_overrides

    config = with_overrides(load_config(ROOT / "params" / "german_credit.yml"), FAST_PROFILE)
    assert config.augmentation.methods == ("smote", "borderline_smote", "gaussian_copula")
    assert config.evaluation.cv_folds == 3 and config.split.test_size == 0.2  # untouched keys survive
    with pytest.raises(ConfigError, match="deploy_method `ctgan` is not one of augmentation.methods"):
        with_overrides(config, {"augmentation": {"deploy_method": "ctgan"}})


def test_metric_names_are_exactly_what_classification_metrics_returns():
    import numpy as np

    from synthlib.config import METRIC_KEYS as METRIC_NAMES
    from synthlib.config import PER_CLASS_METRIC
    from synthlib.evaluate import classification_metrics

    for n_classes in (2, 3):
        y = np.arange(30) % n_classes
        proba = np.full((30, n_classes), 1 / n_classes)
        names = set(classification_metrics(y, proba, y, minority=[1], majority=0))
        per_class = {n for n in names if PER_CLASS_METRIC.fullmatch(n)}
        assert names - per_class == set(METRIC_NAMES)
        assert {int(PER_CLASS_METRIC.fullmatch(n).group(2)) for n in per_class} == set(range(n_classes))


def test_yaml_booleans_and_numbers_keep_their_type():
    config = parse_config(toy_config(dataset={"minority": [True], "positive_label": 1.0},
                                     augmentation={"sampling_strategy": {1: 40}}))
    assert config.dataset.minority == (True,) and config.dataset.minority[0] is True  # not 1: matched as yes/true
    assert config.dataset.positive_label == 1.0
    assert config.augmentation.sampling_strategy == {"1": 40}  # keys as text, as evaluation maps them


def test_models_params_are_checked_against_the_estimator():
    config = parse_config(toy_config(models={"classifiers": ["xgboost", "knn"],
                                             "params": {"xgboost": {"max_depth": 3}, "knn": {"n_neighbors": 7}}}))
    assert config.models.params["knn"] == {"n_neighbors": 7}
    with pytest.raises(ConfigError, match=r"knn \(KNeighborsClassifier\) has no parameter `n_neighbours`; did you mean "
                                          r"`n_neighbors`\?"):
        parse_config(toy_config(models={"params": {"knn": {"n_neighbours": 7}}}))
    with pytest.raises(ConfigError, match="xgboost .XGBClassifier. has no parameter `depth`"):
        parse_config(toy_config(models={"params": {"xgboost": {"depth": 3}}}))


def test_fast_profile_drops_parameters_of_classifiers_it_leaves_out():
    from synthlib.config import FAST_PROFILE, with_overrides

    config = parse_config(toy_config(models={"params": {"knn": {"n_neighbors": 7}}}))
    fast = with_overrides(config, FAST_PROFILE)
    assert fast.models.classifiers == ("logistic_regression", "xgboost")
    assert set(fast.models.params) == {"xgboost"}


def test_union_errors_name_the_key_the_user_wrote(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("dataset: {name: x, source: a.csv, target: y}\naugmentation: {sampling_strategy: lots}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"invalid value for `augmentation.sampling_strategy` in {path}: ")
    assert "ratio minority:majority in (0, 1] or a mapping" in str(error.value)
