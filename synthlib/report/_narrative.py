"""Sentences for the report, made from computed results (no hand-typed figure reaches the reader).

Each function takes the `results.json` dict (and sometimes a key into it) and returns Markdown.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

from synthlib.augment import INTERPOLATION_METHODS
from synthlib.config import (CLASSIFIER_NAMES, DEEP_GENERATORS, METHOD_NAMES, METRIC_LABELS, configuration_name,
                             method_name, metric_name, num, p_cell, trained_ratio_text)
from synthlib.decide import configuration_label, verdict_sentence
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




def bound(value: float | None) -> str:
    """A data value with five significant digits (a cap bound of 0.085 must not print as 0.1)."""
    return "n/a" if value is None else f"{value:.5g}"


def signed(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:+.{digits}f}"


def pvalue(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def listing(items: list[str], code: bool = True) -> str:
    """"`a`, `b` and `c`" (plain words with `code=False`); "none" for no items."""
    items = [f"`{i}`" if code else i for i in items]
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def ci(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" [{low:+.3f}, {high:+.3f}]"


def difference_phrase(row: dict[str, Any]) -> str:
    """"minority recall +0.183 [0.087, 0.284], p = 0.002"."""
    text = f"{metric_name(row['metric'])} {signed(row['test_difference'])}{ci(row.get('ci_low'), row.get('ci_high'))}"
    if row.get("p_holm") is not None:
        text += f", {pvalue(row['p_holm'])} (Holm)"
    return text


def problem_definition(result: dict[str, Any]) -> str:
    cfg = result["config"]["resolved"]
    ds, ev = cfg["dataset"], cfg["evaluation"]
    profile = result["data"]["profile"]
    counts = profile["class_balance"]["full"]["counts"]
    minority = result["data"]["minority"]
    share = sum(counts[m] for m in minority) / profile["class_balance"]["full"]["rows"]
    return (f"This audit concerns the **{ds['name']}** data set: {ds['description']}. The target `{ds['target']}` "
            f"records {ds['target_description']}. The minority class ({', '.join(minority)}) covers "
            f"{share:.1%} of {profile['shape'][0]:,} rows: {ds['minority_description'] or 'the rare outcome'}. "
            f"The task is {ds['task']}; the objective is to find out whether synthetic rows of the minority class, "
            f"added to the training split only, improve **{metric_name(ev['objective'])}** of the classifiers, "
            f"at what cost in the other metrics, fairness and privacy.")


def success_criteria(result: dict[str, Any]) -> str:
    ev = result["config"]["resolved"]["evaluation"]
    alpha = ev["alpha"]
    criteria = list(ev["success_criteria"])
    if not any(c["metric"] == ev["objective"] for c in criteria):
        criteria.insert(0, {"metric": ev["objective"], "min_improvement": ev.get("min_improvement", 0.0),
                            "max_p_value": alpha})
    threshold_free = ev["objective"] in ("pr_auc", "roc_auc")
    lines = [f"- The objective, {metric_name(ev['objective'])}, ranks every configuration"
             + ("" if threshold_free else ", each at its own decision threshold chosen for it on held-out CV scores "
                "(plain, class-weighted and augmented alike), so a threshold shift cannot win") + "."]
    lines += [f"- {metric_name(c['metric'])} of the best augmented configuration exceeds that of the strongest "
              f"configuration without synthetic rows by more than {c['min_improvement']:+.2f}: the test-split 95% CI "
              f"of the difference lies wholly above {c['min_improvement']:+.2f} (the test split chose nothing, so it "
              "confirms the pair the CV folds selected), supported by a one-sided corrected t-test on the same CV folds "
              f"(Holm-adjusted p ≤ {c['max_p_value']})." for c in criteria]
    lines.append("- A gain in a metric that a decision threshold alone can move (recall, precision, F1, accuracy) "
                 "must also hold at a matched operating point: minority recall at the CV precision of the "
                 "strongest configuration without synthetic rows.")
    if ev.get("precision_floor"):
        lines.append(f"- No configuration whose mean CV minority precision is below {ev['precision_floor']} is recommended.")
    lines.append(f"- Estimates: CV means over {ev['cv_folds']} stratified folds x {ev['cv_repeats']} repeats inside the "
                 f"training split (Nadeau-Bengio corrected variance); test-split differences with paired-bootstrap "
                 f"95% CIs ({ev['n_bootstrap']} resamples, not adjusted for multiplicity).")
    lines.append(f"- The template's criterion, the same comparison against the same classifier's own baseline, is "
                 f"reported beside it and labelled as such. Significance everywhere means p ≤ {alpha}.")
    secondary = ", ".join(metric_name(m) for m in ev["secondary_metrics"])
    return "\n".join(lines) + f"\n- Secondary metrics reported for every configuration: {secondary}, Brier score and log-loss."


def scope(result: dict[str, Any]) -> str:
    cfg = result["config"]["resolved"]
    features = result["data"]["features"]
    aug = cfg["augmentation"]
    env = result["environment"]
    ratio = aug["sampling_strategy"]
    ratio_text = f"a minority:majority ratio of {ratio}" if not isinstance(ratio, dict) else f"per-class targets {ratio}"
    hardware = f"GPU ({env['gpu']})" if env.get("gpu") else f"CPU only ({env['cpu_count']} cores)"
    return "\n".join([
        f"- **Numeric features:** {listing(features['numeric'] + features['ordinal'])}"
        + (f" (of which {listing(features['ordinal'])} ordinal)" if features["ordinal"] else "")
        + ", standardised (z-scores) with training statistics.",
        f"- **Categorical features:** {listing(features['categorical'])}, one-hot encoded (unknown categories ignored).",
        f"- **Data set size:** {result['data']['profile']['shape'][0]:,} rows; hardware used: {hardware}.",
        f"- **Augmentation:** synthetic rows for the minority class only, in the training split only, up to "
        f"{ratio_text}, capped at {aug['max_amplification']}x the real minority rows "
        f"(diminishing factor {aug['diminishing_factor']} for further minority classes).",
        f"- **Evaluation protocol:** the test split ({cfg['split']['test_size']:.0%}, stratified, seed "
        f"{cfg['split']['seed']}) is never resampled; its SHA-256 before and after the run: "
        f"`{result['data']['test_hash_before'][:16]}` / `{result['data']['test_hash_after'][:16]}` "
        f"({'identical' if result['data']['test_hash_before'] == result['data']['test_hash_after'] else 'DIFFERENT'}).",
        f"- **Methods compared:** {', '.join(method_name(m) for m in aug['methods'])}; deep generators are trained "
        f"with fixed epoch budgets ({', '.join(f'{k} {v}' for k, v in aug['epochs'].items())}); stability concerns "
        "monitored: mode collapse (diversity, coverage), memorisation (exact copies, distance to closest record).",
    ])


def ethics_overview(result: dict[str, Any]) -> str:
    cfg = result["config"]["resolved"]
    sensitive = [s["column"] for s in cfg["features"]["sensitive"]]
    qi = cfg["features"]["quasi_identifiers"]
    regulations = ", ".join(cfg["dataset"]["regulations"]) or "none named"
    fairness = (f"Sensitive attributes: {listing(sensitive)}. Fairness metrics: demographic parity (difference and "
                f"ratio; the four-fifths rule flags a ratio below {cfg['fairness']['disparate_impact_min']}), equalized "
                f"odds (difference and ratio). The recommendation becomes conditional when, against the same "
                f"classifier's plain baseline, a gap widens (or the parity ratio falls) by more than "
                f"{cfg['fairness']['tolerance']} with a 95% CI that excludes the tolerance; a four-fifths violation is "
                "a warning on page 1, with whether the plain baseline meets the rule." if sensitive else
                result["fairness"].get("statement", ""))
    return "\n".join([
        f"- **Regulations in scope:** {regulations}.",
        f"- **Bias and fairness:** {fairness}",
        f"- **Privacy:** quasi-identifiers {listing(qi)} (k-anonymity with k = {cfg['privacy']['k_anonymity']}); "
        "synthetic rows are checked for exact copies, distance to closest record, membership inference and the "
        "interpolation attack before any release.",
    ])


def cleaning_summary(result: dict[str, Any]) -> str:
    cfg = result["config"]["resolved"]
    log = result["data"]["cleaning_log"]
    markers = [e for e in log if e["action"] == "marker to NaN"]
    imputed = [e for e in log if e["action"].startswith("impute") and e["split"] == "train"]
    capped = [e for e in log if e["step"] == "outliers" and e["split"] == "train" and e["column"]]
    dropped = [e for e in log if "drop" in e["action"]]
    out = [f"- **Source:** `{cfg['dataset']['source']}`."]
    marker_list = ", ".join(f"`{m}`" for m in cfg["dataset"]["missing_markers"]) or "none configured"
    if markers:
        details = "; ".join(f"`{e['column']}` {e['count']}" for e in markers)
        out.append(f"- **Missing values:** markers {marker_list} became missing values ({details}).")
    else:
        out.append(f"- **Missing-value markers:** {marker_list}; no value matched them.")
    if imputed:
        details = "; ".join(f"`{e['column']}` {e['count']} by {e['action'].split()[1]} ({e.get('value')})" for e in imputed)
        out.append(f"- **Imputation** with training-split statistics: {details}.")
    elif cfg["cleaning"]["missing"] == "drop":
        out.append("- **Training rows with missing values were dropped** after the split; test rows keep their "
                   "missing values imputed with training statistics, so the test split is never reduced.")
    outliers = cfg["cleaning"]["outliers"]
    if capped:
        in_test = {e["column"]: e["count"] for e in log if e["step"] == "outliers" and e["split"] == "test" and e["column"]}
        details = "; ".join(f"`{e['column']}` {e['count']} values outside [{bound(e.get('lower'))}, {bound(e.get('upper'))}]"
                            + (f" (test split: {in_test[e['column']]})" if e["column"] in in_test else "")
                            for e in capped)
        out.append(f"- **Outliers** ({outliers['method']}, {outliers['action']}, bounds from the training split; counts "
                   f"in the training split, test-split counts in brackets): {details}. The attribute table below shows "
                   "the values after this step.")
    else:
        out.append("- **Outliers:** no outlier rule applied.")
    if dropped:
        out.append("- **Dropped:** " + "; ".join(f"{e['action']} {e['column'] or ''} ({e['count']})" for e in dropped) + ".")
    signal = [e for e in log if e["step"] == "signal"]
    if signal:  # the outlier rule skipped (zero-width bounds) or removing most of a column's signal
        out.append("- **Signal kept by cleaning:** " + "; ".join(
            f"`{e['column']}`: {e['action'].removesuffix(' (warning)')} ({e['count']} values"
            + (f"; {e['note']}" if e.get("note") else "") + ")" for e in signal) + ".")
    return "\n".join(out)


def method_choice(result: dict[str, Any]) -> str:
    features = result["data"]["features"]
    n_cat, n_all = len(features["categorical"]), sum(len(v) for v in features.values())
    train_minority = sum(result["data"]["profile"]["class_balance"]["train"]["counts"][m] for m in result["data"]["minority"])
    verdict = result["verdict"]
    best = verdict.get("best_augmented")
    gpu = result["environment"].get("gpu")
    deep = [m for m in result["config"]["resolved"]["augmentation"]["methods"] if m in DEEP_GENERATORS]
    lines = [f"The training split holds {train_minority} minority rows and {n_cat} of {n_all} features are categorical "
             f"({n_cat / max(n_all, 1):.0%}). "
             + ("Categorical columns make plain SMOTE unsafe: SMOTENC and one-hot decoding keep categories valid. "
                if n_cat else "All features are numeric, which suits interpolation methods. ")
             + _deep_generator_note(deep, train_minority, gpu)]
    if best:
        lines.append(f"Among augmented configurations, **{configuration_name(best['comparator'], best['classifier'])}** "
                     f"has the best mean cross-validated {metric_name(verdict['primary_metric'])} ({num(best['cv_mean'])}); "
                     "the sections below validate its synthetic rows. Whether it should be used at all is decided "
                     "against the strongest configuration without synthetic rows (executive summary).")
    return " ".join(lines)


def _deep_generator_note(deep: list[str], train_minority: int, gpu: str | None) -> str:
    """What the minority's size and the hardware mean for the deep generators that ran (nothing when none ran)."""
    if not deep:
        return ""
    if train_minority < 1000:
        device = f"a GPU ({gpu}) was available for them." if gpu else "no GPU was available, so they ran on CPU."
        return ("With few minority rows, deep generators (CTGAN, TVAE, diffusion) have little to learn from and are "
                "run on fixed epoch budgets; " + device)
    return (f"A GPU ({gpu}) was available for the deep generators." if gpu else
            "No GPU was available, so the deep generators ran on CPU.")


def augmentation_comment(result: dict[str, Any]) -> str:
    """What the augmentation table does not explain: rows missing after deduplication, real rows a cleaning step
    removed, and a trained class ratio above the requested one."""
    requested_ratio = result["config"]["resolved"]["augmentation"]["sampling_strategy"]
    parts = []
    for method, info in result["augmentation"].items():
        after_cap, generated = sum(info["after_cap"].values()), sum(info["generated"].values())
        duplicates = info["duplicates_of_real_removed"] + info["duplicates_within_removed"]
        missing = after_cap - duplicates - generated
        name = method_name(method)
        if missing > 0:
            why = ("its ENN step removed them with the real rows it cleaned" if info["real_rows_removed"] else
                   "ADASYN's per-row counts follow the local density ratio and are rounded down" if method == "adasyn"
                   else "the generator returned fewer rows")
            parts.append(f"{name} kept {generated} of the {after_cap} rows asked for: {duplicates} exact duplicates "
                         f"were removed and {missing} more synthetic rows are missing because {why}.")
        if info["real_rows_removed"]:
            by_class = ", ".join(f"{n} of class {c}" for c, n in info["real_rows_removed_by_class"].items() if n)
            counts = " and ".join(f"{n} of class {c}" for c, n in info["trained_class_counts"].items())
            text = (f"{name}'s ENN step also removed {info['real_rows_removed']} real training rows ({by_class}); its "
                    f"models trained on {counts} (minority:majority {trained_ratio_text(info['trained_ratio'])}")
            if isinstance(requested_ratio, float) and max(info["trained_ratio"].values()) > requested_ratio + 0.005:
                text += f", above the requested {requested_ratio:.2f}:1"
            parts.append(text + ").")
    return " ".join(parts) or ("Every method kept the rows asked for after the cap (the table's \"after cap\" "
                               "column), less the exact duplicates removed, and none removed real training rows.")


VALIDATION_NOTES = (
    "How to read these checks: exact copies of real rows were removed at generation, so the copies counted here are "
    "what remained. The per-feature tests (KS for numeric, chi-squared for categorical features, multiple-testing "
    "adjusted) assume independent samples, but synthetic rows are made from these real rows, so their p-values are "
    "approximate; they miss joint structure, copies pass them, and no feature shown to differ does not mean the rows "
    "are faithful. Coverage is the share of real rows with a synthetic neighbour within the stated radius; density the "
    "mean number of real rows within that radius of a synthetic row. A discriminator ROC-AUC near 0.5 means real and "
    "synthetic rows are hard to tell apart, unless the rows are near-copies of real ones (distance to the closest real "
    "row well below the spacing of real rows).")


def fidelity_notes(result: dict[str, Any]) -> str:
    """The caveats that hold for every method's validation, said once."""
    return VALIDATION_NOTES


def fidelity_summary(result: dict[str, Any], method: str, notes: bool = True) -> str:
    """One method's validation in words; `notes=False` leaves out the caveats (`fidelity_notes` says them once)."""
    v = result["fidelity"][method]
    integ, tests = v.get("integrity"), v.get("distribution_tests")
    parts = [f"{method_name(method)}:"]
    if integ:
        parts.append(f"{integ['n_exact_copies_of_real']} synthetic rows exactly copy a real minority row"
                     + (" (copies were removed at generation; this counts what remained)." if notes else "."))
    if tests:
        differing = [c for c, e in {**tests["ks"], **tests["chi2"]}.items() if e["p_adjusted"] < tests["alpha"]]
        caveat = ("; this only says no single feature's distribution was shown to differ, not that the rows are "
                  "faithful" if notes and not differing else "")
        parts.append(f"{len(differing)} of {len(tests['ks']) + len(tests['chi2'])} features differ significantly "
                     f"({tests['correction']}-adjusted p < {tests['alpha']})"
                     + (f": {listing(differing)}" if differing else caveat)
                     + (" (the tests assume independent samples, but synthetic rows are made from these real rows, "
                        "so the p-values are approximate; they also miss joint structure, and copies pass them)."
                        if notes else "."))
    cov, div, den, disc, mmd, close = (v.get(k) for k in ("coverage", "diversity", "density", "discriminator", "mmd",
                                                          "closeness"))
    if cov and div and den:
        parts.append(f"Coverage {cov['score']:.3f}" + (f": that share of real rows have a synthetic neighbour within "
                                                       f"{cov['threshold']}" if notes else f" (radius {cov['threshold']})")
                     + f"; mean pairwise distance among synthetic rows {div['score']:.3f} (std {div['std']:.3f}); "
                     + (f"on average {den['score']:.2f} real rows lie within {den['threshold']} of a synthetic row."
                        if notes else f"density {den['score']:.2f}."))
    if disc:
        level = ("hard to tell apart" if disc["roc_auc"] < 0.6 else "partly distinguishable" if disc["roc_auc"] < 0.8
                 else "easy to tell apart")
        text = f"A classifier separates real from synthetic with ROC-AUC {disc['roc_auc']:.3f}: {level}"
        if "chance_accuracy" in disc:
            beats = "above" if disc["accuracy"] > disc["chance_accuracy"] else "not above"
            text += (f"; its accuracy {disc['accuracy']:.3f} is {beats} the chance level {disc['chance_accuracy']:.3f} "
                     f"(the larger group's share of {disc['n_real_used']} real and {disc['n_synthetic_used']} "
                     "synthetic rows)")
        parts.append(text + ".")
    if mmd:
        bandwidth = f"bandwidth {num(mmd['bandwidth'])}, median heuristic" if "bandwidth" in mmd else f"gamma {mmd['gamma']}"
        p = f", permutation {pvalue(mmd['p_value'])}" if mmd.get("p_value") is not None else ""
        parts.append(f"MMD (RBF, {bandwidth}) = {num(mmd.get('score'), 4)}{p}.")
    if close:
        parts.append(f"Median distance from a synthetic row to its closest real row {num(close.get('synthetic_median_dcr'))}, "
                     f"against {num(close.get('real_median_nn_distance'))} between neighbouring real rows (ratio "
                     f"{num(close.get('score'), 2)})" + (("; **near-copies**: the rows sit on top of real rows"
                                                  + (", so the low discriminator AUC reflects copying, not fidelity."
                                                     if disc and disc["roc_auc"] < 0.6 else
                                                     ", a privacy concern whatever the discriminator says."))
                                                 if close["near_copy"] else "."))
    collapse = v.get("collapse_warning")
    if collapse and collapse["collapsed"]:
        parts.append(f"**Warning: the generator collapsed**: {collapse['reason']}.")
    if v.get("errors"):
        parts.append("Not computed: " + "; ".join(f"{name} ({reason})" for name, reason in v["errors"].items()) + ".")
    return " ".join(parts)


def fidelity_ranking(result: dict[str, Any]) -> str:
    """Fidelity (discriminator AUC) and closeness (DCR ratio) side by side; a near-copy is never "most faithful"."""
    rows = []
    for m, v in result["fidelity"].items():
        if not v.get("discriminator"):
            continue
        close = v.get("closeness") or {}
        rows.append((m, v["discriminator"]["roc_auc"], close.get("score"), bool(close.get("near_copy")),
                     bool((v.get("collapse_warning") or {}).get("collapsed"))))
    if not rows:
        return "No method produced enough rows to rank fidelity."
    rows.sort(key=lambda r: abs(r[1] - 0.5))

    text = ("The validation table gives each method's fidelity (discriminator ROC-AUC, 0.5 = indistinguishable) beside "
            "its closeness (median distance of a synthetic row to its closest real row, as a multiple of the distance "
            "between neighbouring real rows; about 1 for a fresh sample).")
    faithful = [r for r in rows if not r[3] and not r[4]]
    near = [r for r in rows if r[3]]
    if faithful:
        best, worst = faithful[0], rows[-1]
        text += (f" Among methods that neither copy nor collapse, {method_name(best[0])}'s rows are the hardest for "
                 "the discriminator to tell from real ones (AUC closest to 0.5); the per-feature tests and MMD in the "
                 "validation table may order them differently.")
        if worst[0] != best[0]:
            text += f" {method_name(worst[0])} is the furthest from 0.5 ({worst[1]:.3f})."
    else:
        text += " Every method either copies real rows or collapsed: none can be called faithful."
    if near:
        text += (f" {', '.join(f'{method_name(r[0])} ({r[2]:.2f}x)' for r in near)} "
                 f"{'sits' if len(near) == 1 else 'sit'} closer to real rows than half their spacing: whatever their "
                 "AUC, those rows are near-copies of real rows, and a low AUC among them shows copying, not a faithful "
                 "model of the minority.")
    return text


def _evidence_phrase(row: dict[str, Any]) -> str:
    """"CV +0.012 (one-sided Holm p = 0.41); test +0.020 [−0.050, +0.090] (95% CI, unadjusted)"."""
    return (f"CV difference {signed(row.get('cv_difference'))} (one-sided test against {row['margin']:+.2f}, "
            f"Holm-adjusted {pvalue(row.get('p_holm'))}); test-split difference {signed(row.get('test_difference'))}"
            f"{ci(row.get('ci_low'), row.get('ci_high'))} (95% CI, unadjusted)")


def helps_answer(result: dict[str, Any]) -> str:
    """The answer to "does synthetic augmentation help here?", with the evidence it rests on."""
    v = result["verdict"]
    answer = v["augmentation_helps"]
    if answer == "not evaluated":
        return "**Does augmentation help?** Not evaluated: no augmented configuration was eligible."
    if answer == "no alternative":
        return "**Does augmentation help?** No configuration without synthetic rows was eligible to compare with."
    primary = v["primary_metric"]
    row = next((r for r in v["evidence"] if r["decides"] and r["metric"] == primary), None)
    below_margin = (row is not None and answer != "helps" and row["margin"] > 0
                    and (row.get("cv_difference") or 0) * (1 if higher_is_better(primary) else -1) > 0)
    lead = ("**Does augmentation help? Yes.**" if answer == "helps" else
            f"**Does augmentation help? Not by the required margin ({row['margin']:+.2f}).**" if below_margin else
            "**Does augmentation help? No evidence that it does.**")
    text = (f"{lead} The best augmented configuration, {configuration_label(v['best_augmented'])}, against the strongest "
            f"without synthetic rows, {configuration_label(v['best_alternative'])}, on {metric_name(primary)}: ")
    text += _evidence_phrase(row) + "." if row else "no comparison could be computed."
    failed = [r for r in v["evidence"] if r["decides"] and not r["met"]]
    if answer != "helps" and failed:
        text += " Not met: " + "; ".join(f"{metric_name(r['metric'])} ({r['comparison']})" for r in failed) + "."
    if v.get("augmented_worse_on_test"):
        text += " On the test split the augmented configuration is significantly worse."
    if answer != "helps":
        alternative = v["best_alternative"]["comparator"]
        kind = {"tuned_threshold": "a tuned threshold", "class_weighted": "class weights"}.get(alternative,
                                                                                             "the plain classifier")
        text += (" So the recommendation uses no synthetic data: the strongest configuration without synthetic rows, "
                 f"which here uses {kind}, is not shown to be beaten by the required margin. This matches the usual "
                 "finding (Elor & Averbuch-Elor, \"To SMOTE, or not to SMOTE?\", 2022) that a tuned threshold or class "
                 "weights are competitive with synthetic oversampling.")
    return text


def _kind(entry: dict[str, Any]) -> str:
    return "with synthetic rows" if entry["uses_synthetic"] else "without synthetic rows"


def _tie_phrase(tie: dict[str, Any]) -> str:
    """"logistic regression, class weights (-0.019 [-0.085, +0.048], p = 0.520)"."""
    return (f"{tie['label']} ({signed(tie.get('cv_difference'))}{ci(tie.get('cv_ci_low'), tie.get('cv_ci_high'))}, "
            f"{pvalue(tie.get('p_value'))})")


def _tied_fairness(v: dict[str, Any]) -> str:
    """When the recommendation's fairness gate warns or fails: which tied configurations pass it (or that none does)."""
    gate = v["dimensions"]["fairness"]
    if gate["status"] not in ("warn", "fail"):
        return ""
    violated = list(dict.fromkeys(f["attribute"] for f in gate.get("findings", []) if f["gap"] == "four_fifths_rule"))
    why = f" (four-fifths rule violated for {listing(violated)})" if violated else ""
    passing = [t["label"] for t in v["ties"] if t["fairness_status"] == "pass" and not is_fairness_reference(t)]
    verb = "warns" if gate["status"] == "warn" else "fails"
    if passing:
        return f" Its fairness gate {verb}{why}; the fairness gate passes for the tied {listing(passing, code=False)}."
    plain = (" other than a plain baseline (the gate's reference, against which no change is measured)"
             if any(is_fairness_reference(t) for t in v["ties"]) else "")
    plain_meeting = [t["label"] for t in v["ties"] if is_fairness_reference(t) and violated
                     and not t.get("four_fifths_violated")]
    if plain_meeting:
        return (f" Its fairness gate {verb}{why}; no tied configuration{plain} passes the gate; the tied "
                f"{listing(plain_meeting, code=False)} meets the four-fifths rule for every attribute.")
    fewer = [f"{t['label']} ({listing(t['four_fifths_violated']) if t['four_fifths_violated'] else 'none'})"
             for t in v["ties"] if violated and len(t.get("four_fifths_violated") or []) < len(violated)]
    return (f" Its fairness gate {verb}{why}; no tied configuration{plain} passes the fairness gate"
            + (f", and these violate the four-fifths rule for fewer attributes: {'; '.join(fewer)}." if fewer else "."))


def is_fairness_reference(entry: dict[str, Any]) -> bool:
    """A plain baseline is the fairness gate's reference (the gate judges a configuration's change against its own
    plain baseline), so its "pass" holds by construction and is never offered as evidence."""
    return entry["comparator"] == "baseline"


def _test_operating_point(result: dict[str, Any], entry: dict[str, Any]) -> dict[str, float | None]:
    """An entry's test-split minority precision and minority recall at the matched precision."""
    metrics = (result["utility"]["test"].get(entry["classifier"], {}).get(entry["comparator"]) or {}).get("metrics", {})
    return {m: metrics.get(m) for m in ("precision_minority", "recall_at_matched_precision")}


def _ties_ahead_on_test(result: dict[str, Any], metric: str) -> str:
    """The tied configurations whose test-split difference from the recommendation has a CI wholly above 0: the
    held-out rows favour them, which a reviewer choosing among ties should see beside the CV order, with the
    precision each pays and its recall at the matched precision (a threshold alone can buy recall)."""
    v = result["verdict"]
    ahead = [t for t in v["ties"] if t.get("ci_low") is not None and t["ci_low"] > 0]
    if not ahead:
        return ""
    rec = _test_operating_point(result, v["recommended"])

    def phrase(tie: dict[str, Any]) -> str:
        own = _test_operating_point(result, tie)
        point = "".join(f"; {metric_name(m)} {num(own[m])} against {num(rec[m])}" for m in own
                        if own[m] is not None and rec[m] is not None)
        return f"{tie['label']} ({signed(tie['test_difference'])}{ci(tie['ci_low'], tie['ci_high'])}{point})"

    verb = "is" if len(ahead) == 1 else "are"
    return (f" On the test split (tied minus recommended, paired-bootstrap 95% CI, unadjusted), "
            f"{'; '.join(phrase(t) for t in ahead)} {verb} ahead of it in {metric}: the held-out rows do not confirm "
            "the CV order.")


def provenance(result: dict[str, Any]) -> str:
    """When the numbers of this report were computed, and whether the run that wrote them reused the cache."""
    cache = result.get("cache") or {}
    version = result.get("versions", {}).get("synthlib", "")
    when = f" on {cache['computed_at']}" if cache.get("computed_at") else ""
    how = (f"read from the project's cache; they were computed{when} by synthlib {version}" if cache.get("hit") else
           f"computed{when} by synthlib {version}, not read from a cache")
    return (f"**Provenance.** The numbers in this report were {how} (cache key `{cache.get('key', 'n/a')}`). The key "
            "covers the configuration, the training and test splits, synthlib's source code, the library versions and "
            "the devices used: a cached result is reused only when all of them are unchanged.")


def ties_sentence(result: dict[str, Any], limit: int = 3) -> str:
    """How firm the recommendation is on the primary metric: the configurations of its kind it is tied with (and
    which of them pass the fairness gate when it does not), or its significant lead over the next one."""
    v = result["verdict"]
    rec, ties = v.get("recommended"), v.get("ties") or []
    if rec is None:
        return ""
    metric = metric_name(v["primary_metric"])
    if ties:
        more = f" and {len(ties) - limit} more (table of ties in Model performance)" if len(ties) > limit else ""
        ahead = any((t.get("cv_difference") or 0) > 0 for t in ties)  # parsimony chose a simpler one than the leader
        lead = f"difference in CV {metric} from" if ahead else f"lead in CV {metric} over"
        return (f"Its {lead} {len(ties)} eligible configuration{'s' if len(ties) > 1 else ''} "
                f"{_kind(rec)} is not statistically significant (tied minus recommended on the same CV folds, "
                "corrected 95% CI, two-sided corrected t-test, unadjusted): "
                + "; ".join(_tie_phrase(t) for t in ties[:limit]) + more
                + ". The order among them rests on the point estimate." + _ties_ahead_on_test(result, metric)
                + _tied_fairness(v))
    runner_up = v.get("runner_up")
    if runner_up is None or not significant(runner_up.get("p_value"), v["alpha"]):
        return ""
    return (f"Its lead in CV {metric} over the next eligible configuration {_kind(rec)}, {_tie_phrase(runner_up)}, "
            "is statistically significant (same CV folds, corrected 95% CI, two-sided corrected t-test, unadjusted).")


def parsimony_note(result: dict[str, Any]) -> str:
    """One sentence when ties by parsimony recommended a configuration other than the CV leader; "" otherwise."""
    v = result["verdict"]
    rule = v.get("parsimony") or {}
    if not rule or rule.get("chosen") == rule.get("cv_leader"):
        return ""
    because = rule.get("simpler_because") or "simpler by the rule"
    if because.startswith("the CV leader does not pass"):
        reason = "it passes the fairness and privacy gates, which the CV leader does not"
    else:
        reason = f"it is simpler ({because})"
    return (f"{rule['chosen']} is recommended over the CV leader {rule['cv_leader']}: its mean CV "
            f"{metric_name(v['primary_metric'])} is within one corrected standard error, and {reason}.")


def _removed_rows_note(result: dict[str, Any]) -> str:
    """For a best augmented configuration whose method deleted real training rows (SMOTE-ENN's cleaning): how
    many per class, and the class ratio it trained on, which moves predictions as a lower threshold does."""
    best = result["verdict"].get("best_augmented")
    info = result.get("augmentation", {}).get(best["comparator"]) if best else None
    removed = (info or {}).get("real_rows_removed_by_class") or {}
    if not any(removed.values()):
        return ""
    train = result["data"]["profile"]["class_balance"]["train"]["counts"]
    per_class = ", ".join(f"{n} of {train.get(label, '?')} of class {label}" for label, n in removed.items() if n)
    return (f" {method_name(best['comparator'])} also deleted real training rows ({per_class}) and trained on a "
            f"minority:majority ratio of {trained_ratio_text(info['trained_ratio'])}; its scores are compared at its "
            "own operating threshold, as every configuration's.")


def evidence_lead(result: dict[str, Any]) -> str:
    """One paragraph introducing the evidence table, without repeating the executive summary."""
    v = result["verdict"]
    if not v["evidence"]:
        return "No comparison could be made: an augmented and a non-augmented eligible configuration are both needed."
    return (f"The executive summary's answer rests on these comparisons: {configuration_label(v['best_augmented'])} against "
            f"{configuration_label(v['best_alternative'])}, the strongest configuration without synthetic rows, on each success "
            "criterion and at a matched operating point, then the template's comparison against the same "
            "classifier's plain baseline. A row is met when the test-split CI lies wholly past its margin (the test "
            "split chose nothing, so it confirms the pair the CV folds selected) and the one-sided CV test against the "
            "margin agrees (Holm's adjustment over the rows that decide; the same-classifier rows unadjusted), and, "
            "for a metric a threshold can move, when the matched-precision row of the same comparison is met too; an "
            "unmet row says which rule it failed.")


def _flag_rates_by_group(result: dict[str, Any], configuration: tuple[str, str]) -> list[str]:
    """Per sensitive attribute, the share of each group's test rows the configuration flags as the minority."""
    fairness = result.get("fairness") or {}
    classifier, comparator = configuration
    out = []
    for attribute, by_classifier in (fairness.get("models") or {}).items():
        model = (by_classifier.get(classifier) or {}).get(comparator) or {}
        rates = [f"{g['group']} {g['minority_rate']:.0%}" for g in model.get("by_group", [])
                 if g.get("minority_rate") is not None]
        if rates:
            out.append(f"`{attribute}` " + ", ".join(rates))
    return out


def flagging(result: dict[str, Any]) -> str:
    """Page 1: the share of test rows the recommended model flags as the minority against the prevalence, said
    plainly when it is more than twice the prevalence (most flagged rows are then not minority rows)."""
    rec = result["verdict"]["recommended"]
    if rec is None:
        return ""
    entry = result["utility"]["test"][rec["classifier"]][rec["comparator"]]
    matrix, rate = entry.get("confusion") or {}, entry.get("predicted_minority_rate")
    n = sum(matrix.get(k, 0) for k in ("tp", "fp", "fn", "tn"))
    if rate is None or not n:
        return ""
    prevalence = (matrix.get("tp", 0) + matrix.get("fn", 0)) / n
    threshold = entry.get("decision_threshold")
    at = f" at its decision threshold {threshold:.3f}" if threshold is not None else ""
    text = (f"**Flagged rows:** the recommended model flags {rate:.1%} of the test rows as the minority{at}; the "
            f"minority prevalence there is {prevalence:.1%}.")
    groups = _flag_rates_by_group(result, (rec["classifier"], rec["comparator"]))
    if groups:
        text += " By group: " + "; ".join(groups) + "."
    if prevalence and rate > 2 * prevalence:
        precision = entry["metrics"].get("precision_minority")
        text += (f" That is more than twice the prevalence: most flagged rows are not minority rows (precision "
                 f"{num(precision)}), so every flag needs review before any adverse decision.")
    return text


def _operating_point_note(result: dict[str, Any]) -> str:
    """The recommended configuration's operating threshold, how it was chosen, the share of test rows it flags
    against the prevalence, and what the default threshold would have given (test split, point estimates)."""
    rec = result["verdict"]["recommended"]
    if rec is None:
        return ""
    entry = result["utility"]["test"][rec["classifier"]][rec["comparator"]]
    if entry.get("decision_threshold") is None or "metrics_at_default_threshold" not in entry:
        return ""
    rule = metric_name(result["utility"]["protocol"]["threshold_objective"])
    default = entry["metrics_at_default_threshold"]
    per_fold = (result["utility"].get("cv_fold_thresholds", {}).get(rec["classifier"]) or {}).get(rec["comparator"]) or []
    spread = (f"; in the CV each fold's threshold came from the other folds' held-out scores, between "
              f"{min(per_fold):.3f} and {max(per_fold):.3f}" if per_fold else "")
    minority = ", ".join(result["utility"]["classes"]["minority"])
    default_changes = ", ".join(f"{metric_name(m)} {default[m]:.3f} at 0.5 → {entry['metrics'][m]:.3f} at "
                                f"{entry['decision_threshold']:.3f}" for m in ("recall_minority", "precision_minority",
                                                                               "accuracy"))
    return (f" It flags a row as the minority when its predicted probability of class {minority} is at least "
            f"{entry['decision_threshold']:.3f}, the threshold that maximised {rule} on the pooled held-out scores of "
            f"all CV folds (no test row chose it{spread}). Against the default threshold 0.5 (test split): "
            f"{default_changes}.")


def reasons(result: dict[str, Any]) -> str:
    """Three to five reasons for the verdict, each with its numbers and the estimate they come from."""
    v = result["verdict"]
    out = []
    if v["recommended"] is None:
        return "\n".join(f"- {c}." for c in v["conditions"])
    rec = v["recommended"]
    ci_text = (f" [{rec['test_ci'][0]:.3f}, {rec['test_ci'][1]:.3f}]" if rec.get("test_ci") else "")
    above = v["ranked"][:rec["rank"] - 1]
    why_above = ""
    if above:
        synthetic = sum(r["uses_synthetic"] and r["eligible"] for r in above)
        excluded = sum(not r["eligible"] for r in above)
        parts = ([f"{synthetic} use synthetic rows; the best of them was tested against it and did not beat it by "
                  "the required margin, and the others are closer to it on the CV mean (the forest plot in Model performance shows each "
                  "difference with its CI)"] if synthetic else []) + \
                ([f"{excluded} cannot be recommended (degenerate or below the precision floor)"] if excluded else [])
        why_above = " Of the configurations ranked above it, " + " and ".join(parts) + "." if parts else ""
    out.append(f"{configuration_label(rec)} ranks {rec['rank']} of {len(v['ranked'])} configurations on mean CV "
               f"{metric_name(v['primary_metric'])} ({num(rec['cv_mean'])}, sd {num(rec['cv_std'])}; test split "
               f"{num(rec['test_value'])}{ci_text}, 95% CI).{why_above}{_operating_point_note(result)}")
    ties = ties_sentence(result)
    if ties:
        out.append(ties)
    matched = next((r for r in v["evidence"] if r["metric"] == "recall_at_matched_precision"), None)
    if matched:
        out.append(f"At a matched operating point (minority recall at precision "
                   f"{num(result['utility']['protocol'].get('matched_precision'))}, the CV precision of "
                   f"{configuration_label(v['best_alternative'])}), the best augmented configuration differs by "
                   f"{_evidence_phrase(matched)}: {'a real gain' if matched['met'] else 'no gain shown beyond what a threshold shift gives'}."
                   + _removed_rows_note(result))
    losses = [r for r in v["trade_offs"] if r.get("worse")]
    gains = [r for r in v["trade_offs"] if r.get("better")]
    if v.get("comparison") and (losses or gains):
        def phrase(r):
            return f"{metric_name(r['metric'])} {signed(r['test_difference'])}{ci(r['ci_low'], r['ci_high'])}"
        parts = []
        if gains:
            parts.append("better on " + ", ".join(phrase(r) for r in gains))
        if losses:
            parts.append("worse on " + ", ".join(phrase(r) for r in losses))
        out.append(f"Against {configuration_label(v['comparison'])} on the test split (95% CIs, unadjusted), the recommended "
                   f"configuration is " + "; ".join(parts) + "; every other metric's CI includes 0.")
    for name in ("fairness", "privacy", "calibration"):
        d = v["dimensions"][name]
        if d["status"] in ("warn", "fail"):
            out.append(f"{name.capitalize()}: {d['status']}, {d['evidence']}.")
    if v["degenerate"]:
        out.append(f"{len(v['degenerate'])} configuration(s) could not be recommended: "
                   + "; ".join(f"{d['configuration']} {d['reason']}" for d in v["degenerate"][:3])
                   + (" …" if len(v["degenerate"]) > 3 else "") + ".")
    return "\n".join(f"- {r}" for r in out[:5])


def _fairness_attribute(fairness: dict[str, Any], attribute: str, limit: int = 3) -> str:
    """One sentence: which configurations significantly widen which gap (with the CI), and who was too small."""
    sizes = fairness["groups"][attribute]
    counts = ", ".join(f"{g} {n}" for g, n in sizes["n"].items())
    if not sizes["comparable"]:
        return f"- **{attribute}** (test rows: {counts}): {sizes['note']}."
    widened = [f"{method_name(comp)} + {CLASSIFIER_NAMES.get(clf, clf)} ("
               + ", ".join(f"{gap.replace('_', ' ')} {signed(change[gap]['change'])}"
                           f"{ci(change[gap]['ci_low'], change[gap]['ci_high'])}" for gap in change["widened_significantly"])
               + ")"
               for clf, by_comp in fairness["changes"][attribute].items() for comp, change in by_comp.items()
               if change["widened_significantly"]]
    point_only = sum(len(set(change["widened_point_estimate"]) - set(change["widened_significantly"]))
                     for by_comp in fairness["changes"][attribute].values() for change in by_comp.values())
    models = [f for by_comp in fairness["models"][attribute].values() for f in by_comp.values()]
    violated = sum(bool(f["four_fifths_violated"]) for f in models)
    if widened:
        more = f" and {len(widened) - limit} more (see the fairness matrix)" if len(widened) > limit else ""
        text = f"significantly widened by {'; '.join(widened[:limit])}{more}"
    else:
        text = "no configuration widens a gap significantly"
    if point_only:
        text += f"; {point_only} further point change(s) exceed the tolerance with a CI reaching below it"
    text += f"; the four-fifths rule is violated in {violated} of {len(models)} configurations"
    if sizes["too_small"]:
        small = ", ".join(f"`{g}` (n = {sizes['n'][g]})" for g in sizes["too_small"])
        text += f"; too small to judge: {small}"
    return f"- **{attribute}** (test rows: {counts}): {text}."


def fairness_summary(result: dict[str, Any]) -> str:
    """Short: which outcome is favourable, then one sentence per attribute, then representation shifts."""
    fairness = result["fairness"]
    if not fairness.get("available"):
        return fairness["statement"]
    lines = [f"Favourable outcome: {fairness['favourable_outcome']}; demographic parity and the four-fifths rule use "
             f"its rate, equalized odds the {fairness['equalized_odds_on']}. A gap counts as widened when the 95% CI "
             f"of its change against the same classifier's plain baseline (after augmentation, class weights or a tuned "
             f"threshold) lies beyond the tolerance of {fairness['tolerance']}; groups under "
             f"{fairness['min_group_size']} test rows are too small to judge. CIs come from "
             f"{fairness.get('n_bootstrap', 'the configured number of')} paired bootstrap resamples of the test rows.", ""]
    lines += [_fairness_attribute(fairness, attribute) for attribute in fairness["attributes"]]
    lines += [f"- {note[0].upper()}{note[1:]}." for note in fairness.get("notes", [])]
    flagged = [f"{attr}: {method_name(m)} shifts `{r['largest_shift_group']}` by {100 * r['largest_shift']:.1f} percentage points"
               for attr, by_m in fairness["representation"].items() for m, r in by_m.items() if r["flagged"]]
    lines.append("- Representation in the synthetic minority: " + ("; ".join(flagged) if flagged else "no shift flagged") + ".")
    return "\n".join(lines)


def privacy_summary(result: dict[str, Any]) -> str:
    privacy = result["privacy"]
    lines = []
    interpolation_high, generator_high = [], []
    for method, checks in privacy["methods"].items():
        v = checks["risk_level"]
        decided = v.get("decided_by")
        reason = f", decided by {decided.replace('_', ' ')}" if decided else ""
        line = f"- {method_name(method)}: **{v['risk']} risk**{reason}."
        mia = checks.get("membership_inference")
        if mia and decided == "membership_inference":
            line += (f" Membership-inference ROC-AUC {num(mia['auc'])} [95% CI {num(mia['ci_low'])}, "
                     f"{num(mia['ci_high'])}], graded on the CI's upper bound.")
        line += _attack_sentence(checks.get("interpolation_attack"))
        lines.append(line)
        order = {"low": 0, "medium": 1, "high": 2}
        (interpolation_high if method in INTERPOLATION_METHODS else generator_high).append(order[v["risk"]])
    k_rows = {m: c["k_anonymity"] for m, c in privacy["methods"].items() if (c.get("k_anonymity") or {}).get("available")}
    if k_rows:
        first = next(iter(k_rows.values()))
        below = [m for m, k in k_rows.items() if k["smallest_class"] < k["k"]]
        shares = [k["share_below_k"] for k in k_rows.values()]
        lines.append(f"- k-anonymity on the quasi-identifiers ({', '.join(first['quasi_identifiers'])}; numeric ones in "
                     f"{first['numeric_bins']} bins), target k = {first['k']}: "
                     + (f"not reached by {len(below)} of {len(k_rows)} methods (smallest class "
                        f"{min(k['smallest_class'] for k in k_rows.values())}; {min(shares):.1%} to {max(shares):.1%} of "
                        "the synthetic rows lie in classes below k). It is reported, not graded: the risk column rests "
                        "on the attacks and distances." if below else "reached by every method."))
    if interpolation_high and generator_high:
        def high(levels: list[int]) -> str:
            return f"{sum(level == 2 for level in levels)} of {len(levels)}"

        mean_interpolation = sum(interpolation_high) / len(interpolation_high)
        mean_generator = sum(generator_high) / len(generator_high)
        comparison = ("more often high" if mean_interpolation > mean_generator else
                      "less often high" if mean_interpolation < mean_generator else "as often high")
        lines.append(f"- High risk: {high(interpolation_high)} interpolation (SMOTE-family) methods and "
                     f"{high(generator_high)} fitted generators; here the interpolation methods are {comparison} "
                     "risk than the generators (their rows lie on segments between real records).")
    return "\n".join(lines)


def _attack_sentence(attack: dict[str, Any] | None) -> str:
    """What the interpolation attack shows: exposure only when it beats its chance level (see privacy.interpolation_attack)."""
    if not attack or not math.isfinite(attack.get("distinguish_auc", float("nan"))):
        return ""
    auc = (f"distinguish ROC-AUC {num(attack['distinguish_auc'])} [95% CI {num(attack.get('distinguish_auc_ci_low'))}, "
           f"{num(attack.get('distinguish_auc_ci_high'))}]")
    chance = attack.get("chance", {})
    precision = (f"reconstruction precision {num(attack['reconstruction_precision'])} against "
                 f"{num(chance.get('reconstruction_precision'))} by chance")
    if not attack.get("beats_chance"):
        low = attack.get("distinguish_auc_ci_low")
        if low is not None and low > 0.5:
            return (f" The interpolation attack tells synthetic from real rows better than chance ({auc} against 0.5), "
                    f"but its reconstructions are no more precise than chance ({precision}), so no exposure of real "
                    "rows is claimed.")
        p_low, p_high = attack.get("reconstruction_precision_ci_low"), attack.get("reconstruction_precision_ci_high")
        if p_low is not None and chance.get("reconstruction_precision") is not None \
                and p_low > chance["reconstruction_precision"]:
            return (f" The interpolation attack does not tell synthetic from real rows better than chance ({auc} "
                    f"against 0.5), although its reconstructions are more precise than chance ({precision}; 95% CI "
                    f"[{num(p_low)}, {num(p_high)}]); the rule counts exposure only when both beat chance, so none is "
                    "claimed, but the reconstruction signal is real.")
        return (f" The interpolation attack does no better than chance on its augmented training set "
                f"({auc} against 0.5; {precision}), so no exposure of real rows is claimed.")
    if attack.get("exposed_real_rows"):
        return (f" Releasing its augmented training set would expose about {attack['exposed_real_rows']} real "
                f"minority rows to the interpolation attack ({precision}; {auc}).")
    return f" The interpolation attack tells synthetic from real rows better than chance ({auc}) but claims no real rows."


def mitigation_summary(result: dict[str, Any]) -> str:
    mitigation = result["privacy"].get("mitigation", {})
    rows = mitigation.get("methods", {})
    if not rows:
        return mitigation.get("alternative", "")

    def at_chance(beats: bool | None, bounds: list | None = None, precision: float | None = None,
                  chance: float | None = None) -> str:
        if beats is not False:
            return ""
        if bounds and None not in bounds and bounds[0] > 0.5:  # tells rows apart, but reconstructs no better than chance
            detail = (f": reconstruction precision {num(precision)} against {num(chance)} by chance"
                      if precision is not None and chance is not None else "")
            return f" (above chance, but its reconstructions are not shown to beat chance{detail}, CI reaching it)"
        return " (no better than chance)"

    def interval(bounds: list | None) -> str:
        return f" [{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds and None not in bounds else ""

    parts = [f"{method_name(m)}: attack ROC-AUC {num(r['attack_auc_before'])}{interval(r.get('attack_auc_ci_before'))}"
             f"{at_chance(r.get('attack_beats_chance_before'), r.get('attack_auc_ci_before'))} → "
             f"{num(r['attack_auc_after'])}{interval(r.get('attack_auc_ci_after'))}"
             f"{at_chance(r.get('attack_beats_chance_after'), r.get('attack_auc_ci_after'), r.get('reconstruction_precision_after'), r.get('reconstruction_precision_chance_after'))}, "
             f"minority recall {num(r['recall_minority_before'])} → {num(r['recall_minority_after'])}"
             for m, r in rows.items()]
    return (f"Adding Gaussian noise of {mitigation['noise_scale']} standard deviations to the interpolated rows "
            f"({CLASSIFIER_NAMES.get(mitigation['classifier'], mitigation['classifier'])} retrained; attack AUCs with "
            f"their 95% bootstrap CIs, chance 0.5; recall as test-split point estimates, where one minority test row "
            f"is {1 / max(mitigation.get('n_minority_test', 0), 1):.3f}): " + "; ".join(parts)
            + f". {mitigation['alternative']}")


def scale_decisions(result: dict[str, Any]) -> str:
    """What the audit changed because of the table's size (empty when nothing was changed)."""
    decisions = result.get("scale_decisions") or []
    if not decisions:
        return ""
    return "\n".join(["- **Size-aware decisions** (set the keys explicitly to override):"]
                     + [f"    - {d['step']}: {d['decision']} ({d['reason']})" for d in decisions])


def profile_note(result: dict[str, Any]) -> str:
    """Says when the report comes from the fast preview profile (fewer methods, classifiers and folds)."""
    if result["config"].get("profile") != "fast":
        return ""
    cfg = result["config"]["resolved"]
    return (f"*Fast profile:* a preview with {len(cfg['augmentation']['methods'])} methods, "
            f"{len(cfg['models']['classifiers'])} classifiers and {cfg['evaluation']['cv_folds']}-fold CV x "
            f"{cfg['evaluation']['cv_repeats']}; run the full profile before signing.")


def deployment_summary(result: dict[str, Any]) -> str:
    v = result["verdict"]
    if v["recommended"] is None:
        return "No model is deployed: the audit recommends no configuration. The bundle holds the data and the cards only."
    text = (f"The bundle's `TrainedModels/deployed.pkl` is {configuration_label(v['recommended'])}, the verdict's recommendation "
            f"({v['status']}); it includes the fitted cleaning (missing markers, imputation values, outlier caps from "
            "the training split), so `predict` on raw rows gives the audit's predictions.")
    recommended = result["utility"]["test"][v["recommended"]["classifier"]][v["recommended"]["comparator"]]
    if recommended.get("decision_threshold") is not None:
        rule = result["utility"]["protocol"]["threshold_objective"]
        text += (f" It predicts the minority class when its score is at least {recommended['decision_threshold']:.3f}, "
                 f"the threshold that maximised {metric_name(rule)} on the held-out scores of the cross-validation.")
    if v.get("comparison"):
        text += f" `comparison.pkl` is {configuration_label(v['comparison'])}, for an A/B comparison in monitoring."
    release = v["release"]
    text += (" The augmented training set is exported." if release["augmented_data"] else
             f" No augmented training set is exported: {release['reason']}.")
    rate = recommended.get("predicted_minority_rate")
    return text + (" `synthlib monitor` loads the deployed model; its reference flag rate is that model's predicted "
                   f"minority rate on the test split{f' ({rate:.3f})' if rate is not None else ''}. It alerts on:")


def conclusion(result: dict[str, Any]) -> str:
    """The same verdict as the executive summary: the open findings, then the criteria one by one (those the
    verdict rests on first, the template's weaker same-classifier comparison after, labelled as such)."""
    v = result["verdict"]
    lines = [verdict_sentence(result), "", helps_answer(result), ""]
    ties = ties_sentence(result)
    if ties:
        lines += [f"- **Ties with the recommendation:** {ties}", ""]
    open_findings = [(name, d) for name, d in v["dimensions"].items() if d["status"] in ("warn", "fail")]
    if open_findings:
        lines += ["Open findings the reviewer should weigh (from the decision table):", ""]
        lines += [f"- **{name}** ({d['status']}): {d.get('evidence_all') or d['evidence']}." for name, d in open_findings]
        lines.append("")

    def bullet(r: dict[str, Any]) -> str:
        state = "**met**" if r["met"] else f"**not met** ({r.get('not_met_because', 'not met')})"
        return (f"- {metric_name(r['metric'])}, {r['candidate']} {r['comparison']} ({r['reference']}), by more than "
                f"{r['margin']:+.2f}: {state}; {_evidence_phrase(r)}.")

    deciding = [r for r in v["evidence"] if r["decides"]]
    template = [r for r in v["evidence"] if not r["decides"]]
    if deciding:
        lines += ["The criteria the verdict rests on:", ""] + [bullet(r) for r in deciding] + [""]
    if template:
        lines += ["The template's criterion, against the same classifier's plain baseline (a weaker comparison, "
                  "reported for completeness; it does not decide the verdict):", ""] + [bullet(r) for r in template]
    if not v["evidence"]:
        lines.append("- No criterion could be evaluated (an augmented and a non-augmented eligible configuration are both needed).")
    return "\n".join(lines)


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
