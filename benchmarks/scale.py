"""Audit cost by table size: stage times, classifier fits, peak memory and results.json size.

Each audit runs in its own process (`run_audit`, no cache) while this script samples the resident memory of
that process and all its workers (psutil, every 0.2 s): the peak is their sum. Cases: the 336,776-row flights
table, a 50,000-row stratified sample of it, and German credit; default profile (the params file as written)
and the fast profile.

    python benchmarks/scale.py              # every case, both profiles (the flights default profile is slow)
    python benchmarks/scale.py --quick      # fast profile everywhere + German credit's default profile
    python benchmarks/scale.py --quick --baseline /tmp/base   # also each case with another checkout, side by side
    python benchmarks/scale.py --code /tmp/after ...          # run another checkout's synthlib on this one's params
                                                              # (German credit: each checkout's own params file)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
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
STAGES = ("prepare", "augment_and_evaluate", "validate", "fairness", "privacy", "validate_and_privacy",
          "fidelity_and_privacy", "verdict")
CHILD = """
import json, sys, time
from pathlib import Path
try:
    from synthlib.runner._audit import run_audit
except ImportError:  # a checkout from before the stage layout (13acc6d and older)
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


def watch(process: psutil.Popen) -> tuple[float, float]:
    """Wait for `process`; the peak of the summed resident memory of it and its descendants (MB), and their CPU
    seconds (last reading of each process: on a shared machine a steadier measure of work than wall time)."""
    peak, cpu = 0.0, {}
    while process.poll() is None:
        rss = 0
        for member in [process, *process.children(recursive=True)]:
            try:
                with member.oneshot():
                    rss += member.memory_info().rss
                    times = member.cpu_times()
                    cpu[member.pid] = times.user + times.system
            except psutil.Error:
                continue
        peak = max(peak, rss / 2**20)
        time.sleep(0.2)
    return peak, sum(cpu.values())


def run_case(params: Path, profile: str, checkout: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    start = time.perf_counter()
    process = psutil.Popen([sys.executable, "-c", CHILD, str(params), profile, str(out)], cwd=checkout, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, cpu = watch(process)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        return {"error": process.stderr.read().strip().splitlines()[-1]}
    result = json.loads(out.read_text())
    utility = result["utility"]
    fits = len(utility["cv_folds"]) + sum(len(by) for by in utility["test"].values())
    return {"wall_s": wall, "cpu_s": cpu, "peak_mb": peak, "fits": fits, "results_kb": out.stat().st_size / 1024,
            "cv_rows": utility.get("folds", {}).get("cv_rows"), "decisions": len(result.get("scale_decisions", [])),
            **{stage: result["timings"].get(stage) for stage in STAGES}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fast profile everywhere + German credit's default profile")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose synthlib runs (default: this one)")
    parser.add_argument("--baseline", type=Path, help="another checkout (git worktree) to run each case with as well")
    parser.add_argument("--only", nargs="*", help="cases to run, as DATA_SET or DATA_SET:PROFILE "
                        "(flights, flights_50k, german; default, fast), in this order")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="synthlib-scale-"))
    data_sets = {"flights": lambda: flights_params(work, None), "flights_50k": lambda: flights_params(work, SAMPLE_ROWS),
                 "german": lambda: GERMAN_PARAMS}
    cases = [(name, profile) for name in data_sets for profile in ("default", "fast")
             if not args.quick or profile == "fast" or name == "german"]
    if args.only:
        cases = [c for pick in args.only for c in cases if pick in (c[0], f"{c[0]}:{c[1]}")]
    checkouts = [("current", args.code.resolve())] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    header = ["data set", "profile", "code", "wall_s", "cpu_s", "peak_mb", "fits", "results_kb", "cv_rows",
              "decisions", *STAGES, "error"]
    print(f"{os.cpu_count()} cores; times in seconds (stages from results.json timings; augment_and_evaluate is "
          "the evaluation grid), cpu_s and peak_mb = the audit process and its workers together\n")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header), flush=True)
    for name, profile in cases:
        params = data_sets[name]()
        for label, checkout in checkouts:  # side by side: the same case with each checkout, one after the other
            if name == "german":  # each checkout's own German credit params (the keys change between versions)
                params = checkout / "params" / "german_credit.yml"
            row = {"data set": name, "profile": profile, "code": label,
                   **run_case(params, profile, checkout, work / f"{name}-{profile}-{label}.json")}
            print("| " + " | ".join(_cell(row.get(k)) for k in header) + " |", flush=True)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


if __name__ == "__main__":
    main()
