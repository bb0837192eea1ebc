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

from . import narrative  # noqa: E402
from .narrative import CLASSIFIER_NAMES, method_name, metric_name, num  # noqa: E402
from .tables import md_table  # noqa: E402


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


@dataclass
class ReportContext:
    """Everything the report shows for one data set."""

    name: str
    audit: Any
    out_dir: Path

    @classmethod
    def load(cls, dataset: str, fast: bool = False, out_dir: str | Path | None = None, root: str | Path = ".") -> ReportContext:
        from .pipeline import run

        audit, out_dir = run(dataset, fast=fast, project_root=Path(root), out_dir=Path(out_dir) if out_dir else None)
        return cls(name=Path(dataset).stem, audit=audit, out_dir=out_dir)

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
            summary = (f"{values.min()} to {values.max()}" if role in ("numeric", "ordinal") else
                       ", ".join(map(str, values.astype(str).value_counts().index[:5])))
            sensitive = column in [s.column for s in p.config.features.sensitive]
            rows.append({"attribute": column, "role": role, "dtype": str(values.dtype), "values (training split)": summary,
                         "sensitive": "yes" if sensitive else ""})
        return md_table(rows, caption=caption or "Attributes: role, type and values in the training split.")

    def summary_table(self, caption: str | None = None) -> str:
        summary = self.result["data"]["profile"]["summary"]
        return md_table(pd.DataFrame(summary).T.reset_index().rename(columns={"index": "feature"}), 2,
                        caption=caption or "Summary statistics per feature (training split).")

    def balance_table(self, caption: str | None = None) -> str:
        rows = [{"split": split, "rows": info["rows"], **{f"class {k}": v for k, v in info["counts"].items()},
                 "minority:majority": info["minority_to_majority"]}
                for split, info in self.result["data"]["profile"]["class_balance"].items()]
        return md_table(rows, caption=caption or "Rows and classes per split.")

    def augmentation_table(self, caption: str | None = None) -> str:
        rows = [{"method": method_name(m), "requested": sum(i["requested"].values()), "after cap": sum(i["after_cap"].values()),
                 "generated": sum(i["generated"].values()), "duplicates removed": i["duplicates_of_real_removed"] + i["duplicates_within_removed"],
                 "real rows removed": i["real_rows_removed"], "seconds": i["seconds"]}
                for m, i in self.result["augmentation"].items()]
        return md_table(rows, 2,
                        caption=caption or "Synthetic rows per generation method: requested, kept after the cap and deduplication, and time taken.")

    def validation_table(self, caption: str | None = None) -> str:
        """One row per method; a metric that could not be computed shows "n/a", with its reason in an error row."""
        def value(entry: dict[str, Any] | None, key: str) -> Any:
            found = (entry or {}).get(key)
            return "n/a" if found is None else found

        def accuracy(discriminator: dict[str, Any] | None) -> str:
            if not discriminator or discriminator.get("chance_accuracy") is None:
                return "n/a"
            return f"{discriminator['accuracy']:.3f} ({discriminator['chance_accuracy']:.3f})"

        rows, errors = [], []
        for method, v in self.result["validation"].items():
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
        features = self.result["validation"][method]["integrity"]["features"]
        return md_table([{"feature": f, "real mean": e["real_mean"], "synthetic mean": e["synthetic_mean"],
                          "real std": e["real_std"], "synthetic std": e["synthetic_std"],
                          "outside real range": e["share_outside_real_range"]} for f, e in features.items()], 2,
                          caption=caption or f"Moments and range of each feature, real vs synthetic minority rows ({method_name(method)}).")

    def tests_table(self, method: str, caption: str | None = None) -> str:
        tests = self.result["validation"][method]["distribution_tests"]
        rows = [{"feature": f, "test": "KS", "statistic": e["statistic"], "p-value": e["p_value"],
                 "adjusted p": e["p_adjusted"], "interpretation": e["interpretation"]} for f, e in tests["ks"].items()]
        rows += [{"feature": f, "test": "chi-squared", "statistic": e["statistic"], "p-value": e["p_value"],
                  "adjusted p": e["p_adjusted"], "interpretation": e["interpretation"]} for f, e in tests["chi2"].items()]
        return md_table(rows, 4,
                        caption=caption or f"Distribution tests per feature, real vs synthetic minority rows ({method_name(method)}); adjusted p-values are Benjamini-Hochberg.")

    def best(self) -> tuple[str, str]:
        best = self.result["utility"]["summary"].get("best_augmented") or self.result["utility"]["summary"]["best"]
        return best["classifier"], best["comparator"]

    def performance_table(self, classifier: str | None = None, caption: str | None = None) -> str:
        classifier = classifier or self.best()[0]
        rows = []
        for comparator, entry in self.result["utility"]["test"][classifier].items():
            m, c = entry["metrics"], entry["confusion"]
            rows.append({"comparator": method_name(comparator), "accuracy": m["accuracy"], "ROC-AUC": m["roc_auc"],
                         "PR-AUC": m["pr_auc"], "precision (min.)": m["precision_minority"],
                         "recall (min.)": m["recall_minority"], "F1 (min.)": m["f1_minority"],
                         "precision (maj.)": m["precision_majority"], "recall (maj.)": m["recall_majority"],
                         "F1 (maj.)": m["f1_majority"], "TP": c["tp"], "FP": c["fp"], "FN": c["fn"], "TN": c["tn"]})
        return md_table(rows,
                        caption=caption or f"Test-split metrics of {CLASSIFIER_NAMES.get(classifier, classifier)} per comparator.")

    def significance_table(self, caption: str | None = None) -> str:
        primary = self.result["utility"]["protocol"]["primary_metric"]
        rows = [{"classifier": CLASSIFIER_NAMES.get(r["classifier"], r["classifier"]), "comparator": method_name(r["comparator"]),
                 "CV difference": r["cv_difference"], "test difference": r["test_difference"],
                 "95% CI": narrative.ci(r.get("ci_low"), r.get("ci_high")).strip(), "p (Holm)": r["p_holm"],
                 "McNemar p": (r.get("mcnemar") or {}).get("p_value"), "verdict": r["verdict"]}
                for r in self.result["utility"]["comparisons"] if r["metric"] == primary]
        return md_table(rows,
                        caption=caption or "Every comparison on the primary metric: CV and test differences, Holm-adjusted p-values.")

    def ranked_table(self, top: int = 10, caption: str | None = None) -> str:
        rows = [{"rank": i + 1, "comparator": method_name(r["comparator"]),
                 "classifier": CLASSIFIER_NAMES.get(r["classifier"], r["classifier"]), "CV mean": r["cv_mean"],
                 "CV std": r["cv_std"], "test": r["test_value"],
                 "test 95% CI": f"[{r['test_ci'][0]:.3f}, {r['test_ci'][1]:.3f}]" if r.get("test_ci") else "n/a"}
                for i, r in enumerate(self.result["utility"]["summary"]["ranked"][:top])]
        return md_table(rows, caption=caption or "Configurations ranked by the cross-validated primary metric.")

    def fairness_table(self, caption: str | None = None) -> str:
        fairness = self.result["fairness"]
        if not fairness.get("available"):
            return ""
        classifier, comparator = self.best()
        rows = []
        for attribute, by_clf in fairness["models"].items():
            for comp in ("baseline", comparator):
                f = by_clf[classifier][comp]
                change = fairness["changes"].get(attribute, {}).get(classifier, {}).get(comp) if comp != "baseline" else None
                rows.append({"attribute": attribute, "model": method_name(comp),
                             "DP difference": f["demographic_parity_difference"], "DP ratio": f["demographic_parity_ratio"],
                             "four-fifths": "violated" if f["four_fifths_violated"] else "ok",
                             "EO difference": f["equalized_odds_difference"], "EO ratio": f["equalized_odds_ratio"],
                             "DP change [95% CI]": "" if change is None else
                             f"{change['demographic_parity_difference']['change']:+.3f}"
                             f"{narrative.ci(change['demographic_parity_difference']['ci_low'], change['demographic_parity_difference']['ci_high'])}"})
        return md_table(rows,
                        caption=caption or "Fairness of the favoured model per sensitive attribute, baseline vs augmented.")

    def group_table(self, attribute: str, caption: str | None = None) -> str:
        classifier, comparator = self.best()
        by_group = self.result["fairness"]["models"][attribute][classifier][comparator]["by_group"]
        return md_table(by_group, caption=caption or f"Metrics per group of {attribute}.")

    def representation_table(self, caption: str | None = None) -> str:
        rows = []
        for attribute, by_method in self.result["fairness"].get("representation", {}).items():
            for method, r in by_method.items():
                rows.append({"attribute": attribute, "method": method_name(method), "chi-squared p": r["chi2_p_value"],
                             "largest shift": r["largest_shift"], "group": r["largest_shift_group"],
                             "flagged": "yes" if r["flagged"] else "no"})
        return md_table(rows, caption=caption or "Sensitive groups in real vs synthetic minority rows.")

    def privacy_table(self, caption: str | None = None) -> str:
        rows = []
        for method, c in self.result["privacy"]["methods"].items():
            dcr, mia, attack, kanon = c.get("dcr", {}), c.get("membership_inference", {}), c.get("interpolation_attack", {}), c.get("k_anonymity", {})
            rows.append({"method": method_name(method), "exact copies": c["exact_copies"]["count"],
                         "DCR median (syn / holdout)": f"{num(dcr.get('synthetic_median'))} / {num(dcr.get('holdout_median'))}",
                         "closer than typical holdout": dcr.get("share_closer_than_typical_holdout"),
                         "MIA AUC [95% CI]": f"{num(mia.get('auc'))} [{num(mia.get('ci_low'))}, {num(mia.get('ci_high'))}]",
                         "attack AUC": attack.get("distinguish_auc"), "reconstruction precision": attack.get("reconstruction_precision"),
                         "reconstruction recall": attack.get("reconstruction_recall"),
                         "k-anonymity min class": kanon.get("smallest_class"),
                         "risk": c["verdict"]["risk"], "decided by": (c["verdict"].get("decided_by") or "-").replace("_", " ")})
        return md_table(rows,
                        caption=caption or "Privacy checks per method, with the risk and the check that decided it.")

    def thresholds_table(self, caption: str | None = None) -> str:
        t = self.result["privacy"]["thresholds"]
        return md_table([
            {"check": "membership inference ROC-AUC", "medium from": t["mia_auc_medium"], "high from": t["mia_auc_high"]},
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
            {"signal": "predicted minority rate vs training prevalence", "alert when": f"relative deviation > {m['prevalence_tolerance']}"},
            {"signal": "minority recall (with labels)", "alert when": f"< {m['min_minority_recall'] or '0.8 x the bundle value'}"},
        ], caption=caption or "Monitoring signals and their alert thresholds.")

    def artifacts_table(self, caption: str | None = None) -> str:
        manifest = self.out_dir / "OutputMaterials" / "manifest.json"
        if not manifest.exists():
            return "_(the bundle is written after the report; see OutputMaterials/manifest.json)_"
        files = json.loads(manifest.read_text())["files"]
        return md_table([{"file": f"`{name}`", "SHA-256": f"`{digest[:16]}…`"} for name, digest in files.items()],
                        caption=caption or "Files of the bundle with the first 16 hex digits of their SHA-256.")

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
        from .validation._plots import distribution_overlays

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

        classifier = self.best()[0]
        model = self.audit.evaluation.models[(classifier, "baseline")]
        p = self.prepared
        y = self.audit.evaluation.label_encoder.transform(p.y_test)
        importances = permutation_importance(model, p.X_test, y, n_repeats=5, random_state=p.config.split.seed,
                                             scoring="balanced_accuracy")
        order = np.argsort(importances.importances_mean)
        fig, ax = plt.subplots(figsize=(6, 0.35 * len(order) + 1))
        ax.barh(np.array(p.features)[order], importances.importances_mean[order], xerr=importances.importances_std[order])
        ax.set_xlabel(f"drop in balanced accuracy when shuffled ({CLASSIFIER_NAMES.get(classifier, classifier)} baseline)")
        fig.tight_layout()
        return fig

    @picture
    def plot_pca_clusters(self):
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA

        from .models import preprocessing

        p = self.prepared
        Z = preprocessing(p.numeric + p.ordinal, p.categorical).fit_transform(p.X_train)
        points = PCA(n_components=2, random_state=p.config.split.seed).fit_transform(Z)
        n_classes = p.y_train.nunique()
        clusters = KMeans(n_clusters=n_classes, n_init=10, random_state=p.config.split.seed).fit_predict(Z)
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
        for label in sorted(p.y_train.unique(), key=str):
            mask = (p.y_train == label).to_numpy()
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
    def plot_validation(self, method: str, kind: str):
        from .validation import encode_pair
        from .validation._plots import correlation_difference, distribution_overlays, pca_projection

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
    def plot_confusion(self):
        classifier, comparator = self.best()
        tests = self.result["utility"]["test"][classifier]
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        for ax, comp in zip(axes, ("baseline", comparator)):
            c = tests[comp]["confusion"]
            matrix = np.array([[c["tp"], c["fn"]], [c["fp"], c["tn"]]])
            ax.imshow(matrix, cmap="Blues")
            for (i, j), value in np.ndenumerate(matrix):
                ax.text(j, i, str(value), ha="center", va="center", fontsize=12)
            ax.set_xticks([0, 1], ["predicted minority", "predicted majority"], fontsize=8)
            ax.set_yticks([0, 1], ["actual minority", "actual majority"], fontsize=8)
            ax.set_title(method_name(comp), fontsize=10)
        fig.tight_layout()
        return fig

    @picture
    def plot_curves(self):
        classifier, comparator = self.best()
        tests = self.result["utility"]["test"][classifier]
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
        for comp in dict.fromkeys(("baseline", "class_weighted", comparator)):
            if comp not in tests or "curves" not in tests[comp]:
                continue
            curves, metrics = tests[comp]["curves"], tests[comp]["metrics"]
            axes[0].plot(curves["roc"]["fpr"], curves["roc"]["tpr"], label=f"{method_name(comp)} (AUC {metrics['roc_auc']:.3f})")
            axes[1].plot(curves["pr"]["recall"], curves["pr"]["precision"], label=f"{method_name(comp)} (AP {metrics['pr_auc']:.3f})")
        axes[0].plot([0, 1], [0, 1], "k--", linewidth=0.8)
        axes[0].set_xlabel("false positive rate")
        axes[0].set_ylabel("true positive rate")
        axes[1].set_xlabel("recall (minority)")
        axes[1].set_ylabel("precision (minority)")
        for ax in axes:
            ax.legend(fontsize=7)
        fig.tight_layout()
        return fig

    # ----------------------------------------------------------------- words
    def say(self, what: str, *args: Any) -> str:
        """`narrative.<what>(result, *args)`, for the asis cells of the document."""
        return getattr(narrative, what)(self.result, *args)

    def best_phrase(self) -> str:
        classifier, comparator = self.best()
        return f"{method_name(comparator)} + {CLASSIFIER_NAMES.get(classifier, classifier)}"

    def metric(self, name: str) -> str:
        return metric_name(name)
