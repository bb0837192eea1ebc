"""The per-dimension gates of the verdict: fairness, privacy, fidelity and calibration, each pass / warn / fail with its evidence."""

from __future__ import annotations

from typing import Any

import numpy as np

from synthlib.config import uses_synthetic
from synthlib.evaluate import Configuration, worse_on_test

STATUS_ORDER = {"n/a": -1, "pass": 0, "warn": 1, "fail": 2}


ECE_WARN = 0.1  # expected calibration error above which calibration warns


# ------------------------------------------------------------------------------------------ gates
def fairness_gate(fairness: dict[str, Any], configuration: Configuration) -> dict[str, Any]:
    """fail: a gap widens beyond the tolerance with a CI that excludes it; warn: a widening by the point estimate
    only, or a violation of the four-fifths rule (on the favourable outcome), each named with whether the
    classifier's plain baseline meets the rule (an absolute rule: judging it relative to the baseline would pass one
    configuration and fail another with the same ratio); n/a: no sensitive attribute."""
    if not fairness.get("available"):
        return {"status": "n/a", "evidence": "no sensitive attributes configured", "findings": []}
    classifier, comparator = configuration
    findings, status = [], "pass"
    for attribute in fairness.get("attributes", []):
        model = fairness["models"].get(attribute, {}).get(classifier, {}).get(comparator, {})
        change = fairness.get("changes", {}).get(attribute, {}).get(classifier, {}).get(comparator)
        if change:
            for gap in change.get("widened_significantly", []):
                c = change[gap]
                findings.append({"attribute": attribute, "gap": gap, "severity": "fail", "change": c["change"],
                                 "ci_low": c["ci_low"], "ci_high": c["ci_high"]})
            point_only = [g for g in change["widened_point_estimate"]
                          if g not in change.get("widened_significantly", [])]
            for gap in point_only:
                c = change[gap]
                findings.append({"attribute": attribute, "gap": gap, "severity": "warn", "change": c["change"],
                                 "ci_low": c["ci_low"], "ci_high": c["ci_high"]})
        if model.get("four_fifths_violated"):
            baseline = fairness["models"].get(attribute, {}).get(classifier, {}).get("baseline", {})
            introduced = comparator != "baseline" and baseline.get("four_fifths_violated") is False
            findings.append({"attribute": attribute, "gap": "four_fifths_rule", "severity": "warn",
                             "ratio": model.get("demographic_parity_ratio"),
                             "baseline_ratio": baseline.get("demographic_parity_ratio") if comparator != "baseline" else None,
                             "baseline_violated": not introduced})
    if findings:
        status = max((f["severity"] for f in findings), key=STATUS_ORDER.get)
    tolerance = fairness.get("tolerance")
    def seriousness(f: dict[str, Any]) -> tuple[int, int, float]:
        """fail first; then a four-fifths violation this configuration introduced (its plain baseline meets the
        rule), point-estimate widenings by size, and last a violation the plain baseline shares."""
        kind = (2 if f.get("baseline_violated", True) else 0) if f["gap"] == "four_fifths_rule" else 1
        return (-STATUS_ORDER[f["severity"]], kind, -abs(f.get("change") or 0))

    ordered = sorted(findings, key=seriousness)
    shown = [f for f in ordered if f["severity"] == "fail" or f["gap"] == "four_fifths_rule"]  # never hidden
    shown += [f for f in ordered if f not in shown][:max(0, 3 - len(shown))]
    more = (f"; and {len(ordered) - len(shown)} more finding(s), every one listed in the Conclusion"
            if len(ordered) > len(shown) else "")
    evidence = (f"no gap widens beyond the tolerance of {tolerance}; four-fifths rule met" if not findings else
                "; ".join(_finding_text(f, tolerance) for f in sorted(shown, key=seriousness)) + more)
    every_finding = "; ".join(_finding_text(f, tolerance) for f in ordered) if findings else evidence
    return {"status": status, "evidence": evidence, "evidence_all": every_finding, "findings": findings,
            "favourable_outcome": fairness.get("favourable_outcome")}


def _finding_text(finding: dict[str, Any], tolerance: float | None) -> str:
    if finding["gap"] == "four_fifths_rule":
        ratio, before = finding.get("ratio"), finding.get("baseline_ratio")
        text = (f"four-fifths rule violated for `{finding['attribute']}` (favourable-outcome ratio "
                f"{'n/a' if ratio is None else f'{ratio:.3f}'}")
        if before is not None:
            text += (f"; the same classifier's plain baseline: {before:.3f}, "
                     + ("also violated" if finding.get("baseline_violated") else "met, so this configuration introduced it"))
        return text + ")"
    moves = "falls" if finding["gap"].endswith("_ratio") else "widens"
    ci_text = f"{finding['change']:+.3f} [{finding['ci_low']:+.3f}, {finding['ci_high']:+.3f}]"
    if finding["severity"] == "fail":
        return (f"{finding['gap'].replace('_', ' ')} for `{finding['attribute']}` {moves} significantly beyond the "
                f"tolerance of {tolerance}: {ci_text}")
    excludes_zero = finding["ci_low"] > 0 or finding["ci_high"] < 0
    return (f"{finding['gap'].replace('_', ' ')} for `{finding['attribute']}` {moves} beyond the tolerance of "
            f"{tolerance} by its point estimate only: {ci_text}, a CI that reaches inside the tolerance"
            + (" but excludes 0 (the gap did change; by how much is uncertain)" if excludes_zero else ""))


def privacy_gate(privacy: dict[str, Any], configuration: Configuration) -> dict[str, Any]:
    """The privacy risk of the synthetic rows a configuration would release (n/a without synthetic rows)."""
    comparator = configuration[1]
    if not uses_synthetic(comparator):
        return {"status": "n/a", "evidence": "uses no synthetic rows", "risk": None}
    checks = privacy.get("methods", {}).get(comparator)
    if not checks:
        return {"status": "warn", "evidence": "privacy was not assessed for this method", "risk": None}
    risk = checks["verdict"]["risk"]
    status = {"low": "pass", "medium": "warn", "high": "fail"}[risk]
    decided = checks["verdict"].get("decided_by")
    return {"status": status, "risk": risk,
            "evidence": f"{risk} risk" + (f" (decided by {decided.replace('_', ' ')})" if decided else "")}


def fidelity_gate(validation: dict[str, Any], configuration: Configuration) -> dict[str, Any]:
    """How far the synthetic minority is from the real one (discriminator ROC-AUC, collapse, near-copies)."""
    comparator = configuration[1]
    if not uses_synthetic(comparator):
        return {"status": "n/a", "evidence": "uses no synthetic rows"}
    v = validation.get(comparator) or {}
    auc = (v.get("discriminator") or {}).get("roc_auc")
    collapse = v.get("collapse_warning") or {}
    if collapse.get("collapsed"):
        return {"status": "fail", "evidence": f"generator collapsed: {collapse.get('reason', '')}".strip(), "discriminator_auc": auc}
    if auc is None or not np.isfinite(auc):
        return {"status": "warn", "evidence": "discriminator could not be computed", "discriminator_auc": None}
    status = "pass" if auc < 0.7 else "warn" if auc < 0.9 else "fail"
    evidence = f"real-vs-synthetic discriminator ROC-AUC {auc:.3f}"
    near = v.get("closeness") or {}
    if near.get("near_copy"):
        status = max(status, "warn", key=STATUS_ORDER.get)
        evidence += "; rows are near-copies of real rows"
    return {"status": status, "evidence": evidence, "discriminator_auc": auc}


def calibration_gate(rows: list[dict[str, Any]], ece: float | None) -> dict[str, Any]:
    """warn when the recommended model is badly calibrated (expected calibration error above ECE_WARN on the test split)
    or its Brier score is worse than its classifier's plain baseline (CI past 0)."""
    parts = [] if ece is None else [f"expected calibration error {ece:.3f} (test split, 10 quantile bins; above {ECE_WARN:.2f} warns)"]
    brier = next((r for r in rows if r["metric"] == "brier"), None)
    worse = False
    if brier is not None and brier.get("ci_low") == 0 and brier.get("ci_high") == 0:
        parts.append(f"same predicted probabilities as {brier['reference']} (only the decision threshold differs)")
    elif brier is not None and brier.get("ci_low") is not None:
        worse = worse_on_test(brier)
        parts.append(f"Brier score {brier['test_difference']:+.3f} [{brier['ci_low']:+.3f}, {brier['ci_high']:+.3f}] vs "
                     f"{brier['reference']} (test split)")
    if not parts:
        return {"status": "n/a", "evidence": "not computed"}
    status = "warn" if worse or (ece is not None and ece > ECE_WARN) else "pass"
    return {"status": status, "evidence": "; ".join(parts), "expected_calibration_error": ece}
