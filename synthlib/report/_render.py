"""Render the report template to HTML and PDF, with Quarto when it is installed or with the built-in engine.

The template is the project's `report/audit.qmd`, or the packaged one when the project has none. Both engines
execute it once: jupytext reads the .qmd as a notebook and papermill executes it with the parameters injected,
in the project folder. The built-in engine turns the outputs into Markdown (asis text, figures with numbered
captions) and pandoc (pypandoc-binary) writes the self-contained HTML and a Typst file that the `typst` package
compiles to PDF. The quarto engine (`_quarto.py`) hands the executed notebook to `quarto render --no-execute`
once per format, in a staging Quarto project (so Quarto neither executes twice nor edits the user's `.gitignore`).
Outputs are staged in the output folder's `render-partial/` and moved into place only on success.
"""

from __future__ import annotations

import base64
import datetime
import functools
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import nbformat
import yaml

from synthlib.config import report_stylesheet, report_template

from ._common import RenderError, header_metadata, quarto_available
from ._quarto import convert_quarto

logger = logging.getLogger(__name__)
OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")


def choose_engine(engine: str) -> str:
    if engine not in ("auto", "quarto", "builtin"):
        raise RenderError(f"--engine must be auto, quarto or builtin, got `{engine}`")
    if engine == "quarto" and not quarto_available():
        raise RenderError("--engine quarto was asked for but no `quarto` command is on PATH; use --engine builtin")
    if engine == "auto":
        return "quarto" if quarto_available() else "builtin"
    return engine


def cell_options(source: str) -> tuple[dict[str, Any], str]:
    """Quarto `#| key: value` lines at the top of a cell, and the code without them."""
    options, body = {}, []
    lines = source.splitlines()
    for i, line in enumerate(lines):
        match = OPTION.match(line.strip())
        if match is None:
            body = lines[i:]
            break
        options[match.group(1)] = yaml.safe_load(match.group(2))
    return options, "\n".join(body)


def qmd_to_notebook(path: Path) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """Read the .qmd as a notebook (jupytext, R Markdown reader) with Quarto cell options as metadata."""
    import jupytext

    text = path.read_text(encoding="utf-8")
    front = {}
    if text.startswith("---"):
        front = yaml.safe_load(text.split("---", 2)[1]) or {}
    notebook = jupytext.reads(text, fmt="Rmd")
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        options, _ = cell_options(cell.source)
        cell.metadata["quarto"] = options
        if "parameters" in (options.get("tags") or []):
            cell.metadata["tags"] = ["parameters"]
    notebook.cells = [c for c in notebook.cells if not (c.cell_type == "raw" and c.source.startswith("---"))]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook, front


def write_notebook(qmd: Path, target: Path) -> Path:
    """The .ipynb of the report (for `papermill report/audit.ipynb out.ipynb -p dataset NAME`)."""
    notebook, _ = qmd_to_notebook(qmd)
    nbformat.write(notebook, target)
    return target


@dataclass
class Figure:
    number: int
    caption: str
    file: str


TABLE_CAPTION = re.compile(r"^: (?P<caption>.*?)\s*\{#(?P<label>tbl-[\w-]+)\}\s*$", re.MULTILINE)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_FIGURE_HEIGHT_CM = 12.0  # about half the A4 text height
TEXT_WIDTH_CM = 17.0  # A4 less the 2 cm margins of templates/report.typst


def figure_height_cm(png: bytes, text_width_cm: float) -> float:
    """The printed height of a PNG at the resolution it was saved with (matplotlib records it), once a figure
    wider than the text is scaled down to its width, as Typst does."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        dpi_x, dpi_y = (float(d) for d in image.info.get("dpi", (72, 72)))
        width_cm, height_cm = image.width / dpi_x * 2.54, image.height / dpi_y * 2.54
    return height_cm * min(1.0, text_width_cm / width_cm)


def notebook_to_markdown(notebook: nbformat.NotebookNode, figures_dir: Path, number_captions: bool = True,
                         max_figure_height_cm: float | None = None) -> str:
    """Executed notebook -> Markdown: prose, asis output, figures with numbered captions; never code.

    With `number_captions` (HTML), figures and captioned tables (`: caption {#tbl-...}`, see
    `synthlib.report._tables.md_table`) get "Figure N:" / "Table N:" as Quarto writes them; Typst numbers both itself.
    A figure taller than `max_figure_height_cm` is scaled down to it (for the PDF: a figure of most of a page
    height leaves the page before it half empty).
    """
    parts, number, tables = [], 0, 0

    def number_table(match: re.Match) -> str:
        nonlocal tables
        tables += 1
        return f": Table {tables}: {match['caption']} {{#{match['label']}}}"

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        options = cell.metadata.get("quarto", {})
        if options.get("include") is False or "parameters" in cell.metadata.get("tags", []) or \
                "injected-parameters" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                raise RenderError(f"a report cell failed: {output.ename}: {output.evalue}")
            if output.output_type == "stream" and output.name == "stdout":
                if options.get("output") != "asis":
                    parts.append(f"```\n{output.text}\n```")
                else:
                    parts.append(TABLE_CAPTION.sub(number_table, output.text) if number_captions else output.text)
            elif output.output_type in ("display_data", "execute_result") and "image/png" in output.data:
                number += 1
                name = f"figure-{number}.png"
                png = base64.b64decode(output.data["image/png"])
                (figures_dir / name).write_bytes(png)
                caption = options.get("fig-cap", "")
                label = options.get("label", f"fig-{number}")
                prefix = f"Figure {number}: " if number_captions else ""  # typst numbers figures itself
                too_tall = max_figure_height_cm is not None and figure_height_cm(png, TEXT_WIDTH_CM) > max_figure_height_cm
                height = f" height={max_figure_height_cm}cm" if too_tall else ""
                parts.append(f"![{prefix}{caption}]({name}){{#{label}{height}}}")
    return "\n\n".join(parts) + "\n"


def _pandoc(markdown: str, to: str, resource_dir: Path, metadata: dict[str, str], extra: list[str]) -> str:
    """Pandoc with synthlib's template for `to` (templates/report.html or report.typst), TOC and numbered sections."""
    import pypandoc

    template = TEMPLATES / ("report.typst" if to == "typst" else "report.html")
    args = ["--standalone", "--toc", "--number-sections", f"--template={template}", f"--resource-path={resource_dir}",
            *extra]
    for key, value in metadata.items():
        args.append(f"--metadata={key}:{value}")
    return pypandoc.convert_text(markdown, to, format="markdown", extra_args=args)


def build_outputs(notebook: nbformat.NotebookNode, work: Path, formats: list[str], metadata: dict[str, str],
                  tables_css: Path = TEMPLATES / "tables.css") -> dict[str, Path]:
    """HTML (self-contained, templates/style.css and the tables' stylesheet) and PDF (Typst, DejaVu Sans from
    matplotlib) from the executed notebook.

    Figures are written to `work`; `metadata` (title, subtitle, date, ...) is completed by `header_metadata`.
    """
    outputs = {}
    metadata = {**header_metadata(notebook), **metadata}
    if "html" in formats:
        markdown = notebook_to_markdown(notebook, work, number_captions=True)
        css = [f"--css={TEMPLATES / 'style.css'}", f"--css={tables_css}"]
        html = _pandoc(markdown, "html5", work, metadata, ["--embed-resources", *css])
        outputs["html"] = work / "report.html"
        outputs["html"].write_text(html, encoding="utf-8")
    if "pdf" in formats:
        import typst
        from matplotlib import get_data_path

        markdown = notebook_to_markdown(notebook, work, number_captions=False, max_figure_height_cm=MAX_FIGURE_HEIGHT_CM)
        source = _pandoc(markdown, "typst", work, metadata, [])
        typ = work / "report.typ"
        typ.write_text(source, encoding="utf-8")
        outputs["pdf"] = work / "report.pdf"
        typst.compile(str(typ), output=str(outputs["pdf"]), root=str(work),
                      font_paths=[str(Path(get_data_path()) / "fonts" / "ttf")])
    return outputs


# Typst writes `/MarkInfo<</Marked true/Suspects false>>` in a tagged PDF: valid, but poppler (22.12 here) reports
# a `false` there as "Syntax Error: Suspects object is wrong type (boolean)" on every pdfinfo/pdftotext call. False
# is the default, so the entry is overwritten with as many spaces: no byte moves and the xref offsets stay right.
DEFAULT_SUSPECTS = re.compile(rb"(?<=/MarkInfo<<)([^>]*?)/Suspects\s*false")


def blank_default_suspects(pdf: Path) -> bool:
    """Remove the default `/Suspects false` entry from the PDF's mark info in place; whether there was one."""
    data = pdf.read_bytes()
    blanked = DEFAULT_SUSPECTS.sub(lambda m: m.group(1) + b" " * (len(m.group(0)) - len(m.group(1))), data, count=1)
    if blanked != data:
        pdf.write_bytes(blanked)
    return blanked != data


def _execute(notebook: nbformat.NotebookNode, work: Path, parameters: dict[str, Any], root: Path) -> nbformat.NotebookNode:
    import papermill

    source, executed = work / "audit.ipynb", work / "audit.executed.ipynb"
    nbformat.write(notebook, source)
    try:
        papermill.execute_notebook(str(source), str(executed), parameters=parameters, cwd=str(root),
                                   kernel_name="python3", progress_bar=False, log_output=False,
                                   extra_arguments=["--log-level=CRITICAL"])  # no kernel log lines on stderr
    except papermill.PapermillExecutionError as exc:
        raise RenderError(f"the report notebook failed in cell {exc.cell_index}: {exc.ename}: {exc.evalue}") from None
    return nbformat.read(executed, as_version=4)


def convert_builtin(executed: nbformat.NotebookNode, front: dict[str, Any], work: Path, formats: list[str],
                    subtitle: str, root: Path) -> dict[str, Path]:
    """HTML and PDF with pandoc and typst, with the project's table stylesheet."""
    metadata = {"title": front.get("title", "Audit"), "subtitle": subtitle,
                "date": datetime.date.today().isoformat(), "lang": "en"}
    return build_outputs(executed, work, formats, metadata, report_stylesheet(root))


def render(dataset: str, out_dir: Path | None = None, formats: tuple[str, ...] = ("html", "pdf"), engine: str = "auto",
           fast: bool = False, project_root: Path | None = None,
           progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Run the audit (cached), write results.json and the bundle, and render the report.

    Relative paths resolve from the params file's project (or `project_root`), never from the working folder.
    """
    from synthlib.config import find_params
    from synthlib.deploy import BUNDLE, add_to_bundle
    from synthlib.runner import RENDER_PARTIAL, RUN_LOG, output_dir, project_root_of, resolve, run, writing_outputs
    from synthlib.utils import run_log

    say = progress or (lambda step: logger.info("step: %s", step))
    unknown = set(formats) - {"html", "pdf"}
    if unknown:
        raise RenderError(f"--format takes html and/or pdf, got {', '.join(sorted(unknown))}")
    chosen = choose_engine(engine)
    name, config = resolve(dataset, fast, project_root)
    root = project_root_of(config)
    params = find_params(dataset, project_root).resolve()
    out = output_dir(name, config, out_dir)
    convert = (functools.partial(convert_quarto, root=root, log=out / RUN_LOG) if chosen == "quarto"
               else functools.partial(convert_builtin, root=root))
    with writing_outputs(out) as stage, run_log(out / RUN_LOG):  # locked; moved from `stage` into `out` at the end
        audit, _ = run(params, fast, root, stage, say)
        work = stage / RENDER_PARTIAL
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            say("read the report template")
            notebook, front = qmd_to_notebook(report_template(root))
            say("execute the report notebook")
            executed = _execute(notebook, work, {"dataset": str(params), "fast": fast, "out_dir": str(stage)}, root)
            say("write the report")
            subtitle = config.dataset.name + (" (fast profile)" if fast else "")
            built = convert(executed, front, work, list(formats), subtitle)
            built["notebook"] = work / "audit.executed.ipynb"
            outputs = {}
            for kind, path in built.items():
                outputs[kind] = stage / ("report.ipynb" if kind == "notebook" else f"report.{kind}")
                if kind == "pdf":
                    blank_default_suspects(path)  # either engine's Typst PDF
                if kind == "notebook":  # its out_dir parameter names the folder the outputs end up in
                    path.write_text(path.read_text(encoding="utf-8").replace(str(stage), str(out)), encoding="utf-8")
                os.replace(path, outputs[kind])
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if outputs.get("notebook") and outputs["notebook"].exists():
            add_to_bundle(stage / BUNDLE, outputs["notebook"])  # the report's hash table stays true
    outputs = {kind: out / path.name for kind, path in outputs.items()}
    outputs["results"] = out / "results.json"
    outputs["log"] = out / RUN_LOG
    outputs["engine"] = Path(chosen)
    return outputs
