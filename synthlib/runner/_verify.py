"""`synthlib verify BUNDLE --data PATH`: re-run the audit a bundle records and say which of its numbers reproduce.

1. The bundle (an `OutputMaterials` folder, or the folder that holds one) must have its manifest and the audit's
   `results.json`; the data file's SHA-256 must equal the one recorded at audit time (`data.source_sha256`), and the
   recorded params (`config.params`: the keys the params file and the profile set, `--fast` included) must give the
   recorded configuration hash. Anything else is bad input (`BundleError`, `DataError`: exit 2).
2. The audit is re-run from those params with `dataset.source` pointed at `--data`, never from the cache, into a
   temporary folder; the size-aware defaults are re-decided from the same rows, so they come out the same.
3. Its results.json is compared with the bundle's key by key, and the deployed and comparison models' test-split
   predictions with the bundle's (`_compare` states the rules, the tolerance and what is not compared). Manifest
   mismatches, package versions and the synthlib source digest that differ from the audit's are reported too; the
   first counts as a difference, the others are warnings.

The record is written to `verification.json` beside the bundle (or in `out`).
"""

from __future__ import annotations

import copy
import datetime
import json
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from synthlib.config import AuditConfig, parse_config
from synthlib.deploy import (BUNDLE, RESULTS, deployed_configurations, prediction_frame, read_predictions, sha256,
                             verify_bundle)
from synthlib.errors import BundleError, DataError
from synthlib.utils import JsonRecord, json_default, plain, run_log

from ._audit import Audit, code_digest, run_audit, versions
from ._compare import (ABSOLUTE, EXCLUDED, RELATIVE, Counts, Difference, PredictionCheck, compare_predictions,
                       compare_results)
from ._outputs import RUN_LOG

VERIFICATION = "verification.json"
ROLES = ("deployed", "comparison")
NEEDED = ("config.params", "config.hash", "data.source_sha256")
ABSENT = object()


def at(data: Any, path: str, default: Any = None) -> Any:
    """The value at a dotted `path` of results.json (`default` where a key is missing)."""
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


@dataclass(frozen=True)
class Tolerance(JsonRecord):
    relative: float
    absolute: float
    rule: str = ("floats: math.isclose(audit, rerun, rel_tol=relative, abs_tol=absolute); counts, hashes, labels and "
                 "flags: equal; test predictions: labels equal, class scores by the float rule")


@dataclass(frozen=True)
class VersionChange(JsonRecord):
    package: str
    audit: str | None
    now: str | None


@dataclass(frozen=True)
class Verification(JsonRecord):
    """What `synthlib verify` found (verification.json); `reproduced` decides the exit code."""

    reproduced: bool
    bundle: str
    data: str
    data_sha256: str
    config_hash: str
    tolerance: Tolerance
    not_compared: dict[str, str]
    summary: Counts
    not_compared_count: int
    sections: dict[str, Counts]
    differences: tuple[Difference, ...]
    within_tolerance: tuple[Difference, ...]
    predictions: dict[str, PredictionCheck]
    changed_files: tuple[str, ...]
    versions_differ: tuple[VersionChange, ...]
    source_digest_audit: str | None
    source_digest_now: str
    verified_at: str
    seconds: float


def find_bundle(path: Path) -> Path:
    """The `OutputMaterials` folder at `path` or inside it; `BundleError` when there is none."""
    path = Path(path)
    if not path.exists():
        raise BundleError(f"bundle {path} does not exist; pass the OutputMaterials folder of a synthlib run")
    for candidate in (path, path / BUNDLE):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise BundleError(f"{path} is not a synthlib bundle: it has no manifest.json (nor {BUNDLE}/manifest.json); pass "
                      "the OutputMaterials folder of a synthlib run")


def read_recorded(bundle: Path) -> dict[str, Any]:
    """The audit's results.json kept in the bundle, with what verify needs; `BundleError` naming what is missing."""
    path = bundle / RESULTS
    if not path.is_file():
        raise BundleError(f"{bundle} has no {RESULTS}: it was written by a synthlib that did not record what verify "
                          "re-runs; run the audit again to make a bundle that can be verified")
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is not valid JSON ({exc}); the bundle is damaged") from None
    missing = [key for key in NEEDED if at(recorded, key, ABSENT) is ABSENT]
    if missing:
        raise BundleError(f"{path} lacks {', '.join(missing)}: it was written by a synthlib that did not record what "
                          "verify re-runs; run the audit again to make a bundle that can be verified")
    return recorded


def check_data(recorded: dict[str, Any], data: Path) -> str:
    """The data file's SHA-256, if it is the one the audit read; `DataError` with both hashes if not."""
    source, expected = at(recorded, "config.params.dataset.source"), at(recorded, "data.source_sha256")
    if expected is None:
        raise BundleError(f"the audit read `{source}`, which is not a file, so no SHA-256 was recorded to check "
                          "--data against")
    if not data.is_file():
        raise DataError(f"--data {data} {'is a folder' if data.is_dir() else 'does not exist'}; pass the data file "
                        f"the audit read ({source})")
    actual = sha256(data)
    if actual != expected:
        raise DataError(f"--data {data} is not the file the audit read ({source}): its SHA-256 is {actual}, the audit "
                        f"recorded {expected} (results.json data.source_sha256)")
    return actual


def rerun_config(recorded: dict[str, Any], data: Path, where: str) -> AuditConfig:
    """The audited configuration from the recorded params, reading `data`; `BundleError` if the recorded params do
    not give the recorded configuration hash."""
    params, expected = at(recorded, "config.params"), at(recorded, "config.hash")
    if parse_config(copy.deepcopy(params), where=where).config_hash != expected:
        raise BundleError(f"{where} config.params does not give the recorded config.hash {expected[:16]}...: the "
                          "bundle's configuration is inconsistent")
    moved = copy.deepcopy(params)
    moved.setdefault("dataset", {}).update(source=str(data.resolve()))
    config = parse_config(moved, where=where)
    return config.model_copy(update={"profile": at(recorded, "config.profile", "full")})


def version_changes(recorded: dict[str, Any]) -> tuple[VersionChange, ...]:
    """Packages whose version now differs from the audit's (results.json `versions`)."""
    then, now = at(recorded, "versions") or {}, versions()
    return tuple(VersionChange(name, then.get(name), now.get(name)) for name in sorted({*then, *now})
                 if then.get(name) != now.get(name))


def _predictions(bundle: Path, audit: Audit, relative: float, absolute: float) -> dict[str, PredictionCheck]:
    """The deployed and comparison models' recorded test predictions against the re-run's, by role."""
    chosen = deployed_configurations(audit.typed.verdict) if audit.typed.verdict else {}
    checks = {}
    for role in ROLES:
        found = compare_predictions(read_predictions(bundle, role),
                                    prediction_frame(audit, chosen[role]) if role in chosen else None, relative, absolute)
        if found is not None:
            recorded, repeated = _configuration(bundle, role), tuple(chosen[role]) if role in chosen else None
            checks[role] = replace(found, audit_configuration=recorded, rerun_configuration=repeated,
                                   reproduced=found.reproduced and recorded == repeated)
    return checks


def verify(bundle: Path, data: Path, relative: float = RELATIVE, absolute: float = ABSOLUTE, out: Path | None = None,
           progress: Callable[[str], None] | None = None) -> tuple[Verification, Path]:
    """Re-run and compare (see the module docstring); the verification and the path it was written to."""
    started = time.perf_counter()
    bundle = find_bundle(bundle)
    recorded = read_recorded(bundle)
    try:
        changed_files = tuple(verify_bundle(bundle))
    except (ValueError, KeyError, TypeError):
        raise BundleError(f"{bundle / 'manifest.json'} is not a readable manifest; the bundle is damaged") from None
    data = Path(data)
    data_hash = check_data(recorded, data)
    config = rerun_config(recorded, data, str(bundle / RESULTS))
    with tempfile.TemporaryDirectory(prefix="synthlib-verify-") as folder:
        work = Path(folder)
        with run_log(work / RUN_LOG):
            audit = run_audit(config, cache_dir=None, progress=progress)
            (work / RESULTS).write_text(audit.to_json(), encoding="utf-8")
            rerun = json.loads((work / RESULTS).read_text(encoding="utf-8"))
    comparison = compare_results(recorded, rerun, relative, absolute)
    predictions = _predictions(bundle, audit, relative, absolute)
    result = Verification(
        reproduced=(not comparison.differences and not changed_files
                    and all(check.reproduced for check in predictions.values())),
        bundle=str(bundle), data=str(data.resolve()), data_sha256=data_hash, config_hash=at(recorded, "config.hash"),
        tolerance=Tolerance(relative, absolute), not_compared=EXCLUDED, summary=comparison.total(),
        not_compared_count=comparison.not_compared, sections=comparison.sections,
        differences=tuple(comparison.differences), within_tolerance=tuple(comparison.within_tolerance),
        predictions=predictions, changed_files=changed_files, versions_differ=version_changes(recorded),
        source_digest_audit=at(recorded, "environment.synthlib_source_sha256"), source_digest_now=code_digest(),
        verified_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        seconds=round(time.perf_counter() - started, 1))
    target = Path(out) if out else bundle.parent
    target.mkdir(parents=True, exist_ok=True)
    path = target / VERIFICATION
    path.write_text(json.dumps(plain(result.to_json()), indent=2, default=json_default), encoding="utf-8")
    return result, path


def _configuration(bundle: Path, role: str) -> tuple[str, ...] | None:
    """(classifier, comparator) of a bundle's `role` model, from its PipelineConfig (None when it has none)."""
    found = sorted(bundle.glob("*PipelineConfig.json"))
    entry = at(json.loads(found[0].read_text()), role) if found else None
    return (at(entry, "classifier"), at(entry, "comparator")) if entry else None
