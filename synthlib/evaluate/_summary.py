"""The `utility` summary of the evaluation grid: CV means, test-split scores with bootstrap CIs, every comparator
against its classifier's plain baseline (corrected t-test, Holm per metric), and the matched operating point."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import pandas as pd

from synthlib.config import AuditConfig

from ._fit import FoldFit
from ._metrics import (MATCHED_RECALL, THRESHOLD_DEPENDENT, batch_metric, classification_metrics, confusion, curves,
                       higher_is_better, recall_at_precision)
from ._objective import Objective
from ._ranking import best_configuration, confirmed_on_test, rank_configurations, significant, worse_on_test
from ._results import Classes, Comparison, Protocol, UtilityResult
from ._stats import bootstrap_draws, corrected_resampled_ttest, difference_interval, holm, mcnemar, percentile_interval


def add_matched_operating_point(utility: UtilityResult, config: AuditConfig,
                                fold_scores: dict[tuple[str, str, int], np.ndarray], y: np.ndarray, y_test: np.ndarray,
                                positive: int, folds: list[tuple[np.ndarray, np.ndarray]],
                                test: dict[tuple[str, str], FoldFit]) -> UtilityResult:
    """Minority recall of every configuration at the CV precision of the best configuration without synthetic rows.

    Added to each fold record (and the CV and test summaries) as `recall_at_matched_precision`, so a gain that
    only comes from a lower threshold shows up as no gain here.
    """
    ev = config.evaluation
    reference = best_configuration(rank_configurations(utility, ev.primary_metric, ev.precision_floor), synthetic=False)
    if reference is None:
        return utility
    precision = float(reference.cv_precision)
    cv_rows = tuple({**row, MATCHED_RECALL: recall_at_precision(
        y[folds[row["fold"]][1]] == positive, fold_scores[(row["classifier"], row["comparator"], row["fold"])], precision)}
        for row in utility.cv_folds)
    frame = pd.DataFrame(list(cv_rows))
    cv = {classifier: dict(by_comparator) for classifier, by_comparator in utility.cv.items()}
    test_summary = {classifier: dict(by_comparator) for classifier, by_comparator in utility.test.items()}
    for (classifier, comparator), group in frame.groupby(["classifier", "comparator"], sort=False):
        values = group[MATCHED_RECALL]
        cv[classifier][comparator] = {**cv[classifier][comparator],
                                      MATCHED_RECALL: {"mean": float(values.mean()), "std": float(values.std(ddof=1))}}
        entry = test_summary[classifier][comparator]
        score = test[(classifier, comparator)].proba[:, positive]
        metrics = {**entry["metrics"], MATCHED_RECALL: recall_at_precision(y_test == positive, score, precision)}
        test_summary[classifier][comparator] = {**entry, "metrics": metrics}
    protocol = replace(utility.protocol, matched_precision=precision,
                       matched_precision_reference=f"{reference.comparator} + {reference.classifier}")
    utility = replace(utility, protocol=protocol, cv=cv, cv_folds=cv_rows, test=test_summary)
    return replace(utility, comparisons=_flag_threshold_shifts(utility, ev.alpha))


def _flag_threshold_shifts(utility: UtilityResult, alpha: float) -> tuple[Comparison, ...]:
    """An "improved" threshold-dependent metric is a threshold shift, not an improvement, unless the recall at the
    matched precision also rises: one-sided corrected t-test on its fold differences (p <= alpha) and a positive
    test-split difference. Relabelled rows keep the matched-precision evidence beside them."""
    folds = pd.DataFrame(list(utility.cv_folds)).set_index(["classifier", "comparator", "fold"])[MATCHED_RECALL].sort_index()
    out = []
    for row in utility.comparisons:
        if row.metric not in THRESHOLD_DEPENDENT or row.outcome != "improved":
            out.append(row)
            continue
        mine, base = folds.loc[(row.classifier, row.comparator)], folds.loc[(row.classifier, "baseline")]
        differences = (mine - base.loc[mine.index]).to_numpy()
        _, p = corrected_resampled_ttest(differences, utility.protocol.test_fraction, alternative="greater")
        test_difference = (utility.test_metrics(row.configuration)[MATCHED_RECALL]
                           - utility.test_metrics((row.classifier, "baseline"))[MATCHED_RECALL])
        row = replace(row, matched_precision_difference=float(np.nanmean(differences)), matched_precision_p=p,
                      matched_precision_test_difference=test_difference)
        if not (significant(p, alpha) and test_difference > 0):
            row = replace(row, outcome="threshold shift (no significant gain at matched precision)")
        out.append(row)
    return tuple(out)


def _assemble(config, cv, test, y_test, minority, majority, fold_record, encoder, binary) -> UtilityResult:
    ev = config.evaluation
    positive = minority[0]
    primary = ev.primary_metric
    metrics = [primary] + [m for m in ev.secondary_metrics if m != primary]
    cv_summary = {}
    for (classifier, comparator), group in cv.groupby(["classifier", "comparator"], sort=False):
        numeric = group.drop(columns=["classifier", "comparator", "fold"])
        cv_summary.setdefault(classifier, {})[comparator] = {
            m: {"mean": float(numeric[m].mean()), "std": float(numeric[m].std(ddof=1))} for m in numeric.columns}
    objective = Objective.from_config(ev)
    draws, points = _test_bootstrap(test, y_test, positive, {primary, *metrics}, ev.n_bootstrap, config.split.seed,
                                    minority, objective)
    test_summary = {}
    for (classifier, comparator), r in test.items():
        score = r.proba[:, positive]
        entry = {"metrics": classification_metrics(y_test, r.proba, r.pred, minority, majority, objective),
                 "confusion": confusion(y_test, r.pred, positive), "n_train_rows": int(r.n_fit)}
        entry["predicted_minority_rate"] = float(np.isin(r.pred, minority).mean())  # the monitor's reference
        if r.threshold is not None:  # the operating threshold on the minority score, and the default labels' metrics
            entry["decision_threshold"] = float(r.threshold)
            entry["metrics_at_default_threshold"] = classification_metrics(y_test, r.proba, r.default_pred, minority,
                                                                           majority, objective)
        if binary:
            entry["curves"] = curves(y_test, score, positive)
        if (classifier, comparator, primary) in draws:
            entry["primary_ci"] = list(percentile_interval(draws[(classifier, comparator, primary)]))
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
            key, base_key = (classifier, comparator, metric), (classifier, "baseline", metric)
            if key in draws:
                boot = difference_interval(points[key] - points[base_key], draws[key] - draws[base_key])
                interval = {"test_difference": boot["difference"], "ci_low": boot["ci_low"], "ci_high": boot["ci_high"]}
            else:
                value = test_summary[classifier][comparator]["metrics"][metric] - test_summary[classifier]["baseline"]["metrics"][metric]
                interval = {"test_difference": float(value)}
            first = metric == metrics[0]
            comparisons.append(Comparison(classifier, comparator, metric, float(np.nanmean(diff)), t, p, **interval,
                                          mcnemar=mcnemar(y_test, a.pred, b.pred) if first else None))
    for metric in metrics:  # Holm across all comparator x classifier comparisons of one metric
        rows = [i for i, r in enumerate(comparisons) if r.metric == metric]
        for i, adjusted in zip(rows, holm([comparisons[i].p_value for i in rows])):
            row = replace(comparisons[i], p_holm=adjusted)
            comparisons[i] = replace(row, outcome=comparison_outcome(row, ev.alpha))
    labels = [str(c) for c in encoder.classes_]
    return UtilityResult(
        classes=Classes(tuple(labels), tuple(labels[m] for m in minority), labels[majority], labels[positive]),
        protocol=Protocol(cv_folds=ev.cv_folds, cv_repeats=ev.cv_repeats, seed=config.split.seed, alpha=ev.alpha,
                          primary_metric=primary, metrics=tuple(metrics), n_bootstrap=ev.n_bootstrap,
                          test="Nadeau-Bengio corrected resampled t-test, Holm-corrected per metric",
                          threshold_objective=ev.threshold_rule, objective=objective.describe()),
        folds=fold_record, cv=cv_summary, cv_folds=tuple(cv.to_dict(orient="records")), test=test_summary,
        comparisons=tuple(comparisons))


def _test_bootstrap(test: dict[tuple[str, str], FoldFit], y_test: np.ndarray, positive: int, metrics: set[str],
                    n_boot: int, seed: int, minority: list[int] | None = None, objective: Objective | None = None) -> tuple[dict[tuple[str, str, str], np.ndarray], dict[tuple[str, str, str], float]]:
    """Every configuration's test-split value of every vectorised metric on the same seeded bootstrap draws, and on
    all rows: the primary-metric CIs and the paired differences against each baseline read them, so the draws are
    generated once, not once per comparison (the same numbers as `bootstrap_ci` / `paired_bootstrap`)."""
    functions, points = {}, {}
    everything = np.ones((1, len(y_test)))
    for (classifier, comparator), r in test.items():
        score = r.proba[:, positive]
        for metric in sorted(metrics):
            fn = batch_metric(metric, positive, minority=minority, n_classes=r.proba.shape[1], objective=objective)
            if fn is None:
                continue
            key = (classifier, comparator, metric)
            functions[key] = functools.partial(fn, y_test, r.pred, score)
            points[key] = float(fn(y_test, r.pred, score, everything)[0])
    return bootstrap_draws(functions, len(y_test), n_boot, seed), points


def comparison_outcome(row: Comparison, alpha: float) -> str:
    """`improved` / `worse` only when the Holm-adjusted CV test is significant (p <= alpha) in that direction
    AND the test-split CI excludes 0 on the same side; `not confirmed on test` when they disagree."""
    if not significant(row.p_holm, alpha) or not row.cv_difference:
        return "no significant difference"
    better = row.cv_difference > 0 if higher_is_better(row.metric) else row.cv_difference < 0
    if better:
        return "improved" if confirmed_on_test(row) else "not confirmed on test"
    return "worse" if worse_on_test(row) else "not confirmed on test"
