"""Benchmark harness: run a callable in a fresh process, return wall seconds and peak RSS (MiB)."""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from typing import Any, Callable


def _child(queue, fn, args):
    try:
        start = time.perf_counter()
        extra = fn(*args)
        seconds = time.perf_counter() - start
        queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, extra))
    except BaseException as exc:  # report, never hang the parent
        queue.put(exc)


def measure(fn: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """(seconds, peak RSS MiB, fn's return value) of `fn(*args)` in a spawned process."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_child, args=(queue, fn, args))
    process.start()
    while True:
        try:
            result = queue.get(timeout=1)
            break
        except Exception:  # queue.Empty: keep waiting while the child lives
            if not process.is_alive():
                raise RuntimeError(f"benchmark child died with exit code {process.exitcode}") from None
    process.join(timeout=10)  # idle joblib/loky workers can keep a finished child alive for minutes
    if process.is_alive():
        process.terminate()
    if isinstance(result, BaseException):
        raise RuntimeError(f"benchmark child failed: {result!r}")
    return result


def print_table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
