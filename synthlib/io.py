"""Loading a data set from CSV, Parquet or a built-in name, with clear errors for bad files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pandas as pd

from .config import BUILTIN_DATASETS, AuditConfig
from .errors import DataError

PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"


def load_builtin(name: str) -> pd.DataFrame:
    """A built-in example: German credit (shipped in `data/`) or scikit-learn's breast cancer."""
    if name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer

        frame = load_breast_cancer(as_frame=True).frame
        return frame.rename(columns=lambda c: c.replace(" ", "_"))
    if name == "german_credit":
        return pd.read_csv(PROJECT_DATA / "german_credit.csv")
    raise DataError(f"unknown built-in data set `{name}`; built-ins are: {', '.join(BUILTIN_DATASETS)}")


def _check_header(path: Path, encoding: str) -> None:
    with path.open(newline="", encoding=encoding) as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise DataError(f"{path} is empty: expected a header row and data rows")
    doubled = sorted(name for name, count in Counter(header).items() if count > 1)
    if doubled:
        raise DataError(f"{path} has duplicate column names: {', '.join(map(repr, doubled))}; each column needs a unique name")


def read_table(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV or Parquet file; every failure becomes one `DataError` naming the file."""
    if not path.exists():
        raise DataError(f"data file {path} does not exist")
    if path.stat().st_size == 0:
        raise DataError(f"{path} is empty: expected a header row and data rows")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types
            raise DataError(f"{path} is not a readable Parquet file ({type(exc).__name__})") from None
    elif suffix in (".csv", ".txt", ".tsv"):
        try:
            _check_header(path, encoding)
            frame = pd.read_csv(path, encoding=encoding, sep="\t" if suffix == ".tsv" else ",")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path} is not valid {encoding} text (byte {exc.start}); "
                "set dataset.encoding to the file's encoding, e.g. `latin-1` or `cp1252`"
            ) from None
        except LookupError:
            raise DataError(f"dataset.encoding `{encoding}` is not an encoding Python knows (e.g. utf-8, latin-1)") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"{path} is not a readable CSV file: {str(exc).strip()}") from None
    else:
        raise DataError(f"{path} has suffix `{suffix}`; allowed data files are .csv, .tsv and .parquet")
    if frame.empty:
        raise DataError(f"{path} has a header but no data rows")
    return frame


def load_dataset(config: AuditConfig) -> pd.DataFrame:
    """The raw table named by `dataset.source` (path relative to the project root, or `builtin:<name>`)."""
    source = config.dataset.source
    if source.startswith("builtin:"):
        return load_builtin(source.removeprefix("builtin:"))
    return read_table(config.resolve_path(source), config.dataset.encoding)
