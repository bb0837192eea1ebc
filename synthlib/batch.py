"""Render many data sets in parallel on a Dask cluster; one failure never stops the others."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def render_one(params: str, engine: str, formats: tuple[str, ...], fast: bool, root: str) -> dict[str, Any]:
    """One batch item: every error becomes a row of the summary, never an exception."""
    from .errors import SynthlibError
    from .render import render

    start = time.perf_counter()
    try:
        outputs = render(params, formats=formats, engine=engine, fast=fast, project_root=Path(root))
        return {"params": params, "status": "ok", "seconds": time.perf_counter() - start,
                "output": str(outputs["results"].parent), "error": ""}
    except SynthlibError as exc:
        return {"params": params, "status": "failed", "seconds": time.perf_counter() - start, "output": "", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a batch reports every failure and carries on
        logger.exception("batch item %s failed", params)
        return {"params": params, "status": "failed", "seconds": time.perf_counter() - start, "output": "",
                "error": f"{type(exc).__name__}: {exc}"}


def run_batch(params: list[str], workers: int = 2, scheduler: str | None = None, engine: str = "auto",
              formats: tuple[str, ...] = ("html", "pdf"), fast: bool = False, root: Path | None = None) -> list[dict[str, Any]]:
    """Submit one task per params file to a local Dask cluster (or the scheduler at `scheduler`)."""
    from dask.distributed import Client, LocalCluster

    root = (root or Path.cwd()).resolve()
    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(render_one, p, engine, formats, fast, str(root), pure=False) for p in params]
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
