"""Fairness review: group rates per model and sensitive attribute (checked against fairlearn), gaps before vs after
augmentation with paired bootstrap CIs, and representation of groups in real vs synthetic minority rows.

Semantics (stated in the result so the report can say them):
- demographic parity (difference, ratio) and the four-fifths rule use the FAVOURABLE outcome rate
  (`fairness.favourable_label`, default: any class that is not a minority class, e.g. approval);
- equalized odds uses the true and false positive rates of predicting a minority class;
- a group with fewer than `MIN_GROUP_SIZE` test rows is too small to judge and left out of every gap
  (and of the TPR / FPR part when it has no minority / no other truth rows);
- a gap "widened significantly" only when the lower bound of the CI of its change exceeds the tolerance.
A value that cannot be computed is None with its reason in `reasons`; the result is JSON-safe.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from synthlib.config import AuditConfig
from synthlib.errors import DataError

logger = logging.getLogger(__name__)

NO_SENSITIVE = ("No sensitive attributes are configured for this data set (features.sensitive is empty), so no "
                "group fairness metrics were computed. If the data describe people, list the protected attributes "
                "in the params file and re-run the audit.")
MIN_GROUP_SIZE = 10
OUTSIDE_BINS = "outside bins"
MISSING_GROUP = "missing"
SINGLE_GROUP = "single group: no comparison possible"
GAPS = ("demographic_parity_difference", "demographic_parity_ratio", "equalized_odds_difference", "equalized_odds_ratio")
MIN_VALID_DRAWS = 0.8  # a CI needs the gap to be defined in at least this share of bootstrap draws


@dataclass(frozen=True)
class Outcomes:
    """Encoded classes: the minority (adverse) ones for equalized odds, the favourable ones for parity."""

    minority: tuple[int, ...]
    favourable: tuple[int, ...]
    favourable_outcome: str
    minority_outcome: str


def resolve_outcomes(classes: Sequence[Any], minority: Sequence[Any], favourable_label: Any = None,
                     where: str = "the params file") -> Outcomes:
    """Encoded minority and favourable classes from the original labels (`classes` in encoded order).

    Labels match by their text, as `dataset.minority` does, so `1` in YAML matches a class read as "1".
    """
    by_text = {str(label): code for code, label in enumerate(classes)}
    minority_codes = tuple(by_text[str(label)] for label in minority)
    names = " or ".join(f"`{classes[c]}`" for c in minority_codes)
    if favourable_label is None:
        favourable = tuple(c for c in range(len(classes)) if c not in minority_codes)
        shown = " or ".join(f"`{classes[c]}`" for c in favourable)
        description = f"predicted {shown} (not the minority)"
    else:
        if str(favourable_label) not in by_text:
            raise DataError(f"fairness.favourable_label in {where} names class {favourable_label!r}, which is not a "
                            f"class of the target; classes are: {', '.join(map(str, classes))}")
        favourable = (by_text[str(favourable_label)],)
        description = f"predicted `{favourable_label}` (fairness.favourable_label)"
    return Outcomes(minority=minority_codes, favourable=favourable, favourable_outcome=description,
                    minority_outcome=f"predicted {names} (the minority)")


def sensitive_groups(frame: pd.DataFrame, config: AuditConfig) -> pd.DataFrame:
    """One column of group labels per sensitive attribute (continuous ones binned), plus intersections.

    Values outside the configured bins form the explicit group `outside bins` (with a warning), missing
    values the group `missing`: never a silent `nan` group.
    """
    groups = {}
    for attribute in config.features.sensitive:
        values = frame[attribute.column]
        labels = values.astype(object)
        if attribute.bins is not None:
            binned = pd.cut(pd.to_numeric(values, errors="coerce"), bins=list(attribute.bins),
                            labels=list(attribute.labels) if attribute.labels else None, include_lowest=True)
            labels = binned.astype(object)
            outside = binned.isna() & values.notna()
            if outside.any():
                logger.warning("%d rows of `%s` fall outside the bins %s; they form the group `%s`",
                               int(outside.sum()), attribute.column, list(attribute.bins), OUTSIDE_BINS)
                labels[outside] = OUTSIDE_BINS
        labels[values.isna()] = MISSING_GROUP
        groups[attribute.column] = labels.astype(str).to_numpy()
    out = pd.DataFrame(groups, index=frame.index)
    if config.fairness.intersections and len(out.columns) > 1:
        out[" x ".join(out.columns)] = out.agg(" | ".join, axis=1)
    return out


def _finite(value: Any) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def group_sizes(y: np.ndarray, groups: np.ndarray, outcomes: Outcomes) -> dict[str, Any]:
    """Test rows per group, which groups are too small to judge, and which lack minority truth rows."""
    truth = pd.Series(np.isin(y, outcomes.minority)).groupby(groups)
    n, positives = truth.size(), truth.sum()
    too_small = sorted(str(g) for g in n.index[n < MIN_GROUP_SIZE])
    judged = [str(g) for g in n.index if n[g] >= MIN_GROUP_SIZE]
    if len(n) == 1:
        note = SINGLE_GROUP
    elif len(judged) < 2:
        note = f"fewer than two groups with at least {MIN_GROUP_SIZE} test rows: no comparison possible"
    else:
        note = None
    return {"n": {str(g): int(v) for g, v in n.items()},
            "minority_truth": {str(g): int(v) for g, v in positives.items()},
            "too_small": too_small, "judged": judged,
            "no_minority_truth": sorted(str(g) for g in judged if positives[g] == 0),
            "comparable": note is None, "note": note}


class Judged(NamedTuple):
    """Masks of the groups entering each rate's gap: enough rows, and for TPR / FPR truth rows of the right kind."""

    favourable: np.ndarray
    tpr: np.ndarray
    fpr: np.ndarray


def _judged(n: pd.Series, positives: pd.Series) -> Judged:
    big = (n >= MIN_GROUP_SIZE).to_numpy()
    return Judged(big, big & (positives > 0).to_numpy(), big & ((n - positives) > 0).to_numpy())


def _spread(rates: pd.Series, what: str) -> tuple[float | None, float | None, str | None]:
    """Difference (max - min) and ratio (min / max) of the judged groups' rates, or None with the reason.

    fairlearn's single-number metrics include every group (a 3-row group, or one without minority truth
    rows whose TPR fairlearn reports as 0), so the spread is taken over the judged groups of its MetricFrame.
    """
    rates = rates.dropna()
    if len(rates) < 2:
        return None, None, f"fewer than two groups can be judged on the {what}"
    high, low = float(rates.max()), float(rates.min())
    if high == 0:
        return high - low, None, f"no judged group has a {what} above 0 (ratio 0/0)"
    return high - low, low / high, None


def _gaps_from_rates(favourable: pd.Series, tpr: pd.Series, fpr: pd.Series) -> tuple[dict[str, float | None], dict[str, str]]:
    """The four gaps over judged groups, and the reason for each one that is None."""
    dp_diff, dp_ratio, dp_reason = _spread(favourable, "favourable outcome rate")
    tpr_diff, tpr_ratio, tpr_reason = _spread(tpr, "true positive rate")
    fpr_diff, fpr_ratio, fpr_reason = _spread(fpr, "false positive rate")
    gaps = {"demographic_parity_difference": dp_diff, "demographic_parity_ratio": dp_ratio,
            "equalized_odds_difference": None if tpr_diff is None or fpr_diff is None else max(tpr_diff, fpr_diff),
            "equalized_odds_ratio": None if tpr_ratio is None or fpr_ratio is None else min(tpr_ratio, fpr_ratio)}
    reasons = {"demographic_parity_difference": dp_reason, "demographic_parity_ratio": dp_reason,
               "equalized_odds_difference": tpr_reason if tpr_diff is None else fpr_reason,
               "equalized_odds_ratio": tpr_reason if tpr_ratio is None else fpr_reason}
    return gaps, {k: reasons[k] for k, v in gaps.items() if v is None}


def group_rates(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, outcomes: Outcomes) -> pd.DataFrame:
    """Per group: rows, minority truth rows, favourable and minority prediction rates, and the TPR, FPR
    and precision of predicting a minority class (NaN where a rate has no rows to count).

    The same rates as fairlearn's `MetricFrame` (a test checks them against it), counted in one pandas
    group-by: fairlearn 0.15 stacks every row in Python for each metric and group, about 1 s per model
    at 4,000 test rows, and the audit computes one per configuration and attribute.
    """
    truth, predicted = np.isin(y, outcomes.minority), np.isin(pred, outcomes.minority)
    counts = pd.DataFrame({"n": 1, "truth": truth, "predicted": predicted, "favourable": np.isin(pred, outcomes.favourable),
                           "tp": truth & predicted, "fp": ~truth & predicted}).groupby(groups, sort=True).sum()
    return pd.DataFrame({"n": counts["n"], "minority_truth": counts["truth"],
                         "favourable_rate": counts["favourable"] / counts["n"],
                         "minority_rate": counts["predicted"] / counts["n"],
                         "tpr": counts["tp"] / counts["truth"], "fpr": counts["fp"] / (counts["n"] - counts["truth"]),
                         "precision": counts["tp"] / counts["predicted"]})


def model_fairness(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, outcomes: Outcomes,
                   disparate_impact_min: float = 0.8) -> dict[str, Any]:
    """Rates by group, the gaps over judged groups, and the four-fifths rule (on the favourable outcome)."""
    rates = group_rates(y, pred, groups, outcomes)
    judged = _judged(rates.n, rates.minority_truth)
    gaps, reasons = _gaps_from_rates(rates.favourable_rate[judged.favourable], rates.tpr[judged.tpr],
                                     rates.fpr[judged.fpr])
    if len(rates) == 1:
        reasons = {k: SINGLE_GROUP for k in reasons}
    by_group = []
    for i, (group, row) in enumerate(rates.iterrows()):
        note = (f"too small to judge (n = {int(row.n)} < {MIN_GROUP_SIZE})" if not judged.favourable[i] else
                "no minority truth rows: left out of the TPR gap" if not judged.tpr[i] else
                "no other truth rows: left out of the FPR gap" if not judged.fpr[i] else None)
        by_group.append({"group": str(group), "n": int(row.n), "minority_truth": int(row.minority_truth),
                         "favourable_rate": _finite(row.favourable_rate), "minority_rate": _finite(row.minority_rate),
                         "tpr": _finite(row.tpr) if judged.tpr[i] else None,
                         "fpr": _finite(row.fpr) if judged.fpr[i] else None,
                         "precision": _finite(row.precision), "note": note})
    ratio = gaps["demographic_parity_ratio"]
    return {"by_group": by_group, **gaps, "reasons": reasons,
            "four_fifths_violated": None if ratio is None else bool(ratio < disparate_impact_min)}


def representation(real_groups: np.ndarray, synthetic_groups: np.ndarray, tolerance: float,
                   alpha: float = 0.05) -> dict[str, Any]:
    """Share of each group in real vs synthetic minority rows, chi-squared test, and an amplification flag."""
    categories = sorted(set(map(str, real_groups)) | set(map(str, synthetic_groups)))
    real = pd.Series(real_groups, dtype=str).value_counts().reindex(categories, fill_value=0)
    syn = pd.Series(synthetic_groups, dtype=str).value_counts().reindex(categories, fill_value=0)
    if real.sum() == 0 or syn.sum() == 0:
        return {"real_share": {}, "synthetic_share": {}, "chi2_p_value": None, "largest_shift": None,
                "largest_shift_group": None, "flagged": False,
                "reason": "no synthetic minority rows" if syn.sum() == 0 else "no real minority rows"}
    table = np.vstack([real.to_numpy(), syn.to_numpy()])
    table = table[:, table.sum(0) > 0]
    p = float(stats.chi2_contingency(table)[1]) if table.shape[1] > 1 else 1.0
    real_share, syn_share = real / real.sum(), syn / syn.sum()
    shift = (syn_share - real_share).abs()
    return {"real_share": real_share.round(6).to_dict(), "synthetic_share": syn_share.round(6).to_dict(),
            "chi2_p_value": p, "largest_shift": float(shift.max()), "largest_shift_group": str(shift.idxmax()),
            "flagged": bool(p < alpha and shift.max() > tolerance)}
