"""The fake `quarto` (tests/fake_quarto.py) refuses, writes and executes as quarto-cli does where synthlib depends
on it, and the quarto engine's pieces that need no audit: the staging folder, its settings, Quarto's error line.
The end-to-end quarto-engine renders are in test_render.py."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
import yaml

from synthlib.config import TEMPLATES, init_project
from synthlib.report._common import RenderError
from synthlib.report._quarto import quarto_failure, stage_settings, staging_folder

FAKE = Path(__file__).resolve().parent / "fake_quarto.py"
REFUSAL = "ERROR: The --output-dir flag can only be used when rendering projects."


def install_fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put tests/fake_quarto.py on PATH as `quarto`; the folder where it records each call."""
    command = tmp_path / "bin" / "quarto"
    command.parent.mkdir()
    command.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n')
    command.chmod(command.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{command.parent}{os.pathsep}{os.environ['PATH']}")
    records = tmp_path / "quarto-calls"
    monkeypatch.setenv("FAKE_QUARTO_RECORD", str(records))
    return records


def fake_quarto_calls(records: Path) -> list[dict]:
    """The fake's recorded calls, oldest first."""
    if not records.exists():
        return []
    return [json.loads(p.read_text()) for p in sorted(records.glob("call-*.json"), key=lambda p: int(p.stem[5:]))]


@pytest.fixture()
def quarto(tmp_path, monkeypatch):
    records = install_fake_quarto(tmp_path, monkeypatch)

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(["quarto", "render", *args], cwd=cwd, capture_output=True, text=True)

    run.records = records  # type: ignore[attr-defined]
    return run


def _notebook_project(folder: Path, render_list: bool = False) -> Path:
    """A project like the one synthlib stages: _quarto.yml and report/audit.ipynb (already executed)."""
    (folder / "report").mkdir(parents=True)
    project = {"type": "default", **({"render": ["report/audit.ipynb"]} if render_list else {})}
    (folder / "_quarto.yml").write_text(yaml.safe_dump({"project": project, "format": {"html": {}, "typst": {}}}))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_raw_cell("---\ntitle: staged\n---"),
                                               nbformat.v4.new_markdown_cell("# Executive summary")])
    nbformat.write(notebook, folder / "report" / "audit.ipynb")
    (folder / ".gitignore").write_text("reports/\n")
    return folder


def test_output_dir_is_refused_for_a_project_under_a_dot_folder(quarto, tmp_path):
    """What `synthlib render` ran until now: the staging project under `<out>/.render-partial/` has no input files."""
    staged = _notebook_project(tmp_path / "out" / ".render-partial" / "quarto")
    done = quarto("report/audit.ipynb", "--no-execute", "--to", "html", "--output-dir", "_output", cwd=staged)
    assert done.returncode == 1
    assert done.stderr.startswith(REFUSAL)
    assert "ERROR" not in done.stderr[-800:]  # the part of stderr synthlib used to show
    assert not (staged / "_output").exists() and (staged / ".gitignore").read_text() == "reports/\n"


def test_a_project_outside_dot_folders_renders_into_output_dir_by_its_path(quarto, tmp_path):
    staged = _notebook_project(tmp_path / "out" / "render-partial" / "quarto")
    done = quarto("report/audit.ipynb", "--no-execute", "--to", "html", "--output-dir", "_output", cwd=staged)
    assert done.returncode == 0, done.stderr
    assert (staged / "_output" / "report" / "audit.html").read_text().startswith("<html>fake quarto: staged")
    assert not (staged / "_output" / "audit.html").exists()
    assert (staged / ".gitignore").read_text().splitlines() == ["reports/", "/.quarto/", "**/*.quarto_ipynb"]
    assert (staged / ".quarto").is_dir()
    assert fake_quarto_calls(quarto.records)[0]["executions"] == {"html": 0}  # a notebook is not executed


def test_an_explicit_render_list_is_globbed_not_walked(quarto, tmp_path):
    """Quarto skips dot folders when it walks a project, not when it globs the `render:` list."""
    staged = _notebook_project(tmp_path / ".hidden" / "quarto", render_list=True)
    done = quarto("report/audit.ipynb", "--no-execute", "--to", "typst", "--output-dir", "_output", cwd=staged)
    assert done.returncode == 0, done.stderr
    assert (staged / "_output" / "report" / "audit.pdf").exists()


def test_a_notebook_beside_its_qmd_is_no_project_input(quarto, tmp_path):
    """Quarto takes report/audit.ipynb beside report/audit.qmd for the .qmd's intermediate file."""
    staged = _notebook_project(tmp_path / "project")
    (staged / "report" / "audit.qmd").write_text("---\ntitle: source\n---\n")
    done = quarto("report/audit.ipynb", "--to", "html", "--output-dir", "_output", cwd=staged)
    assert done.returncode == 1 and done.stderr.startswith(REFUSAL)
    done = quarto("report/audit.ipynb", "--to", "html", cwd=staged)  # rendered on its own, beside itself
    assert done.returncode == 0 and (staged / "report" / "audit.html").exists()
    assert (staged / ".gitignore").read_text() == "reports/\n"  # not a project render


def test_a_qmd_executes_once_per_format_unless_told_not_to(quarto, tmp_path):
    """`quarto render report/audit.qmd` in a `synthlib init` project runs the notebook for HTML and again for PDF."""
    user = tmp_path / "user"
    init_project(user)
    gitignore = (user / ".gitignore").read_text()
    assert quarto("report/audit.qmd", cwd=user).returncode == 0
    assert quarto("report/audit.qmd", "--to", "html", cwd=user).returncode == 0
    assert quarto("report/audit.qmd", "--no-execute", cwd=user).returncode == 0
    calls = fake_quarto_calls(quarto.records)
    assert [c["executions"] for c in calls] == [{"html": 1, "typst": 1}, {"html": 1}, {"html": 0, "typst": 0}]
    assert (user / "reports" / "_quarto" / "report" / "audit.html").exists()  # the project's output-dir
    assert (user / "reports" / "_quarto" / "report" / "audit.pdf").exists()
    assert (user / ".gitignore").read_text() == gitignore  # `synthlib init` wrote Quarto's entries already


def test_output_dir_outside_any_project_makes_the_files_folder_one(quarto, tmp_path):
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "notes.qmd").write_text("---\ntitle: loose\n---\n")
    done = quarto("notes.qmd", "--to", "html", "--output-dir", "site", cwd=tmp_path / "loose")
    assert done.returncode == 0 and (tmp_path / "loose" / "site" / "notes.html").exists()


def test_staging_settings_keep_the_projects_formats_and_copy_what_they_name(tmp_path):
    user = tmp_path / "user"
    init_project(user)
    (user / "report" / "tables.css").write_text("/* the user's own table rules */\n")
    config = yaml.safe_load((user / "_quarto.yml").read_text())
    config["format"]["html"]["include-in-header"] = "report/header.html"
    (user / "_quarto.yml").write_text(yaml.safe_dump(config))
    (user / "report" / "header.html").write_text("<meta name='x'>\n")
    staged = tmp_path / "staged"
    staged.mkdir()
    settings = stage_settings(user, staged)
    assert settings["project"] == {"type": "default", "output-dir": "_output", "render": ["report/audit.ipynb"]}
    assert yaml.safe_load((staged / "_quarto.yml").read_text()) == settings
    assert (staged / "report" / "tables.css").read_text() == "/* the user's own table rules */\n"
    assert (staged / "report" / "header.html").exists()
    assert settings["format"]["typst"]["toc-depth"] == 1 and settings["format"]["html"]["toc-location"] == "left"

    older = tmp_path / "older"  # a project made before report/tables.css: the packaged stylesheet is used
    older.mkdir()
    (older / "_quarto.yml").write_text("format: html\n")
    staged_older = tmp_path / "staged-older"
    staged_older.mkdir()
    settings = stage_settings(older, staged_older)
    assert settings["format"]["html"]["css"] == ["report/tables.css"]
    assert (staged_older / "report" / "tables.css").read_bytes() == (TEMPLATES / "tables.css").read_bytes()


def test_the_staging_folder_avoids_dot_folders(tmp_path, monkeypatch):
    work = tmp_path / "out" / "render-partial"
    work.mkdir(parents=True)
    assert staging_folder(work) == (work / "quarto", False)
    hidden = tmp_path / ".out" / "render-partial"
    hidden.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    folder, temporary = staging_folder(hidden)
    assert temporary and folder.parent == (tmp_path / "tmp").resolve() and folder.is_dir()
    shutil.rmtree(folder)
    monkeypatch.setenv("TMPDIR", str(tmp_path / ".tmp"))
    (tmp_path / ".tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)
    with pytest.raises(RenderError, match="starts with a dot.*TMPDIR"):
        staging_folder(hidden)
    assert not list((tmp_path / ".tmp").iterdir())


def test_quartos_error_line_is_the_message(tmp_path):
    stderr = ("\x1b[31mERROR: The --output-dir flag can only be used when rendering projects.\x1b[39m\n\n"
              "Stack trace:\n" + "    at render (file:///opt/quarto/bin/quarto.js:95163:5)\n" * 20)
    done = subprocess.CompletedProcess(["quarto"], 1, stdout="", stderr=stderr)
    message = quarto_failure("html", done, tmp_path / "run.log")
    assert message == ("quarto render --to html failed (exit 1): ERROR: The --output-dir flag can only be used "
                       f"when rendering projects. (Quarto's full output is in {tmp_path / 'run.log'})")
    done = subprocess.CompletedProcess(["quarto"], 1, stdout="", stderr="pandoc: out of memory\nKilled\n")
    assert "pandoc: out of memory Killed (Quarto's" in quarto_failure("typst", done, tmp_path / "run.log")
