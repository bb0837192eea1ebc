"""The classifiers a params file may name, built from their names.

The params model checks classifier parameters against the estimators themselves (`classifier_param_problem`),
so the registry sits in the lowest layer; `synthlib.evaluate` wraps these estimators in pipelines."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier


def _xgboost(params: dict[str, Any]):
    from xgboost import XGBClassifier

    defaults = dict(n_estimators=200, max_depth=4, learning_rate=0.1, subsample=0.9, tree_method="hist",
                    n_jobs=1, verbosity=0, eval_metric="logloss")
    return XGBClassifier(**{**defaults, **params})


CLASSIFIER_FACTORIES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "xgboost": _xgboost,
    "random_forest": lambda p: RandomForestClassifier(**{"n_estimators": 200, "min_samples_leaf": 2, "n_jobs": 1, **p}),
    "logistic_regression": lambda p: LogisticRegression(**{"max_iter": 2000, "C": 1.0, **p}),
    "knn": lambda p: KNeighborsClassifier(**{"n_neighbors": 15, "n_jobs": 1, **p}),
}


def make_classifier(name: str, params: dict[str, Any] | None = None, seed: int = 0, device: str = "cpu",
                    class_weight: bool = False, y: np.ndarray | None = None):
    """A fresh classifier; `class_weight` gives the class-weighted baseline (XGBoost: scale_pos_weight)."""
    params = dict(params or {})
    if name in ("xgboost", "random_forest"):
        params.setdefault("random_state", seed)
    if name == "xgboost" and device == "cuda":
        params.setdefault("device", "cuda")
    if class_weight:
        if name in ("random_forest", "logistic_regression"):
            params["class_weight"] = "balanced"
        elif name == "xgboost" and y is not None and len(np.unique(y)) == 2:
            counts = np.bincount(y)
            params["scale_pos_weight"] = float(counts[0] / counts[1])
    return CLASSIFIER_FACTORIES[name](params)
