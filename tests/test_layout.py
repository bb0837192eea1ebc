"""Report layout: tables whose widths follow their content, numbered captions, and a rendered PDF in which no two
words overlap, no text leaves the page and every table row label can be read (issue 16)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pypandoc
import pytest

from synthlib.report._render import TABLE_CAPTION, notebook_to_markdown, quarto_available, render
from synthlib.report._tables import (CELL_PADDING_PT, SMALL_FONT_PT, TABLE_FONT_PT, TEXT_WIDTH_PT, md_table, text_width,
                                     wrapped_lines)

from .conftest import ROOT, SHARED_DATASETS

pdfplumber = pytest.importorskip("pdfplumber")
METHODS = ["SMOTE", "Borderline-SMOTE", "SMOTE-ENN", "ADASYN", "GaussianCopula", "CTGAN", "TVAE", "Diffusion"]
VERDICT = "no significant difference (adjusted p >= 0.05)"
PIPE_ROW = re.compile(r"^\|(.*)\|\s*$")
RULE = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
# used when examples/params/bank_wages_job.yml is not there
MINIMAL_BANK_WAGES = """dataset: {name: Bank wages job category, source: x, target: job, minority: [custodial, manage]}
features: {numeric: [education], categorical: [gender, minority], sensitive: [{column: gender}]}
fairness: {favourable_label: admin}
"""


def rule_of(table: str) -> list[str]:
    return next(line for line in table.splitlines() if RULE.match(line)).strip("|").split("|")


def rows_of(table: str) -> list[list[str]]:
    """The cells of every pipe-table row (header first) in Markdown text."""
    return [[c.strip() for c in re.split(r"(?<!\\)\|", m[1])] for line in table.splitlines()
            if (m := PIPE_ROW.match(line)) and not RULE.match(line)]


def significance_rows(n: int) -> list[dict]:
    return [{"classifier": c, "comparator": m, "CV difference": 0.0123 * i, "test difference": -0.5 + i / 50,
             "95% CI": "[-0.031, 0.052]", "p (Holm)": 1 / (i + 2), "verdict": VERDICT}
            for i, (c, m) in enumerate((c, m) for c in ["Logistic regression", "XGBoost"] for m in METHODS)][:n]


# ------------------------------------------------------------------------------------------ md_table, fast
def test_widths_follow_content_and_every_word_fits_its_column():
    table = md_table(significance_rows(16), caption="Comparisons.")
    rule, (header, *rows) = rule_of(table), rows_of(table)
    assert len("|" + "|".join(rule) + "|") > 72  # wider than pandoc's --columns: pandoc uses these relative widths
    shares = [len(segment.strip()) / sum(len(s.strip()) for s in rule) for segment in rule]
    verdict, p_value = header.index("verdict"), header.index("p (Holm)")
    assert shares[verdict] > 2 * shares[p_value]  # the sentence column is wider than a number column
    font = SMALL_FONT_PT if "small" in table.split("\n", 1)[0] else TABLE_FONT_PT
    for j, share in enumerate(shares):
        text_pt = share * TEXT_WIDTH_PT - CELL_PADDING_PT
        longest = max(text_width(word, bold=(r == 0)) for r, row in enumerate([header, *rows]) for word in row[j].split())
        assert longest * font <= text_pt, header[j]  # no word wider than its column: nothing overlaps
    verdict_pt = shares[verdict] * TEXT_WIDTH_PT - CELL_PADDING_PT
    words = [text_width(w) for w in VERDICT.split()]
    assert wrapped_lines(words, text_width(" "), verdict_pt / font) <= 2  # not 4 to 5 lines per row


def test_numbers_right_aligned_with_fixed_decimals_text_left():
    table = md_table([{"method": "SMOTE", "AUC": 0.5, "rows": 12, "CI": "0.61 [0.55, 0.70]", "MMD": float("nan")},
                      {"method": "CTGAN", "AUC": 0.71234, "rows": 3, "CI": "n/a", "MMD": -0.0001}], digits={"AUC": 2})
    rule, (_, *rows) = rule_of(table), rows_of(table)
    assert [s.strip().startswith(":") for s in rule] == [True, False, False, False, False]
    assert [s.strip().endswith(":") for s in rule] == [False, True, True, True, True]
    assert [row[1] for row in rows] == ["0.50", "0.71"] and [row[4] for row in rows] == ["n/a", "0.000"]
    assert [row[2] for row in rows] == ["12", "3"]


def test_caption_numbered_in_html_and_typst_and_long_tables_break_across_pages():
    table = md_table(significance_rows(16), caption="Every comparison.")
    assert TABLE_CAPTION.search(table)["caption"] == "Every comparison."
    assert md_table(significance_rows(16), caption="Every comparison.") == table  # deterministic label
    assert TABLE_CAPTION.search(md_table(significance_rows(4), caption="Every comparison."))["label"] != \
        TABLE_CAPTION.search(table)["label"]
    cell = nbformat.v4.new_code_cell("print(table)", metadata={"quarto": {"output": "asis"}})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=table + "\n" + md_table(
        [{"check": "k", "value": 1}], caption="Second."))]
    html_md = notebook_to_markdown(nbformat.v4.new_notebook(cells=[cell]), Path("."), number_captions=True)
    html = pypandoc.convert_text(html_md, "html5", format="markdown")
    assert "<caption>Table 1: Every comparison.</caption>" in " ".join(html.split())
    assert "<caption>Table 2: Second.</caption>" in html
    assert '<div class="synth-table' in html and "<colgroup>" in html
    typst = pypandoc.convert_text(table, "typst", format="markdown")
    assert "kind: table" in typst and "caption: [Every comparison.]" in typst  # Typst numbers it "Table N"
    assert "#show figure: set block(breakable: true)" in typst and "hyphenate: false" in typst
    assert "table.header(" in typst  # repeated on every page the table spans
    short = pypandoc.convert_text(md_table(significance_rows(3), caption="Short."), "typst", format="markdown")
    assert "set block(breakable: false)" in short  # a short table moves whole, caption included


def test_pdf_numbers_captioned_tables_like_the_html(tmp_path):
    """An uncaptioned table takes no number, so "Table N" is the same in the PDF (Typst) and the HTML."""
    typst = pytest.importorskip("typst")
    markdown = md_table([{"a": "x", "b": 1.0}]) + "\n" + md_table([{"a": "y", "b": 2.0}], caption="Second.")
    (tmp_path / "t.typ").write_text(pypandoc.convert_text(markdown, "typst", format="markdown", extra_args=["-s"]))
    typst.compile(str(tmp_path / "t.typ"), output=str(tmp_path / "t.pdf"))
    with pdfplumber.open(tmp_path / "t.pdf") as pdf:
        assert "Table 1: Second." in pdf.pages[0].extract_text()


def test_pdf_figures_taller_than_half_a_page_are_scaled_down(tmp_path):
    import base64
    import io

    import matplotlib.pyplot as plt

    def figure_cell(width_in: float, height_in: float) -> nbformat.NotebookNode:
        figure = plt.figure(figsize=(width_in, height_in))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=50)
        plt.close(figure)
        cell = nbformat.v4.new_code_cell("plot()", metadata={"quarto": {"fig-cap": "A figure."}})
        cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(buffer.getvalue()).decode()})]
        return cell

    cells = [figure_cell(6, 12), figure_cell(6, 3), figure_cell(20, 12)]  # tall; short; wide (shrunk to the width)
    markdown = notebook_to_markdown(nbformat.v4.new_notebook(cells=cells), tmp_path, False, max_figure_height_cm=12)
    figures = re.findall(r"!\[[^]]*\]\((figure-\d)\.png\)\{([^}]*)\}", markdown)
    assert [("height=" in attributes) for _, attributes in figures] == [True, False, False]


def test_narrow_table_keeps_its_natural_width():
    html = pypandoc.convert_text(md_table([{"check": "PSI", "alert when": "> 0.2"}]), "html5", format="markdown")
    assert "<colgroup>" not in html  # no stretched columns: pandoc's automatic widths


def test_too_wide_tables_are_transposed_or_split_repeating_the_first_column():
    wide = [{"comparator": m, **{f"metric number {i}": i / 7 for i in range(16)}} for m in METHODS]
    few = md_table(wide[:3], caption="Few rows.")
    assert rows_of(few)[0] == ["comparator", "SMOTE", "Borderline-SMOTE", "SMOTE-ENN"]  # transposed
    split = md_table(wide, caption="Many rows.")
    captions = [m["caption"] for m in TABLE_CAPTION.finditer(split)]
    assert len(captions) >= 2 and captions[0] == f"Many rows. (part 1 of {len(captions)})"
    parts = [rows_of(part) for part in split.split(":::\n") if "|" in part]
    assert all(part[0][0] == "comparator" and [r[0] for r in part[1:]] == METHODS for part in parts)
    columns = [c for part in parts for c in part[0][1:]]
    assert columns == [f"metric number {i}" for i in range(16)]  # every column once, in order


# ------------------------------------------------------------------------------------------ rendered PDF, slow
def collisions(pdf_path: Path, tolerance: float = 0.3) -> list[str]:
    """Pairs of printed characters whose boxes overlap by more than `tolerance` of the smaller one, on any page.

    Characters, not words: text drawn over other text merges into one "word" in a text extractor. Neighbours
    in the content stream are exempt: that is the font's own kerning ("y." tucks the dot under the y).
    """
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            chars = sorted(((i, c) for i, c in enumerate(page.chars) if c["text"].strip()), key=lambda ic: ic[1]["x0"])
            for k, (i, a) in enumerate(chars):
                for j, b in chars[k + 1:]:
                    if b["x0"] >= a["x1"]:
                        break
                    if abs(i - j) == 1:
                        continue
                    width = min(a["x1"], b["x1"]) - b["x0"]
                    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                    smaller = min((a["x1"] - a["x0"]) * (a["bottom"] - a["top"]), (b["x1"] - b["x0"]) * (b["bottom"] - b["top"]))
                    if width > 0 and height > 0 and width * height > tolerance * smaller:
                        found.append(f"page {number}: {a['text']!r} at ({a['x0']:.0f}, {a['top']:.0f}) and {b['text']!r}")
    return found


def outside_text_area(pdf_path: Path, margin_pt: float = 50.0) -> list[str]:
    """Characters printed in the side margins or off the page (a table wider than the text column)."""
    with pdfplumber.open(pdf_path) as pdf:
        return [f"page {n}: {c['text']!r} at x={c['x0']:.0f}" for n, page in enumerate(pdf.pages, 1) for c in page.chars
                if c["text"].strip() and (c["x0"] < margin_pt or c["x1"] > page.width - margin_pt)]


def pdf_words(pdf_path: Path) -> list[dict]:
    """Every word of the PDF with its page and box."""
    with pdfplumber.open(pdf_path) as pdf:
        return [{**w, "text": normalised(w["text"]), "page": n} for n, page in enumerate(pdf.pages, 1)
                for w in page.extract_words()]


def printed(label: str, words: list[dict]) -> bool:
    """The label is in the PDF as a table cell prints it: its words in order, each one right after the last on
    the same line, or at the start of one of the next lines at the cell's left edge (a wrapped cell)."""
    wanted = normalised(label).split()

    def follows(prev: dict, first: dict, word: dict) -> bool:
        if word["page"] != prev["page"]:
            return False
        same_line = abs(word["top"] - prev["top"]) < 2 and prev["x1"] - 1 <= word["x0"] <= prev["x1"] + 12
        next_line = 2 <= word["top"] - prev["top"] <= 3 * (prev["bottom"] - prev["top"]) and abs(word["x0"] - first["x0"]) < 3
        return same_line or next_line

    for first in (w for w in words if w["text"] == wanted[0]):
        prev = first
        for text in wanted[1:]:
            prev = next((w for w in words if w["text"] == text and follows(prev, first, w)), None)
            if prev is None:
                break
        else:
            return True
    return False


def table_row_labels(notebook: Path) -> list[str]:
    """The first cell of every row of every Markdown table printed by an asis cell of the executed notebook."""
    labels = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code" and cell.metadata.get("quarto", {}).get("output") == "asis":
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout")
            labels += [row[0] for block in re.split(r"\n\s*\n", text) for row in rows_of(block)[1:] if row[0]]
    return labels


def test_collision_check_catches_overlapping_text(tmp_path):
    """The check itself: text drawn over text is found, the same text side by side is not."""
    typst = pytest.importorskip("typst")
    for name, body in {"overlap": "#place(dx: 0pt)[credit_amount] #place(dx: 30pt)[3271.26]",
                       "apart": "#place(dx: 0pt)[credit_amount] #place(dx: 120pt)[3271.26]"}.items():
        (tmp_path / f"{name}.typ").write_text(f"#set page(width: 300pt, height: 100pt, margin: 60pt)\n{body}\n")
        typst.compile(str(tmp_path / f"{name}.typ"), output=str(tmp_path / f"{name}.pdf"))
    assert collisions(tmp_path / "overlap.pdf")
    assert not collisions(tmp_path / "apart.pdf")


def normalised(text: str) -> str:
    """Without Markdown markup and with the typesetter's minus and curly quotes as plain ASCII."""
    text = re.sub(r"[`*\\]", "", text).translate(str.maketrans({"−": "-", "’": "'", "‘": "'", "“": '"', "”": '"'}))
    return " ".join(text.split())


def check_rendered_pdf(params: str | Path, out: Path, project_root: Path, engine: str = "builtin",
                       fast: bool = True) -> None:
    outputs = render(str(params), out_dir=out, formats=("pdf",), engine=engine, fast=fast, project_root=project_root)
    pdf = outputs["pdf"]
    assert not collisions(pdf), collisions(pdf)[:10]
    assert not outside_text_area(pdf), outside_text_area(pdf)[:10]
    words = pdf_words(pdf)
    labels = table_row_labels(outputs["notebook"])
    assert len(labels) >= 20
    missing = [label for label in labels if not printed(label, words)]
    assert not missing, missing[:10]
    text = " ".join(w["text"] for w in words)
    assert "Table 1:" in text
    if engine == "builtin":  # synthlib's own header block
        assert re.search(r"Profile\s+" + ("fast" if fast else "full"), text)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["builtin", "quarto"])
def test_german_credit_pdf_has_no_overlapping_words_and_every_row_label(tmp_path, engine):
    if engine == "quarto" and not quarto_available():
        pytest.skip("no `quarto` command here")
    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    (project / "data").mkdir()
    shutil.copy(ROOT / "params" / "german_credit.yml", project / "params")
    shutil.copy(ROOT / "data" / "german_credit.csv", project / "data")
    check_rendered_pdf("german_credit", tmp_path / "out", project, engine)


@pytest.mark.full
def test_german_credit_default_profile_pdf_has_no_overlapping_words_and_every_row_label(tmp_path):
    """The report a reviewer signs: all eight methods, four classifiers, 5 x 2 CV (about 4 minutes on 2 cores)."""
    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    (project / "data").mkdir()
    shutil.copy(ROOT / "params" / "german_credit.yml", project / "params")
    shutil.copy(ROOT / "data" / "german_credit.csv", project / "data")
    check_rendered_pdf("german_credit", tmp_path / "out", project, fast=False)
    with pdfplumber.open(tmp_path / "out" / "report.pdf") as pdf:  # page 1 lists the appendices in its contents
        texts = [(page.extract_text() or "").splitlines() for page in pdf.pages]
    first_appendix = next(number for number, lines in enumerate(texts, 1)
                          if number > 1 and any(line.startswith("Appendix A:") for line in lines))
    assert first_appendix - 1 <= 15, f"main body of {first_appendix - 1} pages (of {len(texts)})"


@pytest.mark.slow
def test_multiclass_bank_wages_pdf_has_no_overlapping_words_and_every_row_label(tmp_path):
    data = SHARED_DATASETS / "bank_wages_job.csv"
    if not data.exists():
        pytest.skip(f"{data} is not here")
    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    shipped = ROOT / "examples" / "params" / "bank_wages_job.yml"
    text = shipped.read_text() if shipped.exists() else MINIMAL_BANK_WAGES
    (project / "params" / "bank_wages_job.yml").write_text(re.sub(r"source: .*", f"source: {data}", text, count=1))
    check_rendered_pdf("bank_wages_job", tmp_path / "out", project)
    # two minority classes: every test-split CI of the primary metric (averaged over them) holds its own estimate
    result = json.loads((tmp_path / "out" / "results.json").read_text())
    primary = result["utility"]["protocol"]["primary_metric"]
    assert len(result["utility"]["classes"]["minority"]) == 2
    for classifier, entries in result["utility"]["test"].items():
        for comparator, entry in entries.items():
            low, high = entry["primary_ci"]
            assert low - 1e-9 <= entry["metrics"][primary] <= high + 1e-9, (classifier, comparator, entry["primary_ci"])
