"""Stage 6, report: what the report notebook displays (`ReportContext`), its sentences and tables, and the engines
that render it to HTML and PDF."""

from ._context import ReportContext
from ._render import RenderError, render, write_notebook

__all__ = ["RenderError", "ReportContext", "render", "write_notebook"]
