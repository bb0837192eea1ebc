"""Significance tools: McNemar's direction, the corrected t-test's degenerate case and its one-sided form."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from synthlib.evaluate._stats import corrected_resampled_ttest, is_degenerate, mcnemar


def test_mcnemar_reports_discordant_counts_and_favours_the_better_model():
    y = np.zeros(40, dtype=int)
    pred_a = np.r_[np.zeros(30), np.ones(10)].astype(int)            # A wrong on rows 30-39
    pred_b = np.r_[np.zeros(18), np.ones(20), np.zeros(2)].astype(int)  # B wrong on rows 18-37
    result = mcnemar(y, pred_a, pred_b)
    # A right, B wrong: rows 18-29 (12); A wrong, B right: rows 38-39 (2)
    assert (result["b"], result["c"]) == (12, 2)
    assert result["favours"] == "a"
    assert result["statistic"] == 2
    assert result["p_value"] == pytest.approx(stats.binomtest(2, 14, 0.5).pvalue)
    assert result["p_value"] < 0.05
    swapped = mcnemar(y, pred_b, pred_a)
    assert (swapped["b"], swapped["c"], swapped["favours"]) == (2, 12, "b")
    assert mcnemar(y, pred_a, pred_a)["favours"] == "neither"


def test_constant_differences_are_degenerate_not_a_huge_t():
    # 0.02 per fold, computed as the pipeline does (a - b), so the floats differ in the last bits
    differences = np.array([0.72, 0.63, 0.81, 0.70, 0.66]) - np.array([0.70, 0.61, 0.79, 0.68, 0.64])
    assert 0 < differences.var(ddof=1) < 1e-30
    assert is_degenerate(differences)
    t, p = corrected_resampled_ttest(differences, 0.25)
    assert t == np.inf and p == 0.0
    t, p = corrected_resampled_ttest(-differences, 0.25, alternative="greater")
    assert t == -np.inf and p == 1.0


def test_zero_differences_are_degenerate_with_nothing_to_reject():
    assert is_degenerate(np.zeros(6))
    t, p = corrected_resampled_ttest(np.zeros(6), 0.25)
    assert np.isnan(t) and p == 1.0
    # floating-point zero: (0.1 + 0.2) - 0.3 is 5.6e-17, not 0
    near_zero = np.array([(0.1 + 0.2) - 0.3, 0.0, 0.0, 0.0, 0.0])
    t, p = corrected_resampled_ttest(near_zero, 0.25)
    assert np.isnan(t) and p == 1.0


def test_a_small_real_spread_is_not_degenerate():
    differences = np.array([0.020, 0.021, 0.019, 0.020, 0.022])
    assert not is_degenerate(differences)
    t, p = corrected_resampled_ttest(differences, 0.25)
    assert np.isfinite(t) and t > 10 and 0 < p < 0.01


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_one_sided_test_with_margin_matches_scipy(alternative):
    """Independent route: scipy's ordinary one-sample t on (d - margin), shrunk by the Nadeau-Bengio factor.

    The corrected variance is (1/J + rho) s^2 against s^2 / J, so t_corrected = t_scipy / sqrt(1 + J rho).
    """
    rng = np.random.default_rng(3)
    differences = rng.normal(0.03, 0.01, 10)
    margin, rho = 0.02, 1 / 9
    t, p = corrected_resampled_ttest(differences, rho, margin=margin, alternative=alternative)
    plain = stats.ttest_1samp(differences - margin, 0.0).statistic
    t_ref = plain / np.sqrt(1 + len(differences) * rho)
    p_ref = {"two-sided": 2 * stats.t.sf(abs(t_ref), 9), "greater": stats.t.sf(t_ref, 9),
             "less": stats.t.cdf(t_ref, 9)}[alternative]
    assert t == pytest.approx(t_ref, rel=1e-12)
    assert p == pytest.approx(p_ref, rel=1e-12)


def test_margin_above_the_mean_is_not_beaten():
    differences = np.array([0.010, 0.015, 0.012, 0.008, 0.011])
    assert corrected_resampled_ttest(differences, 0.25, margin=0.0, alternative="greater")[1] < 0.05
    assert corrected_resampled_ttest(differences, 0.25, margin=0.02, alternative="greater")[1] > 0.5


def test_unknown_alternative_is_rejected():
    with pytest.raises(ValueError, match="alternative"):
        corrected_resampled_ttest(np.array([0.1, 0.2]), 0.25, alternative="bigger")  # type: ignore[arg-type]


def test_bootstrap_in_chunks_equals_one_block(monkeypatch):
    """Chunking the draws (to bound memory on large test splits) leaves the CI unchanged."""
    from synthlib.evaluate import _stats as module
    from synthlib.evaluate._metrics import batch_metric

    rng = np.random.default_rng(0)
    y = (rng.random(500) < 0.3).astype(int)
    a = ((rng.random(500) < 0.4).astype(int), rng.random(500))
    b = ((rng.random(500) < 0.5).astype(int), rng.random(500))
    metric = batch_metric("recall_minority", 1)
    whole = module.paired_bootstrap(metric, y, a, b, n_boot=300, seed=4)
    monkeypatch.setattr(module, "MAX_DRAW_CELLS", 500 * 7)  # 7 draws per chunk
    assert module.paired_bootstrap(metric, y, a, b, n_boot=300, seed=4) == whole


def test_weighted_batch_metrics_equal_scikit_learn_on_each_gathered_draw():
    from sklearn.metrics import (accuracy_score, balanced_accuracy_score, brier_score_loss, f1_score, log_loss,
                                 precision_score, recall_score, roc_auc_score)

    from synthlib.evaluate._metrics import batch_metric
    from synthlib.evaluate._stats import _draw_chunks, _weight_chunks

    rng = np.random.default_rng(1)
    y = (rng.random(300) < 0.3).astype(int)
    score = np.round(np.clip(0.3 * y + rng.random(300) * 0.7, 0.01, 0.99), 2)  # rounded: many tied scores
    pred = (score > 0.5).astype(int)
    reference = {"recall_minority": lambda t, p, s: recall_score(t, p, zero_division=0),
                 "precision_minority": lambda t, p, s: precision_score(t, p, zero_division=0),
                 "f1_minority": lambda t, p, s: f1_score(t, p, zero_division=0),
                 "accuracy": lambda t, p, s: accuracy_score(t, p),
                 "balanced_accuracy": lambda t, p, s: balanced_accuracy_score(t, p),
                 "roc_auc": lambda t, p, s: roc_auc_score(t, s), "brier": lambda t, p, s: brier_score_loss(t, s),
                 "log_loss": lambda t, p, s: log_loss(t, s, labels=[0, 1])}
    idx = next(_draw_chunks(np.random.default_rng(5), 300, 6))
    weights = next(_weight_chunks(np.random.default_rng(5), 300, 6))  # the same six draws, as counts
    from synthlib.evaluate._metrics import MATCHED_RECALL, average_precision, recall_at_precision

    reference["pr_auc"] = lambda t, p, s: average_precision(t == 1, s)
    reference[MATCHED_RECALL] = lambda t, p, s: recall_at_precision(t == 1, s, 0.45)
    for name, sklearn_metric in reference.items():
        values = batch_metric(name, 1, matched_precision=0.45)(y, pred, score, weights)
        expected = [sklearn_metric(y[row], pred[row], score[row]) for row in idx]
        assert values == pytest.approx(expected), name


@pytest.mark.parametrize("metric", ["recall_minority", "precision_minority", "f1_minority", "accuracy",
                                    "balanced_accuracy"])
def test_three_class_bootstrap_metrics_equal_classification_metrics_on_every_draw(metric):
    """With two minority classes the vectorised bootstrap computes the same averaged metric as the point estimate
    (it once scored the first minority class alone, so CIs could exclude their own point estimate)."""
    from synthlib.evaluate._metrics import batch_metric, classification_metrics

    rng = np.random.default_rng(0)
    y = rng.choice(3, size=300, p=[0.1, 0.75, 0.15])
    pred = np.where(rng.random(300) < 0.6, y, rng.integers(0, 3, 300))
    proba = np.eye(3)[pred] * 0.8 + 0.2 / 3
    minority, majority = [2, 0], 1
    fn = batch_metric(metric, 2, minority=minority, n_classes=3)
    assert fn(y, pred, proba[:, 2], np.ones((1, 300)))[0] == pytest.approx(
        classification_metrics(y, proba, pred, minority, majority)[metric])
    for _ in range(5):  # a draw's counts give the metric of the drawn rows
        idx = rng.integers(0, 300, 300)
        weights = np.bincount(idx, minlength=300)[None].astype(float)
        assert fn(y, pred, proba[:, 2], weights)[0] == pytest.approx(
            classification_metrics(y[idx], proba[idx], pred[idx], minority, majority)[metric])
    assert batch_metric("roc_auc", 2, minority=minority, n_classes=3) is None  # no vectorised multi-class form
