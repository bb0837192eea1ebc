"""Utility comparison: noise is not an improvement, identical is p ~ 1, the test split is untouched."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.preprocessing import LabelEncoder

from synthlib.augment import SMOTESampler, SynthlibOverSampler
from synthlib.config import load_config, with_overrides
from synthlib.evaluate import Comparison, comparison_outcome
from synthlib.evaluate._evaluation import evaluate, fold_indices
from synthlib.evaluate._stats import corrected_resampled_ttest, holm
from synthlib.prepare._prepare import frame_hash, prepare

from .conftest import ROOT

SMALL = {"models": {"classifiers": ["logistic_regression"]},
         "evaluation": {"cv_folds": 3, "cv_repeats": 2, "n_jobs": 1, "n_bootstrap": 200}}


class NoiseSampler(SynthlibOverSampler):
    """Adds minority rows whose features are drawn at random, independent of the real rows."""

    method_name = "noise"

    def _generate(self, X, y, strategy):
        rng = np.random.default_rng(0)
        rows, labels = [], []
        for label, n in strategy.items():
            frame = pd.DataFrame({c: rng.choice(X[c].to_numpy(), n) for c in X.columns})
            rows.append(frame)
            labels.append(np.full(n, label))
        return pd.concat(rows, ignore_index=True), np.concatenate(labels), None


class SpySampler(SMOTESampler):
    seen: list[int] = []

    def fit_resample(self, X, y, **params):
        SpySampler.seen.append(frame_hash(X.reset_index(drop=True)))
        return super().fit_resample(X, y, **params)


@pytest.fixture(scope="module")
def prepared():
    config = with_overrides(load_config(ROOT / "params" / "german_credit.yml"), SMALL)
    return prepare(config)


def test_pure_noise_is_not_a_significant_improvement(prepared):
    config = with_overrides(prepared.config, {"evaluation": {"objective": "roc_auc"}})
    utility = evaluate(prepared, {"noise": NoiseSampler(random_state=0)}, config).utility
    row = next(r for r in utility.comparisons if r.comparator == "noise" and r.metric == "roc_auc")
    # neither direction: label-independent rows cost a little AUC (cv_difference ~ -0.016), not significantly
    assert row.outcome == "no significant difference", row


def test_comparator_identical_to_baseline_gives_p_near_one(prepared):
    nothing = SMOTESampler(random_state=0, max_amplification=1e-6)  # the cap allows no synthetic row
    utility = evaluate(prepared, {"same": nothing}, prepared.config).utility
    rows = [r for r in utility.comparisons if r.comparator == "same"]
    assert rows and all(r.p_value > 0.99 and r.cv_difference == 0 for r in rows)
    assert all(r.outcome == "no significant difference" for r in rows)
    # every configuration's cross-fitted threshold in each of the 3 x 2 CV folds is recorded; a comparator that adds
    # no row has the baseline's scores, so the same thresholds and the same test operating point
    thresholds = utility.cv_fold_thresholds["logistic_regression"]
    assert set(thresholds) == {"baseline", "class_weighted", "same"}
    assert len(thresholds["baseline"]) == 6 and all(0 < t < 1 for t in thresholds["baseline"])
    assert thresholds["same"] == thresholds["baseline"]
    test = utility.test["logistic_regression"]
    assert test["same"]["decision_threshold"] == test["baseline"]["decision_threshold"]
    assert test["baseline"]["metrics"] == test["same"]["metrics"]


def test_test_split_untouched_and_synthetic_rows_stay_in_training_folds(prepared):
    before = frame_hash(prepared.test)
    SpySampler.seen = []
    evaluation = evaluate(prepared, {"spy": SpySampler(random_state=0)}, prepared.config)
    assert frame_hash(prepared.test) == before == prepared.test_hash
    X = prepared.X_train.reset_index(drop=True)
    raw = prepared.raw_train[prepared.features].reset_index(drop=True)
    folds = [{"train": tr, "validation": va} for tr, va in fold_indices(evaluation.utility, prepared.y_train)]

    def cleaned_fold(rows):  # each fold's cleaning is fitted on that fold's training rows only
        return clone(prepared.cleaner).fit(raw.iloc[rows]).transform(raw.iloc[rows]).reset_index(drop=True)

    expected = {frame_hash(cleaned_fold(f["train"])) for f in folds} | {frame_hash(X)}
    assert set(SpySampler.seen) == expected  # the sampler only ever saw training folds (and the full train split)
    for fold in folds:
        assert not set(fold["train"]) & set(fold["validation"])
        assert max(fold["validation"]) < len(X)  # validation rows are real training rows, never synthetic ones
    n_fit = evaluation.utility.to_json()["test"]["logistic_regression"]["spy"]["n_train_rows"]
    assert n_fit > len(X)  # the final model did train on synthetic rows


def test_same_seed_reproduces_every_number(prepared):
    first = evaluate(prepared, {"smote": SMOTESampler(random_state=3)}, prepared.config).utility.to_json()
    second = evaluate(prepared, {"smote": SMOTESampler(random_state=3)}, prepared.config).utility.to_json()
    assert json.dumps(first, sort_keys=True, default=str) == json.dumps(second, sort_keys=True, default=str)


def test_result_holds_metrics_curves_and_summary(prepared):
    result = evaluate(prepared, {"smote": SMOTESampler(random_state=0)}, prepared.config).utility.to_json()
    test = result["test"]["logistic_regression"]
    assert set(test) == {"baseline", "class_weighted", "smote"}  # every configuration has its own threshold
    metrics = test["smote"]["metrics"]
    for key in ("accuracy", "balanced_accuracy", "roc_auc", "pr_auc", "brier", "recall_minority", "f1_majority"):
        assert 0 <= metrics[key] <= 1
    confusion = test["smote"]["confusion"]
    assert sum(confusion.values()) == len(prepared.test)
    assert confusion["tp"] + confusion["fn"] == (prepared.y_test == 0).sum()
    assert len(test["smote"]["curves"]["roc"]["fpr"]) > 2
    low, high = test["smote"]["primary_ci"]  # the CI of the objective (German credit: the 5:1 expected cost per row)
    assert result["protocol"]["primary_metric"] == "expected_cost" and low <= metrics["expected_cost"] <= high
    assert metrics["expected_cost"] == pytest.approx((5 * confusion["fn"] + confusion["fp"]) / len(prepared.test))
    # at its own operating threshold, chosen on held-out CV scores; the default threshold's metrics are kept beside
    assert 0 < test["smote"]["decision_threshold"] < 1
    default = test["smote"]["metrics_at_default_threshold"]
    assert default["roc_auc"] == metrics["roc_auc"] and default["brier"] == metrics["brier"]  # scores unchanged
    assert metrics["log_loss"] > 0
    # every fold record carries the matched-operating-point recall, at the best non-synthetic configuration's precision
    assert 0 < result["protocol"]["matched_precision"] < 1
    assert all(0 <= row["recall_at_matched_precision"] <= 1 for row in result["cv_folds"])


def test_nadeau_bengio_and_holm():
    from scipy import stats

    d = np.array([0.1, 0.12, 0.09, 0.11, 0.1])
    # by hand: mean 0.104, squared deviations sum to 5.2e-4, s^2 = 1.3e-4; t = 0.104 / sqrt((1/5 + 0.25) * 1.3e-4)
    t, p = corrected_resampled_ttest(d, 0.25)
    assert t == pytest.approx(13.5974, abs=1e-4)
    assert p == pytest.approx(2 * stats.t.sf(13.5974, df=4), rel=1e-4)
    # without the correction (test_fraction 0) it is the ordinary one-sample t-test
    plain = stats.ttest_1samp(d, 0.0)
    assert corrected_resampled_ttest(d, 0.0) == pytest.approx((plain.statistic, plain.pvalue), rel=1e-12)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    from dataclasses import replace

    up = Comparison("lr", "smote", "recall_minority", 0.1, None, None, ci_low=0.02, ci_high=0.2, p_holm=0.01)
    down = Comparison("lr", "smote", "recall_minority", -0.1, None, None, ci_low=-0.2, ci_high=-0.02, p_holm=0.01)
    assert comparison_outcome(up, 0.05) == "improved" and comparison_outcome(down, 0.05) == "worse"
    assert comparison_outcome(replace(up, p_holm=0.2), 0.05) == "no significant difference"
    assert comparison_outcome(replace(down, metric="brier"), 0.05) == "improved"  # lower is better
    assert comparison_outcome(replace(up, p_holm=0.05), 0.05) == "improved"  # the one convention: p <= alpha


def test_threshold_scorers_equal_scikit_learns_metrics():
    from sklearn.metrics import balanced_accuracy_score, f1_score

    from synthlib.evaluate._metrics import fast_balanced_accuracy, fast_f1

    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        y_true, y_pred = rng.integers(0, 3, n), rng.integers(0, 3, n)
        for positive in (0, 1, 2):
            assert fast_f1(y_true, y_pred, positive) == pytest.approx(f1_score(y_true, y_pred, labels=[positive],
                                                                                 average="macro", zero_division=0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # y_pred holding a class that y_true lacks
            assert fast_balanced_accuracy(y_true, y_pred) == pytest.approx(balanced_accuracy_score(y_true, y_pred))
    assert fast_f1(np.zeros(5), np.zeros(5), 1) == 0.0  # no positive at all: 0, as zero_division=0


def test_single_metric_fast_paths_equal_the_full_multiclass_metrics():
    from synthlib.evaluate._metrics import classification_metrics, single_metric

    rng = np.random.default_rng(5)
    for _ in range(30):
        y = rng.integers(0, 3, 60)
        proba = rng.dirichlet(np.ones(3), 60).round(1)  # rounded: ties in the scores
        proba /= proba.sum(1, keepdims=True)
        pred = proba.argmax(1)
        full = classification_metrics(y, proba, pred, [1, 2], 0)
        for metric in ("roc_auc", "pr_auc", "brier", "log_loss", "f1_minority", "balanced_accuracy"):
            assert single_metric(metric, y, proba, pred, [1, 2], 0) == pytest.approx(full[metric]), metric


def test_the_tuned_threshold_is_a_cut_off_on_the_minority_probability(prepared):
    from synthlib.evaluate._evaluation import fit_predict

    encoder = LabelEncoder().fit(prepared.y_train)
    minority = int(encoder.transform(prepared.minority_labels)[0])
    assert minority == 0  # German credit: the minority (bad credit, 0) is not scikit-learn's default positive class
    y = encoder.transform(prepared.y_train)
    model, proba, pred = fit_predict(prepared.config, prepared, "logistic_regression", "tuned_threshold",
                                      prepared.X_train, y, prepared.X_test, minority, 0, "cpu")
    assert np.array_equal(pred == minority, proba[:, minority] >= model.best_threshold_)


@pytest.mark.parametrize("objective", ["f1_minority", "balanced_accuracy"])
def test_predictions_from_probabilities_equal_predict_for_every_configuration(prepared, objective):
    """The grid derives labels from the probabilities instead of calling `predict` again: the same labels."""
    from synthlib.evaluate._evaluation import fit_predict

    config = with_overrides(prepared.config, {"evaluation": {"threshold_objective": objective}})
    encoder = LabelEncoder().fit(prepared.y_train)
    minority = int(encoder.transform(prepared.minority_labels)[0])
    y = encoder.transform(prepared.y_train)
    for classifier in ("xgboost", "random_forest", "logistic_regression", "knn"):
        for comparator in ("baseline", "class_weighted", "tuned_threshold"):
            if comparator == "class_weighted" and classifier == "knn":
                continue
            model, proba, pred = fit_predict(config, prepared, classifier, comparator, prepared.X_train, y,
                                              prepared.X_test, minority, 0, "cpu")
            assert np.array_equal(pred, model.predict(prepared.X_test)), (classifier, comparator)


def test_predictions_from_probabilities_equal_predict_on_three_classes():
    from synthlib.evaluate._evaluation import fit_predict

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300), "c": rng.choice(list("xyz"), 300)})
    y = (X["a"] > 0.5).astype(int) + (X["b"] > 1).astype(int)
    config = load_config(ROOT / "params" / "german_credit.yml")
    columns = type("Columns", (), {"numeric": ["a", "b"], "ordinal": [], "categorical": ["c"]})
    for classifier in ("xgboost", "random_forest", "logistic_regression", "knn"):
        model, proba, pred = fit_predict(config, columns, classifier, "baseline", X, y.to_numpy(), X, 1, 0, "cpu")
        assert np.array_equal(pred, model.predict(X)), classifier


@pytest.mark.parametrize("seed", range(6))
def test_classification_metrics_equal_scikit_learn(seed):
    """The numpy metrics match scikit-learn's (zero_division=0), including a class never predicted and tied scores."""
    from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score, brier_score_loss,
                                 log_loss, precision_recall_fscore_support, roc_auc_score)

    from synthlib.evaluate._metrics import classification_metrics

    rng = np.random.default_rng(seed)
    k = 2 if seed < 4 else 3
    y = rng.integers(0, k, 80)
    proba = rng.dirichlet(np.ones(k), 80).round(2 if seed % 2 else 6)
    proba /= proba.sum(1, keepdims=True)
    pred = proba.argmax(1) if seed != 2 else np.zeros(80, dtype=int)  # seed 2: the minority class is never predicted
    minority, majority = [1] if k == 2 else [1, 2], 0
    got = classification_metrics(y, proba, pred, minority, majority)
    precision, recall, f1, _ = precision_recall_fscore_support(y, pred, labels=np.arange(k), zero_division=0)
    expected = {"accuracy": accuracy_score(y, pred), "balanced_accuracy": balanced_accuracy_score(y, pred),
                "precision_minority": np.mean(precision[minority]), "recall_minority": np.mean(recall[minority]),
                "f1_minority": np.mean(f1[minority]), "f1_macro": np.mean(f1), "precision_majority": precision[0]}
    if k == 2:
        expected.update(roc_auc=roc_auc_score(y, proba[:, 1]), pr_auc=average_precision_score(y, proba[:, 1]),
                        brier=brier_score_loss(y, proba[:, 1]),
                        log_loss=log_loss(y, np.clip(proba[:, 1], 1e-15, 1 - 1e-15), labels=[0, 1]))
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-12), name


def test_shared_bootstrap_draws_give_the_same_intervals_as_one_bootstrap_per_comparison(prepared):
    """The comparisons read one pass of draws for every configuration: the CIs of a per-comparison paired bootstrap."""
    from synthlib.evaluate._metrics import batch_metric
    from synthlib.evaluate._stats import bootstrap_ci, paired_bootstrap

    evaluation = evaluate(prepared, {"smote": SMOTESampler(random_state=0)})
    result, encoder = evaluation.utility.to_json(), evaluation.label_encoder
    y_test = encoder.transform(prepared.y_test)
    positive = result["classes"]["labels"].index(result["classes"]["positive"])
    n_boot, seed = result["protocol"]["n_bootstrap"], prepared.config.split.seed
    checked = 0
    for row in result["comparisons"]:
        fn = batch_metric(row["metric"], positive)
        if fn is None:
            continue
        (pred_a, proba_a), (pred_b, proba_b) = (evaluation.test_predictions[(row["classifier"], c)]
                                                for c in ("baseline", row["comparator"]))
        direct = paired_bootstrap(fn, y_test, (pred_a, proba_a[:, positive]), (pred_b, proba_b[:, positive]), n_boot, seed)
        assert (row["test_difference"], row["ci_low"], row["ci_high"]) == pytest.approx(
            (direct["difference"], direct["ci_low"], direct["ci_high"]), abs=1e-12)
        checked += 1
    assert checked >= 2
    entry = result["test"]["logistic_regression"]["smote"]
    pred, proba = evaluation.test_predictions[("logistic_regression", "smote")]
    primary = result["protocol"]["primary_metric"]
    objective = evaluation.utility.protocol.decision_objective()
    assert entry["primary_ci"] == pytest.approx(list(bootstrap_ci(batch_metric(primary, positive, objective=objective), y_test, pred,
                                                                   proba[:, positive], n_boot, seed)), abs=1e-12)
