"""The decision objectives: their values against scikit-learn / the definition, and the threshold each one places,
against a brute-force search over every threshold (fbeta, expected cost, recall at a precision floor)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, fbeta_score

from synthlib.config import load_config, with_overrides
from synthlib.errors import ConfigError
from synthlib.evaluate import Objective, batch_metric, classification_metrics
from synthlib.evaluate._operating import best_threshold
from synthlib.prepare._checks import check_metric_classes

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def german_config():
    return load_config(ROOT / "params" / "german_credit.yml")


OBJECTIVES = [Objective("fbeta", beta=2.0), Objective("fbeta", beta=0.5),
              Objective("expected_cost", false_negative_cost=5.0, false_positive_cost=1.0),
              Objective("recall_at_precision", min_precision=0.6), Objective("f1_minority"),
              Objective("balanced_accuracy")]


def _rows(seed: int, n: int = 400, prevalence: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(int)
    score = np.clip(0.25 * y + rng.normal(0.35, 0.2, n), 0, 1).round(3)  # rounded: tied scores, as trees give
    return y, score


def _counts(y: np.ndarray, flagged: np.ndarray) -> tuple[int, int, int, int]:
    tn, fp, fn, tp = confusion_matrix(y, flagged.astype(int), labels=[0, 1]).ravel()
    return tp, fp, fn, tn


@pytest.mark.parametrize("seed", range(5))
def test_values_match_their_definitions(seed):
    y, score = _rows(seed)
    flagged = score >= 0.45
    tp, fp, fn, tn = _counts(y, flagged)
    assert Objective("fbeta", beta=2.0).value(tp, fp, fn, tn) == pytest.approx(fbeta_score(y, flagged, beta=2.0))
    assert Objective("expected_cost", false_negative_cost=5.0, false_positive_cost=1.0).value(tp, fp, fn, tn) == \
        pytest.approx((5 * fn + fp) / len(y))
    assert Objective("recall_at_precision", min_precision=0.5).value(tp, fp, fn, tn) == pytest.approx(tp / (tp + fn))


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda o: f"{o.name}")
@pytest.mark.parametrize("seed", range(4))
def test_threshold_is_the_best_of_every_possible_cut(objective, seed):
    """The rule's threshold scores as well as the best of all cuts (flagging no row included for a cost matrix);
    recall at a precision floor keeps the floor whenever some cut reaches it."""
    y, score = _rows(seed)
    cuts = np.r_[np.unique(score), np.inf]
    sign = 1 if objective.higher_is_better else -1

    def scored(cut: float) -> float:
        tp, fp, fn, tn = _counts(y, score >= cut)
        if objective.name == "recall_at_precision":
            return tp / (tp + fn) if tp + fp and tp / (tp + fp) >= objective.min_precision else -1.0
        return sign * objective.value(tp, fp, fn, tn)

    chosen = best_threshold(y == 1, score, objective)
    feasible = [c for c in cuts if np.isfinite(c) or objective.flags_none_allowed]
    assert scored(chosen) == pytest.approx(max(scored(c) for c in feasible))
    if objective.name == "recall_at_precision" and max(scored(c) for c in cuts) >= 0:
        tp, fp, _, _ = _counts(y, score >= chosen)
        assert tp / (tp + fp) >= objective.min_precision


def test_a_cost_matrix_can_make_flagging_no_one_best():
    """A false alarm that costs 50 times a miss: the best cut flags no row, and no other objective would do that."""
    rng = np.random.default_rng(0)
    y, score = (rng.random(400) < 0.2).astype(int), rng.random(400)  # weak scores: every cut flags some majority rows
    costly_alarms = Objective("expected_cost", false_negative_cost=1.0, false_positive_cost=50.0)
    assert (score >= best_threshold(y == 1, score, costly_alarms)).sum() == 0
    assert (score >= best_threshold(y == 1, score, Objective("f1_minority"))).sum() > 0


def test_cost_threshold_on_calibrated_scores_is_near_the_bayes_cut():
    """On calibrated probabilities the cost-minimising cut is about c_fp / (c_fp + c_fn) = 1/6 for 5:1 costs."""
    rng = np.random.default_rng(1)
    p = rng.beta(2, 5, 20_000)
    y = (rng.random(len(p)) < p).astype(int)
    cut = best_threshold(y == 1, p, Objective("expected_cost", false_negative_cost=5.0, false_positive_cost=1.0))
    assert abs(cut - 1 / 6) < 0.03


@pytest.mark.parametrize("objective", OBJECTIVES[:4], ids=lambda o: o.name)
def test_metrics_and_bootstrap_carry_the_objective(objective):
    """classification_metrics and the vectorised bootstrap metric give the objective's value at the labels."""
    y, score = _rows(7)
    pred = (score >= 0.45).astype(int)
    proba = np.c_[1 - score, score]
    value = classification_metrics(y, proba, pred, [1], 0, objective)[objective.name]
    assert value == pytest.approx(objective.value(*_counts(y, pred.astype(bool))))
    vectorised = batch_metric(objective.name, 1, objective=objective)
    assert vectorised(y, pred, score, np.ones((1, len(y))))[0] == pytest.approx(value)
    assert objective.name not in classification_metrics(y, proba, pred, [1], 0)  # no parameter, no value


def test_parameterised_objectives_need_two_classes(german_config):
    config = with_overrides(german_config, {"evaluation": {"objective": "fbeta", "beta": 2}})
    check_metric_classes(2, config)
    with pytest.raises(ConfigError, match="objective .* is fbeta, which needs a two-class target.* has 3 classes"):
        check_metric_classes(3, config)


def test_objective_round_trips_through_the_protocol(german_config):
    """results.json records the objective with its parameter, and the verdict rebuilds the same objective."""
    from synthlib.evaluate import Protocol

    objective = Objective.from_config(german_config.evaluation)
    assert objective == Objective("expected_cost", false_negative_cost=5.0, false_positive_cost=1.0)
    protocol = Protocol(5, 2, 0, 0.05, "expected_cost", ("expected_cost",), 100, "t", "expected_cost",
                        objective=objective.describe())
    assert Protocol.from_json(protocol.to_json()).decision_objective() == objective
