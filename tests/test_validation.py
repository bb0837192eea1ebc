"""Validation metrics: sanity on identical and shifted data, exact counts, blocked == naive."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist, pdist

from synthlib.validation import MMD, PRDC, Coverage, Density, Diversity, compute_evaluation_metrics


def table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(0, 1, n), "y": rng.normal(5, 2, n), "z": rng.gamma(2, 1, n),
                         "c": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])})


def test_identical_inputs_look_identical():
    real = table()
    result = compute_evaluation_metrics(real, real.copy(), ["x", "y", "z"], ["c"])
    assert all(entry["statistic"] == 0 for entry in result["distribution_tests"]["ks"].values())
    assert result["distribution_tests"]["chi2"]["c"]["p_value"] == pytest.approx(1.0)
    assert 0.4 <= result["discriminator"]["roc_auc"] <= 0.6
    assert abs(result["mmd"]["score"]) < 0.01
    assert result["coverage"]["score"] == 1.0
    assert result["prdc"]["precision"] == 1.0 and result["prdc"]["recall"] == 1.0
    assert result["integrity"]["n_exact_copies_of_real"] == 300
    json.dumps(result)  # JSON-serialisable


def test_shifted_copy_is_detected():
    real = table()
    shifted = real.copy()
    for column in ("x", "y", "z"):
        shifted[column] = shifted[column] + 3 * real[column].std()
    result = compute_evaluation_metrics(real, shifted, ["x", "y", "z"], ["c"])
    tests = result["distribution_tests"]
    assert all(entry["p_adjusted"] < 1e-6 for entry in tests["ks"].values())
    assert all("differ" in entry["interpretation"] for entry in tests["ks"].values())
    assert tests["correction"] == "Benjamini-Hochberg"
    assert result["discriminator"]["roc_auc"] > 0.95
    assert result["mmd"]["score"] > 0.05  # identical data: < 0.01
    assert result["coverage"]["score"] < 0.2
    assert result["integrity"]["features"]["x"]["share_outside_real_range"] > 0.3


def test_duplicates_are_counted_exactly():
    real = table(100)
    synthetic = pd.concat([real.iloc[:7], real.iloc[:3], table(50, seed=9)], ignore_index=True)
    integrity = compute_evaluation_metrics(real, synthetic, ["x", "y", "z"], ["c"], quality=False)["integrity"]
    assert integrity["n_exact_copies_of_real"] == 10
    assert integrity["n_duplicates_within_synthetic"] == 3


@pytest.fixture()
def encoded():
    rng = np.random.default_rng(3)
    return rng.normal(size=(150, 4)), rng.normal(0.3, 1.2, size=(130, 4))


def test_blocked_metrics_match_naive_reference(encoded, monkeypatch):
    import synthlib.validation._metrics as metrics

    monkeypatch.setattr(metrics, "BLOCK", 37)  # several blocks, uneven last block
    real, syn = encoded
    d_rs = cdist(real, syn)
    assert Coverage(1.0).compute(real, syn)["score"] == pytest.approx((d_rs.min(1) <= 1.0).mean(), abs=1e-9)
    assert Density(1.5).compute(real, syn)["score"] == pytest.approx((d_rs <= 1.5).sum(0).mean(), abs=1e-9)
    pairs = pdist(syn)
    diversity = Diversity().compute(real, syn)
    assert diversity["score"] == pytest.approx(pairs.mean(), abs=1e-9)
    assert diversity["std"] == pytest.approx(pairs.std(), abs=1e-9)
    gamma = 0.3
    kxx, kyy, kxy = (np.exp(-gamma * cdist(a, b) ** 2) for a, b in ((real, real), (syn, syn), (real, syn)))
    m, n = len(real), len(syn)
    naive = ((kxx.sum() - m) / (m * (m - 1)) + (kyy.sum() - n) / (n * (n - 1)) - 2 * kxy.mean())
    assert MMD(gamma).compute(real, syn)["score"] == pytest.approx(naive, abs=1e-9)
    k = 5
    r_real = np.sort(cdist(real, real), axis=1)[:, k]
    r_syn = np.sort(cdist(syn, syn), axis=1)[:, k]
    within = d_rs.T <= r_real[None, :]  # synthetic x real
    prdc = PRDC(k).compute(real, syn)
    assert prdc["precision"] == pytest.approx(within.any(1).mean(), abs=1e-9)
    assert prdc["density"] == pytest.approx(within.sum() / (k * n), abs=1e-9)
    assert prdc["coverage"] == pytest.approx((d_rs.min(1) <= r_real).mean(), abs=1e-9)
    assert prdc["recall"] == pytest.approx((d_rs <= r_syn[None, :]).any(1).mean(), abs=1e-9)


def test_subsampling_is_reported():
    real, syn = np.random.default_rng(0).normal(size=(400, 3)), np.random.default_rng(1).normal(size=(500, 3))
    assert MMD(1.0, max_rows=100).compute(real, syn)["n_synthetic_used"] == 100
    assert Diversity(max_rows=120).compute(real, syn)["n_rows_used"] == 120


def test_plots_and_failing_metric_does_not_crash():
    real = table(80)
    result = compute_evaluation_metrics(real, table(60, seed=2), ["x", "y", "z"], ["c"], plot=True, quality=False)
    assert set(result["figures"]) == {"distributions", "correlation_difference", "pca"}
    one_row = compute_evaluation_metrics(real, real.iloc[:1], ["x", "y", "z"], ["c"], quality=False)
    assert "geometry" in one_row["errors"] and one_row["integrity"]["n_synthetic"] == 1
