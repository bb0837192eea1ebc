"""Key-by-key comparison of two results.json documents and of two sets of test predictions (`synthlib verify`).

Every leaf of results.json is addressed by its path (`utility.test.xgboost.smote.metrics.f1_minority`, list items
as `[i]`) and compared by its type:

- counts, hashes, labels, flags and nulls (ints, strings, booleans, None): equal exactly;
- floating-point figures: `math.isclose(audit, rerun, rel_tol=RELATIVE, abs_tol=ABSOLUTE)`. The same seeds and
  the same package versions give the same bits on one machine (two fresh German credit audits match exactly);
  what can still move on another machine is the last bits of sums whose order follows the number of cores or BLAS
  threads. A relative 1e-9 admits about 10^7 ulps of that noise and is still six orders of magnitude finer than
  the three decimals the report prints; the absolute 1e-12 covers figures that are zero up to rounding.
- not compared (`EXCLUDED`, each with its reason): wall-clock timings, package versions and the machine (checked
  on their own, a difference is a warning), the cache record, and the paths of the params and data files (the data
  file's SHA-256 and the configuration hash are checked before the re-run instead).

The deployed (and comparison) model's test predictions: the predicted and true labels exactly, each class score
with the same tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from typing import Any, Iterator

import numpy as np
import pandas as pd

from synthlib.deploy import SCORE
from synthlib.utils import JsonRecord, plain

RELATIVE = 1e-9
ABSOLUTE = 1e-12
EXCLUDED = {
    "timings.*": "wall-clock seconds of each step",
    "augmentation.*.seconds": "wall-clock seconds of each generator",
    "versions.*": "package versions: compared on their own, a difference is a warning",
    "environment.*": "the machine (CPU count, GPU) and the synthlib source digest, compared on its own",
    "cache.*": "whether and when the audit cache was read",
    "config.source_file": "the params file's path",
    "config.hash": "covers the data file's path; checked on its own: the recorded params must give this hash",
    "config.params.dataset.source": "the data file's path; its SHA-256 is checked instead",
    "config.resolved.dataset.source": "the data file's path; its SHA-256 is checked instead",
    "data.source_sha256": "checked before the re-run",
}
MISSING = "(missing)"


@dataclass(frozen=True)
class Difference(JsonRecord):
    """One leaf whose values differ (`rule`: `exact`, `tolerance` or `missing`), or differ within the tolerance."""

    key: str
    audit: Any
    rerun: Any
    rule: str


@dataclass
class Counts(JsonRecord):
    """How many leaves of a section were compared, and how they came out."""

    compared: int = 0
    exact: int = 0
    within_tolerance: int = 0
    differ: int = 0


@dataclass
class Comparison(JsonRecord):
    """Counts per top-level section, the differences, and the floats that differ within the tolerance."""

    sections: dict[str, Counts] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    within_tolerance: list[Difference] = field(default_factory=list)
    not_compared: int = 0

    def total(self) -> Counts:
        return Counts(*(sum(getattr(c, f.name) for c in self.sections.values()) for f in fields(Counts)))


@dataclass(frozen=True)
class PredictionCheck(JsonRecord):
    """One model's recorded test predictions against the re-run's (`problem`: why they could not be compared)."""

    reproduced: bool
    audit_configuration: tuple[str, ...] | None = None
    rerun_configuration: tuple[str, ...] | None = None
    rows: int = 0
    labels_differ: int = 0
    scores_differ: int = 0
    scores_within_tolerance: int = 0
    max_score_difference: float = 0.0
    problem: str | None = None
    first_differing_rows: tuple[dict[str, Any], ...] = ()


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf; an empty dict or list is a leaf of its own."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def excluded(key: str) -> bool:
    return any(fnmatchcase(key, pattern) for pattern in EXCLUDED)


def floats(audit: Any, rerun: Any) -> bool:
    """Whether two values are compared within the tolerance: both numbers (not flags), at least one a float."""
    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    return number(audit) and number(rerun) and (isinstance(audit, float) or isinstance(rerun, float))


def same(audit: Any, rerun: Any, relative: float, absolute: float) -> str | None:
    """None when the values differ, else `exact` or `tolerance` (floats equal within it)."""
    if (type(audit) is type(rerun) or floats(audit, rerun)) and audit == rerun:
        return "exact"
    if floats(audit, rerun) and math.isclose(audit, rerun, rel_tol=relative, abs_tol=absolute):
        return "tolerance"
    return None


def compare_results(audit: dict[str, Any], rerun: dict[str, Any], relative: float = RELATIVE,
                    absolute: float = ABSOLUTE) -> Comparison:
    """Every leaf of the audit's results.json against the re-run's, by the rules of the module docstring."""
    recorded, repeated = dict(leaves(audit)), dict(leaves(rerun))
    comparison = Comparison()
    for key in [*recorded, *(k for k in repeated if k not in recorded)]:
        if excluded(key):
            comparison.not_compared += 1
            continue
        counts = comparison.sections.setdefault(key.split(".")[0].split("[")[0], Counts())
        counts.compared += 1
        if key not in recorded or key not in repeated:
            counts.differ += 1
            comparison.differences.append(Difference(key, recorded.get(key, MISSING), repeated.get(key, MISSING),
                                                     "missing"))
            continue
        outcome = same(recorded[key], repeated[key], relative, absolute)
        if outcome == "exact":
            counts.exact += 1
        elif outcome == "tolerance":
            counts.within_tolerance += 1
            comparison.within_tolerance.append(Difference(key, recorded[key], repeated[key], "tolerance"))
        else:
            counts.differ += 1
            comparison.differences.append(Difference(key, recorded[key], repeated[key],
                                                     "tolerance" if floats(recorded[key], repeated[key]) else "exact"))
    return comparison


def compare_predictions(recorded: pd.DataFrame | None, rerun: pd.DataFrame | None, relative: float = RELATIVE,
                        absolute: float = ABSOLUTE) -> PredictionCheck | None:
    """A model's recorded test predictions against the re-run's: labels exactly, scores within the tolerance."""
    if recorded is None and rerun is None:
        return None
    if recorded is None or rerun is None:
        return PredictionCheck(False, problem=f"no test predictions in {'the bundle' if recorded is None else 'the re-run'}")
    if len(recorded) != len(rerun) or list(recorded.columns) != list(rerun.columns):
        return PredictionCheck(False, problem=f"{len(recorded)} rows with columns {list(recorded.columns)} in the "
                                              f"bundle, {len(rerun)} with {list(rerun.columns)} in the re-run")
    labels = np.zeros(len(recorded), dtype=bool)
    for column in ("label", "predicted"):
        labels |= recorded[column].to_numpy() != rerun[column].to_numpy()
    scores = [c for c in recorded.columns if c.startswith(SCORE)]
    a, b = recorded[scores].to_numpy(dtype=float), rerun[scores].to_numpy(dtype=float)
    gap = np.abs(a - b)
    close = (gap <= np.maximum(relative * np.maximum(np.abs(a), np.abs(b)), absolute)) | (a == b)
    far = ~close.all(axis=1)
    rows = np.flatnonzero(labels | far)
    return PredictionCheck(
        reproduced=not len(rows), rows=len(recorded), labels_differ=int(labels.sum()), scores_differ=int(far.sum()),
        scores_within_tolerance=int((close & (a != b)).any(axis=1).sum()),
        max_score_difference=float(gap.max()) if gap.size else 0.0,
        first_differing_rows=tuple({"row": int(i), "audit": plain(recorded.iloc[i].to_dict()),
                                    "rerun": plain(rerun.iloc[i].to_dict())} for i in rows[:5]))
