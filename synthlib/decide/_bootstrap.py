"""The test-split paired bootstrap the verdict's comparisons read: candidate minus reference, any metric."""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from synthlib.evaluate import (MATCHED_RECALL, Configuration, UtilityResult, average_precision, batch_metric,
                               bootstrap_draws, difference_interval, recall_at_precision, single_metric)

Bootstrap = Callable[[Configuration, Configuration, str], dict[str, Any]]


def make_bootstrap(utility: UtilityResult, test_predictions: dict[Configuration, tuple[np.ndarray, np.ndarray]],
                   y_test: np.ndarray, n_boot: int, seed: int) -> Bootstrap:
    """Paired bootstrap of candidate - reference on the test split, for any metric the verdict uses.

    Binary metrics with a vectorised form use the draws of `stats.paired_bootstrap`, each configuration's values
    computed once; the others (multi-class metrics) are recomputed draw by draw with the same seeded generator.
    """
    classes = utility.classes
    positive, majority = classes.index(classes.positive), classes.index(classes.majority)
    minority = [classes.index(m) for m in classes.minority]
    binary = classes.binary
    matched_precision = utility.protocol.matched_precision
    objective = utility.protocol.decision_objective()

    def value(metric: str, y: np.ndarray, pred: np.ndarray, proba: np.ndarray) -> float:
        if metric == MATCHED_RECALL:
            return recall_at_precision(y == positive, proba[:, positive], matched_precision)
        if metric == "pr_auc" and binary:
            return average_precision(y == positive, proba[:, positive])
        return single_metric(metric, y, proba, pred, minority, majority, objective)

    cache: dict[tuple[Configuration, str], tuple[float, np.ndarray]] = {}

    def drawn(configuration: Configuration, metric: str, vectorised) -> tuple[float, np.ndarray]:
        """One configuration's metric on all test rows and on the seeded draws, computed once (a configuration is
        in many comparisons; the draws are those of `stats.paired_bootstrap`, so the differences are the same)."""
        if (configuration, metric) not in cache:
            pred, proba = test_predictions[configuration]
            function = functools.partial(vectorised, y_test, pred, proba[:, positive])
            cache[(configuration, metric)] = (float(function(np.ones((1, len(y_test))))[0]),
                                              bootstrap_draws({0: function}, len(y_test), n_boot, seed)[0])
        return cache[(configuration, metric)]

    def run(candidate: Configuration, reference: Configuration, metric: str) -> dict[str, Any]:
        (pred_b, proba_b), (pred_a, proba_a) = test_predictions[candidate], test_predictions[reference]
        vectorised = batch_metric(metric, positive, matched_precision, objective=objective) if binary else None
        if vectorised is not None:
            (point_b, draws_b), (point_a, draws_a) = drawn(candidate, metric, vectorised), drawn(reference, metric, vectorised)
            out = difference_interval(point_b - point_a, draws_b - draws_a)
            return {"test_difference": out["difference"], "ci_low": out["ci_low"], "ci_high": out["ci_high"]}
        if metric == MATCHED_RECALL and matched_precision is None:
            return {"test_difference": None, "ci_low": None, "ci_high": None}
        rng, draws = np.random.default_rng(seed), []
        with np.errstate(all="ignore"):
            for _ in range(n_boot):
                idx = rng.integers(0, len(y_test), len(y_test))
                try:
                    draws.append(value(metric, y_test[idx], pred_b[idx], proba_b[idx])
                                 - value(metric, y_test[idx], pred_a[idx], proba_a[idx]))
                except ValueError:  # a draw that lacks a class: no value for it
                    continue
        draws = np.asarray(draws, dtype=float)
        draws = draws[np.isfinite(draws)]
        low, high = np.percentile(draws, [2.5, 97.5]) if len(draws) else (np.nan, np.nan)
        point = value(metric, y_test, pred_b, proba_b) - value(metric, y_test, pred_a, proba_a)
        return {"test_difference": float(point), "ci_low": float(low), "ci_high": float(high)}

    return run
