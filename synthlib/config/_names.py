"""Names every stage shares: metric keys, comparator kinds, and the display labels of metrics, methods,
classifiers and configurations, with the number formats that tables and model cards print."""

from __future__ import annotations

import math
import re
from typing import Any

# Every name `classification_metrics` returns for any data set (the names a params file may use), plus the
# per-class `<precision|recall|f1>_class_<i>` (i: the class's position in sorted order).
METRIC_KEYS = ("accuracy", "balanced_accuracy", "roc_auc", "pr_auc", "brier", "log_loss", "ece",
                *(f"{kind}_{of}" for kind in ("precision", "recall", "f1") for of in ("minority", "majority", "macro")))


PER_CLASS_METRIC = re.compile(r"(precision|recall|f1)_class_(\d+)")


WITHOUT_SYNTHETIC = ("baseline", "class_weighted", "tuned_threshold")
# The configurations without synthetic rows the evaluation grid fits. A tuned threshold is no longer one of them:
# every configuration is scored at its own operating threshold (evaluate._operating), the plain baseline included.
GRID_BASELINES = ("baseline", "class_weighted")


def uses_synthetic(comparator: str) -> bool:
    return comparator not in WITHOUT_SYNTHETIC


DEEP_GENERATORS = ("ctgan", "tvae", "diffusion")


METRIC_LABELS = {
    "recall_minority": "minority recall", "precision_minority": "minority precision", "f1_minority": "minority F1",
    "balanced_accuracy": "balanced accuracy", "roc_auc": "ROC-AUC", "pr_auc": "PR-AUC", "accuracy": "accuracy",
    "brier": "Brier score", "log_loss": "log-loss",
    "recall_at_matched_precision": "minority recall at matched precision",
    "ece": "expected calibration error", "fbeta": "minority F-beta", "expected_cost": "expected cost per row",
    "recall_at_precision": "minority recall at the precision floor",
}


METHOD_NAMES = {
    "smote": "SMOTE", "borderline_smote": "Borderline-SMOTE", "smote_enn": "SMOTE-ENN", "adasyn": "ADASYN",
    "gaussian_copula": "GaussianCopula", "ctgan": "CTGAN", "tvae": "TVAE", "diffusion": "tabular diffusion",
    "baseline": "baseline (original data)", "class_weighted": "class-weighted baseline",
    "tuned_threshold": "baseline with a tuned threshold",
}


CLASSIFIER_NAMES = {"xgboost": "XGBoost", "random_forest": "random forest", "logistic_regression": "logistic regression",
                    "knn": "k\u2011nearest neighbours"}  # a non-breaking hyphen: a table cell never ends in "k-"


def name_slug(name: str) -> str:
    """The letters, digits, `-` and `_` of a configured name as one file-name part: words joined by `_`, no path
    separator, no `..`; empty when the name has none of them."""
    return "_".join(_words(name)).strip("-_")


def pascal_slug(name: str) -> str:
    """`German credit (Statlog)` -> `GermanCreditStatlog`: the words of `name_slug`, capitalised and joined."""
    return "".join(word.capitalize() for word in _words(name)).strip("-_")


def _words(name: str) -> list[str]:
    """The runs of letters, digits, `-` and `_` in `name`; everything else (`/`, `.`, spaces, quotes) separates."""
    return re.sub(r"[^\w-]+", " ", name).split()


def num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def p_cell(p: float | None) -> str:
    """A p-value for a table cell: three decimals, "<0.001" below that (never "0.000")."""
    if p is None or not math.isfinite(p):
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def metric_name(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def method_name(method: str) -> str:
    return METHOD_NAMES.get(method, method)


def trained_ratio_text(ratios: dict[str, float]) -> str:
    """Minority:majority rows of a final training set, e.g. `1.29:1`; per class when there are several minorities."""
    if len(ratios) == 1:
        return f"{next(iter(ratios.values())):.2f}:1"
    return ", ".join(f"{r:.2f}:1 (class {c})" for c, r in ratios.items())


def configuration_name(comparator: str, classifier: str) -> str:
    """"SMOTE + logistic regression", "logistic regression, tuned threshold", ..."""
    model = CLASSIFIER_NAMES.get(classifier, classifier)
    if comparator == "baseline":
        return f"{model}, original data"
    if comparator == "class_weighted":
        return f"{model}, class weights"
    if comparator == "tuned_threshold":
        return f"{model}, tuned threshold"
    return f"{method_name(comparator)} + {model}"
