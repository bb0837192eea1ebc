"""Render timings: German credit with the default configuration (all eight methods, four classifiers,
comparators, 5 x 2 CV), the fast profile, and a second render with unchanged inputs (cache).

Targets: default HTML + PDF within 5 minutes on 2 cores; fast profile within 60 s; second render
within 15 % of the first one's time (it recomputes nothing). Runs in a temporary cache folder.
Usage: python benchmarks/render.py [--skip-default]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from _harness import print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def timed_render(project: Path, *flags: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "synthlib", "render", "german_credit", *flags], cwd=project, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-default", action="store_true", help="only the fast profile")
    args = parser.parse_args()
    project = Path(tempfile.mkdtemp(prefix="synthlib-render-"))
    for item in ("params", "report", "data", "_quarto.yml"):
        (shutil.copytree if (ROOT / item).is_dir() else shutil.copy)(ROOT / item, project / item)
    rows = []
    profiles = [("fast profile", ("--fast",), 60)] + ([] if args.skip_default else [("default configuration", (), 300)])
    for label, flags, target in profiles:
        first = timed_render(project, *flags)
        second = timed_render(project, *flags)
        rows.append([label, f"{first:.1f}", f"<= {target}", "ok" if first <= target else "over target",
                     f"{second:.1f}", f"{second / first:.2f}x"])
    shutil.rmtree(project, ignore_errors=True)
    print_table("synthlib render german_credit (built-in engine, HTML + PDF)",
                ["run", "first render s", "target s", "status", "second render s (cache)", "second / first"], rows)


if __name__ == "__main__":
    main()
