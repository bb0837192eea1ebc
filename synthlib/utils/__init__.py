"""Infrastructure every stage may use: JSON-safe values and progress lines (no audit logic)."""

from ._jsonsafe import json_default, plain
from ._progress import CACHE_HIT, STEPS, StepLines, configure_stderr_logging, run_log, step_reporter

__all__ = ["CACHE_HIT", "STEPS", "StepLines", "configure_stderr_logging", "json_default", "plain", "run_log",
           "step_reporter"]
