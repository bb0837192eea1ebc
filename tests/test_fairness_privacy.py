"""Fairness matches fairlearn; privacy flags copies, passes noise, catches interpolation; representation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, demographic_parity_difference, equalized_odds_difference, selection_rate

from synthlib.config import PrivacyConfig, load_config
from synthlib.data import prepare
from synthlib.fairness import _bootstrap_gaps, _gaps, model_fairness, representation, sensitive_groups
from synthlib.privacy import assess_method, attack_space, interpolation_attack
from synthlib.samplers import SAMPLERS

from .conftest import ROOT

THRESHOLDS = PrivacyConfig()


@pytest.fixture(scope="module")
def german():
    return prepare(load_config(ROOT / "params" / "german_credit.yml"))


def test_fairness_numbers_match_fairlearn_on_a_toy_case():
    y = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
    pred = np.array([0, 1, 1, 0, 0, 1, 1, 1, 0, 0])
    groups = np.array(["a", "a", "a", "a", "a", "b", "b", "b", "b", "b"])
    ours = model_fairness(y, pred, groups, positive=1)
    assert ours["demographic_parity_difference"] == pytest.approx(demographic_parity_difference(y, pred, sensitive_features=groups))
    assert ours["equalized_odds_difference"] == pytest.approx(equalized_odds_difference(y, pred, sensitive_features=groups))
    by_group = {r["group"]: r for r in ours["by_group"]}
    direct = MetricFrame(metrics=selection_rate, y_true=y, y_pred=pred, sensitive_features=groups).by_group
    assert by_group["a"]["selection_rate"] == pytest.approx(direct["a"]) and by_group["b"]["selection_rate"] == pytest.approx(direct["b"])
    assert ours["four_fifths_violated"] == (ours["demographic_parity_ratio"] < 0.8)


def test_vectorised_bootstrap_gaps_equal_fairlearn_per_draw():
    rng = np.random.default_rng(1)
    y, pred = rng.integers(0, 2, 150), rng.integers(0, 2, 150)
    groups = rng.choice(["x", "y", "z"], 150)
    idx = rng.integers(0, 150, (4, 150))
    draws = _bootstrap_gaps(y, pred, groups, 1, idx)
    for i in range(4):
        reference = _gaps(y[idx[i]], pred[idx[i]], groups[idx[i]], 1)
        for key, value in reference.items():
            assert draws.iloc[i][key] == pytest.approx(value, abs=1e-12)


def test_continuous_sensitive_attribute_is_binned(german):
    groups = sensitive_groups(german.X_test, german.config)
    assert set(groups["age"]) <= {"18-25", "26-35", "36-50", "51+"}
    assert set(groups["sex"]) == {"male", "female"}


def test_sampler_generating_one_group_is_flagged_for_representation(german):
    real = sensitive_groups(german.X_train[german.y_train == 0], german.config)["sex"].to_numpy()
    only_men = np.array(["male"] * 200)
    result = representation(real, only_men, tolerance=0.05)
    assert result["flagged"] and result["largest_shift"] > 0.3
    assert not representation(real, real.copy(), tolerance=0.05)["flagged"]


def _privacy(german, synthetic: pd.DataFrame):
    p = german
    features = p.features
    train_min = p.train[p.y_train == 0][features]
    test_min = p.test[p.y_test == 0][features]
    released = pd.concat([train_min, synthetic[features]], ignore_index=True)
    is_syn = np.r_[np.zeros(len(train_min)), np.ones(len(synthetic))].astype(int)
    return assess_method(train_min, test_min, synthetic[features], released, is_syn, p.numeric + p.ordinal,
                         p.categorical, list(p.config.features.quasi_identifiers), THRESHOLDS)


def test_copies_of_training_rows_are_high_risk_with_membership_auc_near_one(german):
    train_min = german.train[german.y_train == 0]
    checks = _privacy(german, train_min.sample(200, random_state=0))
    assert checks["exact_copies"]["count"] == 200
    assert checks["membership_inference"]["auc"] > 0.85
    assert checks["verdict"]["risk"] == "high"
    # copies are caught by the exact-copy check, not mistaken for interpolations
    assert checks["verdict"]["levels"]["exact_copies"] == "high"
    assert checks["interpolation_attack"]["distinguish_auc"] < THRESHOLDS.attack_auc_high


def test_independent_noise_is_low_risk(german):
    rng = np.random.default_rng(0)
    train_min = german.train[german.y_train == 0]
    noise = pd.DataFrame({c: rng.choice(german.train[c].to_numpy(), 300) for c in german.features})
    for column in german.numeric:
        noise[column] = rng.integers(german.train[column].min(), german.train[column].max() + 1, 300)
    checks = _privacy(german, noise)
    assert checks["verdict"]["risk"] == "low", checks["verdict"]
    assert abs(checks["membership_inference"]["auc"] - 0.5) < 0.15


def _released(german, method: str):
    X, y = german.X_train.reset_index(drop=True), german.y_train.to_numpy()
    sampler = SAMPLERS[method](random_state=0, categorical_features=german.categorical)
    X_res, y_res = sampler.fit_resample(X, y)
    is_syn = (np.arange(len(X_res)) >= len(sampler.kept_real_)).astype(int)
    in_class = np.asarray(y_res) == 0
    Z, slack = attack_space(german.train, X_res[in_class], german.numeric + german.ordinal, german.categorical)
    return Z, is_syn[in_class], 0.02, 10, slack


def test_interpolation_attack_exposes_smote_but_not_gaussian_copula(german):
    smote = interpolation_attack(*_released(german, "smote"))
    assert smote["distinguish_auc"] > 0.58  # German credit: 4 discrete numeric columns blur the segments
    assert smote["reconstruction_recall"] > 0 and smote["reconstructed_real_rows"] > 0
    copula = interpolation_attack(*_released(german, "gaussian_copula"))
    assert copula["distinguish_auc"] < THRESHOLDS.attack_auc_medium
    assert smote["distinguish_auc"] > copula["distinguish_auc"] + 0.15


def test_attack_is_near_perfect_on_continuous_smote_rows():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(600, 5)), columns=list("abcde"))
    y = np.array([0] * 150 + [1] * 450)
    sampler = SAMPLERS["smote"](random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    in_class = np.asarray(y_res) == 0
    is_syn = (np.arange(len(X_res)) >= len(X))[in_class].astype(int)
    attack = interpolation_attack(X_res[in_class].to_numpy(), is_syn)
    assert attack["distinguish_auc"] > 0.9
    assert attack["reconstruction_precision"] > 0.85 and attack["reconstruction_recall"] > 0.7
