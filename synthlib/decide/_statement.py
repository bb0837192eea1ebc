"""The verdict in one sentence, as the report's summary and the deployed model's card both state it."""

from __future__ import annotations

from typing import Any

from synthlib.config import configuration_name


def configuration_label(entry: dict[str, Any] | None) -> str:
    return "none" if not entry else configuration_name(entry["comparator"], entry["classifier"])


def verdict_sentence(result: dict[str, Any]) -> str:
    """The recommendation in one sentence."""
    v = result["verdict"]
    if v["recommended"] is None:
        return "**Not recommended:** " + "; ".join(v["conditions"]) + "."
    rec = v["recommended"]
    kind = "with synthetic minority rows" if rec["uses_synthetic"] else "without synthetic data"
    head = {"recommended": "**Recommended:**", "conditional": "**Conditionally recommended:**"}[v["status"]]
    text = f"{head} {configuration_label(rec)} ({kind})"
    if v["status"] == "conditional":
        text += ". It is conditional because " + "; and ".join(v["conditions"])
        if v.get("best_passing"):
            text += f". The best configuration that passes every gate is {configuration_label(v['best_passing'])}"
    return text + "."
