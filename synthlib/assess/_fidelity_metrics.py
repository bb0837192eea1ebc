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
    """Unbiased squared MMD with an RBF kernel exp(-gamma ||x - y||^2) (Gretton et al. 2012), blocked.

    The bandwidth is the median heuristic (Gretton et al. 2012, section 8): sigma = median pairwise
    distance of the pooled real + synthetic rows, gamma = 1 / (2 sigma^2), so the kernel stays
    informative whatever the number of encoded columns (a fixed gamma = 1 gives ~0 on 20 standardised
    columns). A fixed `gamma` can still be given. The p-value is a seeded permutation test of "both
    samples come from one distribution" on up to `permutation_rows` rows of each (written here because
    no maintained library offers a blocked, seeded MMD permutation test for two samples of this size).
    """

    name = "mmd"
    goal = "minimize"
    max_value = float("inf")
    MEDIAN_ROWS = 1000  # pooled rows whose pairwise distances give the median (~500k pairs)

    def __init__(self, gamma: float | None = None, max_rows: int = 5000, seed: int = 0, n_permutations: int = 200,
                 permutation_rows: int = 1000):
        self.gamma, self.max_rows, self.seed = gamma, max_rows, seed
        self.n_permutations, self.permutation_rows = n_permutations, permutation_rows

    def bandwidth(self, X: np.ndarray, Y: np.ndarray) -> float:
        """Median pairwise distance among (a seeded sample of) the pooled rows; zero distances (ties) left out."""
        from scipy.spatial.distance import pdist

        pooled = _subsample(np.vstack([X, Y]), self.MEDIAN_ROWS, self.seed + 2)
        distances = pdist(pooled)
        distances = distances[distances > 0]
        return float(np.median(distances)) if len(distances) else 1.0

    @staticmethod
    def _kernel_sum(A, B, gamma: float, same: bool) -> float:
        total = 0.0
        for start in range(0, len(A), BLOCK):
            total += np.exp(-gamma * _sq_dist(A[start:start + BLOCK], B)).sum()
        return total - (len(A) if same else 0.0)  # drop k(x, x) = 1 terms

    @classmethod
    def statistic(cls, X: np.ndarray, Y: np.ndarray, gamma: float) -> float:
        m, n = len(X), len(Y)
        return (cls._kernel_sum(X, X, gamma, True) / (m * (m - 1)) + cls._kernel_sum(Y, Y, gamma, True) / (n * (n - 1))
                - 2 * cls._kernel_sum(X, Y, gamma, False) / (m * n))

    def permutation_p_value(self, X: np.ndarray, Y: np.ndarray, gamma: float) -> tuple[float, int, int]:
        """(p, rows of X used, rows of Y used): share of label permutations whose MMD >= the observed one.

        One pooled kernel matrix; each permutation's within/between sums come from K @ indicators.
        """
        X = _subsample(X, self.permutation_rows, self.seed + 3)
        Y = _subsample(Y, self.permutation_rows, self.seed + 4)
        m, n = len(X), len(Y)
        pooled = np.vstack([X, Y])
        K = np.exp(-gamma * _sq_dist(pooled, pooled))
        np.fill_diagonal(K, 0.0)
        total, row_sums = K.sum(), K.sum(1)
        rng = np.random.default_rng(self.seed)
        labels = np.zeros((m + n, self.n_permutations + 1))
        labels[:m, 0] = 1.0  # column 0: the observed split
        for j in range(1, self.n_permutations + 1):
            labels[rng.permutation(m + n)[:m], j] = 1.0
        within_x = np.einsum("ip,ip->p", labels, K @ labels)
        between = labels.T @ row_sums - within_x
        within_y = total - within_x - 2 * between
        values = within_x / (m * (m - 1)) + within_y / (n * (n - 1)) - 2 * between / (m * n)
        p = (1 + np.sum(values[1:] >= values[0] - 1e-12)) / (1 + self.n_permutations)
        return float(p), m, n

    def compute(self, real, synthetic):
        X = _subsample(real, self.max_rows, self.seed)
        Y = _subsample(synthetic, self.max_rows, self.seed + 1)
        sigma = self.bandwidth(X, Y) if self.gamma is None else float(np.sqrt(1 / (2 * self.gamma)))
        gamma = 1 / (2 * sigma**2) if self.gamma is None else self.gamma
        result = {"score": float(self.statistic(X, Y, gamma)), "gamma": gamma, "bandwidth": sigma,
                  "bandwidth_rule": "median heuristic (pooled rows)" if self.gamma is None else "fixed gamma",
                  "n_real_used": len(X), "n_synthetic_used": len(Y)}
        if self.n_permutations and min(len(X), len(Y)) >= 2:
            p, m, n = self.permutation_p_value(X, Y, gamma)
            result.update(p_value=p, n_permutations=self.n_permutations, n_real_permuted=m, n_synthetic_permuted=n)
        else:
            result.update(p_value=None, n_permutations=0)
        return result


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
    """Cross-validated accuracy and ROC-AUC of a classifier telling real from synthetic.

    ROC-AUC 0.5 = indistinguishable. Accuracy is judged against `chance_accuracy`, the majority share
    (always guessing the larger group), not 0.5: with 240 real and 320 synthetic rows chance is 0.571.
    """

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
        accuracy, chance = float(accuracy_score(label, proba >= 0.5)), max(len(X), len(Y)) / len(data)
        return {"accuracy": accuracy, "chance_accuracy": float(chance), "accuracy_above_chance": accuracy - chance,
                "roc_auc": float(roc_auc_score(label, proba)),
                "n_real_used": int(len(X)), "n_synthetic_used": int(len(Y)), "folds": folds}


class Closeness(Metric):
    """Median distance from synthetic rows to their closest real row (DCR) against the real rows' own spacing.

    The yardstick is the median distance from each real row to its closest *other* real row: a fresh
    sample of the same distribution lies about that far from the real rows. A synthetic sample whose
    median DCR is below `near_copy_ratio` times that yardstick sits on top of real rows (near-copies,
    e.g. interpolation between close neighbours): a low discriminator AUC then shows copying, not fidelity.
    """

    name = "closeness"
    goal = "maximize"  # towards ratio 1; below the near-copy ratio is a warning
    max_value = float("inf")

    def __init__(self, near_copy_ratio: float = 0.5, max_queries: int = 20000, seed: int = 0):
        self.near_copy_ratio, self.max_queries, self.seed = near_copy_ratio, max_queries, seed

    def compute(self, real, synthetic):
        index = NearestNeighbors(n_neighbors=2, algorithm="brute").fit(real)
        synthetic_q = _subsample(synthetic, self.max_queries, self.seed + 1)
        real_q = _subsample(real, self.max_queries, self.seed)
        synthetic_dcr = float(np.median(index.kneighbors(synthetic_q, n_neighbors=1)[0][:, 0]))
        real_spacing = float(np.median(index.kneighbors(real_q)[0][:, 1]))  # column 0 is the row itself
        ratio = synthetic_dcr / real_spacing if real_spacing > 0 else float("inf") if synthetic_dcr > 0 else 1.0
        near_copy = bool(ratio < self.near_copy_ratio)
        return {"score": float(ratio), "synthetic_median_dcr": synthetic_dcr, "real_median_nn_distance": real_spacing,
                "near_copy": near_copy, "near_copy_ratio": self.near_copy_ratio,
                "rule": f"near-copy when the synthetic median DCR < {self.near_copy_ratio} x the real rows' median "
                        "distance to their closest other real row",
                "n_real_used": int(len(real_q)), "n_synthetic_used": int(len(synthetic_q))}
