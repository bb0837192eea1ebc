"""The report's prose lives in section templates (issue 27): the filters format numbers, a project's copy of a
template replaces the packaged one file by file, and a misspelled variable fails with the template and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthlib.config import PROJECT_FILES, SECTIONS, TEMPLATES
from synthlib.report._prose import ci, num, p, pct, render_block, render_section, section_names, signed
from synthlib.report._render import RenderError


def test_filters_format_numbers_and_say_n_a_for_missing_ones():
    assert signed(0.0123) == "+0.012" and signed(-0.05, 2) == "-0.05" and signed(None) == "n/a"
    assert ci(-0.098, -0.007) == "[-0.098, -0.007]" and ci({"ci_low": 0.1, "ci_high": 0.2}) == "[+0.100, +0.200]"
    assert ci([0.468, 0.674], sign=False) == "[0.468, 0.674]" and ci(None, 0.2) == "" and ci(float("nan"), 1) == ""
    assert p(0.0004) == "p < 0.001" and p(0.0456) == "p = 0.046" and p(None) == "n/a"
    assert pct(0.123) == "12.3%" and pct(0.2, 0) == "20%" and pct(None) == "n/a"
    assert num(0.5) == "0.500" and num(3) == "3" and num(None) == "n/a" and num(float("inf")) == "n/a"


def _project(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / SECTIONS).mkdir(parents=True)
    (tmp_path / SECTIONS / f"{name}.md.j2").write_text(text)
    return tmp_path


def test_a_projects_copy_of_a_section_replaces_the_packaged_one_and_others_fall_back(tmp_path):
    root = _project(tmp_path, "problem_definition", "# Our problem\n\n{{ config.dataset.name }} is **ours**.\n")
    result = {"config": {"resolved": {"dataset": {"name": "Credit"}}}}
    assert render_section("problem_definition", result, root) == "# Our problem\n\nCredit is **ours**.\n"
    assert "problem_definition" in section_names(root) and "problem_definition" in section_names(None)


def test_a_misspelled_variable_names_the_template_and_line(tmp_path):
    root = _project(tmp_path, "problem_definition", "# Problem\n\n{% if true %}\n{{ config.dataset.nmae }}\n{% endif %}\n")
    with pytest.raises(RenderError) as caught:
        render_section("problem_definition", {"config": {"resolved": {"dataset": {"name": "x"}}}}, root)
    message = str(caught.value)
    assert message.startswith("template report/sections/problem_definition.md.j2, line 4: ")
    assert "nmae" in message and "\n" not in message


def test_a_syntax_error_and_an_unknown_section_are_named(tmp_path):
    root = _project(tmp_path, "problem_definition", "# Problem\n\n{% if %}\n")
    with pytest.raises(RenderError, match=r"template report/sections/problem_definition.md.j2, line 3: "):
        render_section("problem_definition", {}, root)
    with pytest.raises(RenderError, match=r"report section template `nothing.md.j2` not found in .*report/sections"):
        render_section("nothing", {}, root)


def test_heading_ids_are_markdown_not_jinja_comments(tmp_path):
    root = _project(tmp_path, "x", "{## a comment ##}\n# Fairness {#sec-fairness}\n")
    assert render_section("x", {}, root) == "# Fairness {#sec-fairness}\n"


def test_init_copies_every_packaged_section_template():
    packaged = sorted((TEMPLATES / "sections").glob("*.md.j2"))
    assert packaged
    for path in packaged:
        assert PROJECT_FILES[str(SECTIONS / path.name)] == f"sections/{path.name}"


def test_a_paragraph_renders_alone_from_the_part_of_the_results_it_uses():
    result = {"config": {"resolved": {"dataset": {"name": "Credit", "description": "loans", "target": "risk",
                                                  "target_description": "the risk", "minority_description": "",
                                                  "task": "binary"},
                                      "evaluation": {"objective": "f1_minority"}}},
              "data": {"minority": ["0"], "profile": {"shape": [1000, 9], "class_balance": {
                  "full": {"rows": 1000, "counts": {"0": 300, "1": 700}}}}}}
    text = " ".join(render_block("problem_definition", "problem", result).split())
    assert "covers 30.0% of 1,000 rows: the rare outcome" in text and "improve **minority F1**" in text



def test_a_link_to_a_section_the_skeleton_leaves_out_becomes_plain_text(tmp_path):
    from synthlib.report._prose import anchors, unlink_missing

    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "audit.qmd").write_text('# Intro {#sec-intro}\n\n```{python}\nprint(ctx.section("mine"))\n```\n')
    _project(tmp_path, "mine", "## Privacy {.unnumbered #sec-privacy}\n")
    assert anchors(tmp_path) == {"sec-intro", "sec-privacy"}
    text = "[Privacy](#sec-privacy); [Fairness](#sec-fairness); [site](https://x.org)"
    assert unlink_missing(text, anchors(tmp_path)) == "[Privacy](#sec-privacy); Fairness; [site](https://x.org)"


SENTENCE_WORDS = 7  # a string literal of this many words is a sentence a template should hold


def _sentences(path: Path) -> list[str]:
    """String literals of at least SENTENCE_WORDS words in `path`, outside docstrings, exception messages, the
    `*_table` methods (table cells and captions) and the `plot_*` ones (axis labels)."""
    import ast

    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            skipped.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Raise) or (isinstance(node, ast.FunctionDef)
                                             and (node.name.endswith("_table") or node.name.startswith("plot_"))):
            skipped |= {id(inner) for inner in ast.walk(node)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skipped and len(node.value.split()) >= SENTENCE_WORDS]


def test_the_report_modules_build_no_sentence():
    """Every sentence a reader sees is in a section template; Python computes facts, tables and error messages."""
    from synthlib.config import TEMPLATES

    report = TEMPLATES.parent / "report"
    found = {name: _sentences(report / name) for name in ("_narrative.py", "_prose.py", "_context.py")}
    assert not any(found.values()), found
    assert _sentences(Path(__file__))  # the check finds a sentence where there is one (this file's docstrings aside)


HALF_A4_PT = 841.89 / 2


def _headings(pdf_path: Path) -> dict[str, tuple[int, float]]:
    """Top-level heading text -> (page number, top in pt) of the first words of each numbered heading."""
    import pdfplumber

    found = {}
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for line in page.extract_text_lines():
                text = line["text"]
                for heading in ("1 Executive summary", "2 Decision evidence", "3 Problem definition"):
                    if text.strip() == heading and heading not in found:
                        found[heading] = (number, line["top"])
    return found


@pytest.mark.slow
def test_an_edited_project_template_rewords_drops_and_a_misspelling_fails_with_its_line(tmp_path):
    """A project made by `synthlib init` whose copied templates were edited: the reworded sentence reaches the
    HTML, the emptied Privacy section is gone (and page 1's links to it are plain text), the summary fits half a
    page with at most six findings; then a misspelled variable stops the render with exit 2, naming the line."""
    import re
    import subprocess
    import sys

    import pdfplumber

    project = tmp_path / "audit"
    run = lambda *args: subprocess.run([sys.executable, "-m", "synthlib", *args], cwd=project, capture_output=True,  # noqa: E731
                                       text=True, timeout=1200)
    project.mkdir()
    assert run("init", ".").returncode == 0
    sections = project / SECTIONS
    problem = sections / "problem_definition.md.j2"
    problem.write_text(problem.read_text().replace("This audit concerns the", "Our model-risk team validated the", 1))
    (sections / "privacy.md.j2").write_text("{## dropped by this project ##}\n")
    done = run("render", "german_credit", "--fast", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr[-3000:]
    html = (tmp_path / "out" / "report.html").read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Our model-risk team validated the German credit data set" in text and "This audit concerns" not in text
    assert 'id="sec-privacy"' not in html and 'href="#sec-privacy"' not in html and 'id="sec-fairness"' in html
    summary = html[html.index('id="sec-summary"'):html.index('id="sec-evidence"')]
    assert 0 < summary.count("<tr") - 1 <= 6  # the findings table: a header and at most six findings
    heads = _headings(tmp_path / "out" / "report.pdf")
    page, top = heads["1 Executive summary"]
    with pdfplumber.open(tmp_path / "out" / "report.pdf") as pdf:
        lines = pdf.pages[0].extract_text_lines()
    next_page, next_top = heads["2 Decision evidence"]
    end = next_top if next_page == 1 else next(l["top"] for l in lines if re.fullmatch(r"1 / \d+", l["text"].strip()))
    bottom = max(l["bottom"] for l in lines if top <= l["top"] < end)  # the summary's last line
    assert page == 1 and bottom - top <= HALF_A4_PT, (heads, bottom)  # on page 1, at most half a page
    with pdfplumber.open(tmp_path / "out" / "report.pdf") as pdf:
        first = pdf.pages[0].extract_text()
    assert "Before deployment:" in first and "Does augmentation help?" in first

    problem.write_text(problem.read_text().replace("{{ ds.target_description }}", "{{ ds.target_descripton }}", 1))
    line = next(n for n, text in enumerate(problem.read_text().splitlines(), 1) if "target_descripton" in text)
    failed = run("render", "german_credit", "--fast", "--out", str(tmp_path / "again"))
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    message = " ".join(failed.stderr.split())
    assert f"template report/sections/problem_definition.md.j2, line {line}:" in message
    assert "target_descripton" in message
