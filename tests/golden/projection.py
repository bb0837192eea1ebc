"""The golden projection of a `results.json`: what the refactors must not change.

`project(results)` keeps the decision (status, answer, recommended / best augmented / best alternative
configuration), every ranked configuration's CV and test value, the evidence rows, the test-split metrics of every
configuration, the fidelity, privacy and fairness headline numbers, all rounded to 3 decimals. `python -m
tests.golden.projection RESULTS.json` prints it; `tests/test_golden.py` compares fresh runs with the stored files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DIGITS = 3


def _r(value: Any) -> Any:
    """Round every float to DIGITS decimals (-0.0 written as 0.0); lists and dicts recursively."""
    if isinstance(value, float):
        rounded = round(value, DIGITS)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, dict):
        return {str(k): _r(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_r(v) for v in value]
    return value


def _configuration(row: dict[str, Any] | None) -> str | None:
    return None if row is None else f"{row['classifier']}/{row['comparator']}"


def _section(results: dict[str, Any], new: str, old: str) -> Any:
    """A results.json section by its current name, or by the name it had before the renames of ARCHITECTURE.md."""
    return results[new] if new in results else results[old]


def project(results: dict[str, Any]) -> dict[str, Any]:
    verdict = results["verdict"]
    utility = results["utility"]
    fidelity = _section(results, "fidelity", "validation")
    privacy = results["privacy"]["methods"]
    return _r({
        "status": verdict["status"],
        "augmentation_helps": verdict["augmentation_helps"],
        "recommended": _configuration(verdict["recommended"]),
        "best_augmented": _configuration(verdict["best_augmented"]),
        "best_alternative": _configuration(verdict["best_alternative"]),
        "dimensions": {name: d["status"] for name, d in verdict["dimensions"].items()},
        "ranked": [[_configuration(row), row["cv_mean"], row["test_value"], row["eligible"]]
                   for row in verdict["ranked"]],
        "evidence": [[row["metric"], row["cv_difference"], row["p_value"], row.get("test_difference"),
                      row.get("met")] for row in verdict["evidence"]],
        "ties": sorted(_configuration(row) for row in verdict.get("ties", [])),
        "test": {f"{classifier}/{comparator}": {m: v for m, v in entry["metrics"].items()
                                                 if isinstance(v, (int, float)) and not isinstance(v, bool)}
                 for classifier, by_comparator in utility["test"].items()
                 for comparator, entry in by_comparator.items()},
        "comparisons": [[row["classifier"], row["comparator"], row["metric"], row["cv_difference"], row["p_value"],
                         row.get("outcome", row.get("verdict"))] for row in utility["comparisons"]],
        "fidelity": {method: section.get("discriminator", {}).get("roc_auc") for method, section in fidelity.items()},
        "privacy": {method: [section.get("membership_inference", {}).get("auc"),
                             section.get("risk_level", section.get("verdict"))["risk"]]
                    for method, section in privacy.items()},
        "fairness_available": results["fairness"].get("available"),
    })


if __name__ == "__main__":
    print(json.dumps(project(json.loads(Path(sys.argv[1]).read_text())), indent=1, sort_keys=True))
