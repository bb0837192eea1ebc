"""The verdict in one sentence, as the report's summary and the deployed model's card both state it."""

from __future__ import annotations

from typing import Any

from synthlib.config import configuration_name

from ._records import Verdict


def configuration_label(entry: dict[str, Any] | None) -> str:
    """A configuration's display name from its results.json entry ("none" for a missing one)."""
    return "none" if not entry else configuration_name(entry["comparator"], entry["classifier"])


def verdict_sentence(verdict: Verdict | dict[str, Any]) -> str:
    """The recommendation in one sentence; `verdict` is the `Verdict` or a results.json dict that holds one."""
    if not isinstance(verdict, Verdict):
        verdict = Verdict.from_json(verdict["verdict"])
    if verdict.recommended is None:
        return "**Not recommended:** " + "; ".join(verdict.conditions) + "."
    rec = verdict.recommended
    kind = "with synthetic minority rows" if rec.uses_synthetic else "without synthetic data"
    head = {"recommended": "**Recommended:**", "conditional": "**Conditionally recommended:**"}[verdict.status]
    text = f"{head} {rec.label} ({kind})"
    if verdict.status == "conditional":
        text += ". It is conditional because " + "; and ".join(verdict.conditions)
        if verdict.best_passing is not None:
            text += f". The best configuration that passes every gate is {verdict.best_passing.label}"
    return text + "."
