"""Golden projections: a fresh fast-profile audit of German credit and two corpus tables (one with three classes)
gives the decision, the ranking and every headline number that the stored `tests/golden/<name>.json` records.

The files were written by commit 13acc6d, before the stage layout moved every module; a refactor that changes
what is computed fails here. Regenerate one on purpose with
`synthlib run PARAMS --fast --out D && python -m tests.golden.projection D/results.json > tests/golden/NAME.json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from synthlib.decide import AuditResult

from .conftest import ROOT, SHARED_DATASETS
from .golden.projection import project
from .independent_verdict import check_against
from .test_corpus import _project

GOLDEN = ROOT / "tests" / "golden"
CASES = {"german_credit": ROOT / "params" / "german_credit.yml",
         "bank_wages_job": ROOT / "examples" / "params" / "bank_wages_job.yml",
         "hmda_mortgage": ROOT / "examples" / "params" / "hmda_mortgage.yml"}


def _differences(expected: object, actual: object, where: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{where}/{k}: missing" for k in expected if k not in actual]
        out += [f"{where}/{k}: unexpected" for k in actual if k not in expected]
        for key in expected.keys() & actual.keys():
            out += _differences(expected[key], actual[key], f"{where}/{key}")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in _differences(e, a, f"{where}[{i}]")]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


def test_differences_names_every_changed_leaf():
    assert _differences({"a": [1, {"b": 0.5}]}, {"a": [1, {"b": 0.6}], "c": 1}) == \
        ["/c: unexpected", "/a[1]/b: expected 0.5, got 0.6"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_audit_matches_its_golden_projection(name: str, tmp_path: Path):
    params = CASES[name]
    if params.parent.parent.name == "examples" and not SHARED_DATASETS.is_dir():
        pytest.skip(f"corpus not found at {SHARED_DATASETS}")
    copy = _project(params, tmp_path)  # its cache and outputs stay in tmp_path
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "synthlib", "run", str(copy), "--fast", "--out", str(out)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    stored = json.loads((out / "results.json").read_text())
    # the typed hand-offs read results.json back without loss: every section, the verdict's rows included
    assert AuditResult.from_json(stored).to_json() == stored
    check_against(stored)  # the verdict follows its rules, re-implemented independently (scipy only)
    actual = project(stored)
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    differences = _differences(expected, actual)
    assert not differences, "\n".join(differences[:40])
