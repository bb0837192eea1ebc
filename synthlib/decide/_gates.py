"""The per-dimension gates of the verdict: fairness, privacy, fidelity and calibration, each pass / warn / fail with its evidence."""

from __future__ import annotations

import numpy as np

from synthlib.assess import FairnessResult, FidelityResult, GapChanges, PrivacyResult
from synthlib.config import uses_synthetic
from synthlib.evaluate import Configuration, display_name

from ._records import FairnessFinding, Gate

STATUS_ORDER = {"n/a": -1, "pass": 0, "warn": 1, "fail": 2}


# ------------------------------------------------------------------------------------------ gates
def _references(fairness: FairnessResult, attribute: str, configuration: Configuration,
                degenerate: frozenset[Configuration]) -> list[tuple[str, GapChanges]]:
    """The changes a configuration's gaps are judged by: against the best configuration of the other kind (never a
    degenerate one: the ranking leaves those out), and against its classifier's plain baseline where that is not
    degenerate (a baseline that predicts no minority row gives every group the same outcome)."""
    classifier, _ = configuration
    out = []
    against = fairness.reference_change(attribute, configuration)
    other = tuple(against.reference) if against and against.reference else None
    if against and other not in degenerate:
        out.append((display_name(other), against))
    own = fairness.change(attribute, configuration)
    if own and (classifier, "baseline") not in degenerate and other != (classifier, "baseline"):
        out.append((display_name((classifier, "baseline")), own))
    return out


def fairness_findings(fairness: FairnessResult, configuration: Configuration,
                      degenerate: frozenset[Configuration] = frozenset()) -> list[FairnessFinding]:
    """Every gap the configuration widened beyond the tolerance against a reference that works (`_references`; fail:
    with a CI past it; warn: by the point estimate only), and every four-fifths rule violation (an absolute level,
    with its CI and its classifier's plain baseline beside it)."""
    classifier, comparator = configuration
    findings = []
    for attribute in fairness.attributes or ():
        for reference, change in _references(fairness, attribute, configuration, degenerate):
            significant = change.widened_significantly
            point_only = [g for g in change.widened_point_estimate if g not in significant]
            for gap, severity in [(g, "fail") for g in significant] + [(g, "warn") for g in point_only]:
                moved = change.move(gap)
                findings.append(FairnessFinding(attribute, gap, severity, change=moved.change, ci_low=moved.ci_low,
                                                ci_high=moved.ci_high, reference=reference))
        violation = _four_fifths(fairness, attribute, configuration)
        if violation is not None:
            findings.append(violation)
    return findings


def _four_fifths(fairness: FairnessResult, attribute: str, configuration: Configuration) -> FairnessFinding | None:
    """The four-fifths rule violation of a configuration (an absolute level, with its CI), with its classifier's
    plain baseline beside it; None when the rule holds or cannot be judged."""
    classifier, comparator = configuration
    model = fairness.model(attribute, configuration)
    if not model.get("four_fifths_violated"):
        return None
    baseline = fairness.model(attribute, (classifier, "baseline"))
    introduced = comparator != "baseline" and baseline.get("four_fifths_violated") is False
    interval = (model.get("intervals") or {}).get("demographic_parity_ratio")
    return FairnessFinding(attribute, FairnessFinding.FOUR_FIFTHS, "warn", ratio=model.get("demographic_parity_ratio"),
                           baseline_ratio=baseline.get("demographic_parity_ratio") if comparator != "baseline" else None,
                           baseline_violated=not introduced, ratio_ci=tuple(interval) if interval else None)


def _seriousness(finding: FairnessFinding) -> tuple[int, int, float]:
    """fail first; then a four-fifths violation this configuration introduced (its plain baseline meets the
    rule), point-estimate widenings by size, and last a violation the plain baseline shares."""
    kind = (2 if finding.baseline_violated in (True, None) else 0) if finding.four_fifths else 1
    return (-STATUS_ORDER[finding.severity], kind, -abs(finding.change or 0))


def fairness_gate(fairness: FairnessResult, configuration: Configuration,
                  degenerate: frozenset[Configuration] = frozenset()) -> Gate:
    """fail: a gap widens beyond the tolerance with a CI that excludes it; warn: a widening by the point estimate
    only, or a violation of the four-fifths rule (on the favourable outcome), each named with whether the
    classifier's plain baseline meets the rule (an absolute rule: judging it relative to the baseline would pass one
    configuration and fail another with the same ratio); n/a: no sensitive attribute."""
    if not fairness.available:
        return Gate("n/a", "no sensitive attributes configured", {"findings": []})
    findings = fairness_findings(fairness, configuration, degenerate)
    status = max((f.severity for f in findings), key=STATUS_ORDER.get) if findings else "pass"
    tolerance = fairness.tolerance
    ordered = sorted(findings, key=_seriousness)
    references = sorted({name for attribute in fairness.attributes or ()
                         for name, _ in _references(fairness, attribute, configuration, degenerate)})
    against = f" against {' or '.join(references)}" if references else " (no working reference to compare with)"
    evidence = (f"no gap widens beyond the tolerance of {tolerance}{against}; four-fifths rule met" if not findings else
                "; ".join(per_attribute(ordered, tolerance)))
    every_finding = "; ".join(_finding_text(f, tolerance) for f in ordered) if findings else evidence
    details = {"evidence_all": every_finding, "findings": findings, "favourable_outcome": fairness.favourable_outcome,
               "references": references}
    if (configuration[0], "baseline") in degenerate and configuration[1] != "baseline":
        details["reference_note"] = ("the same classifier's plain baseline predicts no minority row on the test split, "
                                     "so no change is measured against it")
    return Gate(status, evidence, details)


def per_attribute(ordered: list[FairnessFinding], tolerance: float | None) -> list[str]:
    """One clause per sensitive attribute: its most serious finding, and how many more it has (every one is listed in
    the Conclusion), attributes in the order of their most serious finding."""
    by_attribute: dict[str, list[FairnessFinding]] = {}
    for finding in ordered:
        by_attribute.setdefault(finding.attribute, []).append(finding)
    return [_finding_text(found[0], tolerance)
            + (f" (and {len(found) - 1} more finding(s) for `{attribute}`)" if len(found) > 1 else "")
            for attribute, found in by_attribute.items()]


def _finding_text(finding: FairnessFinding, tolerance: float | None) -> str:
    gap = finding.gap.replace("_", " ")
    if finding.four_fifths:
        ratio, before = finding.ratio, finding.baseline_ratio
        interval = f" [{finding.ratio_ci[0]:.3f}, {finding.ratio_ci[1]:.3f}]" if finding.ratio_ci else ""
        text = (f"four-fifths rule violated for `{finding.attribute}` (favourable-outcome ratio "
                f"{'n/a' if ratio is None else f'{ratio:.3f}'}{interval}")
        if before is not None:
            text += (f"; the same classifier's plain baseline: {before:.3f}, "
                     + ("also violated" if finding.baseline_violated else "met, so this configuration introduced it"))
        return text + ")"
    moves = "falls" if finding.gap.endswith("_ratio") else "widens"
    ci_text = f"{finding.change:+.3f} [{finding.ci_low:+.3f}, {finding.ci_high:+.3f}]"
    versus = f" against {finding.reference}" if finding.reference else ""
    if finding.severity == "fail":
        return (f"{gap} for `{finding.attribute}` {moves} significantly beyond the tolerance of {tolerance}{versus}: "
                f"{ci_text}")
    excludes_zero = finding.ci_low > 0 or finding.ci_high < 0
    return (f"{gap} for `{finding.attribute}` {moves} beyond the tolerance of {tolerance}{versus} by its point "
            "estimate only: "
            f"{ci_text}, a CI that reaches inside the tolerance"
            + (" but excludes 0 (the gap did change; by how much is uncertain)" if excludes_zero else ""))


def privacy_gate(privacy: PrivacyResult, configuration: Configuration) -> Gate:
    """The privacy risk of the synthetic rows a configuration would release (n/a without synthetic rows)."""
    comparator = configuration[1]
    if not uses_synthetic(comparator):
        return Gate("n/a", "uses no synthetic rows", {"risk": None})
    level = privacy.risk_level(comparator)
    if level is None:
        return Gate("warn", "privacy was not assessed for this method", {"risk": None})
    status = {"low": "pass", "medium": "warn", "high": "fail"}[level.risk]
    decided = f" (decided by {level.decided_by.replace('_', ' ')})" if level.decided_by else ""
    return Gate(status, f"{level.risk} risk{decided}", {"risk": level.risk})


def fidelity_gate(fidelity: FidelityResult, configuration: Configuration) -> Gate:
    """How far the synthetic minority is from the real one (discriminator ROC-AUC, collapse, near-copies)."""
    comparator = configuration[1]
    if not uses_synthetic(comparator):
        return Gate("n/a", "uses no synthetic rows")
    auc = fidelity.discriminator_auc(comparator)
    collapse = fidelity.collapse(comparator)
    if collapse.get("collapsed"):
        reason = f"generator collapsed: {collapse.get('reason', '')}".strip()
        return Gate("fail", reason, {"discriminator_auc": auc})
    if auc is None or not np.isfinite(auc):
        return Gate("warn", "discriminator could not be computed", {"discriminator_auc": None})
    status = "pass" if auc < 0.7 else "warn" if auc < 0.9 else "fail"
    evidence = f"real-vs-synthetic discriminator ROC-AUC {auc:.3f}"
    if fidelity.near_copy(comparator):
        status = max(status, "warn", key=STATUS_ORDER.get)
        evidence += "; rows are near-copies of real rows"
    return Gate(status, evidence, {"discriminator_auc": auc})
