"""The runner: runs every stage in order for one params file (`run_audit`), caches the result, and writes
`results.json` and the bundle into the output folder (`run`, `run_fresh`, locked and staged by `writing_outputs`)."""

from ._audit import Audit, run_audit
from ._outputs import RUN_LOG, OutputLockedError, fresh_outputs, writing_outputs
from ._run import output_dir, project_root_of, resolve, run, run_fresh

__all__ = ["Audit", "OutputLockedError", "RUN_LOG", "fresh_outputs", "output_dir", "project_root_of", "resolve", "run",
           "run_audit", "run_fresh", "writing_outputs"]
