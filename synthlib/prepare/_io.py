"""Loading a data set from CSV, Parquet or a built-in name, with clear errors for bad files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from synthlib.config import BUILTIN_DATASETS, AuditConfig
from synthlib.errors import DataError

PACKAGED_DATA = Path(__file__).resolve().parent.parent / "templates" / "data"  # package data: works from an installed wheel


def load_builtin(name: str) -> pd.DataFrame:
    """A built-in example: German credit (shipped as package data) or scikit-learn's breast cancer."""
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer

        frame = load_breast_cancer(as_frame=True).frame
        return frame.rename(columns=lambda c: c.replace(" ", "_"))
    if name == "german_credit":
        return pd.read_csv(PACKAGED_DATA / "german_credit.csv")
    raise DataError(f"unknown built-in data set `{name}`; built-ins are: {', '.join(BUILTIN_DATASETS)}")


BINARY_SIGNATURES = {b"PK\x03\x04": "a zip archive or an Excel .xlsx workbook", b"\xd0\xcf\x11\xe0": "an Excel .xls workbook",
                     b"PAR1": "a Parquet file", b"\x1f\x8b": "a gzip archive", b"%PDF": "a PDF document"}
DELIMITERS = (",", ";", "\t", "|")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"data file {path} does not exist")
    if path.is_dir():
        raise DataError(f"data path {path} is a folder, not a file; dataset.source must name a .csv, .tsv or .parquet file")
    if path.stat().st_size == 0:
        raise DataError(f"{path} is empty: expected a header row and data rows")


def _check_text(path: Path) -> bytes:
    """The file's first bytes, after making sure they are text and not a binary format under a .csv name."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    for signature, kind in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise DataError(f"{path} is not a CSV: it holds binary data ({kind}); export the table as CSV or Parquet")
    if b"\x00" in head:
        raise DataError(f"{path} is not a CSV: it holds binary data (NUL bytes); export the table as CSV or Parquet")
    return head


def likely_delimiter(lines: list[str], current: str) -> str | None:
    """The separator other than `current` that splits every sample line into the same number (>1) of fields."""
    for candidate in DELIMITERS:
        if candidate == current:
            continue
        widths = {len(next(csv.reader([line], delimiter=candidate))) for line in lines if line.strip()}
        if len(widths) == 1 and widths.pop() > 1:
            return candidate
    return None


def _check_header(path: Path, encoding: str, delimiter: str) -> None:
    lines = _check_text(path).decode(encoding, errors="ignore").splitlines()[:20]
    with path.open(newline="", encoding=encoding) as handle:
        header = next(csv.reader(handle, delimiter=delimiter), [])
    if not header:
        raise DataError(f"{path} is empty: expected a header row and data rows")
    if len(header) == 1:
        other = likely_delimiter(lines[:-1] if len(lines) > 1 else lines, delimiter)
        hint = (f"its lines look {other!r}-separated: set dataset.delimiter: {other!r} in the params file" if other
                else "a table needs the target and at least one feature column")
        raise DataError(f"{path} reads as a single column ({header[0][:60]!r}) with delimiter {delimiter!r}; {hint}")
    doubled = sorted(name for name, count in Counter(header).items() if count > 1)
    if doubled:
        raise DataError(f"{path} has duplicate column names: {', '.join(map(repr, doubled))}; each column needs a unique name")


def count_rows(path: Path) -> int:
    """Data rows of a CSV (line count minus the header), read in blocks: no parsing, so cheap on large files."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n") - 1


def read_table(path: Path, encoding: str = "utf-8", delimiter: str | None = None, decimal: str = ".",
               thousands: str | None = None, encoding_option: str = "dataset.encoding") -> pd.DataFrame:
    """Read a CSV or Parquet file; every failure becomes one `DataError` naming the file (and, for a wrong text
    encoding, `encoding_option`: the params key or command-line option that sets it)."""
    return _read(path, encoding, delimiter, decimal=decimal, thousands=thousands, encoding_option=encoding_option)[0]


def _read(path: Path, encoding: str = "utf-8", delimiter: str | None = None, sample_rows: int | None = None,
          seed: int = 0, decimal: str = ".", thousands: str | None = None,
          encoding_option: str = "dataset.encoding") -> tuple[pd.DataFrame, int]:
    """The table (or a seeded random sample of `sample_rows` data rows) and the file's row count.

    A CSV sample skips rows while parsing, so a large file is never held whole. `decimal` and `thousands` are
    pandas' read_csv options of the same name (a CSV's number format; Parquet stores numbers typed).
    """
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types
            raise DataError(f"{path} is not a readable Parquet file ({type(exc).__name__})") from None
        n_rows = len(frame)
        if sample_rows is not None and n_rows > sample_rows:
            frame = frame.sample(sample_rows, random_state=seed).sort_index()
    elif suffix in (".csv", ".txt", ".tsv"):
        delimiter = delimiter or ("\t" if suffix == ".tsv" else ",")
        try:
            _check_header(path, encoding, delimiter)
            n_rows = count_rows(path)
            skip = None
            if sample_rows is not None and n_rows > sample_rows:
                keep = set((np.random.default_rng(seed).choice(n_rows, sample_rows, replace=False) + 1).tolist())
                skip = lambda line: line > 0 and line not in keep  # noqa: E731
            frame = pd.read_csv(path, encoding=encoding, sep=delimiter, skiprows=skip, decimal=decimal,
                                thousands=thousands)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path} is not valid {encoding} text (byte {exc.start}); "
                f"set {encoding_option} to the file's encoding, e.g. `latin-1` or `cp1252`"
            ) from None
        except LookupError:
            raise DataError(f"{encoding_option} `{encoding}` is not an encoding Python knows (e.g. utf-8, latin-1)") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{path} is not a readable CSV file: {str(exc).strip()}") from None
    else:
        raise DataError(f"{path} has suffix `{suffix}`; allowed data files are .csv, .tsv and .parquet")
    if frame.empty:
        raise DataError(f"{path} has a header but no data rows")
    return frame, max(n_rows, len(frame))


def load_dataset(config: AuditConfig) -> pd.DataFrame:
    """The raw table named by `dataset.source` (path relative to the project root, or `builtin:<name>`)."""
    return load_sample(config, None)[0]


def source_path(config: AuditConfig) -> Path | None:
    """The file `dataset.source` names (a built-in data set's packaged CSV; None for one without a file)."""
    source = config.dataset.source
    if source.startswith("builtin:"):
        packaged = PACKAGED_DATA / f"{source.removeprefix('builtin:')}.csv"
        return packaged if packaged.is_file() else None
    return config.resolve_path(source)


def load_sample(config: AuditConfig, rows: int | None) -> tuple[pd.DataFrame, int]:
    """A seeded random sample of at most `rows` rows of the data set (all rows with None), and its row count."""
    source = config.dataset.source
    if source.startswith("builtin:"):
        frame = load_builtin(source.removeprefix("builtin:"))
        return frame, len(frame)
    ds = config.dataset
    return _read(config.resolve_path(source), ds.encoding, ds.delimiter, rows, config.split.seed, ds.decimal, ds.thousands)
