"""Integrity checks and per-feature distribution tests (KS, chi-squared) with a named correction."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

CORRECTION = "Benjamini-Hochberg"
CAVEAT = ("KS and chi-squared compare one feature at a time and assume two independent samples; synthetic rows "
          "are made from these real rows, so they are not independent of them and the p-values are only "
          "approximate. A significant difference shows that a feature's distribution was not reproduced. "
          "\"No feature differs\" is not evidence of fidelity: the tests miss joint structure (correlations, "
          "combinations of values), have little power on small samples, and copies of real rows pass them "
          "perfectly. Read them beside the discriminator, coverage and closeness to real rows.")


def _round(value: float, digits: int = 6) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def integrity(real: pd.DataFrame, synthetic: pd.DataFrame, continuous: list[str]) -> dict[str, Any]:
    """Exact copies of real rows, and per-feature mean/std/min/max with the share outside the real range."""
    real_keys = set(pd.util.hash_pandas_object(real.reset_index(drop=True), index=False))
    syn_keys = pd.util.hash_pandas_object(synthetic.reset_index(drop=True), index=False)
    features = {}
    for column in continuous:
        r, s = real[column].astype(float), synthetic[column].astype(float)
        features[column] = {
            "real_mean": _round(r.mean()), "real_std": _round(r.std()), "synthetic_mean": _round(s.mean()),
            "synthetic_std": _round(s.std()), "real_min": _round(r.min()), "real_max": _round(r.max()),
            "synthetic_min": _round(s.min()), "synthetic_max": _round(s.max()),
            "share_outside_real_range": _round(((s < r.min()) | (s > r.max())).mean()),
        }
    return {
        "n_real": int(len(real)), "n_synthetic": int(len(synthetic)),
        "n_exact_copies_of_real": int(syn_keys.isin(real_keys).sum()),
        "n_duplicates_within_synthetic": int(syn_keys.duplicated().sum()),
        "features": features,
    }


def _adjust(p_values: list[float]) -> list[float]:
    if not p_values:
        return []
    return [float(p) for p in stats.false_discovery_control(np.asarray(p_values), method="bh")]


def interpret(p_adjusted: float, alpha: float) -> str:
    if p_adjusted < alpha:
        return f"distributions differ (adjusted p < {alpha})"
    return f"no significant difference (adjusted p >= {alpha})"


def distribution_tests(real: pd.DataFrame, synthetic: pd.DataFrame, continuous: list[str], categorical: list[str],
                       alpha: float = 0.05) -> dict[str, Any]:
    """KS per continuous feature, chi-squared per categorical feature; p-values adjusted together.

    `caveat` says what the tests can and cannot show (see CAVEAT).
    """
    ks = {}
    for column in continuous:
        result = stats.ks_2samp(real[column].astype(float), synthetic[column].astype(float))
        ks[column] = {"statistic": float(result.statistic), "p_value": float(result.pvalue)}
    chi2 = {}
    for column in categorical:
        categories = sorted(set(real[column].astype(str)) | set(synthetic[column].astype(str)))
        real_counts = real[column].astype(str).value_counts().reindex(categories, fill_value=0)
        syn_counts = synthetic[column].astype(str).value_counts().reindex(categories, fill_value=0)
        table = np.vstack([real_counts.to_numpy(), syn_counts.to_numpy()])
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] < 2:
            statistic, p_value = 0.0, 1.0
        else:
            statistic, p_value = stats.chi2_contingency(table)[:2]
        chi2[column] = {"statistic": float(statistic), "p_value": float(p_value),
                        "real_counts": {k: int(v) for k, v in real_counts.items()},
                        "synthetic_counts": {k: int(v) for k, v in syn_counts.items()}}
    names = [("ks", c) for c in ks] + [("chi2", c) for c in chi2]
    adjusted = _adjust([(ks if kind == "ks" else chi2)[c]["p_value"] for kind, c in names])
    for (kind, column), p in zip(names, adjusted):
        entry = (ks if kind == "ks" else chi2)[column]
        entry["p_adjusted"] = p
        entry["interpretation"] = interpret(p, alpha)
    return {"correction": CORRECTION, "alpha": alpha, "ks": ks, "chi2": chi2,
            "n_features_differing": sum(p < alpha for p in adjusted), "caveat": CAVEAT}


def class_balance(y_train, y_test, y_augmented, minority: Any, majority: Any) -> dict[str, float | None]:
    """Minority:majority ratio in the original training split, the test split and the augmented training set."""
    def ratio(y) -> float | None:
        if y is None:
            return None
        y = pd.Series(np.asarray(y))
        return _round((y == minority).sum() / max((y == majority).sum(), 1))

    return {"original_train": ratio(y_train), "test": ratio(y_test), "augmented_train": ratio(y_augmented)}
