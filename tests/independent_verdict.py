"""An independent re-implementation of the verdict's rules, from results.json alone, with numpy and scipy only.

Written from the rules as the issue and the report state them, not from `synthlib.decide`, and importing nothing from
synthlib: the best configuration of each kind by mean CV objective (each at its own operating threshold; degenerate
ones and those below the precision floor left out), the one-sided Nadeau-Bengio t-test of candidate - reference
against the minimum improvement on the same CV folds, Holm over the rows that decide, the test-split CI past the
margin, the matched-precision guard for a threshold-dependent objective, and "helps" only when every deciding row
is met. The test-split CIs are read from results.json (the bootstrap needs the predictions, which are not stored).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

LOWER_IS_BETTER = {"brier", "log_loss", "expected_cost", "ece"}
MATCHED = "recall_at_matched_precision"
THRESHOLD_FREE = {"roc_auc", "pr_auc", "brier", "log_loss", "ece"}
WITHOUT_SYNTHETIC = {"baseline", "class_weighted", "tuned_threshold"}


def _folds(results: dict[str, Any], configuration: tuple[str, str], metric: str) -> dict[int, float]:
    classifier, comparator = configuration
    return {row["fold"]: row[metric] for row in results["utility"]["cv_folds"]
            if row["classifier"] == classifier and row["comparator"] == comparator and row.get(metric) is not None}


def _eligible(results: dict[str, Any], configuration: tuple[str, str]) -> bool:
    classifier, comparator = configuration
    test = results["utility"]["test"][classifier][comparator]
    if test["confusion"]["tp"] + test["confusion"]["fp"] == 0:
        return False
    recall = np.mean(list(_folds(results, configuration, "recall_minority").values()))
    precision = np.mean(list(_folds(results, configuration, "precision_minority").values()))
    if recall == 0 and precision == 0:
        return False
    floor = results["config"]["resolved"]["evaluation"].get("precision_floor")
    return floor is None or precision >= floor


def best_of_each_kind(results: dict[str, Any]) -> dict[bool, tuple[str, str] | None]:
    """{uses synthetic rows: the eligible configuration with the best mean CV objective}, PR-AUC breaking ties."""
    objective = results["utility"]["protocol"]["primary_metric"]
    sign = -1.0 if objective in LOWER_IS_BETTER else 1.0
    best: dict[bool, tuple[tuple[float, float], tuple[str, str]] | None] = {True: None, False: None}
    for classifier, by_comparator in results["utility"]["test"].items():
        for comparator in by_comparator:
            configuration = (classifier, comparator)
            if not _eligible(results, configuration):
                continue
            key = (sign * np.mean(list(_folds(results, configuration, objective).values())),
                   np.mean(list(_folds(results, configuration, "pr_auc").values())))
            kind = comparator not in WITHOUT_SYNTHETIC
            if best[kind] is None or key > best[kind][0]:
                best[kind] = (key, configuration)
    return {kind: None if found is None else found[1] for kind, found in best.items()}


def one_sided_p(candidate: dict[int, float], reference: dict[int, float], margin: float, lower_is_better: bool,
                cv_folds: int) -> float:
    """P(candidate - reference <= margin) by the Nadeau-Bengio corrected t-test on the shared folds."""
    folds = sorted(set(candidate) & set(reference))
    d = np.array([candidate[f] - reference[f] for f in folds]) * (-1.0 if lower_is_better else 1.0)
    spread = np.var(d, ddof=1)
    if spread <= 1e-12 * max(1.0, d.mean() ** 2):
        return 0.0 if d.mean() > margin else 1.0
    t = (d.mean() - margin) / np.sqrt((1 / len(d) + 1 / (cv_folds - 1)) * spread)
    return float(stats.t.sf(t, len(d) - 1))


def holm(p: list[float]) -> list[float]:
    order = np.argsort(p)
    adjusted, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def independent_verdict(results: dict[str, Any]) -> dict[str, Any]:
    """The answer to "does augmentation help?" with the deciding rows' p-values, from the rules alone."""
    protocol = results["utility"]["protocol"]
    evaluation = results["config"]["resolved"]["evaluation"]
    best = best_of_each_kind(results)
    candidate, reference = best[True], best[False]
    if candidate is None or reference is None:
        return {"best_augmented": candidate, "best_alternative": reference, "rows": [], "answer": None}
    objective = protocol["primary_metric"]
    rows = [{"metric": objective, "margin": evaluation["min_improvement"], "alpha": evaluation["alpha"]}]
    for criterion in evaluation.get("success_criteria") or ():
        if criterion["metric"] != objective:
            rows.append({"metric": criterion["metric"], "margin": criterion["min_improvement"],
                         "alpha": criterion.get("max_p_value", evaluation["alpha"])})
    if objective not in THRESHOLD_FREE and protocol.get("matched_precision") is not None:
        rows.append({"metric": MATCHED, "margin": 0.0, "alpha": evaluation["alpha"]})
    stored = {r["metric"]: r for r in results["verdict"]["evidence"] if r.get("decides")}
    for row in rows:
        lower = row["metric"] in LOWER_IS_BETTER
        row["p"] = one_sided_p(_folds(results, candidate, row["metric"]), _folds(results, reference, row["metric"]),
                               row["margin"], lower, protocol["cv_folds"])
        ci = stored[row["metric"]]
        row["past_margin"] = (ci["ci_high"] < -row["margin"] if lower else ci["ci_low"] > row["margin"]) \
            if ci.get("ci_low") is not None else False
    for row, adjusted in zip(rows, holm([r["p"] for r in rows])):
        row["p_holm"] = adjusted
        row["met"] = adjusted <= row["alpha"] and row["past_margin"]
    matched = next((r for r in rows if r["metric"] == MATCHED), None)
    for row in rows:
        if row["metric"] != MATCHED and row["metric"] not in THRESHOLD_FREE and matched is not None and not matched["met"]:
            row["met"] = False  # a gain that vanishes at the matched precision is a threshold shift
    return {"best_augmented": candidate, "best_alternative": reference, "rows": rows,
            "answer": "helps" if all(r["met"] for r in rows) else "no evidence"}


def check_against(results: dict[str, Any]) -> None:
    """Assert the stored verdict agrees with the independent re-implementation."""
    verdict = results["verdict"]
    mine = independent_verdict(results)
    for key, kind in (("best_augmented", True), ("best_alternative", False)):
        stored = verdict.get(key)
        assert (None if stored is None else (stored["classifier"], stored["comparator"])) == mine[key], key
    if mine["answer"] is None:
        return
    assert verdict["augmentation_helps"] == mine["answer"], (verdict["augmentation_helps"], mine["rows"])
    deciding = {r["metric"]: r for r in verdict["evidence"] if r.get("decides")}
    assert set(deciding) == {r["metric"] for r in mine["rows"]}
    for row in mine["rows"]:
        theirs = deciding[row["metric"]]
        assert np.isclose(theirs["p_value"], row["p"], atol=1e-9), (row, theirs)
        assert np.isclose(theirs["p_holm"], row["p_holm"], atol=1e-9), (row, theirs)
        assert bool(theirs["met"]) == row["met"], (row, theirs)
