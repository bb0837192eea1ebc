"""Every configuration at its own operating point (issue 26): the threshold rule, cross-fitting, and that a model
whose scores differ from another's only by a monotone shift (a threshold shift) cannot score differently."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, f1_score

from synthlib.evaluate._fit import FoldFit
from synthlib.evaluate._operating import at_operating_points, best_threshold, cross_fitted_thresholds

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(("rule", "score_fn"), [("f1_minority", f1_score), ("balanced_accuracy", balanced_accuracy_score)])
def test_the_best_threshold_is_the_best_of_every_cut(rule, score_fn):
    y = RNG.random(300) < 0.2
    score = np.clip(0.3 * y + RNG.normal(0.3, 0.2, 300), 0, 1).round(2)  # ties included
    best = best_threshold(y, score, rule)
    value = score_fn(y, score >= best)
    assert all(score_fn(y, score >= t) <= value + 1e-12 for t in np.unique(score))
    assert best_threshold(np.zeros(10, bool), RNG.random(10)) > 1  # no positive row: flag none


def test_a_fold_threshold_never_sees_that_folds_labels():
    scores = [RNG.random(50) for _ in range(6)]
    labels = [RNG.random(50) < 0.3 for _ in range(6)]
    first = cross_fitted_thresholds(scores, labels, n_splits=3)
    flipped = [~labels[0]] + labels[1:]  # fold 0's labels changed: only the other folds of repeat 0 move
    second = cross_fitted_thresholds(scores, flipped, n_splits=3)
    assert second[0] == first[0]
    assert second[3:] == first[3:]  # repeat 1 does not read repeat 0
    assert second[1] != first[1] or second[2] != first[2]


def test_a_threshold_shift_gives_the_same_predictions_at_the_operating_point():
    """A class-weighted model whose scores are the plain model's pushed up by a monotone map predicts the same rows at
    its own operating point: shifting the threshold cannot win."""
    n, folds, k = 400, 6, 3
    y = (RNG.random(n) < 0.25).astype(int)  # 1 = minority (position 1)
    plain = np.clip(0.25 + 0.35 * y + RNG.normal(0, 0.2, n), 0.001, 0.999)
    shifted = plain ** 0.4  # monotone: every ranking the same, every default-threshold prediction different
    rows = np.array_split(RNG.permutation(n), folds // 2)
    jobs, outputs = [], []
    for comparator, score in (("plain", plain), ("shifted", shifted)):  # one job per (comparator, fold), as the grid
        for fold in range(folds):
            val = rows[fold % k]
            jobs.append((comparator, fold, None, val))
            outputs.append(([FoldFit("lr", comparator, fold, np.c_[1 - score[val], score[val]], (score[val] >= .5) * 1,
                                     None, 0, None)], None))
    moved = at_operating_points(jobs, outputs, y, positive=1, n_splits=k, rule="f1_minority", X_final=None)
    for (a,), (b,) in zip((r for r, _ in moved[:folds]), (r for r, _ in moved[folds:])):
        assert not np.array_equal(a.default_pred, b.default_pred)
        np.testing.assert_array_equal(a.pred, b.pred)
        assert b.threshold == pytest.approx(a.threshold ** 0.4)
