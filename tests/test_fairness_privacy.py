"""Fairness matches fairlearn; privacy flags copies, passes noise, catches interpolation; representation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (MetricFrame, demographic_parity_difference, demographic_parity_ratio,
                               equalized_odds_difference, equalized_odds_ratio, false_positive_rate, selection_rate,
                               true_positive_rate)
from sklearn.metrics import precision_score

from synthlib.assess._fairness import (MISSING_GROUP, OUTSIDE_BINS, SINGLE_GROUP, group_sizes, model_fairness,
                                       representation, resolve_outcomes, sensitive_groups)
from synthlib.assess._fairness_bootstrap import _bootstrap_gaps, gap_change
from synthlib.assess._fairness_review import assess
from synthlib.assess._privacy import assess_method, attack_space, interpolation_attack, membership_inference, risk_level
from synthlib.augment import SAMPLERS
from synthlib.config import AuditConfig, PrivacyConfig, load_config, parse_config
from synthlib.errors import DataError
from synthlib.prepare._prepare import prepare
from synthlib.report._narrative import attack_reading
from synthlib.report._prose import phrase, render_block
from synthlib.utils._jsonsafe import plain

from .conftest import ROOT, toy_config

THRESHOLDS = PrivacyConfig()

def _said(section: str, block: str, result: dict) -> str:
    """A paragraph of a report section template, rendered on `result`: each paragraph and bullet on one line."""
    lines: list[str] = []
    for line in render_block(section, block, result).splitlines():
        if lines and lines[-1] and line.strip() and not line.startswith("- "):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line.strip())
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def fairness_summary(result: dict) -> str:
    return _said("fairness", "summary", result)


def privacy_summary(result: dict) -> str:
    return _said("privacy", "summary", result)


def mitigation_summary(result: dict) -> str:
    return _said("privacy", "mitigation", result)


def _attack_sentence(attack: dict | None) -> str:
    return " ".join(phrase("attack", attack_reading(attack), attack).split())


@pytest.fixture(scope="module")
def german():
    return prepare(load_config(ROOT / "params" / "german_credit.yml"))


def _outcomes():
    return resolve_outcomes([0, 1], [0])  # 0 = minority (adverse), 1 = favourable


def _two_groups(rates_a: tuple[int, int], rates_b: tuple[int, int], n: int = 100):
    """Truth half minority in each group; `rates_x` = (minority predictions, of n rows) per group."""
    y = np.tile(np.r_[np.zeros(n // 2, int), np.ones(n // 2, int)], 2)
    pred = np.ones(2 * n, int)
    pred[:rates_a[0]] = 0
    pred[n:n + rates_b[0]] = 0
    return y, pred, np.repeat(["a", "b"], n)


def test_gaps_match_fairlearn_when_every_group_is_judged():
    rng = np.random.default_rng(3)
    y, pred, groups = rng.integers(0, 2, 300), rng.integers(0, 2, 300), rng.choice(["a", "b", "c"], 300)
    ours = model_fairness(y, pred, groups, _outcomes())
    minority_true, minority_pred, favourable = (y == 0).astype(int), (pred == 0).astype(int), (pred == 1).astype(int)
    assert ours["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(minority_true, favourable, sensitive_features=groups))
    assert ours["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(minority_true, favourable, sensitive_features=groups))
    assert ours["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(minority_true, minority_pred, sensitive_features=groups))
    direct = MetricFrame(metrics=selection_rate, y_true=minority_true, y_pred=favourable, sensitive_features=groups).by_group
    assert {r["group"]: r["favourable_rate"] for r in ours["by_group"]} == pytest.approx(direct.to_dict())
    rates = MetricFrame(metrics={"tpr": true_positive_rate, "fpr": false_positive_rate, "precision": precision_score},
                        y_true=minority_true, y_pred=minority_pred, sensitive_features=groups).by_group
    for key in ("tpr", "fpr", "precision"):
        assert {r["group"]: r[key] for r in ours["by_group"]} == pytest.approx(rates[key].to_dict())


def test_four_fifths_rule_follows_the_favourable_outcome_not_the_adverse_one():
    # adverse (minority) prediction rates 0.10 vs 0.20: ratio 0.5; approval rates 0.90 vs 0.80: ratio 0.889
    fair = model_fairness(*_two_groups((10, 100), (20, 100)), _outcomes())
    assert fair["demographic_parity_ratio"] == pytest.approx(0.8 / 0.9)
    assert fair["four_fifths_violated"] is False
    # adverse rates 0.60 vs 0.75: ratio 0.8 (passes); approval rates 0.40 vs 0.25: ratio 0.625 (fails)
    unfair = model_fairness(*_two_groups((60, 100), (75, 100)), _outcomes())
    assert unfair["demographic_parity_ratio"] == pytest.approx(0.625)
    assert unfair["four_fifths_violated"] is True


def test_favourable_label_is_resolved_by_value_and_described():
    default = resolve_outcomes(["admin", "custodial", "manage"], ["custodial", "manage"])
    assert default.favourable == (0,) and default.minority == (1, 2) and "`admin`" in default.favourable_outcome
    chosen = resolve_outcomes(["admin", "custodial", "manage"], ["custodial", "manage"], favourable_label="manage")
    assert chosen.favourable == (2,) and "`manage`" in chosen.favourable_outcome
    assert resolve_outcomes([0, 1], [0], favourable_label="1").favourable == (1,)
    with pytest.raises(DataError, match="fairness.favourable_label .* classes are: admin, custodial, manage"):
        resolve_outcomes(["admin", "custodial", "manage"], ["manage"], favourable_label="boss")


def test_vectorised_bootstrap_gaps_equal_fairlearn_per_draw():
    rng = np.random.default_rng(1)
    y, pred = rng.integers(0, 2, 150), rng.integers(0, 2, 150)
    groups = rng.choice(["x", "y", "z"], 150)
    idx = rng.integers(0, 150, (4, 150))
    draws = _bootstrap_gaps(y, pred, groups, _outcomes(), idx)
    for i in range(4):
        yt, yp, g = (y[idx[i]] == 0).astype(int), (pred[idx[i]] == 0).astype(int), groups[idx[i]]
        assert draws.iloc[i]["demographic_parity_ratio"] == pytest.approx(demographic_parity_ratio(yt, 1 - yp, sensitive_features=g))
        assert draws.iloc[i]["demographic_parity_difference"] == pytest.approx(demographic_parity_difference(yt, 1 - yp, sensitive_features=g))
        assert draws.iloc[i]["equalized_odds_difference"] == pytest.approx(equalized_odds_difference(yt, yp, sensitive_features=g))
        assert draws.iloc[i]["equalized_odds_ratio"] == pytest.approx(equalized_odds_ratio(yt, yp, sensitive_features=g))


def test_a_large_change_with_a_ci_spanning_the_tolerance_is_not_significant():
    y, before, groups = _two_groups((6, 12), (6, 12), n=12)
    after = before.copy()
    after[6:8] = 0  # group a: 8 of 12 predicted minority instead of 6: a point change of +0.167
    change = gap_change(y, before, after, groups, _outcomes(), tolerance=0.05, n_boot=200)
    dp = change["demographic_parity_difference"]
    assert dp["change"] == pytest.approx(2 / 12) and dp["ci_low"] < 0.05 < dp["ci_high"]
    assert "demographic_parity_difference" in change["widened_point_estimate"]
    assert "demographic_parity_difference" not in change["widened_significantly"]
    # the same shift on 100 times the rows is significant
    y, before, groups = _two_groups((600, 1200), (600, 1200), n=1200)
    after = before.copy()
    after[600:800] = 0
    assert "demographic_parity_difference" in gap_change(y, before, after, groups, _outcomes(), 0.05)["widened_significantly"]


def test_a_significant_fall_of_the_parity_ratio_is_flagged_like_a_widening_gap():
    y, before, groups = _two_groups((600, 1200), (600, 1200), n=1200)
    after = before.copy()
    after[600:800] = 0  # group a: fewer favourable predictions, the favourable-rate ratio falls from 1
    change = gap_change(y, before, after, groups, _outcomes(), 0.05)
    ratio = change["demographic_parity_ratio"]
    assert ratio["change"] < -0.05 and ratio["ci_high"] < -0.05
    assert "demographic_parity_ratio" in change["widened_significantly"]
    unchanged = gap_change(y, before, before, groups, _outcomes(), 0.05)
    assert unchanged["widened_significantly"] == [] and unchanged["widened_point_estimate"] == []


def _strict_json(value) -> str:
    return json.dumps(plain(value), allow_nan=False)


def test_classifier_predicting_no_minority_row_gives_reasons_not_nan():
    y, pred, groups = _two_groups((0, 100), (0, 100))
    fair = model_fairness(y, pred, groups, _outcomes())
    assert fair["equalized_odds_ratio"] is None and "0/0" in fair["reasons"]["equalized_odds_ratio"]
    assert fair["demographic_parity_ratio"] == 1.0 and fair["four_fifths_violated"] is False
    change = gap_change(y, _two_groups((30, 100), (50, 100))[1], pred, groups, _outcomes(), 0.05, n_boot=50)
    assert change["equalized_odds_ratio"]["change"] is None and "0/0" in change["reasons"]["equalized_odds_ratio"]
    _strict_json(change)
    # favourable = the minority class, which nobody is predicted: the parity ratio itself is 0/0
    nobody = model_fairness(y, pred, groups, resolve_outcomes([0, 1], [0], favourable_label=0))
    assert nobody["demographic_parity_ratio"] is None and nobody["four_fifths_violated"] is None
    assert "favourable outcome rate" in nobody["reasons"]["demographic_parity_ratio"]


def test_group_with_no_positive_prediction_counts_with_rate_zero():
    y, pred, groups = _two_groups((0, 100), (40, 100))
    fair = model_fairness(y, pred, groups, resolve_outcomes([0, 1], [0], favourable_label=0))
    assert fair["demographic_parity_ratio"] == 0.0 and fair["four_fifths_violated"] is True


def _sensitive_config(**sensitive) -> AuditConfig:
    return parse_config(toy_config(features={"sensitive": [{"column": "group", **sensitive}]}))


def test_single_group_attribute_is_reported_not_a_crash():
    config = _sensitive_config()
    X = pd.DataFrame({"group": ["a"] * 60})
    y = np.r_[np.zeros(20, int), np.ones(40, int)]
    predictions = {"logistic_regression": {"baseline": y.copy(), "smote": np.zeros(60, int)}}
    result = assess(config, X, y, predictions, X.iloc[:20], {"smote": X.iloc[:5]}, classes=[0, 1], minority=[0])
    assert result["groups"]["group"]["note"] == SINGLE_GROUP and not result["groups"]["group"]["comparable"]
    model = result["models"]["group"]["logistic_regression"]["smote"]
    assert model["demographic_parity_difference"] is None and model["reasons"]["demographic_parity_ratio"] == SINGLE_GROUP
    assert result["changes"]["group"]["logistic_regression"]["smote"]["widened_significantly"] == []
    assert SINGLE_GROUP in fairness_summary({"fairness": plain(result)})
    _strict_json(result)


def test_tiny_group_is_left_out_of_the_gap_and_named():
    y, pred, groups = _two_groups((20, 100), (30, 100))
    y, pred, groups = np.r_[y, [0, 0, 1, 1, 1]], np.r_[pred, [0, 0, 0, 0, 0]], np.r_[groups, ["c"] * 5]  # c: approves nobody
    fair = model_fairness(y, pred, groups, _outcomes())
    assert fair["demographic_parity_ratio"] == pytest.approx(0.7 / 0.8)  # a and b only; with c it would be 0
    assert {r["group"]: r["note"] for r in fair["by_group"]}["c"].startswith("too small to judge (n = 5")
    assert group_sizes(y, groups, _outcomes())["too_small"] == ["c"]


def test_group_without_minority_truth_is_left_out_of_the_tpr_gap():
    y, pred, groups = _two_groups((20, 100), (20, 100))
    y[100:150] = 1  # group b has no minority truth rows: fairlearn reports its TPR as 0
    fair = model_fairness(y, pred, groups, _outcomes())
    assert equalized_odds_difference((y == 0).astype(int), (pred == 0).astype(int), sensitive_features=groups) > 0.3
    assert fair["equalized_odds_difference"] is None and "true positive rate" in fair["reasons"]["equalized_odds_difference"]
    assert {r["group"]: r["tpr"] for r in fair["by_group"]}["b"] is None


def test_values_outside_the_bins_form_an_explicit_group(caplog):
    config = _sensitive_config(bins=[0, 50, 100], labels=["low", "high"])
    frame = pd.DataFrame({"group": [10.0, 60.0, 120.0, np.nan]})
    with caplog.at_level("WARNING", logger="synthlib.assess._fairness"):
        groups = sensitive_groups(frame, config)["group"].tolist()
    assert groups == ["low", "high", OUTSIDE_BINS, MISSING_GROUP] and "nan" not in groups
    assert "outside the bins" in caplog.text


def test_continuous_sensitive_attribute_is_binned(german):
    groups = sensitive_groups(german.X_test, german.config)
    assert set(groups["age"]) <= {"18-25", "26-35", "36-50", "51+"}
    assert set(groups["sex"]) == {"male", "female"}


def test_summary_names_significant_widening_with_its_ci_in_one_sentence_per_attribute():
    config = _sensitive_config()
    y, before, groups = _two_groups((600, 1200), (600, 1200), n=1200)
    after = before.copy()
    after[600:800] = 0
    X = pd.DataFrame({"group": np.r_[groups, ["c"] * 4]})
    y, before, after = np.r_[y, [0, 1, 1, 1]], np.r_[before, [1, 1, 1, 1]], np.r_[after, [1, 1, 1, 1]]
    predictions = {"knn": {"baseline": before, "smote": after}}
    result = plain(assess(config, X, y, predictions, X[y == 0], {"smote": X[y == 0]}, classes=[0, 1], minority=[0]))
    assert result["favourable_outcome"] == "predicted `1` (not the minority)"
    row = next(r for r in result["matrix"]["group"] if r["comparator"] == "smote")
    assert row["demographic_parity_difference"]["flagged"] and row["demographic_parity_difference"]["ci_low"] > 0.05
    text = fairness_summary({"fairness": result})
    attribute_line = next(line for line in text.splitlines() if line.startswith("- **group**"))
    assert "SMOTE + k\u2011nearest neighbours (demographic parity difference +0.167 [" in attribute_line
    assert "too small to judge: `c` (n = 4)" in attribute_line
    assert len(text.splitlines()) <= 5


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
    assert checks["risk_level"]["risk"] == "high"
    # copies are caught by the exact-copy check, not mistaken for interpolations
    assert checks["risk_level"]["levels"]["exact_copies"] == "high"
    assert checks["interpolation_attack"]["distinguish_auc"] < THRESHOLDS.attack_auc_high


def test_independent_noise_is_at_chance_and_low_risk_once_the_holdout_can_tell(german):
    rng = np.random.default_rng(0)
    noise = pd.DataFrame({c: rng.choice(german.train[c].to_numpy(), 300) for c in german.features})
    for column in german.numeric:
        noise[column] = rng.integers(german.train[column].min(), german.train[column].max() + 1, 300)
    checks = _privacy(german, noise)
    mia = checks["membership_inference"]
    assert mia["ci_low"] < 0.5 < mia["ci_high"]
    assert {k: v for k, v in checks["risk_level"]["levels"].items() if k != "membership_inference"} == \
        {"exact_copies": "low", "dcr": "low", "interpolation_attack": "low"}
    # 60 minority holdout rows: the membership CI's upper bound cannot rule out medium risk, and says so
    assert checks["risk_level"]["levels"]["membership_inference"] == ("medium" if mia["ci_high"] >= THRESHOLDS.mia_auc_medium
                                                                   else "low")
    # with 1,000 holdout rows the CI is narrow enough to grade independent noise low
    columns = list("abcd")
    train, holdout, synthetic = (pd.DataFrame(rng.normal(size=(n, 4)), columns=columns) for n in (2000, 1000, 1000))
    released = pd.concat([train, synthetic], ignore_index=True)
    is_syn = np.r_[np.zeros(len(train)), np.ones(len(synthetic))].astype(int)
    checks = assess_method(train, holdout, synthetic, released, is_syn, columns, [], [], THRESHOLDS)
    assert checks["risk_level"]["risk"] == "low", checks["risk_level"]
    assert not checks["interpolation_attack"]["beats_chance"]


def test_membership_inference_scores_every_member_and_non_member():
    from scipy.spatial.distance import cdist
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    members, non_members, synthetic = (rng.normal(size=(n, 4)) for n in (240, 60, 300))
    result = membership_inference(members, non_members, synthetic, n_boot=200, seed=0)
    assert (result["n_members"], result["n_non_members"]) == (240, 60)
    nearest = cdist(np.r_[members, non_members], synthetic).min(axis=1)
    assert result["auc"] == pytest.approx(roc_auc_score(np.r_[np.ones(240), np.zeros(60)], -nearest))
    assert result["ci_low"] < result["auc"] < result["ci_high"]


def test_membership_risk_is_graded_on_the_ci_upper_bound():
    # GaussianCopula on German credit (issue 17): AUC 0.541 with 95% CI [0.447, 0.638] was rated low
    assert 0.541 < THRESHOLDS.mia_auc_medium <= 0.638 < THRESHOLDS.mia_auc_high
    checks = {"exact_copies": {"share": 0.0}, "dcr": {"share_closer_than_typical_holdout": 0.1},
              "membership_inference": {"auc": 0.541, "ci_low": 0.447, "ci_high": 0.638}}
    result = risk_level(checks, THRESHOLDS).to_json()
    assert result["levels"]["membership_inference"] == "medium"
    assert (result["risk"], result["decided_by"]) == ("medium", "membership_inference")


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
    # exposure is claimed only above chance: SMOTE beats it, the copula's endpoints are real at the base rate
    assert smote["beats_chance"] and smote["distinguish_auc_ci_low"] > 0.5
    assert smote["exposed_real_rows"] == smote["reconstructed_real_rows"]
    assert smote["reconstruction_precision_ci_low"] > smote["chance"]["reconstruction_precision"]
    assert not copula["beats_chance"] and copula["exposed_real_rows"] == 0
    assert copula["reconstructed_real_rows"] > 0  # the raw count exists; it is not an exposure
    Z, is_syn, *_ = _released(german, "gaussian_copula")
    assert copula["chance"]["reconstruction_precision"] == pytest.approx(1 - is_syn.mean())


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


def _privacy_result(beats_chance: bool) -> dict:
    attack = {"distinguish_auc": 0.62, "distinguish_auc_ci_low": 0.58, "distinguish_auc_ci_high": 0.66,
              "reconstructed_rows": 158, "reconstructed_real_rows": 92, "reconstruction_precision": 0.58,
              "chance": {"distinguish_auc": 0.5, "reconstruction_precision": 0.44}, "beats_chance": True,
              "exposed_real_rows": 92}
    if not beats_chance:  # GaussianCopula on German credit (issue 17): at or below chance
        attack.update(distinguish_auc=0.42, distinguish_auc_ci_low=0.37, distinguish_auc_ci_high=0.46,
                      reconstructed_real_rows=71, reconstruction_precision=0.42, beats_chance=False, exposed_real_rows=0)
    checks = {"risk_level": {"risk": "low", "decided_by": None, "levels": {}}, "interpolation_attack": attack}
    return {"privacy": {"methods": {"smote": checks}, "mitigation": {
        "noise_scale": 0.1, "classifier": "logistic_regression", "alternative": "Only models.",
        "methods": {"smote": {"attack_auc_before": attack["distinguish_auc"], "attack_auc_after": 0.45,
                              "attack_beats_chance_before": beats_chance, "attack_beats_chance_after": False,
                              "recall_minority_before": 0.7, "recall_minority_after": 0.68}}}}}


def test_privacy_summary_claims_exposure_only_when_the_attack_beats_chance():
    above = privacy_summary(_privacy_result(beats_chance=True))
    assert "would expose about 92 real" in above and "no better than chance" not in above
    at_chance = privacy_summary(_privacy_result(beats_chance=False))
    assert "expose" not in at_chance.replace("no exposure", "")
    assert "does no better than chance" in at_chance and "0.440 by chance" in at_chance


def test_mitigation_summary_marks_an_attack_at_chance():
    text = mitigation_summary(_privacy_result(beats_chance=True))
    assert "0.620 → 0.450 (no better than chance)" in text
    assert "0.620 (no better than chance)" not in text


def _gap(change, flagged=False):
    return {"value": 0.2, "change": change, "ci_low": None, "ci_high": None, "flagged": flagged}


def test_fairness_heatmap_keeps_the_compared_configurations_and_marks_exactly_the_flagged_cells(tmp_path):
    from types import SimpleNamespace

    from synthlib.report._context import ReportContext

    rows = [{"classifier": "lr", "comparator": "baseline", "demographic_parity_difference": _gap(None),
             "equalized_odds_difference": _gap(None), "demographic_parity_ratio": _gap(None)}]
    rows += [{"classifier": "lr", "comparator": f"m{i}", "demographic_parity_difference": _gap(0.01 * i, flagged=i == 29),
              "equalized_odds_difference": _gap(-0.01 * i), "demographic_parity_ratio": _gap(-0.02 * i)}
             for i in range(30)]
    result = {"fairness": {"available": True, "attributes": ["sex"], "matrix": {"sex": rows}},
              "verdict": {"recommended": {"classifier": "lr", "comparator": "m0"}, "comparison": None}}
    context = ReportContext("t", SimpleNamespace(result=result), tmp_path)
    data = context.fairness_heatmap_data(limit=5)
    assert data["rows"][:5] == [("lr", f"m{i}") for i in (29, 28, 27, 26, 25)]  # the widest first
    assert ("lr", "m0") in data["rows"] and len(data["rows"]) == 6  # the recommendation is never cut
    assert ("lr", "baseline") not in data["rows"]
    assert data["flagged"].sum() == 1 and data["flagged"][0, 0]  # only m29's DP cell is framed
    assert data["change"][0].tolist() == pytest.approx([0.29, -0.29, 0.58])  # the ratio's fall, negated
    assert context.plot_fairness_heatmap().png.startswith(b"\x89PNG")


def test_privacy_summary_compares_the_method_families_by_their_counts_of_high_risk():
    risks = {"smote": "high", "borderline_smote": "high", "gaussian_copula": "medium", "ctgan": "medium",
             "tvae": "high", "diffusion": "high"}
    result = {"privacy": {"methods": {m: {"risk_level": {"risk": r, "decided_by": "dcr"}} for m, r in risks.items()}}}
    text = privacy_summary(result)
    assert "High risk: 2 of 2 interpolation (SMOTE-family) methods and 2 of 4 fitted generators" in text
    assert "more often high risk" in text and "not safer" not in text
    for checks in result["privacy"]["methods"].values():
        checks["k_anonymity"] = {"available": True, "k": 5, "quasi_identifiers": ["sex", "age"], "numeric_bins": 5,
                                 "smallest_class": 1, "share_below_k": 0.2}
    assert ("target k = 5: not reached by 6 of 6 methods (smallest class 1; 20.0% to 20.0% of the synthetic rows"
            in privacy_summary(result))


def test_mitigation_summary_gives_the_attack_cis():
    result = _privacy_result(beats_chance=True)
    for row in result["privacy"]["mitigation"]["methods"].values():
        row.update(attack_auc_ci_before=[0.58, 0.66], attack_auc_ci_after=[0.41, 0.49])
    assert "0.620 [0.580, 0.660] → 0.450 [0.410, 0.490] (no better than chance)" in mitigation_summary(result)
    for row in result["privacy"]["mitigation"]["methods"].values():
        row.update(attack_auc_after=0.566, attack_auc_ci_after=[0.521, 0.613], attack_beats_chance_after=False,
                   reconstruction_precision_after=0.44, reconstruction_precision_chance_after=0.43)
    text = mitigation_summary(result)  # a CI above 0.5 is never "no better than chance"
    assert ("0.566 [0.521, 0.613] (above chance, but its reconstructions are not shown to beat chance: "
            "reconstruction precision 0.440 against 0.430 by chance, CI reaching it)") in text


def test_a_reconstruction_better_than_chance_is_not_called_chance_when_the_auc_is():

    attack = {"distinguish_auc": 0.485, "distinguish_auc_ci_low": 0.462, "distinguish_auc_ci_high": 0.501,
              "reconstruction_precision": 0.326, "reconstruction_precision_ci_low": 0.290,
              "reconstruction_precision_ci_high": 0.364, "chance": {"reconstruction_precision": 0.260},
              "beats_chance": False, "exposed_real_rows": 0}
    text = _attack_sentence(attack)
    assert "does no better than chance" not in text
    assert "more precise than chance" in text and "[0.290, 0.364]" in text and "none is claimed" in text
    attack["reconstruction_precision_ci_low"] = 0.25  # the CI reaches chance: both at chance
    assert "does no better than chance" in _attack_sentence(attack)
