"""The bundle's model files: skops (`.skops`) instead of pickle, and the loader that trusts only what it must.

Unpickling runs whatever code a file holds, so a bundle from someone else could run anything on load. skops
stores an estimator as its state (a zip of JSON and arrays) and rebuilds only the types the caller trusts.
The trusted types are not a fixed list: `read_model` asks skops which non-default types a file holds
(`get_untrusted_types`) and accepts them only when each one's module lies in `TRUSTED_PACKAGES`. A fixed list
of class names would break with every new scikit-learn or XGBoost release (internal classes come and go), while
the packages that build our pipelines do not change; a type from any other package (`builtins.eval`,
`os.system`, a class of the attacker's module) is refused before anything is built or imported.

A package prefix alone would still trust every function of those packages, and skops can rebuild a node by
calling the named object with arguments from the file (`ConstructorFromReduceNode`), or hand back a named
function or method: a crafted file could call `numpy.save` and write a file. So a type outside skops' own
defaults is accepted only when skops rebuilds it from its state (`STATE_LOADERS`: a new instance plus
`__setstate__`, arrays, dtypes, scikit-learn's trees), which is all a synthlib pipeline needs. scikit-learn's
`Tree` (random forests) is accepted although skops leaves it out of its defaults: its state is indexed without
bounds checks, so a crafted tree can crash the process when it predicts; the signature (`_trust`) is the
guard against crafted files.

A pipeline skops cannot write (an unsupported component, or one outside the trusted packages) is written as a
pickle instead, with a logged warning naming the component and why, and loads only with `allow_pickle=True`
(CLI `--allow-pickle`). XGBoost needs no special handling: its `Booster` keeps its state as the raw model bytes
(`save_raw`), which skops stores as plain bytes.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any, Iterator

import joblib
import skops.io as sio

from synthlib.errors import BundleError

logger = logging.getLogger(__name__)

TRUSTED_PACKAGES = ("sklearn", "imblearn", "xgboost", "numpy", "scipy", "synthlib")
MODELS = "TrainedModels"
SKOPS, PICKLE = ".skops", ".pkl"
ALLOW_PICKLE_HINT = "allow_pickle=True (CLI: --allow-pickle)"


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception from a library as one short line: its type and the start of its message."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:limit]}{'...' if len(text) > limit else ''}"


def is_trusted(type_name: str) -> bool:
    """Whether a fully qualified type name (`sklearn.pipeline.Pipeline`) lies in one of `TRUSTED_PACKAGES`."""
    return any(type_name == package or type_name.startswith(f"{package}.") for package in TRUSTED_PACKAGES)


# skops node kinds that rebuild an object from its stored state; not those that call what the file names
# (ConstructorFromReduceNode) or hand back a named function, method or class for later calls (FunctionNode,
# MethodNode, PartialNode, OperatorFuncNode, TypeNode: e.g. a FunctionTransformer's `func`)
STATE_LOADERS = frozenset({"ObjectNode", "TreeNode", "LossNode", "NdArrayNode", "MaskedArrayNode", "DTypeNode",
                           "RandomStateNode", "RandomGeneratorNode", "SparseMatrixNode"})


def _loaders(archive: zipfile.ZipFile) -> dict[str, set[str]]:
    """Each type named in a skops file's schema, with the node kinds (`__loader__`) that rebuild it."""
    found: dict[str, set[str]] = {}
    pending = [json.loads(archive.read("schema.json"))]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            loader, module, name = (node.get(key) for key in ("__loader__", "__module__", "__class__"))
            if loader is not None:
                found.setdefault(f"{module}.{name}", set()).add(str(loader))
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def skops_refusal(source: Path | bytes) -> tuple[list[str], str | None]:
    """The non-default types of a skops file (what `skops.io.load` must be told to trust) and why they may not
    be (None: every one lies in `TRUSTED_PACKAGES` and is rebuilt from its state)."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        loaders = _loaders(archive)
    untrusted = sio.get_untrusted_types(data=data)
    outside = sorted(name for name in untrusted if not is_trusted(name))
    if outside:
        return untrusted, (f"{'type' if len(outside) == 1 else 'types'} {', '.join(f'`{t}`' for t in outside)} "
                           f"outside the trusted packages ({', '.join(TRUSTED_PACKAGES)})")
    called = sorted(f"`{name}` ({', '.join(sorted(loaders[name] - STATE_LOADERS))})" for name in untrusted
                    if loaders.get(name, set()) - STATE_LOADERS)
    if called:
        return untrusted, (f"{', '.join(called)}, rebuilt by calling what the file names with arguments from the "
                           "file, or handed back as a callable, not restored from a stored state; no synthlib model "
                           "needs that")
    return untrusted, None


def model_path(manifest_files: dict[str, Any] | list[str], role: str) -> str | None:
    """The model file of `role` (`deployed`, `comparison`) that the manifest lists: `.skops`, else a `.pkl`."""
    for suffix in (SKOPS, PICKLE):
        if f"{MODELS}/{role}{suffix}" in manifest_files:
            return f"{MODELS}/{role}{suffix}"
    return None


def model_roles(manifest_files: dict[str, Any] | list[str]) -> list[str]:
    """The models a manifest lists, by role."""
    return sorted({Path(name).stem for name in manifest_files
                   if name.startswith(f"{MODELS}/") and name.endswith((SKOPS, PICKLE))})


def _parts(model: Any, name: str) -> Iterator[tuple[str, Any]]:
    """`model` and its components, outermost first: pipeline steps and wrapped estimators (`.estimator`)."""
    yield name, model
    if hasattr(model, "steps"):
        for step, part in model.steps:
            yield from _parts(part, f"{name}.{step}")
    elif hasattr(getattr(model, "estimator", None), "fit"):
        yield from _parts(model.estimator, f"{name}.estimator")


def _skops_bytes(obj: Any) -> tuple[bytes | None, str | None]:
    """`obj` as skops bytes that `read_model` would load, or None and why skops cannot store it so."""
    try:
        data = sio.dumps(obj)
    except Exception as exc:  # skops raises whatever the object's state triggers; the warning names it
        return None, f"skops cannot store it ({one_line(exc, 160)})"
    refusal = skops_refusal(data)[1]
    return (None, f"it holds {refusal}") if refusal else (data, None)


def _skops_problem(obj: Any) -> str | None:
    return _skops_bytes(obj)[1]


def _blame(model: Any, role: str) -> str:
    """The innermost components skops cannot store, each with why (none: the pipeline itself, e.g. its metadata)."""
    failing = [(name, part, problem) for name, part in _parts(model, role) if (problem := _skops_problem(part))]
    return "; ".join(f"component `{name}` ({type(part).__name__}): {problem}" for name, part, problem in failing
                     if not any(other.startswith(f"{name}.") for other, _, _ in failing))


def save_model(model: Any, folder: Path, role: str) -> tuple[Path, str | None]:
    """Write `folder/<role>.skops` and return its path and None; when skops cannot store the pipeline, write
    `<role>.pkl` instead and return the reason (also logged as a warning): which component, and why."""
    data, problem = _skops_bytes(model)
    if data is not None:
        path = folder / f"{role}{SKOPS}"
        path.write_bytes(data)
        return path, None
    reason = _blame(model, role) or f"the `{role}` pipeline: {problem}"
    path = folder / f"{role}{PICKLE}"
    joblib.dump(model, path)
    logger.warning("%s written as a pickle, not skops: %s; it loads only with %s", path.name, reason, ALLOW_PICKLE_HINT)
    return path, reason


def complete_pickle(path: Path) -> bool:
    """Whether `path` can be a whole pickle stream: `joblib.dump` without compression writes one stream that starts
    with the PROTO opcode (0x80) and ends with STOP (`.`). A file cut short or overwritten fails this; unpickling it
    raises whatever the broken bytes happen to trigger, which is not to be mistaken for a version mismatch."""
    if path.stat().st_size < 2:
        return False
    with path.open("rb") as handle:
        first = handle.read(1)
        handle.seek(-1, 2)
        return first == b"\x80" and handle.read(1) == b"."


def read_model(path: Path, allow_pickle: bool = False, shown: str | None = None) -> Any:
    """The model in `path` (`.skops`, or `.pkl` with `allow_pickle`); one `BundleError` line naming the file
    otherwise: a type outside `TRUSTED_PACKAGES`, a pickle without `allow_pickle`, a corrupt file."""
    shown = shown or str(path)
    if path.suffix == SKOPS:
        try:
            types, refusal = skops_refusal(path)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise BundleError(f"{shown} is truncated or corrupt (not a skops file: {one_line(exc, 120)}); export "
                              "the bundle again") from None
        if refusal:
            raise BundleError(f"{shown} holds {refusal}: refusing to load it")
        try:
            return sio.load(path, trusted=types)
        except Exception as exc:  # rebuilding runs the trusted types' own code, which raises many unrelated types
            raise BundleError(f"{shown} cannot be loaded ({one_line(exc)}); install the synthlib and scikit-learn "
                              "versions named in the bundle's PipelineConfig JSON") from None
    if path.suffix != PICKLE:
        raise BundleError(f"{shown} is neither a .skops nor a .pkl model file")
    if not allow_pickle:
        raise BundleError(f"{shown} is a pickle, and loading a pickle runs any code it holds: refusing to load it; "
                          f"pass {ALLOW_PICKLE_HINT} only if you trust whoever wrote this bundle")
    if not complete_pickle(path):
        raise BundleError(f"{shown} is truncated or corrupt (not one whole pickle stream); export the bundle again")
    try:
        return joblib.load(path)
    except Exception as exc:  # unpickling raises many unrelated types (version skew, missing modules)
        raise BundleError(f"{shown} cannot be loaded ({one_line(exc)}); install the synthlib and scikit-learn "
                          "versions named in the bundle's PipelineConfig JSON") from None
