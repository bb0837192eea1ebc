"""`synthlib check`: every check on a sample of the table, the run's size and the resolved configuration."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from synthlib.config import WITHOUT_SYNTHETIC as BASELINES
from synthlib.config import AuditConfig

from ._checks import DEEP_METHODS, check_data
from ._data_warnings import preparation_warnings
from ._io import load_sample

SAMPLE_ROWS = 50_000


def run_size(config: AuditConfig, n_rows: int, n_columns: int) -> str:
    """How big the run is: rows, and model fits = comparators x classifiers x (folds x repeats + 1 final fit)."""
    ev, methods = config.evaluation, config.augmentation.methods
    fits_per_model = ev.cv_folds * ev.cv_repeats + 1
    comparators = len(BASELINES) + len(methods)
    classifiers = len(config.models.classifiers)
    deep = [m for m in methods if m in DEEP_METHODS]
    train_rows = n_rows - math.ceil(n_rows * config.split.test_size)
    text = (f"{n_rows:,} rows x {n_columns} columns ({train_rows:,} in the training split); "
            f"up to {comparators * classifiers * fits_per_model:,} model fits = {comparators} comparators "
            f"({len(BASELINES)} baselines + {len(methods)} methods) x {classifiers} classifiers x "
            f"({ev.cv_folds} folds x {ev.cv_repeats} repeats + 1 final); "
            f"{len(methods) * fits_per_model:,} generator fits")
    return text + (f", {len(deep) * fits_per_model:,} of them deep generators ({', '.join(deep)}), the slow part"
                   if deep else "")


@dataclass
class CheckReport:
    """What `synthlib check` found: warnings, the run's size, and how much of the data it read."""

    warnings: list[str] = field(default_factory=list)
    size: str = ""
    rows_read: int = 0
    n_rows: int = 0


def run_checks(config: AuditConfig, sample_rows: int = SAMPLE_ROWS) -> CheckReport:
    """Every check on the data's header and a seeded sample of at most `sample_rows` rows (estimates scaled up)."""
    frame, n_rows = load_sample(config, sample_rows)
    warnings = check_data(frame, config, n_rows) + preparation_warnings(frame, config)
    return CheckReport(warnings=warnings, size=run_size(config, n_rows, frame.shape[1]), rows_read=len(frame),
                       n_rows=n_rows)
