"""Synthetic data validation (report section 3): does the synthetic minority resemble the real one?"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ._fidelity_metrics import MMD, PRDC, Closeness, Coverage, Density, Discriminator, Diversity, Metric
from ._fidelity_statistics import class_balance, distribution_tests, integrity

logger = logging.getLogger(__name__)
__all__ = ["compute_evaluation_metrics", "encode_pair", "collapse_warning", "Closeness", "Coverage", "Density",
           "Diversity", "MMD", "PRDC", "Discriminator", "Metric", "class_balance"]

COLLAPSE_AUC, COLLAPSE_RECALL = 0.95, 0.1  # easy to tell apart AND few real rows recalled: a collapsed generator
CLOSENESS_QUERIES = 2000  # rows whose distances give each median: enough for two medians, ~5 s at 100k rows


def encode_pair(real: pd.DataFrame, synthetic: pd.DataFrame, continuous: list[str], categorical: list[str]
                ) -> tuple[np.ndarray, np.ndarray]:
    """Continuous columns standardised with the real rows' mean/std; categorical one-hot over both."""
    parts_real, parts_syn = [], []
    if continuous:
        r, s = real[continuous].astype(float).to_numpy(), synthetic[continuous].astype(float).to_numpy()
        mean, std = r.mean(0), r.std(0)
        std[std == 0] = 1.0
        parts_real.append((r - mean) / std)
        parts_syn.append((s - mean) / std)
    for column in categorical:
        categories = sorted(set(real[column].astype(str)) | set(synthetic[column].astype(str)))
        parts_real.append(pd.get_dummies(pd.Categorical(real[column].astype(str), categories)).to_numpy(float))
        parts_syn.append(pd.get_dummies(pd.Categorical(synthetic[column].astype(str), categories)).to_numpy(float))
    return np.hstack(parts_real), np.hstack(parts_syn)


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame, continuous: list[str], categorical: list[str],
                      max_rows: int = 5000, seed: int = 0) -> dict[str, Any]:
    """SDMetrics' QualityReport (Column Shapes, Column Pair Trends) on up to `max_rows` rows of each."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from sdmetrics.reports.single_table import QualityReport

    columns = continuous + categorical
    metadata = {"columns": {c: {"sdtype": "numerical" if c in continuous else "categorical"} for c in columns}}
    r = real[columns].sample(min(len(real), max_rows), random_state=seed)
    s = synthetic[columns].sample(min(len(synthetic), max_rows), random_state=seed)
    report = QualityReport()
    report.generate(r.reset_index(drop=True), s.reset_index(drop=True), metadata, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return {"score": float(report.get_score()), "column_shapes": float(properties.get("Column Shapes", np.nan)),
            "column_pair_trends": float(properties.get("Column Pair Trends", np.nan)), "n_rows_used": int(len(r))}


def _safe(name: str, compute, errors: dict[str, str]) -> dict[str, Any] | None:
    """A metric that fails records its error and the others carry on (SDMetrics' `details` idea)."""
    try:
        return compute()
    except Exception as exc:  # noqa: BLE001 - one failing metric must not crash the report
        logger.warning("validation metric %s failed: %s", name, exc)
        errors[name] = f"{type(exc).__name__}: {exc}"
        return None


def collapse_warning(discriminator: dict[str, Any] | None, prdc: dict[str, Any] | None) -> dict[str, Any]:
    """Mode collapse: the discriminator separates the rows (AUC > 0.95) and k-NN recall < 0.1 (few real rows
    have a synthetic row in their neighbourhood), e.g. TVAE on German credit: AUC 0.998, recall 0.033."""
    if not discriminator or not prdc:
        return {"collapsed": False, "reason": "not assessed: the discriminator or k-NN recall could not be computed"}
    auc, recall = discriminator["roc_auc"], prdc["recall"]
    if auc > COLLAPSE_AUC and recall < COLLAPSE_RECALL:
        return {"collapsed": True, "reason": f"discriminator ROC-AUC {auc:.3f} > {COLLAPSE_AUC} with k-NN recall "
                                             f"{recall:.3f} < {COLLAPSE_RECALL}: the synthetic rows cover a small "
                                             "part of the real minority (mode collapse)"}
    return {"collapsed": False, "reason": f"discriminator ROC-AUC {auc:.3f}, k-NN recall {recall:.3f}: not both "
                                          f"beyond AUC > {COLLAPSE_AUC} and recall < {COLLAPSE_RECALL}"}


def compute_evaluation_metrics(original_minority: pd.DataFrame, synthetic_minority: pd.DataFrame,
                               continuous_features: list[str], categorical_features: list[str],
                               distance_threshold: float = 0.5, density_threshold: float = 0.5,
                               gamma: float | None = None,
                               plot: bool = False, *, alpha: float = 0.05, max_rows: int = 5000, seed: int = 0,
                               class_ratios: dict[str, Any] | None = None, quality: bool = True) -> dict[str, Any]:
    """All fidelity metrics of one synthetic minority against the real one, as JSON-ready data.

    `gamma=None` sets the MMD bandwidth by the median heuristic. A metric that raises leaves `None` under
    its name and its reason under `errors` (the report shows it as an "n/a" row). With `plot=True` the
    result also holds matplotlib figures under `figures` (not JSON-serialisable).
    """
    continuous, categorical = list(continuous_features), list(categorical_features)
    real = original_minority[continuous + categorical].reset_index(drop=True)
    synthetic = synthetic_minority[continuous + categorical].reset_index(drop=True)
    errors: dict[str, str] = {}
    result: dict[str, Any] = {
        "integrity": _safe("integrity", lambda: integrity(real, synthetic, continuous), errors),
        "distribution_tests": _safe("distribution_tests", lambda: distribution_tests(
            real, synthetic, continuous, categorical, alpha), errors),
    }
    if len(synthetic) < 2:
        errors["geometry"] = f"only {len(synthetic)} synthetic row(s): distance metrics need at least 2"
        result.update(errors=errors, collapse_warning=collapse_warning(None, None))
        return result
    Z_real, Z_syn = encode_pair(real, synthetic, continuous, categorical)
    metrics = {"coverage": Coverage(distance_threshold, 4 * max_rows, seed),
               "density": Density(density_threshold, 4 * max_rows, seed),
               "diversity": Diversity(max_rows, seed), "mmd": MMD(gamma, max_rows, seed),
               "prdc": PRDC(5, max_rows, seed), "discriminator": Discriminator(5, max_rows, seed),
               "closeness": Closeness(0.5, min(max_rows, CLOSENESS_QUERIES), seed)}
    for name, metric in metrics.items():
        result[name] = _safe(name, lambda m=metric: m.compute(Z_real, Z_syn), errors)
    if quality:
        result["sdmetrics_quality"] = _safe("sdmetrics_quality", lambda: sdmetrics_quality(
            real, synthetic, continuous, categorical, max_rows, seed), errors)
    if class_ratios is not None:
        result["class_balance"] = class_ratios
    result["collapse_warning"] = collapse_warning(result["discriminator"], result["prdc"])
    result["errors"] = errors
    if plot:
        from ._fidelity_plots import correlation_difference, distribution_overlays, pca_projection

        result["figures"] = {
            "distributions": distribution_overlays(real, synthetic, continuous, categorical),
            "correlation_difference": correlation_difference(real, synthetic, continuous) if len(continuous) > 1 else None,
            "pca": pca_projection(Z_real, Z_syn, seed=seed),
        }
    return result
