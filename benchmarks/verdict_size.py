"""Size and power of the verdict's "helps" rule on simulated audits (issue 26). Prints one table.

Each simulated audit has 32 augmented and 11 reference (no synthetic rows) configurations, each with:
- CV fold scores: its true objective value + a fold effect shared by every configuration (sd 0.03, the folds differ
  in difficulty) + its own noise (sd 0.03, `OWN_NOISE`): configurations on the same folds are strongly correlated, as in real grids;
  5 folds x 2 repeats, Nadeau-Bengio correction with n2/n1 = 1/4;
- a test split of 500 rows: row i is classified correctly by configuration c when u_i < value_c + v_ci, with u_i
  uniform and shared by every configuration (the same hard rows are hard for all) and v_ci ~ N(0, 0.05) its own;
  the objective on the test split is the share of rows classified correctly.
The references' true values are 0.70 + N(0, 0.005); the augmented ones are the best reference's + delta + N(0, 0.005).

The decision procedure is the verdict's, built from the library's own pieces (`synthlib.evaluate`): pick the best
augmented and the best reference configuration by mean CV value (selection among 32 and 11); one-sided corrected
t-test of their fold differences against the margin; paired bootstrap (500 draws, `bootstrap_draws`,
`difference_interval`) of their test-split difference. The new rule calls "helps" when the t-test is significant
(alpha 0.05) and the test CI's lower bound exceeds the margin (0.02); the old rule (before issue 26) needed the same
t-test and a lower bound above 0 only. Rates are over the simulated audits, with their Monte-Carlo standard error.

Usage: python benchmarks/verdict_size.py [--audits 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import functools

import numpy as np

from synthlib.evaluate import bootstrap_draws, corrected_resampled_ttest, difference_interval

N_AUGMENTED, N_REFERENCE, FOLDS, N_TEST, DRAWS = 32, 11, 10, 500, 500
MARGIN, ALPHA = 0.02, 0.05
OWN_NOISE = 0.03  # each configuration's own fold-to-fold noise (German credit: minority-F1 fold sd 0.04-0.06 in total)


def _accuracy(correct: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The share of rows classified correctly under each bootstrap draw (rows of `weights` count each row)."""
    return weights @ correct / weights.sum(axis=1)


def one_audit(delta: float, rng: np.random.Generator, draw_seed: int, own_noise: float = OWN_NOISE) -> tuple[bool, bool]:
    """(new rule says helps, old rule says helps) for one simulated audit with a true gain of `delta`."""
    reference = 0.70 + rng.normal(0, 0.005, N_REFERENCE)
    augmented = reference.max() + delta + rng.normal(0, 0.005, N_AUGMENTED)
    truth = np.r_[augmented, reference]
    folds = truth[:, None] + rng.normal(0, 0.03, FOLDS)[None, :] + rng.normal(0, own_noise, (len(truth), FOLDS))
    means = folds.mean(axis=1)
    a, b = int(np.argmax(means[:N_AUGMENTED])), N_AUGMENTED + int(np.argmax(means[N_AUGMENTED:]))
    _, p = corrected_resampled_ttest(folds[a] - folds[b], 0.25, margin=MARGIN, alternative="greater")
    u = rng.random(N_TEST)
    correct = {c: (u < truth[c] + rng.normal(0, 0.05, N_TEST)).astype(float) for c in (a, b)}
    functions = {c: functools.partial(_accuracy, correct[c]) for c in (a, b)}
    draws = bootstrap_draws(functions, N_TEST, DRAWS, draw_seed)
    point = correct[a].mean() - correct[b].mean()
    low = difference_interval(point, draws[a] - draws[b])["ci_low"]
    significant = p <= ALPHA
    return bool(significant and low > MARGIN), bool(significant and low > 0)


def rates(delta: float, audits: int, seed: int, own_noise: float) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    outcomes = np.array([one_audit(delta, rng, seed + i, own_noise) for i in range(audits)])
    return float(outcomes[:, 0].mean()), float(outcomes[:, 1].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--own-noise", type=float, nargs="+", default=[0.01, OWN_NOISE])
    args = parser.parse_args()
    print(f"{args.audits} simulated audits each; margin {MARGIN}, alpha {ALPHA}; Monte-Carlo se in brackets\n")
    print("| own fold noise | true gain | what it measures | new rule: 'helps' | old rule: 'helps' |")
    print("|---|---|---|---|---|")
    se = lambda r: np.sqrt(r * (1 - r) / args.audits)  # noqa: E731
    for noise in args.own_noise:
        for delta, what in ((0.0, "size: false 'helps' (must be <= 0.05)"),
                            (MARGIN / 2, "false 'helps' at half the margin (<= 0.05)"),
                            (1.5 * MARGIN, "power at 1.5 x the margin")):
            new, old = rates(delta, args.audits, args.seed, noise)
            print(f"| {noise} | {delta:+.3f} | {what} | {new:.3f} ({se(new):.3f}) | {old:.3f} ({se(old):.3f}) |")


if __name__ == "__main__":
    main()
