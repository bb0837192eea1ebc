"""Classifiers from the config, each in a pipeline with its preprocessing, plus the cheap comparators."""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from synthlib.config import make_classifier

XGBOOST_GPU_MIN_ROWS = 100_000  # `auto` below this: CPU (issue 18: on 240-2,355 rows a GPU per worker was slower)


def xgboost_has_cuda() -> bool:
    """Whether this XGBoost build can train on CUDA (its own build information, not torch's)."""
    import xgboost

    return bool(xgboost.build_info().get("USE_CUDA", False))


def gpu_visible() -> bool:
    """Whether a CUDA device is visible, asked once in the parent process (torch's driver query; no torch: no GPU)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def xgboost_device(requested: str, n_rows: int) -> tuple[str, str | None]:
    """The device XGBoost will use for `models.device` on `n_rows` training rows, and why when it is not the one
    requested (None when it is, or when `auto` found no GPU); `cuda` requested but unavailable deserves a warning."""
    if requested == "cpu":
        return "cpu", None
    if not xgboost_has_cuda():
        return "cpu", ("this XGBoost build has no CUDA support (xgboost.build_info()['USE_CUDA'] is false)"
                       if requested == "cuda" else None)
    if not gpu_visible():
        return "cpu", "no CUDA device is visible" if requested == "cuda" else None
    if requested == "auto" and n_rows < XGBOOST_GPU_MIN_ROWS:
        return "cpu", (f"models.device is auto and the training split has {n_rows:,} rows (< {XGBOOST_GPU_MIN_ROWS:,}): "
                       "one CUDA context per CPU worker costs more than the GPU saves on a table this small")
    return "cuda", None


SUPPORTS_CLASS_WEIGHT = {"random_forest", "logistic_regression", "xgboost"}


def preprocessing(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    """Scale numeric and ordinal columns, one-hot categorical ones; unknown categories are ignored."""
    return ColumnTransformer([
        ("numeric", StandardScaler(), numeric),
        ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
    ])


def make_pipeline(name: str, numeric: list[str], categorical: list[str], **kwargs) -> Pipeline:
    """Preprocessing + classifier, fit on training rows only (raw rows in, predictions out)."""
    return Pipeline([("preprocess", preprocessing(numeric, categorical)), ("classifier", make_classifier(name, **kwargs))])
