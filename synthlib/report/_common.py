"""What both rendering engines share: the render error and the header block's fields."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat

from synthlib import __version__
from synthlib.errors import SynthlibError


class RenderError(SynthlibError):
    """The report could not be rendered; nothing that looks finished was left behind."""


def quarto_available() -> str | None:
    return shutil.which("quarto")


def header_metadata(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The header block's fields, from the executed notebook's papermill parameters and the results.json they name.

    Data set, synthlib version, config hash, test-split hash and profile (full or fast); empty when unknown.
    """
    parameters = notebook.metadata.get("papermill", {}).get("parameters", {})
    results = Path(parameters.get("out_dir") or ".") / "results.json"
    result = json.loads(results.read_text(encoding="utf-8")) if parameters.get("out_dir") and results.exists() else {}
    resolved = result.get("config", {}).get("resolved", {})
    return {"dataset": resolved.get("dataset", {}).get("name") or Path(str(parameters.get("dataset", ""))).stem,
            "synthlib-version": result.get("versions", {}).get("synthlib") or __version__,
            "config-hash": result.get("config", {}).get("hash", "")[:16],
            "test-hash": result.get("data", {}).get("test_hash_before", "")[:16],
            "profile": "fast (preview)" if parameters.get("fast") else "full"}
