"""What `report/audit.qmd` calls: load the audit, turn results into Markdown tables and figures.

The document defines no functions and fits nothing heavy; every number shown comes from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from synthlib.config import configuration_name, method_name, metric_name, num, p_cell, trained_ratio_text  # noqa: E402

from ._narrative import is_fairness_reference, sensitive_inputs  # noqa: E402
from ._prose import bound, ci  # noqa: E402
from ._prose import p as pvalue  # noqa: E402
from ._prose import signed
from ._tables import md_table


class Picture:
    """A rendered figure: shows as PNG in a notebook (and so in both render engines), whatever the backend."""

    def __init__(self, figure, dpi: int = 110):
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(figure)
        self.png = buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png


def picture(method):
    """Decorator: a ReportContext plot method returns a `Picture` instead of a live matplotlib figure."""
    import functools

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        return Picture(method(*args, **kwargs))

    return wrapper


PLOT_MAX_ROWS = 20_000  # figures that fit a model per point (PCA, k-means, permutation importance) use a sample above this


def plot_sample(y: np.ndarray, seed: int, what: str, limit: int = PLOT_MAX_ROWS) -> tuple[np.ndarray, str]:
    """Row positions for a figure: all rows up to `limit`, else a stratified seeded sample of `limit` rows, with the
    note the figure prints ("a stratified sample of 20,000 of 269,420 training rows"; "" when nothing is left out)."""
    rows = np.arange(len(y))
    if len(y) <= limit:
        return rows, ""
    from sklearn.model_selection import train_test_split

    sample = np.sort(train_test_split(rows, train_size=limit, stratify=y, random_state=seed)[0])
    return sample, f"a stratified sample of {limit:,} of {len(y):,} {what} (seed {seed})"


def spaced_ci(low: float | None, high: float | None) -> str:
    """" [+0.010, +0.050]" after a point estimate in a table cell; "" when unknown."""
    interval = ci(low, high)
    return f" {interval}" if interval else ""


STATUS_MARKS = {"pass": "✓ pass", "warn": "! warn", "fail": "✗ fail", "n/a": "n/a"}


@dataclass
class ReportContext:
    """Everything the report shows for one data set."""

    name: str
    audit: Any
    out_dir: Path
    root: Path = Path(".")  # the project, whose report/sections/ overrides the packaged section templates

    @classmethod
    def load(cls, dataset: str, fast: bool = False, out_dir: str | Path | None = None, root: str | Path = ".") -> ReportContext:
        from synthlib.runner import run

        audit, out_dir = run(dataset, fast=fast, project_root=Path(root), out_dir=Path(out_dir) if out_dir else None,
                             keep_cache_record=True)
        return cls(name=Path(dataset).stem, audit=audit, out_dir=out_dir, root=Path(root))

    @property
    def result(self) -> dict[str, Any]:
        return self.audit.result

    @property
    def prepared(self):
        return self.audit.prepared

    # ---------------------------------------------------------------- tables
    def attribute_table(self, caption: str | None = None) -> str:
        p = self.prepared
        rows = []
        for column in p.features + [p.target]:
            role = ("target" if column == p.target else "numeric" if column in p.numeric else
                    "ordinal" if column in p.ordinal else "categorical")
            values = p.train[column]
            counts = values.astype(str).value_counts()
            summary = (f"{bound(values.min())} to {bound(values.max())}"
                       if role in ("numeric", "ordinal") else
                       ", ".join(map(str, counts.index[:5]))
                       + (f" (the 5 most frequent of {len(counts)})" if len(counts) > 5 else ""))
            sensitive = column in [s.column for s in p.config.features.sensitive]
            rows.append({"attribute": column, "role": role, "dtype": str(values.dtype), "values (training split, cleaned)": summary,
                         "sensitive": "yes" if sensitive else ""})
        return md_table(rows, caption=caption or "Attributes: role, type and values in the training split.")

    def summary_table(self, caption: str | None = None) -> str:
        summary = self.result["data"]["profile"]["summary"]
        return md_table(pd.DataFrame(summary).T.reset_index().rename(columns={"index": "feature"}), 2,
                        caption=caption or "Summary statistics per feature (the full data set as loaded, before the split and cleaning).")

    def balance_table(self, caption: str | None = None) -> str:
        rows = [{"split": split, "rows": info["rows"], **{f"class {k}": v for k, v in info["counts"].items()},
                 "minority:majority": info["minority_to_majority"]}
                for split, info in self.result["data"]["profile"]["class_balance"].items()]
        return md_table(rows, caption=caption or "Rows and classes per split.")

    def augmentation_table(self, caption: str | None = None) -> str:
        rows = [{"method": method_name(m), "requested": sum(i["requested"].values()), "after cap": sum(i["after_cap"].values()),
                 "generated": sum(i["generated"].values()), "duplicates removed": i["duplicates_of_real_removed"] + i["duplicates_within_removed"],
                 "real rows removed": i["real_rows_removed"],
                 "trained minority:majority": trained_ratio_text(i["trained_ratio"]), "seconds": i["seconds"]}
                for m, i in self.result["augmentation"].items()]
        return md_table(rows, 2,
                        caption=caption or "Synthetic rows per generation method: requested, kept after the cap and deduplication, "
                                           "real training rows removed (SMOTE-ENN's cleaning), the class ratio of the final "
                                           "training set, and time taken.")

    def fidelity_table(self, caption: str | None = None) -> str:
        """One row per method; a metric that could not be computed shows "n/a", with its reason in an error row."""
        def value(entry: dict[str, Any] | None, key: str) -> Any:
            found = (entry or {}).get(key)
            return "n/a" if found is None else found

        def accuracy(discriminator: dict[str, Any] | None) -> str:
            if not discriminator or discriminator.get("chance_accuracy") is None:
                return "n/a"
            return f"{discriminator['accuracy']:.3f} ({discriminator['chance_accuracy']:.3f})"

        rows, errors = [], []
        for method, v in self.result["fidelity"].items():
            collapse, close = v.get("collapse_warning") or {}, v.get("closeness") or {}
            flags = (["collapsed"] if collapse.get("collapsed") else []) + (["near-copies"] if close.get("near_copy") else [])
            rows.append({"method": method_name(method),
                         "copies of real": value(v.get("integrity"), "n_exact_copies_of_real"),
                         "features differing": value(v.get("distribution_tests"), "n_features_differing"),
                         "coverage": value(v.get("coverage"), "score"), "diversity": value(v.get("diversity"), "score"),
                         "density": value(v.get("density"), "score"),
                         "k-NN precision": value(v.get("prdc"), "precision"), "k-NN recall": value(v.get("prdc"), "recall"),
                         "discriminator AUC": value(v.get("discriminator"), "roc_auc"),
                         "discriminator accuracy (chance)": accuracy(v.get("discriminator")),
                         "DCR / real spacing": value(close, "score"),
                         "MMD": value(v.get("mmd"), "score"), "MMD p": value(v.get("mmd"), "p_value"),
                         "SDMetrics quality": value(v.get("sdmetrics_quality"), "score"),
                         "augmented ratio": value(v.get("class_balance"), "augmented_train"),
                         "warnings": ", ".join(flags)})
            errors += [{"method": method_name(method), "metric": name, "value": "n/a", "reason": reason}
                       for name, reason in (v.get("errors") or {}).items()]
        table = md_table(rows, caption=caption or "Fidelity of the synthetic minority rows, one row per method.")
        if errors:
            table += "\n" + md_table(errors, caption="Validation metrics that could not be computed, with the reason.")
        return table

    def moments_table(self, method: str, caption: str | None = None) -> str:
        features = self.result["fidelity"][method]["integrity"]["features"]
        return md_table([{"feature": f, "real mean": e["real_mean"], "synthetic mean": e["synthetic_mean"],
                          "real std": e["real_std"], "synthetic std": e["synthetic_std"],
                          "outside real range": e["share_outside_real_range"]} for f, e in features.items()], 2,
                          caption=caption or f"Moments and range of each feature, real vs synthetic minority rows ({method_name(method)}).")

    def tests_table(self, method: str, caption: str | None = None) -> str:
        tests = self.result["fidelity"][method]["distribution_tests"]
        rows = [{"feature": f, "test": "KS", "statistic": e["statistic"], "p-value": e["p_value"],
                 "adjusted p": e["p_adjusted"], "interpretation": e["interpretation"]} for f, e in tests["ks"].items()]
        rows += [{"feature": f, "test": "chi-squared", "statistic": e["statistic"], "p-value": e["p_value"],
                  "adjusted p": e["p_adjusted"], "interpretation": e["interpretation"]} for f, e in tests["chi2"].items()]
        return md_table(rows, 4,
                        caption=caption or f"Distribution tests per feature, real vs synthetic minority rows ({method_name(method)}); adjusted p-values are Benjamini-Hochberg.")

    # ------------------------------------------------------------- the verdict
    @property
    def verdict(self) -> dict[str, Any]:
        return self.result["verdict"]

    def best(self) -> tuple[str, str]:
        """The favoured augmented configuration (whose synthetic rows the validation sections show), else the
        recommended one; both come from the verdict."""
        entry = self.verdict.get("best_augmented") or self.verdict.get("recommended") or self.verdict["ranked"][0]
        return entry["classifier"], entry["comparator"]

    def recommended(self) -> tuple[str, str] | None:
        entry = self.verdict.get("recommended")
        return (entry["classifier"], entry["comparator"]) if entry else None

    def seed_variance_table(self, caption: str | None = None) -> str:
        """Seed-to-seed spread of each method (augmentation.repeats > 1); empty with a single seed."""
        repeats = self.result.get("augmentation_repeats") or {}
        if not repeats:
            return ""
        rows = []
        for method, r in repeats.items():
            row = {"method": method_name(method), "seeds": len(r["seeds"])}
            for key, label in (("discriminator_auc", "discriminator AUC"), ("knn_recall", "k-NN recall"),
                               ("test_primary", f"test {metric_name(r['metric'])}")):
                row[f"{label} mean ± sd"] = f"{num(r['mean'].get(key))} ± {num(r['sd'].get(key))}"
            rows.append(row)
        return md_table(rows, caption=caption or "Seed-to-seed variation: each method refitted with every seed "
                                                 "(augmentation.repeats), the favoured classifier retrained on each.")

    def decision_table(self, caption: str | None = None) -> str:
        v = self.verdict
        helps = {"helps": "✓ helps", "no evidence": "✗ not shown", "not evaluated": "n/a",
                 "no alternative": "n/a"}[v["augmentation_helps"]]
        primary_row = next((r for r in v["evidence"] if r["decides"] and r["metric"] == v["primary_metric"]), None)
        unmet = [f"{metric_name(r['metric'])}: {r['not_met_because']}" for r in v["evidence"]
                 if r["decides"] and not r["met"] and r.get("not_met_because")]
        evidence = (f"{metric_name(v['primary_metric'])}: CV {signed(primary_row['cv_difference'])}, "
                    f"Holm {pvalue(primary_row['p_holm'])}; test {signed(primary_row['test_difference'])}"
                    f"{spaced_ci(primary_row['ci_low'], primary_row['ci_high'])}") if primary_row else "no comparison"
        if unmet and v["augmentation_helps"] != "helps":
            evidence += "; not met: " + "; ".join(unmet)
        rows = [{"dimension": "does augmentation help?", "status": helps, "key evidence": evidence}]
        for name, d in v["dimensions"].items():
            rows.append({"dimension": name, "status": STATUS_MARKS[d["status"]], "key evidence": d["evidence"]})
        return md_table(rows, caption=caption or "Decision table: the status of the recommended configuration per dimension.")

    def evidence_table(self, caption: str | None = None) -> str:
        rows = [{"comparison": f"{r['candidate']} {r['comparison']} ({r['reference']})",
                 "metric": metric_name(r["metric"]), "margin": r["margin"], "CV difference": r["cv_difference"],
                 "p (one-sided; Holm where it decides)": p_cell(r["p_holm"] if r["decides"] else r["p_value"]),
                 "test difference": r["test_difference"],
                 "95% CI (test, unadjusted)": spaced_ci(r.get("ci_low"), r.get("ci_high")).strip() or "n/a",
                 "met": "✓" if r["met"] else f"✗ {r.get('not_met_because', '')}".strip()}
                for r in self.verdict["evidence"]]
        return md_table(rows, caption=caption or "The comparisons the verdict rests on: the test split (the 95% CI must "
                                                 "lie wholly past the margin) and the CV folds (one-sided corrected "
                                                 "t-test against the margin; Holm over the rows that decide, the "
                                                 "template's same-classifier rows unadjusted).")

    def ties_table(self, caption: str | None = None) -> str:
        """The configurations tied with the recommendation on the primary metric, with their gates."""
        v = self.verdict
        ties = v.get("ties") or []
        if not ties:
            return "_No eligible configuration of the recommendation's kind is tied with it._"
        rows = []
        for t in ties:
            reference = is_fairness_reference(t)  # only its four-fifths rule means something
            fairness = "reference" if reference else STATUS_MARKS[t["fairness_status"]]
            if t["four_fifths_violated"]:
                fairness += f" (four-fifths: {', '.join(t['four_fifths_violated'])})"
            elif reference:
                fairness += " (four-fifths met)"
            row = {"configuration": t["label"],
                   "CV difference [95% CI]": f"{signed(t['cv_difference'])}"
                                             f"{spaced_ci(t['cv_ci_low'], t['cv_ci_high'])}",
                   "p (two-sided)": p_cell(t["p_value"]),
                   "test difference [95% CI]": f"{signed(t['test_difference'])}"
                                               f"{spaced_ci(t.get('ci_low'), t.get('ci_high'))}",
                   "fairness gate": fairness}
            if v["recommended"]["uses_synthetic"]:
                row["privacy gate"] = STATUS_MARKS[t["privacy_status"]]
            rows.append(row)
        return md_table(rows, caption=caption or (
            f"Configurations tied with {v['recommended']['label']} on "
            f"{metric_name(v['primary_metric'])}: tied minus recommended, CV (corrected 95% CI) and test "
            "split (paired bootstrap, unadjusted). " + v["tie_rule"]
            + (" A plain baseline is the fairness gate's reference (the gate compares a configuration with its own "
               "plain baseline), so only its four-fifths rule is shown." if any(map(is_fairness_reference, ties))
               else "")))

    def trade_off_table(self, caption: str | None = None) -> str:
        v = self.verdict
        if not v.get("comparison") or not v["trade_offs"]:
            return "_No configuration of the other kind to compare with._"
        rows = [{"metric": metric_name(r["metric"]) + (" (lower is better)" if r["lower_is_better"] else ""),
                 "CV difference": r["cv_difference"], "test difference": r["test_difference"],
                 "95% CI (test, unadjusted)": spaced_ci(r.get("ci_low"), r.get("ci_high")).strip() or "n/a",
                 "reading": "better" if r["better"] else "worse" if r["worse"] else "CI includes 0"}
                for r in v["trade_offs"]]
        return md_table(rows, caption=caption or f"Gains and losses: {v['recommended']['label']} minus "
                                                 f"{v['comparison']['label']}, every metric.")

    def performance_table(self, caption: str | None = None) -> str:
        """Test-split metrics of the recommended configuration, the best of each kind and each plain baseline."""
        v = self.verdict
        chosen = [(e["classifier"], e["comparator"]) for e in (v.get("recommended"), v.get("comparison"),
                                                             v.get("best_alternative"), v.get("best_augmented")) if e]
        chosen += [(c, "baseline") for c in self.result["utility"]["test"]]
        rows = []
        for classifier, comparator in dict.fromkeys(chosen):
            entry = self.result["utility"]["test"][classifier][comparator]
            m, c = entry["metrics"], entry["confusion"]
            rows.append({"configuration": configuration_name(comparator, classifier), "ROC-AUC": m["roc_auc"],
                         "PR-AUC": m["pr_auc"], "Brier": m["brier"], "precision (min.)": m["precision_minority"],
                         "recall (min.)": m["recall_minority"], "F1 (min.)": m["f1_minority"],
                         "accuracy": m["accuracy"], "TP": c["tp"], "FP": c["fp"], "FN": c["fn"], "TN": c["tn"]})
        return md_table(rows, caption=caption or "Test-split metrics: threshold-free (ROC-AUC, PR-AUC), calibration "
                                                 "(Brier) and thresholded ones, with the confusion counts.")

    def significance_table(self, caption: str | None = None) -> str:
        primary = self.result["utility"]["protocol"]["primary_metric"]
        shown = [r for r in self.result["utility"]["comparisons"] if r["metric"] == primary]
        matched = any("matched_precision_p" in r for r in shown)  # the column only where a row was checked
        rows = []
        for r in shown:
            mc = r.get("mcnemar") or {}
            favours = {"a": "baseline", "b": "comparator"}.get(mc.get("favours"), "neither")
            rows.append({"configuration": configuration_name(r["comparator"], r["classifier"]),
                         "CV difference": r["cv_difference"], "p (Holm)": p_cell(r["p_holm"]),
                         "test difference": r["test_difference"],
                         "95% CI": spaced_ci(r.get("ci_low"), r.get("ci_high")).strip() or "n/a",
                         "McNemar b / c": f"{mc.get('b', mc.get('only_baseline_right', 'n/a'))} / "
                                          f"{mc.get('c', mc.get('only_comparator_right', 'n/a'))}",
                         "McNemar p (favours)": f"{num(mc.get('p_value'))} ({favours})",
                         **({"matched precision: CV diff. (p)": (
                             f"{signed(r['matched_precision_difference'])} "
                             f"({num(r['matched_precision_p'])})" if "matched_precision_p" in r else "-")}
                            if matched else {}),
                         "outcome": r["outcome"]})
        return md_table(rows, caption=caption or "Every configuration against the same classifier's plain baseline on "
                                                 "the primary metric (two-sided, Holm over this table). McNemar compares "
                                                 "which rows each model classifies correctly (overall correctness, not the "
                                                 "primary metric): b = only the baseline right, c = only the comparator "
                                                 "right. A gain in a metric that a threshold can raise is called improved "
                                                 "only if minority recall at the matched precision also rises (one-sided "
                                                 "corrected t-test and a positive test difference, in their own column "
                                                 "where such a gain occurred); otherwise it is a threshold shift.")

    def ranked_table(self, top: int = 12, caption: str | None = None) -> str:
        rows = [{"rank": r["rank"], "configuration": configuration_name(r["comparator"], r["classifier"]),
                 "synthetic": "yes" if r["uses_synthetic"] else "no", "CV mean": r["cv_mean"], "CV sd": r["cv_std"],
                 "test": r["test_value"],
                 "test 95% CI": f"[{r['test_ci'][0]:.3f}, {r['test_ci'][1]:.3f}]" if r.get("test_ci") else "n/a",
                 "eligible": "✓" if r["eligible"] else f"✗ {r['excluded_because']}"}
                for r in self.verdict["ranked"][:top]]
        shown = f"top {top} of {len(self.verdict['ranked'])}" if len(self.verdict["ranked"]) > top else "all"
        return md_table(rows, caption=caption or f"Configurations ranked by mean CV "
                                                 f"{metric_name(self.verdict['primary_metric'])} ({shown}).")

    def fairness_table(self, attribute: str | None = None, caption: str | None = None) -> str:
        """One compact matrix per attribute: configuration x gap (value, change with CI; ⚑ = significant widening)."""
        fairness = self.result["fairness"]
        if not fairness.get("available"):
            return ""
        v = self.verdict
        compared = {(e["classifier"], e["comparator"]) for e in (v.get("recommended"), v.get("comparison"),
                                                                 v.get("best_alternative"), v.get("best_augmented")) if e}
        compared |= {(c, "baseline") for c, _ in compared}
        out = []
        for attr in [attribute] if attribute else fairness["attributes"]:
            rows = []
            shown = [r for r in fairness["matrix"][attr] if (r["classifier"], r["comparator"]) in compared
                     or any(isinstance(r.get(g), dict) and r[g]["flagged"] for g in r)]
            for r in shown:
                row = {"configuration": configuration_name(r["comparator"], r["classifier"])}
                for key, short in (("demographic_parity_difference", "DP diff."), ("demographic_parity_ratio", "DP ratio"),
                                   ("equalized_odds_difference", "EO diff.")):
                    cell = r[key]
                    text = num(cell["value"])
                    if cell["change"] is not None:
                        text += f" ({signed(cell['change'])}{spaced_ci(cell['ci_low'], cell['ci_high'])})"
                    row[short] = text + (" ⚑" if cell["flagged"] else "")
                row["four-fifths"] = "✗ violated" if r["four_fifths_violated"] else "✓"
                rows.append(row)
            sizes = fairness["groups"][attr]["n"]
            size_text = ", ".join(f"{g}: {n}" for g, n in sizes.items())
            out.append(md_table(rows, caption=caption or f"Fairness for `{attr}` (test rows per group: {size_text}). "
                                                         "Value, and in brackets the change against the same "
                                                         "classifier's baseline with its 95% CI; ⚑ marks a widening "
                                                         "beyond the tolerance whose CI excludes it. Shown: the "
                                                         "configurations the verdict compares, their plain baselines "
                                                         "and every flagged one (all are in results.json)."))
        return "\n".join(out)

    def group_table(self, attribute: str, caption: str | None = None) -> str:
        """The recommended model's absolute levels per group: favourable-outcome rate, TPR and FPR with their 95%
        percentile bootstrap CIs; the caption gives the four-fifths ratio with its basic-bootstrap CI."""
        classifier, comparator = self.recommended() or self.best()
        model = self.result["fairness"]["models"][attribute][classifier][comparator]

        def with_ci(row: dict[str, Any], rate: str) -> str:
            value, interval = row.get(rate), row.get(f"{rate}_ci")
            return "n/a" if value is None else f"{value:.3f}" + (f" [{interval[0]:.3f}, {interval[1]:.3f}]"
                                                                  if interval else "")

        rows = [{"group": r["group"], "rows": r["n"], "minority rows": r["minority_truth"],
                 "favourable rate [95% CI]": with_ci(r, "favourable_rate"), "TPR [95% CI]": with_ci(r, "tpr"),
                 "FPR [95% CI]": with_ci(r, "fpr"), "precision": num(r.get("precision")), "note": r.get("note") or ""}
                for r in model["by_group"]]
        ratio, interval = model.get("demographic_parity_ratio"), (model.get("intervals") or {}).get(
            "demographic_parity_ratio")
        four_fifths = ("" if ratio is None else f" Favourable-outcome ratio (four-fifths rule) {ratio:.3f}"
                       + (f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else "") + ".")
        return md_table(rows, caption=caption or f"Absolute levels per group of {attribute} for "
                        f"{configuration_name(comparator, classifier)} (test split; group rates with percentile "
                        f"bootstrap CIs).{four_fifths}")

    def calibration_table(self, caption: str | None = None) -> str:
        """The deployed model's calibration beside the reference's, CV and test split, before and after the
        recalibration the verdict decided (`verdict.calibration`)."""
        decision = self.verdict.get("calibration")
        if not decision:
            return "*No recalibration record: multi-class task, or no configuration recommended.*"
        recommended = configuration_name(self.verdict["recommended"]["comparator"], self.verdict["recommended"]["classifier"])

        def row(name: str, cv: dict[str, Any] | None, test: dict[str, Any] | None) -> dict[str, str]:
            cv, test = cv or {}, test or {}
            return {"configuration": name, "CV calibration error": num(cv.get("ece")), "CV Brier": num(cv.get("brier")),
                    "test calibration error": num(test.get("ece")), "test Brier": num(test.get("brier"))}

        rows = [row(f"{recommended} (as trained)", decision["cv"], decision["test_before"])]
        if decision.get("after"):
            rows.append(row(f"{recommended}, recalibrated" + (" (deployed)" if decision["recalibrate"] else
                                                              " (not deployed)"), None, decision["after"]))
        if decision.get("reference"):
            rows.append(row(f"{decision['reference']} (reference)", decision.get("cv_reference"),
                            decision.get("test_reference")))
        action = "recalibrated" if decision["recalibrate"] else "deployed as trained"
        return md_table(rows, caption=caption or (
            f"Calibration of the recommended configuration, {action}: {decision['reason']}. Recalibration: "
            f"{decision['method']}. The rule reads the CV figures; the test split only reports the effect."))

    def representation_table(self, caption: str | None = None) -> str:
        rows = []
        for attribute, by_method in self.result["fairness"].get("representation", {}).items():
            for method, r in by_method.items():
                rows.append({"attribute": attribute, "method": method_name(method), "chi-squared p": r["chi2_p_value"],
                             "largest shift": r["largest_shift"], "group": r["largest_shift_group"],
                             "flagged": "yes" if r["flagged"] else "no"})
        return md_table(rows, caption=caption or "Sensitive groups in real vs synthetic minority rows.")

    def privacy_table(self, caption: str | None = None) -> str:
        """One row per method: each attack next to its chance level, and the risk with the check that decided it."""
        rows = []
        for method, c in self.result["privacy"]["methods"].items():
            dcr, mia, attack = c.get("dcr", {}), c.get("membership_inference", {}), c.get("interpolation_attack", {})
            chance = attack.get("chance", {})
            rows.append({
                "method": method_name(method), "exact copies": c["exact_copies"]["count"],
                "DCR median syn / holdout": f"{num(dcr.get('synthetic_median'))} / {num(dcr.get('holdout_median'))}",
                "membership AUC [95% CI] (chance 0.5)": f"{num(mia.get('auc'))} [{num(mia.get('ci_low'))}, {num(mia.get('ci_high'))}]",
                "interpolation attack AUC [95% CI] (chance 0.5)": f"{num(attack.get('distinguish_auc'))} "
                f"[{num(attack.get('distinguish_auc_ci_low'))}, {num(attack.get('distinguish_auc_ci_high'))}]" if attack else "n/a",
                "reconstruction precision (chance)": f"{num(attack.get('reconstruction_precision'))} "
                f"({num(chance.get('reconstruction_precision'))})" if attack else "n/a",
                "attack exposes rows (beats chance)": ("✓ yes" if attack.get("beats_chance") else "✗ no") if attack else "n/a",
                "closer than typical holdout": dcr.get("share_closer_than_typical_holdout"),
                "k-anonymity smallest class (share below k)": (
                    f"{c['k_anonymity']['smallest_class']} ({c['k_anonymity']['share_below_k']:.1%})"
                    if (c.get("k_anonymity") or {}).get("available") else "n/a"),
                "risk": c["risk_level"]["risk"], "decided by": (c["risk_level"].get("decided_by") or "-").replace("_", " ")})
        return md_table(rows, caption=caption or "Privacy checks per method, each attack next to its chance level; "
                                                 "membership inference is graded on the upper bound of its CI.")

    def thresholds_table(self, caption: str | None = None) -> str:
        t = self.result["privacy"]["thresholds"]
        return md_table([
            {"check": "membership inference ROC-AUC (upper bound of its 95% CI)", "medium from": t["mia_auc_medium"], "high from": t["mia_auc_high"]},
            {"check": "share of synthetic rows closer than the typical holdout row", "medium from": t["dcr_share_medium"], "high from": t["dcr_share_high"]},
            {"check": "interpolation attack ROC-AUC", "medium from": t["attack_auc_medium"], "high from": t["attack_auc_high"]},
            {"check": "share of exact copies", "medium from": "> 0", "high from": f"> {t['exact_copy_share_high']}"},
        ], caption=caption or "Privacy risk thresholds (from the params file).")

    def monitoring_table(self, caption: str | None = None) -> str:
        m = self.result["config"]["resolved"]["monitoring"]
        return md_table([
            {"signal": "PSI per feature", "alert when": f"> {m['psi_alert']}"},
            {"signal": "KS p-value (numeric features)", "alert when": f"< {m['ks_p_value']}"},
            {"signal": "chi-squared p-value (categorical features)", "alert when": f"< {m['chi2_p_value']}"},
            {"signal": "predicted minority rate vs the deployed model's rate on the test split", "alert when": f"relative deviation > {m['prevalence_tolerance']}"},
            {"signal": "minority recall (with labels)", "alert when": self._recall_floor_text(m["min_minority_recall"])},
        ], caption=caption or "Monitoring signals and their alert thresholds.")

    def _recall_floor_text(self, configured: float | None) -> str:
        """The recall floor `synthlib monitor` uses, from the one rule in `monitor.recall_floor`."""
        from synthlib.deploy import recall_floor

        recommended = self.verdict.get("recommended")
        test_recall = (self.result["utility"]["test"][recommended["classifier"]][recommended["comparator"]]["metrics"]
                       .get("recall_minority") if recommended else None)
        floor = recall_floor(configured, test_recall)
        return "n/a (no deployed model)" if floor is None else f"< {floor[0]:.3f} ({floor[1]})"

    def artifacts_table(self, caption: str | None = None) -> str:
        manifest = self.out_dir / "OutputMaterials" / "manifest.json"
        if not manifest.exists():
            return "_(the bundle is written after the report; see OutputMaterials/manifest.json)_"
        from synthlib.deploy import ADDED_AFTER_REPORT

        files = json.loads(manifest.read_text())["files"]
        rows = [{"file": f"`{name}`", "SHA-256": f"`{digest[:16]}…`"} for name, digest in files.items()]
        rows += [{"file": f"`{name}`", "SHA-256": "added after this report is written; its hash is in manifest.json"}
                 for name in ADDED_AFTER_REPORT if name not in files]
        return md_table(rows, caption=caption or "Files of the bundle with the first 16 hex digits of their SHA-256.")

    # --------------------------------------------------------------- figures
    @picture
    def plot_class_distribution(self):
        balance = self.result["data"]["profile"]["class_balance"]
        frame = pd.DataFrame({split: info["counts"] for split, info in balance.items()})
        ax = frame.T.plot.bar(figsize=(6, 3.2), rot=0)
        ax.set_ylabel("rows")
        ax.set_xlabel("split")
        ax.legend(title=self.prepared.target)
        plt.tight_layout()
        return ax.figure

    @picture
    def plot_feature_distributions(self):
        from synthlib.assess import distribution_overlays

        p = self.prepared
        minority = p.train[np.isin(p.y_train.astype(str), [str(m) for m in p.minority_labels])]
        majority = p.train[p.y_train.astype(str) == str(p.majority_label)]
        fig = distribution_overlays(majority, minority, p.numeric + p.ordinal, p.categorical)
        for ax in fig.axes:
            if ax.get_legend():
                ax.legend(["majority", "minority"], fontsize=8)
        return fig

    @picture
    def plot_correlation(self):
        p = self.prepared
        columns = p.numeric + p.ordinal
        corr = p.train[columns].astype(float).corr()
        fig, ax = plt.subplots(figsize=(1.5 + 0.7 * len(columns), 1 + 0.6 * len(columns)))
        image = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
        ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(columns)), columns, fontsize=8)
        if len(columns) <= 12:
            for (i, j), value in np.ndenumerate(corr.to_numpy()):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7)
        fig.colorbar(image, ax=ax)
        fig.tight_layout()
        return fig

    @picture
    def plot_pairs(self, max_rows: int = 800, max_features: int = 4):
        import seaborn as sns

        p = self.prepared
        columns = (p.numeric + p.ordinal)[:max_features]
        frame = p.train[columns + [p.target]].sample(min(len(p.train), max_rows), random_state=p.config.split.seed)
        frame[p.target] = frame[p.target].astype(str)
        grid = sns.pairplot(frame, hue=p.target, corner=True, plot_kws={"s": 10, "alpha": 0.6}, height=1.8)
        return grid.figure

    @picture
    def plot_feature_importances(self):
        from sklearn.inspection import permutation_importance

        classifier, comparator = self.compared_pair()[0]  # the recommended configuration, the deployed model
        model = self.audit.evaluation.models[(classifier, comparator)]
        p = self.prepared
        y = self.audit.evaluation.label_encoder.transform(p.y_test)
        rows, note = plot_sample(y, p.config.split.seed, "test rows")
        importances = permutation_importance(model, p.X_test.iloc[rows], y[rows], n_repeats=5,
                                             random_state=p.config.split.seed, scoring="balanced_accuracy")
        order = np.argsort(importances.importances_mean)
        fig, ax = plt.subplots(figsize=(6, 0.35 * len(order) + 1))
        ax.barh(np.array(p.features)[order], importances.importances_mean[order], xerr=importances.importances_std[order])
        ax.set_xlabel(f"drop in balanced accuracy when shuffled ({configuration_name(comparator, classifier)})"
                      + (f"\n{note}" if note else ""), fontsize=8)
        fig.tight_layout()
        return fig

    @picture
    def plot_pca_clusters(self):
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA

        from synthlib.evaluate import preprocessing

        p = self.prepared
        rows, note = plot_sample(p.y_train.to_numpy(), p.config.split.seed, "training rows")
        X, labels = p.X_train.iloc[rows], p.y_train.iloc[rows]
        Z = preprocessing(p.numeric + p.ordinal, p.categorical).fit_transform(X)
        points = PCA(n_components=2, random_state=p.config.split.seed).fit_transform(Z)
        n_classes = p.y_train.nunique()
        clusters = KMeans(n_clusters=n_classes, n_init=10, random_state=p.config.split.seed).fit_predict(Z)
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
        if note:
            fig.suptitle(note, fontsize=8)
        for label in sorted(p.y_train.unique(), key=str):
            mask = (labels == label).to_numpy()
            axes[0].scatter(points[mask, 0], points[mask, 1], s=8, alpha=0.6, label=str(label))
        axes[0].set_title("true labels")
        axes[0].legend(title=p.target, fontsize=8)
        axes[1].scatter(points[:, 0], points[:, 1], c=clusters, s=8, alpha=0.6, cmap="viridis")
        axes[1].set_title(f"k-means clusters (k = {n_classes})")
        for ax in axes:
            ax.set_xlabel("PC 1")
            ax.set_ylabel("PC 2")
        fig.tight_layout()
        return fig

    @picture
    def plot_fidelity(self, method: str, kind: str):
        from synthlib.assess import correlation_difference, distribution_overlays, encode_pair, pca_projection

        p = self.prepared
        real = p.X_train[np.isin(p.y_train.astype(str), [str(m) for m in p.minority_labels])]
        synthetic = self.audit.synthetic[method]
        continuous = p.numeric + p.ordinal
        if kind == "distributions":
            return distribution_overlays(real, synthetic, continuous, p.categorical)
        if kind == "correlation":
            return correlation_difference(real, synthetic, continuous)
        return pca_projection(*encode_pair(real, synthetic, continuous, p.categorical), seed=p.config.split.seed)

    @picture
    def plot_forest(self):
        """Each eligible configuration minus the best alternative on the primary metric (CV, corrected 95% CI)."""
        rows = self.verdict["forest"]
        primary = metric_name(self.verdict["primary_metric"])
        rows = sorted(rows, key=lambda r: r["cv_difference"] if np.isfinite(r["cv_difference"]) else -np.inf)[-15:]
        fig, ax = plt.subplots(figsize=(7, 0.22 * max(len(rows), 1) + 1.2))
        if not rows:
            ax.text(0.5, 0.5, "no configuration to compare", ha="center", va="center")
            ax.set_axis_off()
            return fig
        labels = [configuration_name(r["comparator"], r["classifier"]) for r in rows]
        y = np.arange(len(rows))
        mean = np.array([r["cv_difference"] for r in rows])
        low, high = np.array([r["ci_low"] for r in rows]), np.array([r["ci_high"] for r in rows])
        colours = ["tab:orange" if r["uses_synthetic"] else "tab:blue" for r in rows]
        ax.hlines(y, low, high, colors=colours, linewidth=1.6)
        ax.scatter(mean, y, c=colours, s=18, zorder=3)
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_xlabel(f"{primary}: difference from {rows[0]['reference']} (CV mean, corrected 95% CI)", fontsize=8)
        from matplotlib.lines import Line2D

        ax.legend(handles=[Line2D([], [], color="tab:orange", marker="o", label="with synthetic rows"),
                           Line2D([], [], color="tab:blue", marker="o", label="without synthetic rows")],
                  fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)  # above, off the CIs
        fig.tight_layout()
        return fig

    def fairness_heatmap_data(self, limit: int = 12) -> dict[str, Any]:
        """The heatmap's cells: configuration x (attribute, gap) change against the same classifier's baseline.

        Rows are the `limit` configurations with the largest widening plus every one the verdict compares.
        """
        fairness = self.result["fairness"]
        gaps = (("demographic_parity_difference", "DP diff."), ("equalized_odds_difference", "EO diff."),
                ("demographic_parity_ratio", "DP ratio fall"))  # a falling ratio, negated: red is always worse
        attributes = list(fairness.get("attributes", [])) if fairness.get("available") else []
        cells: dict[tuple[str, str], dict[tuple[str, str], dict]] = {}
        for attr in attributes:
            for r in fairness["matrix"][attr]:
                if r["comparator"] != "baseline":
                    for key, short in gaps:
                        cell = dict(r[key])
                        if key.endswith("_ratio") and cell.get("change") is not None:
                            cell["change"] = -cell["change"]
                        cells.setdefault((r["classifier"], r["comparator"]), {})[(attr, short)] = cell
        columns = [(attr, short) for attr in attributes for _, short in gaps]
        v = self.verdict
        compared = {(e["classifier"], e["comparator"]) for e in (v.get("recommended"), v.get("comparison"),
                                                                 v.get("best_alternative"), v.get("best_augmented")) if e}

        def widest(config):
            changes = [c["change"] for c in cells[config].values() if c.get("change") is not None]
            return max(changes) if changes else -np.inf

        ranked = sorted(cells, key=widest, reverse=True)
        shown = [c for i, c in enumerate(ranked) if c in compared or i < limit]
        change = np.array([[cells[c].get(col, {}).get("change") for col in columns] for c in shown], dtype=float)
        flagged = np.array([[bool(cells[c].get(col, {}).get("flagged")) for col in columns] for c in shown], dtype=bool)
        return {"rows": shown, "columns": columns, "change": change.reshape(len(shown), len(columns)),
                "flagged": flagged.reshape(len(shown), len(columns)), "compared": compared}

    @picture
    def plot_fairness_heatmap(self):
        """Change of each fairness gap against the same classifier's baseline (red: wider, blue: narrower).

        A black frame marks a flagged widening (beyond the tolerance, CI excluding it).
        """
        data = self.fairness_heatmap_data()
        shown, columns, values = data["rows"], data["columns"], data["change"]
        fig, ax = plt.subplots(figsize=(min(1.1 * len(columns) + 3.6, 7.2), 0.25 * max(len(shown), 1) + 1.3))
        if not shown or not columns:
            ax.text(0.5, 0.5, "no fairness comparison", ha="center", va="center")
            ax.set_axis_off()
            return fig
        limit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
        limit = limit or 1.0
        image = ax.imshow(np.ma.masked_invalid(values), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        for i in range(len(shown)):
            for j in range(len(columns)):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, f"{values[i, j]:+.2f}", ha="center", va="center", fontsize=7.5,
                            color="white" if abs(values[i, j]) > 0.6 * limit else "black")
                if data["flagged"][i, j]:
                    ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.8))
        ax.set_yticks(range(len(shown)), [configuration_name(c[1], c[0])
                                          + (" *" if c in data["compared"] else "") for c in shown], fontsize=7)
        ax.set_xticks(range(len(columns)), [f"{attr}\n{short}" for attr, short in columns], fontsize=7)
        ax.xaxis.tick_top()
        bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label("change vs the same classifier's baseline (test split)", fontsize=7)
        bar.ax.tick_params(labelsize=6)
        fig.tight_layout()
        return fig

    @picture
    def plot_reliability(self):
        """Calibration on the test split: the recommended configuration, the comparison and its plain baseline."""
        from sklearn.calibration import calibration_curve

        from synthlib.evaluate import expected_calibration_error

        v = self.verdict
        encoder = self.audit.evaluation.label_encoder
        positive = int(encoder.transform([self.result["utility"]["classes"]["positive"]])[0])
        y = encoder.transform(self.prepared.y_test) == positive
        chosen = [(e["classifier"], e["comparator"]) for e in (v.get("recommended"), v.get("comparison")) if e]
        if chosen:
            chosen.append((chosen[0][0], "baseline"))
        fig, ax = plt.subplots(figsize=(6, 4.4))
        for (classifier, comparator), name in self.same_scores_labels(chosen).items():
            proba = self.audit.evaluation.test_predictions[(classifier, comparator)][1][:, positive]
            observed, predicted = calibration_curve(y, proba, n_bins=10, strategy="quantile")
            brier = self.result["utility"]["test"][classifier][comparator]["metrics"]["brier"]
            ece = expected_calibration_error(y, proba)
            ax.plot(predicted, observed, marker="o", markersize=3,
                    label=f"{name} (Brier {brier:.3f}, ECE {ece:.3f})")
        ax.plot([0, 1], [0, 1], "k--", linewidth=0.8)
        ax.set_xlabel("mean predicted probability of the minority class", fontsize=8)
        ax.set_ylabel("observed minority share", fontsize=8)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)  # below the axes
        fig.tight_layout()
        return fig

    def compared_pair(self) -> list[tuple[str, str]]:
        """The recommended configuration and the best of the other kind (the pair the verdict compares)."""
        v = self.verdict
        pair = [(e["classifier"], e["comparator"]) for e in (v.get("recommended"), v.get("comparison")) if e]
        return pair or [self.best()]

    @picture
    def plot_confusion(self):
        tests = self.result["utility"]["test"]
        pair = self.compared_pair()
        fig, axes = plt.subplots(1, len(pair), figsize=(4 * len(pair), 3.4), squeeze=False)
        matrices = [np.array([[c["tp"], c["fn"]], [c["fp"], c["tn"]]])
                    for c in (tests[classifier][comparator]["confusion"] for classifier, comparator in pair)]
        top = max(int(m.max()) for m in matrices)  # one colour scale for both panels
        for ax, (classifier, comparator), matrix in zip(axes[0], pair, matrices):
            ax.imshow(matrix, cmap="Blues", vmin=0, vmax=top)
            for (i, j), value in np.ndenumerate(matrix):
                ax.text(j, i, str(value), ha="center", va="center", fontsize=12,
                        color="white" if value > 0.55 * top else "black")
            ax.set_xticks([0, 1], ["predicted minority", "predicted majority"], fontsize=8)
            ax.set_yticks([0, 1], ["actual minority", "actual majority"], fontsize=8)
            ax.set_title(configuration_name(comparator, classifier), fontsize=9)
        fig.tight_layout()
        return fig

    def same_scores_labels(self, configurations: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """One legend entry per distinct set of test scores: a tuned threshold moves only the decision, so its
        curve would hide under its plain baseline's; such configurations share one labelled line."""
        predictions = self.audit.evaluation.test_predictions if hasattr(self.audit, "evaluation") else {}
        groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for configuration in dict.fromkeys(configurations):
            proba = predictions.get(configuration, (None, None))[1]
            twin = next((first for first in groups if proba is not None
                         and np.array_equal(predictions.get(first, (None, None))[1], proba)), None)
            groups.setdefault(twin or configuration, []).append(configuration)
        return {first: " = ".join(configuration_name(c, k) for k, c in members)
                + (" (same scores)" if len(members) > 1 else "") for first, members in groups.items()}

    @picture
    def plot_curves(self):
        tests = self.result["utility"]["test"]
        pair = self.compared_pair()
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
        for (classifier, comparator), name in self.same_scores_labels(pair + [(pair[0][0], "baseline")]).items():
            entry = tests[classifier].get(comparator, {})
            if "curves" not in entry:
                continue
            curves, metrics = entry["curves"], entry["metrics"]
            axes[0].plot(curves["roc"]["fpr"], curves["roc"]["tpr"],
                         label=f"{name} (ROC-AUC {metrics['roc_auc']:.3f}, AP {metrics['pr_auc']:.3f})")
            axes[1].plot(curves["pr"]["recall"], curves["pr"]["precision"])
        axes[0].plot([0, 1], [0, 1], "k--", linewidth=0.8)
        axes[0].set_xlabel("false positive rate")
        axes[0].set_ylabel("true positive rate")
        axes[1].set_xlabel("recall (minority)")
        axes[1].set_ylabel("precision (minority)")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=1, fontsize=8, frameon=False)  # below, never on a curve
        fig.tight_layout(rect=(0, 0.055 * max(len(labels), 1), 1, 1))
        return fig

    def checks(self) -> dict[str, Any]:
        """The ethics checklist's checks, run here on the results and on the written bundle: `passed` (check ->
        bool, in the checklist's order) and the `details` its labels quote (the section template words them)."""
        from synthlib.deploy import read_model

        v, data = self.verdict, self.result["data"]
        bundle = self.out_dir / "OutputMaterials"
        deployed_file = next((p for p in (bundle / "TrainedModels" / f"deployed{suffix}" for suffix in (".skops", ".pkl"))
                              if p.exists()), None)
        recommended = v.get("recommended")
        deployed_matches, reproduced, same, rows = False, False, None, None
        if recommended and deployed_file is not None:
            deployed = read_model(deployed_file, allow_pickle=True)  # this run wrote it moments ago
            meta = deployed.synthlib_metadata_
            configuration = (recommended["classifier"], recommended["comparator"])
            deployed_matches = (meta["classifier"], meta["comparator"]) == configuration
            expected = self.audit.evaluation.test_predictions.get(configuration, (None,))[0] if hasattr(
                self.audit, "evaluation") else None
            if expected is not None:  # the saved pipeline, fed the raw test rows, gives the audit's predictions
                raw = self.prepared.raw_test[self.prepared.features]
                same, rows = int((np.asarray(deployed.predict(raw)) == np.asarray(expected)).sum()), len(expected)
                reproduced = same == rows
        augmented_file = (bundle / "Datasets" / "augmented_train.csv").exists()
        sensitive = [a["column"] for a in self.result["config"]["resolved"]["features"].get("sensitive", [])]
        fairness = v["dimensions"]["fairness"]
        passed = {
            "cleaning_log": bool(data["cleaning_log"]),
            "test_split_untouched": data["test_hash_before"] == data["test_hash_after"],
            "deployed_is_recommended": deployed_matches,
            "deployed_reproduces": reproduced,
            "model_cards": (bundle / "ModelCards").is_dir() and any((bundle / "ModelCards").iterdir()),
            "fairness_computed": bool(sensitive) and set(sensitive) <= set(self.result["fairness"].get("attributes", [])),
            "no_significant_widening": fairness["status"] != "fail",
            "four_fifths_met": fairness["status"] != "n/a"
            and not any(f["gap"] == "four_fifths_rule" for f in fairness.get("findings", [])),
            "release_follows_privacy": augmented_file == v["release"]["augmented_data"],
            "compared_with_alternative": v.get("best_alternative") is not None,
        }
        used = sensitive_inputs(self.result)  # None when the trained-on columns are not recorded
        if used is not None:
            passed["no_sensitive_input"] = not used
        return {"passed": passed, "details": {"reproduced": same, "rows": rows, "sensitive": sensitive,
                                              "used_sensitive": used}}

    def checklist(self) -> str:
        """The ethics checklist as the section template words it (one `- ✓ label` line per check)."""
        from ._prose import render_block

        return render_block("ethics_review", "checklist", self.result, self.root, self)

    # ----------------------------------------------------------------- words
    def section(self, name: str) -> str:
        """The Markdown of section template `name` (report/sections/<name>.md.j2, else the packaged one)."""
        from ._prose import render_section

        return render_section(name, self.result, self.root, self)

    def table(self, name: str, *args: Any, **kwargs: Any) -> str:
        """`<name>_table(...)`, for the section templates: `{{ table("fairness") }}`."""
        method = getattr(self, f"{name}_table", None)
        if method is None:
            from ._prose import RenderError

            tables = sorted(m[:-len("_table")] for m in dir(self) if m.endswith("_table"))
            raise RenderError(f"no table `{name}` in the report; the tables are: {', '.join(tables)}")
        return method(*args, **kwargs)
