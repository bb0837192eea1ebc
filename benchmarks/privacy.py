"""Runtime and memory of the privacy checks, the interpolation attack included, on large augmented sets.

A generated numeric table is augmented with SMOTE; the attack runs on the released minority class
(real + synthetic rows, no marker). Neighbour searches only; no n x n matrix.
Usage: python benchmarks/privacy.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
from _harness import measure, print_table  # noqa: E402


def attack(rows: int, features: int):
    import time

    import numpy as np
    import pandas as pd

    from synthlib.assess._privacy import distance_to_closest_record, interpolation_attack, membership_inference
    from synthlib.augment import SAMPLERS

    rng = np.random.default_rng(0)
    n_minority = rows // 2  # balanced after SMOTE: `rows` released minority rows in total
    y = np.r_[np.zeros(n_minority, int), np.ones(rows, int)]
    X = pd.DataFrame(rng.normal(size=(len(y), features)) + y[:, None] * 0.5, columns=[f"f{i}" for i in range(features)])
    sampler = SAMPLERS["smote"](random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    in_class = np.asarray(y_res) == 0
    released = X_res[in_class].to_numpy()
    is_syn = (np.arange(len(X_res)) >= len(X))[in_class].astype(int)
    start = time.perf_counter()
    result = interpolation_attack(released, is_syn)
    attack_seconds = time.perf_counter() - start
    start = time.perf_counter()
    real = released[is_syn == 0]
    holdout = rng.normal(size=(len(real) // 4, features))
    distance_to_closest_record(real, released[is_syn == 1], holdout)
    membership_inference(real, holdout, released[is_syn == 1], n_boot=50)
    other_seconds = time.perf_counter() - start
    return len(released), attack_seconds, other_seconds, result["distinguish_auc"], result["reconstruction_recall"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--features", type=int, default=10)
    args = parser.parse_args()
    table = []
    for rows in args.rows:
        _, peak, (released, attack_s, other_s, auc, recall) = measure(attack, rows, args.features)
        table.append([f"{released:,}", args.features, f"{attack_s:.1f}", f"{other_s:.1f}", f"{peak:,.0f}", f"{auc:.3f}", f"{recall:.3f}"])
    print_table("privacy checks on a released SMOTE-augmented minority class",
                ["released rows", "features", "attack s", "DCR + membership s", "peak MiB (whole run)",
                 "distinguish AUC", "reconstruction recall"], table)


if __name__ == "__main__":
    main()
