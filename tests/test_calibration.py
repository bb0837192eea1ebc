"""Recalibration of the deployed model: fitted on held-out CV scores, decided against the reference, decisions kept."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

from synthlib.decide._calibration import calibration_decision
from synthlib.evaluate import RecalibratedClassifier, UtilityResult
from synthlib.evaluate._calibration import calibration_summary, fit_recalibration
from synthlib.evaluate._operating import predict_at
from tests.test_verdict import build, predictions


@pytest.fixture(scope="module")
def weighted_model():
    """A class-weighted logistic regression on a 10 % minority: its probabilities are inflated, as oversampling's are."""
    X, y = make_classification(4000, 8, n_informative=4, weights=[0.9], random_state=3)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
    model = LogisticRegression(class_weight="balanced", max_iter=1000)
    held_out = cross_val_predict(model, X_train, y_train, cv=StratifiedKFold(5, shuffle=True, random_state=0),
                                 method="predict_proba")[:, 1]
    return model.fit(X_train, y_train), held_out, y_train, X_test, y_test


def test_recalibration_on_held_out_scores_repairs_inflated_probabilities(weighted_model):
    model, held_out, y_train, X_test, y_test = weighted_model
    recalibration = fit_recalibration(held_out, y_train == 1)
    score = model.predict_proba(X_test)[:, 1]
    before, after = calibration_summary(y_test == 1, score), calibration_summary(y_test == 1, recalibration.apply(score))
    assert before.ece > 0.15  # class weights pushed the minority probability up
    assert after.ece < before.ece / 3 and after.brier < before.brier
    assert recalibration.rows == len(held_out)


def test_the_recalibrated_model_keeps_every_decision_and_the_ranking(weighted_model):
    model, held_out, y_train, X_test, _ = weighted_model
    r = fit_recalibration(held_out, y_train == 1)
    wrapped = RecalibratedClassifier(model, r.slope, r.intercept, positive=1).fit(None)
    np.testing.assert_array_equal(wrapped.predict(X_test), model.predict(X_test))
    raw, calibrated = model.predict_proba(X_test)[:, 1], wrapped.predict_proba(X_test)[:, 1]
    np.testing.assert_array_equal(np.argsort(raw, kind="mergesort"), np.argsort(calibrated, kind="mergesort"))
    np.testing.assert_allclose(wrapped.predict_proba(X_test).sum(1), 1.0)
    # a threshold t on the raw score is the threshold r(t) on the recalibrated one: the same rows are flagged
    t = 0.6
    np.testing.assert_array_equal(predict_at(model.predict_proba(X_test), t, 1, 0),
                                  predict_at(wrapped.predict_proba(X_test), float(r.apply(np.array([t]))[0]), 1, 0))


def test_a_decreasing_map_is_refused():
    rng = np.random.default_rng(0)
    y = rng.random(500) < 0.3
    assert fit_recalibration(np.where(y, 0.2, 0.8) + rng.normal(0, 0.05, 500).clip(-0.1, 0.1), y) is None
    assert fit_recalibration(rng.random(50), np.zeros(50, dtype=bool)) is None


def _utility(rec_ece: float, ref_ece: float) -> UtilityResult:
    result, _ = build({("logistic_regression", "smote"): {"recall": 0.6, "ece": rec_ece, "test": predictions(0.6, 0.5, 1)},
                       ("logistic_regression", "baseline"): {"recall": 0.5, "ece": ref_ece,
                                                             "test": predictions(0.5, 0.5, 2)}})
    return UtilityResult.from_json(result["utility"])


@pytest.mark.parametrize("rec_ece, ref_ece, expected", [(0.08, 0.03, True), (0.03, 0.08, False), (0.15, 0.2, True)])
def test_recalibrate_where_worse_than_the_reference_or_loose_on_its_own(rec_ece, ref_ece, expected):
    utility = _utility(rec_ece, ref_ece)
    decision = calibration_decision(utility, ("logistic_regression", "smote"), ("logistic_regression", "baseline"))
    assert decision.recalibrate is expected
    assert decision.reference == "logistic regression, original data"
    assert decision.cv.ece == pytest.approx(utility.cv_mean(("logistic_regression", "smote"), "ece"))
    if expected and rec_ece < 0.1:
        assert "calibration error" in decision.reason and "logistic regression, original data" in decision.reason
    assert decision.deployed == (decision.after if expected else decision.test_before)
