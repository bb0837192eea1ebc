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
        self.bounds_ = {c: b for c in self.numeric if (b := outlier_bounds(standard[c], rule)) is not None}
        outside = self._outside(standard)
        kept = ~pd.concat(outside, axis=1).any(axis=1) if outside and rule.action == "drop" else pd.Series(True, index=frame.index)
        basis = self._capped(standard).loc[kept]
        self.fill_values_ = {c: self._fill_value(basis[c], c) for c in self._columns}
        self.log_ = self._entries(counts, outside, basis[self._columns].isna().sum(), "train", fitted_rows=True)
        return self

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
        markers = {str(m).strip() for m in self.missing_markers}
        out = frame.copy()
        for column in self._columns:
            if isinstance(out[column].dtype, pd.CategoricalDtype):  # fixed category sets would turn unseen values into NaN
                out[column] = out[column].astype(object)
            if markers and not _is_number_column(out[column]):
                out[column] = out[column].mask(out[column].astype(str).str.strip().isin(markers))
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
        for column in self._columns:
            counts["marker to NaN"][column] = int(out[column].isna().sum() - frame[column].isna().sum())
            if column not in self.numeric and column not in self.numeric_coded_:
                continue
            present = out[column].notna()
            values = pd.to_numeric(out[column], errors="coerce")
            infinite = pd.Series(np.isinf(values.to_numpy(dtype=float)), index=values.index)
            counts["infinite to NaN"][column] = int(infinite.sum())
            counts["non-numeric to NaN"][column] = int((present & values.isna()).sum())
            out[column] = values.mask(infinite)
        return out, counts

    def _outside(self, standard: pd.DataFrame) -> dict[str, pd.Series]:
        return {c: (standard[c] < low) | (standard[c] > high) for c, (low, high) in self.bounds_.items()}

    def _is_integer(self, column: str) -> bool:
        return pd.api.types.is_integer_dtype(self.dtypes_[column])

    def _capped(self, standard: pd.DataFrame) -> pd.DataFrame:
        """Values outside the bounds set to the bound; integer columns use the integers inside the bounds."""
        out = standard.copy()
        for column, (low, high) in self.bounds_.items():
            if self._is_integer(column):
                low, high = int(np.ceil(low)), int(np.floor(high))
            out[column] = out[column].clip(lower=low, upper=high)
        return out

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
        for column in self._columns:
            values = out[column].fillna(self.fill_values_[column])
            if self._is_integer(column):
                values = values.round()
            out[column] = values.astype(self.dtypes_[column])
        return out, counts, outside, missing

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
