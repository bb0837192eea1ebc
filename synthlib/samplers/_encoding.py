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
        self.columns_ = list(X.columns)
        self.dtypes_ = X.dtypes
        self.numeric_ = [c for c in X.columns if c not in self.categorical]
        self.scaler_ = StandardScaler().fit(X[self.numeric_].astype(float)) if self.numeric_ else None
        self.onehot_ = (OneHotEncoder(sparse_output=False, handle_unknown="ignore", dtype=float)
                        .fit(X[self.categorical].astype(object)) if self.categorical else None)
        return self

    @property
    def numeric_width(self) -> int:
        return len(self.numeric_)

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        parts = []
        if self.scaler_ is not None:
            parts.append(self.scaler_.transform(X[self.numeric_].astype(float)))
        if self.onehot_ is not None:
            parts.append(self.onehot_.transform(X[self.categorical].astype(object)))
        return np.hstack(parts) if parts else np.empty((len(X), 0))

    def inverse_transform(self, Z: np.ndarray) -> pd.DataFrame:
        out = pd.DataFrame(index=range(len(Z)))
        width = self.numeric_width
        if self.scaler_ is not None:
            numeric = self.scaler_.inverse_transform(Z[:, :width])
            for i, column in enumerate(self.numeric_):
                out[column] = numeric[:, i]
        start = width
        for column, categories in zip(self.categorical, self.onehot_.categories_ if self.onehot_ else []):
            block = Z[:, start:start + len(categories)]
            out[column] = np.asarray(categories, dtype=object)[block.argmax(axis=1)]
            start += len(categories)
        return out[self.columns_]
