"""Mixed-type table <-> numeric matrix: standardised numeric columns and one-hot categorical blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def categorical_columns(X: pd.DataFrame, given: list[str] | str = "auto") -> list[str]:
    """Columns to treat as categorical: as given, or every non-numeric / boolean column."""
    if given != "auto":
        return list(given)
    return [c for c in X.columns
            if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]


class TableEncoder:
    """Encode for interpolation and decode each one-hot block back to a valid category (argmax)."""

    def __init__(self, categorical: list[str]):
        self.categorical = categorical

    def fit(self, X: pd.DataFrame) -> TableEncoder:
        self.fit_transform(X)
        return self

    def fit_transform(self, X: pd.DataFrame) -> np.ndarray:
        """Fit and encode in one pass (each column is converted once)."""
        self.columns_ = list(X.columns)
        self.numeric_ = [c for c in X.columns if c not in self.categorical]
        self.scaler_ = StandardScaler() if self.numeric_ else None
        self.onehot_ = (OneHotEncoder(sparse_output=False, handle_unknown="ignore", dtype=float)
                        if self.categorical else None)
        return self._encode(X, fit=True)

    @property
    def numeric_width(self) -> int:
        return len(self.numeric_)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        return self._encode(X, fit=False)

    def _encode(self, X: pd.DataFrame, fit: bool) -> np.ndarray:
        parts = []
        for step, columns, dtype in ((self.scaler_, self.numeric_, float), (self.onehot_, self.categorical, object)):
            if step is not None:
                values = X[columns].to_numpy(dtype=dtype)
                parts.append(step.fit_transform(values) if fit else step.transform(values))
        return np.hstack(parts) if len(parts) > 1 else parts[0] if parts else np.empty((len(X), 0))

    def inverse_transform(self, Z: np.ndarray) -> pd.DataFrame:
        columns = {}
        width = self.numeric_width
        if self.scaler_ is not None:
            numeric = Z[:, :width] * self.scaler_.scale_ + self.scaler_.mean_
            columns.update((column, numeric[:, i]) for i, column in enumerate(self.numeric_))
        start = width
        for column, categories in zip(self.categorical, self.onehot_.categories_ if self.onehot_ else []):
            block = Z[:, start:start + len(categories)]
            columns[column] = np.asarray(categories, dtype=object)[block.argmax(axis=1)]
            start += len(categories)
        return pd.DataFrame({c: columns[c] for c in self.columns_}, index=pd.RangeIndex(len(Z)))
