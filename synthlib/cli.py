"""Command-line interface: `synthlib check | datasets | run | ...` (typer + rich)."""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import Any, Callable

import typer
import yaml
from rich.console import Console
from rich.table import Table

from .config import BUILTIN_DATASETS, load_config
from .errors import SynthlibError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Audit synthetic minority-class augmentation.")
console = Console()
errors = Console(stderr=True)


def clear_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a `SynthlibError` into one red line on stderr and exit code 2 (never a traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SynthlibError as exc:
            errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None

    return wrapper


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
@clear_errors
def check(params: str = typer.Argument(..., help="A params file or a data set name in params/.")) -> None:
    """Validate a params file and print the resolved configuration."""
    config = load_config(params)
    console.print(f"[green]valid:[/] {config.source_file} (config hash {config.config_hash[:12]})")
    typer.echo(yaml.safe_dump(config.to_dict(), sort_keys=False, width=1000))


@app.command()
def datasets() -> None:
    """List the params files in ./params and the built-in data sets."""
    table = Table(title="Data sets")
    table.add_column("name")
    table.add_column("kind")
    table.add_column("source")
    for path in sorted(Path("params").glob("*.y*ml")):
        try:
            source = load_config(path).dataset.source
        except SynthlibError as exc:
            source = f"[red]invalid: {exc}[/]"
        table.add_row(path.stem, "params file", source)
    for name in BUILTIN_DATASETS:
        table.add_row(name, "built-in", f"builtin:{name}")
    console.print(table)


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@app.command()
@clear_errors
def profile(params: str = typer.Argument(..., help="A params file or a data set name in params/.")) -> None:
    """Load, split and clean the data set; print the cleaning log and the class balance per split."""
    from .data import prepare

    prepared = prepare(load_config(params))
    log = prepared.cleaning_log.to_frame()
    table = Table(title=f"Cleaning log: {prepared.config.dataset.name}")
    for column in ("step", "action", "column", "count", "split"):
        table.add_column(column)
    for row in log.itertuples(index=False):
        table.add_row(str(row.step), str(row.action), str(row.column or ""), str(row.count), str(row.split))
    console.print(table)
    balance = Table(title="Class balance")
    for column in ("split", "rows", "counts", "minority:majority"):
        balance.add_column(column)
    for split, info in prepared.profile["class_balance"].items():
        balance.add_row(split, str(info["rows"]), json.dumps(info["counts"]), f"{info['minority_to_majority']:.3f}")
    console.print(balance)
    console.print(f"numeric: {prepared.numeric}\nordinal: {prepared.ordinal}\ncategorical: {prepared.categorical}")
