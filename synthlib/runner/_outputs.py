"""How `run` and `render` write their output folder: one writer at a time, and nothing that looks finished until
everything is.

- **Lock.** `output_lock` creates `<out>/.synthlib.lock` with `O_CREAT | O_EXCL` and writes its pid (and host) into
  it; a second run into the same folder is refused with a message naming the lock file and the process holding it.
  A lock whose pid no longer runs on this host (a killed run) is taken over. Hand-written rather than `filelock`:
  its locks do not record who holds them, and the message must name the process.
- **Staging.** `staged_outputs` hands out a folder `<out>/synthlib-partial/<out name>` (the same name, so a report
  that prints its folder's name prints the real one); only when the block finishes are its outputs moved into
  `<out>`, files with `os.replace` and the bundle folder last, with Ctrl-C held back until the moves are done.
  An interrupt or error before that leaves only the run log (the next run removes the staging folder).
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synthlib.errors import SynthlibError

RUN_LOG = "run.log"
RENDER_PARTIAL = "render-partial"  # the report's working folder; not a dot folder, which Quarto would skip
LOCK = ".synthlib.lock"
# not a dot folder: Quarto skips every path under one (quarto-cli `kSkipHidden`), and the report renders in here
STAGING = "synthlib-partial"
# What a run or render publishes, in the order it is moved into place: the bundle (with its manifest) comes last.
PUBLISHED = ("results.json", "report.ipynb", "report.pdf", "report.html", "OutputMaterials")
# What a new run removes from its output folder first (never anything else); earlier versions' staging names too.
OUTPUT_NAMES = (*PUBLISHED, "verification.json", STAGING, ".partial", ".OutputMaterials.old",
                ".OutputMaterials.partial", RENDER_PARTIAL, ".render-partial", RUN_LOG)
STARTING_GRACE_S = 10.0  # a lock file without a pid yet belongs to a process still writing it, for this long


class OutputLockedError(SynthlibError):
    """Another synthlib process is writing the same output folder."""


def _holder(lock: Path) -> tuple[int | None, str]:
    """The pid and host written in a lock file (None for the pid when it cannot be read)."""
    try:
        lines = lock.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None, ""
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
    return pid, lines[1].strip() if len(lines) > 1 else ""


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _is_stale(lock: Path, pid: int | None, host: str) -> bool:
    """Whether the lock's process is gone: a pid that does not run on this host, or no pid after the grace time."""
    if pid is None:
        try:
            return time.time() - lock.stat().st_mtime > STARTING_GRACE_S
        except FileNotFoundError:
            return True
    return host in ("", socket.gethostname()) and not _running(pid)


def _refusal(out_dir: Path, lock: Path, pid: int | None, host: str) -> OutputLockedError:
    try:
        since = datetime.datetime.fromtimestamp(lock.stat().st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    except OSError:
        since = "an unknown time"
    who = f"process {pid}" if pid is not None else "a process that is starting"
    where = f" on host {host}" if host and host != socket.gethostname() else ""
    return OutputLockedError(
        f"output folder {out_dir} is being written by another synthlib run ({who}{where}, since {since}); lock file "
        f"{lock}. Wait until it finishes or choose another folder with --out; if that process no longer runs, "
        "delete the lock file")


@contextmanager
def output_lock(out_dir: Path) -> Iterator[Path]:
    """Hold `<out_dir>/.synthlib.lock` for the block; raise `OutputLockedError` while another process holds it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = out_dir / LOCK
    me = f"{os.getpid()}\n{socket.gethostname()}\n"
    for _ in range(3):
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            pid, host = _holder(lock)
            if not _is_stale(lock, pid, host):
                raise _refusal(out_dir, lock, pid, host) from None
            if _holder(lock) == (pid, host):  # still the same stale holder: take it over
                lock.unlink(missing_ok=True)
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(me)
        break
    else:
        raise _refusal(out_dir, lock, *_holder(lock))
    try:
        yield lock
    finally:
        if _holder(lock) == (os.getpid(), socket.gethostname()):
            lock.unlink(missing_ok=True)


@contextmanager
def sigint_held_back() -> Iterator[None]:
    """Ctrl-C inside the block is raised as `KeyboardInterrupt` only when the block ends (main thread only: signal
    handlers cannot be set elsewhere, e.g. in a batch worker thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def clear_outputs(out_dir: Path, keep: tuple[str, ...] = ()) -> None:
    """Remove synthlib's own output names (`OUTPUT_NAMES`, less `keep`) from `out_dir`."""
    with sigint_held_back():
        for name in OUTPUT_NAMES:
            path = out_dir / name
            if name in keep:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)


@contextmanager
def fresh_outputs(out_dir: Path) -> Iterator[Path]:
    """Remove an earlier run's outputs from `out_dir` before writing, and this run's again if it fails.

    So a folder never holds a results.json, bundle or report that is not from the last successful run; the run
    log stays to explain a failure.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_outputs(out_dir)
    try:
        yield out_dir
    except BaseException:
        clear_outputs(out_dir, keep=(RUN_LOG,))
        raise


def publish(stage: Path, out_dir: Path) -> list[Path]:
    """Move the staged outputs into `out_dir` in `PUBLISHED` order (the bundle last); Ctrl-C waits for the moves."""
    moved = []
    with sigint_held_back():
        for name in PUBLISHED:
            source, target = stage / name, out_dir / name
            if not source.exists():
                continue
            if source.is_dir():
                old = out_dir / f".{name}.old"
                if target.exists():
                    shutil.rmtree(old, ignore_errors=True)
                    target.rename(old)
                source.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(source, target)
            moved.append(target)
    return moved


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[Path]:
    """A hidden staging folder to write the outputs into; they replace `out_dir`'s only when the block finishes."""
    root = out_dir / STAGING
    shutil.rmtree(root, ignore_errors=True)  # a killed run's leftovers
    stage = root / out_dir.name
    stage.mkdir(parents=True)
    try:
        yield stage
        publish(stage, out_dir)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def writing_outputs(out_dir: Path) -> Iterator[Path]:
    """Lock `out_dir`, clear its earlier outputs and yield the staging folder to write into (see the module)."""
    with output_lock(out_dir), fresh_outputs(out_dir), staged_outputs(out_dir) as stage:
        yield stage
