"""Progress of a run on stderr, and the run log that collects dependency warnings in the output folder.

On a terminal a rich status line shows the step, its number and the elapsed time; otherwise (a batch log, CI)
each step is one plain timestamped line. Library warnings and log records (scikit-learn, numpy, SDV, ...) go to
`run.log` in the output folder instead of stderr.
"""

from __future__ import annotations

import datetime
import logging
import os
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

# The steps of `synthlib render`, in order (`run` stops after "export bundle"); a cache hit skips to "export bundle".
STEPS = ("prepare", "augment and evaluate", "validate", "fairness", "privacy", "verdict", "export bundle",
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


class _OwnRecords(logging.Filter):
    """Only synthlib's own records reach stderr; dependencies' records go to the run log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.startswith("synthlib")


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
    try:
        with warnings.catch_warnings(), _child_stderr_to(path):
            warnings.simplefilter("default")  # each distinct warning once per code location
            yield path
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
