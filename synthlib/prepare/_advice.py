"""The fix a "too few rows" message gives: one that works, named after the real cause (the split, or the data).

A minority class too small for cross-validation can come from `split.test_size`, from a random split
(`split.stratified: false`) or from the data itself; lowering `evaluation.cv_folds` helps only while at
least 2 rows stay for training, so the advice never asks for a value the config already has.
"""

from __future__ import annotations

import json
import math
from typing import Any

from synthlib.config import AuditConfig
from synthlib.errors import ConfigError


def _largest_test_size(total: int, train_rows: int) -> float | None:
    """The largest `split.test_size` (two decimals) that leaves `train_rows` of `total` rows for training."""
    share = math.floor((total - train_rows) / total * 100) / 100
    return share if share > 0 else None


def rows_for_two_per_fold(folds: int) -> int:
    """The fewest training rows that leave 2 in the training part of every CV fold (SMOTE with k_neighbors = 1)."""
    return next(n for n in range(2, 10 * folds + 3) if n - math.ceil(n / folds) >= 2)


def split_cause(n: int, total: int | None, config: AuditConfig) -> str:
    """Where the class's training rows went: `(of 2 in the data; split.test_size = 0.995 sends ...)`."""
    split = config.split
    how = "a random split (split.stratified: false)" if not split.stratified else f"split.test_size = {split.test_size:g}"
    if total is None:
        return f" ({how} decides how many of its rows stay for training)"
    return f" (of {total:,} in the data; {how} sends {total - n:,} to the test split)"


def fewer_than_folds_fix(label: Any, n: int, total: int | None, config: AuditConfig, needed: int) -> str:
    """What to change when class `label` has `n` training rows and `needed` are required (cv_folds, or k + 1)."""
    folds, split = config.evaluation.cv_folds, config.split
    fixes = []
    if 2 <= n < folds:
        fixes.append(f"set evaluation.cv_folds to at most {n}")
    if not split.stratified:
        fixes.append("set split.stratified: true (a stratified split keeps the class's share in both splits)")
    if total is not None:
        largest = _largest_test_size(total, needed)
        if largest is not None and largest < split.test_size:
            fixes.append(f"lower split.test_size (now {split.test_size:g}) to at most {largest:g}")
        if total < needed + 1:
            fixes.append(f"add rows of class {label!r}: it has {total:,}, and the audit needs at least {needed + 1} "
                         f"({needed} to train, 1 to test)")
    elif n < 2:
        fixes.append(f"lower split.test_size (now {split.test_size:g}) or add rows of class {label!r}")
    return " or ".join(fixes) if fixes else f"add rows of class {label!r}"


def _as_yaml(label: Any) -> str:
    """A class as it must be written in the params file: text in double quotes, numbers as they are."""
    return json.dumps(label) if isinstance(label, str) else str(label)


def require_favourable_label(classes: list[Any], config: AuditConfig) -> None:
    """With sensitive attributes, `fairness.favourable_label` must say which prediction is the good outcome.

    Which outcome people want (a loan approved, a test negative) cannot be read from the data, and the
    demographic-parity and four-fifths checks turn around with it, so the params file states it.
    """
    if not config.features.sensitive or config.fairness.favourable_label is not None:
        return
    target = config.dataset.target
    if len(classes) == 2:
        first, second = classes
        options = (f"`favourable_label: {_as_yaml(first)}` if `{target}` = {first!r} is the favourable outcome, or "
                   f"`favourable_label: {_as_yaml(second)}` if {second!r} is")
    else:
        options = f"`favourable_label: X`, X one of {', '.join(_as_yaml(c) for c in classes)}"
    raise ConfigError(f"fairness.favourable_label is missing in {config.source_file}: with features.sensitive set, "
                      "the fairness review compares how often each group receives the favourable outcome (e.g. a "
                      f"loan approved), which only you can say; add under fairness: {options}")
