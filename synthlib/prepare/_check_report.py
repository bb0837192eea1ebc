"""`synthlib check`: every check on a sample of the table, the run's size and the resolved configuration."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

from synthlib.config import GRID_BASELINES as BASELINES
from synthlib.config import AuditConfig
from synthlib.utils import duration

from ._checks import DEEP_METHODS, check_data
from ._data_warnings import preparation_warnings
from ._io import load_sample

SAMPLE_ROWS = 50_000
# A rough cost of one classifier fit (CPU seconds), for the estimate `check` prints: German credit (800 training
# rows, 484 fits) and a 33-minute census audit (~39,000 rows, 2 cores) bracket it; tables differ several-fold.
FIT_SECONDS, FIT_SECONDS_PER_10K_ROWS = 0.25, 1.0


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


def estimated_duration(config: AuditConfig, n_rows: int) -> str:
    """A rough wall-clock estimate of the classifier fits: fits x (FIT_SECONDS + FIT_SECONDS_PER_10K_ROWS per
    10,000 rows fitted), spread over the evaluation's cores; the deep generators' training is not included."""
    ev = config.evaluation
    train_rows = n_rows - math.ceil(n_rows * config.split.test_size)
    cv_rows = min(train_rows, ev.max_cv_rows or train_rows) * (ev.cv_folds - 1) / ev.cv_folds
    per_model = ev.cv_folds * ev.cv_repeats * (FIT_SECONDS + FIT_SECONDS_PER_10K_ROWS * cv_rows / 10_000)
    per_model += FIT_SECONDS + FIT_SECONDS_PER_10K_ROWS * train_rows / 10_000  # the final fit on every row
    models = (len(BASELINES) + len(config.augmentation.methods)) * len(config.models.classifiers)
    cores = os.cpu_count() or 1
    workers = cores if ev.n_jobs is None or ev.n_jobs < 0 else min(ev.n_jobs, cores)
    deep = [m for m in config.augmentation.methods if m in DEEP_METHODS]
    return (f"roughly {duration(models * per_model / workers)} on {workers} core{'s' * (workers != 1)} for the "
            f"model fits (a rough estimate, {FIT_SECONDS} CPU-s + {FIT_SECONDS_PER_10K_ROWS} CPU-s per 10,000 rows "
            f"per fit; tables differ several-fold{'; deep generators extra' if deep else ''}); the run prints fits "
            "done and time left every 30 s")


@dataclass
class CheckReport:
    """What `synthlib check` found: warnings, the run's size, and how much of the data it read."""

    warnings: list[str] = field(default_factory=list)
    size: str = ""
    duration: str = ""
    rows_read: int = 0
    n_rows: int = 0


def run_checks(config: AuditConfig, sample_rows: int = SAMPLE_ROWS) -> CheckReport:
    """Every check on the data's header and a seeded sample of at most `sample_rows` rows (estimates scaled up)."""
    frame, n_rows = load_sample(config, sample_rows)
    warnings = check_data(frame, config, n_rows) + preparation_warnings(frame, config)
    return CheckReport(warnings=warnings, size=run_size(config, n_rows, frame.shape[1]), rows_read=len(frame),
                       n_rows=n_rows, duration=estimated_duration(config, n_rows))
