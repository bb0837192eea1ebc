"""Significance tools: Nadeau-Bengio corrected resampled t-test, Holm correction, paired bootstrap, McNemar.

Holm and McNemar are statsmodels'. No library has the Nadeau-Bengio correction (scipy has Student's t, and
tests/test_stats.py checks the test against `ttest_1samp` where the correction is zero), nor a bootstrap over draw
weights shared by many models (scipy's `bootstrap` resamples one statistic at a time), so those are written here.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

import numpy as np
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar as statsmodels_mcnemar
from statsmodels.stats.multitest import multipletests

DEGENERATE_VARIANCE = 1e-12  # relative to max(1, mean^2): below it the per-fold differences count as constant


def is_degenerate(differences: np.ndarray) -> bool:
    """True when the finite per-fold differences have (numerically) no spread, so no t statistic exists.

    The variance counts as zero when it is at most DEGENERATE_VARIANCE x max(1, mean^2): floating-point
    noise (constant differences of 0.02 give a variance of about 1e-33, not 0) is not a spread.
    """
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    return len(d) >= 2 and d.var(ddof=1) <= DEGENERATE_VARIANCE * max(1.0, d.mean() ** 2)


def corrected_resampled_ttest(differences: np.ndarray, test_fraction: float, margin: float = 0.0,
                              alternative: Literal["two-sided", "greater", "less"] = "two-sided",
                              ) -> tuple[float, float]:
    """Nadeau & Bengio (2003) t-test on per-fold differences: variance inflated by n_test/n_train.

    `test_fraction` is n_test / n_train of one fold (1 / (k - 1) for k-fold). Returns (t, p) with
    t = (mean - margin) / sqrt((1/J + test_fraction) * s^2) on J folds and p from Student's t with J - 1
    degrees of freedom. `alternative`: "two-sided" tests H0 mean = margin; "greater" tests
    H0 mean <= margin (H1: the mean difference exceeds `margin`); "less" tests H0 mean >= margin.
    Fewer than two finite differences give (nan, nan).

    Degenerate case (`is_degenerate`: the differences are constant): t is +inf or -inf by the sign of
    mean - margin, with the limiting p (0 on the side of the alternative, 1 on the other); when mean -
    margin is itself numerically zero, t is nan and p is 1 (no difference and no spread: nothing to reject).
    """
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError(f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}")
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return float("nan"), float("nan")
    effect = d.mean() - margin
    if is_degenerate(d):
        if abs(effect) <= np.sqrt(DEGENERATE_VARIANCE * max(1.0, d.mean() ** 2)):
            return float("nan"), 1.0
        t = float(np.sign(effect) * np.inf)
    else:
        t = float(effect / np.sqrt((1 / len(d) + test_fraction) * d.var(ddof=1)))
    df = len(d) - 1
    if alternative == "greater":
        p = stats.t.sf(t, df)
    elif alternative == "less":
        p = stats.t.cdf(t, df)
    else:
        p = 2 * stats.t.sf(abs(t), df)
    return t, float(p)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (statsmodels' `multipletests(method="holm")`); NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    valid = np.isfinite(p)
    if valid.any():
        adjusted[valid] = multipletests(p[valid], method="holm")[1]
    return adjusted.tolist()


MAX_DRAW_CELLS = 4_000_000  # rows x draws resampled at once: bounds memory on large test splits


def _draw_chunks(rng: np.random.Generator, n_rows: int, n_boot: int):
    """Bootstrap index arrays of at most MAX_DRAW_CELLS cells each, from one seeded generator."""
    per_chunk = max(1, MAX_DRAW_CELLS // max(n_rows, 1))
    for start in range(0, n_boot, per_chunk):
        yield rng.integers(0, n_rows, (min(per_chunk, n_boot - start), n_rows))


def _weight_chunks(rng: np.random.Generator, n_rows: int, n_boot: int):
    """The same draws as `_draw_chunks`, as (draws, n_rows) counts of how often each row was drawn."""
    for idx in _draw_chunks(rng, n_rows, n_boot):
        yield np.stack([np.bincount(row, minlength=n_rows) for row in idx]).astype(float)


def bootstrap_draws(functions: dict[Any, Callable[[np.ndarray], np.ndarray]], n_rows: int, n_boot: int = 1000,
                    seed: int = 0) -> dict[Any, np.ndarray]:
    """Every function's values on the same seeded bootstrap draws of `n_rows` rows, in one pass over the draws.

    Each function takes the (draws, n_rows) draw counts (see `synthlib.evaluate._metrics.batch_metric`). The draws are those
    of `paired_bootstrap` and `bootstrap_ci` with the same seed, so many models' CIs and paired differences come
    from one generation of the draws instead of one per comparison.
    """
    rng = np.random.default_rng(seed)
    values: dict[Any, list[np.ndarray]] = {key: [] for key in functions}
    for weights in _weight_chunks(rng, n_rows, n_boot):
        for key, function in functions.items():
            values[key].append(function(weights))
    return {key: np.concatenate(chunks) if chunks else np.empty(0) for key, chunks in values.items()}


def difference_interval(point: float, differences: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Percentile CI of bootstrap differences (draws without a value, NaN, left out), as `paired_bootstrap` returns it."""
    differences = differences[np.isfinite(differences)]  # a draw without a minority row has no value for some metrics
    if not len(differences):
        return {"difference": float(point), "ci_low": float("nan"), "ci_high": float("nan"), "n_boot": 0}
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(differences, [tail, 100 - tail])
    return {"difference": float(point), "ci_low": float(low), "ci_high": float(high), "n_boot": int(len(differences))}


def percentile_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile CI of one model's bootstrap values, as `bootstrap_ci` returns it."""
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def paired_bootstrap(metric, y: np.ndarray, a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
                     n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict[str, float]:
    """CI of metric(b) - metric(a) over test rows resampled with replacement (both models, same draws).

    `metric` is vectorised over draw weights (see `synthlib.evaluate._metrics.batch_metric`); `a` and `b` are (pred, score).
    """
    everything = np.ones((1, len(y)))
    point = metric(y, *b, everything)[0] - metric(y, *a, everything)[0]
    draws = bootstrap_draws({"a": lambda w: metric(y, *a, w), "b": lambda w: metric(y, *b, w)}, len(y), n_boot, seed)
    return difference_interval(point, draws["b"] - draws["a"], level)


def bootstrap_ci(metric, y: np.ndarray, pred: np.ndarray, score: np.ndarray, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile CI of one model's metric on the test split."""
    values = bootstrap_draws({"m": lambda w: metric(y, pred, score, w)}, len(y), n_boot, seed)["m"]
    return percentile_interval(values, level)


def mcnemar(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray) -> dict[str, float | int | str]:
    """Exact McNemar test on the discordant pairs (statsmodels' `mcnemar(exact=True)`), with the counts and their
    direction.

    b = rows A (the baseline) gets right and B (the comparator) gets wrong, c = rows A gets wrong and B
    right. `statistic` is min(b, c), as statsmodels gives it; `favours` is "a" when b > c, "b" when
    c > b, "neither" when equal: the direction only, read its significance from `p_value`.
    `only_baseline_right` / `only_comparator_right` repeat b / c under their older names.
    """
    a_right, b_right = pred_a == y, pred_b == y
    b, c = int((a_right & ~b_right).sum()), int((~a_right & b_right).sum())
    p = 1.0 if b + c == 0 else float(statsmodels_mcnemar([[0, b], [c, 0]], exact=True).pvalue)
    favours = "a" if b > c else "b" if c > b else "neither"
    return {"b": b, "c": c, "statistic": min(b, c), "p_value": p, "favours": favours,
            "only_baseline_right": b, "only_comparator_right": c}


def corrected_interval(differences: np.ndarray, test_fraction: float, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of per-fold differences and its CI with the Nadeau-Bengio corrected variance (Student's t, J - 1 df)."""
    d = np.asarray(differences, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return float("nan"), float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, df=len(d) - 1) * np.sqrt((1 / len(d) + test_fraction) * d.var(ddof=1))
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)
