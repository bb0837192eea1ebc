"""Every configuration at its own operating point: a decision threshold on the minority-class score, chosen for the
objective (`evaluation.objective`: F1 of the minority class by default, F-beta, expected cost, recall at a precision
floor or balanced accuracy; `evaluation.threshold_objective` for the threshold-free pr_auc / roc_auc) from out-of-fold
scores.

Cross-fitted thresholds (binary tasks). In CV repeat r, fold f's rows are classified at the threshold that is best
on the pooled held-out scores of the *other* folds of repeat r; the test split is classified at the threshold that is
best on the pooled held-out scores of every CV fold. A threshold is therefore never chosen on the labels of the rows it
classifies, and the test split plays no part in choosing it. (The other folds' models were trained on rows that
include fold f, so fold f's labels reach the threshold only through those models' fits, not through the rule that
picks it; the verdict's claim is confirmed on the untouched test split, where even that does not happen.)

This costs no extra model fit. Scikit-learn's `TunedThresholdClassifierCV` would refit every configuration inside
each training fold (3 + 1 fits per fold and configuration, about 4x the grid); the cross-fitted rule gives every
configuration, plain, class-weighted or augmented, the same treatment at no extra fit, so a gain that is only a
threshold shift cannot win: each configuration is compared at its own best operating point.

Multi-class tasks keep every model's most probable class (no per-class thresholds).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import FixedThresholdClassifier

from ._fit import FoldFit
from ._objective import Objective


def _cumulative(is_positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Candidate thresholds (distinct scores, highest first) and, predicting positive at `score >= threshold`,
    the true and false positives there; with the number of positives."""
    order = np.argsort(-score, kind="mergesort")
    ranked, hits = score[order], np.asarray(is_positive, dtype=float)[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    tp = np.cumsum(hits)[last_of_tie]
    fp = (last_of_tie + 1) - tp
    return ranked[last_of_tie], tp, fp, int(hits.sum())


def best_threshold(is_positive: np.ndarray, score: np.ndarray, rule: str | Objective = "f1_minority") -> float:
    """The threshold (positive where `score >= threshold`) that maximises the objective's rule on these rows; among
    equal values the highest threshold (the fewest rows flagged). Without a positive row, a threshold above every
    score; so too where flagging no row is best (a cost matrix can make it so)."""
    objective = rule if isinstance(rule, Objective) else Objective(rule)
    score = np.asarray(score, dtype=float)
    above_all = float(np.nextafter(score.max(initial=1.0), np.inf))
    thresholds, tp, fp, positives = _cumulative(np.asarray(is_positive, dtype=bool), score)
    if positives == 0 or not len(thresholds):
        return above_all
    if objective.flags_none_allowed:
        thresholds, tp, fp = np.r_[above_all, thresholds], np.r_[0.0, tp], np.r_[0.0, fp]
    return float(thresholds[int(np.argmax(objective.rule(tp, fp, positives, len(score))))])


def cross_fitted_thresholds(scores: list[np.ndarray], labels: list[np.ndarray], n_splits: int,
                            rule: str | Objective = "f1_minority") -> list[float]:
    """Per CV fold (in `RepeatedStratifiedKFold` order: repeat by repeat, `n_splits` folds each), the best threshold
    on the pooled held-out scores and labels of the other folds of the same repeat."""
    out = []
    for fold in range(len(scores)):
        repeat = range(fold // n_splits * n_splits, (fold // n_splits + 1) * n_splits)
        others = [g for g in repeat if g != fold]
        out.append(best_threshold(np.concatenate([labels[g] for g in others]),
                                  np.concatenate([scores[g] for g in others]), rule))
    return out


def predict_at(proba: np.ndarray, threshold: float, positive: int, other: int) -> np.ndarray:
    """Binary labels at an operating threshold on the `positive` column's probability (`>=`, as scikit-learn's
    `FixedThresholdClassifier`)."""
    return np.where(proba[:, positive] >= threshold, positive, other)


def at_operating_points(jobs: list[tuple[Any, ...]], outputs: list[tuple[list[FoldFit], Any]], y: np.ndarray,
                        positive: int, n_splits: int, rule: str | Objective, X_final: pd.DataFrame) -> list[tuple[list[FoldFit], Any]]:
    """Every binary configuration's records at its own operating point (see the module docstring): CV folds at their
    cross-fitted thresholds, the final fit (fold -1) at the threshold chosen on all the held-out scores, its model
    wrapped in a `FixedThresholdClassifier` so that `predict` applies it. `default_pred` keeps the default labels."""
    held_out: dict[tuple[str, str], dict[int, tuple[np.ndarray, np.ndarray]]] = {}
    for (comparator, fold, _, val_idx), (records, _) in zip(jobs, outputs):
        for r in records if fold >= 0 else ():
            held_out.setdefault((r.classifier, comparator), {})[fold] = (r.proba[:, positive], y[val_idx] == positive)
    thresholds: dict[tuple[str, str], dict[int, float]] = {}
    for configuration, by_fold in held_out.items():
        folds = sorted(by_fold)
        scores, labels = [by_fold[f][0] for f in folds], [by_fold[f][1] for f in folds]
        crossed = cross_fitted_thresholds(scores, labels, n_splits, rule)
        thresholds[configuration] = {**dict(zip(folds, crossed)),
                                     -1: best_threshold(np.concatenate(labels), np.concatenate(scores), rule)}
    other = 1 - positive
    out = []
    for (comparator, fold, _, _), (records, augmented) in zip(jobs, outputs):
        moved = []
        for r in records:
            t = thresholds[(r.classifier, comparator)][fold]
            model = r.model
            if model is not None:  # FrozenEstimator: `fit` only checks two rows and sets `classes_`, nothing refits
                model = FixedThresholdClassifier(FrozenEstimator(model), threshold=t, pos_label=positive,
                                                 response_method="predict_proba").fit(X_final.iloc[:2], [positive, other])
            moved.append(r._replace(pred=predict_at(r.proba, t, positive, other), threshold=t,
                                    default_pred=r.pred, model=model))
        out.append((moved, augmented))
    return out
