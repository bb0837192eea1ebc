"""The audit's verdict: the one place that decides what is recommended, and why.

`decide(result, test_predictions, y_test)` turns the computed results into one plain `dict` stored in
`results.json` under `verdict`. The report, the executive summary, the bundle's deployed model, the model
cards, the PipelineConfig JSON and `synthlib monitor` read it; nothing else chooses a configuration.

The question it answers is whether the best configuration *with* synthetic rows beats the strongest
configuration *without* them (plain, class-weighted or tuned-threshold, any classifier):

- evidence on the same CV folds: a one-sided Nadeau-Bengio corrected t-test of "candidate - reference >
  the configured minimum improvement", Holm-adjusted over every comparison the verdict makes;
- confirmation on the untouched test split: a paired bootstrap CI (unadjusted) whose bound is past 0;
- a gain in a metric that a threshold alone can move must also hold at a matched operating point
  (minority recall at the reference's CV precision), so a threshold shift is never called an improvement.

Each rule is a small function with the name a reviewer would use. Significance is `p <= alpha` everywhere.

The recommendation's firmness is recorded beside it, not used to choose it: `ties` lists every other eligible
configuration of its kind whose primary-metric difference on the same CV folds is not significant (two-sided corrected
t-test, p > alpha, unadjusted), with its test-split difference and its fairness and privacy gates; `runner_up` is the
next configuration of its kind by rank, tied or not; `tie_rule` says the rule in one sentence.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from synthlib.config import metric_name, p_cell
from synthlib.evaluate import (LOWER_IS_BETTER, MATCHED_RECALL, THRESHOLD_DEPENDENT, Configuration, average_precision,
                               batch_metric, best_configuration, bootstrap_draws, confirmed_on_test, corrected_interval,
                               corrected_resampled_ttest, difference_interval, display_name, expected_calibration_error,
                               higher_is_better, holm, rank_configurations, recall_at_precision, significant,
                               single_metric, worse_on_test)

from ._gates import calibration_gate, fairness_gate, fidelity_gate, privacy_gate

TRADE_OFF_METRICS = ("recall_minority", "precision_minority", "f1_minority", "balanced_accuracy", "accuracy",
                     "roc_auc", "pr_auc", "brier", "log_loss")
Bootstrap = Callable[[Configuration, Configuration, str], dict[str, Any]]


def fold_values(cv_folds: list[dict[str, Any]], configuration: Configuration, metric: str) -> dict[int, float]:
    classifier, comparator = configuration
    return {int(r["fold"]): float(r[metric]) for r in cv_folds
            if r["classifier"] == classifier and r["comparator"] == comparator and r.get(metric) is not None}


def compare(utility: dict[str, Any], candidate: Configuration, reference: Configuration, metric: str, margin: float,
            bootstrap: Bootstrap | None, label: str) -> dict[str, Any]:
    """Candidate minus reference on the same CV folds (one-sided test against `margin`) and on the test split."""
    a, b = fold_values(utility["cv_folds"], candidate, metric), fold_values(utility["cv_folds"], reference, metric)
    folds = sorted(set(a) & set(b))
    differences = np.array([a[f] - b[f] for f in folds])
    direction = 1.0 if higher_is_better(metric) else -1.0
    protocol = utility["protocol"]
    test_fraction = 1 / (protocol["cv_folds"] - 1)
    t, p = corrected_resampled_ttest(direction * differences, test_fraction, margin=margin, alternative="greater")
    row = {"comparison": label, "candidate": display_name(candidate), "reference": display_name(reference), "metric": metric,
           "margin": margin, "cv_difference": float(np.nanmean(differences)) if len(differences) else None,
           "n_folds": len(folds), "t": t, "p_value": p, "estimate": "CV (same folds), one-sided",
           "test_difference": None, "ci_low": None, "ci_high": None, "ci": "test split, paired bootstrap, unadjusted"}
    if bootstrap is not None:
        row.update({k: v for k, v in bootstrap(candidate, reference, metric).items()
                    if k in ("test_difference", "ci_low", "ci_high")})
    return row


def make_bootstrap(utility: dict[str, Any], test_predictions: dict[Configuration, tuple[np.ndarray, np.ndarray]],
                   y_test: np.ndarray, n_boot: int, seed: int) -> Bootstrap:
    """Paired bootstrap of candidate - reference on the test split, for any metric the verdict uses.

    Binary metrics with a vectorised form use the draws of `stats.paired_bootstrap`, each configuration's values
    computed once; the others (multi-class metrics) are recomputed draw by draw with the same seeded generator.
    """
    labels = utility["classes"]["labels"]
    positive = labels.index(utility["classes"]["positive"])
    minority = [labels.index(m) for m in utility["classes"]["minority"]]
    majority = labels.index(utility["classes"]["majority"])
    binary = len(labels) == 2
    matched_precision = utility["protocol"].get("matched_precision")

    def value(metric: str, y: np.ndarray, pred: np.ndarray, proba: np.ndarray) -> float:
        if metric == MATCHED_RECALL:
            return recall_at_precision(y == positive, proba[:, positive], matched_precision)
        if metric == "pr_auc" and binary:
            return average_precision(y == positive, proba[:, positive])
        return single_metric(metric, y, proba, pred, minority, majority)

    cache: dict[tuple[Configuration, str], tuple[float, np.ndarray]] = {}

    def drawn(configuration: Configuration, metric: str, vectorised) -> tuple[float, np.ndarray]:
        """One configuration's metric on all test rows and on the seeded draws, computed once (a configuration is
        in many comparisons; the draws are those of `stats.paired_bootstrap`, so the differences are the same)."""
        if (configuration, metric) not in cache:
            pred, proba = test_predictions[configuration]
            function = functools.partial(vectorised, y_test, pred, proba[:, positive])
            cache[(configuration, metric)] = (float(function(np.ones((1, len(y_test))))[0]),
                                              bootstrap_draws({0: function}, len(y_test), n_boot, seed)[0])
        return cache[(configuration, metric)]

    def run(candidate: Configuration, reference: Configuration, metric: str) -> dict[str, Any]:
        (pred_b, proba_b), (pred_a, proba_a) = test_predictions[candidate], test_predictions[reference]
        vectorised = batch_metric(metric, positive, matched_precision) if binary else None
        if vectorised is not None:
            (point_b, draws_b), (point_a, draws_a) = drawn(candidate, metric, vectorised), drawn(reference, metric, vectorised)
            out = difference_interval(point_b - point_a, draws_b - draws_a)
            return {"test_difference": out["difference"], "ci_low": out["ci_low"], "ci_high": out["ci_high"]}
        if metric == MATCHED_RECALL and matched_precision is None:
            return {"test_difference": None, "ci_low": None, "ci_high": None}
        rng, draws = np.random.default_rng(seed), []
        with np.errstate(all="ignore"):
            for _ in range(n_boot):
                idx = rng.integers(0, len(y_test), len(y_test))
                try:
                    draws.append(value(metric, y_test[idx], pred_b[idx], proba_b[idx])
                                 - value(metric, y_test[idx], pred_a[idx], proba_a[idx]))
                except ValueError:  # a draw that lacks a class: no value for it
                    continue
        draws = np.asarray(draws, dtype=float)
        draws = draws[np.isfinite(draws)]
        low, high = np.percentile(draws, [2.5, 97.5]) if len(draws) else (np.nan, np.nan)
        point = value(metric, y_test, pred_b, proba_b) - value(metric, y_test, pred_a, proba_a)
        return {"test_difference": float(point), "ci_low": float(low), "ci_high": float(high)}

    return run


def forest(utility: dict[str, Any], ranked: list[dict[str, Any]], reference: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every eligible configuration minus the best alternative on the primary metric: CV mean difference with
    its corrected 95% CI (informational, not a test: the verdict's tests are in `evidence`)."""
    if reference is None:
        return []
    primary = utility["protocol"]["primary_metric"]
    ref = (reference["classifier"], reference["comparator"])
    rows = []
    for row in ranked:
        cfg = (row["classifier"], row["comparator"])
        if not row["eligible"] or cfg == ref:
            continue
        difference = paired_cv_difference(utility, cfg, ref, primary)
        rows.append({"classifier": cfg[0], "comparator": cfg[1], "uses_synthetic": row["uses_synthetic"],
                     "cv_difference": difference["cv_difference"], "ci_low": difference["cv_ci_low"],
                     "ci_high": difference["cv_ci_high"], "reference": display_name(ref)})
    return rows


def paired_cv_difference(utility: dict[str, Any], candidate: Configuration, reference: Configuration,
                         metric: str) -> dict[str, Any]:
    """Candidate minus reference on the same CV folds: mean, corrected 95% CI and two-sided corrected t-test p."""
    a, b = fold_values(utility["cv_folds"], candidate, metric), fold_values(utility["cv_folds"], reference, metric)
    folds = sorted(set(a) & set(b))
    differences = np.array([a[f] - b[f] for f in folds])
    k = utility["protocol"]["cv_folds"]
    if k < 2:  # no held-out fold to correct for: no test
        return {"cv_difference": float("nan"), "cv_ci_low": float("nan"), "cv_ci_high": float("nan"),
                "p_value": float("nan"), "n_folds": len(folds)}
    mean, low, high = corrected_interval(differences, 1 / (k - 1))
    _, p = corrected_resampled_ttest(differences, 1 / (k - 1), alternative="two-sided")
    return {"cv_difference": mean, "cv_ci_low": low, "cv_ci_high": high, "p_value": p, "n_folds": len(folds)}


# ------------------------------------------------------------------------------------------ ties
def tie_rule(primary: str, alpha: float) -> str:
    """How `decide` calls a configuration tied with the recommendation, in one sentence."""

    return (f"A configuration is tied with the recommendation when it is eligible, of the same kind (with synthetic "
            f"rows, or without them, as the recommendation), and its difference in {metric_name(primary)} on the same CV "
            f"folds has a two-sided Nadeau-Bengio corrected t-test p > {alpha}, unadjusted for multiplicity (an "
            "adjusted p is larger and would call more configurations tied, so unadjusted is the stricter choice for "
            "calling a configuration tied, and the more lenient one for granting the recommendation a significant lead).")


def is_tied(p_value: float | None, alpha: float) -> bool:
    """A tie is claimed only on a finite p above alpha: a NaN p (no test possible) claims nothing."""
    return p_value is not None and bool(np.isfinite(p_value)) and p_value > alpha


def same_kind(ranked: list[dict[str, Any]], recommended: dict[str, Any]) -> list[dict[str, Any]]:
    """The other eligible configurations that use synthetic rows exactly when the recommendation does, by rank."""
    chosen = (recommended["classifier"], recommended["comparator"])
    return [r for r in ranked if r["eligible"] and r["uses_synthetic"] == recommended["uses_synthetic"]
            and (r["classifier"], r["comparator"]) != chosen]


def gate_summary(result: dict[str, Any], configuration: Configuration) -> dict[str, Any]:
    """A configuration's fairness and privacy gate status, with the attributes whose four-fifths rule it violates."""
    fairness = fairness_gate(result.get("fairness", {}), configuration)
    violated = [f["attribute"] for f in fairness["findings"] if f["gap"] == "four_fifths_rule"]
    return {"fairness_status": fairness["status"], "four_fifths_violated": list(dict.fromkeys(violated)),
            "privacy_status": privacy_gate(result.get("privacy", {}), configuration)["status"]}


def against_recommendation(result: dict[str, Any], row: dict[str, Any], recommended: Configuration,
                           difference: dict[str, Any], alpha: float, bootstrap: Bootstrap | None) -> dict[str, Any]:
    """One configuration minus the recommendation on the primary metric (`difference`, from `paired_cv_difference`),
    with the test-split difference and its paired-bootstrap CI, and its fairness and privacy gates."""
    primary = result["utility"]["protocol"]["primary_metric"]
    cfg = (row["classifier"], row["comparator"])
    record = {"classifier": cfg[0], "comparator": cfg[1], "label": display_name(cfg), "uses_synthetic": row["uses_synthetic"],
              "rank": row["rank"], "cv_mean": row["cv_mean"], "cv_pr_auc": row["cv_pr_auc"], **difference,
              "tied": is_tied(difference["p_value"], alpha), "test_difference": None, "ci_low": None, "ci_high": None,
              "ci": "test split, paired bootstrap, unadjusted"}
    if bootstrap is not None:
        record.update({k: v for k, v in bootstrap(cfg, recommended, primary).items()
                       if k in ("test_difference", "ci_low", "ci_high")})
    return {**record, **gate_summary(result, cfg)}


def ties_with_recommendation(result: dict[str, Any], ranked: list[dict[str, Any]], recommended: dict[str, Any],
                             alpha: float, bootstrap: Bootstrap | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The configurations tied with the recommendation (by |CV difference|), and the next one of its kind by rank.

    Every configuration of the kind is tested on the CV folds; the test-split bootstrap and the gates are computed
    only for the ties and the runner-up (the bootstrap is slow on large or multi-class test splits).
    """
    rec_cfg = (recommended["classifier"], recommended["comparator"])
    primary = result["utility"]["protocol"]["primary_metric"]
    others = same_kind(ranked, recommended)
    differences = [paired_cv_difference(result["utility"], (r["classifier"], r["comparator"]), rec_cfg, primary)
                   for r in others]
    records = [against_recommendation(result, row, rec_cfg, difference, alpha, bootstrap)
               for rank, (row, difference) in enumerate(zip(others, differences))
               if rank == 0 or is_tied(difference["p_value"], alpha)]
    ties = sorted((r for r in records if r["tied"]), key=lambda r: abs(r["cv_difference"]))
    return ties, (records[0] if records else None)


def _threshold_shift_guard(evidence: list[dict[str, Any]]) -> None:
    """A met threshold-dependent criterion counts only if its comparison at the matched precision is met too."""
    for row in evidence:
        if row["metric"] not in THRESHOLD_DEPENDENT or not row["met"]:
            continue
        matched = next((r for r in evidence if r["metric"] == MATCHED_RECALL and r["reference"] == row["reference"]
                        and r["candidate"] == row["candidate"]), None)
        if matched is not None and not matched["met"]:
            row["met"] = False
            row["not_met_because"] = "no gain at the matched precision: a threshold shift"


def _explain_unmet(evidence: list[dict[str, Any]]) -> None:
    """Every unmet row says why, in the words of the rule it failed (the threshold-shift guard's reason first)."""

    for row in evidence:
        if row["met"] or row.get("not_met_because"):
            continue
        reasons = []
        if not significant(row.get("p_holm"), row["max_p_value"]):
            reasons.append(f"the CV gain is not above the margin (Holm p {p_cell(row.get('p_holm'))} > "
                           f"{row['max_p_value']})")
        if not confirmed_on_test(row):
            side = "above" if higher_is_better(row["metric"]) else "below"
            reasons.append(f"the test-split CI is not wholly {side} 0" if row.get("ci_low") is not None
                           else "no test-split CI")
        row["not_met_because"] = "; ".join(reasons) or "not met"


# ------------------------------------------------------------------------------------------ decide
def _criteria(evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    """The success criteria, with the primary metric added (margin 0) when no criterion names it."""
    criteria = [dict(c) for c in evaluation["success_criteria"]]
    if not any(c["metric"] == evaluation["primary_metric"] for c in criteria):
        criteria.insert(0, {"metric": evaluation["primary_metric"], "min_improvement": 0.0,
                            "max_p_value": evaluation["alpha"], "added": "primary metric"})
    return criteria


def decide(result: dict[str, Any], test_predictions: dict[Configuration, tuple[np.ndarray, np.ndarray]] | None = None,
           y_test: np.ndarray | None = None) -> dict[str, Any]:
    """The verdict (plain data) from the computed results; see the module docstring."""
    config = result["config"]["resolved"]
    evaluation, utility = config["evaluation"], result["utility"]
    alpha, primary = evaluation["alpha"], evaluation["primary_metric"]
    ranked = rank_configurations(utility, evaluation)
    augmented, alternative = best_configuration(ranked, True), best_configuration(ranked, False)
    bootstrap = (make_bootstrap(utility, test_predictions, y_test, evaluation["n_bootstrap"], config["split"]["seed"])
                 if test_predictions is not None and y_test is not None else None)
    out: dict[str, Any] = {
        "primary_metric": primary, "alpha": alpha, "significance": "p <= alpha, Holm-adjusted over every comparison below",
        "ranked": ranked, "best_augmented": augmented, "best_alternative": alternative,
        "degenerate": [{"configuration": display_name((r["classifier"], r["comparator"])), "reason": r["excluded_because"]}
                       for r in ranked if not r["eligible"]],
        "evidence": [], "trade_offs": [], "tie_rule": tie_rule(primary, alpha), "ties": [], "runner_up": None,
    }
    out["forest"] = forest(utility, ranked, alternative)
    criteria = _criteria(evaluation)
    if augmented is not None and alternative is not None:
        a_cfg, b_cfg = (augmented["classifier"], augmented["comparator"]), (alternative["classifier"], alternative["comparator"])
        own = (augmented["classifier"], "baseline")
        for c in criteria:
            row = compare(utility, a_cfg, b_cfg, c["metric"], c["min_improvement"], bootstrap, "vs the best alternative")
            out["evidence"].append({**row, "max_p_value": c["max_p_value"], "decides": True})
        if primary in THRESHOLD_DEPENDENT and utility["protocol"].get("matched_precision") is not None:
            row = compare(utility, a_cfg, b_cfg, MATCHED_RECALL, 0.0, bootstrap, "vs the best alternative, matched precision")
            out["evidence"].append({**row, "max_p_value": alpha, "decides": True})
        if own[1] in utility["cv"].get(own[0], {}) and own != b_cfg:
            label = "vs the same classifier's baseline (template criterion)"
            for c in criteria:
                row = compare(utility, a_cfg, own, c["metric"], c["min_improvement"], bootstrap, label)
                out["evidence"].append({**row, "max_p_value": c["max_p_value"], "decides": False})
            if primary in THRESHOLD_DEPENDENT and utility["protocol"].get("matched_precision") is not None:
                row = compare(utility, a_cfg, own, MATCHED_RECALL, 0.0, bootstrap, label + ", matched precision")
                out["evidence"].append({**row, "max_p_value": alpha, "decides": False})
        for row, adjusted in zip(out["evidence"], holm([r["p_value"] for r in out["evidence"]])):
            row["p_holm"] = adjusted
            row["met"] = significant(adjusted, row["max_p_value"]) and confirmed_on_test(row)
        _threshold_shift_guard(out["evidence"])
        _explain_unmet(out["evidence"])
    deciding = [r for r in out["evidence"] if r["decides"]]
    if augmented is None:
        answer = "not evaluated"
    elif alternative is None:
        answer = "no alternative"
    else:
        answer = "helps" if deciding and all(r["met"] for r in deciding) else "no evidence"
    out["augmentation_helps"] = answer
    primary_row = next((r for r in deciding if r["metric"] == primary), None)
    out["augmented_worse_on_test"] = bool(primary_row and worse_on_test(primary_row))
    preferred = augmented if answer in ("helps", "no alternative") else alternative
    if preferred is None:
        out.update(status="not recommended", recommended=None, comparison=None, best_passing=None,
                   conditions=["no configuration predicts the minority class (all are degenerate or below the precision floor)"])
        out["dimensions"] = {d: {"status": "fail" if d == "utility" else "n/a", "evidence": out["conditions"][0]}
                             for d in ("utility", "calibration", "fairness", "privacy", "fidelity")}
        out["release"] = {"augmented_data": False, "reason": "no configuration is recommended"}
        return out
    rec_cfg = (preferred["classifier"], preferred["comparator"])
    other = alternative if preferred["uses_synthetic"] else augmented
    out["recommended"] = {**preferred, "label": display_name(rec_cfg)}
    out["comparison"] = {**other, "label": display_name((other["classifier"], other["comparator"]))} if other else None
    out["ties"], out["runner_up"] = ties_with_recommendation(result, ranked, preferred, alpha, bootstrap)
    if other is not None and bootstrap is not None:
        other_cfg = (other["classifier"], other["comparator"])
        out["trade_offs"] = [_trade_off(utility, rec_cfg, other_cfg, m, bootstrap) for m in TRADE_OFF_METRICS
                             if m in utility["cv"][rec_cfg[0]][rec_cfg[1]]]
    own_baseline = []
    if rec_cfg[1] != "baseline" and bootstrap is not None:
        own_baseline = [_trade_off(utility, rec_cfg, (rec_cfg[0], "baseline"), m, bootstrap) for m in ("brier", "log_loss")
                        if m in utility["cv"][rec_cfg[0]][rec_cfg[1]]]
    out["calibration_vs_own_baseline"] = own_baseline
    gates = {"fairness": fairness_gate(result.get("fairness", {}), rec_cfg),
             "privacy": privacy_gate(result.get("privacy", {}), rec_cfg),
             "fidelity": fidelity_gate(result.get("validation", {}), rec_cfg)}
    out["dimensions"] = {"utility": _utility_dimension(out, preferred), "calibration": calibration_gate(own_baseline, _ece(utility, test_predictions, y_test, rec_cfg)),
                         **gates}
    allow_release = config["privacy"].get("allow_release", False)
    conditions = []
    if gates["fairness"]["status"] == "fail":
        worst = [f for f in gates["fairness"]["findings"] if f["severity"] == "fail"]
        conditions.extend(
            f"it {'lowers' if f['gap'].endswith('_ratio') else 'widens'} the {f['gap'].replace('_', ' ')} for "
            f"`{f['attribute']}` by {f['change']:+.3f} [{f['ci_low']:+.3f}, {f['ci_high']:+.3f}], beyond the tolerance "
            f"of {result['fairness']['tolerance']}" for f in worst)
    if gates["privacy"]["status"] == "fail":
        conditions.append(f"its synthetic rows carry {gates['privacy']['evidence']}: the augmented training data must "
                          "not be released" + (" (privacy.allow_release is set: released anyway)" if allow_release else ""))
    out["conditions"] = conditions
    out["status"] = "conditional" if conditions else "recommended"
    out["best_passing"] = None
    if conditions:
        for row in ranked:
            cfg = (row["classifier"], row["comparator"])
            if row["eligible"] and cfg != rec_cfg and fairness_gate(result.get("fairness", {}), cfg)["status"] != "fail" \
                    and privacy_gate(result.get("privacy", {}), cfg)["status"] != "fail":
                if row["uses_synthetic"] and answer != "helps":
                    continue  # an augmented configuration is only an option where augmentation was shown to help
                out["best_passing"] = {**row, "label": display_name(cfg)}
                break
    releasable = preferred["uses_synthetic"] and (gates["privacy"]["status"] != "fail" or allow_release)
    out["release"] = {
        "augmented_data": bool(releasable),
        "reason": ("the recommended configuration uses no synthetic rows" if not preferred["uses_synthetic"] else
                   "privacy risk is not high" if gates["privacy"]["status"] != "fail" else
                   "privacy.allow_release is set in the params" if allow_release else
                   f"{gates['privacy']['evidence']}; set privacy.allow_release to export it anyway")}
    return out


def _trade_off(utility: dict[str, Any], candidate: Configuration, reference: Configuration, metric: str,
               bootstrap: Bootstrap) -> dict[str, Any]:
    """An informational difference (not in the Holm family): CV mean difference and test difference with its CI."""
    a, b = fold_values(utility["cv_folds"], candidate, metric), fold_values(utility["cv_folds"], reference, metric)
    folds = sorted(set(a) & set(b))
    row = {"candidate": display_name(candidate), "reference": display_name(reference), "metric": metric,
           "cv_difference": float(np.mean([a[f] - b[f] for f in folds])) if folds else None,
           "lower_is_better": metric in LOWER_IS_BETTER, "ci": "test split, paired bootstrap, unadjusted"}
    row.update(bootstrap(candidate, reference, metric))
    row["better"] = confirmed_on_test({**row, "metric": metric})
    row["worse"] = worse_on_test({**row, "metric": metric})
    return row


def _ece(utility: dict[str, Any], test_predictions, y_test, configuration: Configuration) -> float | None:
    if test_predictions is None or y_test is None or len(utility["classes"]["labels"]) != 2:
        return None
    positive = utility["classes"]["labels"].index(utility["classes"]["positive"])
    return expected_calibration_error(y_test == positive, test_predictions[configuration][1][:, positive])


def _utility_dimension(out: dict[str, Any], preferred: dict[str, Any]) -> dict[str, Any]:
    test_ci = preferred.get("test_ci")
    ci_text = f" [{test_ci[0]:.3f}, {test_ci[1]:.3f}]" if test_ci else ""
    evidence = (f"{display_name((preferred['classifier'], preferred['comparator']))}: CV {preferred['cv_mean']:.3f} "
                f"(sd {preferred['cv_std']:.3f}), test {preferred['test_value']:.3f}{ci_text}")
    worse = next((r for r in out["trade_offs"] if r["metric"] == out["primary_metric"] and r["worse"]), None)
    if worse is not None:
        evidence += (f"; on the test split it is below {worse['reference']} ({worse['test_difference']:+.3f} "
                     f"[{worse['ci_low']:+.3f}, {worse['ci_high']:+.3f}]), which did not meet the CV criteria")
    return {"status": "warn" if worse is not None else "pass", "evidence": evidence}


def recompute_from_folds(result: dict[str, Any]) -> dict[str, Any]:
    """Re-derive the verdict's answer from `results.json` alone: the CV p-values from `utility.cv_folds`, Holm
    over them, and the stored test-split CIs. A reviewer (or a test) compares this with `verdict`."""
    verdict, utility = result["verdict"], result["utility"]
    rows = []
    for row in verdict["evidence"]:
        candidate = _configuration_of(verdict, row["candidate"])
        reference = _configuration_of(verdict, row["reference"])
        recomputed = compare(utility, candidate, reference, row["metric"], row["margin"], None, row["comparison"])
        rows.append({**row, "p_value": recomputed["p_value"], "cv_difference": recomputed["cv_difference"]})
    for row, adjusted in zip(rows, holm([r["p_value"] for r in rows])):
        row["p_holm"] = adjusted
        row["met"] = significant(adjusted, row["max_p_value"]) and confirmed_on_test(row)
    _threshold_shift_guard(rows)
    _explain_unmet(rows)
    deciding = [r for r in rows if r["decides"]]
    answer = verdict["augmentation_helps"] if not deciding else ("helps" if all(r["met"] for r in deciding) else "no evidence")
    return {"augmentation_helps": answer, "evidence": rows}


def _configuration_of(verdict: dict[str, Any], label: str) -> Configuration:
    for row in verdict["ranked"]:
        if display_name((row["classifier"], row["comparator"])) == label:
            return row["classifier"], row["comparator"]
    raise KeyError(f"no configuration named {label!r} in the verdict's ranking")
