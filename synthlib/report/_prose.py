"""The report's sentences: Markdown + Jinja2 templates, one per section.

The packaged templates are `synthlib/templates/sections/*.md.j2`; `synthlib init` copies them into a project's
`report/sections/`, and a project's copy of a file replaces the packaged one (file by file, so a project may keep
only the sections it rewords). Python hands the templates data (the results dict, the facts of `_narrative`,
tables as finished Markdown) and the formatting filters below; the templates do all the phrasing.

Jinja2 rather than str.format: loops, conditions and macros are what a reworded sentence needs, and its
`StrictUndefined` makes a misspelled variable an error that names the template and line, never an empty gap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import jinja2

from synthlib.config import (CLASSIFIER_NAMES, SECTIONS, TEMPLATES, configuration_name, method_name, metric_name,
                             report_template, trained_ratio_text)
from synthlib.evaluate import higher_is_better

from ._render import RenderError
from ._tables import md_table

PACKAGED_SECTIONS = TEMPLATES / "sections"
SUFFIX = ".md.j2"
PHRASES = "_phrases" + SUFFIX  # macros shared by several sections (no output of its own)


# ------------------------------------------------------------------------------------------- filters
def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def num(value: Any, digits: int = 3) -> str:
    """A number with `digits` decimals ("n/a" when missing); integers and text as they are."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)
    number = _finite(value)
    return "n/a" if number is None else f"{number:.{digits}f}"


def signed(value: Any, digits: int = 3) -> str:
    """"+0.012" / "−0.051" style: always with its sign."""
    number = _finite(value)
    return "n/a" if number is None else f"{number:+.{digits}f}"


CI_KEYS = ("ci_low", "ci_high")


def ci(low: Any, high: Any = None, digits: int = 3, sign: bool = True) -> str:
    """"[+0.010, +0.050]" from two bounds, a pair, or a mapping with `ci_low` / `ci_high`; "" when unknown."""
    if isinstance(low, Mapping):
        low, high = (low.get(key) for key in CI_KEYS)
    elif isinstance(low, Sequence) and not isinstance(low, str):
        low, high = (list(low) + [None, None])[:2]
    low, high = _finite(low), _finite(high)
    if low is None or high is None:
        return ""
    form = f"{{:{'+' if sign else ''}.{digits}f}}"
    return f"[{form.format(low)}, {form.format(high)}]"


def p(value: Any) -> str:
    """"p = 0.012", "p < 0.001" ("n/a" when missing)."""
    number = _finite(value)
    if number is None:
        return "n/a"
    return "p < 0.001" if number < 0.001 else f"p = {number:.3f}"


def pct(value: Any, digits: int = 1) -> str:
    """A share as a percentage: 0.123 -> "12.3%"."""
    number = _finite(value)
    return "n/a" if number is None else f"{100 * number:.{digits}f}%"


def bound(value: Any) -> str:
    """A data value with five significant digits (a cap bound of 0.085 must not print as 0.1)."""
    number = _finite(value)
    return "n/a" if number is None else f"{number:.5g}"


def listing(items: Any, code: bool = True, last: str = " and ") -> str:
    """"`a`, `b` and `c`" (plain words with `code=False`); "" for no items."""
    items = [f"`{i}`" if code else str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1] if items else ""


LABEL = "label"


def label(entry: Any) -> str:
    """A configuration's display name from its verdict entry (a mapping with classifier and comparator)."""
    if not entry:
        return "n/a"
    return entry.get(LABEL) or configuration_name(*itemgetter("comparator", "classifier")(entry))


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


FILTERS: dict[str, Callable[..., str]] = {
    "num": num, "signed": signed, "ci": ci, "p": p, "pct": pct, "bound": bound, "listing": listing,
    "label": label, "capfirst": capfirst, "metric": metric_name, "method": method_name,
    "classifier": lambda name: CLASSIFIER_NAMES.get(name, name), "ratio": trained_ratio_text,
    "configuration": lambda classifier, comparator: configuration_name(comparator, classifier),
    "words": lambda key: str(key).replace("_", " "), "thousands": lambda n: f"{n:,}",
}


# ------------------------------------------------------------------------------------- environment
def section_folders(root: Path | str | None) -> list[Path]:
    """Where section templates are looked for, first match wins: the project's report/sections/, the package's."""
    return ([Path(root) / SECTIONS] if root is not None else []) + [PACKAGED_SECTIONS]


def environment(root: Path | str | None = None) -> jinja2.Environment:
    """Jinja2 with the sections' folders, strict about undefined names, blocks that leave no blank lines. Comments
    are `{## ... ##}`: Jinja2's default `{# ... #}` would swallow Markdown heading ids such as `{#sec-summary}`."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(p) for p in section_folders(root)]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False,
                             comment_start_string="{##", comment_end_string="##}")
    env.filters.update(FILTERS)
    env.tests.update(lower_is_better=lambda metric: not higher_is_better(metric))  # `is lower_is_better`
    env.globals.update(md_table=md_table)  # a table the template phrases itself (page 1's findings)
    return env


def _shown(filename: str | None, root: Path | str | None) -> str:
    """A template's path as the user knows it: report/sections/x.md.j2, or the packaged file's path."""
    if not filename:
        return "?"
    path = Path(filename).resolve()
    for base in ([Path(root).resolve()] if root is not None else []) + [TEMPLATES.parent.parent]:
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line of a failure raised while a template rendered (Jinja2 rewrites its
    traceback so that frames carry the template's file name and line)."""
    found, tb = None, exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(SUFFIX):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def template_error(exc: Exception, root: Path | str | None, name: str) -> RenderError:
    """One line naming the template, the line and what went wrong."""
    def path_of(template: str | None) -> str | None:
        found = [f / template for f in section_folders(root) if template and (f / template).is_file()]
        return str(found[0]) if found else template

    if isinstance(exc, jinja2.TemplateNotFound):
        folders = " or ".join(str(f) for f in section_folders(root))
        return RenderError(f"report section template `{exc.name}` not found in {folders}")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = (exc.filename or path_of(exc.name or name), exc.lineno)
        message = exc.message
    else:
        where = _template_frame(exc) or (path_of(name), None)
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    line = f", line {where[1]}" if where[1] else ""
    return RenderError(f"template {_shown(where[0], root)}{line}: {message}")


RESOLVED = "resolved"


def _context(result: Mapping[str, Any], root: Path | str | None, tables: Any, env: jinja2.Environment) -> dict[str, Any]:
    from ._findings import findings  # noqa: F401 - importing it registers page 1's facts
    from ._narrative import Facts

    phrases = env.get_template(PHRASES).module if PHRASES in env.list_templates() else None
    config, verdict = (result.get(key) for key in ("config", "verdict"))
    resolved = (config or {}).get(RESOLVED)
    return {"result": result, "verdict": verdict, "config": resolved, "facts": Facts(result),
            "table": tables.table if tables is not None else _no_tables, "ctx": tables, "say": phrases}


def _no_tables(name: str, *args: Any, **kwargs: Any) -> str:
    raise RenderError(f"table `{name}` asked for without a report context")


def render_section(name: str, result: Mapping[str, Any], root: Path | str | None = None, tables: Any = None) -> str:
    """The Markdown of section `name` (report/sections/<name>.md.j2, else the packaged one); a link to a section
    the project's skeleton leaves out becomes plain text (Typst refuses a link to a label that does not exist)."""
    env = environment(root)
    text = _reworded(lambda: env.get_template(name + SUFFIX).render(_context(result, root, tables, env)), env, root,
                     name + SUFFIX)
    return unlink_missing(text, anchors(root)) if root is not None else text


SECTION_CALL = re.compile(r"""ctx\.section\(\s*["'](\w+)["']""")
HEADING_ID = re.compile(r"\{[^{}\n]*#(sec-[\w-]+)[^{}\n]*\}")
LINK = re.compile(r"\[([^\]\n]+)\]\(#(sec-[\w-]+)\)")


def anchors(root: Path | str) -> set[str]:
    """The heading ids the report will have: those of the skeleton (report/audit.qmd) and of the section templates
    it renders."""
    skeleton = report_template(Path(root)).read_text(encoding="utf-8")
    found = set(HEADING_ID.findall(skeleton))
    for name in SECTION_CALL.findall(skeleton):
        source = next((f / (name + SUFFIX) for f in section_folders(root) if (f / (name + SUFFIX)).is_file()), None)
        if source is not None:
            found |= set(HEADING_ID.findall(source.read_text(encoding="utf-8")))
    return found


def unlink_missing(markdown: str, known: set[str]) -> str:
    """`[text](#sec-x)` -> `text` where no heading has the id sec-x."""
    return LINK.sub(lambda m: m[0] if m[2] in known else m[1], markdown)


def render_block(name: str, block: str, result: Mapping[str, Any], root: Path | str | None = None,
                 tables: Any = None) -> str:
    """One `{% block %}` of a section alone (a paragraph; the tests check phrasing on small results this way)."""
    env = environment(root)

    def run() -> str:
        template = env.get_template(name + SUFFIX)
        return "".join(template.blocks[block](template.new_context(_context(result, root, tables, env))))

    return _reworded(run, env, root, name + SUFFIX)


def phrase(macro: str, *args: Any, root: Path | str | None = None, **kwargs: Any) -> str:
    """One macro of the shared phrases (`_phrases.md.j2`), called with `args`."""
    env = environment(root)
    return _reworded(lambda: str(getattr(env.get_template(PHRASES).module, macro)(*args, **kwargs)), env, root, PHRASES)


def _reworded(run: Callable[[], str], env: jinja2.Environment, root: Path | str | None, name: str) -> str:
    """`run()`, a failure inside a template raised as a RenderError naming the template and line (Jinja2 maps its
    traceback to template lines in `handle_exception`, which `Template.render` calls and a block or macro does not)."""
    try:
        try:
            return run()
        except RenderError:
            raise
        except Exception:  # noqa: BLE001
            env.handle_exception()
    except RenderError:
        raise
    except Exception as exc:  # noqa: BLE001 - only failures inside a template are reworded
        if isinstance(exc, jinja2.TemplateError) or _template_frame(exc):
            raise template_error(exc, root, name) from None
        raise
    raise AssertionError("unreachable")


def section_names(root: Path | str | None = None) -> list[str]:
    """Every section template a project can use (its own and the packaged ones), without the suffix."""
    names = {p.name[:-len(SUFFIX)] for folder in section_folders(root) if folder.is_dir()
             for p in folder.glob("*" + SUFFIX) if not p.name.startswith("_")}
    return sorted(names)
