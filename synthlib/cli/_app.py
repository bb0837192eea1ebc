"""Command-line interface: `synthlib check | datasets | run | ...` (typer + rich)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable

import typer
import yaml
from rich.console import Console
from rich.table import Table

from synthlib.config import BUILTIN_DATASETS, load_config
from synthlib.errors import ConfigError, SynthlibError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Audit synthetic minority-class augmentation.")
console = Console(soft_wrap=True)  # commands and paths stay on one line for copy-paste, even when piped (80 columns)
errors = Console(stderr=True, soft_wrap=True)


REPORT_FORMATS = ("html", "pdf")


def parse_formats(text: str) -> tuple[str, ...]:
    """`--format html,pdf` as a tuple; empty or unknown formats are refused before any work."""
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in formats if f not in REPORT_FORMATS]
    if not formats or unknown:
        got = f"`{unknown[0]}`" if unknown else "no format"
        raise ConfigError(f"--format {text!r} names {got}; it takes html, pdf or html,pdf")
    return tuple(dict.fromkeys(formats))


def clear_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a `SynthlibError` into one red line on stderr and exit code 2 (never a traceback)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SynthlibError as exc:
            errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:  # run and render left nothing unfinished in place (runner._outputs)
            errors.print("[bold red]interrupted[/]", highlight=False)
            raise typer.Exit(code=130) from None

    return wrapper


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step.")) -> None:
    from synthlib.utils import configure_stderr_logging

    configure_stderr_logging(verbose)


@app.command()
@clear_errors
def init(folder: Path = typer.Argument(..., help="The project folder to create (new, or without these files).")) -> None:
    """Create an audit project: params/ with a commented example, data/, report/audit.qmd, _quarto.yml, .gitignore."""
    from synthlib.config import init_project

    for path in init_project(folder):
        console.print(f"created {path}", highlight=False)
    console.print(f"next: cd {folder} && synthlib check params/german_credit.yml && synthlib render german_credit",
                  highlight=False)


@app.command()
@clear_errors
def check(params: str = typer.Argument(..., help="A params file or a data set name in params/.")) -> None:
    """Validate a params file and its data (header and a sample): print the resolved configuration, warnings
    with their fix, and the size of the run. A problem that would stop the run exits 2 with one line."""
    from synthlib.config import find_params
    from synthlib.prepare import run_checks
    from synthlib.runner import output_dir

    config = load_config(params)
    out = output_dir(find_params(params).stem, config)  # a file or a read-only folder stops here, not after the run
    report = run_checks(config)
    typer.echo(yaml.safe_dump(config.to_dict(), sort_keys=False, width=1000))
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    read = "every row" if report.rows_read == report.n_rows else f"a random sample of {report.rows_read:,} rows"
    console.print(f"size: {report.size}", highlight=False, soft_wrap=True)
    console.print(f"outputs: {out} ({out.name}-fast with --fast)", highlight=False, soft_wrap=True)
    console.print(f"estimated duration: {report.duration}", highlight=False)
    console.print(f"[green]valid:[/] {config.source_file} (config hash {config.config_hash[:12]}); data checked on "
                  f"{read}", highlight=False, soft_wrap=True)


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


SIGN_KEY_HELP = "Ed25519 private key (PEM, from `synthlib keygen`): sign OutputMaterials/manifest.json."


def _signing_key(path: Path | None):
    """The private key of `--sign-key`, read before any work so that a wrong file stops the command at once."""
    from synthlib.deploy import load_private_key

    return load_private_key(path) if path is not None else None


def _sign(out_dir: Path, key) -> None:
    """Sign the bundle in `out_dir` with `key`, or say that it is unsigned."""
    from synthlib.deploy import BUNDLE, SIGNATURE, sign_bundle
    from synthlib.deploy._trust import fingerprint

    if key is None:
        console.print(f"note: {out_dir / BUNDLE} is unsigned; sign it with --sign-key (`synthlib keygen DIR` writes "
                      "a key pair)", highlight=False)
        return
    sign_bundle(out_dir / BUNDLE, key)
    console.print(f"signed: {out_dir / BUNDLE / SIGNATURE} (key {fingerprint(key.public_key())})", highlight=False)


@app.command()
@clear_errors
def keygen(folder: Path = typer.Argument(..., help="Folder for the key pair (created if needed).")) -> None:
    """Write an Ed25519 key pair for signing bundles: the private key (mode 0600; keep it secret) and the public
    key (give it to whoever checks the bundles). Existing keys are never overwritten."""
    from synthlib.deploy import keygen as write_keys
    from synthlib.deploy._trust import fingerprint, load_public_key

    private, public = write_keys(folder)
    console.print(f"private key: {private} (keep it secret; sign with --sign-key {private})", highlight=False)
    console.print(f"public key: {public} (key {fingerprint(load_public_key(public))}; check with --public-key "
                  f"{public})", highlight=False)


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@app.command()
@clear_errors
def profile(params: str = typer.Argument(..., help="A params file or a data set name in params/.")) -> None:
    """Load, split and clean the data set; print the cleaning log and the class balance per split."""
    from synthlib.prepare import prepare

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


@app.command()
@clear_errors
def run(dataset: str = typer.Argument(..., help="A data set name in params/ or a params file."),
        out: Path = typer.Option(None, "--out", help="Output folder (default: reports/<name>, "
                                 "reports/<name>-fast with --fast)."),
        fast: bool = typer.Option(False, "--fast", help="Fast profile: 3 methods, 2 classifiers, 3-fold CV."),
        sign_key: Path = typer.Option(None, "--sign-key", help=SIGN_KEY_HELP)) -> None:
    """Run the audit; write results.json and the OutputMaterials bundle."""
    from synthlib.runner import run_fresh
    from synthlib.utils import STEPS, step_reporter

    key = _signing_key(sign_key)
    with step_reporter(total=STEPS.index("export bundle") + 1) as steps:
        audit, out_dir = run_fresh(dataset, fast=fast, out_dir=out, progress=steps)
    typed = audit.typed
    cache = "cache hit: loaded, not recomputed" if typed.cache.get("hit") else "computed"
    console.print(f"[green]done[/] ({cache}): {out_dir / 'results.json'}, {out_dir / 'OutputMaterials'}; "
                  f"warnings in {out_dir / 'run.log'}", highlight=False)
    recommended = typed.verdict.recommended if typed.verdict else None
    if recommended:
        console.print(f"recommended configuration: {recommended.comparator} + {recommended.classifier}",
                      highlight=False)
    _sign(out_dir, key)


@app.command()
@clear_errors
def render(dataset: str = typer.Argument(..., help="A data set name in params/ or a params file."),
           out: Path = typer.Option(None, "--out", help="Output folder (default: reports/<name>, "
                                    "reports/<name>-fast with --fast)."),
           format: str = typer.Option("html,pdf", "--format", help="html, pdf or html,pdf."),
           engine: str = typer.Option("auto", "--engine", help="auto, quarto or builtin."),
           fast: bool = typer.Option(False, "--fast", help="Fast profile (for tests and previews)."),
           sign_key: Path = typer.Option(None, "--sign-key", help=SIGN_KEY_HELP)) -> None:
    """Run the audit and render the report (HTML and PDF)."""
    from synthlib.report import render as render_report
    from synthlib.utils import step_reporter

    formats = parse_formats(format)
    key = _signing_key(sign_key)
    with step_reporter() as steps:
        outputs = render_report(dataset, out_dir=out, formats=formats, engine=engine, fast=fast, progress=steps)
    for kind, path in outputs.items():
        if kind != "engine":
            console.print(f"{kind}: {path}")
    console.print(f"engine: {outputs['engine']}")
    _sign(outputs["results"].parent, key)


@app.command()
@clear_errors
def notebook(out: Path = typer.Option(Path("report/audit.ipynb"), "--out", help="Where to write the .ipynb.")) -> None:
    """Write the report as a notebook, for `papermill report/audit.ipynb out.ipynb -p dataset NAME`.

    It is made from the project's report/audit.qmd (the current folder's), or the packaged template."""
    from synthlib.config import report_template
    from synthlib.report import write_notebook

    out.parent.mkdir(parents=True, exist_ok=True)
    console.print(f"wrote {write_notebook(report_template(Path.cwd()), out)}")


@app.command()
def monitor(bundle: Path = typer.Argument(..., help="An OutputMaterials folder (or its parent)."),
            new_data: Path = typer.Argument(..., help="CSV or Parquet with new rows."),
            labels: str = typer.Option(None, "--labels", help="Column of true labels, if known."),
            out: Path = typer.Option(None, "--out", help="Folder for monitor.json and monitor.html."),
            encoding: str = typer.Option("utf-8", "--encoding",
                                         help="Text encoding of NEW_DATA (e.g. latin-1, cp1252); utf-8 by default."),
            public_key: Path = typer.Option(None, "--public-key",
                                            help="The signer's Ed25519 public key (PEM): refuse a bundle whose "
                                                 "manifest.sig is missing or does not match."),
            allow_pickle: bool = typer.Option(False, "--allow-pickle",
                                              help="Load a model saved as a pickle (runs code from the file: only "
                                                   "for a bundle whose origin you trust).")) -> None:
    """Drift, prevalence and (with labels) recall of the bundle's deployed model on raw new rows.
    Exit 0: ok, 1: an alert fired, 2: bad input or a corrupt, tampered or unsigned (with --public-key) bundle."""
    from synthlib.deploy import monitor as run_monitor
    from synthlib.deploy import write_outputs

    try:
        result = run_monitor(bundle, new_data, labels, encoding, public_key=public_key, allow_pickle=allow_pickle)
        json_path, html_path = write_outputs(result, out or Path(new_data).parent / "monitor")
    except SynthlibError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    console.print(result["signature"], highlight=False)
    table = Table(title=f"Drift: {new_data}")
    for column in ("feature", "type", "PSI", "p-value", "status"):
        table.add_column(column)
    for name, f in result["features"].items():
        p_value = f.get("ks_p_value", f.get("chi2_p_value"))
        table.add_row(name, f["type"], "n/a" if f["psi"] is None else f"{f['psi']:.3f}",
                      "n/a" if p_value is None else f"{p_value:.3g}", "[red]ALERT[/]" if f["alert"] else "ok")
    console.print(table)
    prevalence = result["prevalence"]
    console.print(f"predicted minority rate {prevalence['predicted_minority_rate']:.3f} (deployed model on the test "
                  f"split: {prevalence['reference_rate']:.3f})")
    if "performance" in result:
        recall = result["performance"]["deployed"]["recall_minority"]
        console.print(f"minority recall {'n/a' if recall is None else f'{recall:.3f}'} "
                      f"(floor {result['performance']['recall_floor']:.3f})")
    for alert in result["alerts"]:
        console.print(f"[bold red]alert:[/] {alert}")
    console.print(f"written: {json_path}, {html_path}")
    raise typer.Exit(code=1 if result["alerts"] else 0)


@app.command()
@clear_errors
def verify(bundle: Path = typer.Argument(..., help="An OutputMaterials folder (or its parent)."),
           data: Path = typer.Option(..., "--data", help="The data file the audit read (its SHA-256 is checked)."),
           tolerance: float = typer.Option(1e-9, "--tolerance", min=0,
                                           help="Relative tolerance for floating-point figures (absolute: 1e-12)."),
           out: Path = typer.Option(None, "--out", help="Folder for verification.json (default: beside the bundle).")) -> None:
    """Re-run the audit a bundle records and compare every number and test prediction with the bundle's.
    Exit 0: everything reproduces, 1: something differs, 2: bad input (no bundle, other data, missing data)."""
    from synthlib.runner import verify as run_verify
    from synthlib.utils import STEPS, step_reporter

    from ._verify import show_verification

    with step_reporter(total=STEPS.index("verdict") + 1) as steps:
        result, path = run_verify(bundle, data, relative=tolerance, out=out, progress=steps)
    show_verification(result, path, console)
    raise typer.Exit(code=0 if result.reproduced else 1)


@app.command()
@clear_errors
def batch(params: list[str] = typer.Argument(..., help="Data set names or params files."),
          workers: int = typer.Option(2, "--workers", help="Local Dask workers (ignored with --scheduler)."),
          scheduler: str = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler."),
          format: str = typer.Option("html,pdf", "--format"),
          engine: str = typer.Option("auto", "--engine"),
          fast: bool = typer.Option(False, "--fast"),
          sign_key: Path = typer.Option(None, "--sign-key", help=SIGN_KEY_HELP + " Every item's bundle is signed.")) -> None:
    """Render many data sets in parallel; a summary table at the end; exit 1 if any failed."""
    from ._batch import run_batch

    formats = parse_formats(format)
    key = _signing_key(sign_key)  # a wrong file stops the batch before any item runs
    rows = run_batch(params, workers=workers, scheduler=scheduler, engine=engine, formats=formats, fast=fast,
                     sign_key=str(sign_key.resolve()) if key is not None else None)
    table = Table(title="Batch")
    for column in ("params", "status", "seconds", "output / error"):
        table.add_column(column)
    for row in rows:
        status = "[green]ok[/]" if row["status"] == "ok" else "[red]failed[/]"
        table.add_row(row["params"], status, f"{row['seconds']:.1f}", row["output"] or row["error"])
    console.print(table)
    raise typer.Exit(code=1 if any(r["status"] != "ok" for r in rows) else 0)


if __name__ == "__main__":
    app()
