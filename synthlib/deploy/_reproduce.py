"""What a bundle keeps so that `synthlib verify` can prove its numbers: the audit's `results.json` (the params as set,
the data file's SHA-256, the synthlib source digest) and each saved model's predictions on the test split."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RESULTS = "results.json"
SCORE = "score_"  # one column per class: the model's probability of that class


def predictions_file(role: str) -> str:
    """The bundle's file of a model's test-split predictions (`deployed`, `comparison`)."""
    return f"Datasets/{role}_test_predictions.csv"


def prediction_frame(audit: Any, configuration: tuple[str, str]) -> pd.DataFrame:
    """One row per test row (in Datasets/test_set.csv's order): the true label, the predicted label and the score of
    each class, as the audit computed them."""
    encoder = audit.evaluation.label_encoder
    predicted, proba = audit.evaluation.test_predictions[configuration]
    frame = pd.DataFrame({"row": np.arange(len(predicted)), "label": audit.prepared.y_test.astype(str).to_numpy(),
                          "predicted": encoder.inverse_transform(np.asarray(predicted)).astype(str)})
    for position, label in enumerate(encoder.classes_):
        frame[f"{SCORE}{label}"] = np.asarray(proba)[:, position]
    return frame


def write_reproduction_records(audit: Any, bundle: Path, configurations: dict[str, tuple[str, str]]) -> None:
    """results.json and the saved models' test predictions, into a bundle being written (before its manifest)."""
    (bundle / RESULTS).write_text(audit.to_json(), encoding="utf-8")
    for role, configuration in configurations.items():
        # %.17g: every float64 is written so that it reads back to the same bits
        prediction_frame(audit, configuration).to_csv(bundle / predictions_file(role), index=False, float_format="%.17g")


def read_predictions(bundle: Path, role: str) -> pd.DataFrame | None:
    """A model's recorded test predictions (None when the bundle has none for `role`); labels stay text."""
    path = bundle / predictions_file(role)
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype={"label": str, "predicted": str}, float_precision="round_trip",
                        keep_default_na=False)
    return frame
