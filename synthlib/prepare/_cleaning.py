"""Missing-value and outlier handling as a fitted scikit-learn transformer, every action logged.

`Cleaner` learns outlier bounds and imputation values from training rows only and applies them to any
later rows (test split, CV folds, production data), so the deployed pipeline cleans raw rows exactly as
the audit did. The bounds are three lines of pandas per rule and scikit-learn's `SimpleImputer` neither
keeps pandas dtypes nor logs what it changed, so both are written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from synthlib.config import CleaningConfig, OutlierConfig
from synthlib.errors import DataError

MIN_VARIANCE_KEPT = 0.5
"""A numeric column whose present training values keep less than this share of their variance after the outlier
rule (variance after / before) is a cleaning finding: the rule removed most of what a model can learn from it."""

MAX_CHANGED_SHARE = 0.05
"""A numeric column whose outlier rule caps (or, with `drop`, removes) more than this share of its present training
values is a cleaning finding: an outlier rule should touch rare values, not one value in twenty."""


@dataclass
class CleaningLog:
    """An ordered list of actions: what, which column, how many rows/values, thresholds used."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, step: str, action: str, column: str | None = None, count: int = 0, split: str = "all", **details: Any) -> None:
        self.entries.append(log_entry(step, action, column, count, split, **details))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.entries, columns=["step", "action", "column", "count", "split"] + sorted(
            {k for e in self.entries for k in e} - {"step", "action", "column", "count", "split"}))


def log_entry(step: str, action: str, column: str | None = None, count: int = 0, split: str = "all",
              **details: Any) -> dict[str, Any]:
    """One cleaning-log entry (the structure `CleaningLog` and results.json use)."""
    return {"step": step, "action": action, "column": column, "count": int(count), "split": split, **details}


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


def _is_number_column(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def marker_mask(values: pd.Series, markers: Sequence[str]) -> pd.Series:
    """Where `values` holds a missing-value marker: text equal after stripping spaces, or a number equal by value
    (the marker '-999' matches -999 and -999.0 in a numeric column, and the text '-999.0')."""
    texts = {str(m).strip() for m in markers}
    numbers = {n for t in texts if (n := _number(t)) is not None}
    if not texts or pd.api.types.is_bool_dtype(values):
        return pd.Series(False, index=values.index)
    if _is_number_column(values):
        return values.isin(numbers) if numbers else pd.Series(False, index=values.index)
    distinct = pd.Series(values.dropna().unique(), dtype=object)
    text = distinct.astype(str).str.strip()
    marked = text.isin(texts)
    if numbers:
        marked |= pd.to_numeric(text, errors="coerce").isin(numbers)
    return values.isin(distinct[marked.to_numpy()]) & values.notna()


def effective_bounds(low: float, high: float, integer: bool) -> tuple[float, float]:
    """The bounds a cap uses: integer columns keep the integers inside them."""
    return (int(np.ceil(low)), int(np.floor(high))) if integer else (low, high)


def signal_kept(before: pd.Series, after: pd.Series) -> tuple[float, int]:
    """Variance after / before, and how many present values of `before` `after` changed or lacks (removed rows)."""
    before, after = before.dropna().astype(float), after.dropna().astype(float)
    changed = int((~before.index.isin(after.index)).sum() + (after != before.reindex(after.index)).sum())
    variance = before.var(ddof=0)
    return (float(after.var(ddof=0) / variance) if variance > 0 else 1.0), changed


class Cleaner(TransformerMixin, BaseEstimator):
    """Fitted cleaning: missing markers and +-inf to NaN, numbers coerced, outliers capped, NaN imputed.

    `fit` learns, from the rows it is given: which categorical columns hold numeric codes, the outlier
    bounds of `numeric` columns (`cleaning_config.outliers`), and one imputation value per column (median
    for numeric, most frequent otherwise; from the rows an outlier `drop` keeps). `transform` never
    removes a row: it caps every value outside the training bounds (also when the action is `drop`,
    whose row removal is done by `data.prepare` on the training split with `outliers`) and imputes every
    missing value, in any column. Pandas in, pandas out: same index and columns, fit dtypes kept
    (integers stay integers). `log_` holds the cleaning-log entries of the fit; `report(X, split)` the
    entries of a transform. Columns not named in `numeric` or `categorical` pass through unchanged.
    Missing markers match text and, in numeric columns, numbers by value (`marker_mask`). A column whose bounds
    have zero width (e.g. 92 % zeros under IQR) is not capped (`zero_width_`); `findings_` lists the columns
    whose rule keeps under `MIN_VARIANCE_KEPT` of their variance or changes over `MAX_CHANGED_SHARE` of values.
    """

    def __init__(self, numeric: Sequence[str] = (), categorical: Sequence[str] = (),
                 missing_markers: Sequence[str] = (), cleaning_config: CleaningConfig | None = None) -> None:
        self.numeric = numeric
        self.categorical = categorical
        self.missing_markers = missing_markers
        self.cleaning_config = cleaning_config

    @property
    def _config(self) -> CleaningConfig:
        return self.cleaning_config if self.cleaning_config is not None else CleaningConfig()

    @property
    def _columns(self) -> list[str]:
        return list(self.numeric) + list(self.categorical)

    def fit(self, X: pd.DataFrame, y: Any = None) -> Cleaner:
        """Learn numeric codes, outlier bounds and imputation values from the rows of `X`."""
        frame = self._checked(X, fitting=True)
        markers_removed = self._without_markers(frame)
        self.numeric_coded_ = [c for c in self.categorical if self._holds_numbers(markers_removed[c])]
        standard, counts = self._standardise(frame)
        self.dtypes_ = {c: standard[c].dtype for c in self._columns}
        rule = self._config.outliers
        found = {c: b for c in self.numeric if (b := outlier_bounds(standard[c], rule)) is not None}
        self.zero_width_ = {c: b for c, b in found.items() if self._zero_width(c, *b)}
        self.bounds_ = {c: b for c, b in found.items() if c not in self.zero_width_}
        outside = self._outside(standard)
        kept = ~pd.concat(outside, axis=1).any(axis=1) if outside and rule.action == "drop" else pd.Series(True, index=frame.index)
        basis = self._capped(standard).loc[kept]
        self.fill_values_ = {c: self._fill_value(basis[c], c) for c in self._columns}
        self.findings_ = self._findings(standard, outside)
        self.log_ = self._entries(counts, outside, basis[self._columns].isna().sum(), "train", fitted_rows=True)
        self.log_ += self._signal_entries(standard)
        return self

    def _signal_entries(self, standard: pd.DataFrame) -> list[dict[str, Any]]:
        """Cleaning-log entries (step `signal`) for the columns left uncapped and the findings of the fit."""
        method = self._config.outliers.method
        entries = [log_entry("signal", "outlier rule not applied: zero-width bounds (warning)", c,
                             int(((standard[c] < low) | (standard[c] > high)).sum()), "train", method=method,
                             lower=round(low, 6), upper=round(high, 6),
                             note="capping these values to the one value left would make the column a constant")
                   for c, (low, high) in self.zero_width_.items()]
        return entries + [log_entry("signal", "outlier rule removes signal (warning)", f["column"], f["changed"], "train",
                                    method=method, **{k: v for k, v in f.items() if k not in ("column", "changed")})
                          for f in self.findings_]

    def _findings(self, standard: pd.DataFrame, outside: dict[str, pd.Series]) -> list[dict[str, Any]]:
        """Columns whose outlier rule keeps under `MIN_VARIANCE_KEPT` of their variance or changes over
        `MAX_CHANGED_SHARE` of their present values: capped, or with `drop` removed by the column's own bounds
        (imputation is logged on its own, by count)."""
        capped, findings = self._capped(standard), []
        for column in self.bounds_:
            after = standard[column][~outside[column]] if self._config.outliers.action == "drop" else capped[column]
            variance_kept, changed = signal_kept(standard[column], after)
            changed_share = changed / max(int(standard[column].notna().sum()), 1)
            if variance_kept < MIN_VARIANCE_KEPT or changed_share > MAX_CHANGED_SHARE:
                findings.append({"column": column, "changed": changed,
                                 "variance_kept": round(variance_kept, 4), "changed_share": round(changed_share, 4),
                                 "note": f"thresholds: variance kept >= {MIN_VARIANCE_KEPT}, values changed <= "
                                         f"{MAX_CHANGED_SHARE:.0%}; consider cleaning.outliers.method: none"})
        return findings

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Clean `X` with the fitted values; every row is kept."""
        return self._clean(X)[0]

    def report(self, X: pd.DataFrame, split: str) -> list[dict[str, Any]]:
        """Cleaning-log entries for what `transform(X)` changes (markers, infinities, caps, imputations)."""
        _, counts, outside, missing = self._clean(X)
        return self._entries(counts, outside, missing, split, fitted_rows=False)

    def outliers(self, X: pd.DataFrame) -> pd.Series:
        """Rows of `X` with a value outside a fitted bound (the training rows an outlier `drop` removes)."""
        standard, _ = self._standardise(self._checked(X))
        outside = self._outside(standard)
        return pd.concat(outside, axis=1).any(axis=1) if outside else pd.Series(False, index=X.index)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "fill_values_")
        return np.asarray(self.feature_names_in_, dtype=object)

    def _checked(self, X: Any, fitting: bool = False) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise DataError(f"Cleaner takes a pandas DataFrame with named columns, got {type(X).__name__}")
        if fitting:
            absent = [c for c in self._columns if c not in X.columns]
            if absent:
                raise DataError(f"Cleaner: column(s) {', '.join(f'`{c}`' for c in absent)} named in numeric/categorical "
                                f"are not in the rows; columns are: {', '.join(map(str, X.columns))}")
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
            self.n_features_in_ = len(X.columns)
            return X
        check_is_fitted(self, "fill_values_")
        absent = [c for c in self.feature_names_in_ if c not in X.columns]
        if absent:
            raise DataError(f"the rows lack column(s) {', '.join(f'`{c}`' for c in absent)} that the cleaning was fit on")
        return X[list(self.feature_names_in_)]

    def _without_markers(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for column in self._columns:
            if isinstance(out[column].dtype, pd.CategoricalDtype):  # fixed category sets would turn unseen values into NaN
                out[column] = out[column].astype(object)
            if self.missing_markers:
                out[column] = out[column].mask(marker_mask(out[column], self.missing_markers))
        return out

    @staticmethod
    def _holds_numbers(values: pd.Series) -> bool:
        """A column of numbers, or of text that is entirely numbers once markers are removed (e.g. job codes)."""
        if _is_number_column(values):
            return True
        present = values.dropna()
        return not present.empty and bool(pd.to_numeric(present, errors="coerce").notna().all())

    def _standardise(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
        """Markers and +-inf to NaN, numeric columns coerced; counts per kind of change and column."""
        out = self._without_markers(frame)
        counts: dict[str, dict[str, int]] = {"marker to NaN": {}, "infinite to NaN": {}, "non-numeric to NaN": {}}
        replaced = {}
        for column in self._columns:
            counts["marker to NaN"][column] = int(out[column].isna().sum() - frame[column].isna().sum())
            if column not in self.numeric and column not in self.numeric_coded_:
                continue
            present = out[column].notna()
            values = pd.to_numeric(out[column], errors="coerce")
            infinite = pd.Series(np.isinf(values.to_numpy(dtype=float)), index=values.index)
            counts["infinite to NaN"][column] = int(infinite.sum())
            counts["non-numeric to NaN"][column] = int((present & values.isna()).sum())
            replaced[column] = values.mask(infinite)
        return _with_columns(out, replaced), counts

    def _outside(self, standard: pd.DataFrame) -> dict[str, pd.Series]:
        return {c: (standard[c] < low) | (standard[c] > high) for c, (low, high) in self.bounds_.items()}

    def _is_integer(self, column: str) -> bool:
        return pd.api.types.is_integer_dtype(self.dtypes_[column])

    def _zero_width(self, column: str, low: float, high: float) -> bool:
        """Bounds that leave one value (or none) to cap to: capping would turn the column into a constant."""
        low, high = effective_bounds(low, high, self._is_integer(column))
        return high <= low

    def _capped(self, standard: pd.DataFrame) -> pd.DataFrame:
        """Values outside the bounds set to the bound; integer columns use the integers inside the bounds."""
        capped = {}
        for column, (low, high) in self.bounds_.items():
            low, high = effective_bounds(low, high, self._is_integer(column))
            capped[column] = standard[column].clip(lower=low, upper=high)
        return _with_columns(standard, capped) if capped else standard.copy()

    def _fill_value(self, values: pd.Series, column: str) -> Any:
        present = values.dropna()
        if present.empty:
            raise DataError(f"column `{column}` has no observed value in the rows the cleaning is fit on, "
                            "so no imputation value can be learned")
        if column in self.numeric:
            value = present.median()
            if pd.api.types.is_integer_dtype(present.convert_dtypes().dtype):
                value = round(value)
        else:
            value = present.mode().iloc[0]
        return value.item() if hasattr(value, "item") else value

    def _clean(self, X: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[str, int]], dict[str, pd.Series], pd.Series]:
        frame = self._checked(X)
        standard, counts = self._standardise(frame)
        outside = self._outside(standard)
        out = self._capped(standard)
        missing = out[self._columns].isna().sum()
        filled = {}
        for column in self._columns:
            values = out[column].fillna(self.fill_values_[column])
            if self._is_integer(column):
                values = values.round()
            filled[column] = values.astype(self.dtypes_[column])
        return _with_columns(out, filled), counts, outside, missing

    def _entries(self, counts: dict[str, dict[str, int]], outside: dict[str, pd.Series], missing: pd.Series,
                 split: str, fitted_rows: bool) -> list[dict[str, Any]]:
        """Log entries in the structure of `CleaningLog` (fit rows: `cap` / `impute median`; later rows:
        `cap with training bounds` / `impute median (training value)`)."""
        entries = []
        for action, by_column in counts.items():
            step = "types" if action == "non-numeric to NaN" else "missing"
            details = {"markers": list(self.missing_markers)} if action == "marker to NaN" else {}
            entries += [log_entry(step, action, c, n, split, **details) for c, n in by_column.items() if n]
        rule = self._config.outliers
        for column, mask in outside.items():
            low, high = self.bounds_[column]
            action = ("flag rows for removal" if rule.action == "drop" else "cap") if fitted_rows else "cap with training bounds"
            entries.append(log_entry("outliers", action, column, int(mask.sum()), split, method=rule.method,
                                     lower=round(low, 6), upper=round(high, 6)))
        for column in self._columns:
            if missing[column]:
                strategy = "median" if column in self.numeric else "most_frequent"
                action = f"impute {strategy}" + ("" if fitted_rows else " (training value)")
                entries.append(log_entry("missing", action, column, int(missing[column]), split, value=self.fill_values_[column]))
        return entries


def _with_columns(frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """`frame` with `columns` replaced, built in one step: assigning a column at a time fragments a wide frame
    (pandas warns "DataFrame is highly fragmented" above 100 blocks, e.g. on 2,000 columns)."""
    if not columns:
        return frame
    return pd.DataFrame({c: columns.get(c, frame[c]) for c in frame.columns}, index=frame.index)
