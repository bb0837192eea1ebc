"""Pre-flight checks: what the params file, the data's header and a sample already show would fail or mislead.

Each check is a small function. It raises `ConfigError` or `DataError` with one line (what is wrong, where,
what is allowed) for anything that would stop the audit later, and returns warnings (what was seen and the
fix) for what would run but mislead. `check_data` runs them all on a table: `synthlib check` on a seeded
sample, `data.prepare` on the whole table before any work, so a configuration that `check` accepts does not
fail later on the same problem. The column heuristics (IDs, dates, numbers stored as text, pandas index
columns) are here too, because `data.detect_features` acts on the same decisions the warnings announce.
"""

from __future__ import annotations

import difflib
import logging
import math
from typing import Any
from warnings import catch_warnings, simplefilter

import numpy as np
import pandas as pd

from synthlib.config import PER_CLASS_METRIC, AuditConfig, make_classifier
from synthlib.errors import ConfigError, DataError

from ._advice import fewer_than_folds_fix, require_favourable_label, rows_for_two_per_fold, split_cause
from ._cleaning import marker_mask
from ._columns import _examples, check_magnitudes, column_kind, is_index_column, text_numbers

logger = logging.getLogger(__name__)

NEIGHBOUR_METHODS = ("smote", "borderline_smote", "smote_enn", "adasyn")
DEEP_METHODS = ("ctgan", "tvae", "diffusion")
TUNED_THRESHOLD_FOLDS = 3  # the tuned-threshold baseline's inner CV (evaluation.fit_predict)
MIN_ROWS_PER_VALIDATION_FOLD = 5
YAML_BOOLEANS = {"true": True, "yes": True, "y": True, "on": True, "1": True,
                 "false": False, "no": False, "n": False, "off": False, "0": False}
YAML_PITFALL = ("YAML reads unquoted true and false as booleans: quote the label as the data writes it, "
                'e.g. minority: ["True"]')


# ---------------------------------------------------------------------------------------------- labels
def label_key(value: Any) -> str:
    """A label as comparable text: numbers by value (`1`, `1.0`, "1" -> "1"), booleans as True/False."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else repr(number)


def _truth(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return YAML_BOOLEANS.get(str(value).strip().lower())


def find_class(label: Any, classes: list[Any], key: str, config: AuditConfig) -> Any:
    """The class of the target that `label` (from the params file) names, matched by value whatever the type.

    A YAML boolean (`yes` read as True) also matches a class written yes/true/on/1 (or no/false/off/0).
    """
    where = f"{key} in {config.source_file}"
    matches = [c for c in classes if label_key(c) == label_key(label)]
    if not matches and (isinstance(label, bool) or any(isinstance(c, (bool, np.bool_)) for c in classes)):
        matches = [c for c in classes if _truth(c) is not None and _truth(c) == _truth(label)]
    shown = ", ".join(map(repr, classes))
    exact = [c for c in matches if str(c) == str(label) and not isinstance(label, bool)]
    if len(matches) > 1 and len(exact) == 1:
        return exact[0]  # written exactly as the data holds it
    if len(matches) > 1:
        why = YAML_PITFALL if isinstance(label, bool) else "they differ only in spaces or number format"
        raise DataError(f"{where} names {label!r}, which matches several classes of `{config.dataset.target}` "
                        f"({', '.join(map(repr, matches))}); {why}: write the label exactly as one of them, or "
                        "clean the column so that each class is written one way")
    if not matches:
        near = [c for c in classes if str(c).strip().lower() == str(label).strip().lower()]
        hint = (f"; {YAML_PITFALL}" if isinstance(label, bool) else
                f"; did you mean {near[0]!r}? (it differs in letter case or spaces)" if near else "")
        raise DataError(f"{where} names class {label!r}, which is not in column `{config.dataset.target}`; "
                        f"classes are: {shown}{hint}")
    return matches[0]


def whole_number_labels(labels: pd.Series) -> pd.Series:
    """Float classes that are all whole numbers (a target read as float because of missing values) as integers."""
    if pd.api.types.is_float_dtype(labels) and labels.notna().all() and labels.apply(float.is_integer).all():
        return labels.astype("int64")
    return labels


def check_target(target: pd.Series, config: AuditConfig) -> list[str]:
    """The target has values and at least two classes; rows without a target are announced."""
    ds = config.dataset
    present = target.dropna()
    if present.empty:
        raise DataError(f"target `{ds.target}` in {ds.source} has no values (every row is missing after the missing "
                        f"markers); dataset.target in {config.source_file} must name the column holding the classes")
    if present.nunique() < 2:
        raise DataError(f"target `{ds.target}` in {ds.source} has a single class ({present.iloc[0]}); "
                        "a classification audit needs at least two classes")
    missing = len(target) - len(present)
    return [f"target `{ds.target}`: {missing:,} rows have no value and are left out"] if missing else []


def resolve_labels(target: pd.Series, config: AuditConfig) -> tuple[list[Any], Any, Any]:
    """Minority classes (default: every class smaller than the largest), majority and positive label.

    Labels in the params file match the target's classes by value: `1` matches 1, 1.0 and "1", and a YAML
    boolean matches yes/no-like classes (with the quoting pitfall named when nothing matches).
    """
    check_target(target, config)
    counts = target.value_counts()
    classes = list(counts.index)
    majority = classes[0]
    if config.dataset.minority is not None:
        minority = [find_class(label, classes, "dataset.minority", config) for label in config.dataset.minority]
        if majority in minority:
            raise DataError(f"dataset.minority in {config.source_file} lists {majority!r}, the largest class; "
                            "the minority must be smaller classes")
    else:
        minority = [label for label, n in counts.items() if n < counts.iloc[0]]
        if not minority:
            raise DataError(f"target `{config.dataset.target}` is balanced ({counts.iloc[0]} rows per class); "
                            "name the class to augment in dataset.minority")
    positive = (find_class(config.dataset.positive_label, classes, "dataset.positive_label", config)
                if config.dataset.positive_label is not None else minority[0])
    return minority, majority, positive


def check_favourable_label(classes: list[Any], config: AuditConfig) -> None:
    """`fairness.favourable_label` names a class as the fairness review reads it (by its text)."""
    label = config.fairness.favourable_label
    if label is None:
        return
    found = find_class(label, classes, "fairness.favourable_label", config)
    if str(found) != str(label):
        raise DataError(f"fairness.favourable_label in {config.source_file} is {label!r}, which matches class "
                        f"{found!r} only by value; write it as the class is written: favourable_label: \"{found}\""
                        + (f" ({YAML_PITFALL})" if isinstance(label, bool) else ""))


def check_sampling_strategy(classes: list[Any], minority: list[Any], config: AuditConfig) -> None:
    """Per-class keys of `augmentation.sampling_strategy` name minority classes, written as the classes are."""
    strategy = config.augmentation.sampling_strategy
    if not isinstance(strategy, dict):
        return
    where = f"augmentation.sampling_strategy in {config.source_file}"
    allowed = ", ".join(map(repr, minority))
    for key in strategy:
        matches = [c for c in classes if label_key(c) == label_key(key)]
        if not matches:
            raise DataError(f"{where} names class {key!r}, which is not a class of `{config.dataset.target}`; "
                            f"per-class keys must be minority classes: {allowed}")
        if matches[0] not in minority:
            raise DataError(f"{where} names class {key!r}, which is not a minority class (only minority rows are "
                            f"generated); per-class keys must be minority classes: {allowed}")
        if str(matches[0]) != key:
            raise DataError(f"{where} names class {key!r}; write it as the class is written: {matches[0]!r}")


def check_metric_classes(n_classes: int, config: AuditConfig) -> None:
    """Per-class metric names (`recall_class_2`) point at a class position that exists."""
    ev = config.evaluation
    if n_classes > 2 and ev.objective in ("fbeta", "expected_cost", "recall_at_precision"):
        raise ConfigError(f"evaluation.objective in {config.source_file} is {ev.objective}, which needs a two-class "
                          f"target, but `{config.dataset.target}` has {n_classes} classes; use f1_minority, "
                          "balanced_accuracy, pr_auc or roc_auc")
    names = [("evaluation.objective", ev.primary_metric)]
    names += [("evaluation.secondary_metrics", m) for m in ev.secondary_metrics]
    names += [("evaluation.success_criteria", c.metric) for c in ev.success_criteria]
    for key, name in names:
        match = PER_CLASS_METRIC.fullmatch(name)
        if match and int(match.group(2)) >= n_classes:
            raise ConfigError(f"{key} in {config.source_file} is `{name}`, but `{config.dataset.target}` has "
                              f"{n_classes} classes (positions 0 to {n_classes - 1} in sorted order)")


def check_classifier_fits(config: AuditConfig) -> None:
    """Fit each classifier that has parameters in the params file on 200 made-up rows.

    The constructor and scikit-learn's parameter constraints accept some combinations that `fit` rejects
    (e.g. `penalty: l1` with the default `lbfgs` solver); this finds them in a second, not after the grid.
    """
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    for name, params in config.models.params.items():
        estimator = make_classifier(name, params)
        try:
            with catch_warnings():
                simplefilter("ignore")
                estimator.fit(X, y)
        except Exception as exc:  # noqa: BLE001 - every estimator raises its own types; the message is what matters
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"models.params.{name} in {config.source_file}: {type(estimator).__name__} with these "
                              f"parameters cannot be fitted: {reason}") from None


# --------------------------------------------------------------------------------------- class sizes
def training_counts(counts: dict[Any, int], test_size: float) -> dict[Any, int]:
    """Rows per class left in the training split by a stratified split (the test split takes the ceiling)."""
    return {label: n - math.ceil(n * test_size) for label, n in counts.items()}


def check_minority_capacity(train_counts: dict[Any, int], minority: list[Any], config: AuditConfig,
                            estimated: bool = False, totals: dict[Any, int] | None = None) -> list[str]:
    """Each minority class fills every CV fold, the SMOTE family's neighbours and the tuned threshold's inner CV.

    `totals` (rows per class in the whole data) lets the message name the split as the cause when it is.
    """
    about = "about " if estimated else ""
    folds, k = config.evaluation.cv_folds, config.augmentation.k_neighbors
    neighbour = [m for m in config.augmentation.methods if m in NEIGHBOUR_METHODS]
    warnings = []
    for label in minority:
        n = train_counts.get(label, 0)
        total = (totals or {}).get(label)
        rows = "row" if n == 1 else "rows"
        if n < folds:
            raise DataError(f"minority class {label!r} has {about}{n} {rows} in the training split"
                            f"{split_cause(n, total, config)}, fewer than evaluation.cv_folds = {folds}: some "
                            f"validation folds would hold none of it; {fewer_than_folds_fix(label, n, total, config, folds)}"
                            f" in {config.source_file}")
        in_fold = n - math.ceil(n / folds)  # the training part of the fold with the largest validation part
        if neighbour and in_fold < k + 1:
            fix = (f"lower augmentation.k_neighbors to at most {in_fold - 1}" if in_fold >= 2 else
                   f"{fewer_than_folds_fix(label, n, total, config, rows_for_two_per_fold(folds))}")
            raise DataError(f"minority class {label!r} has {about}{in_fold} rows in the training part of each CV "
                            f"fold ({about}{n} in the training split), fewer than augmentation.k_neighbors + 1 = "
                            f"{k + 1} needed by {', '.join(neighbour)}; {fix} in {config.source_file} or remove "
                            "those methods")
        if len(train_counts) == 2 and in_fold < TUNED_THRESHOLD_FOLDS:
            warnings.append(f"minority class {label!r} has {about}{in_fold} rows in the training part of each CV fold, "
                            f"fewer than the {TUNED_THRESHOLD_FOLDS} folds of the tuned-threshold baseline's inner CV: "
                            "its threshold is chosen on folds without that class; fewer CV folds leave more rows")
        per_fold = n // folds
        if per_fold < MIN_ROWS_PER_VALIDATION_FOLD:
            warnings.append(f"minority class {label!r}: each CV validation fold holds {about}{per_fold} of its rows, so "
                            f"recall per fold moves in steps of 1/{max(per_fold, 1)}; fewer folds give steadier estimates")
    return warnings


# ------------------------------------------------------------------------------------------ columns
def referenced_columns(config: AuditConfig) -> dict[str, list[str]]:
    """Every column the params file names, by the key that names it."""
    ds, f = config.dataset, config.features
    return {"dataset.target": [ds.target], "dataset.id_columns": list(ds.id_columns),
            "features.numeric": list(f.numeric or ()), "features.categorical": list(f.categorical or ()),
            "features.ordinal": list(f.ordinal), "features.sensitive": [s.column for s in f.sensitive],
            "features.quasi_identifiers": list(f.quasi_identifiers)}


def declared_features(config: AuditConfig) -> set[str]:
    f = config.features
    return set(f.numeric or ()) | set(f.categorical or ()) | set(f.ordinal)


def kept_columns(config: AuditConfig) -> set[str]:
    """Columns the fairness and privacy reviews read: never dropped or left out by a heuristic."""
    return {s.column for s in config.features.sensitive} | set(config.features.quasi_identifiers)


def _near_miss(name: str, columns: list[str]) -> str:
    same = [c for c in columns if c.strip().lower() == name.strip().lower()]
    if same:
        return f"; did you mean `{same[0]}`? (it differs in spaces or letter case)"
    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else f"; columns are: {', '.join(columns)}"


def check_columns(frame: pd.DataFrame, config: AuditConfig) -> None:
    """Every column the params file names is in the data (with a hint for near misses)."""
    columns = [str(c) for c in frame.columns]
    for key, names in referenced_columns(config).items():
        for name in names:
            if name not in columns:
                raise DataError(f"{key} in {config.source_file} names `{name}`, not a column of "
                                f"{config.dataset.source}{_near_miss(name, columns)}")


def undeclared(config: AuditConfig, frame: pd.DataFrame) -> list[str]:
    """Columns whose role the audit detects (not the target, not listed anywhere in `features` or id_columns)."""
    f = config.features
    if f.numeric is not None and f.categorical is not None:
        return []
    skip = declared_features(config) | set(config.dataset.id_columns) | {config.dataset.target}
    return [c for c in frame.columns if c not in skip]


def check_declared_types(frame: pd.DataFrame, config: AuditConfig) -> None:
    """Columns declared numeric or ordinal hold numbers (ordinal columns are numeric codes)."""
    for key, columns in (("features.numeric", config.features.numeric or ()), ("features.ordinal", config.features.ordinal)):
        for column in columns:
            found = text_numbers(frame[column])
            if found.n_bad:
                fix = ("fix those values, list them in dataset.missing_markers, or move the column to "
                       "features.categorical")
                raise DataError(f"{key} column `{column}` in {config.dataset.source} holds values that are not "
                                f"numbers: {_examples(found.bad_values)} ({found.n_bad:,} of "
                                f"{frame[column].notna().sum():,}); {fix}")


def column_warnings(frame: pd.DataFrame, config: AuditConfig) -> list[str]:
    """Index columns, IDs, dates, numbers stored as text and infinite values, each with what happens and the fix."""
    warnings = []
    referenced = {c for names in referenced_columns(config).values() for c in names}
    detected = set(undeclared(config, frame)) - kept_columns(config)
    features = declared_features(config)
    for column in frame.columns:
        values = frame[column]
        if column in config.dataset.id_columns or column == config.dataset.target:
            continue
        if is_index_column(column) and column not in referenced:
            warnings.append(f"column `{column}` has no header name and looks like a saved pandas index; it is dropped "
                            "(write the CSV with index=False to avoid it)")
            continue
        kind = column_kind(column, values)
        if kind == "id" and column in detected:
            warnings.append(f"column `{column}` looks like an ID (e.g. {_examples(values.dropna())}); it is left out of "
                            "the features: list it in dataset.id_columns to say so")
        elif kind == "id" and column in features:
            warnings.append(f"column `{column}` is a feature but looks like an ID (e.g. {_examples(values.dropna())}): "
                            "a model can memorise it; list it in dataset.id_columns instead")
        elif kind == "date" and column in detected:
            warnings.append(f"column `{column}` holds dates (e.g. {_examples(values.dropna())}); it is left out of the "
                            "features: add numeric parts (month, weekday, hour) to the data to use it")
        elif kind == "date" and column in features:
            warnings.append(f"column `{column}` holds dates (e.g. {_examples(values.dropna())}); as text every date is "
                            "its own category: add numeric parts (month, weekday, hour) to the data instead")
        elif kind == "numbers" and column in detected and config.features.numeric is None:
            found = text_numbers(values)
            warnings.append(f"column `{column}` holds numbers stored as text; it is read as numeric and its "
                            f"{found.n_bad:,} values that are not numbers ({_examples(found.bad_values)}) become "
                            "missing: fix them in the data or list them in dataset.missing_markers")
        if pd.api.types.is_float_dtype(values):
            infinite = int(np.isinf(values.to_numpy(dtype=float)).sum())
            if infinite:
                warnings.append(f"column `{column}` holds {infinite:,} infinite values; they are treated as missing "
                                "(imputed in cleaning): fix them in the data if they mean something")
    return warnings


def _becomes_feature(column: str, frame: pd.DataFrame, config: AuditConfig) -> bool:
    """Whether `data.detect_features` makes `column` a model input (declared, or detected by its dtype)."""
    f = config.features
    if column in config.dataset.id_columns:
        return False
    if column in declared_features(config) or f.categorical is None:
        return True
    numeric_like = (pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
                    or column_kind(column, frame[column]) == "numbers")
    return f.numeric is None and numeric_like


def check_roles(frame: pd.DataFrame, config: AuditConfig) -> None:
    """Sensitive attributes and quasi-identifiers are model inputs (fairness and privacy read them from the features)."""
    f = config.features
    for key, columns in (("features.sensitive", [s.column for s in f.sensitive]),
                         ("features.quasi_identifiers", list(f.quasi_identifiers))):
        for column in columns:
            if not _becomes_feature(column, frame, config):
                raise ConfigError(f"{key} in {config.source_file} names `{column}`, which is not a feature "
                                  "(dataset.id_columns drops it, or features.numeric/categorical/ordinal leave it out); "
                                  "fairness and privacy are measured on the model's input columns: list it as a feature")


def check_sensitive(frame: pd.DataFrame, config: AuditConfig) -> list[str]:
    """Bins cover every value of a binned attribute; an attribute with one group, or with gaps, is announced."""
    warnings = []
    for attribute in config.features.sensitive:
        key = f"features.sensitive `{attribute.column}` in {config.source_file}"
        values = frame[attribute.column].dropna()
        if attribute.bins is not None:
            numbers = pd.to_numeric(values, errors="coerce")
            if numbers.isna().any():
                raise DataError(f"{key} has bins but holds values that are not numbers: "
                                f"{_examples(values[numbers.isna()])}; drop the bins or fix the values")
            low, high = attribute.bins[0], attribute.bins[-1]
            outside = numbers[(numbers < low) | (numbers > high)]
            if not outside.empty:
                raise DataError(f"{key}: {len(outside):,} rows (values {outside.min():g} to {outside.max():g}) fall "
                                f"outside the bins {low:g} to {high:g} and would form no group; make the edges cover "
                                f"{numbers.min():g} to {numbers.max():g} (-.inf and .inf are allowed)")
            groups = pd.cut(numbers, bins=list(attribute.bins), include_lowest=True).dropna().unique()
        else:
            groups = values.unique()
        if len(groups) < 2:
            warnings.append(f"sensitive attribute `{attribute.column}` has a single group "
                            f"({_examples(pd.Series(groups, dtype=object))}) in the data: the fairness review has "
                            "nothing to compare for it")
        missing = int(frame[attribute.column].isna().sum())
        if missing:
            warnings.append(f"sensitive attribute `{attribute.column}` is missing in {missing:,} rows; they are imputed "
                            "(most frequent value) and counted in that group")
    return warnings


# ------------------------------------------------------------------------------------------- together
def without_markers(frame: pd.DataFrame, markers: tuple[str, ...], target: str | None = None) -> pd.DataFrame:
    """The configured missing markers as NaN (what cleaning will see): text, and numbers by value except in `target`."""
    if not markers:
        return frame
    cleaned = frame.copy()
    for column in frame.columns:
        if column != target or not pd.api.types.is_numeric_dtype(frame[column]):
            cleaned[column] = frame[column].mask(marker_mask(frame[column], markers))
    return cleaned


def check_data(frame: pd.DataFrame, config: AuditConfig, n_rows: int | None = None) -> list[str]:
    """Run every data check on `frame` (the whole table, or a sample of a table of `n_rows` rows).

    Raises `ConfigError`/`DataError` for the first problem that would stop the audit; returns warnings.
    """
    n_rows = n_rows or len(frame)
    check_columns(frame, config)
    frame = without_markers(frame, config.dataset.missing_markers, config.dataset.target)
    check_magnitudes(frame, config.dataset.target)
    warnings = check_target(frame[config.dataset.target], config)
    target = whole_number_labels(frame[config.dataset.target].dropna())  # as data.prepare will see them
    minority, _, _ = resolve_labels(target, config)
    classes = list(target.value_counts().index)
    check_favourable_label(classes, config)
    check_sampling_strategy(classes, minority, config)
    check_metric_classes(len(classes), config)
    check_classifier_fits(config)
    scale = n_rows / len(frame)
    counts = {label: int(round(n * scale)) for label, n in target.value_counts().items()}
    warnings += check_minority_capacity(training_counts(counts, config.split.test_size), minority, config, estimated=True,
                                        totals=counts)
    check_declared_types(frame, config)
    check_roles(frame, config)
    warnings += check_sensitive(frame, config)
    require_favourable_label(classes, config)
    warnings += column_warnings(frame, config)
    return warnings


def preflight(frame: pd.DataFrame, config: AuditConfig) -> None:
    """`check_data` on the whole loaded table at the start of a run: errors stop it, warnings are logged."""
    for warning in check_data(frame, config):
        logger.warning("%s", warning)


