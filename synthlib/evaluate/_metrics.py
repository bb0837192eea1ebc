"""Classification metrics for the minority class(es): overall, per class, confusion, curves."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (average_precision_score, confusion_matrix, log_loss, precision_recall_curve, roc_auc_score,
                             roc_curve)

from ._objective import PARAMETERISED, Objective

LOWER_IS_BETTER = frozenset({"brier", "log_loss", "expected_cost", "ece"})
# Metrics that a decision threshold alone can move: never ranked alone, compared at a matched operating point too.
THRESHOLD_DEPENDENT = frozenset({"recall_minority", "precision_minority", "f1_minority", "balanced_accuracy",
                                 "accuracy", "recall_macro", "precision_macro", "f1_macro", *PARAMETERISED})
THRESHOLD_FREE = ("roc_auc", "pr_auc", "brier", "log_loss", "ece")
MATCHED_RECALL = "recall_at_matched_precision"


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


def precision_recall_points(is_positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall at every distinct score threshold, highest threshold first (as scikit-learn's
    `precision_recall_curve`, without its input validation, which costs more than the curve in bootstrap loops)."""
    order = np.argsort(-score, kind="mergesort")
    ranked, hits = score[order], np.asarray(is_positive, dtype=float)[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    tps = np.cumsum(hits)[last_of_tie]
    precision = tps / (last_of_tie + 1)
    recall = tps / tps[-1] if tps[-1] else np.zeros_like(tps)
    return precision, recall


def expected_calibration_error(is_positive: np.ndarray, score: np.ndarray, bins: int = 10) -> float:
    """Mean |observed share - mean predicted probability| over quantile bins (tied scores share a bin),
    weighted by bin size."""
    is_positive, score = np.asarray(is_positive, dtype=float), np.asarray(score, dtype=float)
    from scipy.stats import rankdata

    which = ((rankdata(score, method="min") - 1) * bins) // max(len(score), 1)
    error = sum(np.sum(which == b) * abs(is_positive[which == b].mean() - score[which == b].mean())
                for b in np.unique(which))
    return float(error / max(len(score), 1))


def rank_auc(is_positive: np.ndarray, score: np.ndarray) -> float:
    """ROC-AUC from the Mann-Whitney rank sum (ties count one half), equal to `roc_auc_score`; numpy and scipy
    only, because bootstrap loops call it thousands of times and scikit-learn's validation dominates there."""
    from scipy.stats import rankdata

    is_positive = np.asarray(is_positive, dtype=bool)
    n_pos = np.count_nonzero(is_positive)
    n_neg = len(is_positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[is_positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_precision(is_positive: np.ndarray, score: np.ndarray) -> float:
    """Average precision (PR-AUC), scikit-learn's step-wise definition."""
    precision, recall = precision_recall_points(is_positive, score)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def recall_at_precision(is_positive: np.ndarray, score: np.ndarray, precision_floor: float) -> float:
    """Highest recall of any threshold whose precision reaches `precision_floor` (0 when none does).

    Compares two models at a matched operating point: a model that only moved its threshold gains nothing here.
    """
    if np.sum(is_positive) == 0:
        return float("nan")
    precision, recall = precision_recall_points(is_positive, score)
    reachable = recall[precision >= precision_floor - 1e-12]
    return float(reachable.max()) if len(reachable) else 0.0


def fast_f1(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int = 1) -> float:
    """F1 of `pos_label`, equal to `sklearn.metrics.f1_score(..., zero_division=0)`.

    Written with numpy because the tuned-threshold baseline scores 100 thresholds x 3 inner folds per fit,
    and scikit-learn's input validation (about 5 ms a call) made that 30 times slower than the fits.
    """
    true, pred = np.asarray(y_true) == pos_label, np.asarray(y_pred) == pos_label
    tp = np.count_nonzero(true & pred)
    denominator = np.count_nonzero(true) + np.count_nonzero(pred)
    return 2.0 * tp / denominator if denominator else 0.0


def fast_balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean recall over the classes present in `y_true`, equal to `sklearn.metrics.balanced_accuracy_score`
    (numpy only, for the same reason as `fast_f1`)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean([np.mean(y_pred[y_true == c] == c) for c in np.unique(y_true)]))


def classification_metrics(y: np.ndarray, proba: np.ndarray, pred: np.ndarray, minority: list[int],
                           majority: int, objective: Objective | None = None) -> dict[str, float]:
    """Scalar metrics; `y` holds encoded labels 0..K-1, `proba` has one column per class.

    The counting metrics come from one confusion matrix, and the binary probability metrics from the numpy
    functions above, equal to scikit-learn's (zero_division=0; tests/test_evaluation.py compares them): the grid
    scores hundreds of folds, and scikit-learn's input validation cost more than the metrics themselves.
    """
    y, pred = np.asarray(y), np.asarray(pred)
    k = proba.shape[1]
    classes = np.arange(k)
    matrix = np.bincount(y * k + pred, minlength=k * k).reshape(k, k).astype(float)  # rows: truth, columns: predicted
    hits, n_true, n_predicted = np.diag(matrix), matrix.sum(1), matrix.sum(0)
    precision = _ratio(hits, n_predicted)
    recall = _ratio(hits, n_true)
    f1 = _ratio(2 * hits, n_true + n_predicted)
    out: dict[str, float] = {"accuracy": float(hits.sum() / max(len(y), 1)),
                             "balanced_accuracy": float(recall[n_true > 0].mean())}
    positive = minority[0]
    if k == 2:
        score = proba[:, positive]
        is_pos = y == positive
        out["roc_auc"] = rank_auc(is_pos, score) if 0 < is_pos.sum() < len(y) else np.nan
        out["pr_auc"] = average_precision(is_pos, score) if is_pos.sum() else np.nan
        out["brier"] = float(np.mean((score - is_pos) ** 2))
        clipped = np.clip(score, 1e-15, 1 - 1e-15)
        out["log_loss"] = float(-np.mean(np.where(is_pos, np.log(clipped), np.log(1 - clipped))))
        out["ece"] = expected_calibration_error(is_pos, score)
        if objective is not None and objective.name in PARAMETERISED:  # the objective's own value at these labels
            tp, fp = matrix[positive, positive], matrix[1 - positive, positive]
            out[objective.name] = objective.value(tp, fp, n_true[positive] - tp, n_true[1 - positive] - fp)
    else:
        out["roc_auc"] = roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)
        onehot = np.eye(len(classes))[y]
        out["pr_auc"] = average_precision_score(onehot, proba, average="macro")
        out["brier"] = float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
        out["log_loss"] = log_loss(y, np.clip(proba, 1e-15, 1), labels=classes)
        out["ece"] = expected_calibration_error(y == minority[0], proba[:, minority[0]])  # the first minority, vs rest
    for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
        out[f"{name}_minority"] = float(np.mean([values[c] for c in minority]))
        out[f"{name}_majority"] = float(values[majority])
        out[f"{name}_macro"] = float(np.mean(values))
        for c in classes:
            out[f"{name}_class_{c}"] = float(values[c])
    return {k: float(v) for k, v in out.items()}


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (scikit-learn's zero_division=0)."""
    return np.divide(numerator, denominator, out=np.zeros(np.shape(numerator), dtype=float), where=denominator > 0)


def single_metric(metric: str, y: np.ndarray, proba: np.ndarray, pred: np.ndarray, minority: list[int],
                  majority: int, objective: Objective | None = None) -> float:
    """One metric of `classification_metrics`, computed alone (bootstrap loops call this thousands of times)."""
    classes = np.arange(proba.shape[1])
    if metric in ("accuracy", "balanced_accuracy") or metric.split("_")[0] in ("recall", "precision", "f1"):
        hit = pred[:, None] == classes[None]
        truth = y[:, None] == classes[None]
        tp, n_pred, n_true = (hit & truth).sum(0), hit.sum(0), truth.sum(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            recall = np.where(n_true > 0, tp / np.maximum(n_true, 1), 0.0)
            precision = np.where(n_pred > 0, tp / np.maximum(n_pred, 1), 0.0)
            f1 = np.where(tp > 0, 2 * tp / np.maximum(n_pred + n_true, 1), 0.0)
        if metric == "accuracy":
            return float((pred == y).mean())
        if metric == "balanced_accuracy":
            return float(recall[n_true > 0].mean())
        name, which = metric.split("_", 1)
        values = {"recall": recall, "precision": precision, "f1": f1}[name]
        if which == "minority":
            return float(np.mean(values[minority]))
        if which == "majority":
            return float(values[majority])
        if which == "macro":
            return float(values.mean())
    if metric in ("roc_auc", "pr_auc") and proba.shape[1] > 2:  # macro one-vs-rest, as classification_metrics
        truth = y[:, None] == classes[None]
        if metric == "roc_auc" and not (truth.any(0) & ~truth.all(0)).all():
            return float("nan")  # a class absent from (or alone in) the rows: scikit-learn refuses the AUC too
        per_class = rank_auc if metric == "roc_auc" else average_precision
        return float(np.mean([per_class(truth[:, c], proba[:, c]) if truth[:, c].any() else 0.0 for c in classes]))
    if metric in ("brier", "log_loss") and proba.shape[1] > 2:
        onehot = np.eye(len(classes))[y]
        if metric == "brier":
            return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
        return float(-np.mean(np.log(np.clip(proba[np.arange(len(y)), y], 1e-15, 1))))
    return classification_metrics(y, proba, pred, minority, majority, objective)[metric]


def confusion(y: np.ndarray, pred: np.ndarray, positive: int) -> dict[str, int]:
    """TP, FP, FN, TN with the (first) minority class as the positive class."""
    tn, fp, fn, tp = confusion_matrix(y == positive, pred == positive, labels=[False, True]).ravel()
    return {"tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(tn)}


def curves(y: np.ndarray, score: np.ndarray, positive: int, points: int = 101) -> dict[str, Any]:
    """ROC and PR curves of the positive class, down-sampled to at most `points` points each."""
    is_pos = (y == positive).astype(int)
    fpr, tpr, _ = roc_curve(is_pos, score)
    precision, recall, _ = precision_recall_curve(is_pos, score)

    def thin(*arrays):
        idx = np.unique(np.linspace(0, len(arrays[0]) - 1, min(points, len(arrays[0]))).round().astype(int))
        return [np.round(a[idx], 5).tolist() for a in arrays]

    fpr, tpr = thin(fpr, tpr)
    precision, recall = thin(precision, recall)
    return {"roc": {"fpr": fpr, "tpr": tpr}, "pr": {"precision": precision, "recall": recall}}


def _multiclass_batch_metric(name: str, minority: list[int], n_classes: int):
    """`batch_metric` for three or more classes: per-class weighted counts, then the same averages as
    `classification_metrics` (0 where a denominator is 0, as scikit-learn's zero_division=0)."""
    kind = name.rsplit("_", 1)[0] if name.endswith("_minority") else name
    if kind not in ("recall", "precision", "f1", "accuracy", "balanced_accuracy"):
        return None

    def per_class(y, pred, weights):
        truth = y[:, None] == np.arange(n_classes)[None]  # (n, k)
        hit = pred[:, None] == np.arange(n_classes)[None]
        return weights @ (truth & hit), weights @ truth, weights @ hit  # each (draws, k)

    def metric(y, pred, score, weights):
        if kind == "accuracy":
            return _ratio(weights @ (y == pred), weights.sum(1))
        tp, n_true, n_pred = per_class(np.asarray(y), np.asarray(pred), weights)
        if kind == "balanced_accuracy":
            present = n_true > 0
            return (_ratio(tp, n_true) * present).sum(1) / np.maximum(present.sum(1), 1)
        values = {"recall": _ratio(tp, n_true), "precision": _ratio(tp, n_pred), "f1": _ratio(2 * tp, n_true + n_pred)}[kind]
        return values[:, minority].mean(1)

    return metric


def batch_metric(name: str, positive: int, matched_precision: float | None = None, minority: list[int] | None = None,
                 n_classes: int = 2, objective: Objective | None = None):
    """A metric vectorised over bootstrap draws: f(y, pred, score, weights) -> (draws,).

    `y`, `pred`, `score` are the test rows (n,); `weights` (draws, n) counts how often each row was drawn, so a
    draw is never gathered row by row and ROC-AUC sorts the scores once for all draws (weighted Mann-Whitney
    U, ties counted one half). Written with numpy because calling scikit-learn once per draw made 1,000-draw
    CIs take minutes, and gathering and re-ranking every draw took most of a 336,776-row audit's evaluation.
    Binary metrics of the positive (minority) class, and the `objective`'s own value; with more than two classes (`n_classes`), the counting metrics
    as `classification_metrics` defines them (minority metrics averaged over the `minority` classes, balanced
    accuracy over the classes present), and None for the probability metrics (no vectorised form).
    """
    if n_classes > 2:
        return _multiclass_batch_metric(name, minority or [positive], n_classes)
    def counts(y, pred, weights):
        pos, hit = y == positive, pred == positive
        return (weights @ (pos & hit), weights @ (~pos & hit), weights @ (pos & ~hit), weights @ (~pos & ~hit))

    def safe(a, b):
        return np.divide(a, b, out=np.zeros(np.shape(a), dtype=float), where=np.asarray(b) > 0)

    def recall(y, pred, score, weights):
        tp, fp, fn, tn = counts(y, pred, weights)
        return safe(tp, tp + fn)

    def precision(y, pred, score, weights):
        tp, fp, fn, tn = counts(y, pred, weights)
        return safe(tp, tp + fp)

    def f1(y, pred, score, weights):
        tp, fp, fn, tn = counts(y, pred, weights)
        return safe(2 * tp, 2 * tp + fp + fn)

    def accuracy(y, pred, score, weights):
        return safe(weights @ (y == pred), weights.sum(1))

    def balanced(y, pred, score, weights):
        tp, fp, fn, tn = counts(y, pred, weights)
        return (safe(tp, tp + fn) + safe(tn, tn + fp)) / 2

    def auc(y, pred, score, weights):
        order = np.argsort(score, kind="mergesort")
        ranked = score[order]
        starts = np.r_[0, np.flatnonzero(np.diff(ranked)) + 1]  # one group per distinct score (ties)
        pos = (y == positive)[order]
        w = weights[:, order]
        p, q = np.add.reduceat(w * pos, starts, axis=1), np.add.reduceat(w * ~pos, starts, axis=1)
        below = np.cumsum(q, axis=1) - q  # negative weight strictly below each score group
        u = (p * (below + 0.5 * q)).sum(1)
        return safe(u, p.sum(1) * q.sum(1))

    def ranked_counts(y, score, weights):
        """Weighted true and false positives at every distinct score, highest first (as `precision_recall_points`)."""
        order = np.argsort(-score, kind="mergesort")
        last_of_tie = np.r_[np.flatnonzero(np.diff(score[order])), len(score) - 1]
        pos, w = (y == positive)[order], weights[:, order]
        return np.cumsum(w * pos, axis=1)[:, last_of_tie], np.cumsum(w * ~pos, axis=1)[:, last_of_tie]

    def pr_auc(y, pred, score, weights):
        tps, fps = ranked_counts(y, score, weights)
        precision = safe(tps, tps + fps)
        recall = safe(tps, tps[:, -1:])
        return (np.diff(recall, axis=1, prepend=0.0) * precision).sum(1)

    def matched_recall(y, pred, score, weights):
        tps, fps = ranked_counts(y, score, weights)
        seen = tps + fps > 0  # a score group no drawn row reached has no precision
        precision = safe(tps, tps + fps)
        recall = safe(tps, tps[:, -1:])
        reachable = seen & (precision >= matched_precision - 1e-12)
        best = np.where(reachable, recall, 0.0).max(1)
        return np.where(tps[:, -1] > 0, best, np.nan)  # no minority row drawn: undefined, as recall_at_precision

    def brier(y, pred, score, weights):
        return safe(weights @ ((score - (y == positive)) ** 2), weights.sum(1))

    def logloss(y, pred, score, weights):
        p = np.clip(score, 1e-15, 1 - 1e-15)
        return safe(weights @ -np.where(y == positive, np.log(p), np.log(1 - p)), weights.sum(1))

    table = {"recall_minority": recall, "precision_minority": precision, "f1_minority": f1, "accuracy": accuracy,
             "balanced_accuracy": balanced, "roc_auc": auc, "brier": brier, "log_loss": logloss, "pr_auc": pr_auc}
    if matched_precision is not None:
        table[MATCHED_RECALL] = matched_recall
    if objective is not None and objective.name in PARAMETERISED:
        table[objective.name] = lambda y, pred, score, weights: objective.value(*counts(y, pred, weights))
    return table.get(name)
