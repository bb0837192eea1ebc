"""Baseline vs augmented classifiers: repeated CV inside the training split, then one test evaluation.

Grid: comparators (baseline, class-weighted, tuned threshold, each augmentation method) x classifiers x
folds, run as joblib tasks. An augmentation is fit once per training fold and shared by all
classifiers of that fold; validation folds and the test split only ever see real rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score, f1_score, make_scorer
from sklearn.model_selection import RepeatedStratifiedKFold, TunedThresholdClassifierCV
from sklearn.preprocessing import LabelEncoder
from threadpoolctl import threadpool_limits

from .config import AuditConfig
from .data import Prepared
from .metrics import batch_metric, classification_metrics, confusion, curves
from .models import SUPPORTS_CLASS_WEIGHT, make_pipeline
from .stats import bootstrap_ci, corrected_resampled_ttest, holm, mcnemar, paired_bootstrap

logger = logging.getLogger(__name__)
BASELINES = ("baseline", "class_weighted", "tuned_threshold")


@dataclass
class Evaluation:
    """`result` is JSON-ready; `models` and `augmented` hold the final fitted objects for export."""

    result: dict[str, Any]
    models: dict[tuple[str, str], Any] = field(default_factory=dict)
    augmented: dict[str, tuple[pd.DataFrame, np.ndarray, Any]] = field(default_factory=dict)
    test_predictions: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    label_encoder: LabelEncoder | None = None


def _threshold_scorer(objective: str, positive: int):
    if objective == "balanced_accuracy":
        return make_scorer(balanced_accuracy_score)
    return make_scorer(f1_score, pos_label=positive)


def _fit_predict(config: AuditConfig, prepared: Prepared, classifier: str, comparator: str, X_fit: pd.DataFrame,
                 y_fit: np.ndarray, X_eval: pd.DataFrame, positive: int, seed: int):
    models = config.models
    kwargs = dict(params=models.params.get(classifier, {}), seed=seed, device=_xgb_device(models.device))
    pipe = make_pipeline(classifier, prepared.numeric + prepared.ordinal, prepared.categorical,
                         class_weight=comparator == "class_weighted", y=y_fit, **kwargs)
    if comparator == "tuned_threshold":
        pipe = TunedThresholdClassifierCV(pipe, scoring=_threshold_scorer(config.evaluation.threshold_objective, positive),
                                          cv=3, random_state=seed)
    pipe.fit(X_fit, y_fit)
    proba = pipe.predict_proba(X_eval)
    return pipe, proba, np.asarray(pipe.predict(X_eval))


def _xgb_device(device: str) -> str:
    if device != "auto":
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def _applicable(classifier: str, comparator: str, binary: bool) -> bool:
    if comparator == "class_weighted":
        return classifier in SUPPORTS_CLASS_WEIGHT and (binary or classifier != "xgboost")
    if comparator == "tuned_threshold":
        return binary
    return True


def _task(config, prepared, comparator, sampler, fold, train_idx, eval_idx, y, positive, binary, n_jobs):
    """One (comparator, fold): augment the training fold once, fit every classifier, score the held-out rows."""
    limit = 1 if n_jobs != 1 else None
    with threadpool_limits(limits=limit):
        if limit == 1:
            try:
                import torch

                torch.set_num_threads(1)
            except ImportError:
                pass
        final = fold < 0
        X_all = prepared.X_train.reset_index(drop=True)
        X_fit, y_fit = X_all.iloc[train_idx], y[train_idx]
        X_eval = prepared.X_test.reset_index(drop=True) if final else X_all.iloc[eval_idx]
        augmented = None
        if sampler is not None:
            fitted = clone(sampler)
            start = time.perf_counter()
            X_fit, y_fit = fitted.fit_resample(X_fit.reset_index(drop=True), y_fit)
            fitted.seconds_ = time.perf_counter() - start
            y_fit = np.asarray(y_fit)
            augmented = (X_fit, y_fit, fitted) if final else None
        records = []
        for classifier in config.models.classifiers:
            if not _applicable(classifier, comparator, binary):
                continue
            model, proba, pred = _fit_predict(config, prepared, classifier, comparator, X_fit, y_fit, X_eval,
                                              positive, config.split.seed + max(fold, 0))
            records.append({"classifier": classifier, "comparator": comparator, "fold": fold, "proba": proba,
                            "pred": pred, "model": model if final else None, "n_fit": len(y_fit)})
        return records, augmented


def evaluate(prepared: Prepared, samplers: dict[str, Any], config: AuditConfig | None = None) -> Evaluation:
    """Run the comparison grid and the significance analysis; see the module docstring."""
    config = config or prepared.config
    ev = config.evaluation
    encoder = LabelEncoder().fit(prepared.y_train)
    y = encoder.transform(prepared.y_train)
    y_test = encoder.transform(prepared.y_test)
    minority = [int(v) for v in encoder.transform(prepared.minority_labels)]
    majority = int(encoder.transform([prepared.majority_label])[0])
    binary = len(encoder.classes_) == 2
    encoded_samplers = {name: _encoded_sampler(s, encoder) for name, s in samplers.items()}
    splitter = RepeatedStratifiedKFold(n_splits=ev.cv_folds, n_repeats=ev.cv_repeats, random_state=config.split.seed)
    folds = list(splitter.split(np.zeros(len(y)), y))
    comparators = list(BASELINES) + list(samplers)
    everything = np.arange(len(y))
    jobs = [(c, i, tr, va) for c in comparators for i, (tr, va) in enumerate(folds)]
    jobs += [(c, -1, everything, None) for c in comparators]
    logger.info("evaluation grid: %d comparators x %d folds (+ final fits), n_jobs=%s", len(comparators), len(folds), ev.n_jobs)
    outputs = Parallel(n_jobs=ev.n_jobs)(
        delayed(_task)(config, prepared, c, encoded_samplers.get(c), i, tr, va, y, minority[0], binary, ev.n_jobs)
        for c, i, tr, va in jobs)
    evaluation = Evaluation(result={}, label_encoder=encoder)
    cv_rows, test = [], {}
    for (comparator, fold, _, val_idx), (records, augmented) in zip(jobs, outputs):
        if augmented is not None:
            evaluation.augmented[comparator] = augmented
        for r in records:
            if fold >= 0:
                metrics = classification_metrics(y[val_idx], r["proba"], r["pred"], minority, majority)
                cv_rows.append({"classifier": r["classifier"], "comparator": comparator, "fold": fold, **metrics})
            else:
                evaluation.models[(r["classifier"], comparator)] = r["model"]
                evaluation.test_predictions[(r["classifier"], comparator)] = (r["pred"], r["proba"])
                test[(r["classifier"], comparator)] = r
    cv = pd.DataFrame(cv_rows)
    evaluation.result = _assemble(config, cv, test, y_test, minority, majority, folds, encoder, binary)
    evaluation.result["summary"] = summarise(evaluation.result, config)
    return evaluation


def _encoded_sampler(sampler, encoder: LabelEncoder):
    """Samplers see encoded labels (0..K-1): translate a dict sampling_strategy accordingly."""
    strategy = getattr(sampler, "sampling_strategy", None)
    if isinstance(strategy, dict):
        mapping = {str(label): i for i, label in enumerate(encoder.classes_)}
        sampler = clone(sampler).set_params(sampling_strategy={mapping[str(k)]: v for k, v in strategy.items()})
    return sampler


def _assemble(config, cv, test, y_test, minority, majority, folds, encoder, binary) -> dict[str, Any]:
    ev = config.evaluation
    positive = minority[0]
    primary = ev.primary_metric
    metrics = [primary] + [m for m in ev.secondary_metrics if m != primary]
    cv_summary = {}
    for (classifier, comparator), group in cv.groupby(["classifier", "comparator"], sort=False):
        numeric = group.drop(columns=["classifier", "comparator", "fold"])
        cv_summary.setdefault(classifier, {})[comparator] = {
            m: {"mean": float(numeric[m].mean()), "std": float(numeric[m].std(ddof=1))} for m in numeric.columns}
    test_summary = {}
    for (classifier, comparator), r in test.items():
        score = r["proba"][:, positive]
        entry = {"metrics": classification_metrics(y_test, r["proba"], r["pred"], minority, majority),
                 "confusion": confusion(y_test, r["pred"], positive), "n_train_rows": int(r["n_fit"])}
        if binary:
            entry["curves"] = curves(y_test, score, positive)
        fn = batch_metric(primary, positive)
        if fn is not None:
            entry["primary_ci"] = list(bootstrap_ci(fn, y_test, r["pred"], score, ev.n_bootstrap, config.split.seed))
        test_summary.setdefault(classifier, {})[comparator] = entry
    test_fraction = 1 / (ev.cv_folds - 1)
    comparisons = []
    for (classifier, comparator), group in cv.groupby(["classifier", "comparator"], sort=False):
        if comparator == "baseline":
            continue
        base = cv[(cv.classifier == classifier) & (cv.comparator == "baseline")].set_index("fold")
        this = group.set_index("fold")
        a, b = test[(classifier, "baseline")], test[(classifier, comparator)]
        for metric in metrics:
            diff = (this[metric] - base.loc[this.index, metric]).to_numpy()
            t, p = corrected_resampled_ttest(diff, test_fraction)
            row = {"classifier": classifier, "comparator": comparator, "metric": metric,
                   "cv_difference": float(np.nanmean(diff)), "t": t, "p_value": p}
            fn = batch_metric(metric, positive)
            if fn is not None:
                boot = paired_bootstrap(fn, y_test, (a["pred"], a["proba"][:, positive]),
                                        (b["pred"], b["proba"][:, positive]), ev.n_bootstrap, config.split.seed)
                row.update(test_difference=boot["difference"], ci_low=boot["ci_low"], ci_high=boot["ci_high"])
            else:
                value = test_summary[classifier][comparator]["metrics"][metric] - test_summary[classifier]["baseline"]["metrics"][metric]
                row.update(test_difference=float(value), ci_low=None, ci_high=None)
            comparisons.append(row)
        comparisons[-len(metrics)]["mcnemar"] = mcnemar(y_test, a["pred"], b["pred"])
    for metric in metrics:  # Holm across all comparator x classifier comparisons of one metric
        rows = [r for r in comparisons if r["metric"] == metric]
        for r, adjusted in zip(rows, holm([r["p_value"] for r in rows])):
            r["p_holm"] = adjusted
            r["verdict"] = verdict(r["cv_difference"], adjusted, ev.alpha, lower_is_better=metric == "brier")
    return {
        "classes": {"labels": [str(c) for c in encoder.classes_], "minority": [str(encoder.classes_[m]) for m in minority],
                    "majority": str(encoder.classes_[majority]), "positive": str(encoder.classes_[positive])},
        "protocol": {"cv_folds": ev.cv_folds, "cv_repeats": ev.cv_repeats, "seed": config.split.seed,
                     "alpha": ev.alpha, "primary_metric": primary, "metrics": metrics, "n_bootstrap": ev.n_bootstrap,
                     "test": "Nadeau-Bengio corrected resampled t-test, Holm-corrected per metric",
                     "threshold_objective": ev.threshold_objective},
        "fold_indices": [{"train": tr.tolist(), "validation": va.tolist()} for tr, va in folds],
        "cv": cv_summary, "cv_folds": cv.to_dict(orient="records"), "test": test_summary,
        "comparisons": comparisons,
    }


def verdict(difference: float, p_adjusted: float, alpha: float, lower_is_better: bool = False) -> str:
    """`improved`, `worse` or `no significant difference` at `alpha` (after Holm)."""
    if not np.isfinite(p_adjusted) or p_adjusted >= alpha or difference == 0:
        return "no significant difference"
    better = difference < 0 if lower_is_better else difference > 0
    return "improved" if better else "worse"


def summarise(utility: dict[str, Any], config: AuditConfig) -> dict[str, Any]:
    """Ranked (comparator, classifier) table, best augmented configuration, and the success criteria verdicts."""
    primary = utility["protocol"]["primary_metric"]
    sign = -1 if primary == "brier" else 1
    ranked = []
    for classifier, by_comparator in utility["cv"].items():
        for comparator, metrics in by_comparator.items():
            test = utility["test"][classifier][comparator]
            ranked.append({"comparator": comparator, "classifier": classifier, "cv_mean": metrics[primary]["mean"],
                           "cv_std": metrics[primary]["std"], "test_value": test["metrics"][primary],
                           "test_ci": test.get("primary_ci")})
    ranked.sort(key=lambda r: sign * r["cv_mean"], reverse=True)
    augmented = [r for r in ranked if r["comparator"] not in BASELINES]
    best = augmented[0] if augmented else None
    out: dict[str, Any] = {"primary_metric": primary, "ranked": ranked, "best": ranked[0] if ranked else None,
                           "best_augmented": best, "criteria": []}
    if best is None:
        return out
    rows = {(c["classifier"], c["comparator"], c["metric"]): c for c in utility["comparisons"]}
    out["best_augmented_differences"] = {
        m: rows[(best["classifier"], best["comparator"], m)] for m in utility["protocol"]["metrics"]
        if (best["classifier"], best["comparator"], m) in rows}
    for extra in ("precision_minority", "accuracy"):
        if extra not in out["best_augmented_differences"]:
            base = utility["test"][best["classifier"]]["baseline"]["metrics"][extra]
            value = utility["test"][best["classifier"]][best["comparator"]]["metrics"][extra]
            out["best_augmented_differences"][extra] = {"metric": extra, "test_difference": value - base,
                                                        "ci_low": None, "ci_high": None, "p_holm": None}
    cheap = {}
    for alternative in ("class_weighted", "tuned_threshold"):
        if alternative in utility["cv"][best["classifier"]]:
            cheap[alternative] = utility["cv"][best["classifier"]][alternative][primary]["mean"]
    out["cheap_alternatives"] = cheap
    for criterion in config.evaluation.success_criteria:
        row = rows.get((best["classifier"], best["comparator"], criterion.metric))
        if row is None:
            out["criteria"].append({"metric": criterion.metric, "met": False, "reason": "metric not evaluated"})
            continue
        met = (row["test_difference"] >= criterion.min_improvement and row["p_holm"] is not None
               and row["p_holm"] <= criterion.max_p_value)
        out["criteria"].append({"metric": criterion.metric, "min_improvement": criterion.min_improvement,
                                "max_p_value": criterion.max_p_value, "observed": row["test_difference"],
                                "ci_low": row.get("ci_low"), "ci_high": row.get("ci_high"), "p_holm": row["p_holm"],
                                "met": bool(met), "configuration": f"{best['comparator']} + {best['classifier']}"})
    return out
