"""The whole audit for one data set: prepare, augment, validate, evaluate, fairness, privacy.

`run_audit(config)` returns an `Audit`: the JSON-ready `result` (what `results.json` holds) plus the
fitted objects the report and the bundle need. It is cached on disk by a hash of the configuration,
the data and the synthlib version, so re-rendering unchanged inputs recomputes nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import json
import logging
import os
import platform
import time
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from synthlib import __version__
from synthlib.assess import (INTERPOLATION_NOTE, FairnessResult, FidelityResult, PrivacyResult, add_noise,
                             assess_fairness, assess_method, attack_space, class_balance, compute_evaluation_metrics,
                             interpolation_attack)
from synthlib.augment import INTERPOLATION_METHODS, make_sampler, resolve_device
from synthlib.config import AuditConfig
from synthlib.decide import AuditResult, decide
from synthlib.evaluate import (Evaluation, best_configuration, classification_metrics, evaluate, make_pipeline,
                               predict_at, rank_configurations, worker_threads, xgboost_device)
from synthlib.prepare import Prepared, frame_hash, prepare
from synthlib.utils import json_default, plain

from ._cache import read_cache, write_cache
from ._provenance import data_file_sha256, params_as_set
from ._repeats import seed_variance
from ._scale import plan

logger = logging.getLogger(__name__)
LIBRARIES = ("synthlib", "pandas", "numpy", "scipy", "scikit-learn", "imbalanced-learn", "xgboost", "sdv",
             "sdmetrics", "fairlearn", "torch", "joblib")
STEPS = ("prepare", "evaluate", "fidelity", "fairness", "privacy")


@dataclass
class Audit:
    """`result` is results.json as written (the report reads it); `typed` is the same as an `AuditResult`."""

    result: dict[str, Any]
    prepared: Prepared
    evaluation: Evaluation
    synthetic: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def typed(self) -> AuditResult:
        """Read from `result` on each call, so a caller that edits `result` (a test, a re-labelled cache) is seen."""
        return AuditResult.from_json(self.result)

    def to_json(self) -> str:
        return json.dumps(self.result, indent=2, default=json_default)


DISTRIBUTIONS = {"xgboost": ("xgboost", "xgboost-cpu")}  # one import name, several PyPI distributions


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        found[name] = "not installed"
        for distribution in DISTRIBUTIONS.get(name, (name,)):
            try:
                found[name] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                continue
    found["synthlib"] = __version__  # the code that ran (an editable install's metadata can be stale)
    return found


def resolved_devices(config: AuditConfig, n_train: int) -> dict[str, str]:
    """The device each step will really use (`auto` resolved), part of the cache key and of the report."""
    return {"generators": resolve_device(config.augmentation.device),
            "xgboost": xgboost_device(config.models.device, n_train)[0]}


PACKAGE = Path(__file__).resolve().parent.parent  # synthlib/


def source_digest(package: Path) -> str:
    """SHA-256 over every `.py` file under `package` (sub-packages included), keyed by its relative path."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 of synthlib's own source files: a cached audit from other code (even of the same version, e.g. an
    editable install between commits) is recomputed, never read back with a stale layout."""
    return source_digest(PACKAGE)


def cache_key(config: AuditConfig, prepared: Prepared, source_sha256: str | None = None) -> str:
    """Config, data (the file's bytes too: results.json records their SHA-256), synthlib's code, library versions and
    resolved devices: any change recomputes the audit."""
    digest = hashlib.sha256()
    source_sha256 = source_sha256 or data_file_sha256(config) or ""
    parts = (config.config_hash, source_sha256, frame_hash(prepared.train), prepared.test_hash, __version__,
             code_digest(), json.dumps(versions(), sort_keys=True),
             json.dumps(resolved_devices(config, len(prepared.train)), sort_keys=True))
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()[:32]


def _minority_mask(y: pd.Series | np.ndarray, prepared: Prepared) -> np.ndarray:
    return np.isin(np.asarray(y).astype(str), [str(m) for m in prepared.minority_labels])


def augmentation_section(prepared: Prepared, evaluation: Evaluation) -> dict[str, Any]:
    out = {}
    for method, (X_aug, y_aug, sampler) in evaluation.augmented.items():
        provenance = sampler.provenance_
        label = evaluation.label_encoder.inverse_transform
        trained = {str(label([k])[0]): int(v) for k, v in sampler.trained_class_counts_.items()}
        loss = getattr(sampler, "loss_", None)  # deep generators' per-epoch training loss, thinned
        if loss is not None:
            loss = loss.assign(**{"class": label(loss["class"].to_numpy()).astype(str)}).to_dict("records")
        out[method] = {
            "requested": {str(label([k])[0]): int(v) for k, v in sampler.requested_.items()},
            "after_cap": {str(label([k])[0]): int(v) for k, v in sampler.sampling_strategy_.items()},
            "generated": {str(label([k])[0]): int(v) for k, v in sampler.generated_.items()},
            "duplicates_of_real_removed": sampler.n_duplicates_of_real_,
            "duplicates_within_removed": sampler.n_duplicates_within_,
            "real_rows_removed": int(len(sampler.removed_real_)),
            "parents_recovered_share": float((provenance.parent_a >= 0).mean()) if method in INTERPOLATION_METHODS and len(provenance) else None,
            "seconds": round(float(sampler.seconds_), 3),
            "device": getattr(sampler, "device_", "cpu"),
            "rows_after": int(len(y_aug)),
            # the final training set: SMOTE-ENN's cleaning removes real rows of every class, so its ratio can exceed the request
            "trained_class_counts": trained,
            "trained_ratio": {str(m): trained.get(str(m), 0) / trained[str(prepared.majority_label)]
                              for m in prepared.minority_labels},
            "real_rows_removed_by_class": {str(label([k])[0]): int(v) for k, v in sampler.removed_real_by_class_.items()},
            "loss": loss,
        }
    return out


def synthetic_rows(evaluation: Evaluation) -> dict[str, pd.DataFrame]:
    """The synthetic rows of each method (with decoded labels), from the final fit on the whole training split."""
    out = {}
    for method, (X_aug, y_aug, sampler) in evaluation.augmented.items():
        start = len(sampler.kept_real_)
        rows = X_aug.iloc[start:].reset_index(drop=True).copy()
        rows["__label__"] = evaluation.label_encoder.inverse_transform(np.asarray(y_aug)[start:])
        out[method] = rows
    return out


def _privacy(config: AuditConfig, prepared: Prepared, evaluation: Evaluation, synthetic: dict[str, pd.DataFrame]):
    features = prepared.features
    numeric = prepared.numeric + prepared.ordinal
    train_min = prepared.train[_minority_mask(prepared.y_train, prepared)]
    test_min = prepared.test[_minority_mask(prepared.y_test, prepared)]
    methods = {}
    for method, rows in synthetic.items():
        X_aug, y_aug, sampler = evaluation.augmented[method]
        y_dec = evaluation.label_encoder.inverse_transform(np.asarray(y_aug))
        in_class = _minority_mask(y_dec, prepared)
        released = X_aug[in_class].reset_index(drop=True)
        is_syn = (np.arange(len(X_aug)) >= len(sampler.kept_real_))[in_class].astype(int)
        checks = assess_method(train_min[features], test_min[features], rows[features], released, is_syn, numeric,
                               prepared.categorical, list(config.features.quasi_identifiers), config.privacy,
                               config.split.seed)
        methods[method] = checks
    return PrivacyResult(INTERPOLATION_NOTE, config.privacy.model_dump(), methods)


def _mitigation(config: AuditConfig, prepared: Prepared, evaluation: Evaluation, synthetic: dict[str, pd.DataFrame],
                privacy: PrivacyResult) -> dict[str, Any]:
    """Noise on interpolated rows: what it buys in attack AUC and costs in minority recall (first classifier)."""
    classifier = config.models.classifiers[0]
    numeric = prepared.numeric + prepared.ordinal
    encoder = evaluation.label_encoder
    y_test = encoder.transform(prepared.y_test)
    minority = [int(v) for v in encoder.transform(prepared.minority_labels)]
    majority = int(encoder.transform([prepared.majority_label])[0])
    out = {"noise_scale": config.privacy.mitigation_noise, "classifier": classifier, "methods": {},
           "n_minority_test": int(_minority_mask(prepared.y_test, prepared).sum()),
           "alternative": "Releasing only the trained models, not the augmented data, removes the interpolation "
                          "attack's input (the released rows); minority recall is unchanged because the models are "
                          "the same. What the models themselves reveal about their training rows is not measured here."}
    train_min = prepared.train[_minority_mask(prepared.y_train, prepared)]
    # a method with fewer than two synthetic rows has no interpolation attack to mitigate
    for method in [m for m in synthetic if m in INTERPOLATION_METHODS
                   and "interpolation_attack" in privacy.methods.get(m, {})]:
        X_aug, y_aug, sampler = evaluation.augmented[method]
        start = len(sampler.kept_real_)
        noisy = add_noise(X_aug.iloc[start:], numeric, train_min, config.privacy.mitigation_noise, config.split.seed)
        X_noisy = pd.concat([X_aug.iloc[:start], noisy], ignore_index=True)
        pipe = make_pipeline(classifier, numeric, prepared.categorical, params=config.models.params.get(classifier, {}),
                             seed=config.split.seed, device=config.models.device).fit(X_noisy, y_aug)
        proba = pipe.predict_proba(prepared.X_test)
        threshold = evaluation.utility.test_entry((classifier, method)).get("decision_threshold")
        pred = (pipe.predict(prepared.X_test) if threshold is None else  # at the method's own operating threshold
                predict_at(proba, threshold, minority[0], majority))
        metrics = classification_metrics(y_test, proba, pred, minority, majority,
                                         evaluation.utility.protocol.decision_objective())
        in_class = np.isin(np.asarray(y_aug), minority)
        is_syn = (np.arange(len(X_noisy)) >= start)[in_class].astype(int)
        Z, slack = attack_space(train_min, X_noisy[in_class], numeric, prepared.categorical)
        attack = interpolation_attack(Z, is_syn, config.privacy.attack_tolerance, slack=slack,
                                      n_boot=config.privacy.n_bootstrap, seed=config.split.seed)
        before = privacy.methods[method]["interpolation_attack"]
        out["methods"][method] = {
            "attack_auc_before": before["distinguish_auc"],
            "attack_auc_after": attack["distinguish_auc"],
            "attack_auc_ci_before": [before.get("distinguish_auc_ci_low"), before.get("distinguish_auc_ci_high")],
            "attack_auc_ci_after": [attack.get("distinguish_auc_ci_low"), attack.get("distinguish_auc_ci_high")],
            "attack_beats_chance_before": before["beats_chance"],
            "attack_beats_chance_after": attack["beats_chance"],
            "reconstruction_recall_after": attack["reconstruction_recall"],
            "reconstruction_precision_after": attack.get("reconstruction_precision"),
            "reconstruction_precision_chance_after": attack.get("chance", {}).get("reconstruction_precision"),
            "recall_minority_before": evaluation.utility.test_metrics((classifier, method))["recall_minority"],
            "recall_minority_after": metrics["recall_minority"],
        }
    return out


def _merge_privacy(parts: list[PrivacyResult]) -> PrivacyResult:
    """The privacy section from its per-method parts (in method order); one part is returned as it is."""
    first = parts[0]
    methods = {m: checks for part in parts for m, checks in part.methods.items()}
    mitigated = {m: row for part in parts for m, row in (part.mitigation or {}).get("methods", {}).items()}
    return replace(first, methods=methods, mitigation={**(first.mitigation or {}), "methods": mitigated})


def _fidelity_and_privacy(config: AuditConfig, prepared: Prepared, evaluation: Evaluation,
                          synthetic: dict[str, pd.DataFrame], real_min: pd.DataFrame,
                          n_jobs: int) -> tuple[FidelityResult, PrivacyResult]:
    """Fidelity and privacy of every method's synthetic rows. They are independent per-method tasks: one batch keeps
    every worker busy (3 methods on 2 cores left one idle for a third of each stage), so they are timed together."""
    fidelity_tasks = [
        (_fidelity, (real_min, rows, prepared.y_train.to_numpy(), prepared.y_test.to_numpy(),
                     evaluation.label_encoder.inverse_transform(np.asarray(evaluation.augmented[method].y)),
                     prepared.minority_labels[0], prepared.majority_label, prepared.numeric + prepared.ordinal,
                     prepared.categorical, config.split.seed))
        for method, rows in synthetic.items()]
    if n_jobs == 1:
        privacy_tasks = [(_privacy_and_mitigation, (config, prepared, evaluation, synthetic))]
    else:  # one task per method, merged in method order below: the same result as the single call above
        privacy_tasks = [(_privacy_and_mitigation, (config, prepared, _only(evaluation, method), {method: rows}))
                         for method, rows in synthetic.items()]
    outputs = _stage(fidelity_tasks + privacy_tasks, n_jobs)
    return (FidelityResult(dict(zip(synthetic, outputs[:len(fidelity_tasks)]))),
            _merge_privacy(outputs[len(fidelity_tasks):]))


def _largest_minority(prepared: Prepared) -> int:
    counts = prepared.y_train.astype(str).value_counts()
    return int(max(counts.get(str(m), 0) for m in prepared.minority_labels))


def _stage(tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]], n_jobs: int) -> list[Any]:
    """Independent tasks of one step, in order: in this process when `n_jobs` is 1, else as joblib tasks with
    one BLAS/OpenMP/torch thread each (as the evaluation grid's tasks)."""
    if n_jobs == 1 or len(tasks) < 2:
        return [fn(*args) for fn, args in tasks]
    return Parallel(n_jobs=n_jobs)(delayed(_in_worker)(fn, n_jobs, args) for fn, args in tasks)


def _in_worker(fn: Callable[..., Any], n_jobs: int, args: tuple[Any, ...]) -> Any:
    with worker_threads(n_jobs):
        return fn(*args)


def _fidelity(real_min: pd.DataFrame, rows: pd.DataFrame, y_train: np.ndarray, y_test: np.ndarray, y_augmented: np.ndarray,
              minority: Any, majority: Any, continuous: list[str], categorical: list[str], seed: int) -> dict[str, Any]:
    """Fidelity of one method's synthetic minority rows (one task)."""
    ratios = class_balance(y_train, y_test, y_augmented, minority, majority)
    return compute_evaluation_metrics(real_min, rows, continuous, categorical, seed=seed, class_ratios=ratios)


def _fairness(config: AuditConfig, prepared: Prepared, evaluation: Evaluation, synthetic: dict[str, pd.DataFrame],
              real_min: pd.DataFrame, n_jobs: int) -> FairnessResult:
    """The fairness section; with several workers one task per classifier, merged in classifier order (the
    per-classifier parts of `fairness.assess`'s output: models, changes, matrix) into the single call's result."""
    predictions: dict[str, dict[str, np.ndarray]] = {}
    for (classifier, comparator), (pred, _) in evaluation.test_predictions.items():
        predictions.setdefault(classifier, {})[comparator] = pred
    minority_rows = {m: r[_minority_mask(r["__label__"], prepared)] for m, r in synthetic.items()}
    encoder = evaluation.label_encoder
    common = (config, prepared.X_test, encoder.transform(prepared.y_test))
    ranked = rank_configurations(evaluation.utility, config.evaluation.primary_metric, config.evaluation.precision_floor)
    leaders = {"with_synthetic": best_configuration(ranked, True), "without_synthetic": best_configuration(ranked, False)}
    references = {kind: (leader.configuration, evaluation.test_predictions[leader.configuration][0])
                  for kind, leader in leaders.items() if leader is not None}
    tail = (list(encoder.classes_), prepared.minority_labels, references)
    if n_jobs == 1:
        return FairnessResult.from_json(assess_fairness(*common, predictions, real_min, minority_rows, *tail))
    parts = [FairnessResult.from_json(part) for part in _stage(
        [(assess_fairness, (*common, {classifier: by_comparator}, real_min, minority_rows if i == 0 else {}, *tail))
         for i, (classifier, by_comparator) in enumerate(predictions.items())], n_jobs)]
    first = parts[0]
    if not first.available:
        return first

    def merged(section: str, join: Callable[[list[Any]], Any]) -> dict[str, Any]:
        return {attribute: join([getattr(part, section)[attribute] for part in parts])
                for attribute in getattr(first, section)}

    return replace(first, models=merged("models", lambda ds: {k: v for d in ds for k, v in d.items()}),
                   changes=merged("changes", lambda ds: {k: v for d in ds for k, v in d.items()}),
                   reference_changes=merged("reference_changes", lambda ds: {k: v for d in ds for k, v in d.items()}),
                   matrix=merged("matrix", lambda rows: [row for part in rows for row in part]))


def _only(evaluation: Evaluation, method: str) -> Evaluation:
    """What the privacy step needs of one method (so a task does not carry every model and augmented set)."""
    return Evaluation(utility=evaluation.utility, augmented={method: evaluation.augmented[method]},
                      label_encoder=evaluation.label_encoder)


def _privacy_and_mitigation(config: AuditConfig, prepared: Prepared, evaluation: Evaluation,
                            synthetic: dict[str, pd.DataFrame]) -> PrivacyResult:
    privacy = _privacy(config, prepared, evaluation, synthetic)
    return replace(privacy, mitigation=_mitigation(config, prepared, evaluation, synthetic, privacy))


class Stopwatch:
    """Seconds per step of the audit in the order the steps first ran (results.json `timings`); a step timed twice
    adds up."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        tick = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - tick

    def rounded(self) -> dict[str, float]:
        """Every step and the total so far, to the millisecond."""
        return {k: round(v, 3) for k, v in {**self.seconds, "total": time.perf_counter() - self.start}.items()}


def run_audit(config: AuditConfig, cache_dir: Path | None = Path(".cache"),
              progress: Callable[[str], None] | None = None) -> Audit:
    """Run (or load from cache) the full audit; `progress(step)` is called as each step starts."""
    say = progress or (lambda step: logger.info("step: %s", step))
    clock = Stopwatch()
    say("prepare")
    with clock.step("prepare"):
        prepared = prepare(config)
    source_sha256 = data_file_sha256(config)
    key = cache_key(config, prepared, source_sha256)
    cache_file = cache_dir / f"audit-{key}.pkl" if cache_dir else None
    audit = read_cache(cache_file, Audit) if cache_file is not None and cache_file.exists() else None
    if audit is not None:
        say("load cached results")
        audit.result.update(cache={"key": key, "hit": True, "computed_at": audit.typed.cache.get("computed_at")})
        return audit
    run_config, scale_decisions = plan(config, len(prepared.train), _largest_minority(prepared))
    n_jobs = run_config.evaluation.n_jobs
    say("augment and evaluate")
    with clock.step("augment_and_evaluate"):
        samplers = {m: make_sampler(m, run_config.augmentation, prepared.categorical)
                    for m in run_config.augmentation.methods}
        evaluation = evaluate(prepared, samplers, run_config)
    synthetic = synthetic_rows(evaluation)
    say("fidelity")
    real_min = prepared.X_train[_minority_mask(prepared.y_train, prepared)]
    with clock.step("fidelity_and_privacy"):
        fidelity, privacy = _fidelity_and_privacy(run_config, prepared, evaluation, synthetic, real_min, n_jobs)
    say("fairness")
    with clock.step("fairness"):
        fairness = _fairness(run_config, prepared, evaluation, synthetic, real_min, n_jobs)
    say("privacy")
    say("verdict")
    with clock.step("verdict"):
        test_hash_after = _test_hash_from_disk(config)
    repeats = None
    if run_config.augmentation.repeats > 1:  # seed-to-seed variance of every generation method
        with clock.step("repeats"):
            repeats = seed_variance(run_config, prepared, evaluation)
    sections = AuditResult(
        config={"hash": config.config_hash, "resolved": run_config.to_dict(), "source_file": config.source_file,
                "profile": config.profile, "params": params_as_set(config)},
        data={"profile": prepared.profile, "cleaning_log": prepared.cleaning_log.entries,
              "features": {"numeric": prepared.numeric, "ordinal": prepared.ordinal, "categorical": prepared.categorical},
              "minority": [str(m) for m in prepared.minority_labels], "majority": str(prepared.majority_label),
              "test_hash_before": prepared.test_hash, "test_hash_after": test_hash_after,
              "test_hash_in_memory_after": frame_hash(prepared.test),
              "test_hash_method": "SHA-256 of the test split as prepared at the start, and of the test split "
                                  "re-read from the source file and re-split after every step had run",
              "source_sha256": source_sha256},
        augmentation=augmentation_section(prepared, evaluation), fidelity=fidelity, utility=evaluation.utility,
        fairness=fairness, privacy=privacy, versions=versions(),
        environment={"cpu_count": os.cpu_count(), "gpu": _gpu(), "synthlib_source_sha256": code_digest()},
        cache={"key": key, "hit": False,
               "computed_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")},
        devices=resolved_devices(config, len(prepared.train)), scale_decisions=tuple(scale_decisions),
        augmentation_repeats=repeats)
    stored = AuditResult.from_json(plain(sections.to_json()))  # JSON-safe (NaN as None): the verdict sees what is stored
    with clock.step("verdict"):
        verdict = decide(stored.utility, stored.fidelity, stored.fairness, stored.privacy, run_config,
                         evaluation.test_predictions, evaluation.label_encoder.transform(prepared.y_test))
    result = plain(replace(stored, verdict=verdict, timings=clock.rounded()).to_json())
    audit = Audit(result=result, prepared=prepared, evaluation=evaluation, synthetic=synthetic)
    if cache_file is not None:
        write_cache(audit, cache_file)
    return audit


def _test_hash_from_disk(config: AuditConfig) -> str:
    """The test split re-read from the source file and re-split (its warnings were already logged once)."""
    package_logger = logging.getLogger("synthlib")
    level = package_logger.level
    package_logger.setLevel(logging.ERROR)
    try:
        return frame_hash(prepare(config).test)
    finally:
        package_logger.setLevel(level)


def _gpu() -> str | None:
    try:
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        return None
