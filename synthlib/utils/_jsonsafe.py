"""Turning results into JSON-safe data (numpy scalars and arrays, NaN/inf, tuple keys): one place for it."""

from __future__ import annotations

from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """A nested structure with numpy values made Python, NaN/inf made None and keys made strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    return value


def json_default(value: Any) -> Any:
    """`json.dumps(default=...)` fallback: numpy values via `plain`, anything else as text."""
    if isinstance(value, (np.generic, np.ndarray)):
        return plain(value)
    return str(value)
