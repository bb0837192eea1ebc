"""Missing-value and outlier handling, fit on the training split only, every action logged.

The bounds are three lines of pandas per rule; no library ships IQR/percentile/z-score capping
with a log of what changed, so it is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import CleaningConfig, OutlierConfig


@dataclass
class CleaningLog:
    """An ordered list of actions: what, which column, how many rows/values, thresholds used."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, step: str, action: str, column: str | None = None, count: int = 0, split: str = "all", **details: Any) -> None:
        self.entries.append({"step": step, "action": action, "column": column, "count": int(count), "split": split, **details})

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.entries, columns=["step", "action", "column", "count", "split"] + sorted(
            {k for e in self.entries for k in e} - {"step", "action", "column", "count", "split"}))


def outlier_bounds(values: pd.Series, rule: OutlierConfig) -> tuple[float, float] | None:
    """Lower and upper bounds for one numeric column under the configured rule (None: no rule)."""
    values = values.dropna().astype(float)
    if rule.method == "none" or values.empty:
        return None
    if rule.method == "iqr":
        q1, q3 = values.quantile([0.25, 0.75])
        spread = rule.iqr_factor * (q3 - q1)
        return float(q1 - spread), float(q3 + spread)
    if rule.method == "percentile":
        low, high = np.percentile(values, [rule.lower_percentile, rule.upper_percentile])
        return float(low), float(high)
    mean, std = values.mean(), values.std(ddof=0)
    return float(mean - rule.z_threshold * std), float(mean + rule.z_threshold * std)


def _cap(column: pd.Series, low: float, high: float) -> pd.Series:
    if pd.api.types.is_integer_dtype(column.dtype):  # integers stay integers and inside the bounds
        return column.clip(lower=int(np.ceil(low)), upper=int(np.floor(high))).astype(column.dtype)
    return column.clip(lower=low, upper=high)


def handle_outliers(train: pd.DataFrame, test: pd.DataFrame, numeric: list[str], rule: OutlierConfig,
                    log: CleaningLog) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[float, float]]]:
    """Cap (both splits) or drop (training rows only; test rows are capped) values outside training bounds."""
    bounds: dict[str, tuple[float, float]] = {}
    train, test = train.copy(), test.copy()
    drop_mask = pd.Series(False, index=train.index)
    for column in numeric:
        limits = outlier_bounds(train[column], rule)
        if limits is None:
            continue
        low, high = limits
        bounds[column] = limits
        outside_train = ((train[column] < low) | (train[column] > high)).sum()
        outside_test = ((test[column] < low) | (test[column] > high)).sum()
        thresholds = {"method": rule.method, "lower": round(low, 6), "upper": round(high, 6)}
        if rule.action == "drop":
            drop_mask |= (train[column] < low) | (train[column] > high)
            log.add("outliers", "flag rows for removal", column, outside_train, "train", **thresholds)
        else:
            train[column] = _cap(train[column], low, high)
            log.add("outliers", "cap", column, outside_train, "train", **thresholds)
        test[column] = _cap(test[column], low, high)
        log.add("outliers", "cap with training bounds", column, outside_test, "test", **thresholds)
    if rule.action == "drop" and drop_mask.any():
        train = train.loc[~drop_mask]
        log.add("outliers", "drop rows", None, int(drop_mask.sum()), "train", method=rule.method)
    return train, test, bounds


def impute(train: pd.DataFrame, test: pd.DataFrame, numeric: list[str], log: CleaningLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median for numeric, most frequent value otherwise; statistics from the training split only."""
    train, test = train.copy(), test.copy()
    for column in train.columns:
        missing_train, missing_test = int(train[column].isna().sum()), int(test[column].isna().sum())
        if not missing_train and not missing_test:
            continue
        if column in numeric:
            value, strategy = train[column].median(), "median"
            if pd.api.types.is_integer_dtype(train[column].dropna().convert_dtypes().dtype):
                value = round(value)
        else:
            value, strategy = train[column].mode(dropna=True).iloc[0], "most_frequent"
        train[column] = train[column].fillna(value)
        test[column] = test[column].fillna(value)
        fill = value.item() if hasattr(value, "item") else value
        log.add("missing", f"impute {strategy}", column, missing_train, "train", value=fill)
        log.add("missing", f"impute {strategy} (training value)", column, missing_test, "test", value=fill)
    return train, test


def clean_splits(train: pd.DataFrame, test: pd.DataFrame, numeric: list[str], config: CleaningConfig,
                 log: CleaningLog) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[float, float]]]:
    """Handle outliers (bounds from observed values) then impute, both fit on `train`."""
    train, test, bounds = handle_outliers(train, test, numeric, config.outliers, log)
    if config.missing == "impute":
        train, test = impute(train, test, numeric, log)
    return train, test, bounds
