"""Scale: CV on a stratified sample above evaluation.max_cv_rows, size-aware defaults that say what they did and
leave explicit keys alone, XGBoost's device from its own build, GPU generators in the parent, n_jobs-invariant results."""

from __future__ import annotations

import json
import logging
import os

import numpy as np
import pytest
import xgboost

from synthlib.augment import SMOTESampler
from synthlib.config import load_config, parse_config, with_overrides
from synthlib.evaluate import _evaluation as evaluation_module
from synthlib.evaluate import _models as models
from synthlib.evaluate._evaluation import evaluate, fold_indices
from synthlib.prepare._prepare import prepare
from synthlib.runner._audit import resolved_devices, run_audit, versions
from synthlib.runner._scale import plan

from .conftest import ROOT

SMALL = {"augmentation": {"methods": ["smote"]}, "models": {"classifiers": ["logistic_regression"]},
         "evaluation": {"cv_folds": 2, "cv_repeats": 1, "n_jobs": 1, "n_bootstrap": 100}}
MINIMAL = {"dataset": {"name": "x", "source": "x.csv", "target": "y"}}


@pytest.fixture(scope="module")
def german():
    return load_config(ROOT / "params" / "german_credit.yml")


def test_cv_runs_on_a_stratified_sample_and_the_final_fit_on_every_row(german):
    config = with_overrides(german, {**SMALL, "evaluation": {**SMALL["evaluation"], "max_cv_rows": 300}})
    prepared = prepare(config)
    utility = evaluate(prepared, {"smote": SMOTESampler(random_state=0)}, config).utility
    result = utility.to_json()
    y = prepared.y_train.to_numpy()
    folds = fold_indices(utility, prepared.y_train)
    sample = np.union1d(*folds[0])
    assert len(sample) == 300 and result["folds"]["cv_rows"] == 300 and result["folds"]["training_rows"] == len(y)
    assert all(np.array_equal(np.union1d(train, validation), sample) for train, validation in folds)
    share = np.isin(y, prepared.minority_labels)
    assert abs(share[sample].mean() - share.mean()) < 0.01  # stratified
    assert result["test"]["logistic_regression"]["baseline"]["n_train_rows"] == len(y)  # the final fit: every row
    assert len(json.dumps(result["folds"])) < 1000  # a record, not the row positions
    with pytest.raises(ValueError, match="SHA-256"):
        fold_indices(utility, np.roll(y, 1))


def test_decisions_are_recorded_and_explicit_keys_respected():
    default, decisions = plan(parse_config(MINIMAL), n_train=270_000, n_minority=6_600)
    steps = {d["decision"].split(" ")[0]: d for d in decisions}
    assert "50,000 of the 270,000" in decisions[0]["decision"] and "default" in decisions[0]["reason"]
    assert "smote_enn" not in default.augmentation.methods and "knn" not in default.models.classifiers
    assert {"SMOTE-ENN", "KNN", "epochs"} <= set(steps)
    assert default.augmentation.epochs["ctgan"] == 200_000 // 6_600
    explicit = parse_config({**MINIMAL, "augmentation": {"methods": ["smote_enn", "ctgan"], "epochs": {"ctgan": 100}},
                             "models": {"classifiers": ["knn", "xgboost"], "device": "cpu"},
                             "evaluation": {"max_cv_rows": None}})
    same, decisions = plan(explicit, n_train=270_000, n_minority=6_600)
    assert decisions == []
    assert same.augmentation == explicit.augmentation and same.models == explicit.models
    small, decisions = plan(parse_config(MINIMAL), n_train=800, n_minority=240)
    assert decisions == [] and small.augmentation.methods == parse_config(MINIMAL).augmentation.methods


def test_fast_profile_keeps_unset_keys_unset(german):
    from synthlib.config import FAST_PROFILE

    fast = with_overrides(load_config(ROOT / "examples" / "params" / "nycflights13_cancelled.yml"), FAST_PROFILE)
    assert "max_cv_rows" not in fast.evaluation.model_fields_set and "cv_folds" in fast.evaluation.model_fields_set


def test_xgboost_device_from_its_own_build(monkeypatch, caplog):
    monkeypatch.setattr(xgboost, "build_info", lambda: {"USE_CUDA": False})
    device, why = models.xgboost_device("cuda", 500_000)
    assert device == "cpu" and "no CUDA support" in why
    assert models.xgboost_device("auto", 500_000) == ("cpu", None)
    with caplog.at_level(logging.WARNING):
        config, decisions = plan(parse_config({**MINIMAL, "models": {"device": "cuda"}}), 1_000, 300)
    assert config.models.device == "cpu" and any("XGBoost on cpu" in d["decision"] for d in decisions)
    assert "XGBoost trains on the CPU" in caplog.text
    monkeypatch.setattr(xgboost, "build_info", lambda: {"USE_CUDA": True})
    monkeypatch.setattr(models, "gpu_visible", lambda: True)  # a fake CUDA device
    assert models.xgboost_device("cuda", 1_000) == ("cuda", None)
    assert models.xgboost_device("auto", 500_000) == ("cuda", None)
    assert models.xgboost_device("auto", 1_000)[0] == "cpu"  # small table: CPU workers, no CUDA context each
    assert models.make_classifier("xgboost", device="cuda").get_params()["device"] == "cuda"


def test_auto_resolves_to_cpu_without_a_gpu_and_versions_name_xgboost(german):
    if models.gpu_visible():
        pytest.skip("a GPU is visible")
    assert resolved_devices(german, 800) == {"generators": "cpu", "xgboost": "cpu"}
    assert versions()["xgboost"] == xgboost.__version__


class FakeGPUSampler(SMOTESampler):
    """SMOTE that claims a device (as the deep generators do), recording the process that fitted it."""

    device = "cuda"
    method_name = "fake_gpu"

    def fit_resample(self, X, y, **params):
        self.pid_ = os.getpid()
        return super().fit_resample(X, y, **params)


class PidSampler(SMOTESampler):
    def fit_resample(self, X, y, **params):
        self.pid_ = os.getpid()
        return super().fit_resample(X, y, **params)


def test_gpu_generators_run_in_the_parent_and_cpu_jobs_in_workers(german, monkeypatch):
    monkeypatch.setattr(evaluation_module, "resolve_device", lambda device: "cuda")  # a fake CUDA device
    config = with_overrides(german, {**SMALL, "evaluation": {**SMALL["evaluation"], "n_jobs": 2}})
    result = evaluate(prepare(config), {"gpu": FakeGPUSampler(random_state=0), "cpu": PidSampler(random_state=0)}, config)
    assert result.augmented["gpu"][2].pid_ == os.getpid()
    assert result.augmented["cpu"][2].pid_ != os.getpid()


@pytest.mark.slow
def test_parallel_stages_give_the_sequential_results(german):
    changes = {"augmentation": {"methods": ["smote", "gaussian_copula"]},
               "models": {"classifiers": ["logistic_regression", "xgboost"], "params": {"xgboost": {"n_estimators": 20}}},
               "evaluation": {"cv_folds": 2, "cv_repeats": 1, "n_bootstrap": 100},
               "fairness": {"n_bootstrap": 50}, "privacy": {"n_bootstrap": 50}}
    results = []
    for n_jobs in (1, 2):
        config = with_overrides(german, {**changes, "evaluation": {**changes["evaluation"], "n_jobs": n_jobs}})
        results.append(run_audit(config, cache_dir=None).result)
    for r in results:  # generation seconds differ from run to run
        for method in r["augmentation"].values():
            method.pop("seconds")
    for section in ("utility", "augmentation", "fidelity", "fairness", "privacy"):
        first, second = (json.dumps(r[section], sort_keys=True, default=str) for r in results)
        assert first == second, section
    assert results[0]["fairness"]["available"] and set(results[0]["fairness"]["models"]["sex"]) == {"logistic_regression", "xgboost"}
    assert set(results[0]["privacy"]["methods"]) == {"smote", "gaussian_copula"}
