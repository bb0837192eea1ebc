"""Page 1's facts: the findings table (at most six `Finding` rows, most severe first, each with the heading id of
the section that holds its evidence) and what must happen before deployment, as data the executive summary's
template words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._narrative import cleaning, fact, flagging, sensitive_inputs, test_prevalence

SEVERITY = {"fail": "high", "warn": "medium", "pass": "low"}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
MAX_FINDINGS = 6
ANCHORS = {"utility": "sec-evidence", "fairness": "sec-fairness", "privacy": "sec-privacy", "fidelity": "sec-validation",
           "calibration": "sec-calibration", "flag_rate": "sec-flagging", "data_quality": "sec-cleaning",
           "more": "sec-evidence", "sensitive_inputs": "sec-review"}


@dataclass(frozen=True)
class Finding:
    """One row of page 1's findings table: its topic, severity (high / medium / low), the section that holds its
    evidence (a heading id) and the numbers its one line of evidence quotes."""

    topic: str
    severity: str
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        return ANCHORS[self.topic]


def _fairness_findings(result: dict[str, Any]) -> list[Finding]:
    """One finding per attribute with a gate finding (its most serious, and how many more), high when a gap widens
    significantly, medium for a four-fifths violation or a widening by the point estimate only."""
    gate = result["verdict"]["dimensions"].get("fairness") or {}
    by_attribute: dict[str, list[dict[str, Any]]] = {}
    for finding in gate.get("findings", []):
        by_attribute.setdefault(finding["attribute"], []).append(finding)
    out = []
    for attribute, found in by_attribute.items():
        # a significant widening first, then a four-fifths violation (an absolute level), then point-only widenings
        found = sorted(found, key=lambda f: (f["severity"] != "fail", f["gap"] != "four_fifths_rule"))
        worst = found[0]
        out.append(Finding("fairness", SEVERITY[worst["severity"]],
                           {"attribute": attribute, **worst, "more": len(found) - 1,
                            "tolerance": result["fairness"].get("tolerance"),
                            **_lowest_and_highest(result, attribute)}))
    if not out and gate.get("status") == "pass":
        out.append(Finding("fairness", "low", {"attributes": result["fairness"].get("attributes", []),
                                               "tolerance": result["fairness"].get("tolerance")}))
    return out


def _lowest_and_highest(result: dict[str, Any], attribute: str) -> dict[str, Any]:
    """The recommendation's judged groups with the lowest and the highest favourable-outcome rate (who is
    disadvantaged), as `{"lowest": row, "highest": row}`; empty without a recommendation or two judged groups."""
    rec = result["verdict"].get("recommended")
    models = ((result.get("fairness") or {}).get("models") or {}).get(attribute, {})
    rows = [r for r in ((models.get(rec["classifier"]) or {}).get(rec["comparator"]) or {}).get("by_group", [])
            if r.get("favourable_rate") is not None and not (r.get("note") or "").startswith("too small")] if rec else []
    if len(rows) < 2:
        return {}
    ordered = sorted(rows, key=lambda r: r["favourable_rate"])
    return {"lowest": ordered[0], "highest": ordered[-1]}


def no_skill(result: dict[str, Any]) -> float | None:
    """The objective of a model without skill on the test split (the better of flagging every row and flagging none,
    or 0.5 for the rank and balanced metrics): what the recommendation's number must be read against."""
    objective = ((result.get("utility") or {}).get("protocol") or {}).get("objective") or {
        "name": result["verdict"]["primary_metric"]}
    p = test_prevalence(result)
    if p is None:
        return None
    name = objective["name"]
    if name in ("roc_auc", "balanced_accuracy"):
        return 0.5
    if name == "pr_auc":
        return p
    if name == "f1_minority":
        return 2 * p / (1 + p)
    if name == "fbeta":
        b2 = objective["beta"] ** 2
        return (1 + b2) * p / (b2 + p)
    if name == "expected_cost":
        costs = objective["costs"]
        return min(costs["false_negative"] * p, costs["false_positive"] * (1 - p))
    if name == "recall_at_precision":
        return 1.0 if p >= objective["min_precision"] else 0.0
    return None


@fact
def findings(result: dict[str, Any]) -> list[Finding]:
    """Page 1's findings, most severe first, at most six: the utility gate, fairness per attribute, privacy and
    fidelity of released synthetic rows, calibration, the flag rate against the prevalence, and the signal
    cleaning removed. Over six, the last row counts the rest (each is in Decision evidence)."""
    v = result["verdict"]
    dims = v["dimensions"]
    rec = v.get("recommended")
    out: list[Finding] = []
    if "utility" in dims and dims["utility"]["status"] in SEVERITY and rec:
        worse = next((r for r in v["trade_offs"] if r["metric"] == v["primary_metric"] and r.get("worse")), None)
        out.append(Finding("utility", SEVERITY[dims["utility"]["status"]],
                           {"recommended": rec, "metric": v["primary_metric"], "status": dims["utility"]["status"],
                            "worse": worse, "comparison": v.get("comparison"), "no_skill": no_skill(result)}))
    out += _fairness_findings(result)
    used = sensitive_inputs(result)
    if used and rec:  # deciding on a protected attribute: a reviewer's first question
        regulations = result["config"]["resolved"]["dataset"].get("regulations") or []  # set: it has features
        out.append(Finding("sensitive_inputs", "high" if regulations else "medium",
                           {"columns": used, "regulations": regulations}))
    for topic in ("privacy", "fidelity"):
        d = dims.get(topic) or {}
        if d.get("status") in SEVERITY:
            out.append(Finding(topic, SEVERITY[d["status"]], {"status": d["status"], "risk": d.get("risk"),
                                                              "discriminator_auc": d.get("discriminator_auc"),
                                                              "method": (rec or {}).get("comparator")}))
    calibration = dims.get("calibration") or {}
    if calibration.get("status") in SEVERITY:
        decision = v.get("calibration") or {}
        reference = decision.get("test_reference") or {}
        out.append(Finding("calibration", SEVERITY[calibration["status"]],
                           {"ece": calibration.get("expected_calibration_error"), "status": calibration["status"],
                            "recalibrated": bool(decision.get("recalibrate")),
                            "before_ece": (decision.get("test_before") or {}).get("ece"),
                            "reference": decision.get("reference"), "reference_ece": reference.get("ece")}))
    flags = flagging(result)
    if flags:
        ratio = flags["rate"] / flags["prevalence"] if flags["prevalence"] else None
        severity = "high" if flags["twice"] else "medium" if ratio and ratio > 1.5 else "low"
        out.append(Finding("flag_rate", severity, {**flags, "ratio": ratio}))
    signal = cleaning(result)["signal"]
    if signal:
        out.append(Finding("data_quality", "medium", {"signal": signal}))
    out.sort(key=lambda f: SEVERITY_ORDER[f.severity])  # stable: the order above breaks ties
    if len(out) > MAX_FINDINGS:
        rest = out[MAX_FINDINGS - 1:]
        out = out[:MAX_FINDINGS - 1] + [Finding("more", rest[0].severity, {
            "count": len(rest), "topics": list(dict.fromkeys(f.topic for f in rest)),
            "high": sum(f.severity == "high" for f in rest)})]
    return out


@fact
def before_deployment(result: dict[str, Any]) -> list[str]:
    """What must happen before the model is deployed, as keys the template words (in this order)."""
    v = result["verdict"]
    steps = []
    if result["config"].get("profile") == "fast":
        steps.append("full_profile")
    if v["recommended"] is None:
        return steps + ["no_model"]
    if any(f.severity == "high" for f in findings(result)):
        steps.append("resolve_high")
    if any(f["gap"] == "four_fifths_rule" for f in v["dimensions"].get("fairness", {}).get("findings", [])):
        steps.append("legal_review")
    if sensitive_inputs(result):
        steps.append("sensitive_inputs")
    flags = flagging(result)
    if flags and flags["twice"]:
        steps.append("human_review")
    if v["recommended"]["uses_synthetic"] and not v["release"]["augmented_data"]:
        steps.append("keep_data")
    steps.append("monitor")
    return steps
