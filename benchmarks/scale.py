"""Audit cost by table size: stage times, classifier fits, peak memory and results.json size.

Each audit runs in its own process (`run_audit`, no cache) while this script samples the resident memory of
that process and all its workers (psutil, every 0.2 s): the peak is their sum. Cases: the 336,776-row flights
table, a 50,000-row stratified sample of it, and German credit; default profile (the params file as written)
and the fast profile.

    python benchmarks/scale.py              # every case, both profiles (the flights default profile is slow)
    python benchmarks/scale.py --quick      # fast profile everywhere + German credit's default profile
    python benchmarks/scale.py --quick --baseline /tmp/base   # also each case with another checkout, side by side
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import yaml
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parent.parent
FLIGHTS_PARAMS = ROOT / "examples" / "params" / "nycflights13_cancelled.yml"
GERMAN_PARAMS = ROOT / "params" / "german_credit.yml"
SAMPLE_ROWS = 50_000
STAGES = ("prepare", "augment_and_evaluate", "validate", "fairness", "privacy", "verdict")
CHILD = """
import json, sys, time
from pathlib import Path
from synthlib.audit import run_audit
from synthlib.config import FAST_PROFILE, load_config, with_overrides
config = load_config(sys.argv[1])
if sys.argv[2] == "fast":
    config = with_overrides(config, FAST_PROFILE)
Path(sys.argv[3]).write_text(run_audit(config, cache_dir=None).to_json())
"""


def flights_params(folder: Path, rows: int | None) -> Path:
    """The flights params file with an absolute data path (any checkout can run it); with `rows`, for a stratified
    sample of that many rows (seed 0)."""
    config = yaml.safe_load(FLIGHTS_PARAMS.read_text())
    source = (FLIGHTS_PARAMS.parent.parent / config["dataset"]["source"]).resolve()
    name = "flights" if rows is None else "flights_50k"
    if rows is not None:
        frame = pd.read_csv(source)
        target = config["dataset"]["target"]
        sample, _ = train_test_split(frame, train_size=rows, stratify=frame[target], random_state=0)
        source = folder / f"{name}.csv"
        sample.to_csv(source, index=False)
        config["dataset"]["name"] += f" ({rows:,}-row stratified sample)"
    config["dataset"]["source"] = str(source)
    path = folder / f"{name}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def peak_rss(process: psutil.Popen) -> float:
    """Wait for `process`; the peak of the summed resident memory of it and its descendants, in MB."""
    peak = 0.0
    while process.poll() is None:
        try:
            members = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in members if p.is_running()) / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.2)
    return peak


def run_case(params: Path, profile: str, checkout: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    process = psutil.Popen([sys.executable, "-c", CHILD, str(params), profile, str(out)], cwd=checkout, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = peak_rss(process)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        return {"error": process.stderr.read().strip().splitlines()[-1]}
    result = json.loads(out.read_text())
    utility = result["utility"]
    fits = len(utility["cv_folds"]) + sum(len(by) for by in utility["test"].values())
    return {"wall_s": wall, "peak_mb": peak, "fits": fits, "results_kb": out.stat().st_size / 1024,
            "cv_rows": utility.get("folds", {}).get("cv_rows"), "decisions": len(result.get("scale_decisions", [])),
            **{stage: result["timings"].get(stage) for stage in STAGES}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fast profile everywhere + German credit's default profile")
    parser.add_argument("--baseline", type=Path, help="another checkout (git worktree) to run each case with as well")
    parser.add_argument("--only", nargs="*", help="data sets to run (flights, flights_50k, german)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="synthlib-scale-"))
    data_sets = {"flights": lambda: flights_params(work, None), "flights_50k": lambda: flights_params(work, SAMPLE_ROWS),
                 "german": lambda: GERMAN_PARAMS}
    cases = [(name, profile) for name in data_sets for profile in ("default", "fast")
             if not args.quick or profile == "fast" or name == "german"]
    cases = [c for c in cases if not args.only or c[0] in args.only]
    checkouts = [("current", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    rows = []
    for name, profile in cases:
        params = data_sets[name]()
        for label, checkout in checkouts:  # side by side: the same case with each checkout, one after the other
            print(f"running {name} {profile} ({label})...", file=sys.stderr, flush=True)
            row = run_case(params, profile, checkout, work / f"{name}-{profile}-{label}.json")
            rows.append({"data set": name, "profile": profile, "code": label, **row})
    header = list(dict.fromkeys(k for row in rows for k in row))
    print(f"\n{os.cpu_count()} cores; times in seconds (stages from results.json timings; evaluate = "
          "augment_and_evaluate), peak = summed RSS of the audit process and its workers\n")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(_cell(row.get(k)) for k in header) + " |")


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


if __name__ == "__main__":
    main()
