"""Privacy review of synthetic rows: exact copies, distance to closest record, NNDR, a distance-based
membership-inference attack, k-anonymity, the interpolation attack, and a risk level per method.

All distances are nearest-neighbour queries (scikit-learn), never n x n matrices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import NearestNeighbors

from synthlib.augment import TableEncoder, segment_fit
from synthlib.config import PrivacyConfig

from ._results import RiskLevel

INTERPOLATION_NOTE = ("SMOTE-family methods interpolate between real rows, so their rows sit close to, and on "
                      "segments between, real records; fitted generators sample from a model, which can lower the "
                      "risk but does not guarantee it (a generator that memorises its training rows does not).")


def _keys(frame: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).to_numpy()


def exact_copies(train: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, Any]:
    copies = int(np.isin(_keys(synthetic), _keys(train)).sum())
    return {"count": copies, "share": copies / max(len(synthetic), 1)}


def distance_to_closest_record(Z_train: np.ndarray, Z_syn: np.ndarray, Z_holdout: np.ndarray) -> dict[str, Any]:
    """DCR of synthetic and of holdout rows to the training rows; NNDR of synthetic rows."""
    index = NearestNeighbors(n_neighbors=2).fit(Z_train)
    syn_d = index.kneighbors(Z_syn)[0]
    hold_d = index.kneighbors(Z_holdout, n_neighbors=1)[0][:, 0]
    typical = float(np.median(hold_d))
    nndr = syn_d[:, 0] / np.where(syn_d[:, 1] > 0, syn_d[:, 1], np.inf)
    return {
        "synthetic_p5": float(np.percentile(syn_d[:, 0], 5)), "synthetic_median": float(np.median(syn_d[:, 0])),
        "holdout_p5": float(np.percentile(hold_d, 5)), "holdout_median": typical,
        "share_closer_than_typical_holdout": float((syn_d[:, 0] < typical).mean()),
        "nndr_median": float(np.median(nndr)), "nndr_p5": float(np.percentile(nndr, 5)),
    }


def auc_with_ci(label: np.ndarray, score: np.ndarray, n_boot: int = 200, seed: int = 0,
                level: float = 0.95) -> tuple[float, float, float]:
    """ROC-AUC of `score` for `label` (1 = positive) and its stratified percentile bootstrap CI.

    Positives and negatives are resampled separately, so every draw keeps the class sizes (the AUC is
    defined for any imbalance). Each draw's AUC is the Mann-Whitney U of scipy divided by n1 x n0,
    vectorised over draws.
    """
    label = np.asarray(label).astype(bool)
    pos, neg = np.asarray(score, dtype=float)[label], np.asarray(score, dtype=float)[~label]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan"), float("nan"), float("nan")
    auc = float(roc_auc_score(label, score))
    rng = np.random.default_rng(seed)
    pos_draws = pos[rng.integers(0, len(pos), (n_boot, len(pos)))]
    neg_draws = neg[rng.integers(0, len(neg), (n_boot, len(neg)))]
    u = stats.mannwhitneyu(pos_draws, neg_draws, axis=1, method="asymptotic").statistic
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(u / (len(pos) * len(neg)), [tail, 100 - tail])
    return auc, float(low), float(high)


def membership_inference(Z_members: np.ndarray, Z_non_members: np.ndarray, Z_syn: np.ndarray,
                         n_boot: int = 200, seed: int = 0) -> dict[str, Any]:
    """Attacker scores a record by closeness to its nearest synthetic row; ROC-AUC of members vs non-members.

    Every member and non-member row is scored (the AUC needs no balanced classes); the 95% CI is a
    stratified bootstrap. The verdict grades this check on `ci_high`.
    """
    index = NearestNeighbors(n_neighbors=1).fit(Z_syn)
    score = -np.r_[index.kneighbors(Z_members)[0][:, 0], index.kneighbors(Z_non_members)[0][:, 0]]
    label = np.r_[np.ones(len(Z_members)), np.zeros(len(Z_non_members))]
    auc, low, high = auc_with_ci(label, score, n_boot, seed)
    return {"auc": auc, "ci_low": low, "ci_high": high, "n_members": int(len(Z_members)),
            "n_non_members": int(len(Z_non_members)), "graded_on": "ci_high"}


def k_anonymity(synthetic: pd.DataFrame, quasi_identifiers: list[str], k: int, reference: pd.DataFrame,
                bins: int = 5) -> dict[str, Any]:
    """Equivalence classes of synthetic rows on the quasi-identifiers (numeric ones cut into training quantiles)."""
    if not quasi_identifiers:
        return {"available": False, "statement": "no quasi-identifiers configured (features.quasi_identifiers)"}
    keys = pd.DataFrame(index=synthetic.index)
    for column in quasi_identifiers:
        if pd.api.types.is_numeric_dtype(synthetic[column]) and reference[column].nunique() > bins:
            edges = np.unique(np.quantile(reference[column].astype(float), np.linspace(0, 1, bins + 1)))
            keys[column] = np.searchsorted(edges[1:-1], synthetic[column].astype(float), side="right")
        else:
            keys[column] = synthetic[column].astype(str)
    sizes = keys.groupby(list(keys.columns)).transform("size") if len(keys.columns) > 1 else \
        keys.groupby(keys.columns[0])[keys.columns[0]].transform("size")
    sizes = np.asarray(sizes).ravel()
    return {"available": True, "k": k, "quasi_identifiers": quasi_identifiers, "numeric_bins": bins,
            "smallest_class": int(sizes.min()) if len(sizes) else 0,
            "share_below_k": float((sizes < k).mean()) if len(sizes) else 0.0}


def interpolation_attack(Z_released: np.ndarray, is_synthetic: np.ndarray, tolerance: float = 0.02,
                         n_candidates: int = 10, slack: np.ndarray | None = None, n_boot: int = 200,
                         seed: int = 0) -> dict[str, Any]:
    """Structure-aware attack on a released augmented set of one class (Ganev et al., "SMOTE and Mirrors", 2025).

    The paper's idea: SMOTE rows lie on segments between two real rows of their class, so a row that is
    (almost) a convex combination of two other released rows is likely synthetic, and the two endpoints
    are likely real records. (a) distinguish: each row is scored by its relative distance to the best
    segment between two of its nearest other rows; ROC-AUC of synthetic vs real. (b) reconstruct: the
    endpoints of rows scored below `tolerance` are claimed to be real records; precision and recall
    against the true real rows. Our own code on neighbour searches. The attacker knows which columns
    hold integers, so `slack` forgives the half unit that rounding moved a synthetic value.

    Chance levels: ROC-AUC 0.5; a random guess that a row is synthetic is right at the synthetic share
    of the released rows, one that a row is real at the real share. `beats_chance` is true only when the
    ROC-AUC's bootstrap CI lies above 0.5 and, if rows were claimed, the reconstruction precision's
    Clopper-Pearson CI lies above the real share; `exposed_real_rows` is `reconstructed_real_rows` then
    and 0 otherwise.
    """
    is_synthetic = np.asarray(is_synthetic).astype(int)
    a, b, residual = segment_fit(Z_released, Z_released, n_candidates=n_candidates, exclude_self=True, slack=slack)
    score = -np.nan_to_num(residual, posinf=1e6)
    auc, auc_low, auc_high = auc_with_ci(is_synthetic, score, n_boot, seed)
    judged = residual < tolerance
    claimed = np.unique(np.r_[a[judged], b[judged]]) if judged.any() else np.array([], dtype=int)
    claimed = claimed[(claimed >= 0) & ~judged[np.maximum(claimed, 0)]]  # an endpoint judged synthetic is not claimed
    real = ~is_synthetic.astype(bool)
    hits = int(real[claimed].sum()) if len(claimed) else 0
    real_share = float(real.mean()) if len(real) else float("nan")
    if len(claimed):
        precision_ci = stats.binomtest(hits, len(claimed)).proportion_ci(0.95, method="exact")
        precision_low, precision_high = float(precision_ci.low), float(precision_ci.high)
    else:
        precision_low = precision_high = float("nan")
    beats_chance = bool(np.isfinite(auc_low) and auc_low > 0.5 and (not len(claimed) or precision_low > real_share))
    return {"distinguish_auc": auc, "distinguish_auc_ci_low": auc_low, "distinguish_auc_ci_high": auc_high,
            "rows_judged_synthetic": int(judged.sum()),
            "judged_synthetic_precision": float(is_synthetic[judged].mean()) if judged.any() else float("nan"),
            "reconstructed_rows": int(len(claimed)), "reconstructed_real_rows": hits,
            "reconstruction_precision": hits / len(claimed) if len(claimed) else float("nan"),
            "reconstruction_precision_ci_low": precision_low, "reconstruction_precision_ci_high": precision_high,
            "reconstruction_recall": hits / max(int(real.sum()), 1), "tolerance": tolerance,
            "chance": {"distinguish_auc": 0.5, "judged_synthetic_precision": 1 - real_share,
                       "reconstruction_precision": real_share},
            "beats_chance": beats_chance, "exposed_real_rows": hits if beats_chance else 0}


def _grade(value: float, medium: float, high: float, at_least: bool = True) -> str:
    """high / medium / low for a value against two thresholds (reached at `>=`, or passed at `>`)."""
    if at_least:
        return "high" if value >= high else "medium" if value >= medium else "low"
    return "high" if value > high else "medium" if value > medium else "low"


def risk_level(checks: dict[str, Any], thresholds: PrivacyConfig) -> RiskLevel:
    """low / medium / high from each check; the method's risk level is the worst, with the deciding check named.

    Membership inference is graded on the upper bound of its 95% CI, the other checks on their estimates.
    """
    copies, dcr, mia = checks["exact_copies"], checks["dcr"], checks["membership_inference"]
    upper = mia.get("ci_high", mia["auc"])  # graded on the CI's upper bound: the attack may be that strong
    levels = {"exact_copies": _grade(copies["share"], 0.0, thresholds.exact_copy_share_high, at_least=False),
              "dcr": _grade(dcr["share_closer_than_typical_holdout"], thresholds.dcr_share_medium, thresholds.dcr_share_high),
              "membership_inference": _grade(upper, thresholds.mia_auc_medium, thresholds.mia_auc_high)}
    attack = (checks.get("interpolation_attack") or {}).get("distinguish_auc", float("nan"))
    if np.isfinite(attack):
        levels.update(interpolation_attack=_grade(attack, thresholds.attack_auc_medium, thresholds.attack_auc_high))
    order = {"low": 0, "medium": 1, "high": 2}
    decided_by = max(levels, key=lambda k: order[levels[k]])
    return RiskLevel(levels[decided_by], decided_by if order[levels[decided_by]] > 0 else None, levels)


def assess_method(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, augmented_class: pd.DataFrame,
                  is_synthetic: np.ndarray, numeric: list[str], categorical: list[str], quasi_identifiers: list[str],
                  thresholds: PrivacyConfig, seed: int = 0) -> dict[str, Any]:
    """Every privacy check for one method. `train`/`holdout` are real rows of the augmented class(es)."""
    encoder = TableEncoder(categorical).fit(train[numeric + categorical])
    Z_train, Z_hold, Z_syn = (encoder.transform(f[numeric + categorical]) for f in (train, holdout, synthetic))
    checks: dict[str, Any] = {"n_synthetic": int(len(synthetic)), "exact_copies": exact_copies(train, synthetic)}
    if len(synthetic) < 2:
        return {**checks, "risk_level": RiskLevel("low", None, {}, "fewer than 2 synthetic rows").to_json()}
    Z_released, slack = attack_space(train, augmented_class, numeric, categorical)
    checks.update(dcr=distance_to_closest_record(Z_train, Z_syn, Z_hold),
                  membership_inference=membership_inference(Z_train, Z_hold, Z_syn, thresholds.n_bootstrap, seed),
                  k_anonymity=k_anonymity(synthetic, quasi_identifiers, thresholds.k_anonymity, train),
                  interpolation_attack=interpolation_attack(Z_released, is_synthetic, thresholds.attack_tolerance,
                                                            slack=slack, n_boot=thresholds.n_bootstrap, seed=seed))
    return {**checks, "risk_level": risk_level(checks, thresholds).to_json()}


def attack_space(reference: pd.DataFrame, released: pd.DataFrame, numeric: list[str],
                 categorical: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The attacker's view: standardised numeric columns (all columns if fewer than two are numeric),
    and the slack that integer rounding allows in each coordinate."""
    geometry = numeric if len(numeric) >= 2 else numeric + categorical
    encoder = TableEncoder([c for c in geometry if c in categorical]).fit(reference[geometry])
    Z = encoder.transform(released[geometry])
    slack = np.zeros(Z.shape[1])
    for i, column in enumerate(encoder.numeric_):
        if pd.api.types.is_integer_dtype(reference[column].dtype):
            slack[i] = 0.5 / encoder.scale_[i]
    return Z, slack


def add_noise(synthetic: pd.DataFrame, numeric: list[str], reference: pd.DataFrame, scale: float,
              seed: int = 0) -> pd.DataFrame:
    """Mitigation: Gaussian noise of `scale` x the real std on numeric columns, clipped to the real range."""
    rng = np.random.default_rng(seed)
    noisy = synthetic.copy()
    for column in numeric:
        std = float(reference[column].astype(float).std())
        values = noisy[column].astype(float) + rng.normal(0, scale * std, len(noisy))
        values = values.clip(reference[column].min(), reference[column].max())
        if pd.api.types.is_integer_dtype(synthetic[column].dtype):
            values = values.round()
        noisy[column] = values.astype(synthetic[column].dtype)
    return noisy
