"""What results.json records so that `synthlib verify` can repeat the audit: the params as they were set, and the
SHA-256 of the data file read (the synthlib source digest is `_audit.code_digest`)."""

from __future__ import annotations

import json
from typing import Any

from synthlib.config import AuditConfig
from synthlib.deploy import sha256
from synthlib.prepare import source_path


def params_as_set(config: AuditConfig) -> dict[str, Any]:
    """The keys the params file (and the profile) set, as parsed: what `synthlib verify` re-parses. Keys left at
    their defaults stay out, so the size-aware defaults (`_scale.plan`) change the same keys again."""
    return json.loads(config.model_dump_json(exclude_unset=True))


def data_file_sha256(config: AuditConfig) -> str | None:
    """SHA-256 of the data file's bytes (a built-in data set: its packaged file; None when there is no file)."""
    path = source_path(config)
    return sha256(path) if path is not None and path.is_file() else None
