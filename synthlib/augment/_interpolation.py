"""SMOTE-family samplers, thin wrappers over imbalanced-learn.

`smote` uses SMOTENC (mixed), SMOTEN (all categorical) or SMOTE (all numeric). Borderline-SMOTE,
SMOTE-ENN and ADASYN have no categorical variant: the table is encoded (standardised numeric,
one-hot categorical), resampled, and each one-hot block decoded back to a valid category.
All four interpolate between real rows of a class, so they never extrapolate beyond the class range.
Parent rows are recorded exactly from imbalanced-learn's sample generator (SMOTE, SMOTENC,
Borderline-SMOTE, SMOTE-ENN). ADASYN generates inline: its base rows follow from its recorded
neighbour tables and the neighbour from its recorded random draws (`adasyn_parents`), with geometric
recovery (`synthlib.augment._geometry.segment_fit`) as the fallback. SMOTEN (all-categorical) votes every
value: no parents.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pandas as pd
from imblearn.combine import SMOTEENN
from imblearn.over_sampling import ADASYN, SMOTE, SMOTEN, SMOTENC, BorderlineSMOTE
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state

from synthlib.errors import SamplingError

from ._base import SynthlibOverSampler
from ._encoding import TableEncoder
from ._geometry import segment_fit


def locate_rows(queries: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Position in `table` of each query row (exact byte match; -1 when absent), sort-based, O(n log n)."""
    table, queries = np.ascontiguousarray(table, dtype=float), np.ascontiguousarray(queries, dtype=float)
    void = np.dtype((np.void, table.dtype.itemsize * table.shape[1]))
    keys, first = np.unique(table.view(void).ravel(), return_index=True)
    wanted = queries.view(void).ravel()
    where = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
    return np.where(keys[where] == wanted, first[where], -1)


class _ParentRecorder:
    """Mixin for imbalanced-learn's SMOTE classes: remembers which rows each new sample came from.

    Hooks `BaseSMOTE._generate_samples` (private, stable since imbalanced-learn 0.4; pinned in
    pyproject and checked by a test): `rows` index the base samples, `nn_num[rows, cols]` the neighbours.
    """

    def _generate_samples(self, X, nn_data, nn_num, rows, cols, steps, y_type=None, y=None):
        self.parent_records_.append((y_type, X, nn_data, np.asarray(rows), np.asarray(nn_num[rows, cols])))
        return super()._generate_samples(X, nn_data, nn_num, rows, cols, steps, y_type, y)

    def fit_resample(self, X, y, **params):
        self.parent_records_ = []
        return super().fit_resample(X, y, **params)


class _RecordingSMOTE(_ParentRecorder, SMOTE):
    pass


class _RecordingSMOTENC(_ParentRecorder, SMOTENC):
    pass


class _RecordingBorderlineSMOTE(_ParentRecorder, BorderlineSMOTE):
    pass


def recorded_parents(records: list, y: np.ndarray) -> np.ndarray:
    """(n_new, 2) positions in the resampled input of each new row's base sample and neighbour."""
    blocks = []
    for label, X, nn_data, rows, neighbours in records:
        members = np.flatnonzero(y == label)
        to_global = (lambda pos: members[pos]) if nn_data.shape[0] == len(members) else (lambda pos: pos)
        if X is nn_data:
            base = to_global(rows)
        else:  # Borderline-SMOTE passes the "danger" subset: find those rows in the neighbour data
            dense = X.toarray() if hasattr(X, "toarray") else X
            table = nn_data.toarray() if hasattr(nn_data, "toarray") else nn_data
            found = locate_rows(dense, table)[rows]  # each danger row located once
            base = np.where(found >= 0, to_global(np.maximum(found, 0)), -1)
        blocks.append(np.column_stack([base, to_global(neighbours)]))
    return np.vstack(blocks) if blocks else np.empty((0, 2), dtype=int)


class _RecordingNeighbors(NearestNeighbors):
    """NearestNeighbors that keeps every neighbour table it returns (ADASYN takes it as `n_neighbors`)."""

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        result = super().kneighbors(X, n_neighbors, return_distance)
        self.__dict__.setdefault("tables_", []).append(result[1] if return_distance else result)
        return result


class _RecordingRandomState(np.random.RandomState):
    """RandomState that keeps ADASYN's draws: the neighbour column (`choice`) and step (`uniform`) of each row."""

    def choice(self, *args, **kwargs):
        drawn = super().choice(*args, **kwargs)
        self.__dict__.setdefault("choices_", []).append(drawn)
        return drawn

    def uniform(self, *args, **kwargs):
        drawn = super().uniform(*args, **kwargs)
        self.__dict__.setdefault("steps_", []).append(drawn)
        return drawn


def recording_random_state(random_state) -> tuple[_RecordingRandomState, np.random.RandomState | None]:
    """A recorder drawing the same stream as `check_random_state(random_state)`, and the RandomState
    it stands in for (None for a seed; else advance it with `source.set_state(recorder.get_state())`)."""
    if random_state is not None and not isinstance(random_state, np.random.RandomState):
        return _RecordingRandomState(random_state), None
    source = check_random_state(random_state)  # the given instance, or NumPy's global one
    recorder = _RecordingRandomState()
    recorder.set_state(source.get_state())
    return recorder, source


def adasyn_parents(sampler: ADASYN, Z: np.ndarray, y: np.ndarray, Z_new: np.ndarray) -> np.ndarray | None:
    """Exact (base row, neighbour) of each ADASYN row, or None when the rows cannot be explained.

    ADASYN gives real row i `rint(ratio_i * n)` new rows, in row order, where ratio_i is its share of
    majority neighbours (imbalanced-learn 0.12-0.14), and draws each row's neighbour column and step
    from its random state. Both come from the recorders (`_RecordingNeighbors`, `_RecordingRandomState`),
    and every new row is checked to be base + step x (neighbour - base). Written here because ADASYN
    exposes neither.
    """
    tables = getattr(sampler.nn_, "tables_", [])
    draws = sampler.random_state
    choices, steps = getattr(draws, "choices_", []), getattr(draws, "steps_", [])
    todo = [(label, n) for label, n in sampler.sampling_strategy_.items() if n > 0]
    if not (len(tables) == 2 * len(todo) and len(choices) == len(steps) == len(todo)):
        return None
    k = sampler.nn_.n_neighbors - 1
    blocks, offset = [], 0
    for (label, n_samples), all_nns, class_nns, cols, step in zip(todo, tables[0::2], tables[1::2], choices, steps):
        members = np.flatnonzero(y == label)
        ratio = np.sum(y[all_nns[:, 1:]] != label, axis=1) / k
        rows = np.repeat(np.arange(len(members)), np.rint(ratio / ratio.sum() * n_samples).astype(int))
        new, offset = Z_new[offset:offset + len(rows)], offset + len(rows)
        if not len(new) == len(rows) == len(cols) == len(step):
            return None
        Z_class, chosen = Z[members], class_nns[rows, np.asarray(cols) + 1]  # column 0 is the row itself
        expected = Z_class[rows] + step * (Z_class[chosen] - Z_class[rows])
        if not np.allclose(expected, new, rtol=1e-12, atol=1e-12):
            return None
        blocks.append(np.column_stack([members[rows], members[chosen]]))
    if offset != len(Z_new):
        return None
    return np.vstack(blocks) if blocks else np.empty((0, 2), dtype=int)


class _InterpolationSampler(SynthlibOverSampler):
    needs_neighbours = True

    def __init__(self, *, sampling_strategy=1.0, max_amplification=None, diminishing_factor=1.0,
                 categorical_features="auto", random_state=None, k_neighbors: int = 5, record_parents: bool = True):
        super().__init__(sampling_strategy=sampling_strategy, max_amplification=max_amplification,
                         diminishing_factor=diminishing_factor, categorical_features=categorical_features,
                         random_state=random_state)
        self.k_neighbors = k_neighbors
        self.record_parents = record_parents

    def _targets(self, y: np.ndarray, strategy: OrderedDict) -> dict:
        return {label: self.class_counts_[label] + n for label, n in strategy.items()}

    def _parents(self, Z: np.ndarray, y: np.ndarray, Z_new: np.ndarray, labels: np.ndarray,
                 n_candidates: int | None = None) -> np.ndarray | None:
        """Positions (in X) of the two real rows each synthetic row was interpolated between."""
        if not self.record_parents:
            return None
        parents = np.full((len(Z_new), 2), -1)
        for label in np.unique(labels):
            members = np.flatnonzero(y == label)
            rows = np.flatnonzero(labels == label)
            a, b, residual = segment_fit(Z_new[rows], Z[members], n_candidates=n_candidates or self.k_neighbors + 2)
            found = residual < 1e-6
            parents[rows[found], 0] = members[a[found]]
            parents[rows[found], 1] = members[b[found]]
        return parents

    def _resample_encoded(self, X: pd.DataFrame, y: np.ndarray, strategy: OrderedDict, sampler):
        self._check_class_sizes(y, self.k_neighbors)
        encoder = TableEncoder(self.categorical_)
        Z = encoder.fit_transform(X)
        Z_res, y_res = _run(sampler, Z, y, self.method_name)
        n = len(X)
        Z_new, labels = Z_res[n:], np.asarray(y_res)[n:]
        if hasattr(sampler, "parent_records_"):
            parents = recorded_parents(sampler.parent_records_, y) if self.record_parents else None
        else:  # ADASYN: from its neighbour tables, else geometrically (both None without record_parents)
            parents = adasyn_parents(sampler, Z, y, Z_new) if self.record_parents else None
            if parents is None:
                parents = self._parents(Z, y, Z_new, labels)
        return encoder.inverse_transform(Z_new), labels, parents


def _run(sampler, X, y, method: str):
    try:
        return sampler.fit_resample(X, y)
    except (ValueError, RuntimeError) as exc:
        raise SamplingError(f"{method} could not generate rows on this data: {exc}") from None


class SMOTESampler(_InterpolationSampler):
    """SMOTE (Chawla et al. 2002); SMOTENC / SMOTEN keep categorical values valid."""

    method_name = "smote"

    def _generate(self, X, y, strategy):
        self._check_class_sizes(y, self.k_neighbors)
        targets = self._targets(y, strategy)
        categorical = self.categorical_
        if categorical and len(categorical) < X.shape[1]:
            sampler = _RecordingSMOTENC(categorical_features=categorical, sampling_strategy=targets,
                                        k_neighbors=self.k_neighbors, random_state=self.random_state)
        elif categorical:  # SMOTEN picks every value by a neighbour vote: there are no two parents
            sampler = SMOTEN(sampling_strategy=targets, k_neighbors=self.k_neighbors, random_state=self.random_state)
        else:
            sampler = _RecordingSMOTE(sampling_strategy=targets, k_neighbors=self.k_neighbors,
                                      random_state=self.random_state)
        numeric = [c for c in X.columns if c not in categorical]
        if categorical:
            dtypes = X.dtypes.to_dict()
            to_float = {c: float for c in numeric if dtypes[c] != float}
            X_float = X.astype(to_float) if to_float else X  # unrounded output: rounding happens once, in `_conform`
        else:  # a float matrix spares imbalanced-learn its DataFrame round trip
            X_float = X.to_numpy(dtype=float)
        X_res, y_res = _run(sampler, X_float, y, self.method_name)
        synthetic, labels = pd.DataFrame(X_res[len(X):], columns=X.columns), np.asarray(y_res)[len(X):]
        records = getattr(sampler, "parent_records_", None)
        return synthetic, labels, recorded_parents(records, y) if records is not None and self.record_parents else None


class BorderlineSMOTESampler(_InterpolationSampler):
    """Borderline-SMOTE (Han et al. 2005): interpolates from minority rows near the class boundary."""

    method_name = "borderline_smote"

    def _generate(self, X, y, strategy):
        sampler = _RecordingBorderlineSMOTE(sampling_strategy=self._targets(y, strategy), k_neighbors=self.k_neighbors,
                                            m_neighbors=max(self.k_neighbors * 2, 10), random_state=self.random_state)
        return self._resample_encoded(X, y, strategy, sampler)


class ADASYNSampler(_InterpolationSampler):
    """ADASYN (He et al. 2008): more rows where a minority row has more majority neighbours."""

    method_name = "adasyn"

    def _generate(self, X, y, strategy):
        if self.record_parents:  # same draws as with `random_state` itself, recorded for `adasyn_parents`
            neighbours = _RecordingNeighbors(n_neighbors=self.k_neighbors + 1)
            draws, source = recording_random_state(self.random_state)
        else:
            neighbours, draws, source = self.k_neighbors, self.random_state, None
        sampler = ADASYN(sampling_strategy=self._targets(y, strategy), n_neighbors=neighbours, random_state=draws)
        try:
            return self._resample_encoded(X, y, strategy, sampler)
        except SamplingError as exc:
            if "No samples will be generated" not in str(exc):
                raise
            raise SamplingError("adasyn rounds its per-row counts and generated no rows: fewer than about half a "
                                "synthetic row per real minority row was requested; raise sampling_strategy or "
                                "max_amplification, or use smote") from None
        finally:
            if source is not None:  # a RandomState given (or the global one) advances as without the recorder
                source.set_state(draws.get_state())


class SMOTEENNSampler(_InterpolationSampler):
    """SMOTE then Edited Nearest Neighbours cleaning (Batista et al. 2004).

    ENN also removes real rows it finds noisy: their positions are in `removed_real_`. SMOTE's rows
    per class before the cleaning are in `generated_before_cleaning_` (the capped request).
    """

    method_name = "smote_enn"

    def _generate(self, X, y, strategy):
        self._check_class_sizes(y, self.k_neighbors)
        encoder = TableEncoder(self.categorical_)
        Z = encoder.fit_transform(X)
        smote = _RecordingSMOTE(sampling_strategy=self._targets(y, strategy), k_neighbors=self.k_neighbors,
                                random_state=self.random_state)
        combined = SMOTEENN(smote=smote, random_state=self.random_state)
        Z_res, y_res = _run(combined, Z, y, self.method_name)
        kept = combined.enn_.sample_indices_
        self.generated_before_cleaning_ = {label: 0 for label in strategy}
        for label, _, _, rows, _ in combined.smote_.parent_records_:
            self.generated_before_cleaning_[label] += len(rows)
        n = len(X)
        self.kept_real_ = kept[kept < n]
        self.removed_real_ = np.setdiff1d(np.arange(n), self.kept_real_)
        is_new = kept >= n
        Z_new, labels = Z_res[is_new], np.asarray(y_res)[is_new]
        parents = recorded_parents(combined.smote_.parent_records_, y)[kept[is_new] - n] if self.record_parents else None
        return encoder.inverse_transform(Z_new), labels, parents
