"""What a column looks like: IDs, dates, numbers stored as text, a saved pandas index."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthlib.errors import DataError

NUMERIC_TEXT_SHARE = 0.95  # an undeclared text column is read as numbers when at least this share parses


INDEX_COLUMN = re.compile(r"Unnamed: \d+")


DATE_TEXT = re.compile(r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?"
                       r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?")


ID_WORDS = {"id", "uuid", "guid"}


def _examples(values: Any, n: int = 3) -> str:
    """Up to `n` distinct values (looked for among the first 1,000), quoted."""
    return ", ".join(repr(str(v)) for v in list(dict.fromkeys(itertools.islice(values, 1000)))[:n])


@dataclass(frozen=True)
class TextNumbers:
    """How much of a text column reads as numbers: the share of present values, and those that do not."""

    share: float
    n_bad: int
    bad_values: tuple[str, ...]


def text_numbers(values: pd.Series) -> TextNumbers:
    """Parse each distinct value once (fast on large columns with few distinct values)."""
    present = values.dropna()
    if present.empty or pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return TextNumbers(0.0, 0, ())
    counts = present.value_counts()
    text = pd.Series(counts.index.astype(str), index=counts.index).str.strip()
    bad = counts[pd.to_numeric(text, errors="coerce").isna().to_numpy()]
    return TextNumbers(1 - bad.sum() / len(present), int(bad.sum()), tuple(map(str, bad.index)))


def _name_words(name: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(name))}


def looks_like_id(name: str, values: pd.Series) -> bool:
    """Unique per row (text, or whole numbers counting rows), or mostly unique under an id-like name."""
    present = values.dropna()
    if len(present) < 20 or pd.api.types.is_float_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    unique_share = present.nunique() / len(present)
    named = bool(_name_words(name) & ID_WORDS)
    if pd.api.types.is_integer_dtype(values):
        counts_rows = unique_share == 1 and present.max() - present.min() + 1 == len(present)
        return counts_rows or (named and unique_share >= 0.5)
    return unique_share == 1 or (named and unique_share >= 0.5)


def looks_like_dates(values: pd.Series) -> bool:
    """Text whose values (a sample of up to 1,000 distinct ones) nearly all look like dates or timestamps."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    distinct = pd.Series(values.dropna().unique()[:1000]).astype(str).str.strip()
    return not distinct.empty and distinct.str.fullmatch(DATE_TEXT).mean() >= NUMERIC_TEXT_SHARE


def is_index_column(name: Any) -> bool:
    """A column pandas named `Unnamed: N` because its header was empty: usually a saved row index."""
    return bool(INDEX_COLUMN.fullmatch(str(name)))


def column_kind(name: str, values: pd.Series) -> str | None:
    """"id", "date" or "numbers" (text that reads as numbers) for a column the audit should not take as it is."""
    if looks_like_dates(values):
        return "date"
    if looks_like_id(name, values):
        return "id"
    return "numbers" if text_numbers(values).share >= NUMERIC_TEXT_SHARE else None


# Above this magnitude a value's square overflows float64 (1e154 ** 2 > 1.8e308): variances, standard scaling and
# distances turn into inf or NaN, and numpy only prints a RuntimeWarning.
MAX_MAGNITUDE = 1e150


def check_magnitudes(frame: pd.DataFrame, target: str) -> None:
    """Stop with one message naming the column when a numeric column holds a value too large to square."""
    for column in [c for c in frame.columns if c != target and pd.api.types.is_numeric_dtype(frame[c])]:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if len(finite) and np.abs(finite).max() > MAX_MAGNITUDE:
            largest = float(finite[np.argmax(np.abs(finite))])
            raise DataError(f"column `{column}` holds {largest:.3g}: values above {MAX_MAGNITUDE:.0e} in magnitude "
                            "overflow the statistics synthlib computes (variance, scaling, distances); if it is a code "
                            f"for missing, list it in dataset.missing_markers (e.g. '{largest:.0e}'), else rescale "
                            "the column")
