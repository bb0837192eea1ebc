"""Reading a params file into an `AuditConfig`: YAML, one-line errors that name the file, section and closest key, and profile overrides."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from synthlib.errors import ConfigError

from ._params import OBJECTIVE_PARAMETER, AuditConfig, _closest

# Keys of `AuditConfig` that the loader fills in; a params file that sets one is refused.
INTERNAL_KEYS = ("source_file", "project_root", "profile")
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".xlsx", ".xls", ".json", ".feather", ".arrow")
PARAMS_RULE = "a params file's name ends in .yml or .yaml"


class DuplicateKeyError(yaml.YAMLError):
    """A mapping in the params file holds the same key twice."""


class ParamsLoader(yaml.SafeLoader):
    """YAML for params files: a key written twice is an error, and only true/false are booleans.

    YAML 1.1 (PyYAML's default) also reads yes/no/on/off/y/n as booleans, so `minority: [no]` would become
    False; as in YAML 1.2 they stay text here, the way a data file holds them. Boolean keys such as
    `split.stratified` still accept yes/no (pydantic reads the text).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`: a key written here overrides it
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise DuplicateKeyError(f"key `{key}` is written twice (lines {seen[key]} and {line}); "
                                        "YAML keeps only the last one: keep one of them")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


ParamsLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ParamsLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                   list("tTfF"))


def read_params_yaml(text: str, where: str) -> Any:
    """Parse params text with `ParamsLoader`; a syntax error or a duplicate key is a `ConfigError`."""
    try:
        return yaml.load(text, Loader=ParamsLoader)  # noqa: S506 - a SafeLoader subclass
    except DuplicateKeyError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where} is not valid YAML: {exc}") from None


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
        allowed = [k for k in (owner.model_fields if owner else {}) if k not in INTERNAL_KEYS]
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
    if data is None:
        raise ConfigError(f"{where} is empty (or holds only comments); a params file needs at least a dataset: "
                          "section with name, source and target (`synthlib init DIR` writes a commented example)")
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a YAML mapping of sections (dataset:, split:, ...), got {type(data).__name__}")
    internal = [key for key in INTERNAL_KEYS if key in data]
    if internal:
        allowed = [k for k in AuditConfig.model_fields if k not in INTERNAL_KEYS]
        hint = ("; the fast profile is chosen on the command line (`synthlib run NAME --fast`), not in a params file"
                if internal[0] == "profile" else "")
        raise ConfigError(f"unknown key `{internal[0]}` in {where}{hint}; allowed keys: {', '.join(allowed)}")
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
    if path.suffix.lower() in (".yml", ".yaml"):
        if not path.exists():
            raise ConfigError(f"params file {path} does not exist")
        return path
    if path.suffix.lower() in DATA_SUFFIXES:
        raise ConfigError(f"{path} is a data file, not a params file; pass a params file (.yml or .yaml) whose "
                          f"dataset.source names it, e.g. params/{path.stem}.yml, or a data set name in ./params "
                          "(`synthlib init DIR` writes an example params file)")
    if path.is_file():
        raise ConfigError(f"{path} is not a params file: {PARAMS_RULE} (rename it to {path.with_suffix('.yml')})")
    root = project_root or Path.cwd()
    for suffix in (".yml", ".yaml"):
        candidate = root / "params" / f"{name_or_path}{suffix}"
        if candidate.exists():
            return candidate
    known = ", ".join(sorted(p.stem for p in (root / "params").glob("*.y*ml"))) or "none"
    if path.suffix or len(path.parts) > 1:  # a path, not a name
        raise ConfigError(f"params file {path} does not exist; {PARAMS_RULE}; data set names in "
                          f"{root / 'params'}: {known}")
    raise ConfigError(f"no params file for `{name_or_path}` in {root / 'params'}; known data sets: {known}")


def load_config(name_or_path: str | Path, project_root: Path | None = None) -> AuditConfig:
    """Read and validate `params/<name>.yml` (or a path); the project root is the params folder's parent."""
    path = find_params(name_or_path, project_root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    data = read_params_yaml(text, str(path))
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
    objective = changes.get("evaluation", {}).get("objective")
    if objective:  # another objective's parameter goes with it (German credit's costs when a test ranks by ROC-AUC)
        for name, key in OBJECTIVE_PARAMETER.items():
            if name != objective and key not in changes["evaluation"]:
                data["evaluation"].pop(key, None)
    root = Path(config.project_root) if config.project_root else None
    return parse_config(data, where=config.source_file or "<overrides>", project_root=root)
