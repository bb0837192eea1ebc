"""`synthlib run`: the audit plus its written outputs (results.json and the OutputMaterials bundle)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Callable

from synthlib.config import FAST_PROFILE, AuditConfig, find_params, load_config, with_overrides
from synthlib.deploy import write_bundle
from synthlib.errors import ConfigError
from synthlib.utils import run_log

from ._audit import Audit, run_audit
from ._outputs import RUN_LOG, writing_outputs


def resolve(dataset: str | Path, fast: bool = False, project_root: Path | None = None) -> tuple[str, AuditConfig]:
    """The output name (params file stem) and the validated config, with the fast profile if asked."""
    path = find_params(dataset, project_root)
    config = load_config(path, project_root)
    if fast:
        config = with_overrides(config, FAST_PROFILE).model_copy(update={"profile": "fast"})
    return path.stem, config


def project_root_of(config: AuditConfig) -> Path:
    """The project the config's relative paths (data, outputs, cache) resolve from."""
    return Path(config.project_root or ".").resolve()


def output_dir(name: str, config: AuditConfig, out_dir: Path | None = None) -> Path:
    """`--out` if given, else `<project>/<output.dir>/<name>` (`<name>-fast` for the fast profile, so a preview
    never replaces a full run's outputs); a folder that is a file or cannot be written is refused before any work."""
    if out_dir:
        out, source = Path(out_dir).resolve(), "--out"
    else:
        folder = f"{name}-fast" if config.profile == "fast" else name
        out, source = project_root_of(config) / config.output.dir / folder, f"output.dir in {config.source_file}"
    check_output_dir(out, source)
    return out


def check_output_dir(out: Path, source: str) -> None:
    """Raise `ConfigError` when `out` is a file, lies under a file, or cannot be created or written.

    Probed with a temporary file (or folder) that is removed at once, so a read-only mount or missing
    permission shows here, at `synthlib check` and the start of a run, not after the audit.
    """
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    where = f"output folder {out} ({source})"
    if not existing.is_dir():
        problem = "is a file" if existing == out else f"cannot be created: {existing} is a file"
        raise ConfigError(f"{where} {problem}; give a folder for the report and the bundle")
    try:
        if existing == out:
            with tempfile.TemporaryFile(dir=out):
                pass
        else:
            os.rmdir(tempfile.mkdtemp(dir=existing))
    except OSError as exc:
        raise ConfigError(f"{where} cannot be written ({exc.strerror or exc} in {existing}); choose a folder you "
                          "can write to with --out or output.dir") from None


def write_text_atomic(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def run(dataset: str | Path, fast: bool = False, project_root: Path | None = None, out_dir: Path | None = None,
        progress: Callable[[str], None] | None = None, notebook: Path | None = None,
        keep_cache_record: bool = False) -> tuple[Audit, Path]:
    """Run (or load from cache) the audit; write `results.json` and the bundle under `out_dir`.

    This is what the report notebook calls (with `keep_cache_record`: when `out_dir` already holds the results of
    the same audit, written by `synthlib render` moments before, their cache record, computed or reused and when,
    is kept, so the report does not call its own fresh run a cache hit); `run_fresh` is the command: it also locks
    the folder, clears stale outputs, stages the new ones and logs.
    """
    name, config = resolve(dataset, fast, project_root)
    out_dir = output_dir(name, config, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    audit = run_audit(config, cache_dir=project_root_of(config) / ".cache", progress=progress)
    if keep_cache_record:
        earlier = _cache_record(out_dir / "results.json")
        if earlier and earlier.get("key") == audit.result["cache"]["key"]:
            audit.result["cache"] = earlier
    write_text_atomic(out_dir / "results.json", audit.to_json())
    if progress:
        progress("export bundle")
    write_bundle(audit, out_dir, notebook=notebook)
    return audit, out_dir


def _cache_record(results: Path) -> dict | None:
    """The `cache` record of an existing results.json (None when there is none or it cannot be read)."""
    try:
        return json.loads(results.read_text()).get("cache")
    except (OSError, ValueError, AttributeError):
        return None


def run_fresh(dataset: str | Path, fast: bool = False, out_dir: Path | None = None, project_root: Path | None = None,
              progress: Callable[[str], None] | None = None) -> tuple[Audit, Path]:
    """`synthlib run`: the audit into a folder cleared of earlier outputs, dependency warnings in its run.log.

    The folder is locked for the run and the outputs are staged and moved into place at the end (`_outputs`)."""
    name, config = resolve(dataset, fast, project_root)
    out = output_dir(name, config, out_dir)
    with writing_outputs(out) as stage, run_log(out / RUN_LOG):
        audit, _ = run(dataset, fast, project_root, stage, progress)
    return audit, out
