"""Validation metrics: sanity on identical and shifted data, exact counts, blocked == naive."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist, pdist

from synthlib.assess._fidelity import MMD, PRDC, Coverage, Density, Diversity, compute_evaluation_metrics
from synthlib.report._narrative import fidelity
from synthlib.report._prose import phrase, render_block


def fidelity_summary(result: dict, method: str, notes: bool = True) -> str:
    return " ".join(phrase("fidelity", fidelity(result, method), notes=notes).split())


def fidelity_ranking(result: dict) -> str:
    return " ".join(render_block("validation", "ranking", result).split())


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
    import synthlib.assess._fidelity_metrics as metrics

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


# ---------------------------------------------------------------- issue 17: fidelity corrections
def gaussian(n: int, shift: float = 0.0, seed: int = 0, width: int = 20) -> np.ndarray:
    """Standardised-looking encoded rows: at 20 columns typical squared distances are ~40, where gamma = 1 is blind."""
    return np.random.default_rng(seed).normal(shift, 1.0, size=(n, width))


def test_mmd_median_bandwidth_sees_a_shift_and_tests_it():
    real = gaussian(300)
    same, shifted = gaussian(300, seed=1), gaussian(300, shift=0.5, seed=2)
    same_result, shifted_result = MMD().compute(real, same), MMD().compute(real, shifted)
    assert shifted_result["score"] > 0.02 and shifted_result["score"] > 10 * abs(same_result["score"])
    assert shifted_result["p_value"] < 0.01
    assert same_result["p_value"] > 0.05
    identical = MMD().compute(real, real.copy())
    assert identical["p_value"] > 0.5
    # the bandwidth is the median pairwise distance of the pooled rows (~ sqrt(2 * 20) here), not gamma = 1
    pooled = np.vstack([real, shifted])
    assert shifted_result["bandwidth"] == pytest.approx(np.median(pdist(pooled)), rel=1e-9)
    assert shifted_result["gamma"] == pytest.approx(1 / (2 * shifted_result["bandwidth"] ** 2))
    assert MMD().compute(real, shifted) == shifted_result  # seeded: same numbers again


def test_mmd_permutation_p_value_matches_naive_permutations():
    real, syn = gaussian(40, width=3), gaussian(50, shift=0.3, seed=4, width=3)
    mmd = MMD(n_permutations=30, seed=7)
    result = mmd.compute(real, syn)
    pooled, rng = np.vstack([real, syn]), np.random.default_rng(7)
    observed = MMD.statistic(real, syn, result["gamma"])
    assert result["score"] == pytest.approx(observed, abs=1e-12)
    permuted = []
    for _ in range(30):
        mask = np.zeros(len(pooled), dtype=bool)
        mask[rng.permutation(len(pooled))[:len(real)]] = True
        permuted.append(MMD.statistic(pooled[mask], pooled[~mask], result["gamma"]))
    expected = (1 + sum(v >= observed - 1e-12 for v in permuted)) / 31
    assert result["p_value"] == pytest.approx(expected)


def test_mmd_fields_are_stored_next_to_score():
    real = table()
    shifted = real.copy()
    shifted["x"] = shifted["x"] + 1.5
    result = compute_evaluation_metrics(real, shifted, ["x", "y", "z"], ["c"], quality=False)["mmd"]
    assert {"score", "bandwidth", "p_value", "gamma"} <= set(result)
    assert result["p_value"] < 0.01


def test_discriminator_judged_against_the_majority_share():
    real, synthetic = table(240), table(320, seed=4)
    result = compute_evaluation_metrics(real, synthetic, ["x", "y", "z"], ["c"], quality=False)
    disc = result["discriminator"]
    assert disc["chance_accuracy"] == pytest.approx(320 / 560)
    assert disc["accuracy_above_chance"] == pytest.approx(disc["accuracy"] - 320 / 560)
    text = fidelity_summary({"fidelity": {"smote": result}}, "smote")
    assert "chance level 0.571" in text


def test_distribution_tests_state_their_caveat():
    real = table()
    result = compute_evaluation_metrics(real, real.copy(), ["x", "y", "z"], ["c"], quality=False)
    caveat = result["distribution_tests"]["caveat"]
    assert "independent" in caveat and "not evidence of fidelity" in caveat
    text = fidelity_summary({"fidelity": {"smote": result}}, "smote")
    assert "0 of 4 features differ" in text and "not that the rows are faithful" in text
    assert "assume independent samples" in text
    short = fidelity_summary({"fidelity": {"smote": result}}, "smote", notes=False)  # the appendix's list
    assert "0 of 4 features differ" in short and "assume independent" not in short and "faithful" not in short

    assert "assume independent samples" in render_block("appendix_validation", "notes", {})  # said once instead


def near_copy_and_fresh(n: int = 300):
    """Real rows, SMOTE rows interpolated towards each row's nearest neighbour (near-copies, as Borderline-SMOTE
    gives on German credit) and a fresh, slightly shifted sample of the same kind of table."""
    from imblearn.over_sampling import SMOTENC

    real, majority = table(n), table(n, seed=20)
    majority["x"] = majority["x"] + 1.0
    X, y = pd.concat([real, majority], ignore_index=True), np.r_[np.ones(n), np.zeros(n)]
    smote = SMOTENC(categorical_features=[3], k_neighbors=1, sampling_strategy={1: n + 100}, random_state=0)
    interpolated = smote.fit_resample(X, y)[0].iloc[2 * n:]
    fresh = table(n, seed=12)
    fresh["x"] = fresh["x"] + 0.6  # off enough that the discriminator sees it better than the near-copies
    return real, interpolated, fresh


def test_near_copies_are_flagged_and_never_called_most_faithful():
    real, interpolated, fresh = near_copy_and_fresh()
    validation = {method: compute_evaluation_metrics(real, rows, ["x", "y", "z"], ["c"], quality=False)
                  for method, rows in (("borderline_smote", interpolated), ("gaussian_copula", fresh))}
    copy_close, fresh_close = validation["borderline_smote"]["closeness"], validation["gaussian_copula"]["closeness"]
    assert copy_close["near_copy"] and copy_close["synthetic_median_dcr"] < 0.5 * copy_close["real_median_nn_distance"]
    assert not fresh_close["near_copy"] and 0.5 < fresh_close["score"] < 3
    # the near-copy fools the discriminator better: the old ranking called it "closest to the real minority"
    assert (abs(validation["borderline_smote"]["discriminator"]["roc_auc"] - 0.5)
            < abs(validation["gaussian_copula"]["discriminator"]["roc_auc"] - 0.5))
    text = fidelity_ranking({"fidelity": validation})
    assert "GaussianCopula's rows are the hardest for the discriminator" in text
    assert "Borderline-SMOTE's rows are the hardest" not in text
    assert "near-copies" in text
    assert f"Borderline-SMOTE ({copy_close['score']:.2f}x)" in text  # the near-copy's closeness is named with it


def test_collapsed_generator_is_warned_about():
    real = table()
    rng = np.random.default_rng(5)
    collapsed = pd.DataFrame({"x": rng.normal(0, 0.01, 300), "y": rng.normal(5, 0.01, 300),
                              "z": rng.normal(2, 0.01, 300), "c": "a"})
    result = compute_evaluation_metrics(real, collapsed, ["x", "y", "z"], ["c"], quality=False)
    warning = result["collapse_warning"]
    assert warning["collapsed"] is True and "recall" in warning["reason"]
    assert result["discriminator"]["roc_auc"] > 0.95 and result["prdc"]["recall"] < 0.1
    assert "generator collapsed" in fidelity_summary({"fidelity": {"tvae": result}}, "tvae")
    healthy = compute_evaluation_metrics(real, table(300, seed=3), ["x", "y", "z"], ["c"], quality=False)
    assert healthy["collapse_warning"]["collapsed"] is False
    assert "collapsed" not in fidelity_summary({"fidelity": {"tvae": healthy}}, "tvae")


def test_failing_metric_becomes_an_error_row_in_the_report(monkeypatch, tmp_path):
    from types import SimpleNamespace

    import synthlib.assess._fidelity_metrics as metrics
    from synthlib.report._context import ReportContext

    def broken(self, real, synthetic):
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(metrics.MMD, "compute", broken)
    result = compute_evaluation_metrics(table(80), table(60, seed=2), ["x", "y", "z"], ["c"], quality=False)
    assert result["mmd"] is None and result["errors"]["mmd"] == "RuntimeError: kernel exploded"
    assert result["coverage"]["score"] is not None  # the other metrics carried on
    markdown = ReportContext("t", SimpleNamespace(result={"fidelity": {"smote": result}}), tmp_path).fidelity_table()
    assert "| SMOTE | mmd | n/a | RuntimeError: kernel exploded |" in markdown
    assert "None" not in markdown
    lines = markdown.splitlines()
    mmd_line = next((line for line in lines if line.startswith("| MMD |")), None)  # a wide table is transposed
    if mmd_line is not None:
        assert mmd_line.split("|")[2].strip() == "n/a"
    else:
        header = [cell.strip() for cell in next(line for line in lines if line.startswith("| method |")).split("|")]
        row = next(line for line in lines if line.startswith("| SMOTE |") and "RuntimeError" not in line)
        assert row.split("|")[header.index("MMD")].strip() == "n/a"


def test_diffusion_noise_schedule_reaches_noise():
    from synthlib.augment._diffusion import noise_schedule

    for steps in (50, 100, 1000):
        betas = noise_schedule(steps)
        assert len(betas) == steps and np.all((betas > 0) & (betas < 1))
        assert np.prod(1 - betas) < 1e-3  # the last step is (almost) pure noise, where sampling starts
