"""`synthlib verify` (issue 28): a fast German credit bundle reproduces; an edited number or a changed data cell is
named; a multi-class corpus table verifies. Interrupted and concurrent runs: Ctrl-C at several points of a render
leaves nothing that looks finished and the next render succeeds; a second writer of the same folder is refused;
the cache never reads a partial entry. Everything is written under tmp."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import synthlib.deploy
import synthlib.report._render
import synthlib.runner._outputs
import synthlib.runner._run
import synthlib.runner._verify
from synthlib.cli import app
from synthlib.config import load_config
from synthlib.deploy import sha256
from synthlib.report import render
from synthlib.runner import run_audit, run_fresh
from synthlib.runner._compare import compare_predictions, compare_results
from synthlib.runner._outputs import LOCK, STAGING, output_lock

from .conftest import ROOT, SHARED_DATASETS, toy_config, toy_frame

runner = CliRunner()
WIDE = {"COLUMNS": "250"}  # rich tables keep each key on one line
FINISHED_LOOKING = ("report.html", "report.pdf", "report.ipynb", "results.json", "OutputMaterials/manifest.json")
TINY_REPORT = """---
title: "tiny"
---

```{python}
#| tags: [parameters]
dataset = "german_credit"
fast = False
out_dir = ""
```

```{python}
#| output: asis
print("A tiny report of a verified audit.")
```
"""


def make_project(folder: Path, params: Path, data: Path) -> Path:
    """A project with `params` (its data source pointed at a copy of `data` in data/) and a tiny report template."""
    for sub in ("params", "data", "report"):
        (folder / sub).mkdir(parents=True)
    shutil.copy(data, folder / "data" / data.name)
    config = yaml.safe_load(params.read_text())
    config["dataset"]["source"] = f"data/{data.name}"
    (folder / "params" / params.name).write_text(yaml.safe_dump(config, sort_keys=False))
    (folder / "report" / "audit.qmd").write_text(TINY_REPORT)
    return folder / "params" / params.name


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    """A project with the German credit example and its fast bundle (written by `synthlib run --fast`)."""
    params = make_project(tmp_path_factory.mktemp("german"), ROOT / "params" / "german_credit.yml",
                          ROOT / "data" / "german_credit.csv")
    _, out = run_fresh(params, fast=True)
    return params, out


def verify(bundle: Path, data: Path, *extra: str):
    return runner.invoke(app, ["verify", str(bundle), "--data", str(data), *extra], env=WIDE)


def copy_of(out: Path, target: Path) -> Path:
    shutil.copytree(out, target)
    return target / "OutputMaterials"


def test_the_fast_bundle_reproduces(german, tmp_path):
    params, out = german
    result = verify(out / "OutputMaterials", params.parent.parent / "data" / "german_credit.csv", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "reproduced:" in result.stdout
    record = json.loads((tmp_path / "verification.json").read_text())
    assert record["reproduced"] and record["summary"]["differ"] == 0 and record["summary"]["compared"] > 5000
    deployed = record["predictions"]["deployed"]
    assert deployed["rows"] == 200 and deployed["labels_differ"] == 0 and deployed["max_score_difference"] == 0
    assert deployed["audit_configuration"] == deployed["rerun_configuration"]
    results = json.loads((out / "results.json").read_text())
    assert results["config"]["profile"] == "fast" and results["config"]["params"]["evaluation"]["cv_folds"] == 3
    assert record["not_compared"]["timings.*"] and record["changed_files"] == []


def test_an_edited_number_is_named_with_both_values(german, tmp_path, monkeypatch):
    params, out = german
    real_versions = synthlib.runner._verify.versions
    monkeypatch.setattr(synthlib.runner._verify, "versions", lambda: {**real_versions(), "scikit-learn": "0.0.1"})
    monkeypatch.setattr(synthlib.runner._verify, "code_digest", lambda: "f" * 64)
    bundle = copy_of(out, tmp_path / "edited")
    results = json.loads((bundle / "results.json").read_text())
    recommended = results["verdict"]["recommended"]
    metrics = results["utility"]["test"][recommended["classifier"]][recommended["comparator"]]["metrics"]
    true_value = metrics["f1_minority"]
    metrics["f1_minority"] = 0.123456789
    (bundle / "results.json").write_text(json.dumps(results, indent=2))
    result = verify(bundle.parent, params.parent.parent / "data" / "german_credit.csv")
    assert result.exit_code == 1, result.output
    key = f"utility.test.{recommended['classifier']}.{recommended['comparator']}.metrics.f1_minority"
    assert key in result.stdout and "0.123456789" in result.stdout and repr(true_value) in result.stdout
    record = json.loads((bundle.parent / "verification.json").read_text())
    assert record["differences"] == [{"key": key, "audit": 0.123456789, "rerun": true_value, "rule": "tolerance"}]
    assert record["changed_files"] == ["results.json"]  # the manifest saw the edit too
    audited = results["versions"]["scikit-learn"]
    assert f"scikit-learn {audited} -> 0.0.1" in result.stdout and "synthlib's source differs" in result.stdout
    assert record["versions_differ"] == [{"package": "scikit-learn", "audit": audited, "now": "0.0.1"}]


def test_a_data_file_with_one_changed_cell_is_refused_with_both_hashes(german, tmp_path):
    params, out = german
    frame = pd.read_csv(params.parent.parent / "data" / "german_credit.csv")
    frame.loc[7, "age"] += 1
    changed = tmp_path / "german_credit.csv"
    frame.to_csv(changed, index=False)
    results = json.loads((out / "results.json").read_text())
    result = verify(out, changed)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert results["data"]["source_sha256"] in result.stderr
    assert sha256(changed) in result.stderr and str(changed) in result.stderr


@pytest.mark.parametrize("case", ["missing", "not a bundle", "no data", "old bundle"])
def test_bad_input_exits_2_with_one_line(german, tmp_path, case):
    params, out = german
    data = params.parent.parent / "data" / "german_credit.csv"
    bundle = {"missing": tmp_path / "nowhere", "not a bundle": tmp_path}.get(case, out)
    if case == "no data":
        data = tmp_path / "absent.csv"
    if case == "old bundle":  # written before verify: no results.json in the bundle
        bundle = copy_of(out, tmp_path / "old")
        (bundle / "results.json").unlink()
    result = verify(bundle, data)
    assert result.exit_code == 2 and "Traceback" not in result.output
    expected = {"missing": "does not exist", "not a bundle": "not a synthlib bundle", "no data": "absent.csv does not exist",
                "old bundle": "has no results.json"}[case]
    assert expected in result.stderr


def test_comparison_rules_floats_within_tolerance_counts_exactly():
    audit = {"a": {"count": 3, "label": "x", "share": 0.1, "near_zero": 0.0, "flag": True},
             "timings": {"total": 1.0}, "b": [1.0, 2.0]}
    rerun = {"a": {"count": 3, "label": "x", "share": 0.1 * (1 + 1e-12), "near_zero": 1e-15, "flag": True},
             "timings": {"total": 9.0}, "b": [1.0, 2.0]}
    same = compare_results(audit, rerun)
    assert not same.differences and same.total().within_tolerance == 2 and same.not_compared == 1
    rerun["a"].update(count=4, share=0.1001, flag=1)
    rerun["b"].append(3.0)
    differ = {d.key: d.rule for d in compare_results(audit, rerun).differences}
    assert differ == {"a.count": "exact", "a.share": "tolerance", "a.flag": "exact", "b[2]": "missing"}


def test_predictions_compare_labels_exactly_and_scores_within_tolerance():
    recorded = pd.DataFrame({"row": [0, 1], "label": ["a", "b"], "predicted": ["a", "a"], "score_a": [0.7, 0.6],
                             "score_b": [0.3, 0.4]})
    assert compare_predictions(recorded, recorded.copy()).reproduced
    moved = recorded.assign(score_a=[0.7 + 1e-13, 0.6])
    assert compare_predictions(recorded, moved).scores_within_tolerance == 1
    relabelled = recorded.assign(predicted=["a", "b"])
    check = compare_predictions(recorded, relabelled)
    assert not check.reproduced and check.labels_differ == 1 and check.first_differing_rows[0]["row"] == 1


@pytest.mark.slow
def test_a_multi_class_corpus_table_verifies(tmp_path):
    source = SHARED_DATASETS / "bank_wages_job.csv"
    if not source.exists():
        pytest.skip("the shared corpus is not beside the repository")
    params = make_project(tmp_path / "bank", ROOT / "examples" / "params" / "bank_wages_job.yml", source)
    _, out = run_fresh(params, fast=True)
    result = verify(out, params.parent.parent / "data" / source.name)
    assert result.exit_code == 0, result.output
    record = json.loads((out / "verification.json").read_text())
    assert record["summary"]["differ"] == 0 and record["predictions"]["deployed"]["labels_differ"] == 0
    assert len([c for c in pd.read_csv(out / "OutputMaterials" / "Datasets" / "deployed_test_predictions.csv").columns
                if c.startswith("score_")]) == 3


# --- interrupted and concurrent runs ---------------------------------------------------------------------------

def nothing_looks_finished(out: Path) -> None:
    left = [name for name in FINISHED_LOOKING if (out / name).exists()]
    assert not left, left
    assert not (out / STAGING).exists() and not (out / LOCK).exists()


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("point", ["after the bundle is staged", "before the notebook runs", "while converting",
                                   "while adding the notebook to the bundle", "while moving into place"])
def test_ctrl_c_at_any_point_of_a_render_leaves_nothing_finished(german, tmp_path, monkeypatch, point):
    params, _ = german
    out = tmp_path / "out"
    if point == "after the bundle is staged":
        real = synthlib.runner._run.write_bundle
        monkeypatch.setattr(synthlib.runner._run, "write_bundle", lambda *a, **k: (real(*a, **k), _interrupt()))
    elif point == "before the notebook runs":
        monkeypatch.setattr(synthlib.report._render, "_execute", _interrupt)
    elif point == "while converting":
        monkeypatch.setattr(synthlib.report._render, "convert_builtin", _interrupt)
    elif point == "while adding the notebook to the bundle":
        monkeypatch.setattr(synthlib.deploy, "add_to_bundle", _interrupt)
    else:  # a real SIGINT after the first file moved: held back until every move is done, then everything goes
        real_publish, real_replace = synthlib.runner._outputs.publish, os.replace

        def replace_then_signal(source, target):
            real_replace(source, target)
            os.kill(os.getpid(), signal.SIGINT)

        def publish_with_a_signal(stage, out_dir):
            with monkeypatch.context() as during:
                during.setattr(os, "replace", replace_then_signal)
                return real_publish(stage, out_dir)

        monkeypatch.setattr(synthlib.runner._outputs, "publish", publish_with_a_signal)
    with pytest.raises(KeyboardInterrupt):
        render(str(params), out_dir=out, formats=("html",), engine="builtin", fast=True)
    nothing_looks_finished(out)
    assert (out / "run.log").exists()
    monkeypatch.undo()
    outputs = render(str(params), out_dir=out, formats=("html",), engine="builtin", fast=True)  # the next one works
    assert "A tiny report" in outputs["html"].read_text()
    assert "report.ipynb" in json.loads((out / "OutputMaterials" / "manifest.json").read_text())["files"]


def test_a_second_writer_is_refused_and_changes_nothing(german, tmp_path):
    params, _ = german
    out = tmp_path / "busy"
    out.mkdir()
    (out / "results.json").write_text('{"written by": "the first run"}')
    (out / LOCK).write_text(f"{os.getpid()}\n{os.uname().nodename}\n")  # held by a live process: this one
    for command in ("render", "run"):
        result = runner.invoke(app, [command, str(params), "--fast", "--out", str(out)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert str(out / LOCK) in result.stderr and f"process {os.getpid()}" in result.stderr
    assert (out / "results.json").read_text() == '{"written by": "the first run"}'
    assert (out / LOCK).read_text().startswith(f"{os.getpid()}\n")


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / LOCK).write_text(f"{dead.pid}\n{os.uname().nodename}\n")
    with output_lock(tmp_path) as lock:
        assert lock.read_text().startswith(f"{os.getpid()}\n")
    assert not lock.exists()


def test_the_cache_recomputes_a_broken_entry_and_never_leaves_a_partial_one(project, monkeypatch):
    project("toy", toy_config(models={"classifiers": ["logistic_regression"]},
                              evaluation={"cv_folds": 3, "cv_repeats": 1, "n_bootstrap": 100}), toy_frame())
    config = load_config(project.root / "params" / "toy.yml")
    cache = project.root / ".cache"
    first = run_audit(config, cache_dir=cache)
    [entry] = cache.glob("audit-*.pkl")
    entry.write_bytes(entry.read_bytes()[:100])  # as a write cut off half-way would leave it
    again = run_audit(config, cache_dir=cache)
    assert not again.result["cache"]["hit"] and again.result["utility"] == first.result["utility"]
    assert run_audit(config, cache_dir=cache).result["cache"]["hit"]  # rewritten whole
    entry.unlink()
    monkeypatch.setattr("synthlib.runner._cache.pickle.dump", lambda audit, handle, protocol: (handle.write(b"x"),
                                                                                               _interrupt()))
    with pytest.raises(KeyboardInterrupt):
        run_audit(config, cache_dir=cache)
    assert sorted(p.name for p in cache.iterdir()) == []


@pytest.mark.slow
def test_sigint_to_a_render_process_at_several_steps_then_a_render_and_a_refused_second_one(german, tmp_path):
    """The real command, interrupted when its progress line for a step appears (and a little into the step)."""
    params, _ = german
    out = tmp_path / "signalled"
    command = [sys.executable, "-m", "synthlib", "render", str(params), "--fast", "--engine", "builtin",
               "--format", "html", "--out", str(out)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}

    def start() -> subprocess.Popen:  # SIGINT as a terminal delivers it, even when this test runs in the background
        return subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    # the notebook step is interrupted as its line appears: a cached fast audit's notebook can finish within a second
    # or two, and a SIGINT that arrives once publishing has begun is held until the outputs are complete (by design)
    for step, delay in (("prepare", 0.0), ("export bundle", 0.0), ("execute the report notebook", 0.0)):
        process = start()
        seen = []
        for line in process.stderr:
            seen.append(line.strip()[-60:])
            if step in line:
                time.sleep(delay)
                process.send_signal(signal.SIGINT)
                break
        process.communicate(timeout=120)
        assert process.returncode != 0, step
        try:
            nothing_looks_finished(out)
        except AssertionError as error:
            raise AssertionError(f"after SIGINT at `{step}` (lines {seen}; rc {process.returncode}): {error}") from None
    first = start()
    while not (out / LOCK).exists() and first.poll() is None:
        time.sleep(0.05)
    # paused while it holds the lock, so the second render meets it however slowly it starts on a loaded machine
    first.send_signal(signal.SIGSTOP)
    try:
        second = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 2 and str(out / LOCK) in second.stderr and f"process {first.pid}" in second.stderr
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert (out / "report.html").exists() and (out / "OutputMaterials" / "manifest.json").exists()
    assert not (out / LOCK).exists() and not (out / STAGING).exists()
