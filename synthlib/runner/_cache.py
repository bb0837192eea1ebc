"""The audit cache's entries on disk (`.cache/audit-<key>.pkl`): written whole or not at all, read only when whole."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def write_cache(audit: Any, cache_file: Path) -> None:
    """Write to a file of this process's own, then rename it into place: an interrupted write or a concurrent run
    never leaves a partial entry under the name that is read."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    partial = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as handle:
            pickle.dump(audit, handle, protocol=5)
        partial.replace(cache_file)
    finally:
        partial.unlink(missing_ok=True)


def read_cache(path: Path, kind: type) -> Any | None:
    """The cached audit (an instance of `kind`), or None when the entry cannot be read: it is then recomputed and
    rewritten. Plain pickle, not joblib: joblib's unpickler read a 130 MB flights audit in 5-11 s, pickle in under a
    second, and the report notebook reads it on every render. Only this project's own cache is read."""
    try:
        with path.open("rb") as handle:
            audit = pickle.load(handle)
    except Exception as exc:  # truncated, or written by other code: pickle raises many unrelated types
        logger.warning("cache entry %s cannot be read (%s: %s); recomputing", path, type(exc).__name__, exc)
        return None
    return audit if isinstance(audit, kind) else None
