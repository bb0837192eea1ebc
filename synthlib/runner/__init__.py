"""The runner: runs every stage in order for one params file (`run_audit`), caches the result, and writes
`results.json` and the bundle into the output folder (`run`, `run_fresh`)."""

from ._audit import Audit, run_audit
from ._run import RENDER_PARTIAL, RUN_LOG, fresh_outputs, output_dir, project_root_of, resolve, run, run_fresh

__all__ = ["Audit", "RENDER_PARTIAL", "RUN_LOG", "fresh_outputs", "output_dir", "project_root_of", "resolve", "run",
           "run_audit", "run_fresh"]
