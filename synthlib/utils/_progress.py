"""Progress of a run on stderr, and the run log that collects dependency warnings in the output folder.

On a terminal a rich status line shows the step, its number and the elapsed time; otherwise (a batch log, CI)
each step is one plain timestamped line. During a long step (the evaluation grid) `GridProgress` adds a line every
30 s: fits done of the total, elapsed and estimated time left, on stderr and in the run log. Library warnings and
log records (scikit-learn, numpy, SDV, ...) go to `run.log` in the output folder instead of stderr.
"""

from __future__ import annotations

import datetime
import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

# The steps of `synthlib render`, in order (`run` stops after "export bundle"); a cache hit skips to "export bundle".
STEPS = ("prepare", "augment and evaluate", "fidelity", "fairness", "privacy", "verdict", "export bundle",
         "read the report template", "execute the report notebook", "write the report")
CACHE_HIT = "load cached results"


class StepLines:
    """One timestamped line per step, e.g. `2026-01-05 10:31:07 german_credit [2/9] augment and evaluate (+3.1 s)`."""

    def __init__(self, label: str = "", total: int = len(STEPS), stream: TextIO | None = None) -> None:
        self.label, self.total, self.stream = label, total, stream  # None: sys.stderr at each call
        self.start = time.perf_counter()

    def describe(self, step: str) -> str:
        number = STEPS.index(step) + 1 if step in STEPS else None
        counted = f"[{number}/{self.total}] " if number and number <= self.total else ""
        note = " (cache hit: the audit is not recomputed)" if step == CACHE_HIT else ""
        return f"{counted}{step}{note}"

    def __call__(self, step: str) -> None:
        logging.getLogger("synthlib").info("step: %s", step)
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        label = f"{self.label} " if self.label else ""
        elapsed = time.perf_counter() - self.start
        print(f"{stamp} {label}{self.describe(step)} (+{elapsed:.1f} s)", file=self.stream or sys.stderr, flush=True)

    def __enter__(self) -> StepLines:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class StepStatus(StepLines):
    """On a terminal: a live rich line with the step number, the step and the elapsed time; finished steps stay."""

    def __init__(self, label: str = "", total: int = len(STEPS)) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        super().__init__(label, total)
        self.step_start = self.start
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
        self.task = None

    def __call__(self, step: str) -> None:
        logging.getLogger("synthlib").info("step: %s", step)
        self._print_done()
        self.step_start = time.perf_counter()
        self.progress.update(self.task, description=self.describe(step))

    def _print_done(self) -> None:
        if self.progress.tasks and self.progress.tasks[0].description != "starting":
            took = time.perf_counter() - self.step_start
            self.progress.console.print(f"[green]done[/] {self.progress.tasks[0].description} ({took:.1f} s)",
                                        highlight=False)

    def __enter__(self) -> StepStatus:
        self.progress.__enter__()
        self.task = self.progress.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._print_done()
        self.progress.__exit__(*exc)
        if exc[0] is None:
            self.progress.console.print(f"total {time.perf_counter() - self.start:.1f} s", highlight=False)


def step_reporter(label: str = "", total: int = len(STEPS)) -> StepLines:
    """A live status line on a terminal, plain timestamped lines otherwise."""
    return StepStatus(label, total) if sys.stderr.isatty() else StepLines(label, total)


PROGRESS_EVERY_S = 30.0  # the longest stretch of a long step without a progress line


def duration(seconds: float) -> str:
    """`42 s`, `7 min 05 s`, `1 h 02 min`."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class GridProgress:
    """Counts the finished units (model fits) of a long step and, every `every` seconds while it runs, writes e.g.
    `evaluation grid: 120/480 model fits (25%), 2 min 10 s elapsed, about 6 min 30 s left` to stderr and (as a log
    record of `synthlib.progress`) to the run log. A background thread writes the lines, so one appears on time even
    while a single task runs for minutes; `advance` may be called from any thread. The estimate assumes the fits
    left cost as much as those done on average."""

    def __init__(self, total: int, every: float = PROGRESS_EVERY_S, label: str = "evaluation grid",
                 unit: str = "model fits", stream: TextIO | None = None) -> None:
        self.total, self.every, self.label, self.unit, self.stream = total, every, label, unit, stream
        self.done = 0
        self.start = time.perf_counter()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="synthlib-progress", daemon=True)

    def advance(self, units: int = 1) -> None:
        with self._lock:
            self.done += units

    def line(self) -> str:
        with self._lock:
            done = self.done
        elapsed = time.perf_counter() - self.start
        share = f" ({done / self.total:.0%})" if self.total else ""
        left = (f"about {duration(elapsed / done * (self.total - done))} left" if done
                else "time left not known yet (no fit finished)")
        return f"{self.label}: {done:,}/{self.total:,} {self.unit}{share}, {duration(elapsed)} elapsed, {left}"

    def write(self) -> None:
        """One progress line now, on stderr and in the run log."""
        text = self.line()
        logging.getLogger("synthlib.progress").info(text, extra={"printed": True})
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        print(f"{stamp} {text}", file=self.stream or sys.stderr, flush=True)

    def _beat(self) -> None:
        while not self._stopped.wait(self.every):
            self.write()

    def __enter__(self) -> GridProgress:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._thread.join()


def _numbered(number: int, function: Callable[..., Any], arguments: Sequence[Any]) -> tuple[int, Any]:
    return number, function(*arguments)


def parallel_counted(function: Callable[..., Any], argument_lists: Sequence[Sequence[Any]], n_jobs: int | None,
                     progress: GridProgress, units: Sequence[int]) -> list[Any]:
    """`[function(*arguments) for arguments in argument_lists]` as joblib tasks, in that order, with
    `progress.advance(units[i])` as task i finishes (in whatever order the workers finish them)."""
    from joblib import Parallel, delayed

    results: list[Any] = [None] * len(argument_lists)
    tasks = (delayed(_numbered)(i, function, arguments) for i, arguments in enumerate(argument_lists))
    for number, result in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
        results[number] = result
        progress.advance(units[number])
    return results


class _OwnRecords(logging.Filter):
    """Only synthlib's own records reach stderr (not the progress lines, already printed there); dependencies'
    records go to the run log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith("synthlib") and not getattr(record, "printed", False)


def configure_stderr_logging(verbose: bool) -> None:
    """synthlib's warnings (and with --verbose its steps) on stderr; dependency records never."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    handler.addFilter(_OwnRecords())
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "synthlib_stderr", False)]
    handler.synthlib_stderr = True  # type: ignore[attr-defined]
    root.addHandler(handler)


@contextmanager
def _child_stderr_to(path: Path) -> Iterator[None]:
    """Point file descriptor 2 at `path`, so processes started inside the block (joblib's workers, the report
    kernel) write their warnings there; Python-level `sys.stderr` keeps its destination (progress stays visible).
    """
    sys.stderr.flush()
    saved = os.dup(2)
    log = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    python_stderr = sys.stderr
    try:
        on_fd2 = python_stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # a test runner's in-memory stream
        on_fd2 = False
    if on_fd2:
        sys.stderr = open(saved, "w", buffering=1, encoding=python_stderr.encoding, closefd=False)
    os.dup2(log, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        if on_fd2:
            sys.stderr.close()
            sys.stderr = python_stderr
        os.close(saved)
        os.close(log)


@contextmanager
def run_log(path: Path) -> Iterator[Path]:
    """Append every log record and Python warning raised inside the block to `path` (the run log), and the
    stderr of every process started inside it."""
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    # a dependency that logs through its own stderr handler without propagating (dask's `distributed` does, once
    # imported) is routed to the run log too for the block, and its stderr handler set aside
    detached = {name: (logger.handlers[:], logger.propagate) for name, logger in logging.root.manager.loggerDict.items()
                if isinstance(logger, logging.Logger) and not logger.propagate and not name.startswith("synthlib")}
    for name in detached:
        logging.getLogger(name).handlers, logging.getLogger(name).propagate = [], True
    try:
        with warnings.catch_warnings(), _child_stderr_to(path):
            warnings.simplefilter("default")  # each distinct warning once per code location
            yield path
    finally:
        for name, (handlers, propagate) in detached.items():
            logging.getLogger(name).handlers, logging.getLogger(name).propagate = handlers, propagate
        logging.captureWarnings(False)
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
