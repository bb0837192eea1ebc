"""What `synthlib verify` prints: one table of what reproduced (a row per results.json section, per model's test
predictions, the manifest), the differences with both values, and the warnings about versions and source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from synthlib.runner._verify import Verification

SHOWN_DIFFERENCES = 30  # the rest are in verification.json
OK, DIFFERS = "[green]ok[/]", "[bold red]differs[/]"
RULES = {"tolerance": "outside the tolerance", "exact": "must be equal", "missing": "on one side only"}


def value_text(value: Any, width: int = 48) -> str:
    """A value as the table shows it: floats with every digit that matters, long text shortened."""
    text = repr(value) if isinstance(value, float) else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _summary_table(result: Verification) -> Table:
    table = Table(title=f"Verification of {result.bundle} (results.json by section, test predictions, files)")
    for column in ("what", "compared", "result", "detail"):
        table.add_column(column)
    table.add_row("data file SHA-256", "1", OK, f"{result.data_sha256[:16]}… as recorded")
    table.add_row("configuration", "1", OK, f"params give hash {result.config_hash[:12]}…")
    for section, counts in result.sections.items():
        detail = f"{counts.exact} exact" + (f", {counts.within_tolerance} within tolerance" if counts.within_tolerance
                                            else "") + (f", {counts.differ} differ" if counts.differ else "")
        table.add_row(section, str(counts.compared), DIFFERS if counts.differ else OK, detail)
    for role, check in result.predictions.items():
        if check.problem:
            table.add_row(f"{role} predictions", "", DIFFERS, check.problem)
            continue
        detail = (f"{check.rows - check.labels_differ} labels equal, {check.scores_differ} scores differ "
                  f"(max {check.max_score_difference:.3g})")
        if check.audit_configuration != check.rerun_configuration:
            detail = f"re-run chose {check.rerun_configuration}, the audit {check.audit_configuration}; " + detail
        table.add_row(f"{role} predictions", str(check.rows), OK if check.reproduced else DIFFERS, detail)
    table.add_row("manifest.json", "", DIFFERS if result.changed_files else OK,
                  f"changed since the audit: {', '.join(result.changed_files)}" if result.changed_files
                  else "every file's SHA-256 matches")
    return table


def _differences_table(result: Verification) -> Table:
    shown = result.differences[:SHOWN_DIFFERENCES]
    more = len(result.differences) > len(shown)
    table = Table(title="What did not reproduce" + (f" (first {len(shown)}; all {len(result.differences)} in "
                                                    "verification.json)" if more else ""))
    for column in ("key", "audit", "re-run", "rule"):
        table.add_column(column, overflow="fold")
    for difference in shown:
        table.add_row(difference.key, value_text(difference.audit), value_text(difference.rerun), RULES[difference.rule])
    return table


def show_verification(result: Verification, path: Path, console: Console) -> None:
    """Print the tables, the warnings and the outcome of a verification (`runner.verify`)."""
    console.print(_summary_table(result))
    if result.differences:
        console.print(_differences_table(result))
    if result.versions_differ:
        listed = ", ".join(f"{v.package} {v.audit} -> {v.now}" for v in result.versions_differ)
        console.print(f"[yellow]warning:[/] package versions differ from the audit's ({listed}); they may explain "
                      "differences", highlight=False)
    if result.source_digest_audit != result.source_digest_now:
        console.print(f"[yellow]warning:[/] synthlib's source differs from the audit's (SHA-256 of its .py files "
                      f"{result.source_digest_now[:16]}…, the audit's {str(result.source_digest_audit)[:16]}…); code "
                      "changes may explain differences", highlight=False)
    total, tolerance = result.summary, result.tolerance
    counted = (f"{total.compared} figures compared ({total.exact} exact, {total.within_tolerance} within rel "
               f"{tolerance.relative:g} / abs {tolerance.absolute:g}; {result.not_compared_count} timings, versions, "
               "paths and cache fields not compared)")
    if result.reproduced:
        models = " and ".join(f"{role} model's {check.rows}" for role, check in result.predictions.items())
        console.print(f"[bold green]reproduced:[/] {counted}" + (f"; the {models} test predictions identical" if models
                                                                 else "; no saved model to compare"), highlight=False)
    else:
        problems = [f"{total.differ} of {total.compared} figures differ"] if total.differ else []
        problems += [f"the {role} model's test predictions differ" for role, check in result.predictions.items()
                     if not check.reproduced]
        problems += [f"{len(result.changed_files)} bundle file(s) changed since the audit"] if result.changed_files else []
        console.print(f"[bold red]not reproduced:[/] {'; '.join(problems)}", highlight=False)
    console.print(f"written: {path}", highlight=False)
