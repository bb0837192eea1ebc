"""The fairness section of the audit: per sensitive attribute, every configuration's group rates and gaps with their
intervals (absolute levels), the change of its gaps against its classifier's plain baseline, and against the
strongest configuration of the other kind (`references`: the best with and the best without synthetic rows by the
CV objective), all on one set of seeded bootstrap draws per attribute."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from synthlib.config import AuditConfig, uses_synthetic

from ._fairness import (MIN_GROUP_SIZE, NO_SENSITIVE, OUTSIDE_BINS, group_sizes, model_fairness, representation,
                        resolve_outcomes, sensitive_groups)
from ._fairness_bootstrap import change_between, draw_fairness, with_intervals
from ._results import GapChanges, GapMove

Configuration = tuple[str, str]


def matrix_rows(models: dict[str, dict[str, Any]], changes: dict[str, GapChanges], classifier: str) -> list[dict[str, Any]]:
    """One row per configuration of `classifier`: per gap its value, change with CI, and the significance flag."""
    rows = []
    for comparator, fairness in models.items():
        change = changes.get(comparator)
        row: dict[str, Any] = {"classifier": classifier, "comparator": comparator,
                               "four_fifths_violated": fairness["four_fifths_violated"]}
        for key in ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference"):
            moved = change.move(key) if change else GapMove(None, None)
            row[key] = {"value": fairness[key], "change": moved.change, "ci_low": moved.ci_low, "ci_high": moved.ci_high,
                        "flagged": bool(change and key in change.widened_significantly)}
        rows.append(row)
    return rows


def other_kind(references: dict[str, Configuration], comparator: str) -> Configuration | None:
    """The reference a configuration is compared with: the best of the other kind (with / without synthetic rows)."""
    return references.get("without_synthetic" if uses_synthetic(comparator) else "with_synthetic")


def assess(config: AuditConfig, X_test: pd.DataFrame, y_test: np.ndarray, predictions: dict[str, dict[str, np.ndarray]],
           real_minority: pd.DataFrame, synthetic_minority: dict[str, pd.DataFrame], classes: Sequence[Any],
           minority: Sequence[Any], references: dict[str, tuple[Configuration, np.ndarray]] | None = None) -> dict[str, Any]:
    """Fairness section of the audit.

    `predictions[classifier][comparator]` are encoded test predictions; `classes` are the original labels
    in encoded order (`LabelEncoder.classes_`), `minority` the original minority labels; `references` maps
    "with_synthetic" / "without_synthetic" to the best configuration of that kind and its test predictions.
    """
    if not config.features.sensitive:
        return {"available": False, "statement": NO_SENSITIVE}
    fc = config.fairness
    references = references or {}
    outcomes = resolve_outcomes(classes, minority, fc.favourable_label, config.source_file or "the params file")
    y_test = np.asarray(y_test)
    test_groups = sensitive_groups(X_test, config)
    real_groups = sensitive_groups(real_minority, config)
    out: dict[str, Any] = {
        "available": True, "attributes": list(test_groups.columns), "tolerance": fc.tolerance, "n_bootstrap": fc.n_bootstrap,
        "disparate_impact_min": fc.disparate_impact_min, "min_group_size": MIN_GROUP_SIZE,
        "favourable_outcome": outcomes.favourable_outcome,
        "equalized_odds_on": f"true and false positive rates of the minority outcome, {outcomes.minority_outcome}",
        "intervals": "gaps, ratios and their changes: basic bootstrap 95%; group rates: percentile 95%",
        "references": {kind: list(configuration) for kind, (configuration, _) in references.items()}}
    idx = np.random.default_rng(config.split.seed).integers(0, len(y_test), (fc.n_bootstrap, len(y_test)))
    leaders = {kind: configuration for kind, (configuration, _) in references.items()}
    leader_predictions = dict(references.values())
    sections: dict[str, dict[str, Any]] = {name: {} for name in ("groups", "models", "changes", "reference_changes",
                                                                  "matrix", "representation")}
    notes = []
    for attribute in test_groups.columns:
        groups = test_groups[attribute].to_numpy()
        sizes = group_sizes(y_test, groups, outcomes)
        outside = sizes["n"].get(OUTSIDE_BINS, 0)
        if outside:
            notes.append(f"{outside} test rows of `{attribute}` fall outside the configured bins; they form the group "
                         f"`{OUTSIDE_BINS}`")
        cache: dict[Configuration, tuple[dict[str, Any], Any]] = {}

        def measured(configuration: Configuration, pred: np.ndarray) -> tuple[dict[str, Any], Any]:
            """A configuration's fairness (with intervals) and its draws, computed once per attribute."""
            if configuration not in cache:
                draws = draw_fairness(y_test, pred, groups, outcomes, idx)
                point = model_fairness(y_test, pred, groups, outcomes, fc.disparate_impact_min)
                cache[configuration] = (with_intervals(point, draws, fc.n_bootstrap), draws)
            return cache[configuration]

        models, changes, against, matrix = {}, {}, {}, []
        for classifier, by_comparator in predictions.items():
            models[classifier], own, others = {}, {}, {}
            for comparator, pred in by_comparator.items():
                fairness, draws = measured((classifier, comparator), pred)
                models[classifier][comparator] = fairness
                if comparator != "baseline" and "baseline" in by_comparator:
                    base, base_draws = measured((classifier, "baseline"), by_comparator["baseline"])
                    own[comparator] = change_between(base, fairness, base_draws, draws, fc.tolerance, fc.n_bootstrap)
                reference = other_kind(leaders, comparator)
                if reference is not None:
                    ref, ref_draws = measured(reference, leader_predictions[reference])
                    others[comparator] = change_between(ref, fairness, ref_draws, draws, fc.tolerance, fc.n_bootstrap,
                                                        reference)
            changes[classifier] = {comparator: change.to_json() for comparator, change in own.items()}
            against[classifier] = {comparator: change.to_json() for comparator, change in others.items()}
            matrix += matrix_rows(models[classifier], own, classifier)
        representations = {method: representation(real_groups[attribute].to_numpy(),
                                                   sensitive_groups(synthetic, config)[attribute].to_numpy(), fc.tolerance)
                           for method, synthetic in synthetic_minority.items()}
        for name, value in (("groups", sizes), ("models", models), ("changes", changes), ("reference_changes", against),
                            ("matrix", matrix), ("representation", representations)):
            if name != "representation" or value:
                sections[name][attribute] = value
    return {**out, **sections, "notes": notes}
