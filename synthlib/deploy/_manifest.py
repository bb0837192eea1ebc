"""The bundle's folder name and the file hash its manifest records."""

from __future__ import annotations

import hashlib
from pathlib import Path

BUNDLE = "OutputMaterials"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
