"""What a new user hits on real tables (issue 25): params that were silently accepted, names that became paths,
output folders that failed after the audit, batch duplicates, and messages that sent the user in circles.

Every refusal is `synthlib check` (or the command itself) exiting 2 with one line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.config import load_config, name_slug, pascal_slug
from synthlib.errors import ConfigError
from synthlib.prepare._prepare import prepare

from .conftest import ROOT, toy_config, toy_frame
from .test_bad_input import _one_error

runner = CliRunner()
BASE = "dataset: {name: toy, source: data/toy.csv, target: label}\naugmentation: {methods: [smote]}\n"


def _params(project, text: str, name: str = "toy") -> Path:
    """params/<name>.yml holding `text` as written (not re-dumped), with the toy data beside it."""
    toy_frame().to_csv(project.root / "data" / "toy.csv", index=False)
    path = project.root / "params" / f"{name}.yml"
    path.write_text(text)
    return path


# ------------------------------------------------------------------------------- silent acceptances
def test_a_key_written_twice_is_named_with_its_lines(project):
    path = _params(project, BASE + "split:\n  test_size: 0.3\n  test_size: 0.4\n")
    line = _one_error(["check", str(path)])
    assert "key `test_size` is written twice (lines 4 and 5)" in line and str(path) in line


def test_a_section_written_twice_is_refused(project):
    path = _params(project, BASE + "split: {seed: 1}\nsplit: {seed: 2}\n")
    assert "key `split` is written twice (lines 3 and 4)" in _one_error(["check", str(path)])


def test_merge_keys_may_be_overridden(project):
    path = _params(project, BASE + "split: {<<: {seed: 1, test_size: 0.3}, seed: 2}\n")
    config = load_config(path)
    assert config.split.seed == 2 and config.split.test_size == 0.3  # a merged default is no duplicate


def test_unquoted_yes_and_no_are_labels_as_the_data_writes_them(project):
    frame = toy_frame().assign(label=lambda f: np.where(f.label == 1, "no", "yes"))
    frame.to_csv(project.root / "data" / "toy.csv", index=False)
    path = project.root / "params" / "toy.yml"
    path.write_text(BASE.replace("target: label}", "target: label, minority: [no]}") +
                    "split: {stratified: yes}\n")
    config = load_config(path)
    assert config.dataset.minority == ("no",) and config.split.stratified is True  # not (False,)
    assert prepare(config).minority_labels == ["no"]


def test_unquoted_no_does_not_match_a_class_written_n(project):
    path = _params(project, BASE.replace("target: label}", "target: label, minority: [no]}"))
    toy_frame().assign(label=lambda f: np.where(f.label == 1, "N", "Y")).to_csv(project.root / "data" / "toy.csv",
                                                                                index=False)
    line = _one_error(["check", str(path)])
    assert "dataset.minority" in line and "names class 'no'" in line and "classes are: 'Y', 'N'" in line


def test_privacy_thresholds_in_the_wrong_order_are_refused(project):
    path = _params(project, BASE + "privacy: {mia_auc_medium: 0.9, mia_auc_high: 0.6}\n")
    line = _one_error(["check", str(path)])
    assert "invalid value for `privacy`" in line
    assert "privacy.mia_auc_medium (0.9) is above privacy.mia_auc_high (0.6)" in line


@pytest.mark.parametrize("key", ["profile: fast", "source_file: x.yml", "project_root: /tmp"])
def test_internal_top_level_keys_are_refused(project, key):
    path = _params(project, BASE + key + "\n")
    line = _one_error(["check", str(path)])
    assert f"unknown key `{key.split(':')[0]}` in {path}" in line and "allowed keys: dataset, features" in line
    if key.startswith("profile"):
        assert "synthlib run NAME --fast" in line


# ------------------------------------------------------------------------------------ fairness direction
def test_check_accepts_sensitive_attributes_with_a_favourable_label(project):
    path = _params(project, BASE + "features: {sensitive: [{column: group}]}\nfairness: {favourable_label: 0}\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output


def test_every_params_file_with_sensitive_attributes_states_its_favourable_label():
    files = [*(ROOT / "params").glob("*.yml"), *(ROOT / "examples" / "params").glob("*.yml"),
             ROOT / "synthlib" / "templates" / "example_params.yml"]
    for path in files:
        config = load_config(path)
        if config.features.sensitive:
            assert config.fairness.favourable_label is not None, path
    assert str(load_config(ROOT / "params" / "german_credit.yml").fairness.favourable_label) == "1"  # the majority


# ---------------------------------------------------------------------------------------- names and paths
@pytest.mark.parametrize(("name", "slug", "pascal"), [
    ("German credit", "German_credit", "GermanCredit"),
    ("../../../../elsewhere/escaped", "elsewhere_escaped", "ElsewhereEscaped"),
    ("a/b", "a_b", "AB"),
    ("Crédit (Statlog)", "Crédit_Statlog", "CréditStatlog"),
])
def test_names_become_file_names_without_separators(name, slug, pascal):
    assert name_slug(name) == slug and pascal_slug(name) == pascal
    assert "/" not in pascal and ".." not in pascal


def test_a_name_without_letters_or_digits_is_refused(project):
    path = _params(project, BASE.replace("name: toy", "name: '../..'"))
    line = _one_error(["check", str(path)])
    assert "dataset.name '../..' has no letter or digit" in line


@pytest.mark.slow
@pytest.mark.parametrize("name", ["../../../../elsewhere/escaped", "a/b"])
def test_a_name_with_path_parts_writes_inside_the_output_folder(project, name):
    config = toy_config(name="toy", augmentation={"methods": ["smote"]}, models={"classifiers": ["logistic_regression"]},
                        evaluation={"cv_folds": 2, "cv_repeats": 1, "n_bootstrap": 100},
                        fairness={"n_bootstrap": 50}, privacy={"n_bootstrap": 50})
    config["dataset"]["name"] = name
    path = project("toy", config, toy_frame())
    out = project.root / "deep" / "a" / "b" / "c" / "out"
    before = set(project.root.rglob("*"))
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = set(project.root.rglob("*")) - before
    outside = [p for p in written if out not in (p, *p.parents) and p.parts[len(project.root.parts)] != ".cache"
               and p not in out.parents]
    assert not outside, outside
    assert (out / "OutputMaterials" / f"{pascal_slug(name)}PipelineConfig.json").is_file()


# -------------------------------------------------------------------------------------------- output folders
def test_check_refuses_an_output_folder_that_is_a_file(project):
    (project.root / "reports").write_text("not a folder")
    path = _params(project, BASE)
    line = _one_error(["check", str(path)])
    assert f"output folder {project.root / 'reports' / 'toy'} (output.dir in {path})" in line
    assert f"cannot be created: {project.root / 'reports'} is a file" in line


def test_check_refuses_an_output_dir_that_cannot_be_written(project):
    if not Path("/proc/self").is_dir():
        pytest.skip("needs /proc (Linux)")
    path = _params(project, BASE + "output: {dir: /proc/self/reports}\n")
    line = _one_error(["check", str(path)])
    assert "output folder /proc/self/reports/toy" in line and "cannot be written" in line


def test_check_refuses_a_read_only_output_folder(project):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    (project.root / "reports").mkdir()
    (project.root / "reports").chmod(0o500)
    try:
        assert "cannot be written" in _one_error(["check", str(_params(project, BASE))])
    finally:
        (project.root / "reports").chmod(0o700)


def test_run_refuses_an_out_folder_under_a_file_before_any_work(project):
    (project.root / "a_file").write_text("x")
    path = _params(project, BASE)
    line = _one_error(["run", str(path), "--out", str(project.root / "a_file" / "out"), "--fast"], alone=False)
    assert "(--out) cannot be created" in line
    assert not (project.root / ".cache").exists()  # nothing was computed


def test_fast_and_full_profiles_write_different_default_folders(project):
    from synthlib.runner import output_dir, resolve

    path = _params(project, BASE)
    folders = {fast: output_dir(*resolve(path, fast=fast)) for fast in (False, True)}
    assert folders[False] == project.root / "reports" / "toy"
    assert folders[True] == project.root / "reports" / "toy-fast"


@pytest.mark.parametrize(("formats", "shown"), [(" , ", "no format"), ("htm", "`htm`"), ("html,docx", "`docx`")])
def test_render_refuses_a_format_it_cannot_write_before_running(project, formats, shown):
    path = _params(project, BASE)
    line = _one_error(["render", str(path), "--format", formats])
    assert f"--format {formats!r} names {shown}; it takes html, pdf or html,pdf" in line
    assert not (project.root / "reports").exists() and not (project.root / ".cache").exists()


# ---------------------------------------------------------------------------------------------------- batch
def test_dask_is_a_dependency_and_the_extra_still_installs():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("dask[distributed]") for d in project["dependencies"])
    assert "dask" in project["optional-dependencies"]


@pytest.mark.parametrize("items", [["toy", "toy"], ["toy", "params/toy.yml"]])
def test_batch_refuses_the_same_data_set_twice(project, items):
    _params(project, BASE)
    line = _one_error(["batch", *items, "--format", "html"])
    assert "batch lists the same data set" in line and str(project.root / "reports" / "toy") in line
    assert "list each data set once" in line


# ------------------------------------------------------------------------------------------------ messages
def test_two_minority_rows_do_not_ask_for_the_cv_folds_already_set(project):
    frame = toy_frame().assign(label=np.where(np.arange(200) < 2, 1, 0))
    path = project("toy", toy_config(evaluation={"cv_folds": 2}, augmentation={"methods": ["gaussian_copula"]}), frame)
    line = _one_error(["check", str(path)])
    assert "evaluation.cv_folds to at most" not in line and "add rows of class 1" in line


@pytest.mark.parametrize("key", ["sensitive: [{column: label}]", "quasi_identifiers: [label]"])
def test_the_target_cannot_be_a_sensitive_attribute_or_quasi_identifier(project, key):
    path = _params(project, BASE + f"features: {{{key}}}\n")
    line = _one_error(["check", str(path)])
    assert "names the target `label`; the target cannot be one" in line and "list it as a feature" not in line


@pytest.mark.parametrize("key", ["split", "augmentation"])
def test_a_negative_seed_names_the_seed(project, key):
    path = _params(project, BASE.replace("augmentation: {methods: [smote]}\n", "") +
                   f"{key}: {{seed: -1}}\n")
    line = _one_error(["check", str(path)])
    assert f"invalid value for `{key}.seed`" in line and "greater than or equal to 0" in line
    assert "test_size" not in line


def test_check_on_a_data_file_says_what_to_pass(project):
    _params(project, BASE)
    line = _one_error(["check", "data/toy.csv"])
    assert "data/toy.csv is a data file, not a params file" in line and "params/toy.yml" in line
    assert "no params file" not in line


@pytest.mark.parametrize("exists", [True, False])
def test_a_params_file_with_another_suffix_states_the_yml_rule(project, exists):
    if exists:
        (project.root / "params" / "gc.txt").write_text(BASE)
    line = _one_error(["check", "params/gc.txt"])
    assert "a params file's name ends in .yml or .yaml" in line


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_an_empty_params_file_says_it_is_empty(project, text):
    path = _params(project, text)
    line = _one_error(["check", str(path)])
    assert f"{path} is empty" in line and "NoneType" not in line


def test_loader_errors_are_config_errors(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\na: 2\n")
    with pytest.raises(ConfigError, match="key `a` is written twice"):
        load_config(path)
    assert yaml.safe_load("a: [no]") == {"a": [False]}  # what plain PyYAML would have read
