"""`FoldFit`: what one evaluation-grid task returns per classifier."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np


class FoldFit(NamedTuple):
    """One classifier of one (comparator, fold) task: its scores of the held-out rows (the test split for the final
    fit, fold -1), its predicted labels, the fitted model (final fits only), its training-set size, and its operating
    threshold on the minority score with the labels it predicts at the default threshold (`default_pred`) once
    `at_operating_points` has set them."""

    classifier: str
    comparator: str
    fold: int
    proba: np.ndarray
    pred: np.ndarray
    model: Any
    n_fit: int
    threshold: float | None
    default_pred: np.ndarray | None = None
