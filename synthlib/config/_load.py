"""Reading a params file into an `AuditConfig`: YAML, one-line errors that name the file, section and closest key, and profile overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from synthlib.errors import ConfigError

from ._params import AuditConfig, _closest


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the key at `loc` (skipping list indices)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        annotation = current.model_fields[part].annotation
        args = getattr(annotation, "__args__", ())
        nested = [a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)]
        current = nested[0] if nested else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _user_keys(loc: tuple[Any, ...], data: Any, missing: bool) -> list[str]:
    """The keys along `loc` as the user wrote them: list indices and pydantic's union-member tags
    (`float`, `dict[str,int]`, ...) are left out; the last key is kept when it is the missing one."""
    keys, node = [], data
    for part in loc:
        if isinstance(part, int) and isinstance(node, (list, tuple)) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and part in node:
            keys.append(str(part))
            node = node[part]
    return keys + [str(loc[-1])] if missing else keys


def _format_error(error: dict[str, Any], where: str, data: Any = None) -> str:
    loc = tuple(error["loc"])
    keys = (_user_keys(loc, data, error["type"] == "missing") if data is not None
            else [str(p) for p in loc if not isinstance(p, int)])
    if error["type"] == "extra_forbidden":
        owner = _model_at(AuditConfig, tuple(loc[:-1]))
        allowed = [k for k in (owner.model_fields if owner else {}) if k not in ("source_file", "project_root")]
        section = f", section {'.'.join(keys[:-1])}" if len(keys) > 1 else ""
        return f"unknown key `{keys[-1]}` in {where}{section}{_closest(keys[-1], allowed)}"
    if error["type"] == "missing":
        return f"missing required key `{'.'.join(keys)}` in {where}"
    message = error["msg"].removeprefix("Value error, ")
    if not keys:
        return f"{where}: {message}"
    got = "" if error["type"] == "value_error" else f" (got {error.get('input')!r})"
    return f"invalid value for `{'.'.join(keys)}` in {where}: {message}{got}"


def parse_config(data: Any, where: str = "<config>", project_root: Path | None = None) -> AuditConfig:
    """Validate a mapping into an `AuditConfig`; raise `ConfigError` with one clear message."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a YAML mapping of sections (dataset:, split:, ...), got {type(data).__name__}")
    try:
        return AuditConfig.model_validate(
            {**data, "source_file": where, "project_root": str(project_root) if project_root else None}
        )
    except ValidationError as exc:
        first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]  # a typo explains a "missing"
        raise ConfigError(_format_error(first, where, data)) from None


def find_params(name_or_path: str | Path, project_root: Path | None = None) -> Path:
    """Resolve a data set name (`params/<name>.yml`) or a path to a params file."""
    path = Path(name_or_path)
    if path.is_dir():
        raise ConfigError(f"params path {path} is a folder, not a file; give a params file such as "
                          f"{path / 'params' / 'NAME.yml'} or a data set name in ./params")
    if path.suffix in (".yml", ".yaml"):
        if not path.exists():
            raise ConfigError(f"params file {path} does not exist")
        return path
    root = project_root or Path.cwd()
    for suffix in (".yml", ".yaml"):
        candidate = root / "params" / f"{name_or_path}{suffix}"
        if candidate.exists():
            return candidate
    known = ", ".join(sorted(p.stem for p in (root / "params").glob("*.y*ml"))) or "none"
    raise ConfigError(f"no params file for `{name_or_path}` in {root / 'params'}; known data sets: {known}")


def load_config(name_or_path: str | Path, project_root: Path | None = None) -> AuditConfig:
    """Read and validate `params/<name>.yml` (or a path); the project root is the params folder's parent."""
    path = find_params(name_or_path, project_root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    root = project_root or (path.resolve().parent.parent if path.resolve().parent.name == "params" else Path.cwd())
    return parse_config(data, where=str(path), project_root=root)


FAST_PROFILE: dict[str, Any] = {
    "augmentation": {"methods": ["smote", "borderline_smote", "gaussian_copula"]},
    "models": {"classifiers": ["logistic_regression", "xgboost"], "params": {"xgboost": {"n_estimators": 60}}},
    "evaluation": {"cv_folds": 3, "cv_repeats": 1, "n_bootstrap": 200},
    "fairness": {"n_bootstrap": 50},
    "privacy": {"n_bootstrap": 50},
}


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = _merge(merged.get(key, {}), value) if isinstance(value, dict) and isinstance(merged.get(key, {}), dict) else value
    return merged


def with_overrides(config: AuditConfig, changes: dict[str, Any]) -> AuditConfig:
    """A validated copy of `config` with nested `changes` applied (e.g. the fast profile)."""
    data = _merge(json.loads(config.model_dump_json(exclude_unset=True)), changes)  # keys left unset stay unset
    if "methods" in changes.get("augmentation", {}) and config.augmentation.deploy_method not in changes["augmentation"]["methods"]:
        data["augmentation"]["deploy_method"] = None
    if "classifiers" in changes.get("models", {}):  # parameters of classifiers the profile leaves out go with them
        data["models"]["params"] = {c: p for c, p in data["models"].get("params", {}).items() if c in data["models"]["classifiers"]}
    root = Path(config.project_root) if config.project_root else None
    return parse_config(data, where=config.source_file or "<overrides>", project_root=root)
