"""`synthlib check` warnings about what the data preparation would do to a column: numbers written with a decimal
comma or thousands separator read as text, constant columns dropped, outlier rules that would destroy a signal.

Each function takes the table as check sees it (missing markers already NaN) and returns one line per column: what
was seen and the key that fixes it. `data.prepare` acts on the same decisions and logs them.
"""

from __future__ import annotations

import pandas as pd

from synthlib.config import AuditConfig

from ._checks import declared_features, kept_columns, referenced_columns, without_markers
from ._cleaning import MAX_CHANGED_SHARE, MIN_VARIANCE_KEPT, Cleaner, _is_number_column
from ._columns import NUMERIC_TEXT_SHARE, _examples, column_kind, text_numbers

DECIMAL_COMMA = r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"  # 2,5 / 1.234,56 / 12
COMMA_THOUSANDS = r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?"  # 1,169 / 12,345.6 / 12


def number_format_fix(values: pd.Series, config: AuditConfig) -> str | None:
    """The dataset keys that would read a text column with commas in its numbers as numbers, or None.

    A column qualifies when at least `NUMERIC_TEXT_SHARE` of its present values read as numbers with a decimal
    comma (thousands '.') or with a thousands comma (decimal '.'); "1,169" fits both, and both are named.
    """
    if _is_number_column(values) or pd.api.types.is_bool_dtype(values):
        return None
    counts = values.dropna().astype(str).str.strip().value_counts()
    if counts.empty or not counts.index.str.contains(",", regex=False).any():
        return None
    if text_numbers(values).share >= NUMERIC_TEXT_SHARE:
        return None  # read as numbers already, the few others as missing (`column_warnings` says so)
    dots = bool(counts.index.str.contains(".", regex=False).any())
    share = {pattern: counts[counts.index.str.fullmatch(pattern)].sum() / counts.sum()
             for pattern in (DECIMAL_COMMA, COMMA_THOUSANDS)}
    ds, fixes = config.dataset, []
    decimal_fits = share[DECIMAL_COMMA] >= NUMERIC_TEXT_SHARE
    if share[COMMA_THOUSANDS] >= NUMERIC_TEXT_SHARE and ds.thousands != ",":
        fixes.append("dataset.thousands: ','" + (" if the comma separates thousands" if decimal_fits else ""))
    if decimal_fits:
        wanted = {"decimal": ",", **({"thousands": "."} if dots else {})}
        keys = [f"dataset.{key}: '{mark}'" for key, mark in wanted.items() if getattr(ds, key) != mark]
        if keys:
            fixes.append(" with ".join(keys) + (" if the comma is the decimal point" if fixes else ""))
    return ", or ".join(fixes) or None


def number_format_warnings(frame: pd.DataFrame, config: AuditConfig) -> list[str]:
    """Text columns whose values are numbers written with a decimal comma or thousands separator."""
    skip = {config.dataset.target, *config.dataset.id_columns}
    warnings = []
    for column in frame.columns:
        fix = None if column in skip else number_format_fix(frame[column], config)
        if fix:
            with_comma = frame[column].dropna().astype(str)
            with_comma = with_comma[with_comma.str.contains(",", regex=False)]
            warnings.append(f"column `{column}` holds numbers written with a comma (e.g. {_examples(with_comma)}), "
                            f"so it is read as text, each of its {frame[column].nunique():,} values a category of its "
                            f"own; set {fix} in the params file")
    return warnings


def constant_warnings(frame: pd.DataFrame, config: AuditConfig) -> list[str]:
    """Columns with one value: data.prepare drops them (sensitive attributes and quasi-identifiers excepted)."""
    declared = {c: key for key, names in referenced_columns(config).items() for c in names}
    skip = {config.dataset.target, *config.dataset.id_columns} | kept_columns(config)
    warnings = []
    for column in frame.columns:
        values = frame[column].dropna()
        if column not in skip and values.nunique() == 1:
            where = f" (declared in {declared[column]})" if column in declared else ""
            warnings.append(f"column `{column}`{where} has one value ({values.iloc[0]!r}) in the rows read; it "
                            "carries nothing a model can use and is dropped from the features")
    return warnings


def numeric_columns(frame: pd.DataFrame, config: AuditConfig) -> list[str]:
    """The columns data.prepare cleans as numeric: declared, or detected from their dtype (not IDs or dates)."""
    f = config.features
    if f.numeric is not None:
        return [c for c in f.numeric if c in frame.columns]
    skip = declared_features(config) | set(config.dataset.id_columns) | {config.dataset.target}
    return [c for c in frame.columns if c not in skip and _is_number_column(frame[c])
            and (c in kept_columns(config) or column_kind(c, frame[c]) not in ("id", "date"))]


def cleaning_warnings(frame: pd.DataFrame, config: AuditConfig) -> list[str]:
    """Numeric columns that `cleaning.outliers` would not cap (zero-width bounds) or whose signal it would remove
    (under `MIN_VARIANCE_KEPT` of the variance kept, or over `MAX_CHANGED_SHARE` of the values changed)."""
    rule = config.cleaning.outliers
    numeric = [c for c in numeric_columns(frame, config) if frame[c].nunique() > 1]
    if rule.method == "none" or not numeric:
        return []
    cleaner = Cleaner(numeric, (), config.dataset.missing_markers, config.cleaning).fit(frame[numeric])
    warnings = []
    for column, (low, high) in cleaner.zero_width_.items():
        mode = frame[column].mode().iloc[0]
        warnings.append(f"column `{column}`: the {rule.method} outlier bounds [{low:g}, {high:g}] have zero width "
                        f"({(frame[column] == mode).mean():.0%} of its values are {mode:g}); capping would make it a "
                        "constant, so it is not capped")
    for finding in cleaner.findings_:
        why = []
        if finding["changed_share"] > MAX_CHANGED_SHARE:
            why.append(f"changes {finding['changed_share']:.1%} of its values (more than the {MAX_CHANGED_SHARE:.0%} "
                       "an outlier rule should touch)")
        if finding["variance_kept"] < MIN_VARIANCE_KEPT:
            why.append(f"keeps {finding['variance_kept']:.0%} of its variance (under {MIN_VARIANCE_KEPT:.0%}): the "
                       f"{finding['changed_share']:.1%} of values it moves held most of it; cap them only if they are "
                       "errors")
        warnings.append(f"column `{finding['column']}`: cleaning.outliers ({rule.method}, {rule.action}) "
                        + " and ".join(why) + "; to keep the column's signal set cleaning.outliers.method: none, or "
                        "a far percentile rule (e.g. lower_percentile: 0.5, upper_percentile: 99.5)")
    return warnings


def preparation_warnings(frame: pd.DataFrame, config: AuditConfig) -> list[str]:
    """Every warning above, on the table with its missing markers as NaN (as data.prepare sees it)."""
    frame = without_markers(frame, config.dataset.missing_markers, config.dataset.target)
    return number_format_warnings(frame, config) + constant_warnings(frame, config) + cleaning_warnings(frame, config)
