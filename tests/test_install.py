"""The installed tool: build the wheel, install it (not editable) into a fresh venv, use it from an empty folder.

The new venv gets the heavy dependencies (torch, SDV, ...) by a `.pth` line naming this interpreter's
site-packages, the equivalent of `--system-site-packages` for a venv made from a venv; synthlib itself must come
from the wheel (asserted). A plain path line in a `.pth` does not run that folder's own `.pth` files, so an editable
install of the checkout there stays inactive.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pandas as pd
import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

# A small audit: one method, one classifier, 2-fold CV on a 400-row stratified sample of the example data.
TINY_PARAMS = """dataset:
  name: German credit sample
  source: data/sample.csv
  target: risk
  minority: [0]
  missing_markers: ["not_known"]
features:
  sensitive: [{column: sex}]
augmentation: {methods: [smote]}
models: {classifiers: [logistic_regression]}
evaluation: {cv_folds: 2, cv_repeats: 1, n_bootstrap: 100}
fairness: {n_bootstrap: 50, favourable_label: 1}
privacy: {n_bootstrap: 50}
"""


STAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")


def _only_progress_lines(stderr: str) -> None:
    """Off a terminal, stderr holds timestamped progress lines only: dependency warnings went to run.log."""
    # Dask's local cluster processes can leave an asyncio loop to the garbage collector at shutdown; Python then
    # prints a ResourceWarning from its own asyncio module, after synthlib has finished (a known Dask shutdown quirk)
    lines = [line for line in stderr.splitlines()
             if line.strip() and not re.search(r"asyncio/base_events\.py:\d+: ResourceWarning: unclosed event loop", line)]
    assert lines and all(STAMPED.match(line) for line in lines), stderr[-3000:]


def _sh(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A venv with synthlib installed from a freshly built wheel, and the environment to run it in."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"  # build from a copy, so the build writes nothing into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(ROOT / "synthlib", source / "synthlib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = base / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(wheels)], check=True, capture_output=True)
    wheel = next(wheels.glob("synthlib-*.whl"))

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "--quiet", str(wheel)], check=True, capture_output=True)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", MPLBACKEND="Agg", VIRTUAL_ENV=str(venv))
    return venv, env


def test_the_wheel_installs_synthlib_with_its_templates(installed, tmp_path):
    venv, env = installed
    where = _sh(["python", "-c", "import synthlib, synthlib.config._project as p; print(synthlib.__file__); "
                 "print((p.TEMPLATES / 'audit.qmd').is_file(), (p.TEMPLATES / 'data' / 'german_credit.csv').is_file())"],
                tmp_path, env).stdout.split()
    assert Path(where[0]).resolve().is_relative_to(venv.resolve()), where[0]  # not the checkout
    assert where[1:] == ["True", "True"]
    assert shutil.which("synthlib", path=env["PATH"]) == str(venv / "bin" / "synthlib")


def test_init_check_run_render_and_batch_from_an_empty_folder(installed, tmp_path):
    _, env = installed
    _sh(["synthlib", "init", "audit"], tmp_path, env)
    project = tmp_path / "audit"
    _sh(["synthlib", "check", "params/german_credit.yml"], project, env)

    example = pd.read_csv(project / "data" / "german_credit.csv")
    sample = example.groupby("risk", group_keys=False).sample(frac=0.4, random_state=0)
    sample.to_csv(project / "data" / "sample.csv", index=False)
    (project / "params" / "sample.yml").write_text(TINY_PARAMS)
    (project / "params" / "sample_copy.yml").write_text(TINY_PARAMS)  # same config: a second batch item, cached

    _only_progress_lines(_sh(["synthlib", "run", "sample"], project, env).stderr)
    assert (project / "reports" / "sample" / "OutputMaterials" / "manifest.json").is_file()

    rendered = _sh(["synthlib", "render", "params/sample.yml", "--engine", "builtin"], project, env)
    assert "cache hit" in rendered.stderr
    _only_progress_lines(rendered.stderr)
    out = project / "reports" / "sample"
    assert (out / "report.html").stat().st_size > 10_000 and (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "Problem definition" in (out / "report.html").read_text()

    # from the empty parent folder: the items' paths resolve from their own project
    batch = _sh(["synthlib", "batch", "audit/params/sample.yml", "audit/params/sample_copy.yml", "--workers", "2",
                 "--engine", "builtin", "--format", "html"], tmp_path, env)
    _only_progress_lines(batch.stderr)
    for name in ("sample", "sample_copy"):
        assert (project / "reports" / name / "report.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit"]
