"""The verdict's decision rules, on results built by hand (no model is fitted here)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from synthlib.assess import FairnessResult, FidelityResult, PrivacyResult
from synthlib.config import parse_config
from synthlib.decide import Verdict
from synthlib.decide._verdict import decide as decide_typed
from synthlib.decide._verdict import recompute_from_folds
from synthlib.evaluate import UtilityResult, comparison_outcome
from synthlib.evaluate._calibration import calibration_summary, fit_recalibration
from synthlib.evaluate._metrics import MATCHED_RECALL, classification_metrics, confusion
from synthlib.report._prose import render_block

N_FOLDS, REPEATS = 5, 2
FOLDS = N_FOLDS * REPEATS
RNG = np.random.default_rng(0)
Y_TEST = np.array([1] * 60 + [0] * 140)  # 1 = the minority ("bad"), 0 = the majority


def said(section: str, block: str, result: dict) -> str:
    """One paragraph of a section template, rendered on `result`, on one line (a bullet's dash dropped)."""
    return " ".join(render_block(section, block, result).split()).removeprefix("- ")


def predictions(recall: float, precision: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Test predictions with about the given minority recall and precision, and scores that agree with them."""
    rng = np.random.default_rng(seed)
    pred = np.zeros(len(Y_TEST), dtype=int)
    positives = np.flatnonzero(Y_TEST == 1)
    negatives = np.flatnonzero(Y_TEST == 0)
    tp = int(round(recall * len(positives)))
    fp = int(round(tp * (1 - precision) / precision)) if tp else 0
    pred[rng.choice(positives, tp, replace=False)] = 1
    pred[rng.choice(negatives, fp, replace=False)] = 1
    score = np.clip(0.25 + 0.5 * pred + rng.normal(0, 0.05, len(pred)), 0.01, 0.99)
    return pred, np.column_stack([1 - score, score])


def _recalibration(score: np.ndarray) -> dict:
    """A test entry's recalibration record; the map is fitted on the test scores themselves (no CV scores here)."""
    fitted = fit_recalibration(score, Y_TEST == 1)
    entry = {"before": calibration_summary(Y_TEST == 1, score).to_json()}
    if fitted is not None:
        entry.update(slope=fitted.slope, intercept=fitted.intercept, rows=fitted.rows,
                     after=calibration_summary(Y_TEST == 1, fitted.apply(score)).to_json())
    return entry


def build(configurations: dict[tuple[str, str], dict], config_changes: dict | None = None) -> tuple[dict, dict]:
    """`configurations[(classifier, comparator)]` = {"recall": per-fold mean, "precision": ..., "test": (pred, proba)}.

    Every fold metric is the given mean plus the same small fold noise for all configurations (paired folds).
    """
    params = {"dataset": {"name": "t", "source": "x.csv", "target": "y"},
              "models": {"classifiers": sorted({c for c, _ in configurations})},
              "evaluation": {"cv_folds": N_FOLDS, "cv_repeats": REPEATS, "n_bootstrap": 300}}
    for key, value in (config_changes or {}).items():
        params.setdefault(key, {}).update(value)
    config = parse_config(params)
    objective = config.evaluation.objective  # the ranking metric, stored as the protocol's primary metric
    fold_noise = RNG.normal(0, 0.01, FOLDS)
    cv_folds, cv, test, test_predictions = [], {}, {}, {}
    for (classifier, comparator), spec in configurations.items():
        own_noise = np.random.default_rng(zlib.crc32(f"{classifier}|{comparator}".encode())).normal(0, spec.get("noise", 0.005), FOLDS)
        values = {}
        for metric in ("recall_minority", "precision_minority", "f1_minority", "roc_auc", "pr_auc", "brier", "ece",
                       MATCHED_RECALL):
            # the objective (minority F1) moves with the given recall unless given itself
            base = spec.get(metric, spec.get("recall", 0.5) if metric in ("recall_minority", MATCHED_RECALL, "f1_minority") else
                            spec.get("precision", 0.5) if metric == "precision_minority" else 0.3 if metric == "brier" else
                            0.05 if metric == "ece" else 0.7)
            values[metric] = np.clip(base + fold_noise + own_noise, 0, 1)
        for fold in range(FOLDS):
            cv_folds.append({"classifier": classifier, "comparator": comparator, "fold": fold,
                             **{m: float(v[fold]) for m, v in values.items()}})
        cv.setdefault(classifier, {})[comparator] = {m: {"mean": float(v.mean()), "std": float(v.std(ddof=1))}
                                                    for m, v in values.items()}
        pred, proba = spec["test"]
        metrics = classification_metrics(Y_TEST, proba, pred, [1], 0)
        test.setdefault(classifier, {})[comparator] = {"metrics": metrics, "confusion": confusion(Y_TEST, pred, 1),
                                                       "primary_ci": [0.0, 1.0],
                                                       "recalibration": _recalibration(proba[:, 1])}
        test_predictions[(classifier, comparator)] = (pred, proba)
    result = {
        "config": {"resolved": config.to_dict()},
        "utility": {"protocol": {"cv_folds": N_FOLDS, "cv_repeats": REPEATS, "primary_metric": objective,
                                 "matched_precision": 0.5, "seed": 42, "alpha": 0.05, "metrics": [objective],
                                 "n_bootstrap": 300, "test": "corrected t-test",
                                 "threshold_objective": config.evaluation.threshold_rule},
                    "classes": {"labels": ["0", "1"], "minority": ["1"], "majority": "0", "positive": "1"},
                    "folds": {}, "cv": cv, "cv_folds": cv_folds, "test": test, "comparisons": []},
        "fairness": {"available": False, "statement": "none"},
        "privacy": {"methods": {}},
        "fidelity": {},
    }
    return result, test_predictions


def decide(result: dict, test_predictions=None, y_test=None) -> dict:
    """The verdict of a hand-built results dict, as results.json stores it: the typed stage results read from
    their JSON, `decide` on them, and the verdict written back as JSON."""
    verdict = decide_typed(UtilityResult.from_json(result["utility"]), FidelityResult.from_json(result["fidelity"]),
                           FairnessResult.from_json(result["fairness"]), PrivacyResult.from_json(result["privacy"]),
                           parse_config(result["config"]["resolved"]), test_predictions, y_test)
    return verdict.to_json()


def verdict_of(configurations, config_changes=None, fairness=None, privacy=None):
    result, test_predictions = build(configurations, config_changes)
    if fairness is not None:
        result["fairness"] = fairness
    if privacy is not None:
        result["privacy"] = privacy
    result["verdict"] = decide(result, test_predictions, Y_TEST)
    return result["verdict"], result


def test_a_better_alternative_without_synthetic_rows_is_recommended():
    verdict, _ = verdict_of({
        ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "smote"): {"recall": 0.62, "test": predictions(0.62, 0.5, 2)},
        ("knn", "baseline"): {"recall": 0.35, "test": predictions(0.35, 0.6, 3)},
        ("knn", "tuned_threshold"): {"recall": 0.78, "test": predictions(0.78, 0.5, 4)},
    })
    assert verdict["augmentation_helps"] == "no evidence"
    assert (verdict["recommended"]["classifier"], verdict["recommended"]["comparator"]) == ("knn", "tuned_threshold")
    assert verdict["best_alternative"]["comparator"] == "tuned_threshold"
    assert verdict["comparison"]["comparator"] == "smote"
    # the template's criterion (vs the same classifier's baseline) is reported, labelled, and does not decide
    own = [r for r in verdict["evidence"] if "same classifier" in r["comparison"]]
    assert own and not any(r["decides"] for r in own)


def test_augmentation_helps_only_with_cv_significance_and_a_test_ci_above_the_margin():
    configurations = {
        ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "smote"): {"recall": 0.70, "test": predictions(0.85, 0.75, 2)},
        ("logistic_regression", "tuned_threshold"): {"recall": 0.50, "test": predictions(0.45, 0.6, 3)},
    }
    verdict, result = verdict_of(configurations)
    assert verdict["augmentation_helps"] == "helps"
    assert verdict["recommended"]["comparator"] == "smote"
    deciding = [r for r in verdict["evidence"] if r["decides"]]
    assert [r["metric"] for r in deciding] == ["f1_minority", MATCHED_RECALL]  # the objective, then the matched point
    assert deciding[0]["margin"] == 0.02  # evaluation.min_improvement
    assert all(r["met"] and r["p_holm"] <= 0.05 and r["ci_low"] > r["margin"] for r in deciding)
    assert "lower bound above the minimum improvement" in verdict["confirmation"]
    assert "Holm-adjusted over the comparisons that decide" in verdict["significance"]
    # the same CV evidence, but a test split where the augmented model is no better: the CI spans 0
    configurations[("logistic_regression", "smote")]["test"] = predictions(0.45, 0.6, 5)
    verdict, _ = verdict_of(configurations)
    primary = next(r for r in verdict["evidence"] if r["decides"] and r["metric"] == "f1_minority")
    assert primary["p_holm"] <= 0.05 and primary["ci_low"] < 0 < primary["ci_high"]
    assert not primary["met"] and primary["not_met_because"] == "the test-split CI is not wholly above 0.02"
    assert verdict["augmentation_helps"] == "no evidence"
    assert verdict["recommended"]["comparator"] == "tuned_threshold"
    # a clear test-split gain, but a CV gain within the margin: the CV folds do not support it
    configurations[("logistic_regression", "smote")] = {"recall": 0.505, "test": predictions(0.85, 0.75, 2)}
    verdict, _ = verdict_of(configurations)
    primary = next(r for r in verdict["evidence"] if r["decides"] and r["metric"] == "f1_minority")
    assert primary["ci_low"] > primary["margin"] and primary["p_holm"] > 0.05
    assert not primary["met"] and primary["not_met_because"].startswith("the CV gain is not above the margin (Holm p ")
    assert verdict["augmentation_helps"] == "no evidence"


def test_the_objective_is_always_a_criterion_first_unless_a_success_criterion_names_it():
    configurations = {
        ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "smote"): {"recall": 0.70, "test": predictions(0.85, 0.75, 2)},
        ("logistic_regression", "tuned_threshold"): {"recall": 0.50, "test": predictions(0.45, 0.6, 3)},
    }
    recall = {"evaluation": {"success_criteria": [{"metric": "recall_minority", "min_improvement": 0.05}]}}
    verdict, _ = verdict_of(configurations, recall)
    deciding = [(r["metric"], r["margin"]) for r in verdict["evidence"] if r["decides"]]
    assert deciding == [("f1_minority", 0.02), ("recall_minority", 0.05), (MATCHED_RECALL, 0.0)]
    named = {"evaluation": {"min_improvement": 0.01,
                            "success_criteria": [{"metric": "f1_minority", "min_improvement": 0.04}]}}
    verdict, _ = verdict_of(configurations, named)
    deciding = [(r["metric"], r["margin"]) for r in verdict["evidence"] if r["decides"]]
    assert deciding == [("f1_minority", 0.04), (MATCHED_RECALL, 0.0)]  # the criterion's margin, not min_improvement


def test_a_ci_spanning_zero_is_never_called_improved():
    from dataclasses import replace

    from synthlib.evaluate import Comparison

    row = Comparison("lr", "smote", "recall_minority", 0.2, None, None, ci_low=-0.02, ci_high=0.3, p_holm=0.001)
    assert comparison_outcome(row, 0.05) == "not confirmed on test"
    assert comparison_outcome(replace(row, ci_low=0.01), 0.05) == "improved"
    # lower is better for the Brier score: a drop is the improvement
    brier = Comparison("lr", "smote", "brier", -0.03, None, None, ci_low=-0.05, ci_high=-0.01, p_holm=0.01)
    assert comparison_outcome(brier, 0.05) == "improved"
    assert comparison_outcome(replace(brier, ci_high=0.01), 0.05) == "not confirmed on test"


def test_a_threshold_shift_is_not_an_improvement():
    """Higher minority F1 on every fold, but no more recall at the matched precision: a threshold shift, no more."""
    verdict, _ = verdict_of({
        ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "smote"): {"recall": 0.75, MATCHED_RECALL: 0.50, "test": predictions(0.85, 0.75, 2)},
        ("logistic_regression", "class_weighted"): {"recall": 0.55, MATCHED_RECALL: 0.50, "test": predictions(0.45, 0.6, 3)},
    })
    matched = next(r for r in verdict["evidence"] if r["metric"] == MATCHED_RECALL)
    assert not matched["met"]
    objective = next(r for r in verdict["evidence"] if r["decides"] and r["metric"] == "f1_minority")
    # the thresholded metric alone would have said "helps"
    assert objective["p_holm"] <= 0.05 and objective["ci_low"] > objective["margin"] > 0
    assert not objective["met"] and "threshold shift" in objective["not_met_because"]
    assert verdict["augmentation_helps"] == "no evidence"


def _fairness(widened: list[str]) -> dict:
    change = {"demographic_parity_difference": {"before": 0.05, "after": 0.25, "change": 0.2, "ci_low": 0.08, "ci_high": 0.36},
              "equalized_odds_difference": {"before": 0.1, "after": 0.1, "change": 0.0, "ci_low": -0.1, "ci_high": 0.1},
              "widened_significantly": widened, "widened_point_estimate": widened}
    model = {"demographic_parity_ratio": 0.9, "four_fifths_violated": False}
    return {"available": True, "attributes": ["sex"], "tolerance": 0.05, "favourable_outcome": "predicted 0",
            "models": {"sex": {"logistic_regression": {"smote": model, "baseline": model, "tuned_threshold": model}}},
            "changes": {"sex": {"logistic_regression": {"smote": change}}}}


HELPING = {
    ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
    ("logistic_regression", "smote"): {"recall": 0.70, "test": predictions(0.85, 0.75, 2)},
    ("logistic_regression", "tuned_threshold"): {"recall": 0.50, "test": predictions(0.45, 0.6, 3)},
}


def test_a_significant_fairness_widening_makes_the_recommendation_conditional():
    verdict, _ = verdict_of(HELPING, fairness=_fairness(["demographic_parity_difference"]))
    assert verdict["recommended"]["comparator"] == "smote"
    assert verdict["status"] == "conditional"
    assert verdict["dimensions"]["fairness"]["status"] == "fail"
    assert "sex" in verdict["conditions"][0] and "+0.200" in verdict["conditions"][0]
    assert verdict["best_passing"]["comparator"] == "tuned_threshold"  # named: the best configuration that passes
    # a point-estimate widening whose CI includes the tolerance is a warning, not a condition
    verdict, _ = verdict_of(HELPING, fairness={**_fairness([]), "changes": {"sex": {"logistic_regression": {"smote": {
        **_fairness([])["changes"]["sex"]["logistic_regression"]["smote"],
        "widened_point_estimate": ["demographic_parity_difference"]}}}}})
    assert verdict["status"] == "recommended" and verdict["dimensions"]["fairness"]["status"] == "warn"


def test_high_privacy_risk_makes_the_release_conditional():
    privacy = {"methods": {"smote": {"risk_level": {"risk": "high", "decided_by": "interpolation_attack", "levels": {}}}}}
    verdict, _ = verdict_of(HELPING, privacy=privacy)
    assert verdict["status"] == "conditional"
    assert verdict["release"]["augmented_data"] is False
    assert "not be released" in verdict["conditions"][0]
    verdict, _ = verdict_of(HELPING, privacy=privacy, config_changes={"privacy": {"allow_release": True}})
    assert verdict["release"]["augmented_data"] is True


def test_a_degenerate_configuration_is_reported_and_never_recommended():
    none_predicted = (np.zeros(len(Y_TEST), dtype=int), np.column_stack([np.full(len(Y_TEST), 0.9), np.full(len(Y_TEST), 0.1)]))
    verdict, _ = verdict_of({
        ("logistic_regression", "baseline"): {"recall": 0.0, "precision": 0.0, "test": none_predicted},
        ("logistic_regression", "smote"): {"recall": 0.30, "test": predictions(0.30, 0.5, 2)},
        ("logistic_regression", "class_weighted"): {"recall": 0.45, "test": predictions(0.45, 0.5, 3)},
    })
    degenerate = {d["configuration"]: d["reason"] for d in verdict["degenerate"]}
    assert any("original data" in name for name in degenerate)
    assert "predicts no minority row" in next(iter(degenerate.values()))
    assert verdict["recommended"]["comparator"] == "class_weighted"


def test_every_configuration_degenerate_is_not_recommended():
    none_predicted = (np.zeros(len(Y_TEST), dtype=int), np.column_stack([np.full(len(Y_TEST), 0.9), np.full(len(Y_TEST), 0.1)]))
    verdict, _ = verdict_of({("logistic_regression", c): {"recall": 0.0, "precision": 0.0, "test": none_predicted}
                             for c in ("baseline", "smote")})
    assert verdict["status"] == "not recommended" and verdict["recommended"] is None


def test_precision_floor_excludes_configurations():
    verdict, _ = verdict_of({
        ("logistic_regression", "baseline"): {"recall": 0.40, "precision": 0.6, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "tuned_threshold"): {"recall": 0.90, "precision": 0.2, "test": predictions(0.9, 0.3, 2)},
        ("logistic_regression", "smote"): {"recall": 0.50, "precision": 0.5, "test": predictions(0.5, 0.5, 3)},
    }, config_changes={"evaluation": {"precision_floor": 0.4}})
    assert verdict["best_alternative"]["comparator"] == "baseline"
    excluded = next(r for r in verdict["ranked"] if r["comparator"] == "tuned_threshold")
    assert not excluded["eligible"] and "precision floor" in excluded["excluded_because"]


def test_the_answer_can_be_recomputed_from_the_fold_records():
    verdict, result = verdict_of(HELPING)
    again = recompute_from_folds(Verdict.from_json(verdict), UtilityResult.from_json(result["utility"]))
    assert again["augmentation_helps"] == verdict["augmentation_helps"]
    assert [r.p_holm for r in again["evidence"]] == pytest.approx([r["p_holm"] for r in verdict["evidence"]])
    assert [r.met for r in again["evidence"]] == [r["met"] for r in verdict["evidence"]]


def test_fast_precision_recall_points_match_scikit_learn():
    from sklearn.metrics import average_precision_score, precision_recall_curve

    from synthlib.evaluate._metrics import average_precision, recall_at_precision

    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    score = np.round(rng.random(300) * 0.5 + 0.4 * y, 2)  # rounded: many ties
    assert average_precision(y, score) == pytest.approx(average_precision_score(y, score), abs=1e-12)
    precision, recall, _ = precision_recall_curve(y, score)
    for floor in (0.3, 0.5, 0.7, 0.99):
        expected = recall[precision >= floor].max()
        assert recall_at_precision(y, score, floor) == pytest.approx(expected, abs=1e-12)


def test_single_metric_equals_the_full_computation_for_three_classes():
    from synthlib.evaluate._metrics import single_metric

    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 400)
    proba = rng.dirichlet([1, 1, 1], 400)
    pred = proba.argmax(1)
    full = classification_metrics(y, proba, pred, [1, 2], 0)
    for metric in ("accuracy", "balanced_accuracy", "recall_minority", "precision_minority", "f1_minority",
                   "f1_majority", "recall_macro", "brier", "log_loss", "roc_auc"):
        assert single_metric(metric, y, proba, pred, [1, 2], 0) == pytest.approx(full[metric], abs=1e-9), metric


def test_calibration_warns_on_a_badly_calibrated_recommendation():
    from synthlib.evaluate._metrics import expected_calibration_error

    y = np.array([1] * 50 + [0] * 150)
    assert expected_calibration_error(y, np.full(200, 0.25)) == pytest.approx(0.0, abs=1e-12)
    assert expected_calibration_error(y, np.full(200, 0.75)) == pytest.approx(0.5)
    overconfident = predictions(0.5, 0.6, 9)
    overconfident[1][:, 1] = np.where(overconfident[0] == 1, 0.99, 0.01)
    overconfident[1][:, 0] = 1 - overconfident[1][:, 1]
    verdict, _ = verdict_of({("logistic_regression", "baseline"): {"recall": 0.7, "test": overconfident},
                             ("logistic_regression", "smote"): {"recall": 0.3, "test": predictions(0.3, 0.5, 2)}})
    assert verdict["recommended"]["comparator"] == "baseline"
    assert verdict["dimensions"]["calibration"]["status"] == "warn"
    assert verdict["dimensions"]["calibration"]["expected_calibration_error"] > 0.1


def test_a_baseline_table_gain_without_a_significant_matched_precision_gain_is_a_threshold_shift():
    from synthlib.evaluate._summary import _flag_threshold_shifts

    rng = np.random.default_rng(0)
    base = 0.55 + rng.normal(0, 0.03, 10)
    matched = {"baseline": base, "tuned_threshold": base,  # only the threshold moved
               "smote": base + 0.07 + rng.normal(0, 0.01, 10),  # a clear gain on every fold
               "adasyn": base + rng.normal(0.004, 0.03, 10)}  # +0.004 on average: noise
    from synthlib.evaluate import Classes, Comparison, Protocol

    utility = UtilityResult(
        classes=Classes(("0", "1"), ("1",), "0", "1"),
        protocol=Protocol(5, 2, 0, 0.05, "recall_minority", ("recall_minority",), 100, "t", "f1"), folds={}, cv={},
        cv_folds=tuple({"classifier": "random_forest", "comparator": c, "fold": f, MATCHED_RECALL: v[f]}
                       for c, v in matched.items() for f in range(10)),
        test={"random_forest": {c: {"metrics": {MATCHED_RECALL: 0.55 + (0.06 if c == "smote" else 0.004)}}
                                for c in matched}},
        comparisons=tuple(Comparison("random_forest", c, "recall_minority", 0.1, None, None, outcome="improved")
                          for c in ("tuned_threshold", "smote", "adasyn")))
    outcomes = {r.comparator: r for r in _flag_threshold_shifts(utility, alpha=0.05)}
    assert outcomes["tuned_threshold"].outcome.startswith("threshold shift")
    assert outcomes["adasyn"].outcome.startswith("threshold shift")  # a positive point estimate is not enough
    assert outcomes["smote"].outcome == "improved" and outcomes["smote"].matched_precision_p < 0.05

def test_every_unmet_criterion_says_which_rule_it_failed():
    from synthlib.decide import Evidence
    from synthlib.decide._verdict import _explain_unmet

    def row(metric: str, decides: bool = True, met: bool = False, **values) -> Evidence:
        return Evidence("vs the best alternative", "a", "b", metric, 0.05, 0.1, 10, 1.0, 0.2, decides=decides,
                        max_p_value=0.05, met=met, **values)

    rows = [row("f1_minority", p_holm=0.2, ci_low=0.1, ci_high=0.2),
            row("f1_minority", p_holm=0.001, ci_low=0.01, ci_high=0.2),  # above 0, not above the margin
            row("brier", p_holm=0.001, ci_low=-0.1, ci_high=-0.02),  # lower is better: below 0, not below -margin
            row("f1_minority", not_met_because="no gain at the matched precision: a threshold shift"),
            row("f1_minority", met=True, p_holm=0.001, ci_low=0.1, ci_high=0.2),
            row("f1_minority", decides=False, ci_low=0.1, ci_high=0.2),  # outside the Holm family: its raw p
            row("f1_minority", p_holm=0.3, ci_low=-0.01, ci_high=0.2),
            row("f1_minority", p_holm=0.001)]
    rows = [_explain_unmet(r) for r in rows]
    assert rows[0].not_met_because == "the CV gain is not above the margin (Holm p 0.200 > 0.05)"
    assert rows[1].not_met_because == "the test-split CI is not wholly above 0.05"
    assert rows[2].not_met_because == "the test-split CI is not wholly below -0.05"
    assert rows[3].not_met_because.endswith("a threshold shift")
    assert "not_met_because" not in rows[4].to_json()
    assert rows[5].not_met_because == "the CV gain is not above the margin (p 0.200 > 0.05)"
    assert rows[6].not_met_because == ("the CV gain is not above the margin (Holm p 0.300 > 0.05); "
                                       "the test-split CI is not wholly above 0.05")
    assert rows[7].not_met_because == "no test-split CI"


def _evidence(metric: str, p_value: float, decides: bool, ci_low: float, ci_high: float, margin: float = 0.05):
    from synthlib.decide import Evidence

    return Evidence("vs the best alternative" if decides else "vs the same classifier's baseline (template criterion)",
                    "SMOTE + logistic regression", "logistic regression, class weights", metric, margin, 0.1, 10, 3.0,
                    p_value, ci_low=ci_low, ci_high=ci_high, max_p_value=0.05, decides=decides)


def test_confirmation_is_selection_aware_a_test_ci_above_zero_but_not_above_the_margin_is_not_met():
    from synthlib.decide._verdict import judge

    inside = judge([_evidence("f1_minority", 0.001, True, 0.03, 0.2)])
    beyond = judge([_evidence("f1_minority", 0.001, True, 0.06, 0.2)])
    assert inside[0].p_holm <= 0.05 and not inside[0].met  # significant on CV, CI above 0, not above the margin 0.05
    assert inside[0].not_met_because == "the test-split CI is not wholly above 0.05"
    assert beyond[0].met and beyond[0].not_met_because is None
    # lower is better (Brier): the CI must lie wholly below -margin
    inside = judge([_evidence("brier", 0.001, True, -0.2, -0.03)])
    beyond = judge([_evidence("brier", 0.001, True, -0.2, -0.06)])
    assert not inside[0].met and inside[0].not_met_because == "the test-split CI is not wholly below -0.05"
    assert beyond[0].met
    # end to end: the same results, judged against a minimum improvement the CV folds clear but the test CI does not
    verdict, _ = verdict_of(HELPING)
    objective = next(r for r in verdict["evidence"] if r["decides"] and r["metric"] == "f1_minority")
    assert objective["met"] and objective["ci_low"] > 0.02
    margin = round(objective["ci_low"] + 0.02, 3)  # above the CI's lower bound, below the CV gain of about 0.20
    verdict, _ = verdict_of(HELPING, {"evaluation": {"min_improvement": margin}})
    objective = next(r for r in verdict["evidence"] if r["decides"] and r["metric"] == "f1_minority")
    assert objective["margin"] == margin and 0 < objective["ci_low"] < margin and objective["p_holm"] <= 0.05
    assert not objective["met"] and objective["not_met_because"] == f"the test-split CI is not wholly above {margin:g}"
    assert verdict["augmentation_helps"] == "no evidence"


def test_rows_that_do_not_decide_are_outside_the_holm_family():
    from synthlib.decide._verdict import judge

    rows = judge([_evidence("f1_minority", 0.03, True, 0.1, 0.2),
                  _evidence("f1_minority", 0.01, False, 0.1, 0.2),
                  _evidence("recall_minority", 0.02, False, 0.1, 0.2),
                  _evidence(MATCHED_RECALL, 0.04, False, 0.1, 0.2),
                  _evidence("pr_auc", 0.2, False, 0.1, 0.2)])
    # Holm over the one deciding row is its raw p (over all five rows it would be 4 x 0.03 = 0.12: not significant)
    assert rows[0].p_holm == pytest.approx(0.03) and rows[0].met
    assert [r.p_holm for r in rows[1:]] == [None] * 4
    assert [r.met for r in rows[1:]] == [True, True, True, False]  # judged on their raw p
    assert rows[4].not_met_because == "the CV gain is not above the margin (p 0.200 > 0.05)"
    # two deciding rows: Holm over those two only, whatever the template rows are
    rows = judge([_evidence("f1_minority", 0.03, True, 0.1, 0.2), _evidence(MATCHED_RECALL, 0.02, True, 0.1, 0.2),
                  _evidence("f1_minority", 0.001, False, 0.1, 0.2)])
    assert [r.p_holm for r in rows] == pytest.approx([0.04, 0.04, None])
    # end to end: a threshold-free objective gives one deciding row and the template's row beside it
    configurations = {key: {**spec, "pr_auc": {"baseline": 0.60, "smote": 0.80, "tuned_threshold": 0.62}[key[1]]}
                      for key, spec in HELPING.items()}
    verdict, _ = verdict_of(configurations, {"evaluation": {"objective": "pr_auc"}})
    deciding = [r for r in verdict["evidence"] if r["decides"]]
    template = [r for r in verdict["evidence"] if not r["decides"]]
    assert [r["metric"] for r in deciding] == ["pr_auc"] and template
    assert deciding[0]["p_holm"] == pytest.approx(deciding[0]["p_value"])
    assert all(r["p_holm"] is None for r in template)


def test_configurations_with_the_same_test_scores_share_one_curve_label(tmp_path):
    from types import SimpleNamespace

    from synthlib.report._context import ReportContext

    scores = np.array([[0.2, 0.8], [0.7, 0.3]])
    evaluation = SimpleNamespace(test_predictions={("random_forest", "tuned_threshold"): (None, scores),
                                                   ("random_forest", "baseline"): (None, scores.copy()),
                                                   ("random_forest", "smote"): (None, scores[::-1])})
    context = ReportContext("t", SimpleNamespace(result={}, evaluation=evaluation), tmp_path)
    labels = context.same_scores_labels([("random_forest", "tuned_threshold"), ("random_forest", "smote"),
                                         ("random_forest", "baseline")])
    assert labels == {("random_forest", "tuned_threshold"):
                      "random forest, tuned threshold = random forest, original data (same scores)",
                      ("random_forest", "smote"): "SMOTE + random forest"}


def test_checklist_marks_follow_real_checks(tmp_path):
    from types import SimpleNamespace

    from synthlib.report._context import ReportContext

    fairness = {"status": "warn", "findings": [{"gap": "four_fifths_rule", "attribute": "sex", "severity": "warn"}]}
    result = {"data": {"cleaning_log": [{"step": "split"}], "test_hash_before": "a", "test_hash_after": "a"},
              "config": {"resolved": {"features": {"sensitive": [{"column": "sex"}, {"column": "age"}]}}},
              "fairness": {"attributes": ["sex"]},
              "verdict": {"recommended": None, "best_alternative": {"classifier": "lr"}, "dimensions": {"fairness": fairness},
                          "release": {"augmented_data": False}}}
    lines = ReportContext("t", SimpleNamespace(result=result), tmp_path).checklist().splitlines()
    marks = {line[4:]: line[2] for line in lines}
    assert marks["Test split never resampled or augmented (only cleaned with training-split values): its SHA-256 at the "
                 "start equals that of the split re-read from disk and re-prepared after the run"] == "✓"
    assert marks["Fairness computed for every configured sensitive attribute (sex, age)"] == "✗"  # age is missing
    assert marks["The recommended configuration meets the four-fifths rule on the favourable outcome for every attribute"] == "✗"
    assert marks["Deployed model in the bundle is the verdict's recommendation"] == "✗"  # no bundle written
    assert marks["Model cards written"] == "✗"
    assert not any(label.startswith("No sensitive attribute is a model input") for label in marks)  # no features here
    result["data"]["features"] = {"numeric": ["age"], "categorical": ["sex", "job"]}
    lines = ReportContext("t", SimpleNamespace(result=result), tmp_path).checklist().splitlines()
    marks = {line[4:]: line[2] for line in lines}
    assert marks["No sensitive attribute is a model input (sex, age are used as features; leave them out of "
                 "`features` where the law forbids deciding on them)"] == "✗"


def test_conclusion_lists_open_findings_and_keeps_the_template_criterion_apart():
    _, result = verdict_of({
        ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "smote"): {"recall": 0.62, "test": predictions(0.62, 0.5, 2)},
        ("knn", "baseline"): {"recall": 0.35, "test": predictions(0.35, 0.6, 3)},
        ("knn", "tuned_threshold"): {"recall": 0.78, "test": predictions(0.78, 0.5, 4)},
    })
    result["verdict"]["dimensions"]["calibration"] = {"status": "warn", "evidence": "expected calibration error 0.2"}
    text = render_block("conclusion", "conclusion", result)
    assert "- **calibration** (warn): expected calibration error 0.2." in text
    deciding, template = text.split("The template's criterion")
    assert "The criteria the verdict rests on:" in deciding and "vs the best alternative" in deciding
    assert "same classifier's baseline" not in deciding.split("The criteria the verdict rests on:")[1]
    assert "vs the same classifier's baseline" in template and "vs the best alternative" not in template
    assert "**not met** (" in text  # every unmet criterion says why


def test_reasons_say_when_the_best_augmented_method_deleted_real_rows():
    result = {"verdict": {"best_augmented": {"comparator": "smote_enn"}},
              "augmentation": {"smote_enn": {"real_rows_removed_by_class": {"0": 120, "1": 311},
                                             "trained_ratio": {"0": 1.4177}}},
              "data": {"profile": {"class_balance": {"train": {"counts": {"0": 240, "1": 560}}}}}}
    note = said("decision_evidence", "removed_rows", result)
    assert "deleted real training rows (120 of 240 of class 0, 311 of 560 of class 1)" in note
    assert "ratio of 1.42:1" in note
    result["augmentation"]["smote_enn"]["real_rows_removed_by_class"] = {"0": 0, "1": 0}
    assert said("decision_evidence", "removed_rows", result) == ""


def test_the_evidence_lead_names_both_sides_without_repeating_the_summary():
    _, result = verdict_of({
        ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "smote"): {"recall": 0.62, "test": predictions(0.62, 0.5, 2)},
        ("knn", "baseline"): {"recall": 0.35, "test": predictions(0.35, 0.6, 3)},
        ("knn", "tuned_threshold"): {"recall": 0.78, "test": predictions(0.78, 0.5, 4)},
    })
    lead = said("model_performance", "evidence_lead", result)
    assert "SMOTE + logistic regression against k\u2011nearest neighbours, tuned threshold" in lead
    answer = said("executive_summary", "helps", result)
    assert answer.startswith("**Does augmentation help?") and answer not in lead
    assert said("decision_evidence", "helps", result) not in lead


def test_a_four_fifths_violation_the_configuration_introduced_is_named_first():
    from synthlib.decide import fairness_gate

    fairness = _fairness([])
    fairness["changes"]["sex"]["logistic_regression"]["smote"]["widened_point_estimate"] = ["demographic_parity_difference"]
    models = fairness["models"]["sex"]["logistic_regression"]
    models["smote"] = {"demographic_parity_ratio": 0.716, "four_fifths_violated": True}
    models["baseline"] = {"demographic_parity_ratio": 0.833, "four_fifths_violated": False}
    gate = fairness_gate(FairnessResult.from_json(fairness), ("logistic_regression", "smote")).to_json()
    assert gate["status"] == "warn"  # the rule is absolute: the same ratio is judged the same in every configuration
    assert gate["evidence"].startswith("four-fifths rule violated for `sex` (favourable-outcome ratio 0.716; the same "
                                       "classifier's plain baseline: 0.833, met, so this configuration introduced it)")
    # one clause per attribute on page 1: the widening is counted there and spelled out in the Conclusion's list
    assert gate["evidence"].endswith("(and 1 more finding(s) for `sex`)")
    assert ("widens beyond the tolerance of 0.05 against logistic regression, original data by its point estimate "
            "only: +0.200 [+0.080, +0.360], a CI that "
            "reaches inside the tolerance but excludes 0 (the gap did change; by how much is uncertain)") in gate["evidence_all"]


def test_a_plain_baseline_that_predicts_no_minority_row_is_never_the_fairness_reference():
    from synthlib.decide import fairness_gate

    fairness = FairnessResult.from_json(_fairness(["demographic_parity_difference"]))
    configuration = ("logistic_regression", "smote")
    assert fairness_gate(fairness, configuration).status == "fail"  # a significant widening against the baseline
    degenerate = frozenset({("logistic_regression", "baseline")})
    gate = fairness_gate(fairness, configuration, degenerate)
    assert gate.status == "pass" and "predicts no minority row" in gate.details["reference_note"]


def test_the_recommended_configuration_states_its_own_threshold_and_what_the_default_threshold_would_give():
    metrics = lambda r, p, a: {"recall_minority": r, "precision_minority": p, "accuracy": a}  # noqa: E731
    result = {"verdict": {"recommended": {"classifier": "random_forest", "comparator": "smote"}},
              "utility": {"protocol": {"threshold_objective": "f1_minority"}, "classes": {"minority": ["1"]},
                          "test": {"random_forest": {
                              "smote": {"metrics": metrics(0.7, 0.494, 0.695), "decision_threshold": 0.341,
                                        "metrics_at_default_threshold": metrics(0.55, 0.625, 0.76)},
                              "baseline": {"metrics": metrics(0.5, 0.6, 0.7), "decision_threshold": 0.5,
                                           "metrics_at_default_threshold": metrics(0.4, 0.7, 0.8)}}}}}
    note = said("decision_evidence", "operating_point", result)
    assert ("its predicted probability of class 1 is at least 0.341, the threshold that maximised minority F1 on the "
            "pooled held-out scores of all CV folds") in note
    assert ("Against the default threshold 0.5 (test split): minority recall 0.550 at 0.5 → 0.700 at 0.341, minority "
            "precision 0.625 at 0.5 → 0.494 at 0.341, accuracy 0.760 at 0.5 → 0.695 at 0.341.") in note
    assert "0.500" not in note and "0.400" not in note and "{" not in note  # its own default, not the baseline's
    assert "each fold's threshold" not in note  # no per-fold record: nothing claimed
    result["utility"]["cv_fold_thresholds"] = {"random_forest": {"smote": [0.4, 0.3, 0.35, 0.32],
                                                                 "baseline": [0.9, 0.1]}}
    assert ("no test row chose it; in the CV each fold's threshold came from the other folds' held-out scores, "
            "between 0.300 and 0.400)") in said("decision_evidence", "operating_point", result)
    result["utility"]["protocol"]["threshold_objective"] = "balanced_accuracy"
    assert "the threshold that maximised balanced accuracy on" in said("decision_evidence", "operating_point", result)
    result["utility"]["protocol"]["threshold_objective"] = "expected_cost"  # a cost is minimised, never "maximised"
    assert "the threshold that minimised expected cost per row on" in said("decision_evidence", "operating_point", result)
    result["utility"]["protocol"]["threshold_objective"] = "balanced_accuracy"
    result["verdict"]["recommended"]["comparator"] = "baseline"
    note = said("decision_evidence", "operating_point", result)  # the baseline's own threshold and folds, when it is the recommendation
    assert "at least 0.500" in note and "between 0.100 and 0.900" in note
    del result["utility"]["test"]["random_forest"]["baseline"]["metrics_at_default_threshold"]
    assert said("decision_evidence", "operating_point", result) == ""  # nothing to compare with: nothing said
    result["verdict"]["recommended"] = None
    assert said("decision_evidence", "operating_point", result) == ""


def test_p_values_in_tables_never_read_zero():
    from synthlib.config import p_cell

    assert [p_cell(p) for p in (0.0, 0.0004, 0.001, 0.0456, None, float("nan"))] == [
        "<0.001", "<0.001", "0.001", "0.046", "n/a", "n/a"]


def test_every_four_fifths_violation_of_the_recommendation_is_named_and_a_widening_makes_it_conditional():
    from synthlib.decide import verdict_sentence

    fairness = _fairness([])
    fairness["attributes"] = ["sex", "age"]
    for attribute, (ratio, before) in {"sex": (0.716, 0.833), "age": (0.420, 0.656)}.items():
        fairness["models"][attribute] = {"logistic_regression": {
            "smote": {"demographic_parity_ratio": ratio, "four_fifths_violated": True},
            "baseline": {"demographic_parity_ratio": before, "four_fifths_violated": before < 0.8},
            "tuned_threshold": {"demographic_parity_ratio": 0.9, "four_fifths_violated": False}}}
    fairness["changes"]["sex"]["logistic_regression"]["smote"]["widened_point_estimate"] = [
        "demographic_parity_difference", "equalized_odds_difference"]
    verdict, _ = verdict_of(HELPING, fairness=fairness)
    gate = verdict["dimensions"]["fairness"]
    assert verdict["status"] == "recommended" and gate["status"] == "warn"
    assert gate["evidence"].index("`sex` (favourable-outcome ratio 0.716") < gate["evidence"].index(
        "`age` (favourable-outcome ratio 0.420; the same classifier's plain baseline: 0.656, also violated)")
    assert "(and 2 more finding(s) for `sex`)" in gate["evidence"]  # one clause per attribute, never nine
    assert gate["evidence"].count("four-fifths rule violated") == 2 and "more finding(s) for `age`" not in gate["evidence"]
    assert gate["evidence_all"].count(" for `") == len(gate["findings"]) == 4  # the Conclusion lists all of them
    _, result = verdict_of(HELPING, fairness=fairness)
    assert gate["evidence_all"] in said("conclusion", "conclusion", result)
    verdict, _ = verdict_of(HELPING, fairness=_fairness(["demographic_parity_difference"]))
    sentence = verdict_sentence({"verdict": verdict})
    assert sentence.startswith("**Conditionally recommended:** SMOTE + logistic regression (with synthetic minority "
                               "rows). It is conditional because it widens the demographic parity difference for `sex`")
    assert sentence.endswith("The best configuration that passes every gate is logistic regression, tuned threshold.")


# ------------------------------------------------------------------------------------------ ties
REC = ("random_forest", "tuned_threshold")
TIED = ("logistic_regression", "class_weighted")
WORSE = ("logistic_regression", "baseline")
AUGMENTED = ("logistic_regression", "smote")
ALTERNATING = np.tile([0.02, -0.02], FOLDS // 2)  # per-fold wobble of a paired difference: sd about 0.02


def _set_folds(result: dict, configuration: tuple[str, str], metric: str, values: np.ndarray) -> None:
    """Replace one configuration's per-fold values of one metric (and its CV mean and sd) by `values`."""
    classifier, comparator = configuration
    for row in result["utility"]["cv_folds"]:
        if (row["classifier"], row["comparator"]) == configuration:
            row[metric] = float(values[row["fold"]])
    result["utility"]["cv"][classifier][comparator][metric] = {"mean": float(values.mean()), "std": float(values.std(ddof=1))}


def _four_fifths_fairness(violated: set[tuple[str, str]] | dict[tuple[str, str], set[str]],
                          attributes: tuple[str, ...] = ("sex",)) -> dict:
    """The configurations in `violated` break the four-fifths rule (for every attribute, or for the attributes a dict
    gives them), the others meet it."""
    models: dict = {attribute: {} for attribute in attributes}
    for classifier, comparator in (REC, TIED, WORSE, AUGMENTED, ("random_forest", "baseline")):
        broken_for = (violated.get((classifier, comparator), set()) if isinstance(violated, dict)
                      else set(attributes) if (classifier, comparator) in violated else set())
        for attribute in attributes:
            broken = attribute in broken_for
            models[attribute].setdefault(classifier, {})[comparator] = {
                "demographic_parity_ratio": 0.7 if broken else 0.9, "four_fifths_violated": broken}
    return {"available": True, "attributes": list(attributes), "tolerance": 0.05, "favourable_outcome": "predicted 0",
            "models": models, "changes": {}}


def tie_verdict(with_tied: bool = True, fairness: dict | None = None, tied_test: tuple[float, float] = (0.71, 0.55),
                tied_offset: float = -0.02, extra: dict[tuple[str, str], float] | None = None) -> tuple[dict, dict]:
    """A recommended tuned threshold (CV minority F1 0.73); a class-weighted model 0.02 below it with a wobble of 0.02 per
    fold (tied: corrected t about 1.6, p about 0.14, but beyond one corrected standard error of about 0.0125, so ties by
    parsimony keep the leader; `tied_offset=-0.01` puts it within one SE); a plain model 0.15 below (not tied); SMOTE
    on a par with the recommendation (another kind). `extra`: more configurations, each at its offset (with the wobble)."""
    configurations = {
        REC: {"test": predictions(0.73, 0.55, 1)},
        ("random_forest", "baseline"): {"test": predictions(0.50, 0.6, 2)},
        WORSE: {"test": predictions(0.58, 0.6, 3)},
        AUGMENTED: {"test": predictions(0.73, 0.55, 4)},
    }
    if with_tied:
        configurations[TIED] = {"test": predictions(*tied_test, 5)}
    for i, configuration in enumerate(extra or {}):
        configurations[configuration] = {"test": predictions(0.72, 0.55, 6 + i)}
    result, test_predictions = build(configurations)
    objective = 0.73 + np.linspace(-0.03, 0.03, FOLDS)  # CV minority F1, the objective
    offsets = {REC: 0.0, ("random_forest", "baseline"): -0.25, WORSE: -0.15, AUGMENTED: -0.001, TIED: tied_offset, **(extra or {})}
    for configuration in configurations:
        _set_folds(result, configuration, "f1_minority", objective + offsets[configuration]
                   + (0 if configuration == REC else ALTERNATING))
    if fairness is not None:
        result["fairness"] = fairness
    result["verdict"] = decide(result, test_predictions, Y_TEST)
    return result["verdict"], result


def test_a_near_identical_configuration_is_tied_with_a_two_sided_unadjusted_p_above_alpha():
    from synthlib.evaluate._stats import corrected_resampled_ttest

    verdict, _ = tie_verdict()
    assert (verdict["recommended"]["classifier"], verdict["recommended"]["comparator"]) == REC
    assert [(t["classifier"], t["comparator"]) for t in verdict["ties"]] == [TIED]
    tie = verdict["ties"][0]
    differences = -0.02 + ALTERNATING
    assert tie["p_value"] > verdict["alpha"] and tie["tied"]
    assert tie["p_value"] == pytest.approx(corrected_resampled_ttest(differences, 1 / (N_FOLDS - 1))[1])  # two-sided
    assert tie["cv_difference"] == pytest.approx(-0.02)  # tied minus recommended
    assert tie["cv_ci_low"] < tie["cv_difference"] < tie["cv_ci_high"] and tie["cv_ci_high"] > 0
    assert tie["test_difference"] is not None and tie["ci_low"] <= tie["test_difference"] <= tie["ci_high"]
    assert tie["cv_pr_auc"] is not None and tie["privacy_status"] == "n/a"
    assert "two-sided" in verdict["tie_rule"] and "unadjusted" in verdict["tie_rule"]


def test_a_clearly_worse_configuration_and_one_with_synthetic_rows_are_not_ties():
    verdict, _ = tie_verdict()
    tied = {(t["classifier"], t["comparator"]) for t in verdict["ties"]}
    assert WORSE not in tied and ("random_forest", "baseline") not in tied
    # SMOTE is on a par with the recommendation on every fold, but it is of the other kind
    assert verdict["augmentation_helps"] == "no evidence" and AUGMENTED not in tied


def test_ties_beyond_one_standard_error_do_not_change_the_recommendation_and_stay_json_safe():
    import json

    from synthlib.utils._jsonsafe import plain

    with_tie, _ = tie_verdict()
    without_tie, _ = tie_verdict(with_tied=False)
    assert with_tie["recommended"]["comparator"] == without_tie["recommended"]["comparator"] == "tuned_threshold"
    assert without_tie["ties"] == []
    assert (without_tie["runner_up"]["classifier"], without_tie["runner_up"]["comparator"]) == WORSE
    assert without_tie["runner_up"]["p_value"] <= 0.05
    json.dumps(plain(with_tie), allow_nan=False)


def _chosen(verdict: dict) -> tuple[str, str]:
    return verdict["recommended"]["classifier"], verdict["recommended"]["comparator"]


def test_ties_by_parsimony_recommend_the_simpler_of_two_configurations_within_one_standard_error():
    verdict, _ = tie_verdict(tied_offset=-0.01)  # class weights 0.01 below the tuned threshold: within one SE (0.0125)
    assert _chosen(verdict) == TIED  # class weights before a tuned threshold
    rule = verdict["parsimony"]
    assert rule["applied"] and rule["within_one_se"] == ["random forest, tuned threshold", "logistic regression, class weights"]
    assert rule["cv_leader"] == "random forest, tuned threshold" and rule["chosen"] == "logistic regression, class weights"
    assert rule["simpler_because"] == "class weights before a tuned threshold" and "one corrected standard error" in rule["why"]
    assert "one-standard-error rule" in rule["rule"] and "simplest" in rule["rule"]
    # the evidence keeps comparing against the CV leader, the conservative reference
    assert verdict["best_alternative"]["comparator"] == "tuned_threshold"
    assert {r["reference"] for r in verdict["evidence"] if r["decides"]} == {"random forest, tuned threshold"}
    # the ties are now the recommendation's: the leader is tied with it, ahead by the point estimate
    assert [(t["classifier"], t["comparator"]) for t in verdict["ties"]] == [REC]
    assert verdict["ties"][0]["cv_difference"] == pytest.approx(0.01)


def test_ties_by_parsimony_keep_the_leader_when_the_simpler_one_is_beyond_one_standard_error():
    verdict, _ = tie_verdict()  # class weights 0.02 below (tied, but beyond one SE); the plain baseline 0.15 below
    assert _chosen(verdict) == REC and [(t["classifier"], t["comparator"]) for t in verdict["ties"]] == [TIED]
    rule = verdict["parsimony"]
    assert rule["within_one_se"] == [rule["cv_leader"]] == [rule["chosen"]] == ["random forest, tuned threshold"]
    assert rule["why"].startswith("no other eligible configuration of its kind is within one corrected standard error")
    assert "simpler_because" not in rule


def test_ties_by_parsimony_choose_the_simplest_of_those_that_pass_the_fairness_gate():
    forest_weighted = ("random_forest", "class_weighted")
    fairness = _four_fifths_fairness(set())
    fairness["changes"] = {"sex": {"logistic_regression": {  # class weights widen a gap for logistic regression: fail
        "class_weighted": _fairness(["demographic_parity_difference"])["changes"]["sex"]["logistic_regression"]["smote"]}}}
    verdict, _ = tie_verdict(tied_offset=-0.01, extra={forest_weighted: -0.005}, fairness=fairness)
    rule = verdict["parsimony"]
    assert len(rule["within_one_se"]) == 3 and rule["cv_leader"] == "random forest, tuned threshold"
    assert "logistic regression, class weights" not in rule["passing_gates"]
    assert _chosen(verdict) == forest_weighted and verdict["status"] == "recommended"
    assert rule["why"].endswith("that pass the fairness and privacy gates (class weights before a tuned threshold)")
    # without the failing gate, the simplest of the three is chosen
    verdict, _ = tie_verdict(tied_offset=-0.01, extra={forest_weighted: -0.005})
    assert _chosen(verdict) == TIED and "passing_gates" not in verdict["parsimony"]


def test_a_confirmed_augmented_gain_keeps_its_configuration_over_a_simpler_one_within_one_standard_error():
    leader, simpler = ("random_forest", "smote"), ("logistic_regression", "smote")
    result, test_predictions = build({
        ("logistic_regression", "tuned_threshold"): {"recall": 0.50, "test": predictions(0.45, 0.6, 3)},
        ("random_forest", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 1)},
        ("logistic_regression", "baseline"): {"recall": 0.40, "test": predictions(0.40, 0.6, 5)},
        leader: {"recall": 0.70, "test": predictions(0.85, 0.75, 2)},
        simpler: {"recall": 0.70, "test": predictions(0.80, 0.7, 4)},
    })
    objective = 0.70 + np.linspace(-0.03, 0.03, FOLDS)
    _set_folds(result, leader, "f1_minority", objective)
    _set_folds(result, simpler, "f1_minority", objective - 0.005 + ALTERNATING)  # within one SE, and simpler
    _set_folds(result, ("logistic_regression", "tuned_threshold"), "f1_minority", objective - 0.2 + ALTERNATING / 4)
    verdict = decide(result, test_predictions, Y_TEST)
    assert verdict["augmentation_helps"] == "helps" and _chosen(verdict) == leader
    rule = verdict["parsimony"]
    assert not rule["applied"] and rule["chosen"] == rule["cv_leader"] == "SMOTE + random forest"
    assert rule["why"].startswith("augmentation is confirmed to help: the confirmed augmented configuration stays")


def test_the_parsimony_note_says_when_a_simpler_configuration_replaced_the_cv_leader():
    _, result = tie_verdict(tied_offset=-0.01)
    assert said("executive_summary", "recommendation", result) == (
        "**Recommended:** logistic regression, class weights (without synthetic data). Chosen over the CV leader "
        "random forest, tuned threshold by parsimony: its mean CV minority F1 is within one corrected standard error, "
        "and it is simpler (class weights before a tuned threshold).")
    _, result = tie_verdict()  # the leader stays
    assert result["verdict"]["parsimony"] and "parsimony" not in said("executive_summary", "recommendation", result)
    del result["verdict"]["parsimony"]  # a results.json from before the rule
    assert "parsimony" not in said("executive_summary", "recommendation", result)


def test_a_nan_p_value_is_not_a_tie():
    from synthlib.decide._verdict import is_tied

    assert not is_tied(float("nan"), 0.05) and not is_tied(None, 0.05)
    assert not is_tied(0.05, 0.05) and is_tied(0.06, 0.05)
    verdict, result = tie_verdict()
    result["utility"]["cv_folds"] = [r for r in result["utility"]["cv_folds"]  # one shared fold: no test possible
                                     if (r["classifier"], r["comparator"]) != TIED or r["fold"] == 0]
    assert not decide(result)["ties"]


def test_the_ties_sentence_names_the_tie_its_numbers_and_which_tie_passes_the_fairness_gate():
    verdict, result = tie_verdict(fairness=_four_fifths_fairness({REC}))
    assert verdict["dimensions"]["fairness"]["status"] == "warn"
    tie = verdict["ties"][0]
    assert tie["fairness_status"] == "pass" and tie["four_fifths_violated"] == []
    sentence = said("decision_evidence", "ties", result)
    assert sentence.startswith("Its lead in CV minority F1 over 1 eligible configuration without synthetic rows "
                               "is not statistically significant")
    assert f"logistic regression, class weights ({tie['cv_difference']:+.3f} [{tie['cv_ci_low']:+.3f}, " in sentence
    assert f"p = {tie['p_value']:.3f}" in sentence and "rests on the point estimate" in sentence
    assert sentence.endswith("Its fairness gate warns (four-fifths rule violated for `sex`); the fairness gate passes "
                             "for the tied logistic regression, class weights.")
    assert sentence in said("decision_evidence", "reasons", result)
    # the tied configuration violates the rule too: none passes
    _, result = tie_verdict(fairness=_four_fifths_fairness({REC, TIED}))
    assert result["verdict"]["ties"][0]["four_fifths_violated"] == ["sex"]
    assert said("decision_evidence", "ties", result).endswith("no tied configuration passes the fairness gate.")
    # the recommendation violates it for two attributes, the tie for one: the tie is named with its attribute
    _, result = tie_verdict(fairness=_four_fifths_fairness({REC: {"sex", "age"}, TIED: {"age"}}, ("sex", "age")))
    assert said("decision_evidence", "ties", result).endswith("no tied configuration passes the fairness gate, and these violate the "
                                          "four-fifths rule for fewer attributes: logistic regression, class weights "
                                          "(`age`).")
    # a passing recommendation says nothing about the ties' fairness
    _, result = tie_verdict(fairness=_four_fifths_fairness(set()))
    assert "fairness" not in said("decision_evidence", "ties", result)


def test_the_ties_sentence_names_a_tie_the_test_split_puts_ahead_of_the_recommendation():
    verdict, result = tie_verdict()
    assert not verdict["ties"][0]["ci_low"] > 0 and "On the test split" not in said("decision_evidence", "ties", result)
    verdict, result = tie_verdict(tied_test=(0.95, 0.85))  # tied on the CV folds, clearly ahead on the test split
    tie = verdict["ties"][0]
    assert tie["tied"] and tie["ci_low"] > 0
    sentence = said("decision_evidence", "ties", result)
    tied_metrics, rec_metrics = (result["utility"]["test"][c][k]["metrics"] for c, k in (TIED, REC))
    assert (f"On the test split (tied minus recommended, paired-bootstrap 95% CI, unadjusted), logistic regression, "
            f"class weights ({tie['test_difference']:+.3f} [{tie['ci_low']:+.3f}, {tie['ci_high']:+.3f}]; minority "
            f"precision {tied_metrics['precision_minority']:.3f} against {rec_metrics['precision_minority']:.3f}") in sentence
    assert sentence.count(") is ahead of it in minority F1: the held-out rows do not confirm the CV order.") == 1
    assert verdict["recommended"]["comparator"] == "tuned_threshold"  # reported, not acted on


def test_without_ties_the_sentence_claims_a_significant_lead_and_no_tie():
    from synthlib.utils._jsonsafe import plain

    _, result = tie_verdict(with_tied=False)
    sentence = said("decision_evidence", "ties", result)
    assert "not statistically significant" not in sentence and "tied" not in sentence
    assert sentence.startswith("Its lead in CV minority F1 over the next eligible configuration without synthetic "
                               "rows, logistic regression, original data (") and "is statistically significant" in sentence
    result["verdict"]["runner_up"] = None  # no other configuration of its kind: nothing to say
    assert said("decision_evidence", "ties", result) == ""
    result["verdict"] = {**plain(result["verdict"]), "runner_up": {**plain(tie_verdict(with_tied=False)[0]["runner_up"]),
                                                                   "p_value": None}}  # NaN, as results.json stores it
    assert said("decision_evidence", "ties", result) == ""


def test_the_ties_table_shows_each_tie_with_its_gates(tmp_path):
    from types import SimpleNamespace

    from synthlib.report._context import ReportContext

    _, result = tie_verdict(fairness=_four_fifths_fairness({REC, TIED}))
    table = ReportContext("t", SimpleNamespace(result=result), tmp_path).ties_table()
    assert "logistic regression, class weights" in table and "! warn (four-fifths: sex)" in table
    assert "privacy gate" not in table  # the recommendation uses no synthetic rows
    _, result = tie_verdict(with_tied=False)
    assert "No eligible configuration" in ReportContext("t", SimpleNamespace(result=result), tmp_path).ties_table()


def test_a_tied_plain_baseline_is_the_fairness_gates_reference_not_a_configuration_that_passes(tmp_path):
    """The gate compares a configuration with its own plain baseline, so a plain baseline passes by construction:
    neither the sentence nor the table may offer it as the tie that passes."""
    from types import SimpleNamespace

    from synthlib.report._context import ReportContext

    _, result = tie_verdict(fairness=_four_fifths_fairness({REC}))
    tie = result["verdict"]["ties"][0]
    assert tie["fairness_status"] == "pass"
    tie.update(comparator="baseline", label="logistic regression, original data")  # the same tie, as a plain baseline
    sentence = said("decision_evidence", "ties", result)
    assert "the fairness gate passes for the tied" not in sentence
    assert sentence.endswith("no tied configuration other than a plain baseline (judged only against the best "
                             "configuration of the other kind: it is its own classifier's baseline) passes the gate; the "
                             "tied logistic regression, original data meets the four-fifths rule for every attribute.")
    table = ReportContext("t", SimpleNamespace(result=result), tmp_path).ties_table()
    assert "reference (four-fifths met)" in table and "✓ pass" not in table


def test_the_method_paragraph_speaks_of_deep_generators_and_the_gpu_only_when_one_ran():
    from synthlib.report._prose import bound

    def method_paragraph(methods: list[str], minority_rows: int, gpu: str | None) -> str:
        result = {"data": {"features": {"numeric": ["a"], "ordinal": [], "categorical": []}, "minority": ["1"],
                           "profile": {"class_balance": {"train": {"counts": {"1": minority_rows, "0": 9000}}}}},
                  "config": {"resolved": {"augmentation": {"methods": methods}}}, "environment": {"gpu": gpu},
                  "verdict": {"best_augmented": None}}
        return said("method_selection", "method_choice", result)

    assert "GPU" not in method_paragraph(["smote"], 300, None)  # SMOTE family only (a fast profile): nothing about devices
    assert method_paragraph(["smote", "ctgan"], 300, None).endswith("no GPU was available, so they ran on CPU.")
    assert method_paragraph(["tvae"], 5000, "NVIDIA H200").endswith(
        "interpolation methods. A GPU (NVIDIA H200) was available for the deep generators.")
    assert [bound(x) for x in (0.0849999, 1.119, -2483.25, 1.7999999523162842)] == ["0.085", "1.119", "-2483.2", "1.8"]
