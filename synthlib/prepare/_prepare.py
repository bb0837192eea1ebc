"""Data preparation: load, normalise missing markers, split first, then clean with training statistics."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split

from synthlib.config import AuditConfig
from synthlib.errors import DataError

from ._checks import (check_minority_capacity, column_kind, is_index_column, kept_columns, preflight,
                      referenced_columns, resolve_labels, text_numbers, undeclared, whole_number_labels)
from ._cleaning import Cleaner, CleaningLog, marker_mask
from ._data_warnings import number_format_fix
from ._io import load_dataset
from ._profile import profile

logger = logging.getLogger(__name__)


def frame_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's values, index, column names and dtypes (used to prove the test split is untouched)."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values.tobytes())
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    return digest.hexdigest()


@dataclass
class Prepared:
    """The cleaned splits and everything learned while making them.

    `cleaner` is the `Cleaner` fitted on the training split (`cleaner.transform(raw_test)` gives `test`);
    `raw_train` / `raw_test` are the same rows as `train` / `test` after marker normalisation, before
    capping and imputation, for fitting a `Cleaner` per CV fold.
    """

    config: AuditConfig
    train: pd.DataFrame
    test: pd.DataFrame
    numeric: list[str]
    categorical: list[str]
    ordinal: list[str]
    minority_labels: list[Any]
    majority_label: Any
    positive_label: Any
    cleaning_log: CleaningLog
    profile: dict[str, Any]
    outlier_bounds: dict[str, tuple[float, float]]
    test_hash: str
    cleaner: Cleaner
    raw_train: pd.DataFrame
    raw_test: pd.DataFrame

    @property
    def target(self) -> str:
        return self.config.dataset.target

    @property
    def features(self) -> list[str]:
        return self.numeric + self.ordinal + self.categorical

    @property
    def X_train(self) -> pd.DataFrame:
        return self.train[self.features]

    @property
    def y_train(self) -> pd.Series:
        return self.train[self.target]

    @property
    def X_test(self) -> pd.DataFrame:
        return self.test[self.features]

    @property
    def y_test(self) -> pd.Series:
        return self.test[self.target]


def _require_columns(frame: pd.DataFrame, columns: list[str], key: str, where: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{key} names {', '.join(f'`{c}`' for c in missing)}, not a column of {where}; "
                        f"columns are: {', '.join(map(str, frame.columns))}")


def normalise_missing(frame: pd.DataFrame, markers: tuple[str, ...], log: CleaningLog,
                      target: str | None = None) -> pd.DataFrame:
    """Turn configured missing markers into NaN (text columns by text, numeric columns other than the `target` by
    value: '-999' matches -999.0); text columns that become fully numeric are converted."""
    frame = frame.copy()
    for column in frame.columns:
        text = frame[column].dtype == object
        if not markers or not (text or column != target and pd.api.types.is_numeric_dtype(frame[column])):
            continue
        is_marker = marker_mask(frame[column], markers)
        if is_marker.any():
            frame[column] = frame[column].mask(is_marker)
            log.add("missing", "marker to NaN", column, int(is_marker.sum()), markers=list(markers))
        if not text:
            continue
        converted = pd.to_numeric(frame[column], errors="coerce")
        if frame[column].notna().any() and converted.notna().sum() == frame[column].notna().sum():
            frame[column] = converted
            log.add("types", "converted to numeric", column, int(frame[column].notna().sum()))
    return frame


def detect_features(frame: pd.DataFrame, config: AuditConfig, log: CleaningLog) -> tuple[list[str], list[str], list[str]]:
    """Numeric, categorical and ordinal columns: as configured, the rest detected from dtypes (logged)."""
    given = config.features
    present = set(frame.columns)  # a declared column may be gone: `_drop_unusable` drops constant columns (logged)
    ordinal = [c for c in given.ordinal if c in present]
    candidates = [c for c in frame.columns if c != config.dataset.target and c not in ordinal]
    numeric = [c for c in given.numeric or () if c in present]
    categorical = [c for c in given.categorical or () if c in present]
    if given.numeric is not None and given.categorical is not None:
        return numeric, categorical, ordinal
    kept = kept_columns(config)
    for column in candidates:
        if column in numeric or column in categorical:
            continue
        kind = column_kind(column, frame[column]) if column not in kept else None
        if kind in ("id", "date"):
            log.add("features", f"left out: looks like {'an ID' if kind == 'id' else 'dates'} (warning)", column,
                    int(frame[column].nunique()), note="list it in dataset.id_columns, or declare it as a feature")
            continue
        if given.numeric is None and pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column]):
            numeric.append(column)
            log.add("features", "detected numeric", column, dtype=str(frame[column].dtype))
        elif given.categorical is None:
            categorical.append(column)
            log.add("features", "detected categorical", column, dtype=str(frame[column].dtype))
    return numeric, categorical, ordinal


def _drop_unusable(frame: pd.DataFrame, config: AuditConfig, log: CleaningLog) -> pd.DataFrame:
    """Drop saved index columns and constant columns, read numbers stored as text, make a whole-number target int.

    Every action is logged; sensitive attributes and quasi-identifiers are never dropped (the fairness and
    privacy reviews read them, and report an attribute with one group themselves).
    """
    where, target = config.source_file or "the data set", config.dataset.target
    referenced = {c for names in referenced_columns(config).values() for c in names}
    index_like = [c for c in frame.columns if is_index_column(c) and c not in referenced]
    for column in index_like:
        log.add("columns", "drop saved pandas index column (warning)", column, len(frame))
    frame = frame.drop(columns=index_like)
    if config.features.numeric is None:
        for column in set(undeclared(config, frame)) - kept_columns(config):
            if column_kind(column, frame[column]) == "numbers":
                found = text_numbers(frame[column])
                frame[column] = pd.to_numeric(frame[column].astype(str).str.strip().mask(frame[column].isna()),
                                              errors="coerce")
                log.add("types", "text read as numbers; non-numbers to NaN (warning)", column, found.n_bad,
                        examples=list(found.bad_values[:3]))
    labels = whole_number_labels(frame[target])
    if labels.dtype != frame[target].dtype:
        frame[target] = labels
        log.add("types", "target classes as whole numbers", target, len(frame))
    for column in frame.columns:
        if column != target and frame[column].isna().all():
            raise DataError(f"column `{column}` of {config.dataset.source} ({where}) is entirely missing after the "
                            "missing markers were applied; remove it or list it under dataset.id_columns to drop it")
    constant = [c for c in frame.columns
                if c != target and c not in kept_columns(config) and frame[c].nunique(dropna=True) <= 1]
    declared = {c: key for key, names in referenced_columns(config).items() for c in names}
    for column in constant:
        logger.warning("column `%s` is constant and was dropped", column)
        note = f"declared in {declared[column]}; " if column in declared else ""
        log.add("columns", "drop constant column (warning)", column, len(frame),
                note=note + f"its one value ({frame[column].dropna().iloc[0]!r}) carries nothing a model can use")
    return frame.drop(columns=constant)


def _check_sampler_sizes(train: pd.DataFrame, config: AuditConfig, minority: list[Any]) -> None:
    """The exact training counts (after the split and any training-row drops) fill every fold and neighbourhood."""
    counts = {label: int(n) for label, n in train[config.dataset.target].value_counts().items()}
    check_minority_capacity(counts, minority, config)  # its warnings were logged by the preflight estimate


def _fit_cleaning(train: pd.DataFrame, config: AuditConfig, numeric: list[str], categorical: list[str],
                  log: CleaningLog) -> tuple[pd.DataFrame, Cleaner]:
    """Fit the `Cleaner` on the training split; `drop` actions remove training rows only (logged)."""
    features = numeric + categorical
    if config.cleaning.missing == "drop":
        incomplete = train[features].isna().any(axis=1)
        train = train.loc[~incomplete]
        log.add("missing", "drop rows with missing values", None, int(incomplete.sum()), "train",
                note="training split only; missing values in test rows are imputed with training values")
    cleaner = Cleaner(numeric, categorical, config.dataset.missing_markers, config.cleaning).fit(train[features])
    log.entries += cleaner.log_
    for entry in cleaner.log_:
        if entry["step"] == "signal":
            logger.warning("column `%s`: %s (%s)", entry["column"], entry["action"].removesuffix(" (warning)"),
                           entry.get("note", ""))
    outside = cleaner.outliers(train[features])
    if config.cleaning.outliers.action == "drop" and outside.any():
        train = train.loc[~outside]
        log.add("outliers", "drop rows", None, int(outside.sum()), "train", method=config.cleaning.outliers.method,
                note="training split only; test rows are capped with the training bounds, so the CV folds "
                     "and the test split differ in their extreme values")
    return train, cleaner


def _cleaned(cleaner: Cleaner, split: pd.DataFrame, target: str) -> pd.DataFrame:
    """One split cleaned by the fitted `Cleaner`, with its target column."""
    cleaned = cleaner.transform(split[cleaner.feature_names_in_])
    cleaned[target] = split[target]
    return cleaned


def prepare(config: AuditConfig) -> Prepared:
    """Load, clean and split the data set described by `config`; the test split is never resampled."""
    log = CleaningLog()
    ds, where = config.dataset, config.source_file or "the config"
    raw = load_dataset(config)
    preflight(raw, config)
    if ds.target not in raw.columns:
        raise DataError(f"target column `{ds.target}` (dataset.target in {where}) is not in {ds.source}; "
                        f"columns are: {', '.join(map(str, raw.columns))}")
    _require_columns(raw, list(ds.id_columns), "dataset.id_columns", ds.source)
    for key, cols in (("features.numeric", config.features.numeric or ()), ("features.categorical", config.features.categorical or ()),
                      ("features.ordinal", config.features.ordinal), ("features.quasi_identifiers", config.features.quasi_identifiers),
                      ("features.sensitive", [s.column for s in config.features.sensitive])):
        _require_columns(raw, list(cols), f"{key} in {where}", ds.source)
    raw = normalise_missing(raw, ds.missing_markers, log, ds.target)
    for column in raw.columns.drop([ds.target, *ds.id_columns]):
        fix = number_format_fix(raw[column], config)
        if fix:
            logger.warning("column `%s` holds numbers written with a comma and is read as text; set %s", column, fix)
            log.add("types", "numbers with a comma read as text (warning)", column, int(raw[column].nunique()),
                    note=f"set {fix} in the params file")
    if ds.id_columns:
        raw = raw.drop(columns=list(ds.id_columns))
        log.add("columns", "drop id columns", ",".join(ds.id_columns), len(ds.id_columns))
    unlabelled = raw[ds.target].isna()
    if unlabelled.any():
        raw = raw.loc[~unlabelled]
        log.add("missing", "drop rows without a target", ds.target, int(unlabelled.sum()))
    if raw[ds.target].nunique() < 2:
        raise DataError(f"target `{ds.target}` in {ds.source} has a single class ({raw[ds.target].iloc[0]}); "
                        "a classification audit needs at least two classes")
    raw = _drop_unusable(raw, config, log)
    numeric, categorical, ordinal = detect_features(raw, config, log)
    if not numeric + ordinal + categorical:
        raise DataError(f"{ds.source} has no feature column left beside the target `{ds.target}` (constant, ID and "
                        "date columns are left out; see the warnings); a model needs at least one feature")
    minority, majority, positive = resolve_labels(raw[ds.target], config)
    raw = raw[numeric + ordinal + categorical + [ds.target]].reset_index(drop=True)
    stratify = raw[ds.target] if config.split.stratified else None
    try:
        train, test = train_test_split(raw, test_size=config.split.test_size, random_state=config.split.seed, stratify=stratify)
    except ValueError as exc:
        raise DataError(f"cannot split {ds.source} with split.test_size={config.split.test_size}: {exc}") from None
    log.add("split", "stratified split" if stratify is not None else "random split", None, len(test), "test",
            test_size=config.split.test_size, seed=config.split.seed)
    train_raw, cleaner = _fit_cleaning(train, config, numeric, ordinal + categorical, log)
    test_raw = test
    train, test = _cleaned(cleaner, train_raw, ds.target), _cleaned(cleaner, test_raw, ds.target)
    log.entries += cleaner.report(test_raw[cleaner.feature_names_in_], "test")
    _check_sampler_sizes(train, config, minority)
    return Prepared(
        config=config, train=train, test=test, numeric=numeric, categorical=categorical, ordinal=ordinal,
        minority_labels=minority, majority_label=majority, positive_label=positive, cleaning_log=log,
        profile=profile(raw, train, test, ds.target, numeric, [e for e in log.entries if e["step"] == "signal"]),
        outlier_bounds=dict(cleaner.bounds_),
        test_hash=frame_hash(test), cleaner=cleaner, raw_train=train_raw, raw_test=test_raw,
    )
