"""Whether the deployed model's probabilities are recalibrated: decided once, here, and read by the bundle and report.

Rule: recalibrate (logistic recalibration in log-odds fitted on the recommendation's held-out CV scores,
`evaluate._calibration`) where the recommendation's mean CV expected calibration error or Brier score is worse than
the reference's (by more than `WORSE_BY`), or its CV calibration error is above `ECE_WARN` on its own. The reference is the strongest
configuration of the other kind (`Verdict.comparison`), the one a reviewer would deploy instead. The rule reads CV
figures only; the test split reports the effect (before and after, beside the reference) and chooses nothing.
The recalibration keeps every decision at the operating threshold, so the verdict's evidence still holds.
"""

from __future__ import annotations

from typing import Any

from synthlib.evaluate import Configuration, UtilityResult, display_name
from ._records import Calibration, Gate

ECE_WARN = 0.1  # expected calibration error above which calibration warns
# "worse than the reference" needs more than this much (fold noise moves both by a few thousandths)
WORSE_BY = {"ece": 0.01, "brier": 0.005}
METHOD = ("logistic recalibration of the minority probability in log-odds (Platt scaling), fitted on the held-out "
          "scores of every CV fold; the decisions at the operating threshold are unchanged")


def _cv(utility: UtilityResult, configuration: Configuration) -> dict[str, float | None]:
    summary = utility.cv_summary(configuration)
    return {m: summary[m]["mean"] if m in summary else None for m in ("brier", "ece")}


def _worse(mine: dict[str, float | None], theirs: dict[str, float | None]) -> list[str]:
    names = {"brier": "Brier score", "ece": "calibration error"}
    return [f"{names[m]} {mine[m]:.3f} vs {theirs[m]:.3f}" for m in ("ece", "brier")
            if mine.get(m) is not None and theirs.get(m) is not None and mine[m] > theirs[m] + WORSE_BY[m]]


def calibration_decision(utility: UtilityResult, recommended: Configuration,
                         reference: Configuration | None) -> Calibration | None:
    """See the module docstring; None for multi-class tasks (no recalibration there)."""
    entry = utility.test_entry(recommended).get("recalibration")
    if not utility.classes.binary or entry is None:
        return None
    mine = _cv(utility, recommended)
    theirs = _cv(utility, reference) if reference is not None else None
    worse = _worse(mine, theirs) if theirs else []
    loose = mine.get("ece") is not None and mine["ece"] > ECE_WARN
    fitted = "slope" in entry
    if not (worse or loose):
        reason = (f"its CV calibration is no worse than {display_name(reference)}'s and its CV calibration error is "
                  f"at most {ECE_WARN:.2f}" if reference else f"its CV calibration error is at most {ECE_WARN:.2f}")
    else:
        why = (f"CV {', '.join(worse)} ({display_name(reference)})" if worse else "") + \
              ("; " if worse and loose else "") + (f"CV calibration error above {ECE_WARN:.2f}" if loose else "")
        reason = why if fitted else f"{why}, but {entry['reason']}"
    extra: dict[str, Any] = {}
    if reference is not None:
        ref_entry = utility.test_entry(reference).get("recalibration") or {}
        extra.update(reference=display_name(reference), cv_reference=theirs, test_reference=ref_entry.get("before"))
    if fitted:
        extra.update(after=entry["after"], slope=entry["slope"], intercept=entry["intercept"], rows=entry["rows"])
    return Calibration(bool((worse or loose) and fitted), reason, METHOD, mine, entry["before"], **extra)


def calibration_gate(calibration: Calibration | None) -> Gate:
    """warn when the deployed model's test-split calibration error is above ECE_WARN, or its Brier score is above the
    reference's, after any recalibration; the evidence gives before, after and the reference."""
    if calibration is None:
        return Gate("n/a", "not computed (multi-class task: no recalibration)")
    final, before = calibration.deployed, calibration.test_before
    parts = [f"test calibration error {before['ece']:.3f}, Brier {before['brier']:.3f}"]
    if calibration.recalibrate:
        parts[0] += f"; recalibrated ({calibration.reason}): {final['ece']:.3f}, Brier {final['brier']:.3f}"
    ref = calibration.test_reference
    if ref:
        parts.append(f"{calibration.reference}: {ref['ece']:.3f}, Brier {ref['brier']:.3f}")
    worse = bool(ref) and final["brier"] > ref["brier"] + 0.01
    status = "warn" if final["ece"] > ECE_WARN or worse else "pass"
    return Gate(status, "; ".join(parts) + f" (10 quantile bins; above {ECE_WARN:.2f}, or a Brier score 0.01 above the "
                "reference's, warns)", {"expected_calibration_error": final["ece"]})
