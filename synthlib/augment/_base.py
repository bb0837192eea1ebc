"""The one sampler interface: an imbalanced-learn over-sampler that adds minority rows only.

Subclasses write `_generate(X, y, strategy)` and return synthetic rows (as a DataFrame with the
input's columns), their labels and, where the method has them, the real parent rows. The base class
computes the ratio (with the amplification cap and diminishing factor), fixes dtypes and ranges,
removes exact duplicates, records provenance, and keeps pandas in, pandas out.

Fitted attributes read by the audit: `requested_`, `sampling_strategy_` (after the cap), `generated_`,
`kept_real_` / `removed_real_` (SMOTE-ENN's cleaning), `removed_real_by_class_`, `trained_class_counts_`
(the output's classes) and, for the deep generators, `loss_` (per-epoch training loss per class, thinned).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from scipy.sparse import issparse
from sklearn.preprocessing import label_binarize
from sklearn.utils.multiclass import check_classification_targets

from synthlib.errors import SamplingError

from ._encoding import categorical_columns

PROBE_ABOVE_CELLS = 1_000_000  # cells left unhashed by probing first, above which `_deduplicate` probes
MAX_LOSS_POINTS = 100  # training-loss rows kept per class in `loss_` (and results.json)


def thin_losses(losses: pd.DataFrame, max_points: int = MAX_LOSS_POINTS) -> pd.DataFrame:
    """At most `max_points` evenly spaced rows of a per-epoch loss table, the first and last epoch kept."""
    if len(losses) <= max_points:
        return losses.reset_index(drop=True)
    rows = np.unique(np.linspace(0, len(losses) - 1, max_points).round().astype(int))
    return losses.iloc[rows].reset_index(drop=True)


def loss_table(per_class: dict) -> pd.DataFrame:
    """One table of per-epoch losses from {class label: loss table}, each thinned, with a `class` column first."""
    return pd.concat([thin_losses(frame).assign(**{"class": label})[["class", *frame.columns]]
                      for label, frame in per_class.items()], ignore_index=True)


def _row_keys(frame: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()


def _stack(real: pd.DataFrame, synthetic: pd.DataFrame) -> pd.DataFrame:
    """Real rows then synthetic rows, one copy; a single-dtype table stays one numpy block."""
    dtypes = set(real.dtypes) | set(synthetic.dtypes)
    if len(dtypes) == 1 and next(iter(dtypes)) != object and list(real.columns) == list(synthetic.columns):
        return pd.DataFrame(np.vstack([real.to_numpy(), synthetic.to_numpy()]), columns=real.columns)
    return pd.concat([real, synthetic], ignore_index=True)


def _like_input(y_in: Any, X_out: Any, y_out: np.ndarray) -> Any:
    """y in the input's container (Series keeps its name and dtype; list stays a list)."""
    if isinstance(y_in, pd.Series):
        index = X_out.index if isinstance(X_out, pd.DataFrame) else None
        return pd.Series(y_out, name=y_in.name, index=index).astype(y_in.dtype, copy=False)
    if isinstance(y_in, pd.DataFrame):
        return pd.DataFrame(y_out, columns=y_in.columns).astype(y_in.dtypes.to_dict())
    if isinstance(y_in, list):
        return y_out.tolist()
    return y_out


class SynthlibOverSampler(BaseOverSampler):
    """Base class; parameters are keyword-only and stored unchanged (scikit-learn convention).

    `sampling_strategy`: a ratio minority:majority (float), per-class target counts (dict), or an
    imbalanced-learn string. `max_amplification`: synthetic rows per class at most k x its real rows.
    `diminishing_factor`: the i-th smaller minority class gets factor**i of its requested rows.
    """

    method_name = "base"
    needs_neighbours = False
    _parameter_constraints: dict = {}  # validated in `_check_parameters` with our own messages

    def __init__(self, *, sampling_strategy: Any = 1.0, max_amplification: float | None = None,
                 diminishing_factor: float = 1.0, categorical_features: Any = "auto", random_state: Any = None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.max_amplification = max_amplification
        self.diminishing_factor = diminishing_factor
        self.categorical_features = categorical_features
        self.random_state = random_state

    # -- imbalanced-learn plumbing -------------------------------------------------------------
    def _check_X_y(self, X, y, accept_sparse=None):  # keep DataFrames (and strings) as they are
        if issparse(X) or isinstance(X, pd.DataFrame) and any(isinstance(t, pd.SparseDtype) for t in X.dtypes):
            raise TypeError(f"{type(self).__name__} does not accept sparse input; pass a dense array or DataFrame")
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        y = np.asarray(y)
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        else:
            X = np.asarray(X)
            if X.ndim != 2:
                raise ValueError(f"Expected 2D array, got {X.ndim}D array instead")
            X = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
        self.n_features_in_ = X.shape[1]
        if not X.index.equals(pd.RangeIndex(len(X))):
            X = X.copy(deep=False)  # new index, same column data
            X.index = pd.RangeIndex(len(X))
        return X, y, binarize_y

    def fit_resample(self, X, y, **params):
        """Resample: real rows first (unchanged, in order), then the synthetic rows."""
        check_classification_targets(y)
        X_frame, y_array, binarize_y = self._check_X_y(X, y)
        self._check_parameters()
        self.sampling_strategy_ = self._strategy(y_array)
        X_out, y_out = self._fit_resample(X_frame, y_array)
        if binarize_y:
            y_out = label_binarize(y_out, classes=np.unique(y_array))
        X_out = X_out if isinstance(X, pd.DataFrame) else X_out.to_numpy().tolist() if isinstance(X, list) \
            else X_out.to_numpy()
        return X_out, _like_input(y, X_out, y_out)

    def _check_parameters(self) -> None:
        if self.max_amplification is not None and not self.max_amplification > 0:
            raise ValueError(f"max_amplification must be > 0, got {self.max_amplification!r}")
        if not 0 < self.diminishing_factor <= 1:
            raise ValueError(f"diminishing_factor must be in (0, 1], got {self.diminishing_factor!r}")

    # -- ratio control -------------------------------------------------------------------------
    def _strategy(self, y: np.ndarray) -> OrderedDict:
        """Rows to generate per class: requested, then diminished and capped (kept in `requested_`)."""
        labels, sizes = np.unique(y, return_counts=True)
        counts = self.class_counts_ = dict(zip(labels.tolist(), sizes.tolist()))
        if len(counts) < 2:
            raise ValueError("Sampler can't balance when only one class is present.")
        largest = max(counts.values())
        if isinstance(self.sampling_strategy, float) and not isinstance(self.sampling_strategy, bool):
            if not 0 < self.sampling_strategy <= 1:
                raise ValueError(f"sampling_strategy as a ratio must be in (0, 1], got {self.sampling_strategy}")
            wanted = {c: max(0, int(round(self.sampling_strategy * largest)) - n) for c, n in counts.items() if n < largest}
        elif isinstance(self.sampling_strategy, dict):
            unknown = set(self.sampling_strategy) - set(counts)
            if unknown:
                raise ValueError(f"sampling_strategy names classes {sorted(map(str, unknown))} not present in y")
            wanted = {c: max(0, int(t) - counts[c]) for c, t in self.sampling_strategy.items()}
        else:
            wanted = dict(check_sampling_strategy(self.sampling_strategy, y, "over-sampling"))
        self.requested_ = {c: int(n) for c, n in wanted.items()}
        by_size = sorted((c for c in wanted if wanted[c] > 0), key=lambda c: -counts[c])
        strategy = OrderedDict()
        for rank, label in enumerate(by_size):
            n_new = int(round(wanted[label] * self.diminishing_factor ** rank))
            if self.max_amplification is not None:
                n_new = min(n_new, int(np.floor(self.max_amplification * counts[label])))
            strategy[label] = n_new
        return strategy

    # -- generation and hygiene ----------------------------------------------------------------
    def _generate(self, X: pd.DataFrame, y: np.ndarray, strategy: OrderedDict
                  ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
        raise NotImplementedError

    def _check_class_sizes(self, y: np.ndarray, k_neighbors: int) -> None:
        counts = self.class_counts_
        for label, n_new in self.sampling_strategy_.items():
            if n_new > 0 and counts[label] < k_neighbors + 1:
                raise SamplingError(
                    f"{self.method_name}: class {label!r} has {counts[label]} rows, fewer than k_neighbors + 1 = "
                    f"{k_neighbors + 1}; lower k_neighbors (augmentation.k_neighbors) to at most {max(counts[label] - 1, 1)}")

    def _fit_resample(self, X: pd.DataFrame, y: np.ndarray):
        self.categorical_ = categorical_columns(X, self.categorical_features)
        self.kept_real_, self.removed_real_ = np.arange(len(X)), np.array([], dtype=int)
        todo = OrderedDict((c, n) for c, n in self.sampling_strategy_.items() if n > 0)
        if todo:
            synthetic, labels, parents = self._generate(X, y, todo)
        else:
            synthetic, labels, parents = X.iloc[:0].copy(), y[:0], None
        real_kept = self.kept_real_
        labels = np.asarray(labels)
        synthetic = self._conform(synthetic, X, y, labels)
        real = X if len(real_kept) == len(X) else X.iloc[real_kept]
        X_out = _stack(real, synthetic)
        keep = self._deduplicate(X_out, len(real), X if real is not X else None)
        if not keep.all():
            X_out = X_out.loc[np.concatenate([np.ones(len(real), dtype=bool), keep])].reset_index(drop=True)
            labels = labels[keep]
            parents = None if parents is None else np.asarray(parents)[keep]
        self.generated_ = {c: int((labels == c).sum()) for c in self.sampling_strategy_}
        self.provenance_ = pd.DataFrame({
            "row": np.arange(len(real_kept), len(X_out)),
            "label": labels,
            "method": self.method_name,
            "parent_a": parents[:, 0] if parents is not None else -1,
            "parent_b": parents[:, 1] if parents is not None else -1,
        })
        y_out = np.concatenate([y[real_kept], labels]).astype(y.dtype, copy=False)
        self.removed_real_by_class_ = {c: int((y[self.removed_real_] == c).sum()) for c in self.class_counts_}
        self.trained_class_counts_ = {c: int(n) for c, n in zip(*np.unique(y_out, return_counts=True))}
        return X_out, y_out

    def _conform(self, synthetic: pd.DataFrame, X: pd.DataFrame, y: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
        """Integers stay integers; numeric values stay within the real range of their class.

        Returns a new frame with X's columns, dtypes and category sets and a fresh RangeIndex.
        """
        numeric = [c for c in X.columns if c not in self.categorical_]
        dtypes = X.dtypes.to_dict()
        columns: dict = {}
        for column in self.categorical_:
            columns[column] = pd.Series(synthetic[column].to_numpy()).astype(dtypes[column])
        if numeric and len(synthetic):
            everything = len(numeric) == X.shape[1]  # no column selection: no copy of X
            values = np.array((synthetic if everything else synthetic[numeric]).to_numpy(dtype=float))  # clipped in place
            real = (X if everything else X[numeric]).to_numpy(dtype=float)
            classes = pd.unique(labels)  # hash-based: no sort
            for label in classes:
                members = real[y == label]
                low, high = members.min(axis=0), members.max(axis=0)
                if len(classes) == 1:
                    np.clip(values, low, high, out=values)
                else:
                    rows = labels == label
                    values[rows] = np.clip(values[rows], low, high)
            integer = [pd.api.types.is_integer_dtype(dtypes[c]) for c in numeric]
            if not self.categorical_ and not any(integer) and all(dtypes[c] == np.float64 for c in numeric):
                return pd.DataFrame(values, columns=X.columns)  # all float64: one block, no further copy
            for i, column in enumerate(numeric):
                column_values = np.round(values[:, i]) if integer[i] else values[:, i]
                columns[column] = column_values.astype(dtypes[column])
        else:
            for column in numeric:
                columns[column] = synthetic[column].to_numpy().astype(dtypes[column])
        return pd.DataFrame({c: columns[c] for c in X.columns}, index=pd.RangeIndex(len(synthetic)))

    def _deduplicate(self, stacked: pd.DataFrame, n_real: int, all_real: pd.DataFrame | None = None) -> np.ndarray:
        """Mask of the synthetic rows (after the first `n_real` rows of `stacked`) to keep: drop those
        equal to a real training row (`all_real` when some were removed) or to an earlier synthetic row.

        Rows are compared by 64-bit hashes (pandas' hash table). On large tables up to two float
        columns are hashed first and only synthetic rows whose values there repeat are hashed whole
        (at 100,000 x 20 this cuts the hashing ~5x; below ~1M skipped cells the extra steps cost more).
        """
        probe = [c for c, t in stacked.dtypes.items() if t == np.float64][:2]
        if probe and len(stacked) * (stacked.shape[1] - len(probe)) > PROBE_ABOVE_CELLS:
            real = stacked.iloc[:n_real] if all_real is None else all_real
            synthetic = stacked.iloc[n_real:]
            real_probe, synthetic_probe = _row_keys(real[probe]), pd.Series(_row_keys(synthetic[probe]))
            rows = np.flatnonzero(synthetic_probe.isin(real_probe) | synthetic_probe.duplicated(keep=False))
            real_keys = _row_keys(real.iloc[np.flatnonzero(pd.Series(real_probe).isin(synthetic_probe.iloc[rows]))])
            keys = pd.Series(_row_keys(synthetic.iloc[rows]))
        else:
            keys = _row_keys(stacked)  # one pass over the output table
            real_keys = keys[:n_real] if all_real is None else _row_keys(all_real)
            keys, rows = pd.Series(keys[n_real:]), np.arange(len(stacked) - n_real)
        copies_real = keys.isin(real_keys).to_numpy()  # hash table: O(n), unlike np.isin's sort
        repeated = keys.duplicated().to_numpy() & ~copies_real
        self.n_duplicates_of_real_ = int(copies_real.sum())
        self.n_duplicates_within_ = int(repeated.sum())
        keep = np.ones(len(stacked) - n_real, dtype=bool)
        keep[rows[copies_real | repeated]] = False
        return keep

    def _more_tags(self):
        return {"X_types": ["2darray", "string"], "sample_indices": False}
