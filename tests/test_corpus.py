"""Every corpus data set (../shared/datasets) has a params file in examples/params/ that audits and renders.

The end-to-end runs copy each params file into a temporary project (so the cache and the outputs stay out
of the repository), point it at the corpus file, or at a stratified sample of it for tables above
`SAMPLE_ABOVE` rows, and run `synthlib render --fast --engine builtin` as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sklearn.model_selection import train_test_split

from synthlib.config import load_config
from synthlib.decide import Verdict
from synthlib.decide._verdict import recompute_from_folds
from synthlib.deploy import read_model
from synthlib.evaluate import UtilityResult

from .conftest import ROOT, SHARED_DATASETS
from .independent_verdict import check_against

EXAMPLES = ROOT / "examples" / "params"
PARAMS = sorted(EXAMPLES.glob("*.yml"))
SAMPLE_ABOVE, SAMPLE_ROWS = 30_000, 20_000
# the default run: sensitive attributes with a favourable label, and a sampled large table (German credit renders in
# test_render/test_layout/test_install, 3-class bank wages in test_layout); `pytest -m corpus` runs the other seven
DEFAULT_RUN = {"hmda_mortgage", "nycflights13_cancelled"}

needs_corpus = pytest.mark.skipif(not SHARED_DATASETS.is_dir(), reason=f"corpus not found at {SHARED_DATASETS}")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


@needs_corpus
def test_every_corpus_file_has_a_params_file_whose_source_resolves():
    sources = {}
    for params in PARAMS:
        config = load_config(params)
        source = config.resolve_path(config.dataset.source)
        assert source.is_file(), f"{params.name}: {config.dataset.source} resolves to {source}, which is missing"
        assert str(config.dataset.source).startswith("../../shared/datasets/")  # works from a fresh clone
        sources[source.resolve()] = params.stem
    assert set(sources) == {p.resolve() for p in SHARED_DATASETS.glob("*.csv")}


def test_german_credit_keeps_not_known_as_a_category():
    config = load_config(EXAMPLES / "german_credit.yml")
    assert "not_known" not in config.dataset.missing_markers
    assert str(config.fairness.favourable_label) == "1"  # approval (good credit) is the favourable outcome


def _project(params: Path, root: Path) -> Path:
    """A temporary project holding a copy of `params`, its source made absolute or a stratified sample."""
    config = yaml.safe_load(params.read_text(encoding="utf-8"))
    source = (params.parent.parent / config["dataset"]["source"]).resolve()
    frame = _read(source)
    if len(frame) > SAMPLE_ABOVE:
        frame, _ = train_test_split(frame, train_size=SAMPLE_ROWS, stratify=frame[config["dataset"]["target"]],
                                    random_state=0)
        source = root / "data" / source.name
        source.parent.mkdir(parents=True)
        frame.to_csv(source, index=False)
    config["dataset"]["source"] = str(source)
    (root / "params").mkdir()
    copy = root / "params" / params.name
    copy.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return copy


def _corpus_case(params: Path):
    marks = [pytest.mark.slow] + ([] if params.stem in DEFAULT_RUN else [pytest.mark.corpus])
    return pytest.param(params, id=params.stem, marks=marks)


@needs_corpus
@pytest.mark.parametrize("params", [_corpus_case(p) for p in PARAMS])
def test_corpus_data_set_audits_and_renders_with_the_fast_profile(params: Path, tmp_path: Path):
    copy = _project(params, tmp_path)
    out = tmp_path / "report"
    run = subprocess.run([sys.executable, "-m", "synthlib", "render", str(copy), "--out", str(out), "--fast",
                          "--engine", "builtin", "--format", "html,pdf"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=1800)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    assert (out / "report.html").stat().st_size > 0 and (out / "report.pdf").stat().st_size > 0
    assert (out / "results.json").is_file()
    result = json.loads((out / "results.json").read_text())
    verdict = result["verdict"]
    # "helps" / "no evidence" follows from the fold records and the stored test CIs alone
    again = recompute_from_folds(Verdict.from_json(verdict), UtilityResult.from_json(result["utility"]))
    assert again["augmentation_helps"] == verdict["augmentation_helps"]
    check_against(result)  # and agrees with an independent re-implementation of the rules (scipy only)
    # no fairness finding is measured against a model that predicts no minority row
    degenerate = {d["configuration"] for d in verdict["degenerate"] if "no minority row" in (d["reason"] or "")}
    for finding in verdict["dimensions"]["fairness"].get("findings", []):
        assert finding.get("reference") not in degenerate, finding
    # the bundle deploys exactly the verdict's recommendation
    if verdict["recommended"] is not None:
        deployed = read_model(out / "OutputMaterials" / "TrainedModels" / "deployed.skops").synthlib_metadata_
        recommended = verdict["recommended"]
        assert (deployed["classifier"], deployed["comparator"]) == (recommended["classifier"], recommended["comparator"])
