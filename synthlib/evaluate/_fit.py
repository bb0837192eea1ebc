"""`FoldFit`: what one evaluation-grid task returns per classifier."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class FoldFit(NamedTuple):
    """One classifier of one (comparator, fold) task: its scores of the held-out rows (the test split for the final
    fit, fold -1), the fitted model (final fits only), its training-set size and a tuned threshold's cut-off."""

    classifier: str
    comparator: str
    fold: int
    proba: np.ndarray
    pred: np.ndarray
    model: Any
    n_fit: int
    threshold: float | None
