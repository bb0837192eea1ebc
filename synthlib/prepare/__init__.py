"""Stage 1, prepare: read the table, check it against the params (`run_checks`, `preflight`), split it, fit the
cleaning on the training split and profile it. Returns `Prepared`."""

from ._check_report import CheckReport, run_checks
from ._cleaning import Cleaner, CleaningLog
from ._io import load_dataset, load_sample, read_table, source_path
from ._prepare import Prepared, frame_hash, prepare

__all__ = ["CheckReport", "Cleaner", "CleaningLog", "Prepared", "frame_hash", "load_dataset",
           "load_sample", "prepare", "read_table", "run_checks", "source_path"]
