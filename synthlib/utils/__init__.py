"""Infrastructure every stage may use: JSON-safe values and progress lines (no audit logic)."""

from ._jsonsafe import json_default, plain
from ._progress import (CACHE_HIT, PROGRESS_EVERY_S, STEPS, GridProgress, StepLines, configure_stderr_logging, duration,
                        parallel_counted, run_log, step_reporter)
from ._records import JsonRecord, from_json, to_json

__all__ = ["CACHE_HIT", "PROGRESS_EVERY_S", "STEPS", "GridProgress", "JsonRecord", "StepLines",
           "configure_stderr_logging", "duration", "from_json", "json_default", "parallel_counted", "plain", "run_log",
           "step_reporter", "to_json"]
