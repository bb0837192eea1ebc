"""Which pair of real rows a point lies between: the geometry behind SMOTE provenance and the
interpolation attack (Ganev et al. 2025). Written here because no library offers segment queries;
it uses scikit-learn's neighbour search, never an n x n matrix."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

MAX_CHUNK_FLOATS = 4_000_000  # floats per (rows x pairs x features) block: ~32 MB each


def segment_fit(points: np.ndarray, reference: np.ndarray, n_candidates: int = 8, exclude_self: bool = False,
                slack: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each point, the pair of reference rows whose segment passes closest to it.

    Candidates are the point's `n_candidates` nearest reference rows; every pair among them is
    tried. Returns (parent_a, parent_b, residual) where residual is the distance from the point to
    the segment divided by the segment length (0 = exactly on it). With `exclude_self`, points are
    reference rows and the row itself is skipped (its own distance would be 0). `slack` (one value per
    column) forgives that much deviation per coordinate, e.g. half a unit where values were rounded.
    """
    n_ref = len(reference)
    k = min(n_candidates + int(exclude_self), n_ref)
    if k < 2 + int(exclude_self) or len(points) == 0:
        empty = np.full(len(points), -1)
        return empty, empty.copy(), np.full(len(points), np.inf)
    index = NearestNeighbors(n_neighbors=k).fit(reference)
    pa, pb, res = [], [], []
    n_pairs = (k - int(exclude_self)) * (k - int(exclude_self) - 1) // 2
    chunk_rows = max(1, MAX_CHUNK_FLOATS // max(n_pairs * reference.shape[1], 1))
    for start in range(0, len(points), chunk_rows):
        chunk = points[start:start + chunk_rows]
        neighbours = index.kneighbors(chunk, return_distance=False)
        if exclude_self:
            neighbours = neighbours[:, 1:]
        i, j = np.triu_indices(neighbours.shape[1], k=1)
        a_idx, b_idx = neighbours[:, i], neighbours[:, j]            # (n, pairs)
        a, b = reference[a_idx], reference[b_idx]                    # (n, pairs, d)
        direction = b - a
        length2 = np.einsum("npd,npd->np", direction, direction)
        offset = chunk[:, None, :] - a
        t = np.einsum("npd,npd->np", offset, direction) / np.where(length2 > 0, length2, 1)
        outside = (t <= 0) | (t >= 1)  # a point beyond an endpoint is not between the two rows
        t = np.clip(t, 0, 1)
        gap = offset - t[..., None] * direction
        if slack is not None:
            gap = np.maximum(np.abs(gap) - slack, 0.0)
        distance = np.sqrt(np.einsum("npd,npd->np", gap, gap))
        relative = distance / np.sqrt(np.where(length2 > 0, length2, np.inf))
        relative[(length2 == 0) | outside] = np.inf
        best = relative.argmin(axis=1)
        rows = np.arange(len(chunk))
        pa.append(a_idx[rows, best])
        pb.append(b_idx[rows, best])
        res.append(relative[rows, best])
    return np.concatenate(pa), np.concatenate(pb), np.concatenate(res)
