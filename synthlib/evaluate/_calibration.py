"""Recalibration of a configuration's minority-class probability, fitted on its out-of-fold CV scores.

Class weights and oversampling move a model's probabilities (the minority share it was trained on is not the one it
will meet), and that is a shift of the log-odds: logistic recalibration, `sigmoid(a * logit(p) + b)` (Cox 1958;
Platt scaling in log-odds), corrects it. It is fitted with scikit-learn's `LogisticRegression` on the held-out scores
of every CV fold, which were scored by models trained with the configuration's own augmentation inside the training
folds and never saw the row they scored: the same data `CalibratedClassifierCV(method="sigmoid", ensemble=False)`
would produce with `cross_val_predict`, reused from the evaluation grid instead of a second round of fits. The test
split plays no part. The map is strictly increasing (a slope that is not positive is refused), so the ranking and
every decision at the operating threshold stay exactly as the verdict measured them; only the probabilities change.
Isotonic regression would not keep the decisions (its steps tie scores either side of the threshold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

from ._metrics import expected_calibration_error
from ._results import CalibrationFigures, Recalibrated

EPSILON = 1e-6  # probabilities are clipped to [EPSILON, 1 - EPSILON] before the logit


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPSILON, 1 - EPSILON)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class Recalibration:
    """`sigmoid(slope * logit(p) + intercept)`, fitted on `rows` held-out CV scores."""

    slope: float
    intercept: float
    rows: int

    def apply(self, p: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(self.slope * _logit(p) + self.intercept)))


def fit_recalibration(scores: np.ndarray, is_positive: np.ndarray) -> Recalibration | None:
    """The logistic recalibration of `scores` to the labels (None when both classes are not present, or the fitted
    slope is not positive: a map that is not increasing would change the decisions)."""
    is_positive = np.asarray(is_positive, dtype=bool)
    if is_positive.all() or not is_positive.any():
        return None
    fit = LogisticRegression(C=np.inf).fit(_logit(scores)[:, None], is_positive)
    slope, intercept = float(fit.coef_[0, 0]), float(fit.intercept_[0])
    return Recalibration(slope, intercept, len(scores)) if slope > 0 else None


def calibration_summary(is_positive: np.ndarray, score: np.ndarray) -> CalibrationFigures:
    """Brier score and expected calibration error of minority-class probabilities."""
    is_positive = np.asarray(is_positive, dtype=float)
    return CalibrationFigures(float(brier_score_loss(is_positive, score)), expected_calibration_error(is_positive, score))


class RecalibratedClassifier(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose minority-class probability is recalibrated; `predict` is the classifier's own, so
    the decisions (and the operating threshold) are unchanged. Binary only; `positive` is the minority position."""

    def __init__(self, model=None, slope: float = 1.0, intercept: float = 0.0, positive: int = 1):
        self.model = model
        self.slope = slope
        self.intercept = intercept
        self.positive = positive

    def fit(self, X, y=None):  # noqa: ARG002 - already fitted: nothing is refitted (as FrozenEstimator)
        self.classes_ = self.model.classes_
        return self

    def predict(self, X):
        return self.model.predict(X)

    def predict_proba(self, X):
        proba = np.asarray(self.model.predict_proba(X), dtype=float).copy()
        calibrated = Recalibration(self.slope, self.intercept, 0).apply(proba[:, self.positive])
        proba[:, self.positive], proba[:, 1 - self.positive] = calibrated, 1 - calibrated
        return proba


def recalibrate_configurations(utility, fold_scores: dict[tuple[str, str, int], np.ndarray], y: np.ndarray,
                               folds: list[tuple[np.ndarray, np.ndarray]], test: dict, y_test: np.ndarray,
                               positive: int):
    """Every binary configuration's recalibration from its pooled held-out CV scores, and its test-split Brier
    score and calibration error before and after (`recalibration` in each test entry: what the verdict's calibration
    decision and the report read). Returns the new `UtilityResult` and the fitted maps by configuration."""
    from dataclasses import replace

    pooled: dict[tuple[str, str], tuple[list[np.ndarray], list[np.ndarray]]] = {}
    for (classifier, comparator, fold), score in sorted(fold_scores.items()):
        scores, labels = pooled.setdefault((classifier, comparator), ([], []))
        scores.append(score)
        labels.append(y[folds[fold][1]] == positive)
    fitted: dict[tuple[str, str], Recalibration] = {}
    summary = {classifier: dict(by_comparator) for classifier, by_comparator in utility.test.items()}
    for configuration, (scores, labels) in pooled.items():
        recalibration = fit_recalibration(np.concatenate(scores), np.concatenate(labels))
        score = test[configuration].proba[:, positive]
        before = calibration_summary(y_test == positive, score)
        if recalibration is None:
            record = Recalibrated(before, reason="no increasing logistic map fits the held-out scores")
        else:
            fitted[configuration] = recalibration
            record = Recalibrated(before, recalibration.slope, recalibration.intercept, recalibration.rows,
                                  calibration_summary(y_test == positive, recalibration.apply(score)))
        classifier, comparator = configuration
        summary[classifier][comparator] = {**summary[classifier][comparator], "recalibration": record.to_json()}
    return replace(utility, test=summary), fitted
