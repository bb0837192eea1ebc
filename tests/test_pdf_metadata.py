"""The PDF's mark info: Typst's default `/Suspects false` is blanked in place so poppler reads the file without a
"Syntax Error" line, and the file stays valid (same size, same byte offsets, still tagged)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from synthlib.report._render import blank_default_suspects


@pytest.fixture()
def typst_pdf(tmp_path: Path) -> Path:
    import typst

    source = tmp_path / "doc.typ"
    source.write_text('#set document(title: "t")\n= Heading\n\nA paragraph.\n', encoding="utf-8")
    pdf = tmp_path / "doc.pdf"
    typst.compile(str(source), output=str(pdf), root=str(tmp_path))
    return pdf


def test_default_suspects_entry_is_blanked_without_moving_a_byte(typst_pdf):
    before = typst_pdf.read_bytes()
    assert re.search(rb"/MarkInfo<<[^>]*/Suspects\s*false", before), "Typst no longer writes /Suspects false"
    assert blank_default_suspects(typst_pdf) is True
    after = typst_pdf.read_bytes()
    assert after == before.replace(b"/Suspects false", b" " * len(b"/Suspects false"))  # same length and offsets
    assert blank_default_suspects(typst_pdf) is False  # nothing left to blank
    reader = PdfReader(typst_pdf)
    mark_info = reader.trailer["/Root"]["/MarkInfo"]
    assert bool(mark_info["/Marked"]) and "/Suspects" not in mark_info  # still tagged
    assert "A paragraph." in reader.pages[0].extract_text()


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) is not installed")
def test_pdfinfo_prints_no_syntax_error_once_blanked(typst_pdf):
    blank_default_suspects(typst_pdf)
    info = subprocess.run(["pdfinfo", str(typst_pdf)], capture_output=True, text=True, check=True)
    assert "Syntax Error" not in info.stderr, info.stderr
    assert re.search(r"^Tagged:\s+yes", info.stdout, re.M)
