"""Shared fixtures: the repository root, a throw-away project with its own params/ and data/."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A temporary project root; `write(name, config, frame)` writes params/<name>.yml and data/<name>.csv."""
    (tmp_path / "params").mkdir()
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)

    def write(name: str, config: dict, frame: pd.DataFrame | None = None) -> Path:
        if frame is not None:
            frame.to_csv(tmp_path / "data" / f"{name}.csv", index=False)
        path = tmp_path / "params" / f"{name}.yml"
        path.write_text(yaml.safe_dump(config))
        return path

    write.root = tmp_path  # type: ignore[attr-defined]
    return write


def toy_frame(n: int = 200, minority_share: float = 0.25, seed: int = 0) -> pd.DataFrame:
    """A small mixed-type table with a binary target `label` (1 = minority)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    label = (rng.random(n) < minority_share).astype(int)
    return pd.DataFrame({
        "income": rng.normal(50, 10, n) + 8 * label,
        "age": rng.integers(18, 80, n),
        "colour": rng.choice(["red", "green", "blue"], n),
        "group": rng.choice(["a", "b"], n),
        "label": label,
    })


def toy_config(name: str = "toy", **sections) -> dict:
    config = {"dataset": {"name": name, "source": f"data/{name}.csv", "target": "label"},
              "augmentation": {"methods": ["smote"]}}
    for section, values in sections.items():
        config.setdefault(section, {}).update(values)
    return config


def fast_german_audit(project: Path):
    """A fast German credit audit in `project`, a fresh copy of the example project (its cache stays out of the
    repository): the audit and its bundle folder."""
    import shutil

    from synthlib.runner import run

    (project / "params").mkdir()
    (project / "data").mkdir()
    shutil.copy(ROOT / "params" / "german_credit.yml", project / "params")
    shutil.copy(ROOT / "data" / "german_credit.csv", project / "data")
    audit, out_dir = run(project / "params" / "german_credit.yml", fast=True, project_root=project,
                         out_dir=project / "reports" / "german_credit")
    return audit, out_dir / "OutputMaterials"
