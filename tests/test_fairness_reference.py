"""Fairness against the alternatives that work: absolute levels with intervals, bias-corrected gap intervals, and the
gate's references (the best configuration of the other kind, the classifier's own plain baseline, never a degenerate
one)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthlib.assess import FairnessResult
from synthlib.assess._fairness import model_fairness, resolve_outcomes
from synthlib.assess._fairness_bootstrap import basic_interval, draw_fairness, with_intervals
from synthlib.assess._fairness_review import assess
from synthlib.config import parse_config
from synthlib.decide import fairness_gate

OUTCOMES = resolve_outcomes(["good", "bad"], ["bad"], "good")  # 0 = good (favourable), 1 = bad (the minority)


def _people(n: int, seed: int, bad_share=(0.3, 0.3), flag_share=(0.3, 0.3)):
    """Two equal groups; a model that flags `flag_share[g]` of group g, at random."""
    rng = np.random.default_rng(seed)
    groups = np.where(np.arange(n) < n // 2, "a", "b")
    g = (groups == "b").astype(int)
    y = (rng.random(n) < np.take(bad_share, g)).astype(int)
    pred = (rng.random(n) < np.take(flag_share, g)).astype(int)
    return y, pred, groups


def test_basic_intervals_cover_parity_where_percentile_intervals_do_not():
    """With equal true rates the max - min gap is biased upward: the percentile interval of its bootstrap almost never
    reaches 0, the basic interval (the one gaps get) covers it as a 95% interval should."""
    covered_basic = covered_percentile = 0
    runs = 60
    for seed in range(runs):
        y, pred, groups = _people(400, seed)
        point = model_fairness(y, pred, groups, OUTCOMES)["demographic_parity_difference"]
        idx = np.random.default_rng(seed).integers(0, len(y), (200, len(y)))
        draws = draw_fairness(y, pred, groups, OUTCOMES, idx).gaps["demographic_parity_difference"].to_numpy()
        covered_basic += basic_interval(point, draws, (0.0, 1.0))[0] <= 0.0
        covered_percentile += np.percentile(draws, 2.5) <= 0.0
    assert covered_basic / runs >= 0.9
    assert covered_percentile / runs <= 0.2


def test_absolute_levels_carry_intervals_and_the_four_fifths_ratio_has_one():
    y, pred, groups = _people(2000, 1, flag_share=(0.2, 0.5))
    idx = np.random.default_rng(0).integers(0, len(y), (300, len(y)))
    fairness = with_intervals(model_fairness(y, pred, groups, OUTCOMES), draw_fairness(y, pred, groups, OUTCOMES, idx), 300)
    low, high = fairness["intervals"]["demographic_parity_ratio"]
    ratio = fairness["demographic_parity_ratio"]
    assert low < ratio < high < 0.8 and fairness["four_fifths_violated"]  # 0.5 / 0.8 = 0.625: clearly below 0.8
    for row in fairness["by_group"]:
        for rate in ("favourable_rate", "tpr", "fpr"):
            lo, hi = row[f"{rate}_ci"]
            assert lo <= row[rate] <= hi and hi - lo < 0.15


def _config(**fairness):
    return parse_config({"dataset": {"name": "t", "source": "x.csv", "target": "y"},
                         "features": {"sensitive": [{"column": "group"}]},
                         "fairness": {"favourable_label": "good", "n_bootstrap": 200, **fairness}})


def test_every_configuration_is_compared_with_the_best_of_the_other_kind():
    """A plain baseline recommended against an augmented alternative that treats groups alike is judged against it
    (before, a plain-baseline recommendation had nothing to be compared with and passed trivially)."""
    y, fair_pred, groups = _people(3000, 2)
    _, unfair_pred, _ = _people(3000, 3, flag_share=(0.1, 0.6))
    X = pd.DataFrame({"group": groups})
    predictions = {"logistic_regression": {"baseline": unfair_pred, "smote": fair_pred}}
    references = {"with_synthetic": (("logistic_regression", "smote"), fair_pred),
                  "without_synthetic": (("logistic_regression", "baseline"), unfair_pred)}
    result = FairnessResult.from_json(assess(_config(), X, y, predictions, X.iloc[:0], {}, ["good", "bad"], ["bad"],
                                             references))
    against = result.reference_change("group", ("logistic_regression", "baseline"))
    assert against.reference == ("logistic_regression", "smote")
    assert "demographic_parity_difference" in against.widened_significantly
    gate = fairness_gate(result, ("logistic_regression", "baseline"))
    assert gate.status == "fail" and "against SMOTE + logistic regression" in gate.evidence
    # the augmented configuration, judged against the plain one, narrows the gap: no widening to report
    gate = fairness_gate(result, ("logistic_regression", "smote"))
    assert not any(f.severity == "fail" for f in gate.details["findings"])


def test_a_degenerate_reference_is_never_used_and_the_gate_says_what_it_compared_with():
    y, pred, groups = _people(3000, 4, flag_share=(0.1, 0.6))
    none_flagged = np.zeros_like(pred)  # predicts no minority row: every group gets the favourable outcome
    X = pd.DataFrame({"group": groups})
    predictions = {"logistic_regression": {"baseline": none_flagged, "class_weighted": pred}}
    references = {"with_synthetic": (("logistic_regression", "baseline"), none_flagged)}  # as a test would plant it
    result = FairnessResult.from_json(assess(_config(), X, y, predictions, X.iloc[:0], {}, ["good", "bad"], ["bad"],
                                             references))
    configuration = ("logistic_regression", "class_weighted")
    assert fairness_gate(result, configuration).status == "fail"  # against the baseline that flags no one
    gate = fairness_gate(result, configuration, frozenset({("logistic_regression", "baseline")}))
    assert not any(f.gap != "four_fifths_rule" for f in gate.details["findings"])
    assert gate.details["references"] == []
    four_fifths = next(f for f in gate.details["findings"] if f.gap == "four_fifths_rule")
    assert four_fifths.ratio_ci is not None and four_fifths.ratio_ci[1] < 0.8  # an absolute level, with its CI
    assert "four-fifths rule violated for `group` (favourable-outcome ratio" in gate.evidence
    assert f"[{four_fifths.ratio_ci[0]:.3f}, {four_fifths.ratio_ci[1]:.3f}]" in gate.evidence


@pytest.mark.parametrize("seed", range(3))
def test_the_same_seed_gives_the_same_intervals(seed):
    y, pred, groups = _people(500, seed)
    X = pd.DataFrame({"group": groups})
    run = lambda: assess(_config(), X, y, {"knn": {"baseline": pred, "smote": 1 - pred}}, X.iloc[:0], {},  # noqa: E731
                         ["good", "bad"], ["bad"])
    assert run() == run()
