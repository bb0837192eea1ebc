"""Baseline vs augmented classifiers: repeated CV inside the training split, then one test evaluation.

Grid: comparators (baseline, class-weighted, tuned threshold, each augmentation method) x classifiers x
folds, run as joblib tasks. An augmentation is fit once per training fold and shared by all
classifiers of that fold; validation folds and the test split only ever see real rows.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import make_scorer
from sklearn.model_selection import RepeatedStratifiedKFold, TunedThresholdClassifierCV, train_test_split
from sklearn.preprocessing import LabelEncoder
from threadpoolctl import threadpool_limits

from synthlib.augment import resolve_device
from synthlib.config import DEEP_GENERATORS, GRID_BASELINES, AuditConfig, EvaluationConfig
from synthlib.prepare import Prepared
from synthlib.utils import PROGRESS_EVERY_S, GridProgress, parallel_counted

from ._calibration import Recalibration, recalibrate_configurations
from ._fit import FoldFit
from ._metrics import classification_metrics, fast_balanced_accuracy, fast_f1
from ._models import SUPPORTS_CLASS_WEIGHT, make_pipeline, xgboost_device
from ._objective import Objective
from ._operating import at_operating_points
from ._results import UtilityResult
from ._summary import _assemble, add_matched_operating_point

logger = logging.getLogger(__name__)
BASELINES = GRID_BASELINES


class AugmentedSet(NamedTuple):
    """One method's final training set: the rows (the real rows it kept, then the synthetic ones), their encoded
    labels, and the fitted sampler (its provenance, timings and removed real rows)."""

    X: pd.DataFrame
    y: np.ndarray
    sampler: Any


@dataclass
class Evaluation:
    """`utility` is what the later stages read (results.json's `utility`); `models` and `augmented` hold the final
    fitted objects for export."""

    utility: UtilityResult | None = None
    models: dict[tuple[str, str], Any] = field(default_factory=dict)
    augmented: dict[str, AugmentedSet] = field(default_factory=dict)
    test_predictions: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    label_encoder: LabelEncoder | None = None
    recalibrations: dict[tuple[str, str], Recalibration] = field(default_factory=dict)


def _threshold_scorer(objective: str, positive: int):
    if objective == "balanced_accuracy":
        return make_scorer(fast_balanced_accuracy)
    return make_scorer(fast_f1, pos_label=positive)


def fit_predict(config: AuditConfig, columns: Any, classifier: str, comparator: str, X_fit: pd.DataFrame,
                 y_fit: np.ndarray, X_eval: pd.DataFrame, positive: int, seed: int, device: str):
    """Fit one configuration and score `X_eval`: (fitted model, probabilities, predicted labels).

    `columns` is anything with `numeric`, `ordinal` and `categorical` lists (a `Prepared` or `FeatureColumns`).
    """
    models = config.models
    kwargs = dict(params=models.params.get(classifier, {}), seed=seed, device=device)
    pipe = make_pipeline(classifier, list(columns.numeric) + list(columns.ordinal), list(columns.categorical),
                         class_weight=comparator == "class_weighted", y=y_fit, **kwargs)
    objective = config.evaluation.threshold_objective
    if comparator == "tuned_threshold":
        pipe = TunedThresholdClassifierCV(pipe, scoring=_threshold_scorer(objective, positive),
                                          cv=3, random_state=seed)  # the scorer's pos_label: a cut-off on P(minority)
    pipe.fit(X_fit, y_fit)
    proba = pipe.predict_proba(X_eval)
    return pipe, proba, predictions_from_proba(pipe, proba, positive if objective != "balanced_accuracy" else None)


def predictions_from_proba(model: Any, proba: np.ndarray, threshold_label: Any = None) -> np.ndarray:
    """The labels `model.predict` gives for the rows whose probabilities are `proba`, without a second pass.

    Every classifier here predicts the class of highest probability (random forest, KNN and XGBoost by
    definition; logistic regression's positive decision function is a probability above one half). A
    `TunedThresholdClassifierCV` predicts `threshold_label` (its scorer's pos_label; None: its second class)
    where that class's probability reaches `best_threshold_`, as scikit-learn's `_threshold_scores_to_class_labels`.
    tests/test_evaluation.py checks the equality against `predict` for every classifier and comparator.
    """
    classes = np.asarray(model.classes_)
    if hasattr(model, "best_threshold_"):
        label = classes[1] if threshold_label is None else threshold_label
        column = int(np.flatnonzero(classes == label)[0])
        other = classes[classes != label][0]
        return np.where(proba[:, column] >= model.best_threshold_, label, other)
    return classes[np.argmax(proba, axis=1)]


@dataclass(frozen=True)
class FeatureColumns:
    """The column roles a classifier pipeline needs: all a grid task is sent instead of the whole `Prepared`."""

    numeric: tuple[str, ...]
    ordinal: tuple[str, ...]
    categorical: tuple[str, ...]


def cv_folds(y: np.ndarray, ev: EvaluationConfig, seed: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], dict[str, Any]]:
    """The CV folds (row positions in the training split) and the small record that reproduces them.

    Above `ev.max_cv_rows` training rows the folds cover a stratified sample of that many rows (seeded); the
    final fits still use every row. The record (splitter, seed, sample size, SHA-256 of the positions) goes
    into results.json instead of the positions themselves; `fold_indices` rebuilds and checks them.
    """
    rows = np.arange(len(y))
    sampled = ev.max_cv_rows is not None and len(y) > ev.max_cv_rows
    if sampled:
        rows = np.sort(train_test_split(rows, train_size=ev.max_cv_rows, stratify=y, random_state=seed)[0])
    splitter = RepeatedStratifiedKFold(n_splits=ev.cv_folds, n_repeats=ev.cv_repeats, random_state=seed)
    folds = [(rows[tr], rows[va]) for tr, va in splitter.split(np.zeros(len(rows)), y[rows])]
    record = {"splitter": f"RepeatedStratifiedKFold(n_splits={ev.cv_folds}, n_repeats={ev.cv_repeats}, "
                          f"random_state={seed})",
              "training_rows": int(len(y)), "cv_rows": int(len(rows)),
              "sample": (f"sklearn train_test_split(train_size={ev.max_cv_rows}, stratify=y, random_state={seed}), "
                         "positions sorted" if sampled else None),
              "max_cv_rows": ev.max_cv_rows, "sha256": _fold_digest(folds)}
    return folds, record


def _fold_digest(folds: list[tuple[np.ndarray, np.ndarray]]) -> str:
    digest = hashlib.sha256()
    for train, validation in folds:
        digest.update(np.asarray(train, dtype=np.int64).tobytes() + b"|" + np.asarray(validation, dtype=np.int64).tobytes())
    return digest.hexdigest()


def fold_indices(utility: UtilityResult, y_train: np.ndarray | pd.Series) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (training, validation) row positions of every CV fold, rebuilt from `utility.folds` and the
    training split's labels; raises ValueError when they do not match the recorded SHA-256."""
    record, protocol = utility.folds, utility.protocol
    ev = EvaluationConfig(cv_folds=protocol.cv_folds, cv_repeats=protocol.cv_repeats, max_cv_rows=record["max_cv_rows"])
    folds, rebuilt = cv_folds(np.asarray(y_train), ev, protocol.seed)
    if rebuilt["sha256"] != record["sha256"]:
        raise ValueError("the training split's labels do not reproduce the recorded CV folds (SHA-256 differs)")
    return folds


def _generator_on_gpu(sampler: Any) -> bool:
    """Whether `sampler` trains on CUDA. Such jobs run one after another in a thread of the parent process, the
    one process that initialises CUDA, while the CPU jobs run in the worker processes: no worker pays for a
    CUDA context it does not use (issue 18: 16 workers x ~820 MiB and a restart each)."""
    device = getattr(sampler, "device", None)
    return device is not None and resolve_device(device) == "cuda"


def _applicable(classifier: str, comparator: str, binary: bool) -> bool:
    if comparator == "class_weighted":
        return classifier in SUPPORTS_CLASS_WEIGHT and (binary or classifier != "xgboost")
    if comparator == "tuned_threshold":
        return binary
    return True


@contextmanager
def worker_threads(n_jobs: int, torch_needed: bool = False) -> Iterator[None]:
    """One BLAS/OpenMP thread (and one torch thread when torch is loaded or needed) for a task that runs beside
    others (`n_jobs != 1`), so the workers together use the cores without oversubscribing them."""
    with threadpool_limits(limits=1 if n_jobs != 1 else None):
        if n_jobs != 1 and (torch_needed or "torch" in sys.modules):  # no torch import otherwise
            import torch

            torch.set_num_threads(1)
        yield


def _task(config, columns, comparator, sampler, fold, X_fit, y_fit, X_eval, positive, binary, n_jobs, device):
    """One (comparator, fold): augment the training fold once, fit every classifier, score the held-out rows.

    The task gets its fold's cleaned rows, not the whole `Prepared`: each task is pickled to a worker, and on a
    large table the whole training split (raw and cleaned) cost more to send than some fits.
    """
    with worker_threads(n_jobs, torch_needed=comparator in DEEP_GENERATORS):
        final = fold < 0
        augmented = None
        if sampler is not None:
            fitted = clone(sampler)
            start = time.perf_counter()
            X_fit, y_fit = fitted.fit_resample(X_fit, y_fit)
            fitted.seconds_ = time.perf_counter() - start
            y_fit = np.asarray(y_fit)
            augmented = AugmentedSet(X_fit, y_fit, fitted) if final else None
        records = []
        for classifier in config.models.classifiers:
            if not _applicable(classifier, comparator, binary):
                continue
            model, proba, pred = fit_predict(config, columns, classifier, comparator, X_fit, y_fit, X_eval,
                                              positive, config.split.seed + max(fold, 0), device)
            records.append(FoldFit(classifier, comparator, fold, proba, pred, model if final else None, len(y_fit),
                                   None))
        return records, augmented


def fold_data(prepared: Prepared, folds: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(training rows, held-out rows) of every CV fold, cleaned by a `Cleaner` refitted on that training fold only
    (no statistic of the held-out rows leaks in). Computed once per fold and shared by every comparator."""
    raw = prepared.raw_train[prepared.features].reset_index(drop=True)
    out = []
    for train_idx, eval_idx in folds:
        cleaner = clone(prepared.cleaner).fit(raw.iloc[train_idx])
        out.append((cleaner.transform(raw.iloc[train_idx]).reset_index(drop=True),
                    cleaner.transform(raw.iloc[eval_idx]).reset_index(drop=True)))
    return out


def evaluate(prepared: Prepared, samplers: dict[str, Any], config: AuditConfig | None = None,
             progress_every: float = PROGRESS_EVERY_S) -> Evaluation:
    """Run the comparison grid and the significance analysis; see the module docstring. A progress line (fits done,
    elapsed, time left) goes to stderr and the run log every `progress_every` seconds while the grid runs."""
    config = config or prepared.config
    ev = config.evaluation
    encoder = LabelEncoder().fit(prepared.y_train)
    y = encoder.transform(prepared.y_train)
    y_test = encoder.transform(prepared.y_test)
    minority = [int(v) for v in encoder.transform(prepared.minority_labels)]
    majority = int(encoder.transform([prepared.majority_label])[0])
    binary = len(encoder.classes_) == 2
    encoded_samplers = {name: encoded_sampler(s, encoder) for name, s in samplers.items()}
    folds, fold_record = cv_folds(y, ev, config.split.seed)
    comparators = list(BASELINES) + list(samplers)
    everything = np.arange(len(y))
    jobs = [(c, i, tr, va) for c in comparators for i, (tr, va) in enumerate(folds)]
    jobs += [(c, -1, everything, None) for c in comparators]
    logger.info("evaluation grid: %d comparators x %d folds (+ final fits), n_jobs=%s", len(comparators), len(folds), ev.n_jobs)
    device, _ = xgboost_device(config.models.device, len(y))
    columns = FeatureColumns(tuple(prepared.numeric), tuple(prepared.ordinal), tuple(prepared.categorical))
    # the cleaning fitted on the whole training split, as deployed, for the final fits; per fold for the CV
    data = [*fold_data(prepared, folds), (prepared.X_train.reset_index(drop=True), prepared.X_test.reset_index(drop=True))]

    def arguments(job, n_jobs):  # only this fold's rows travel to the worker (see _task)
        comparator, fold, train_idx, _ = job
        X_fit, X_eval = data[fold]  # fold -1: the final fit's data, the last entry
        return (config, columns, comparator, encoded_samplers.get(comparator), fold, X_fit, y[train_idx], X_eval,
                minority[0], binary, n_jobs, device)

    gpu_comparators = {c for c in samplers if _generator_on_gpu(samplers[c])}
    on_gpu = [j for j in jobs if j[0] in gpu_comparators]
    # the slowest tasks first, so no core idles at the end: cost ~ training rows x the comparator's weight (a deep
    # generator trains for many epochs; the tuned threshold fits its classifiers 3 + 1 times); final fits use every row
    weight = {c: 10 if c in DEEP_GENERATORS else 4 if c == "tuned_threshold" else 1 for c in comparators}
    on_workers = sorted((j for j in jobs if j[0] not in gpu_comparators), key=lambda j: -weight[j[0]] * len(j[2]))
    fits = {id(j): sum(_applicable(c, j[0], binary) for c in config.models.classifiers) for j in jobs}
    with ThreadPoolExecutor(max_workers=1) as gpu_thread, GridProgress(sum(fits.values()), progress_every) as counter:
        gpu_outputs = gpu_thread.submit(parallel_counted, _task, [arguments(j, 1) for j in on_gpu], 1, counter,
                                        [fits[id(j)] for j in on_gpu])
        worker_outputs = parallel_counted(_task, [arguments(j, ev.n_jobs) for j in on_workers], ev.n_jobs, counter,
                                          [fits[id(j)] for j in on_workers])
        by_job = dict(zip(map(id, on_gpu + on_workers), gpu_outputs.result() + worker_outputs))
    outputs = [by_job[id(j)] for j in jobs]
    objective = Objective.from_config(ev)
    if binary:  # every configuration at its own operating point (see _operating)
        outputs = at_operating_points(jobs, outputs, y, minority[0], ev.cv_folds, objective, data[-1][0])
    evaluation = Evaluation(label_encoder=encoder)
    cv_rows, test, fold_scores, fold_thresholds = [], {}, {}, {}
    for (comparator, fold, _, val_idx), (records, augmented) in zip(jobs, outputs):
        if augmented is not None:
            evaluation.augmented[comparator] = augmented
        for r in records:
            if fold >= 0:
                metrics = classification_metrics(y[val_idx], r.proba, r.pred, minority, majority, objective)
                cv_rows.append({"classifier": r.classifier, "comparator": comparator, "fold": fold, **metrics})
                fold_scores[(r.classifier, comparator, fold)] = r.proba[:, minority[0]]
                if r.threshold is not None:
                    fold_thresholds.setdefault(r.classifier, {}).setdefault(comparator, {})[fold] = r.threshold
            else:
                evaluation.models[(r.classifier, comparator)] = r.model
                evaluation.test_predictions[(r.classifier, comparator)] = (r.pred, r.proba)
                test[(r.classifier, comparator)] = r
    cv = pd.DataFrame(cv_rows)
    utility = _assemble(config, cv, test, y_test, minority, majority, fold_record, encoder, binary)
    # each configuration's cross-fitted threshold in every CV fold, per classifier and comparator, by fold
    utility = replace(utility, cv_fold_thresholds={c: {k: [t for _, t in sorted(by_fold.items())]
                                                       for k, by_fold in by_comparator.items()}
                                                   for c, by_comparator in fold_thresholds.items()})
    if binary:
        utility = add_matched_operating_point(utility, config, fold_scores, y, y_test, minority[0], folds, test)
        utility, evaluation.recalibrations = recalibrate_configurations(utility, fold_scores, y, folds, test, y_test,
                                                                        minority[0])
    evaluation.utility = utility
    return evaluation


def encoded_sampler(sampler, encoder: LabelEncoder):
    """Samplers see encoded labels (0..K-1): translate a dict sampling_strategy accordingly."""
    strategy = getattr(sampler, "sampling_strategy", None)
    if isinstance(strategy, dict):
        mapping = {str(label): i for i, label in enumerate(encoder.classes_)}
        sampler = clone(sampler).set_params(sampling_strategy={mapping[str(k)]: v for k, v in strategy.items()})
    return sampler
