"""Significance tools: Nadeau-Bengio corrected resampled t-test, Holm correction, paired bootstrap, McNemar.

scipy has the distributions but none of these corrections; each is a few lines, written here.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def corrected_resampled_ttest(differences: np.ndarray, test_fraction: float) -> tuple[float, float]:
    """Nadeau & Bengio (2003) t-test on per-fold differences: variance inflated by n_test/n_train.

    `test_fraction` is n_test / n_train of one fold (1 / (k - 1) for k-fold). Returns (t, two-sided p).
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return float("nan"), float("nan")
    variance = d.var(ddof=1)
    if variance == 0:
        return (0.0, 1.0) if d.mean() == 0 else (float(np.sign(d.mean()) * np.inf), 0.0)
    t = d.mean() / np.sqrt((1 / len(d) + test_fraction) * variance)
    return float(t), float(2 * stats.t.sf(abs(t), df=len(d) - 1))


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone); NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.flatnonzero(np.isfinite(p))
    order = valid[np.argsort(p[valid])]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted.tolist()


def paired_bootstrap(metric, y: np.ndarray, a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
                     n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict[str, float]:
    """CI of metric(b) - metric(a) over test rows resampled with replacement (both models, same draws).

    `metric` is vectorised (see `synthlib.metrics.batch_metric`); `a` and `b` are (pred, score) pairs.
    """
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(y), (n_boot, len(y)))
    point = metric(y[None], b[0][None], b[1][None])[0] - metric(y[None], a[0][None], a[1][None])[0]
    diffs = metric(y[idx], b[0][idx], b[1][idx]) - metric(y[idx], a[0][idx], a[1][idx])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return {"difference": float(point), "ci_low": float(low), "ci_high": float(high), "n_boot": int(n_boot)}


def bootstrap_ci(metric, y: np.ndarray, pred: np.ndarray, score: np.ndarray, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile CI of one model's metric on the test split."""
    idx = np.random.default_rng(seed).integers(0, len(y), (n_boot, len(y)))
    values = metric(y[idx], pred[idx], score[idx])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def mcnemar(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray) -> dict[str, float]:
    """Exact McNemar test on the discordant pairs (binomial test), with the counts."""
    a_right, b_right = pred_a == y, pred_b == y
    only_a, only_b = int((a_right & ~b_right).sum()), int((~a_right & b_right).sum())
    n = only_a + only_b
    p = 1.0 if n == 0 else float(stats.binomtest(only_b, n, 0.5).pvalue)
    return {"only_baseline_right": only_a, "only_comparator_right": only_b, "p_value": p}
