"""The facts the report's section templates phrase, computed from `results.json` (no sentence is built here).

Each `@fact` function takes the results dict and returns data: numbers, names, booleans and short keys that a
template turns into words (`report/sections/*.md.j2`). A template reads them as `facts.<name>`; the `Facts` object
computes each one when it is first asked for, so a paragraph needs only the part of the results it uses.
Page 1's findings are in `_findings`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from synthlib.augment import INTERPOLATION_METHODS
from synthlib.config import DEEP_GENERATORS
from synthlib.evaluate import higher_is_better, significant

FACTS: dict[str, Callable[..., Any]] = {}
WITH_ARGUMENTS: set[str] = set()


def fact(function: Callable[..., Any] | None = None, *, arguments: bool = False):
    """Register a fact; with `arguments`, templates call it with the rest of its arguments (`facts.fidelity(m)`)."""
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        FACTS[fn.__name__] = fn
        if arguments:
            WITH_ARGUMENTS.add(fn.__name__)
        return fn

    return register(function) if function is not None else register


class Facts:
    """`facts.<name>` in a template: the fact `<name>` of one results dict, computed once when first read."""

    def __init__(self, result: dict[str, Any]):
        self._result, self._cache = result, {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in FACTS:
            raise AttributeError(name)
        if name not in self._cache:
            function = FACTS[name]
            self._cache[name] = (functools.partial(function, self._result) if name in WITH_ARGUMENTS
                                 else function(self._result))
        return self._cache[name]


def is_fairness_reference(entry: dict[str, Any]) -> bool:
    """A plain baseline is the fairness gate's reference (the gate judges a configuration's change against its own
    plain baseline), so its "pass" holds by construction and is never offered as evidence."""
    return entry["comparator"] == "baseline"


def _test_entry(result: dict[str, Any], entry: dict[str, Any] | None) -> dict[str, Any]:
    if not entry:
        return {}
    return (result["utility"]["test"].get(entry["classifier"]) or {}).get(entry["comparator"]) or {}


# ------------------------------------------------------------------------------------ problem and data
@fact
def problem(result: dict[str, Any]) -> dict[str, Any]:
    balance = result["data"]["profile"]["class_balance"]["full"]
    minority = result["data"]["minority"]
    return {"minority": minority, "share": sum(balance["counts"][m] for m in minority) / balance["rows"],
            "rows": result["data"]["profile"]["shape"][0]}


@fact
def criteria(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The success criteria, the objective's first (with the default margin) when the params file names none for it."""
    ev = result["config"]["resolved"]["evaluation"]
    found = list(ev["success_criteria"])
    if not any(c["metric"] == ev["objective"] for c in found):
        found.insert(0, {"metric": ev["objective"], "min_improvement": ev.get("min_improvement", 0.0),
                         "max_p_value": ev["alpha"]})
    return found


@fact
def threshold_free(result: dict[str, Any]) -> bool:
    return result["config"]["resolved"]["evaluation"]["objective"] in ("pr_auc", "roc_auc")


@fact
def cleaning(result: dict[str, Any]) -> dict[str, Any]:
    """The cleaning log grouped the way the summary reports it (training-split counts, test counts beside them)."""
    log = result["data"]["cleaning_log"]
    in_test = {e["column"]: e["count"] for e in log if e["step"] == "outliers" and e["split"] == "test" and e["column"]}
    return {
        "markers": [e for e in log if e["action"] == "marker to NaN"],
        "imputed": [{**e, "how": e["action"].split()[1]} for e in log
                    if e["action"].startswith("impute") and e["split"] == "train"],
        "capped": [{**e, "in_test": in_test.get(e["column"])} for e in log
                   if e["step"] == "outliers" and e["split"] == "train" and e["column"]],
        "dropped": [e for e in log if "drop" in e["action"]],
        "signal": [{**e, "action": e["action"].removesuffix(" (warning)")} for e in log if e["step"] == "signal"],
    }


@fact
def method_choice(result: dict[str, Any]) -> dict[str, Any]:
    features = result["data"]["features"]
    train = result["data"]["profile"]["class_balance"]["train"]["counts"]
    deep = [m for m in result["config"]["resolved"]["augmentation"]["methods"] if m in DEEP_GENERATORS]
    n_categorical, n_features = len(features["categorical"]), sum(len(v) for v in features.values())
    return {"train_minority": sum(train[m] for m in result["data"]["minority"]), "n_categorical": n_categorical,
            "n_features": n_features, "categorical_share": n_categorical / max(n_features, 1), "deep": deep,
            "gpu": result["environment"].get("gpu"), "best": result["verdict"].get("best_augmented")}


@fact
def augmentation(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per method, what the augmentation table does not explain: rows missing after deduplication (and why: `enn`,
    `adasyn` or `generator`), real rows a cleaning step removed, a trained ratio above the requested one."""
    requested = result["config"]["resolved"]["augmentation"]["sampling_strategy"]
    out = []
    for method, info in result["augmentation"].items():
        after_cap, generated = sum(info["after_cap"].values()), sum(info["generated"].values())
        duplicates = info["duplicates_of_real_removed"] + info["duplicates_within_removed"]
        why = "enn" if info["real_rows_removed"] else "adasyn" if method == "adasyn" else "generator"
        above = (isinstance(requested, float) and max(info["trained_ratio"].values()) > requested + 0.005)
        out.append({"method": method, "after_cap": after_cap, "generated": generated, "duplicates": duplicates,
                    "missing": after_cap - duplicates - generated, "why": why,
                    "real_rows_removed": info["real_rows_removed"],
                    "removed_by_class": {c: n for c, n in info["real_rows_removed_by_class"].items() if n},
                    "trained_class_counts": info["trained_class_counts"], "trained_ratio": info["trained_ratio"],
                    "above_requested": requested if above else None})
    return out


# ---------------------------------------------------------------------------------------- validation
@fact(arguments=True)
def fidelity(result: dict[str, Any], method: str) -> dict[str, Any]:
    """One method's validation: the checks that ran, with the readings the template words."""
    v = result["fidelity"][method]
    tests, disc, close = v.get("distribution_tests"), v.get("discriminator"), v.get("closeness")
    out: dict[str, Any] = {"method": method, "integrity": v.get("integrity"), "tests": tests, "mmd": v.get("mmd"),
                           "coverage": v.get("coverage"), "diversity": v.get("diversity"), "density": v.get("density"),
                           "discriminator": disc, "closeness": close, "errors": v.get("errors") or {},
                           "collapse": (v.get("collapse_warning") or {}) if (v.get("collapse_warning") or {}).get("collapsed") else None}
    if tests:
        every = {**tests["ks"], **tests["chi2"]}
        out["differing"] = [c for c, e in every.items() if e["p_adjusted"] < tests["alpha"]]
        out["n_tested"] = len(every)
    if disc:
        out["level"] = "hard" if disc["roc_auc"] < 0.6 else "partly" if disc["roc_auc"] < 0.8 else "easy"
        out["beats_chance"] = "chance_accuracy" in disc and disc["accuracy"] > disc["chance_accuracy"]
    return out


@fact
def fidelity_ranking(result: dict[str, Any]) -> dict[str, Any]:
    """Fidelity (discriminator AUC) and closeness (DCR ratio) side by side; a near-copy is never "most faithful"."""
    rows = []
    for method, v in result["fidelity"].items():
        if v.get("discriminator"):
            close = v.get("closeness") or {}
            rows.append({"method": method, "auc": v["discriminator"]["roc_auc"], "dcr_ratio": close.get("score"),
                         "near_copy": bool(close.get("near_copy")),
                         "collapsed": bool((v.get("collapse_warning") or {}).get("collapsed"))})
    rows.sort(key=lambda r: abs(r["auc"] - 0.5))
    faithful = [r for r in rows if not r["near_copy"] and not r["collapsed"]]
    return {"rows": rows, "best": faithful[0] if faithful else None, "worst": rows[-1] if rows else None,
            "near": [r for r in rows if r["near_copy"]]}


# -------------------------------------------------------------------------------------------- verdict
@fact
def helps(result: dict[str, Any]) -> dict[str, Any]:
    """The answer to "does augmentation help?" and the comparison it rests on (`row`: the deciding evidence row on
    the primary metric); `below_margin`: a gain in the right direction that is smaller than the margin."""
    v = result["verdict"]
    answer, primary = v["augmentation_helps"], v["primary_metric"]
    row = next((r for r in v["evidence"] if r["decides"] and r["metric"] == primary), None)
    below_margin = (row is not None and answer != "helps" and row["margin"] > 0
                    and (row.get("cv_difference") or 0) * (1 if higher_is_better(primary) else -1) > 0)
    alternative = (v.get("best_alternative") or {}).get("comparator")
    return {"answer": answer, "row": row, "below_margin": below_margin,
            "failed": [r for r in v["evidence"] if r["decides"] and not r["met"]],
            "worse_on_test": bool(v.get("augmented_worse_on_test")), "alternative_kind": alternative}


@fact
def parsimony(result: dict[str, Any]) -> dict[str, Any] | None:
    """The rule's choice when it recommended a configuration other than the CV leader (None otherwise);
    `gates`: it was chosen because the leader fails a gate, not because it is simpler."""
    rule = result["verdict"].get("parsimony") or {}
    if not rule or rule.get("chosen") == rule.get("cv_leader"):
        return None
    because = rule.get("simpler_because") or ""
    return {**rule, "gates": because.startswith("the CV leader does not pass"), "because": because}


@fact
def ties(result: dict[str, Any], limit: int = 3) -> dict[str, Any] | None:
    """How firm the recommendation is on the primary metric: the configurations of its kind tied with it, the ties
    the test split favours, which tied ones pass the fairness gate; or its significant lead over the next one."""
    v = result["verdict"]
    rec, tied = v.get("recommended"), v.get("ties") or []
    if rec is None:
        return None
    if not tied:
        runner_up = v.get("runner_up")
        if runner_up is None or not significant(runner_up.get("p_value"), v["alpha"]):
            return None
        return {"tied": [], "runner_up": runner_up, "synthetic": rec["uses_synthetic"]}
    return {"tied": tied[:limit], "more": max(len(tied) - limit, 0), "n": len(tied), "synthetic": rec["uses_synthetic"],
            "leader_ahead": any((t.get("cv_difference") or 0) > 0 for t in tied),
            "ahead_on_test": _ties_ahead_on_test(result), "fairness": _tied_fairness(v)}


def _ties_ahead_on_test(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Tied configurations whose test-split difference from the recommendation has a CI wholly above 0, each with
    the operating point (minority precision, recall at the matched precision) it and the recommendation reach."""
    v = result["verdict"]
    metrics = ("precision_minority", "recall_at_matched_precision")
    own = _test_entry(result, v["recommended"]).get("metrics", {})
    out = []
    for tie in v["ties"]:
        if tie.get("ci_low") is not None and tie["ci_low"] > 0:
            theirs = _test_entry(result, tie).get("metrics", {})
            points = [{"metric": m, "tie": theirs[m], "recommended": own[m]} for m in metrics
                      if theirs.get(m) is not None and own.get(m) is not None]
            out.append({**tie, "points": points})
    return out


def _tied_fairness(v: dict[str, Any]) -> dict[str, Any] | None:
    """When the recommendation's fairness gate warns or fails: which tied configurations pass it (the plain baseline,
    the gate's reference, never counts), or which meet the four-fifths rule for more attributes."""
    gate = v["dimensions"]["fairness"]
    if gate["status"] not in ("warn", "fail"):
        return None
    violated = list(dict.fromkeys(f["attribute"] for f in gate.get("findings", []) if f["gap"] == "four_fifths_rule"))
    tied = v["ties"]
    return {"status": gate["status"], "violated": violated,
            "passing": [t["label"] for t in tied if t["fairness_status"] == "pass" and not is_fairness_reference(t)],
            "reference_tied": any(is_fairness_reference(t) for t in tied),
            "reference_meeting": [t["label"] for t in tied if is_fairness_reference(t) and violated
                                  and not t.get("four_fifths_violated")],
            "fewer": [t for t in tied if violated and len(t.get("four_fifths_violated") or []) < len(violated)]}


@fact
def removed_rows(result: dict[str, Any]) -> dict[str, Any] | None:
    """The best augmented method's deletions of real training rows (SMOTE-ENN's cleaning), per class."""
    best = result["verdict"].get("best_augmented")
    info = result.get("augmentation", {}).get(best["comparator"]) if best else None
    removed = (info or {}).get("real_rows_removed_by_class") or {}
    if not any(removed.values()):
        return None
    train = result["data"]["profile"]["class_balance"]["train"]["counts"]
    return {"method": best["comparator"], "trained_ratio": info["trained_ratio"],
            "by_class": [{"label": c, "removed": n, "of": train.get(c, "?")} for c, n in removed.items() if n]}


def test_prevalence(result: dict[str, Any]) -> float | None:
    """The share of test rows in any minority class (None when results.json has no test class balance)."""
    test = (((result.get("data") or {}).get("profile") or {}).get("class_balance") or {}).get("test")
    if not test or not test.get("rows"):
        return None
    return sum(test["counts"].get(m, 0) for m in result["data"]["minority"]) / test["rows"]


def sensitive_inputs(result: dict[str, Any]) -> list[str] | None:
    """The sensitive attributes the models were trained on (None when results.json does not record the features)."""
    resolved = (result.get("config") or {}).get("resolved") or {}
    features = (result.get("data") or {}).get("features")
    if features is None:
        return None
    inputs = {c for columns in features.values() for c in columns}
    return [a["column"] for a in (resolved.get("features") or {}).get("sensitive", []) if a["column"] in inputs]


@fact
def flagging(result: dict[str, Any]) -> dict[str, Any] | None:
    """The share of test rows the recommended model flags as the minority, the prevalence of the minority classes in
    the test split, per-group rates, and whether the rate is more than twice the prevalence (most flagged rows are
    then not minority rows)."""
    rec = result["verdict"]["recommended"]
    if rec is None:
        return None
    entry = _test_entry(result, rec)
    matrix, rate = entry.get("confusion") or {}, entry.get("predicted_minority_rate")
    n = sum(matrix.get(k, 0) for k in ("tp", "fp", "fn", "tn"))
    if rate is None or not n:
        return None
    prevalence = test_prevalence(result)  # every minority class (the confusion counts only the positive one)
    if prevalence is None:
        prevalence = (matrix.get("tp", 0) + matrix.get("fn", 0)) / n
    groups = []
    for attribute, by_classifier in ((result.get("fairness") or {}).get("models") or {}).items():
        model = (by_classifier.get(rec["classifier"]) or {}).get(rec["comparator"]) or {}
        rates = [g for g in model.get("by_group", []) if g.get("minority_rate") is not None]
        if rates:
            groups.append({"attribute": attribute, "rates": rates})
    return {"rate": rate, "prevalence": prevalence, "threshold": entry.get("decision_threshold"), "groups": groups,
            "twice": bool(prevalence) and rate > 2 * prevalence,
            "precision": entry.get("metrics", {}).get("precision_minority")}


@fact
def operating_point(result: dict[str, Any]) -> dict[str, Any] | None:
    """The recommended configuration's own threshold, the rule that chose it, the per-fold spread in the CV, and
    what the default threshold 0.5 would have given on the test split."""
    rec = result["verdict"]["recommended"]
    entry = _test_entry(result, rec)
    if rec is None or entry.get("decision_threshold") is None or "metrics_at_default_threshold" not in entry:
        return None
    folds = (result["utility"].get("cv_fold_thresholds", {}).get(rec["classifier"]) or {}).get(rec["comparator"]) or []
    default = entry["metrics_at_default_threshold"]
    return {"threshold": entry["decision_threshold"], "rule": result["utility"]["protocol"]["threshold_objective"],
            "fold_range": [min(folds), max(folds)] if folds else None,
            "minority": result["utility"]["classes"]["minority"],
            "changes": [{"metric": m, "default": default[m], "own": entry["metrics"][m]}
                        for m in ("recall_minority", "precision_minority", "accuracy")]}


@fact
def reasons(result: dict[str, Any]) -> dict[str, Any] | None:
    """What the reasons for the verdict rest on: the recommendation's rank and what is ranked above it, the
    matched-operating-point comparison, the trade-offs against the other kind, configurations left out."""
    v = result["verdict"]
    rec = v["recommended"]
    if rec is None:
        return None
    above = v["ranked"][:rec["rank"] - 1]
    return {"n_ranked": len(v["ranked"]),
            "synthetic_above": sum(r["uses_synthetic"] and r["eligible"] for r in above),
            "excluded_above": sum(not r["eligible"] for r in above),
            "matched": next((r for r in v["evidence"] if r["metric"] == "recall_at_matched_precision"), None),
            "gains": [r for r in v["trade_offs"] if r.get("better")] if v.get("comparison") else [],
            "losses": [r for r in v["trade_offs"] if r.get("worse")] if v.get("comparison") else [],
            "degenerate": v["degenerate"]}


@fact
def open_findings(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": name, **d} for name, d in result["verdict"]["dimensions"].items() if d["status"] in ("warn", "fail")]


# ------------------------------------------------------------------------------------- fairness, privacy
@fact
def fairness(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per sensitive attribute: group sizes, the configurations that significantly widen a gap (with the CI), how
    many point changes exceed the tolerance only by the estimate, four-fifths violations, groups too small."""
    data = result["fairness"]
    out = []
    for attribute in data.get("attributes", []):
        sizes = data["groups"][attribute]
        entry: dict[str, Any] = {"attribute": attribute, "sizes": sizes, "comparable": sizes["comparable"]}
        if sizes["comparable"]:
            changes = data["changes"][attribute]
            entry["widened"] = [{"classifier": clf, "comparator": comp,
                                 "gaps": [{"gap": gap, **change[gap]} for gap in change["widened_significantly"]]}
                                for clf, by_comp in changes.items() for comp, change in by_comp.items()
                                if change["widened_significantly"]]
            entry["point_only"] = sum(len(set(c["widened_point_estimate"]) - set(c["widened_significantly"]))
                                      for by_comp in changes.values() for c in by_comp.values())
            models = [m for by_comp in data["models"][attribute].values() for m in by_comp.values()]
            entry["violated"], entry["n_models"] = sum(bool(m["four_fifths_violated"]) for m in models), len(models)
        out.append(entry)
    return out


@fact
def representation_shifts(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"attribute": attribute, "method": method, **r}
            for attribute, by_method in result["fairness"].get("representation", {}).items()
            for method, r in by_method.items() if r["flagged"]]


def attack_reading(attack: dict[str, Any] | None) -> str | None:
    """What the interpolation attack shows, as a key the template words: `exposes` (both signals beat chance and
    real rows are reconstructed), `distinguishes` (beats chance, no rows claimed), `distinguishes_only`
    (tells rows apart, reconstructs no better than chance), `reconstructs_only`, `chance`; None when not run."""
    if not attack or attack.get("distinguish_auc") is None or attack["distinguish_auc"] != attack["distinguish_auc"]:
        return None
    if attack.get("beats_chance"):
        return "exposes" if attack.get("exposed_real_rows") else "distinguishes"
    low = attack.get("distinguish_auc_ci_low")
    if low is not None and low > 0.5:
        return "distinguishes_only"
    p_low, chance = attack.get("reconstruction_precision_ci_low"), attack.get("chance", {}).get("reconstruction_precision")
    if p_low is not None and chance is not None and p_low > chance:
        return "reconstructs_only"
    return "chance"


@fact
def privacy(result: dict[str, Any]) -> dict[str, Any]:
    """Per method: risk, the check that decided it, the attack's reading; k-anonymity; high risk counted for the
    interpolation methods and for the fitted generators."""
    methods = result["privacy"]["methods"]
    rows = [{"method": m, "risk": c["risk_level"]["risk"], "decided_by": c["risk_level"].get("decided_by"),
             "membership": c.get("membership_inference"), "attack": c.get("interpolation_attack"),
             "reading": attack_reading(c.get("interpolation_attack")), "interpolation": m in INTERPOLATION_METHODS}
            for m, c in methods.items()]
    k_rows = {m: c["k_anonymity"] for m, c in methods.items() if (c.get("k_anonymity") or {}).get("available")}
    order = {"low": 0, "medium": 1, "high": 2}
    interpolation = [order[r["risk"]] for r in rows if r["interpolation"]]
    generators = [order[r["risk"]] for r in rows if not r["interpolation"]]
    comparison = None
    if interpolation and generators:
        mean_i, mean_g = sum(interpolation) / len(interpolation), sum(generators) / len(generators)
        comparison = {"interpolation_high": sum(x == 2 for x in interpolation), "interpolation": len(interpolation),
                      "generators_high": sum(x == 2 for x in generators), "generators": len(generators),
                      "order": "more" if mean_i > mean_g else "less" if mean_i < mean_g else "as"}
    k = None
    if k_rows:
        first = next(iter(k_rows.values()))
        shares = [x["share_below_k"] for x in k_rows.values()]
        k = {**first, "n_methods": len(k_rows), "below": [m for m, x in k_rows.items() if x["smallest_class"] < x["k"]],
             "smallest": min(x["smallest_class"] for x in k_rows.values()), "share_range": [min(shares), max(shares)]}
    return {"methods": rows, "k_anonymity": k, "comparison": comparison}


@fact
def mitigation(result: dict[str, Any]) -> dict[str, Any]:
    """The noise mitigation per method: attack ROC-AUC before and after (with CI and whether it beats chance) and
    minority recall before and after."""
    data = result["privacy"].get("mitigation", {})

    def reading(beats: bool | None, bounds: list | None) -> str | None:
        if beats is not False:
            return None
        return "above_chance_no_reconstruction" if bounds and None not in bounds and bounds[0] > 0.5 else "chance"

    rows = [{"method": m, **r, "before_reading": reading(r.get("attack_beats_chance_before"), r.get("attack_auc_ci_before")),
             "after_reading": reading(r.get("attack_beats_chance_after"), r.get("attack_auc_ci_after"))}
            for m, r in data.get("methods", {}).items()]
    return {**data, "rows": rows, "one_row": 1 / max(data.get("n_minority_test", 0), 1)}


# ----------------------------------------------------------------------------------- deployment
@fact
def deployment(result: dict[str, Any]) -> dict[str, Any] | None:
    v = result["verdict"]
    if v["recommended"] is None:
        return None
    entry = _test_entry(result, v["recommended"])
    return {"threshold": entry.get("decision_threshold"), "rule": result["utility"]["protocol"]["threshold_objective"],
            "rate": entry.get("predicted_minority_rate")}
