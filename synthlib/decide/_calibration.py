"""Whether the deployed model's probabilities are recalibrated: decided once, here, and read by the bundle and report.

Rule: recalibrate (logistic recalibration in log-odds fitted on the recommendation's held-out CV scores,
`evaluate._calibration`) where the recommendation's mean CV expected calibration error or Brier score is worse than
the reference's (by more than `WORSE_BY_ECE` / `WORSE_BY_BRIER`), or its CV calibration error is above `ECE_WARN`
on its own. The reference is the strongest configuration of the other kind (`Verdict.comparison`), the one a reviewer would deploy instead. The rule reads CV
figures only; the test split reports the effect (before and after, beside the reference) and chooses nothing.
The recalibration keeps every decision at the operating threshold, so the verdict's evidence still holds.
"""

from __future__ import annotations

from typing import Any

from synthlib.evaluate import CalibrationFigures, Configuration, UtilityResult, display_name

from ._records import Calibration, Gate

ECE_WARN = 0.1  # expected calibration error above which calibration warns
# "worse than the reference" needs more than this much (fold noise moves both by a few thousandths)
WORSE_BY_ECE, WORSE_BY_BRIER = 0.01, 0.005
METHOD = ("logistic recalibration of the minority probability in log-odds (Platt scaling), fitted on the held-out "
          "scores of every CV fold; the decisions at the operating threshold are unchanged")


def _worse(mine: CalibrationFigures, theirs: CalibrationFigures) -> list[str]:
    """The figures in which `mine` is worse than `theirs` by more than its margin, as words."""
    out = []
    for name, a, b, margin in (("calibration error", mine.ece, theirs.ece, WORSE_BY_ECE),
                               ("Brier score", mine.brier, theirs.brier, WORSE_BY_BRIER)):
        if a is not None and b is not None and a > b + margin:
            out.append(f"{name} {a:.3f} vs {b:.3f}")
    return out


def calibration_decision(utility: UtilityResult, recommended: Configuration,
                         reference: Configuration | None) -> Calibration | None:
    """See the module docstring; None for multi-class tasks (no recalibration there)."""
    record = utility.recalibration(recommended)
    if not utility.classes.binary or record is None:
        return None
    mine = utility.cv_calibration(recommended)
    theirs = utility.cv_calibration(reference) if reference is not None else None
    worse = _worse(mine, theirs) if theirs else []
    loose = mine.ece is not None and mine.ece > ECE_WARN
    fitted = record.after is not None
    if not (worse or loose):
        reason = (f"its CV calibration is no worse than {display_name(reference)}'s and its CV calibration error is "
                  f"at most {ECE_WARN:.2f}" if reference else f"its CV calibration error is at most {ECE_WARN:.2f}")
    else:
        why = "; ".join(([f"CV {', '.join(worse)} ({display_name(reference)})"] if worse else [])
                        + ([f"CV calibration error above {ECE_WARN:.2f}"] if loose else []))
        reason = why if fitted else f"{why}, but {record.reason}"
    extra: dict[str, Any] = {}
    if reference is not None:
        theirs_test = utility.recalibration(reference)
        extra.update(reference=display_name(reference), cv_reference=theirs,
                     test_reference=theirs_test.before if theirs_test else None)
    return Calibration(bool((worse or loose) and fitted), reason, METHOD, mine, record.before, after=record.after,
                       slope=record.slope, intercept=record.intercept, rows=record.rows, **extra)


def calibration_gate(calibration: Calibration | None) -> Gate:
    """warn when the deployed model's test-split calibration error is above ECE_WARN, or its Brier score is more than
    0.01 above the reference's, after any recalibration; the evidence gives before, after and the reference."""
    if calibration is None:
        return Gate("n/a", "not computed (multi-class task: no recalibration)")
    final, before, ref = calibration.deployed, calibration.test_before, calibration.test_reference
    evidence = f"test calibration error {before.ece:.3f}, Brier {before.brier:.3f}"
    if calibration.recalibrate:
        evidence += f"; recalibrated ({calibration.reason}): {final.ece:.3f}, Brier {final.brier:.3f}"
    if ref is not None:
        evidence += f"; {calibration.reference}: {ref.ece:.3f}, Brier {ref.brier:.3f}"
    worse = ref is not None and final.brier > ref.brier + 0.01
    status = "warn" if final.ece > ECE_WARN or worse else "pass"
    return Gate(status, evidence + f" (10 quantile bins; above {ECE_WARN:.2f}, or a Brier score 0.01 above the "
                "reference's, warns)", {"expected_calibration_error": final.ece})
