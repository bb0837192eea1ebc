"""The quarto engine: `quarto render --no-execute` on the notebook papermill already executed, in a staging project.

What Quarto does that this relies on (quarto-cli sources):
- A file rendered inside a project must be one of the project's input files when `--output-dir` is given
  (`src/command/render/render-shared.ts`, "The --output-dir flag can only be used when rendering projects.").
- Quarto lists a project's input files by walking its folder and skips every path that matches `kSkipHidden`,
  a dot after any slash (`src/core/path.ts`, used by `projectInputFiles` in `src/project/project-context.ts`):
  a project anywhere under a dot folder has no input files. An explicit `render:` list is globbed instead.
- A project's output goes to `<output-dir>/<the input's path in the project>` (`src/command/render/project.ts`).
- Rendering a project appends its entries to the project's `.gitignore` (`src/project/project-gitignore.ts`).
- A notebook (.ipynb) is not executed unless asked (`filterFormat` in `src/execute/jupyter/jupyter.ts`).

So the staging project sits in a folder whose absolute path has no dot folder (the output folder's
`render-partial/quarto`, else a temporary folder), names its one input in `render:` and sets its own
`output-dir`; Quarto's own files never touch the user's project. It has the project's `_quarto.yml` formats and
the files they name, and the header block's fields (data set, profile, hashes) as the document's abstract.
"""

from __future__ import annotations

import datetime
import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import yaml

from synthlib.config import TABLES_CSS, quarto_config, report_stylesheet

from ._common import RenderError, header_metadata, quarto_available

logger = logging.getLogger(__name__)
HIDDEN = re.compile(r"[/\\]\.")  # quarto-cli src/core/path.ts, kSkipHidden
INPUT = Path("report") / "audit.ipynb"
OUTPUT_DIR = "_output"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_ERROR_CHARS = 600
# the built-in header block's fields (templates/report.html) that Quarto's title block has no place for
RECORD_FIELDS = {"dataset": "Data set", "profile": "Profile", "synthlib-version": "synthlib",
                 "config-hash": "Config hash", "test-hash": "Test-split hash"}


def staging_folder(work: Path) -> tuple[Path, bool]:
    """A new folder for the staging project whose absolute path has no dot folder, and whether it is outside `work`."""
    inside = work / "quarto"
    if not HIDDEN.search(str(inside.resolve())):
        inside.mkdir()
        return inside, False
    temporary = Path(tempfile.mkdtemp(prefix="synthlib-quarto-")).resolve()
    if HIDDEN.search(str(temporary)):
        shutil.rmtree(temporary)
        raise RenderError(f"Quarto ignores files under a folder whose name starts with a dot, and both the output "
                          f"folder ({work.parent}) and the temporary folder ({temporary.parent}) are under one; "
                          "choose another --out or set TMPDIR to a folder without a dot folder in its path")
    return temporary, True


def _formats(settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `format:` options of HTML and Typst, as dicts in `settings` (Quarto also takes a name, or `html: default`)."""
    formats = settings.setdefault("format", {}) or {}
    if isinstance(formats, str):
        formats = {formats: {}}
    formats = {name: (options if isinstance(options, dict) else {}) for name, options in formats.items()}
    html, typst = (formats.setdefault(name, {}) for name in ("html", "typst"))
    settings.update(format=formats)
    return html, typst


def _named_files(value: Any) -> list[str]:
    """Relative paths among the settings' strings (as Quarto's `projectConfigResources` collects them)."""
    if isinstance(value, dict):
        return [path for item in value.values() for path in _named_files(item)]
    if isinstance(value, list):
        return [path for item in value for path in _named_files(item)]
    if isinstance(value, str) and value and not Path(value).is_absolute() and ".." not in Path(value).parts:
        return [value]
    return []


def stage_settings(root: Path, project: Path) -> dict[str, Any]:
    """Write the staging `_quarto.yml`: the project's formats, its one input, its output-dir; copy the files it names."""
    from matplotlib import get_data_path

    settings = yaml.safe_load(quarto_config(root).read_text(encoding="utf-8")) or {}
    settings.update(project={"type": "default", "output-dir": OUTPUT_DIR, "render": [INPUT.as_posix()]})
    html, typst = _formats(settings)
    css = html.setdefault("css", []) or []
    css = [css] if isinstance(css, str) else list(css)
    if TABLES_CSS.as_posix() not in css:  # an older project's _quarto.yml: the tables still get their stylesheet
        css.append(TABLES_CSS.as_posix())
    html.update(css=css)
    # the PDF font of the built-in engine (DejaVu Sans, shipped with matplotlib), found where it is not installed
    typst.setdefault("font-paths", [str(Path(get_data_path()) / "fonts" / "ttf")])
    for name in _named_files({k: v for k, v in settings.items() if k != "project"}):
        source = report_stylesheet(root) if name == TABLES_CSS.as_posix() else root / name
        if source.is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, project / name)
    (project / "_quarto.yml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return settings


def staged_front(front: dict[str, Any], executed: nbformat.NotebookNode, subtitle: str) -> dict[str, Any]:
    """The document's front matter: the template's title, the data set as subtitle, today's date, and the
    built-in header block's other fields (profile, synthlib version, hashes) as an abstract titled "Audit record"."""
    meta = header_metadata(executed)
    fields = [f"**{label}:** " + (f"`{meta[key]}`" if key.endswith("hash") else meta[key])
              for key, label in RECORD_FIELDS.items() if meta[key]]
    header = {k: v for k, v in front.items() if k != "jupyter"}
    header.update({"subtitle": subtitle, "date": datetime.date.today().isoformat(), "abstract-title": "Audit record",
                   "abstract": " · ".join(fields)})
    return header


def quarto_failure(to: str, done: subprocess.CompletedProcess, log: Path) -> str:
    """The message for a failed `quarto render`: Quarto's `ERROR:` lines (its stack trace and progress left out)."""
    lines = [ANSI.sub("", line).rstrip() for line in f"{done.stderr or ''}\n{done.stdout or ''}".splitlines()]
    errors, inside = [], False
    for line in lines:
        if line.lstrip().startswith("ERROR"):
            errors.append(line.strip())
            inside = True
        elif inside and line.strip() and not line.startswith(("Stack trace", "    at ")):
            errors.append(line.strip())  # a message continued on the next lines
        else:
            inside = False
    shown = " ".join(errors or [line.strip() for line in lines if line.strip()][-3:]) or "(no output)"
    if len(shown) > MAX_ERROR_CHARS:
        shown = shown[:MAX_ERROR_CHARS] + " …"
    return f"quarto render --to {to} failed (exit {done.returncode}): {shown} (Quarto's full output is in {log})"


def convert_quarto(executed: nbformat.NotebookNode, front: dict[str, Any], work: Path, formats: list[str],
                   subtitle: str, root: Path, log: Path) -> dict[str, Path]:
    """`quarto render report/audit.ipynb --no-execute --to html|typst` in the staging project; the outputs are
    copied into `work` (next to the output folder, so they can be moved into place)."""
    project, temporary = staging_folder(work)
    try:
        stage_settings(root, project)
        notebook = nbformat.from_dict(executed)
        header = yaml.safe_dump(staged_front(front, executed, subtitle), sort_keys=False, allow_unicode=True)
        notebook.cells.insert(0, nbformat.v4.new_raw_cell(f"---\n{header}---"))
        (project / INPUT).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, project / INPUT)
        outputs = {}
        for kind in formats:
            to = "typst" if kind == "pdf" else "html"
            command = [quarto_available() or "quarto", "render", INPUT.as_posix(), "--no-execute", "--to", to]
            done = subprocess.run(command, cwd=project, capture_output=True, text=True)
            logger.info("%s (exit %d):\n%s", " ".join(command[1:]), done.returncode,
                        f"{done.stdout.strip()}\n{done.stderr.strip()}".strip())
            if done.returncode != 0:
                raise RenderError(quarto_failure(to, done, log))
            written = project / OUTPUT_DIR / INPUT.with_suffix(f".{kind}")
            if not written.is_file():
                raise RenderError(f"quarto render --to {to} finished but wrote no {OUTPUT_DIR}/"
                                  f"{INPUT.with_suffix(f'.{kind}').as_posix()} in its staging project (see {log})")
            outputs[kind] = work / f"quarto-audit.{kind}"
            shutil.copyfile(written, outputs[kind])
        return outputs
    finally:
        if temporary:
            shutil.rmtree(project, ignore_errors=True)
