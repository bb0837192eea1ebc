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
    assert "not_known" in config.dataset.missing_markers
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
