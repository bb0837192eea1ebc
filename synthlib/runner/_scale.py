"""Size-aware defaults: what the audit changes for a large table, and why (results.json `scale_decisions`).

Only keys the params file (or the profile) left at their defaults are changed; a key set explicitly is used
exactly as given. Every rule is a row count, never a clock, so the same config and data give the same numbers
on any machine. Each change is one record {step, decision, reason}, never silent.
"""

from __future__ import annotations

import logging
from typing import Any

from synthlib.config import DEEP_GENERATORS, AuditConfig
from synthlib.evaluate import xgboost_device

logger = logging.getLogger(__name__)
NEIGHBOUR_SEARCH_ROWS = 50_000  # SMOTE-ENN's edited nearest neighbours and KNN compare every row with every row
ROW_EPOCH_BUDGET = 200_000  # deep generators: epochs x minority rows per fit (CTGAN: ~1 ms per row-epoch on 2 cores)
MIN_EPOCHS = 10


def decision(step: str, what: str, reason: str) -> dict[str, str]:
    return {"step": step, "decision": what, "reason": reason}


def _origin(section: Any, key: str) -> str:
    return "set in the params file" if key in section.model_fields_set else "default"


def plan(config: AuditConfig, n_train: int, n_minority: int) -> tuple[AuditConfig, list[dict[str, str]]]:
    """The configuration the audit runs for a training split of `n_train` rows whose largest minority class has
    `n_minority` rows, and the decisions that made it differ from `config`."""
    decisions: list[dict[str, str]] = []
    ev, aug, models = config.evaluation, config.augmentation, config.models
    if ev.max_cv_rows is not None and n_train > ev.max_cv_rows:
        decisions.append(decision(
            "evaluate", f"cross-validation on a stratified sample of {ev.max_cv_rows:,} of the {n_train:,} training rows; "
                        "the final fits use every row",
            f"the training split is larger than evaluation.max_cv_rows ({ev.max_cv_rows:,}, {_origin(ev, 'max_cv_rows')})"))
    aug_changes: dict[str, Any] = {}
    models_changes: dict[str, Any] = {}
    large = f"the training split has {n_train:,} rows (> {NEIGHBOUR_SEARCH_ROWS:,})"
    if n_train > NEIGHBOUR_SEARCH_ROWS:
        if ("methods" not in aug.model_fields_set and "smote_enn" in aug.methods and aug.deploy_method != "smote_enn"
                and len(aug.methods) > 1):
            aug_changes["methods"] = tuple(m for m in aug.methods if m != "smote_enn")
            decisions.append(decision("augment", "SMOTE-ENN skipped", f"{large}: its edited-nearest-neighbours cleaning "
                                      "searches neighbours among all rows; list it in augmentation.methods to run it"))
        if "classifiers" not in models.model_fields_set and "knn" in models.classifiers and len(models.classifiers) > 1:
            models_changes["classifiers"] = tuple(c for c in models.classifiers if c != "knn")
            decisions.append(decision("evaluate", "KNN classifier skipped", f"{large}: every prediction searches all "
                                      "training rows; list it in models.classifiers to run it"))
    deep = [m for m in aug_changes.get("methods", aug.methods) if m in DEEP_GENERATORS]
    if deep and "epochs" not in aug.model_fields_set:
        cap = max(MIN_EPOCHS, ROW_EPOCH_BUDGET // max(n_minority, 1))
        capped = {m: e for m, e in aug.epochs.items() if m in deep and e > cap}
        if capped:
            aug_changes["epochs"] = {m: min(e, cap) for m, e in aug.epochs.items()}
            decisions.append(decision(
                "augment", "epochs " + ", ".join(f"{m} {e} -> {cap}" for m, e in capped.items()),
                f"{n_minority:,} minority rows per fit: at most {ROW_EPOCH_BUDGET:,} row-epochs per generator fit "
                "(a row count, not a clock, so the numbers stay reproducible); set augmentation.epochs to choose"))
    device, why = xgboost_device(models.device, n_train)
    if why:
        decisions.append(decision("evaluate", f"XGBoost on {device} (models.device: {models.device})", why))
        if models.device == "cuda":
            logger.warning("XGBoost trains on the CPU although models.device is cuda: %s", why)
    models_changes["device"] = device
    effective = config.model_copy(update={"augmentation": aug.model_copy(update=aug_changes),
                                          "models": models.model_copy(update=models_changes)})
    return effective, decisions
