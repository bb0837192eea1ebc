"""Frozen dataclasses that round-trip through `results.json`: the typed hand-offs between stages.

Written by hand because no library in the dependency set does exactly this: pydantic models are not frozen
dataclasses and would re-validate every row of `cv_folds` on each read; `dataclasses.asdict` cannot leave out
optional keys that the stored JSON never had, nor rebuild nested records from JSON.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, ClassVar, TypeVar

Record = TypeVar("Record", bound="JsonRecord")


class JsonRecord:
    """Mixin for frozen dataclasses: `to_json()` gives the plain dict stored in results.json (fields in order, the
    names in `OPTIONAL` left out while they are None) and `from_json(data)` rebuilds the record, nested records and
    tuples included; keys the record does not declare are ignored."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset()

    def to_json(self) -> dict[str, Any]:
        out = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if value is None and field.name in self.OPTIONAL:
                continue
            out[field.name] = to_json(value)
        return out

    @classmethod
    def from_json(cls: type[Record], data: dict[str, Any]) -> Record:
        hints = _hints(cls)
        return cls(**{f.name: from_json(hints[f.name], data[f.name])  # type: ignore[call-arg]
                      for f in dataclasses.fields(cls) if f.name in data})  # type: ignore[arg-type]


def to_json(value: Any) -> Any:
    """Records as dicts, tuples as lists, containers recursively; other values as they are."""
    if isinstance(value, JsonRecord):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def from_json(annotation: Any, value: Any) -> Any:
    """`value` read as `annotation`: records rebuilt, `tuple[X, ...]` as tuples, `dict[str, X]` per value."""
    if value is None:
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return from_json(next((a for a in args if a is not type(None)), Any), value)
    if isinstance(annotation, type) and issubclass(annotation, JsonRecord):
        return annotation.from_json(value)
    if origin is tuple:
        item = args[0] if args else Any
        return tuple(from_json(item, v) for v in value)
    if origin is dict and len(args) == 2:
        return {k: from_json(args[1], v) for k, v in value.items()}
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
