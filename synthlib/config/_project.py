"""A user's audit project: `synthlib init DIR`, and where a project's report template comes from.

A project is a folder with `params/` (one YAML file per data set), `data/`, `report/audit.qmd` (the skeleton that
orders the sections), `report/sections/*.md.j2` (the sections' prose, one template each), the report's table
stylesheet `report/tables.css` (both engines) and `_quarto.yml`.
The canonical templates ship as package data in `synthlib/templates/`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from synthlib.errors import ConfigError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REPORT = Path("report") / "audit.qmd"
TABLES_CSS = Path("report") / "tables.css"
SECTIONS = Path("report") / "sections"

# project file -> packaged source
PROJECT_FILES: dict[str, str] = {
    "params/german_credit.yml": "example_params.yml",
    "data/german_credit.csv": "data/german_credit.csv",
    "data/README.md": "data/README.md",
    str(REPORT): "audit.qmd",
    str(TABLES_CSS): "tables.css",
    "_quarto.yml": "_quarto.yml",
    ".gitignore": "gitignore",
    # the section templates: a project's copy of one replaces the packaged one, file by file
    **{str(SECTIONS / p.name): f"sections/{p.name}" for p in sorted((TEMPLATES / "sections").glob("*.md.j2"))},
}


def report_template(root: Path) -> Path:
    """The project's own `report/audit.qmd` if it has one, else the packaged template."""
    own = root / REPORT
    return own if own.is_file() else TEMPLATES / "audit.qmd"


def quarto_config(root: Path) -> Path:
    """The project's `_quarto.yml` if it has one, else the packaged one."""
    own = root / "_quarto.yml"
    return own if own.is_file() else TEMPLATES / "_quarto.yml"


def report_stylesheet(root: Path) -> Path:
    """The project's `report/tables.css` if it has one, else the packaged one."""
    own = root / TABLES_CSS
    return own if own.is_file() else TEMPLATES / "tables.css"


def init_project(target: Path) -> list[Path]:
    """Create an audit project in `target` (new or empty of these files); never overwrite a file."""
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} is a file; `synthlib init` needs a new or existing folder")
    existing = [name for name in PROJECT_FILES if (target / name).exists()]
    if existing:
        raise ConfigError(f"{target / existing[0]} already exists; `synthlib init` never overwrites files "
                          "(choose a new folder or move the existing files away)")
    written = []
    for name, source in PROJECT_FILES.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATES / source, path)
        written.append(path)
    return written
