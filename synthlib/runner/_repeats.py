"""Seed-to-seed variance of every generation method (`augmentation.repeats` > 1).

The main audit fits each generator once, with `augmentation.seed`. With `repeats` = r, each method is
refitted on the whole (cleaned) training split with the seeds seed+1 .. seed+r-1. For every seed, the
main one included, its synthetic rows get the two fidelity numbers the verdict reads (discriminator
ROC-AUC and k-NN recall, as in the validation section), and the method's favoured classifier (its
best-ranked classifier in the main audit's cross-validation) is retrained on that augmented set and
scored on the test split with the primary metric. The classifier keeps its own seed, so the spread is
the generator's alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from synthlib.assess import PRDC, Discriminator, encode_pair
from synthlib.augment import make_sampler, resolve_device
from synthlib.config import AuditConfig
from synthlib.evaluate import (Evaluation, classification_metrics, encoded_sampler, fit_predict, predict_at,
                               rank_configurations, xgboost_device)
from synthlib.prepare import Prepared

VALUES = ("discriminator_auc", "knn_recall", "test_primary")


def _fidelity(config: AuditConfig, prepared: Prepared, X_aug, sampler) -> tuple[dict[str, float | None], dict[str, str]]:
    """Discriminator ROC-AUC and k-NN recall of the synthetic rows against the real training minority, computed as
    the validation section computes them (same encoding, same seeds)."""
    synthetic = X_aug.iloc[len(sampler.kept_real_):]
    real = prepared.X_train[np.isin(prepared.y_train.astype(str), [str(m) for m in prepared.minority_labels])]
    values: dict[str, float | None] = {"discriminator_auc": None, "knn_recall": None}
    errors: dict[str, str] = {}
    try:
        Z_real, Z_syn = encode_pair(real, synthetic, prepared.numeric + prepared.ordinal, prepared.categorical)
        values["discriminator_auc"] = Discriminator(seed=config.split.seed).compute(Z_real, Z_syn)["roc_auc"]
        values["knn_recall"] = PRDC(seed=config.split.seed).compute(Z_real, Z_syn)["recall"]
    except Exception as exc:  # noqa: BLE001 - e.g. too few synthetic rows: this seed's fidelity is n/a, with its reason
        errors["fidelity"] = f"{type(exc).__name__}: {exc}"
    return values, errors


def _refit(config: AuditConfig, prepared: Prepared, evaluation: Evaluation, method: str, seed: int, classifier: str,
           n_jobs: int) -> tuple[dict[str, float | None], dict[str, str]]:
    """One method with one generator seed: fidelity and the favoured classifier's test-split objective, at the
    configuration's operating threshold from the main audit."""
    encoder = evaluation.label_encoder
    with threadpool_limits(limits=1 if n_jobs != 1 else None):  # parallel tasks: one thread each
        sampler = encoded_sampler(make_sampler(method, config.augmentation.model_copy(update={"seed": seed}),
                                                prepared.categorical), encoder)
        X_aug, y_aug = sampler.fit_resample(prepared.X_train.reset_index(drop=True), encoder.transform(prepared.y_train))
        values, errors = _fidelity(config, prepared, X_aug, sampler)
        minority = [int(v) for v in encoder.transform(prepared.minority_labels)]
        majority = int(encoder.transform([prepared.majority_label])[0])
        device, _ = xgboost_device(config.models.device, len(prepared.y_train))  # as the main audit's final fit
        _, proba, pred = fit_predict(config, prepared, classifier, method, X_aug, np.asarray(y_aug),
                                      prepared.X_test.reset_index(drop=True), minority[0], config.split.seed, device)
        # at the main seed's operating threshold for this configuration (no CV is re-run for another seed)
        threshold = evaluation.utility.test_entry((classifier, method)).get("decision_threshold")
        if threshold is not None:
            pred = predict_at(proba, threshold, minority[0], majority)
        metrics = classification_metrics(encoder.transform(prepared.y_test), proba, pred, minority, majority,
                                         evaluation.utility.protocol.decision_objective())
    values["test_primary"] = float(metrics[config.evaluation.primary_metric])
    return values, errors


def _summary(values: list[float | None]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (ddof 1) of the seeds whose value could be computed."""
    found = np.array([v for v in values if v is not None], dtype=float)
    mean = float(found.mean()) if len(found) else None
    return mean, float(found.std(ddof=1)) if len(found) > 1 else None


def seed_variance(config: AuditConfig, prepared: Prepared, evaluation: Evaluation) -> dict[str, Any]:
    """`augmentation_repeats` of results.json: per method, the seeds, each seed's values, their mean and sd.

    Values per seed: `discriminator_auc`, `knn_recall` and `test_primary` (the primary metric, named
    in `metric`, of `classifier` on the test split). The main seed's test value is the main audit's.
    """
    primary = config.evaluation.primary_metric
    seeds = [config.augmentation.seed + i for i in range(config.augmentation.repeats)]
    ranked = rank_configurations(evaluation.utility, primary, config.evaluation.precision_floor)
    favoured = {m: next(r.classifier for r in ranked if r.comparator == m) for m in evaluation.augmented}
    jobs = [(m, s) for m in evaluation.augmented for s in seeds[1:]]
    # one GPU: generators take turns in this process rather than opening a CUDA context per worker
    n_jobs = 1 if resolve_device(config.augmentation.device) == "cuda" else config.evaluation.n_jobs
    refits = dict(zip(jobs, Parallel(n_jobs=n_jobs)(
        delayed(_refit)(config, prepared, evaluation, m, s, favoured[m], n_jobs) for m, s in jobs)))
    out = {}
    for method, (X_aug, _, sampler) in evaluation.augmented.items():
        main, errors = _fidelity(config, prepared, X_aug, sampler)
        main["test_primary"] = float(evaluation.utility.test_metrics((favoured[method], method))[primary])
        per_seed = [main] + [refits[(method, s)][0] for s in seeds[1:]]
        seed_errors = {str(seeds[0]): errors} | {str(s): refits[(method, s)][1] for s in seeds[1:]}
        values = {key: [v[key] for v in per_seed] for key in VALUES}
        summaries = {key: _summary(column) for key, column in values.items()}
        out[method] = {"seeds": seeds, "classifier": favoured[method], "metric": primary, "values": values,
                       "mean": {k: s[0] for k, s in summaries.items()}, "sd": {k: s[1] for k, s in summaries.items()},
                       "errors": {seed: e for seed, e in seed_errors.items() if e}}
    return out
