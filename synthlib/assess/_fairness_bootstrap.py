"""Bootstrap intervals for fairness: per-group rates, the gaps and the four-fifths ratio of one model, and the change
of each gap between two models on the same draws.

Intervals. A gap is the max - min (or min / max) of group rates, so its plug-in estimate and its bootstrap
distribution are biased away from parity (the largest of several noisy rates overshoots). Percentile intervals
inherit that bias; the basic (reverse-percentile) bootstrap, `[2 g - q(97.5), 2 g - q(2.5)]`, corrects for it to first
order and is what gaps, ratios and their changes get here. BCa would need a jackknife over every test row per model
(tens of thousands of refits of the group counts on the larger tables) and scipy's `bootstrap` resamples one statistic
at a time, while these draws serve every configuration at once; so the draws are vectorised here (one `np.bincount`
for all draws) and the basic interval is taken from them. Group rates (proportions, unbiased) get percentile
intervals. Bounded quantities are clipped to their range (a rate or ratio to [0, 1]).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ._fairness import GAPS, MIN_GROUP_SIZE, MIN_VALID_DRAWS, Outcomes, _judged, model_fairness
from ._results import GapChanges, GapMove

WIDENING_GAPS = ("demographic_parity_difference", "equalized_odds_difference")
FALLING_RATIOS = ("demographic_parity_ratio",)  # a parity ratio that falls is a gap that widens
RATES = ("favourable_rate", "tpr", "fpr")


class Draws(NamedTuple):
    """One model's bootstrap values: the four gaps per draw, and each group's rates (groups x draws)."""

    gaps: pd.DataFrame
    rates: dict[str, np.ndarray]
    groups: tuple[str, ...]


def _spreads(rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per draw (columns), max - min and min / max over the groups (rows) whose rate is defined in that draw."""
    finite = np.isfinite(rates)
    valid = finite.sum(0) >= 2
    high = np.where(valid, np.max(np.where(finite, rates, -np.inf), axis=0, initial=-np.inf), np.nan)
    low = np.where(valid, np.min(np.where(finite, rates, np.inf), axis=0, initial=np.inf), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return high - low, np.where(high > 0, low / high, np.nan)


def draw_fairness(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, outcomes: Outcomes, idx: np.ndarray) -> Draws:
    """The gaps and group rates for every bootstrap draw (rows of `idx`), vectorised over draws.

    Point values come from `model_fairness`; a MetricFrame per draw would take minutes, so the group counts
    of all draws are taken in one `np.bincount`, over the groups judged on the full test split. A test
    checks these per-draw values against fairlearn on the same draws.
    """
    codes, values = pd.factorize(pd.Series(groups), sort=True)
    n_boot, n_groups = len(idx), len(values)
    yt, yp = np.isin(y, outcomes.minority), np.isin(pred, outcomes.minority)
    truth = pd.Series(yt).groupby(codes)
    judged = _judged(truth.size().reindex(range(n_groups)), truth.sum().reindex(range(n_groups)))
    flat = (np.arange(n_boot)[:, None] * n_groups + codes[idx]).ravel()

    def count(mask: np.ndarray) -> np.ndarray:  # (groups, draws)
        return np.bincount(flat, weights=mask[idx].ravel(), minlength=n_boot * n_groups).reshape(n_boot, n_groups).T

    members, positives = count(np.ones(len(y))), count(yt)
    with np.errstate(invalid="ignore", divide="ignore"):
        favourable = count(np.isin(pred, outcomes.favourable)) / members
        tpr, fpr = count(yp & yt) / positives, count(yp & ~yt) / (members - positives)
    dp_diff, dp_ratio = _spreads(favourable[judged.favourable])
    tpr_diff, tpr_ratio = _spreads(tpr[judged.tpr])
    fpr_diff, fpr_ratio = _spreads(fpr[judged.fpr])
    gaps = pd.DataFrame({"demographic_parity_difference": dp_diff, "demographic_parity_ratio": dp_ratio,
                         "equalized_odds_difference": np.maximum(tpr_diff, fpr_diff),
                         "equalized_odds_ratio": np.minimum(tpr_ratio, fpr_ratio)})
    return Draws(gaps, {"favourable_rate": favourable, "tpr": tpr, "fpr": fpr}, tuple(str(v) for v in values))


def _bootstrap_gaps(y: np.ndarray, pred: np.ndarray, groups: np.ndarray, outcomes: Outcomes, idx: np.ndarray) -> pd.DataFrame:
    """The four gaps for every bootstrap draw (see `draw_fairness`)."""
    return draw_fairness(y, pred, groups, outcomes, idx).gaps


def basic_interval(point: float, draws: np.ndarray, bounds: tuple[float, float]) -> tuple[float, float]:
    """The basic bootstrap 95% interval `[2 point - q97.5, 2 point - q2.5]`, clipped to `bounds`."""
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(np.clip(2 * point - high, *bounds)), float(np.clip(2 * point - low, *bounds))


def with_intervals(fairness: dict[str, Any], draws: Draws, n_boot: int) -> dict[str, Any]:
    """`model_fairness`'s result with 95% intervals: `intervals[gap]` (basic bootstrap; the four-fifths rule reads
    the demographic-parity ratio's) and each judged group's `favourable_rate_ci`, `tpr_ci`, `fpr_ci` (percentile)."""
    intervals = {}
    for key in GAPS:
        values = draws.gaps[key].to_numpy()
        values = values[np.isfinite(values)]
        if fairness[key] is not None and len(values) >= MIN_VALID_DRAWS * n_boot:
            intervals[key] = list(basic_interval(fairness[key], values, (0.0, 1.0)))
    by_group = []
    position = {g: i for i, g in enumerate(draws.groups)}
    for row in fairness["by_group"]:
        row = dict(row)
        for rate in RATES:
            values = draws.rates[rate][position[row["group"]]] if row["group"] in position else np.empty(0)
            values = values[np.isfinite(values)]
            usable = row.get(rate) is not None and row["n"] >= MIN_GROUP_SIZE
            row[f"{rate}_ci"] = (list(np.clip(np.percentile(values, [2.5, 97.5]), 0, 1).astype(float))
                                 if usable and len(values) >= MIN_VALID_DRAWS * n_boot else None)
        by_group.append(row)
    return {**fairness, "by_group": by_group, "intervals": intervals}


def change_between(before: dict[str, Any], after: dict[str, Any], draws_before: Draws, draws_after: Draws,
                   tolerance: float, n_boot: int, reference: tuple[str, str] | None = None) -> GapChanges:
    """Change of each gap (after - before) with its basic-bootstrap CI on the same draws for both models.

    `widened_significantly`: difference gaps whose change has a CI lower bound above `tolerance`, and the
    demographic-parity ratio when its fall has a CI upper bound below `-tolerance`; `widened_point_estimate`: those
    whose point change passes the tolerance (for information)."""
    draws = draws_after.gaps - draws_before.gaps
    reasons, moves = {}, {}
    for key in GAPS:
        move = GapMove(before[key], after[key])
        values = draws[key].to_numpy()
        values = values[np.isfinite(values)]
        why_before, why_after = before["reasons"], after["reasons"]
        if move.before is None or move.after is None:
            reasons[key] = why_before.get(key) or why_after.get(key)
        elif len(values) >= MIN_VALID_DRAWS * n_boot:
            change = move.after - move.before
            low, high = basic_interval(change, values, (-1.0, 1.0))
            move = replace(move, change=change, ci_low=low, ci_high=high)
        else:
            move = replace(move, change=move.after - move.before)
            reasons[key] = (f"the gap is undefined in {n_boot - len(values)} of {n_boot} bootstrap draws "
                            "(groups too small): no CI")
        moves[key] = move

    def beyond(widening: str, falling: str) -> list[str]:
        """The gaps whose `widening` bound passes the tolerance, and the ratios whose `falling` bound falls below it."""
        return ([k for k in WIDENING_GAPS if (v := getattr(moves[k], widening)) is not None and v > tolerance]
                + [k for k in FALLING_RATIOS if (v := getattr(moves[k], falling)) is not None and v < -tolerance])

    return GapChanges(reasons, **moves, widened_significantly=tuple(beyond("ci_low", "ci_high")),
                      widened_point_estimate=tuple(beyond("change", "change")), reference=reference)


def gap_change(y: np.ndarray, pred_before: np.ndarray, pred_after: np.ndarray, groups: np.ndarray, outcomes: Outcomes,
               tolerance: float, n_boot: int = 200, seed: int = 0, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None) -> dict[str, Any]:
    """`change_between` two models' predictions as results.json stores it, drawing the bootstrap here (`before` /
    `after` are their `model_fairness` results when already computed)."""
    before = before or model_fairness(y, pred_before, groups, outcomes)
    after = after or model_fairness(y, pred_after, groups, outcomes)
    idx = np.random.default_rng(seed).integers(0, len(y), (n_boot, len(y)))
    return change_between(before, after, draw_fairness(y, pred_before, groups, outcomes, idx),
                          draw_fairness(y, pred_after, groups, outcomes, idx), tolerance, n_boot).to_json()
