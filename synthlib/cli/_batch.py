"""Render many data sets in parallel on a Dask cluster; one failure never stops the others."""

from __future__ import annotations

import datetime
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from synthlib.errors import ConfigError, SynthlibError

logger = logging.getLogger(__name__)


def render_one(params: str, engine: str, formats: tuple[str, ...], fast: bool, names_root: str,
               sign_key: str | None = None) -> dict[str, Any]:
    """One batch item: every error becomes a row of the summary, never an exception.

    `params` is a params file path or a data set name looked up in `names_root/params`; the item's paths resolve
    from its params file's project. Its steps are printed as plain timestamped lines labelled with `params`. With
    `sign_key` (a private key file), its bundle is signed once the report is written.
    """
    from synthlib.config import find_params
    from synthlib.deploy import BUNDLE, sign_bundle
    from synthlib.errors import SynthlibError
    from synthlib.report import render
    from synthlib.utils import StepLines

    start = time.perf_counter()
    row = {"params": params, "status": "failed", "output": "", "error": ""}
    try:
        path = find_params(params, Path(names_root))
        outputs = render(str(path), formats=formats, engine=engine, fast=fast, progress=StepLines(label=params))
        if sign_key:
            sign_bundle(outputs["results"].parent / BUNDLE, sign_key)
        row.update(status="ok", output=str(outputs["results"].parent))
    except SynthlibError as exc:
        row["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - a batch reports every failure and carries on
        logger.exception("batch item %s failed", params)
        row["error"] = f"{type(exc).__name__}: {exc}"
    return {**row, "seconds": time.perf_counter() - start}


def _output_key(item: str, fast: bool, names_root: Path) -> str:
    """Where a batch item writes: its output folder when its params load, else its params file, else its text."""
    from synthlib.config import find_params
    from synthlib.runner import output_dir, resolve

    try:
        path = find_params(item, names_root).resolve()
    except SynthlibError:
        return item
    try:
        name, config = resolve(path, fast)  # as `render_one` renders it: paths resolve from the file's project
        return str(output_dir(name, config))
    except SynthlibError:
        return str(path)


def refuse_duplicates(params: list[str], items: list[str], fast: bool, names_root: Path) -> None:
    """Two items that write the same folder would delete each other's outputs: refuse the batch before it starts."""
    seen: dict[str, str] = {}
    for shown, item in zip(params, items):
        key = _output_key(item, fast, names_root)
        if key in seen:
            same = "twice" if seen[key] == shown else f"as {seen[key]} and as {shown}"
            raise ConfigError(f"batch lists the same data set {same} (both write {key}); the second run would delete "
                              "the first one's report: list each data set once")
        seen[key] = shown


def _say(line: str) -> None:
    print(f"{datetime.datetime.now():%Y-%m-%d %H:%M:%S} {line}", file=sys.stderr, flush=True)


def run_batch(params: list[str], workers: int = 2, scheduler: str | None = None, engine: str = "auto",
              formats: tuple[str, ...] = ("html", "pdf"), fast: bool = False, root: Path | None = None,
              sign_key: str | None = None) -> list[dict[str, Any]]:
    """Submit one task per params file to a local Dask cluster (or the scheduler at `scheduler`).

    Data set names are looked up in `root/params` (default: the working folder). Rows come back in the order of
    `params`; an item whose worker died is a failed row naming the error. With `sign_key` (a private key file the
    workers can read), each item's bundle is signed.
    """
    if not scheduler and workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    if not params:
        raise ConfigError("batch needs at least one params file or data set name")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")  # Dask's INFO lines; workers inherit it
    from dask.distributed import Client, LocalCluster, as_completed

    names_root = str((root or Path.cwd()).resolve())
    items = [str(Path(p).resolve()) if p.endswith((".yml", ".yaml")) else p for p in params]
    refuse_duplicates(params, items, fast, Path(names_root))
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=min(workers, len(params)), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    rows: list[dict[str, Any] | None] = [None] * len(params)
    start = time.perf_counter()
    try:
        futures = {client.submit(render_one, item, engine, formats, fast, names_root, sign_key, pure=False): index
                   for index, item in enumerate(items)}
        _say(f"batch: {len(futures)} items on {'scheduler ' + scheduler if scheduler else f'{workers} local workers'}")
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            shown = params[index]
            try:
                row = {**future.result(), "params": shown}
            except Exception as exc:  # noqa: BLE001 - a worker that died fails its item only
                row = {"params": shown, "status": "failed", "seconds": time.perf_counter() - start, "output": "",
                       "error": f"{type(exc).__name__}: {exc}"}
            rows[index] = row
            elapsed = time.perf_counter() - start
            left = elapsed / done * (len(futures) - done)
            _say(f"batch [{done}/{len(futures)}] {shown}: {row['status']} in {row['seconds']:.1f} s "
                 f"(elapsed {elapsed:.0f} s, about {left:.0f} s left){'' if row['status'] == 'ok' else ': ' + row['error']}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [row for row in rows if row is not None]
