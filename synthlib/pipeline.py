"""`synthlib run`: the audit plus its written outputs (results.json and the OutputMaterials bundle)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from .audit import Audit, run_audit
from .config import FAST_PROFILE, AuditConfig, find_params, load_config, with_overrides
from .export import write_bundle


def resolve(dataset: str | Path, fast: bool = False, project_root: Path | None = None) -> tuple[str, AuditConfig]:
    """The output name (params file stem) and the validated config, with the fast profile if asked."""
    path = find_params(dataset, project_root)
    config = load_config(path, project_root)
    return path.stem, with_overrides(config, FAST_PROFILE) if fast else config


def write_text_atomic(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def run(dataset: str | Path, fast: bool = False, project_root: Path | None = None, out_dir: Path | None = None,
        progress: Callable[[str], None] | None = None, notebook: Path | None = None) -> tuple[Audit, Path]:
    """Run (or load from cache) the audit; write `results.json` and the bundle under `out_dir`."""
    name, config = resolve(dataset, fast, project_root)
    root = Path(config.project_root or ".")
    out_dir = out_dir or root / config.output.dir / name
    out_dir.mkdir(parents=True, exist_ok=True)
    audit = run_audit(config, cache_dir=root / ".cache", progress=progress)
    write_text_atomic(out_dir / "results.json", audit.to_json())
    if progress:
        progress("export bundle")
    write_bundle(audit, out_dir, notebook=notebook)
    return audit, out_dir
