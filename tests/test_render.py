"""End-to-end render (built-in engine, fast profile) in a temporary copy of the example project; the quarto engine
with a fake `quarto`; batch; stale and failed outputs; progress and the run log. Everything is written under tmp."""

from __future__ import annotations

import datetime
import json
import logging
import re
import shutil
import subprocess
import sys
import warnings
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

import synthlib.report._render
from synthlib.cli import app
from synthlib.config._project import PROJECT_FILES, REPORT, TEMPLATES, init_project, report_template
from synthlib.errors import ConfigError
from synthlib.report._render import RenderError, choose_engine, qmd_to_notebook, render
from synthlib.utils._progress import StepLines, configure_stderr_logging, run_log

from .conftest import ROOT
from .test_quarto_fake import fake_quarto_calls, install_fake_quarto

runner = CliRunner()
# The template's top-level sections, in the skeleton and in the section templates (each must reach the report).
HEADINGS = [re.sub(r"\s*\{.*\}$", "", line[2:]).strip()
            for source in [TEMPLATES / "audit.qmd", *sorted((TEMPLATES / "sections").glob("*.md.j2"))]
            for line in source.read_text().splitlines() if line.startswith("# ")]
TEMPLATE_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_ /&().,-]{2,}\]")
UNFILLED_FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(\[|\.|\(|\}|:)")
RAW_QUARTO = ["```{python}", "#| ", "{python}", "@fig-", "@tbl-", "::: {.callout", "{{<"]
STAMPED_STEP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d .*\[\d+/\d+\] \w", re.M)


def copy_example_project(target: Path) -> Path:
    """The repository's example project (params/, data/, report/, _quarto.yml, .gitignore) copied to `target`."""
    for folder in ("params", "data", "report"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("*.ipynb", "*_files"))
    for name in ("_quarto.yml", ".gitignore"):
        shutil.copyfile(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_example_project(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def rendered(project, tmp_path_factory):
    """German credit rendered from an unrelated working folder: paths resolve from the params file's project."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkey = pytest.MonkeyPatch()
    monkey.chdir(elsewhere)
    try:
        outputs = render(str(project / "params" / "german_credit.yml"), engine="builtin", fast=True)
    finally:
        monkey.undo()
    assert not any(elsewhere.iterdir())  # nothing written into the working folder
    return outputs, json.loads(outputs["results"].read_text())


def _key_numbers(result: dict) -> list[str]:
    """Numbers the report must quote as computed: the recommended configuration's CV mean, the training rows."""
    recommended = result["verdict"]["recommended"]
    train = result["data"]["profile"]["class_balance"]["train"]["counts"]
    return [f"{recommended['cv_mean']:.3f}", str(sum(train.values()))]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u2019", "'").split())


def test_outputs_and_cache_land_in_the_params_files_project(project, rendered):
    outputs, _ = rendered
    assert outputs["results"].parent == project / "reports" / "german_credit-fast"  # a preview has its own folder
    assert list((project / ".cache").glob("audit-*.pkl"))


def test_html_has_every_section_and_no_leftovers(rendered):
    outputs, result = rendered
    html = " ".join(outputs["html"].read_text().split())
    text = _text(html)
    for heading in HEADINGS:
        assert heading in text, heading
    assert "Traceback" not in html
    assert not TEMPLATE_PLACEHOLDER.search(re.sub(r"<[^>]+>", " ", html))
    assert not UNFILLED_FIELD.search(text), UNFILLED_FIELD.search(text)  # a Python expression left in a plain string
    for raw in RAW_QUARTO:
        assert raw not in html, raw
    toc = re.search(r'<nav id="TOC"[^>]*>(.*?)</nav>', html)  # pandoc's table of contents (templates/report.html)
    assert toc, "no table of contents"
    entries = re.findall(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', toc.group(1))
    assert len(entries) >= max(5, len(HEADINGS)), entries
    listed = [_text(label) for _, label in entries]
    for heading in HEADINGS:  # every top-level section is listed ...
        assert any(label.endswith(heading) for label in listed), (heading, listed)
    for target, _ in entries:  # ... and links to a section that exists
        assert f'id="{target}"' in html, target
    assert html.count("<img") >= 10 and "data:image/png;base64" in html  # self-contained figures
    assert ".synth-table table tr > :first-child" in html  # report/tables.css, as with Quarto
    assert "Figure 1:" in html
    for number in _key_numbers(result):
        assert number in text, number
    cache = result["cache"]
    assert not cache["hit"] and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", cache["computed_at"])
    assert f"were computed on {cache['computed_at']} by synthlib {result['versions']['synthlib']}, not read from a cache" in text
    assert re.search(rf"\(cache key\s+{cache['key']}\s*\)", text)


def test_pdf_has_pages_and_the_same_numbers(rendered):
    outputs, result = rendered
    reader = PdfReader(outputs["pdf"])
    assert len(reader.pages) > 5
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for number in _key_numbers(result):
        assert number.lstrip("+") in text, number
    assert "Traceback" not in text


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) is not installed")
def test_pdfinfo_reads_the_report_without_a_syntax_error(rendered):
    """Typst's `/Suspects false` made poppler print "Syntax Error: Suspects object is wrong type (boolean)"."""
    info = subprocess.run(["pdfinfo", str(rendered[0]["pdf"])], capture_output=True, text=True, check=True)
    assert "Syntax Error" not in info.stderr + info.stdout, info.stderr
    assert re.search(r"^Tagged:\s+yes", info.stdout, re.M)  # still a tagged PDF


def test_outputs_are_complete(rendered):
    outputs, result = rendered
    out = outputs["results"].parent
    assert {p.name for p in out.iterdir()} >= {"report.html", "report.pdf", "report.ipynb", "results.json",
                                               "OutputMaterials", "run.log"}
    assert not any("partial" in p.name for p in out.iterdir())
    assert "report.ipynb" in json.loads((out / "OutputMaterials" / "manifest.json").read_text())["files"]
    assert set(result) >= {"config", "data", "augmentation", "fidelity", "utility", "fairness", "privacy",
                           "timings", "versions"}


def test_stale_outputs_of_an_earlier_run_do_not_survive(project, rendered, tmp_path):
    """--out at an earlier run's folder: its report.pdf (not rendered this time) and bundle files are gone."""
    out = tmp_path / "reused"
    (out / "OutputMaterials").mkdir(parents=True)
    (out / "OutputMaterials" / "from_the_earlier_run.csv").write_text("x\n1\n")
    (out / "report.pdf").write_text("earlier data set")
    (out / "results.json").write_text('{"earlier": true}')
    (out / "notes.txt").write_text("the user's own file")
    outputs = render(str(project / "params" / "breast_cancer.yml"), out_dir=out, formats=("html",),
                     engine="builtin", fast=True)
    assert "No sensitive attributes are configured" in outputs["html"].read_text()
    assert not (out / "report.pdf").exists()
    assert not (out / "OutputMaterials" / "from_the_earlier_run.csv").exists()
    assert json.loads((out / "results.json").read_text())["config"]["resolved"]["dataset"]["source"] == "builtin:breast_cancer"
    assert (out / "notes.txt").read_text() == "the user's own file"  # only synthlib's own output names are cleared


def test_a_failed_render_leaves_nothing_that_looks_finished(project, rendered, tmp_path, monkeypatch):
    broken = tmp_path / "broken.qmd"
    broken.write_text(REPORT_WITH_FAILING_CELL)
    monkeypatch.setattr(synthlib.report._render, "report_template", lambda root: broken)
    out = tmp_path / "failed"
    out.mkdir()
    (out / "report.html").write_text("an earlier report")
    with pytest.raises(RenderError, match="ZeroDivisionError"):
        render(str(project / "params" / "german_credit.yml"), out_dir=out, engine="builtin", fast=True)
    assert sorted(p.name for p in out.iterdir()) == ["run.log"]


REPORT_WITH_FAILING_CELL = """---
title: "broken"
---

```{python}
#| tags: [parameters]
dataset = "german_credit"
fast = False
out_dir = ""
```

```{python}
1 / 0
```
"""


def test_out_pointing_at_a_file_is_refused(project, tmp_path):
    target = tmp_path / "a_file.txt"
    target.write_text("not a folder")
    result = runner.invoke(app, ["run", str(project / "params" / "german_credit.yml"), "--out", str(target), "--fast"])
    assert result.exit_code == 2
    assert "is a file" in result.stderr and "Traceback" not in result.output
    assert target.read_text() == "not a folder"


def test_progress_lines_are_timestamped_off_a_terminal_and_name_the_cache_hit(project, rendered):
    """`run` after the fixture's render: a cache hit, one plain timestamped line per step (CliRunner is no TTY)."""
    result = runner.invoke(app, ["run", str(project / "params" / "german_credit.yml"), "--fast",
                                 "--out", str(project / "reports" / "again")])
    assert result.exit_code == 0, result.output
    assert STAMPED_STEP.search(result.stderr), result.stderr
    assert "[1/7] prepare" in result.stderr and "cache hit" in result.stderr
    assert "cache hit" in result.stdout
    again = json.loads((project / "reports" / "again" / "results.json").read_text())["cache"]
    assert again == {**rendered[1]["cache"], "hit": True}  # when the reused numbers were computed is kept


def test_dependency_warnings_go_to_the_run_log_not_stderr(tmp_path, capsys):
    configure_stderr_logging(verbose=False)
    # as dask's `distributed` configures itself on import: its own stderr handler, no propagation to the root
    dependency = logging.getLogger("a_dependency")
    dependency.handlers, dependency.propagate, dependency.level = [logging.StreamHandler(sys.stderr)], False, logging.INFO
    log = tmp_path / "run.log"
    with run_log(log):
        warnings.warn("a dependency's FutureWarning", FutureWarning)
        logging.getLogger("another_dependency.scheduler").info("State start")  # not distributed: batch tests silence it
        logging.getLogger("a_dependency.scheduler").info("a non-propagating dependency's record")
        logging.getLogger("synthlib.runner._audit").warning("a synthlib warning")
        subprocess.run([sys.executable, "-c", "import warnings; warnings.warn('a worker process warning')"], check=True)
    text = log.read_text()
    assert "a dependency's FutureWarning" in text and "State start" in text and "a synthlib warning" in text
    assert "a worker process warning" in text  # processes started during the run (joblib workers, the kernel)
    assert "a non-propagating dependency's record" in text
    assert dependency.handlers and dependency.propagate is False  # restored after the block
    stderr = capsys.readouterr().err
    assert "non-propagating" not in stderr
    assert "FutureWarning" not in stderr and "State start" not in stderr
    assert "a synthlib warning" in stderr


def test_step_lines_count_the_steps(tmp_path):
    stream = (tmp_path / "steps.txt").open("w")
    steps = StepLines(label="german_credit", total=7, stream=stream)
    for step in ("prepare", "load cached results", "export bundle"):
        steps(step)
    stream.close()
    lines = (tmp_path / "steps.txt").read_text().splitlines()
    assert len(lines) == 3 and all(STAMPED_STEP.match(lines[i]) for i in (0, 2))
    assert "german_credit [1/7] prepare" in lines[0] and "cache hit" in lines[1] and "[7/7] export bundle" in lines[2]


def test_parameters_cell_is_tagged_for_papermill(tmp_path, monkeypatch):
    import papermill

    notebook, front = qmd_to_notebook(ROOT / REPORT)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and 'dataset = "german_credit"' in tagged[0].source
    assert front["title"]
    monkeypatch.chdir(tmp_path)  # no report/ here: the packaged template is used
    target = tmp_path / "audit.ipynb"
    result = runner.invoke(app, ["notebook", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert set(papermill.inspect_notebook(str(target))) == {"dataset", "fast", "out_dir"}


def test_example_project_copies_match_the_packaged_templates():
    """The repository's example project holds copies of synthlib/templates/ (`make sync-template`)."""
    assert (ROOT / "report" / "audit.qmd").read_bytes() == (TEMPLATES / "audit.qmd").read_bytes()
    packaged = sorted(p.name for p in (TEMPLATES / "sections").glob("*.md.j2"))
    assert packaged and sorted(p.name for p in (ROOT / "report" / "sections").glob("*.md.j2")) == packaged
    for name in packaged:
        assert (ROOT / "report" / "sections" / name).read_bytes() == (TEMPLATES / "sections" / name).read_bytes(), name
    assert (ROOT / "_quarto.yml").read_bytes() == (TEMPLATES / "_quarto.yml").read_bytes()
    assert (ROOT / "report" / "tables.css").read_bytes() == (TEMPLATES / "tables.css").read_bytes()
    assert (ROOT / "data" / "german_credit.csv").read_bytes() == (TEMPLATES / "data" / "german_credit.csv").read_bytes()


def test_init_creates_a_project_and_never_overwrites(tmp_path):
    from synthlib.config import load_config
    from synthlib.prepare._io import load_dataset

    result = runner.invoke(app, ["init", str(tmp_path / "audit")])
    assert result.exit_code == 0, result.output
    assert {name for name in PROJECT_FILES} <= {str(p.relative_to(tmp_path / "audit")) for p in (tmp_path / "audit").rglob("*")}
    gitignore = (tmp_path / "audit" / ".gitignore").read_text().splitlines()
    assert "/.quarto/" in gitignore and "**/*.quarto_ipynb" in gitignore
    config = load_config(tmp_path / "audit" / "params" / "german_credit.yml")
    assert len(load_dataset(config)) == 1000
    assert report_template(tmp_path / "audit") == tmp_path / "audit" / "report" / "audit.qmd"
    assert report_template(tmp_path) == TEMPLATES / "audit.qmd"

    (tmp_path / "audit" / "params" / "german_credit.yml").write_text("# edited by the user\n")
    again = runner.invoke(app, ["init", str(tmp_path / "audit")])
    assert again.exit_code == 2 and "already exists" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert (tmp_path / "audit" / "params" / "german_credit.yml").read_text() == "# edited by the user\n"


def _quarto_project(project: Path, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """A `synthlib init` project with the fixture's cached German credit audit and a fake `quarto` on PATH
    (tests/fake_quarto.py, which behaves like quarto-cli where synthlib depends on it); the folder of its records."""
    user = tmp_path / "user"
    init_project(user)
    shutil.copytree(project / ".cache", user / ".cache")  # the fixture's German credit audit: a cache hit
    shutil.copyfile(project / "params" / "german_credit.yml", user / "params" / "german_credit.yml")  # same config
    records = install_fake_quarto(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    return user, records


def test_quarto_engine_executes_once_finds_the_project_outputs_and_leaves_gitignore_alone(
        project, rendered, tmp_path, monkeypatch):
    user, records = _quarto_project(project, tmp_path, monkeypatch)
    marker = "A sentence only this project's template has."
    qmd = user / "report" / "audit.qmd"
    qmd.write_text(qmd.read_text().replace("## Feature importance", f"{marker}\n\n## Feature importance", 1))
    gitignore_before = (user / ".gitignore").read_bytes()
    executed = []
    real_execute = synthlib.report._render._execute
    monkeypatch.setattr(synthlib.report._render, "_execute", lambda *a: executed.append(1) or real_execute(*a))
    assert choose_engine("auto") == "quarto"

    outputs = render(str(user / "params" / "german_credit.yml"), engine="auto", fast=True)
    assert outputs["engine"].name == "quarto"
    out = user / "reports" / "german_credit-fast"
    assert outputs["html"] == out / "report.html"
    assert outputs["html"].read_text().startswith("<html>fake quarto: Synthetic minority augmentation audit")
    assert outputs["pdf"].read_text().startswith("%PDF-1.7 fake")
    calls = fake_quarto_calls(records)
    assert [c["args"] for c in calls] == [["render", "report/audit.ipynb", "--no-execute", "--to", to]
                                          for to in ("html", "typst")]  # one call per format, no --output-dir
    assert all(sum(c["executions"].values()) == 0 for c in calls) and executed == [1]  # papermill ran it once
    staged = Path(calls[0]["project"])
    assert staged.parent.name == "render-partial" and "/." not in str(staged)  # Quarto skips dot folders
    assert out in staged.parents  # staged inside the output folder (its staging copy), not in a temporary folder
    assert not staged.exists() and not (out / "render-partial").exists()  # cleaned up
    assert marker in outputs["notebook"].read_text()  # the project's own template was rendered
    assert (user / ".gitignore").read_bytes() == gitignore_before
    assert not (user / ".quarto").exists()

    # the same report as the built-in engine, as far as Quarto's settings make it (_quarto.yml, front matter)
    settings, front, files = calls[0]["settings"], calls[0]["front"], calls[0]["files"]
    assert settings["project"] == {"type": "default", "output-dir": "_output", "render": ["report/audit.ipynb"]}
    html, typst = settings["format"]["html"], settings["format"]["typst"]
    assert html["toc-location"] == "left" and html["embed-resources"] is True
    assert "report/tables.css" in html["css"] and "report/tables.css" in files  # the tables' stylesheet travels
    assert typst["toc-depth"] == 1 and typst["papersize"] == "a4" and typst["mainfont"] == "DejaVu Sans"
    assert any((Path(folder) / "DejaVuSans.ttf").is_file() for folder in typst["font-paths"])
    result = json.loads(outputs["results"].read_text())
    assert front["title"] == "Synthetic minority augmentation audit"
    name = result["config"]["resolved"]["dataset"]["name"]
    assert front["subtitle"] == f"{name} (fast profile)"
    assert front["date"] == datetime.date.today().isoformat() and front["abstract-title"] == "Audit record"
    for field in (f"**Data set:** {name}", "**Profile:** fast (preview)", f"`{result['config']['hash'][:16]}`",
                  f"`{result['data']['test_hash_before'][:16]}`"):
        assert field in front["abstract"], field

    monkeypatch.setenv("PATH", "/nonexistent")
    assert choose_engine("auto") == "builtin"


def test_quarto_engine_stages_outside_a_dot_folder_and_names_quartos_error(project, rendered, tmp_path, monkeypatch):
    """--out under a dot folder: the staging project goes to a temporary folder. A failed Quarto call shows
    Quarto's ERROR line (not the end of its stack trace) and leaves only run.log, with Quarto's full output."""
    user, records = _quarto_project(project, tmp_path, monkeypatch)
    out = tmp_path / ".hidden" / "out"
    outputs = render(str(user / "params" / "german_credit.yml"), out_dir=out, engine="quarto", fast=True)
    assert outputs["html"].read_text().startswith("<html>fake quarto")
    staged = Path(fake_quarto_calls(records)[0]["project"])
    assert "/." not in str(staged) and not staged.is_relative_to(out) and not staged.exists()

    monkeypatch.setenv("FAKE_QUARTO_FAIL", "typst")  # the HTML is written, then the PDF fails
    with pytest.raises(RenderError) as failed:
        render(str(user / "params" / "german_credit.yml"), out_dir=out, engine="quarto", fast=True)
    message = str(failed.value)
    assert "quarto render --to typst failed (exit 1): ERROR: typst compilation failed" in message
    assert str(out / "run.log") in message and "Stack trace" not in message and "quarto.js" not in message
    assert sorted(p.name for p in out.iterdir()) == ["run.log"]
    log = (out / "run.log").read_text()
    assert "unknown variable: fake-error" in log and "render-shared.ts" in log  # Quarto's whole output


def test_batch_isolates_a_broken_item_and_names_it(project, rendered, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("dataset: {name: x, source: data/missing.csv, target: y}\nsplit: {test_sise: 0.3}\n")
    from synthlib.cli._batch import run_batch

    rows = run_batch(["german_credit", str(broken), "no_such_data_set"], workers=2, engine="builtin",
                     formats=("html",), fast=True, root=project)
    assert [r["params"] for r in rows] == ["german_credit", str(broken), "no_such_data_set"]
    assert rows[0]["status"] == "ok" and rows[0]["output"] == str(project / "reports" / "german_credit-fast")
    assert rows[1]["status"] == "failed" and "unknown key `test_sise`" in rows[1]["error"]
    assert rows[2]["status"] == "failed" and "no params file for `no_such_data_set`" in rows[2]["error"]
    assert (project / "reports" / "german_credit-fast" / "report.html").exists()


@pytest.mark.parametrize("workers", ["0", "-3"])
def test_batch_refuses_a_worker_count_below_one(workers):
    result = runner.invoke(app, ["batch", "german_credit", "--workers", workers])
    assert result.exit_code == 2
    assert f"--workers must be at least 1, got {workers}" in result.stderr


def test_run_batch_refuses_no_items():
    from synthlib.cli._batch import run_batch

    with pytest.raises(ConfigError, match="at least one"):
        run_batch([])


def test_the_reports_hash_table_matches_the_final_bundle(rendered):
    """The bundle is not rewritten after the report listed its hashes, and it still verifies."""
    from synthlib.deploy._bundle import verify_bundle

    outputs, result = rendered
    bundle = outputs["results"].parent / "OutputMaterials"
    assert verify_bundle(bundle) == []
    text = _text(outputs["html"].read_text())
    files = json.loads((bundle / "manifest.json").read_text())["files"]
    for name in ("TrainedModels/deployed.skops", "ModelCards/deployed_ModelCard.md"):
        assert files[name][:16] in text, name
    assert "report.ipynb" in files and "report.ipynb added after this report is written" in text  # listed, not hidden
    config = json.loads(next(bundle.glob("*PipelineConfig.json")).read_text())
    floor = config["monitoring"]["min_minority_recall"]  # the number the monitor uses is the one the report states
    assert f"< {floor:.3f} ({config['min_minority_recall_rule']})" in text
    # the checklist reloads the saved pipeline and scores the raw test rows: every prediction matches the audit's
    assert re.search(r"✓ The deployed pipeline, fed the raw test rows, reproduces the audit's test predictions "
                     r"\((\d+) of \1 rows\)", text)
    assert json.loads((bundle / "manifest.json").read_text())["config_hash"] == result["config"]["hash"]
