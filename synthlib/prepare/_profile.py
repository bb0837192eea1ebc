"""Data profile: shape, dtypes, missing counts, summary statistics and class balance per split."""

from __future__ import annotations

from typing import Any

import pandas as pd


def class_balance(target: pd.Series) -> dict[str, Any]:
    """Counts and shares per class, plus the minority:majority ratio of the smallest to the largest class."""
    counts = target.value_counts()
    return {
        "counts": {str(k): int(v) for k, v in counts.items()},
        "shares": {str(k): round(float(v / counts.sum()), 6) for k, v in counts.items()},
        "minority_to_majority": round(float(counts.min() / counts.max()), 6),
        "rows": int(counts.sum()),
    }


def summary_statistics(frame: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    """Mean, std, min, quartiles, max and skewness of each numeric column."""
    if not numeric:
        return pd.DataFrame(columns=["mean", "std", "min", "25%", "50%", "75%", "max", "skewness"])
    stats = frame[numeric].astype(float).describe().T.drop(columns="count")
    stats["skewness"] = frame[numeric].astype(float).skew()
    return stats


def profile(raw: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame, target: str, numeric: list[str],
            cleaning_findings: list[dict[str, Any]] = ()) -> dict[str, Any]:
    """A JSON-serialisable profile of the raw data and of each split; `cleaning_findings` are the cleaning-log
    entries where cleaning would have destroyed or did remove a column's signal."""
    stats = summary_statistics(raw, numeric)
    return {
        "shape": [int(raw.shape[0]), int(raw.shape[1])],
        "dtypes": {c: str(t) for c, t in raw.dtypes.items()},
        "missing": {c: int(n) for c, n in raw.isna().sum().items()},
        "summary": {c: {k: round(float(v), 6) for k, v in row.items()} for c, row in stats.iterrows()},
        "class_balance": {
            "full": class_balance(raw[target]),
            "train": class_balance(train[target]),
            "test": class_balance(test[target]),
        },
        "cleaning_findings": [dict(entry) for entry in cleaning_findings],
    }
