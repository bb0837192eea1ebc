"""Fairness review: fairlearn `MetricFrame` per model and sensitive attribute, gaps before vs after
augmentation with bootstrap CIs, and representation of groups in real vs synthetic minority rows."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (MetricFrame, demographic_parity_difference, demographic_parity_ratio,
                               equalized_odds_difference, equalized_odds_ratio, false_positive_rate,
                               selection_rate, true_positive_rate)
from scipy import stats
from sklearn.metrics import precision_score

from .config import AuditConfig

NO_SENSITIVE = ("No sensitive attributes are configured for this data set (features.sensitive is empty), so no "
                "group fairness metrics were computed. If the data describe people, list the protected attributes "
                "in the params file and re-run the audit.")


def sensitive_groups(frame: pd.DataFrame, config: AuditConfig) -> pd.DataFrame:
    """One column of group labels per sensitive attribute (continuous ones binned), plus intersections."""
    groups = {}
    for attribute in config.features.sensitive:
        values = frame[attribute.column]
        if attribute.bins is not None:
            labels = list(attribute.labels) if attribute.labels else None
            values = pd.cut(values.astype(float), bins=list(attribute.bins), labels=labels, include_lowest=True)
        groups[attribute.column] = values.astype(str).to_numpy()
    out = pd.DataFrame(groups, index=frame.index)
    if config.fairness.intersections and len(out.columns) > 1:
        out[" x ".join(out.columns)] = out.astype(str).agg(" | ".join, axis=1)
    return out


def _gaps(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, positive: int) -> dict[str, float]:
    yt, yp = (y == positive).astype(int), (pred == positive).astype(int)
    return {
        "demographic_parity_difference": float(demographic_parity_difference(yt, yp, sensitive_features=groups)),
        "demographic_parity_ratio": float(demographic_parity_ratio(yt, yp, sensitive_features=groups)),
        "equalized_odds_difference": float(equalized_odds_difference(yt, yp, sensitive_features=groups)),
        "equalized_odds_ratio": float(equalized_odds_ratio(yt, yp, sensitive_features=groups)),
    }


def model_fairness(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, positive: int,
                   disparate_impact_min: float = 0.8) -> dict[str, Any]:
    """MetricFrame by group (selection rate, TPR, FPR, precision) and the single-number gaps."""
    yt, yp = (y == positive).astype(int), (pred == positive).astype(int)
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "recall": true_positive_rate, "fpr": false_positive_rate,
                 "precision": partial(precision_score, zero_division=0), "count": lambda t, p: len(t)},
        y_true=yt, y_pred=yp, sensitive_features=groups)
    gaps = _gaps(y, pred, groups, positive)
    by_group = frame.by_group.reset_index().rename(columns={"sensitive_feature_0": "group"})
    return {"by_group": by_group.to_dict(orient="records"), **gaps,
            "four_fifths_violated": bool(gaps["demographic_parity_ratio"] < disparate_impact_min)}


def _bootstrap_gaps(y, pred, groups, positive, idx: np.ndarray) -> pd.DataFrame:
    """Demographic-parity and equalized-odds gaps for every bootstrap draw, vectorised over draws.

    Point values come from fairlearn (`_gaps`); for the CIs, fairlearn's MetricFrame took ~8 s per
    200 draws (even with the draws as a control feature), so the same group rates are computed
    here with numpy. A test checks these per-draw values against fairlearn on the same draws.
    """
    yt, yp, g = (y[idx] == positive), (pred[idx] == positive), groups[idx]
    selection, tpr, fpr = [], [], []
    with np.errstate(invalid="ignore", divide="ignore"):
        for value in np.unique(groups):
            member = g == value
            selection.append((yp & member).sum(1) / member.sum(1))
            tpr.append((yp & yt & member).sum(1) / (yt & member).sum(1))
            fpr.append((yp & ~yt & member).sum(1) / (~yt & member).sum(1))
        selection, tpr, fpr = np.array(selection), np.array(tpr), np.array(fpr)

        def diff(rates):
            return np.nanmax(rates, 0) - np.nanmin(rates, 0)

        def ratio(rates):
            return np.nanmin(rates, 0) / np.nanmax(rates, 0)

        return pd.DataFrame({
            "demographic_parity_difference": diff(selection), "demographic_parity_ratio": ratio(selection),
            "equalized_odds_difference": np.maximum(diff(tpr), diff(fpr)),
            "equalized_odds_ratio": np.minimum(ratio(tpr), ratio(fpr)),
        })


def gap_change(y, pred_before, pred_after, groups, positive, n_boot: int = 200, seed: int = 0) -> dict[str, Any]:
    """Change of each gap (after - before) with a paired bootstrap CI over test rows (same draws for both)."""
    before, after = _gaps(y, pred_before, groups, positive), _gaps(y, pred_after, groups, positive)
    idx = np.random.default_rng(seed).integers(0, len(y), (n_boot, len(y)))
    change = _bootstrap_gaps(y, pred_after, groups, positive, idx) - _bootstrap_gaps(y, pred_before, groups, positive, idx)
    out = {}
    for k in before:
        values = change[k].replace([np.inf, -np.inf], np.nan).dropna().to_numpy()
        low, high = np.percentile(values, [2.5, 97.5]) if len(values) else (np.nan, np.nan)
        out[k] = {"before": before[k], "after": after[k], "change": after[k] - before[k],
                  "ci_low": float(low), "ci_high": float(high)}
    return out


def representation(real_groups: np.ndarray, synthetic_groups: np.ndarray, tolerance: float,
                   alpha: float = 0.05) -> dict[str, Any]:
    """Share of each group in real vs synthetic minority rows, chi-squared test, and an amplification flag."""
    categories = sorted(set(real_groups) | set(synthetic_groups))
    real = pd.Series(real_groups).value_counts().reindex(categories, fill_value=0)
    syn = pd.Series(synthetic_groups).value_counts().reindex(categories, fill_value=0)
    table = np.vstack([real.to_numpy(), syn.to_numpy()])
    table = table[:, table.sum(0) > 0]
    p = float(stats.chi2_contingency(table)[1]) if table.shape[1] > 1 and syn.sum() > 0 else 1.0
    real_share, syn_share = real / max(real.sum(), 1), syn / max(syn.sum(), 1)
    shift = (syn_share - real_share)
    return {"real_share": real_share.round(6).to_dict(), "synthetic_share": syn_share.round(6).to_dict(),
            "chi2_p_value": p, "largest_shift": float(shift.abs().max()),
            "largest_shift_group": str(shift.abs().idxmax()),
            "flagged": bool(p < alpha and shift.abs().max() > tolerance)}


def assess(config: AuditConfig, X_test: pd.DataFrame, y_test: np.ndarray, predictions: dict[str, dict[str, np.ndarray]],
           real_minority: pd.DataFrame, synthetic_minority: dict[str, pd.DataFrame], positive: int) -> dict[str, Any]:
    """Fairness section of the audit. `predictions[classifier][comparator]` are encoded test predictions."""
    if not config.features.sensitive:
        return {"available": False, "statement": NO_SENSITIVE}
    fc = config.fairness
    test_groups = sensitive_groups(X_test, config)
    real_groups = sensitive_groups(real_minority, config)
    out: dict[str, Any] = {"available": True, "attributes": list(test_groups.columns), "tolerance": fc.tolerance,
                           "disparate_impact_min": fc.disparate_impact_min, "models": {}, "changes": {},
                           "representation": {}}
    for attribute in test_groups.columns:
        groups = test_groups[attribute].to_numpy()
        for classifier, by_comparator in predictions.items():
            for comparator, pred in by_comparator.items():
                out["models"].setdefault(attribute, {}).setdefault(classifier, {})[comparator] = model_fairness(
                    y_test, pred, groups, positive, fc.disparate_impact_min)
                if comparator != "baseline":
                    change = gap_change(y_test, by_comparator["baseline"], pred, groups, positive, fc.n_bootstrap,
                                        config.split.seed)
                    change["widened_beyond_tolerance"] = [k for k in ("demographic_parity_difference", "equalized_odds_difference")
                                                          if change[k]["change"] > fc.tolerance]
                    out["changes"].setdefault(attribute, {}).setdefault(classifier, {})[comparator] = change
        for method, synthetic in synthetic_minority.items():
            syn_groups = sensitive_groups(synthetic, config)[attribute].to_numpy()
            out["representation"].setdefault(attribute, {})[method] = representation(
                real_groups[attribute].to_numpy(), syn_groups, fc.tolerance)
    return out
