"""The runner: runs every stage in order for one params file (`run_audit`), caches the result, and writes
`results.json` and the bundle into the output folder (`run`, `run_fresh`, locked and staged by `writing_outputs`);
`verify` re-runs the audit a bundle records and compares every number."""

from ._audit import Audit, run_audit
from ._outputs import RENDER_PARTIAL, RUN_LOG, OutputLockedError, fresh_outputs, writing_outputs
from ._run import output_dir, project_root_of, resolve, run, run_fresh
from ._verify import VERIFICATION, verify

__all__ = ["Audit", "OutputLockedError", "RENDER_PARTIAL", "RUN_LOG", "VERIFICATION", "fresh_outputs", "output_dir", "project_root_of",
           "resolve", "run", "run_audit", "run_fresh", "verify", "writing_outputs"]
