"""End-to-end render with the built-in engine (fast profile), engine detection, batch with a broken item."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.render import REPORT, choose_engine, qmd_to_notebook, render

from .conftest import ROOT

runner = CliRunner()
HEADINGS = ["Problem definition", "Data assessment and ethical analysis", "Method selection",
            "Synthetic data validation", "Model performance analysis", "Fairness and privacy review",
            "Exported outputs", "Deployment and monitoring", "Documentation and ethics review", "Conclusion"]
TEMPLATE_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_ /&().,-]{2,}\]")
RAW_QUARTO = ["```{python}", "#| ", "{python}", "@fig-", "@tbl-", "::: {.callout", "{{<"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "german_credit"
    monkey = pytest.MonkeyPatch()
    monkey.chdir(ROOT)
    outputs = render("german_credit", out_dir=out, engine="builtin", fast=True, project_root=ROOT)
    monkey.undo()
    return outputs, json.loads((out / "results.json").read_text())


def _key_numbers(result: dict) -> list[str]:
    summary = result["utility"]["summary"]
    best = summary["best_augmented"]
    train = result["data"]["profile"]["class_balance"]["train"]["counts"]
    return [f"{best['cv_mean']:.3f}", f"{summary['criteria'][0]['observed']:+.3f}", str(sum(train.values())),
            f"{result['validation'][best['comparator']]['discriminator']['roc_auc']:.3f}"]


def test_html_has_every_section_and_no_leftovers(rendered):
    outputs, result = rendered
    html = " ".join(outputs["html"].read_text().split())
    for heading in HEADINGS:
        assert heading in html, heading
    assert "Traceback" not in html
    assert not TEMPLATE_PLACEHOLDER.search(re.sub(r"<[^>]+>", " ", html))
    for raw in RAW_QUARTO:
        assert raw not in html, raw
    assert 'id="TOC"' in html or "toc" in html.lower()
    assert html.count("<img") >= 10 and "data:image/png;base64" in html  # self-contained figures
    assert "Figure 1:" in html
    for number in _key_numbers(result):
        assert number in html, number


def test_pdf_has_pages_and_the_same_numbers(rendered):
    outputs, result = rendered
    reader = PdfReader(outputs["pdf"])
    assert len(reader.pages) > 5
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for number in _key_numbers(result):
        assert number.lstrip("+") in text, number
    assert "Traceback" not in text


def test_outputs_are_complete(rendered):
    outputs, result = rendered
    out = outputs["results"].parent
    assert {p.name for p in out.iterdir()} >= {"report.html", "report.pdf", "report.ipynb", "results.json", "OutputMaterials"}
    assert not any(p.name.startswith(".") and "partial" in p.name for p in out.iterdir())
    assert "report.ipynb" in json.loads((out / "OutputMaterials" / "manifest.json").read_text())["files"]
    assert set(result) >= {"config", "data", "augmentation", "validation", "utility", "fairness", "privacy",
                           "timings", "versions"}


def test_breast_cancer_fairness_section_says_no_sensitive_attributes(tmp_path):
    outputs = render("breast_cancer", out_dir=tmp_path / "bc", formats=("html",), engine="builtin", fast=True,
                     project_root=ROOT)
    assert "No sensitive attributes are configured" in outputs["html"].read_text()


def test_parameters_cell_is_tagged_for_papermill(tmp_path, monkeypatch):
    import papermill

    notebook, front = qmd_to_notebook(ROOT / REPORT)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and 'dataset = "german_credit"' in tagged[0].source
    assert front["title"]
    monkeypatch.chdir(ROOT)
    target = tmp_path / "audit.ipynb"
    result = runner.invoke(app, ["notebook", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert set(papermill.inspect_notebook(str(target))) == {"dataset", "fast", "out_dir"}


def test_engine_detection_uses_a_quarto_on_path(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "quarto"
    fake.parent.mkdir()
    log = tmp_path / "calls.txt"
    fake.write_text(f"""#!/usr/bin/env bash
echo "$@" >> {log}
out=""; to=""
while [ $# -gt 0 ]; do case "$1" in --output-dir) out="$2"; shift;; --to) to="$2"; shift;; esac; shift; done
if [ "$to" = "typst" ]; then echo "%PDF-1.7 fake" > "$out/audit.pdf"; else echo "<html>fake</html>" > "$out/audit.html"; fi
""")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    assert choose_engine("auto") == "quarto"
    outputs = render("german_credit", out_dir=tmp_path / "q", engine="auto", fast=True, project_root=ROOT)
    assert outputs["html"].read_text().startswith("<html>fake") and outputs["pdf"].exists()
    calls = log.read_text()
    assert "render report/audit.qmd --to html -P dataset:german_credit -P fast:True" in calls
    monkeypatch.setenv("PATH", "/nonexistent")
    assert choose_engine("auto") == "builtin"


def test_batch_with_a_broken_params_file_finishes_the_others(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("dataset: {name: x, source: data/missing.csv, target: y}\nsplit: {test_sise: 0.3}\n")
    from synthlib.batch import run_batch

    rows = run_batch(["german_credit", str(broken), "breast_cancer"], workers=2, engine="builtin",
                     formats=("html",), fast=True, root=ROOT)
    status = {r["params"]: r for r in rows}
    assert status["german_credit"]["status"] == "ok" and status["breast_cancer"]["status"] == "ok"
    assert status[str(broken)]["status"] == "failed"
    assert "unknown key `test_sise`" in status[str(broken)]["error"]
    for name in ("german_credit", "breast_cancer"):
        assert (ROOT / "reports" / name / "report.html").exists()


def test_example_project_copies_match_the_packaged_templates():
    """The repository's report/audit.qmd and _quarto.yml are copies of synthlib/templates/ (`make sync-template`)."""
    templates = ROOT / "synthlib" / "templates"
    assert (ROOT / "report" / "audit.qmd").read_bytes() == (templates / "audit.qmd").read_bytes()
    assert (ROOT / "_quarto.yml").read_bytes() == (templates / "_quarto.yml").read_bytes()
