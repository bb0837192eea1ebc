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

