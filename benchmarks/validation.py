"""Time and peak memory of `compute_evaluation_metrics` at scale (target: 100k x 100k x 20 in <= 30 s, <= 2 GB).

Each size runs in a fresh process. Distances use neighbour searches; all-pairs metrics (diversity, MMD,
PRDC, discriminator) use the documented seeded sub-sample (`max_rows`, reported in the result).
Usage: python benchmarks/validation.py [--sizes 10000 100000] [--features 20]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
from _harness import measure, print_table  # noqa: E402


def run(rows: int, features: int, quality: bool):
    import warnings

    import numpy as np
    import pandas as pd

    from synthlib.assess._fidelity import compute_evaluation_metrics

    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(0)
    n_cat = max(features // 5, 1)
    def table(shift: float) -> pd.DataFrame:
        frame = pd.DataFrame(rng.normal(shift, 1, (rows, features - n_cat)), columns=[f"x{i}" for i in range(features - n_cat)])
        for j in range(n_cat):
            frame[f"c{j}"] = rng.choice(["a", "b", "c", "d"], rows)
        return frame
    real, synthetic = table(0.0), table(0.1)
    continuous = [c for c in real.columns if c.startswith("x")]
    categorical = [c for c in real.columns if c.startswith("c")]
    result = compute_evaluation_metrics(real, synthetic, continuous, categorical, quality=quality)
    return {"errors": result["errors"], "auc": result["discriminator"]["roc_auc"], "coverage": result["coverage"]["score"],
            "mmd_rows": result["mmd"]["n_real_used"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--features", type=int, default=20)
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        for quality in (True, False):
            seconds, peak, info = measure(run, size, args.features, quality)
            rows.append([f"{size:,} x {size:,} x {args.features}", "yes" if quality else "no", f"{seconds:.1f}",
                         f"{peak:,.0f}", f"{info['coverage']:.3f}", f"{info['auc']:.3f}", info["mmd_rows"],
                         "ok" if seconds <= 30 and peak <= 2048 else "over target", info["errors"] or ""])
    print_table("compute_evaluation_metrics at scale (target <= 30 s and <= 2,048 MiB at 100k x 100k x 20)",
                ["real x synthetic x features", "SDMetrics quality", "seconds", "peak MiB", "coverage",
                 "discriminator AUC", "all-pairs sample", "target", "errors"], rows)


if __name__ == "__main__":
    main()
