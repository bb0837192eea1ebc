"""Property tests (hypothesis): invariants that must hold on any input, not just the fixtures.

- SMOTE never adds more than `max_amplification` x the real minority rows, and adds minority rows only;
- Holm-adjusted p-values are >= the raw p, <= 1, in the raw p-values' order (and equal statsmodels' Holm);
- swapping candidate and reference swaps the verdicts `improved` and `worse`;
- `group_rates` equals fairlearn's `MetricFrame` per group.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from synthlib.assess._fairness import group_rates, resolve_outcomes
from synthlib.augment import SMOTESampler
from synthlib.evaluate import Comparison, comparison_outcome, holm

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- a. the amplification cap ------------------------------------------------------------------------------------

@st.composite
def imbalanced_tables(draw):
    """(X, y, minority label, majority label): 40-120 rows, 2-4 numeric columns, 8-30 minority rows."""
    n_minority = draw(st.integers(8, 30))
    low = max(40 - n_minority, n_minority + 1)
    n_majority = draw(st.integers(low, 120 - n_minority))
    n_columns = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    minority, majority = draw(st.sampled_from([(1, 0), (0, 1), (7, 3)]))
    rng = np.random.default_rng(seed)
    n = n_minority + n_majority
    columns = {}
    for i in range(n_columns):
        if draw(st.booleans()):
            columns[f"x{i}"] = rng.normal(rng.uniform(-5, 5), rng.uniform(0.1, 10), n)
        else:  # an integer column (SMOTE's output is rounded back to integers)
            columns[f"x{i}"] = rng.integers(-20, 20, n)
    y = np.array([minority] * n_minority + [majority] * n_majority)
    order = rng.permutation(n)
    return pd.DataFrame(columns).iloc[order].reset_index(drop=True), y[order], minority, majority


@SETTINGS
@given(table=imbalanced_tables(), cap=st.floats(0.05, 5.0), data=st.data())
def test_smote_adds_at_most_cap_times_minority_rows_and_only_minority_rows(table, cap, data):
    X, y, minority, majority = table
    n_minority, n_majority = int((y == minority).sum()), int((y == majority).sum())
    strategy = data.draw(st.one_of(
        st.floats(n_minority / n_majority + 0.01, 1.0),  # a ratio minority:majority above the current one
        st.builds(lambda target: {minority: target}, st.integers(n_minority, 3 * n_majority)),
        st.just("auto"), st.just("minority")), label="sampling_strategy")
    k = data.draw(st.integers(1, min(5, n_minority - 1)), label="k_neighbors")
    sampler = SMOTESampler(max_amplification=cap, sampling_strategy=strategy, k_neighbors=k,
                           random_state=data.draw(st.integers(0, 10_000), label="random_state"))
    X_out, y_out = sampler.fit_resample(X, y)
    added = len(X_out) - len(X)
    assert len(y_out) == len(X_out)
    assert 0 <= added <= math.floor(cap * n_minority)
    out = pd.Series(np.asarray(y_out)).value_counts().to_dict()
    assert out.get(majority, 0) == n_majority  # the majority class is untouched
    assert out.get(minority, 0) == n_minority + added  # every added row is a minority row
    assert set(out) == {minority, majority}
    pd.testing.assert_frame_equal(X_out.iloc[:len(X)].reset_index(drop=True), X)  # real rows first, unchanged
    assert sampler.generated_.get(minority, 0) == added


# -- b. Holm ------------------------------------------------------------------------------------------------------

p_values = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=20)


def _textbook_holm(p: list[float]) -> list[float]:
    """adj_(i) = max over j <= i of min(1, (m - j + 1) p_(j)), written out by rank (no running maximum trick)."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    for rank, index in enumerate(order):
        adjusted[index] = max(min(1.0, (m - j) * p[order[j]]) for j in range(rank + 1))
    return adjusted


@SETTINGS
@given(p=p_values)
def test_holm_is_at_least_raw_at_most_one_and_monotone(p):
    adjusted = holm(p)
    assert len(adjusted) == len(p)
    for raw, adj in zip(p, adjusted):
        assert raw <= adj <= 1.0
    for i in range(len(p)):
        for j in range(len(p)):
            if p[i] <= p[j]:
                assert adjusted[i] <= adjusted[j]
    assert adjusted == pytest.approx(_textbook_holm(p), abs=1e-12)


@SETTINGS
@given(p=p_values, where=st.lists(st.booleans(), min_size=20, max_size=20))
def test_holm_leaves_nan_out_of_the_family(p, where):
    with_nan = [float("nan") if missing else value for value, missing in zip(p, where)]
    adjusted = holm(with_nan)
    finite = [value for value in with_nan if not math.isnan(value)]
    assert [math.isnan(a) for a in adjusted] == [math.isnan(v) for v in with_nan]
    assert [a for a in adjusted if not math.isnan(a)] == pytest.approx(holm(finite), abs=1e-12)


@SETTINGS
@given(p=p_values)
def test_holm_equals_statsmodels(p):
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    expected = multitest.multipletests(p, method="holm")[1]
    np.testing.assert_allclose(holm(p), expected, rtol=0, atol=1e-12)


# -- c. swapping candidate and reference ----------------------------------------------------------------------------

finite = st.floats(-1.0, 1.0, allow_nan=False, allow_subnormal=False)


@st.composite
def comparison_rows(draw):
    """A comparison row (candidate - reference) as `evaluate` builds it; `p_holm` is two-sided."""
    low, high = sorted([draw(finite), draw(finite)])
    if draw(st.integers(0, 9)) == 0:  # a metric without a bootstrap CI
        low = high = None
    p = draw(st.one_of(st.floats(0.0, 1.0), st.just(float("nan"))))
    return {"classifier": "logistic_regression", "comparator": "smote",
            "metric": draw(st.sampled_from(["roc_auc", "pr_auc", "f1_minority", "brier", "log_loss"])),
            "cv_difference": draw(st.one_of(finite, st.just(0.0))), "t": draw(finite), "p_value": p,
            "p_holm": draw(st.one_of(st.just(p), st.floats(0.0, 1.0))),
            "test_difference": draw(finite), "ci_low": low, "ci_high": high}


def swapped(row: dict) -> dict:
    """The same comparison with candidate and reference exchanged: every difference and its CI change sign
    (the CI's ends trade places); the two-sided p-values are unchanged (a one-sided p would become 1 - p, but the
    verdict reads only the two-sided Holm p)."""
    mirror = dict(row, cv_difference=-row["cv_difference"], t=-row["t"], test_difference=-row["test_difference"])
    if row["ci_low"] is not None:
        mirror.update(ci_low=-row["ci_high"], ci_high=-row["ci_low"])
    return mirror


def comparison_verdict(row: dict, alpha: float) -> str:
    """The outcome of a comparison row given as results.json stores it."""
    fields = {k: row.get(k) for k in ("cv_difference", "t", "p_value", "test_difference", "ci_low", "ci_high", "p_holm")}
    return comparison_outcome(Comparison("logistic_regression", "smote", row["metric"], **fields), alpha)


OPPOSITE = {"improved": "worse", "worse": "improved",
            "not confirmed on test": "not confirmed on test", "no significant difference": "no significant difference"}


@SETTINGS
@given(row=comparison_rows(), alpha=st.sampled_from([0.01, 0.05, 0.1, 0.5]))
def test_swapping_candidate_and_reference_swaps_improved_and_worse(row, alpha):
    verdict = comparison_verdict(row, alpha)
    assert verdict in OPPOSITE
    assert comparison_verdict(swapped(row), alpha) == OPPOSITE[verdict]
    assert comparison_verdict(swapped(swapped(row)), alpha) == verdict


def test_swapping_examples_reach_both_directions():
    """The property above is not vacuous: a clear improvement and its mirror."""
    row = {"metric": "roc_auc", "cv_difference": 0.03, "t": 4.0, "p_value": 0.001, "p_holm": 0.002,
           "test_difference": 0.02, "ci_low": 0.01, "ci_high": 0.03}
    assert comparison_verdict(row, 0.05) == "improved"
    assert comparison_verdict(swapped(row), 0.05) == "worse"
    lower = dict(row, metric="brier", cv_difference=-0.03, test_difference=-0.02, ci_low=-0.03, ci_high=-0.01)
    assert comparison_verdict(lower, 0.05) == "improved"
    assert comparison_verdict(swapped(lower), 0.05) == "worse"


# -- d. group rates against fairlearn ------------------------------------------------------------------------------

@st.composite
def predictions(draw):
    n = draw(st.integers(30, 200))
    n_groups = draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # skewed rates so that some groups lack minority truth rows (TPR undefined) or other rows (FPR undefined)
    y = (rng.random(n) < draw(st.sampled_from([0.02, 0.1, 0.3, 0.5, 0.98]))).astype(int)
    pred = np.where(rng.random(n) < draw(st.floats(0.0, 1.0)), y, 1 - y)
    groups = np.array(list("abcd"))[rng.choice(n_groups, n, p=rng.dirichlet(np.ones(n_groups)))]
    return y, pred, groups


@SETTINGS
@given(case=predictions())
def test_group_rates_equal_fairlearn_metricframe(case):
    y, pred, groups = case
    outcomes = resolve_outcomes(["good", "bad"], ["bad"])  # encoded: 1 = bad (minority), 0 = good (favourable)
    assert outcomes.minority == (1,) and outcomes.favourable == (0,)
    ours = group_rates(y, pred, groups, outcomes)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # groups with a single class
        frame = MetricFrame(metrics={"favourable_rate": functools.partial(selection_rate, pos_label=0),
                                     "tpr": functools.partial(true_positive_rate, pos_label=1),
                                     "fpr": functools.partial(false_positive_rate, pos_label=1)},
                            y_true=y, y_pred=pred, sensitive_features=groups).by_group
    assert list(ours.index) == list(frame.index) == sorted(set(groups))
    truth = pd.Series(y == 1).groupby(groups).sum()
    n = pd.Series(1, index=range(len(y))).groupby(groups).sum()
    denominators = {"favourable_rate": n, "tpr": truth, "fpr": n - truth}
    for column in ("favourable_rate", "tpr", "fpr"):
        for group in ours.index:
            mine, theirs = ours.loc[group, column], frame.loc[group, column]
            if denominators[column][group] == 0:  # undefined: NaN here; fairlearn reports NaN or 0
                assert math.isnan(mine), (column, group)
                assert math.isnan(theirs) or theirs == 0, (column, group, theirs)
            else:
                assert mine == pytest.approx(theirs, abs=1e-12), (column, group)

