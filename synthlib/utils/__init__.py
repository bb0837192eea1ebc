"""Infrastructure every stage may use: JSON-safe values and progress lines (no audit logic)."""

from ._jsonsafe import json_default, plain
from ._progress import CACHE_HIT, STEPS, StepLines, configure_stderr_logging, run_log, step_reporter
from ._records import JsonRecord, from_json, to_json

__all__ = ["CACHE_HIT", "STEPS", "StepLines", "configure_stderr_logging", "JsonRecord", "from_json", "json_default", "plain", "run_log",
           "step_reporter", "to_json"]
