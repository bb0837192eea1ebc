"""Geometric fidelity metrics on encoded rows, one small class each (SDMetrics style: `compute`).

Every metric works from neighbour searches or blocked sums; none builds an n x n matrix. Where a
metric is an all-pairs quantity (diversity, MMD, PRDC, the discriminator), rows beyond `max_rows`
are sub-sampled with a fixed seed and the sample size is reported with the value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from sklearn.neighbors import NearestNeighbors

BLOCK = 2048


def _subsample(Z: np.ndarray, max_rows: int, seed: int) -> np.ndarray:
    if len(Z) <= max_rows:
        return Z
    return Z[np.random.default_rng(seed).choice(len(Z), max_rows, replace=False)]


def _sq_dist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.maximum((A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2 * A @ B.T, 0.0)


class Metric:
    name = "metric"
    goal = "maximize"
    min_value, max_value = 0.0, 1.0

    def compute(self, real: np.ndarray, synthetic: np.ndarray) -> dict[str, Any]:
        raise NotImplementedError


class Coverage(Metric):
    """Share of real rows with a synthetic row within `threshold` (template definition).

    Exact up to `max_queries` real rows; beyond, estimated from a seeded sample of real rows queried
    against every synthetic row (the sample size is reported).
    """

    name = "coverage"

    def __init__(self, threshold: float = 0.5, max_queries: int = 20000, seed: int = 0):
        self.threshold, self.max_queries, self.seed = threshold, max_queries, seed

    def compute(self, real, synthetic):
        queries = _subsample(real, self.max_queries, self.seed)
        distance = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(synthetic).kneighbors(queries)[0][:, 0]
        return {"score": float((distance <= self.threshold).mean()), "threshold": self.threshold,
                "n_real_used": int(len(queries))}


class Density(Metric):
    """Mean number of real rows within `threshold` of a synthetic row (template definition).

    Exact up to `max_queries` synthetic rows; beyond, a seeded sample of synthetic rows is queried.
    """

    name = "density"
    max_value = float("inf")

    def __init__(self, threshold: float = 0.5, max_queries: int = 20000, seed: int = 0):
        self.threshold, self.max_queries, self.seed = threshold, max_queries, seed

    def compute(self, real, synthetic):
        queries = _subsample(synthetic, self.max_queries, self.seed + 1)
        index = NearestNeighbors(radius=self.threshold, algorithm="brute").fit(real)
        counts = [len(n) for start in range(0, len(queries), BLOCK)
                  for n in index.radius_neighbors(queries[start:start + BLOCK], return_distance=False)]
        return {"score": float(np.mean(counts)), "threshold": self.threshold, "n_synthetic_used": int(len(queries))}


class Diversity(Metric):
    """Mean and std of the pairwise distances among synthetic rows (exact up to `max_rows`, blocked)."""

    name = "diversity"
    max_value = float("inf")

    def __init__(self, max_rows: int = 5000, seed: int = 0):
        self.max_rows, self.seed = max_rows, seed

    def compute(self, real, synthetic):
        Z = _subsample(synthetic, self.max_rows, self.seed)
        total = total_sq = 0.0
        for start in range(0, len(Z), BLOCK):
            block = np.sqrt(_sq_dist(Z[start:start + BLOCK], Z))
            rows = np.arange(start, min(start + BLOCK, len(Z)))
            mask = np.arange(len(Z))[None, :] > rows[:, None]  # each unordered pair once
            total += block[mask].sum()
            total_sq += (block[mask] ** 2).sum()
        pairs = len(Z) * (len(Z) - 1) / 2
        mean = total / pairs if pairs else float("nan")
        std = np.sqrt(max(total_sq / pairs - mean**2, 0.0)) if pairs else float("nan")
        return {"score": float(mean), "std": float(std), "n_rows_used": int(len(Z))}


class MMD(Metric):
    """Unbiased squared MMD with an RBF kernel exp(-gamma ||x - y||^2) (Gretton et al. 2012), blocked."""

    name = "mmd"
    goal = "minimize"
    max_value = float("inf")

    def __init__(self, gamma: float = 1.0, max_rows: int = 5000, seed: int = 0):
        self.gamma, self.max_rows, self.seed = gamma, max_rows, seed

    def _kernel_sum(self, A, B, same: bool) -> float:
        total = 0.0
        for start in range(0, len(A), BLOCK):
            total += np.exp(-self.gamma * _sq_dist(A[start:start + BLOCK], B)).sum()
        return total - (len(A) if same else 0.0)  # drop k(x, x) = 1 terms

    def compute(self, real, synthetic):
        X = _subsample(real, self.max_rows, self.seed)
        Y = _subsample(synthetic, self.max_rows, self.seed + 1)
        m, n = len(X), len(Y)
        value = (self._kernel_sum(X, X, True) / (m * (m - 1)) + self._kernel_sum(Y, Y, True) / (n * (n - 1))
                 - 2 * self._kernel_sum(X, Y, False) / (m * n))
        return {"score": float(value), "gamma": self.gamma, "n_real_used": m, "n_synthetic_used": n}


class PRDC(Metric):
    """k-NN precision, recall, density and coverage (Naeem et al. 2020), blocked over synthetic rows."""

    name = "prdc"

    def __init__(self, k: int = 5, max_rows: int = 5000, seed: int = 0):
        self.k, self.max_rows, self.seed = k, max_rows, seed

    @staticmethod
    def _radii(Z: np.ndarray, k: int) -> np.ndarray:
        return NearestNeighbors(n_neighbors=k + 1).fit(Z).kneighbors(Z)[0][:, k]

    def compute(self, real, synthetic):
        X = _subsample(real, self.max_rows, self.seed)
        Y = _subsample(synthetic, self.max_rows, self.seed + 1)
        real_radius, syn_radius = self._radii(X, self.k), self._radii(Y, self.k)
        inside_any = np.zeros(len(Y), dtype=bool)
        inside_count = 0
        covered = np.zeros(len(X), dtype=bool)
        recalled = np.zeros(len(X), dtype=bool)
        for start in range(0, len(Y), BLOCK):
            d = np.sqrt(_sq_dist(Y[start:start + BLOCK], X))               # block x real
            within = d <= real_radius[None, :]
            inside_any[start:start + BLOCK] = within.any(axis=1)
            inside_count += within.sum()
            covered |= within.any(axis=0)
            recalled |= (d <= syn_radius[start:start + BLOCK, None]).any(axis=0)
        return {"precision": float(inside_any.mean()), "recall": float(recalled.mean()),
                "density": float(inside_count / (self.k * len(Y))), "coverage": float(covered.mean()),
                "k": self.k, "n_real_used": int(len(X)), "n_synthetic_used": int(len(Y))}


class Discriminator(Metric):
    """Cross-validated accuracy and ROC-AUC of a classifier telling real from synthetic (0.5 = indistinguishable)."""

    name = "discriminator"
    goal = "minimize"

    def __init__(self, folds: int = 5, max_rows: int = 5000, seed: int = 0):
        self.folds, self.max_rows, self.seed = folds, max_rows, seed

    def compute(self, real, synthetic):
        X = _subsample(real, self.max_rows, self.seed)
        Y = _subsample(synthetic, self.max_rows, self.seed + 1)
        data = np.vstack([X, Y])
        label = np.r_[np.zeros(len(X)), np.ones(len(Y))]
        # identical rows share a fold: a copy in the training fold would otherwise "teach" the wrong label
        groups = np.unique(np.ascontiguousarray(data).view(np.dtype((np.void, data.dtype.itemsize * data.shape[1]))),
                           return_inverse=True)[1].ravel()
        folds = min(self.folds, len(X), len(Y), len(np.unique(groups)))
        model = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=self.seed)
        cv = StratifiedGroupKFold(folds, shuffle=True, random_state=self.seed)
        proba = cross_val_predict(model, data, label, groups=groups, cv=cv, method="predict_proba")[:, 1]
        return {"accuracy": float(accuracy_score(label, proba >= 0.5)), "roc_auc": float(roc_auc_score(label, proba)),
                "n_real_used": int(len(X)), "n_synthetic_used": int(len(Y)), "folds": folds}
