"""Production monitoring of a bundle's deployed model: drift of new data against the training reference
(PSI, KS, chi-squared), predicted prevalence against the deployed model's test-split rate, and, with
labels, minority precision/recall/F1 with an A/B against the bundle's comparison model.

The bundle is checked before any model is loaded: its signature when a public key is given, every file
against `manifest.json`, every JSON file it reads (keys and types); models load through skops' allow-list
(`_models.read_model`). New rows are cleaned by the deployed model's own fitted `Cleaner` (markers, +-inf,
imputation, caps), exactly as the training rows were.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Annotated, Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from scipy import stats
from sklearn.metrics import precision_recall_fscore_support

from synthlib.config import MonitoringConfig
from synthlib.errors import BundleError, DataError
from synthlib.prepare import Cleaner, read_table
from synthlib.utils import plain

from ._manifest import BUNDLE, sha256
from ._models import model_path, one_line, read_model
from ._trust import check_signature

EPSILON = 1e-4
REFERENCE = "Datasets/original_train.csv"
Model = TypeVar("Model", bound=BaseModel)


class _Checked(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class Manifest(_Checked):
    files: dict[str, Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]]


class BundleConfig(_Checked):
    """The keys of `<Name>PipelineConfig.json` that the monitor reads."""

    features: list[str] = Field(min_length=1)
    numeric: list[str]
    categorical: list[str]
    classes: list[str] = Field(min_length=2)
    minority: list[str] = Field(min_length=1)
    missing_markers: list[str]
    monitoring: MonitoringConfig
    min_minority_recall_rule: str | None = None


class ModelMetadata(_Checked):
    """`synthlib_metadata_` of a bundle model."""

    classes: list[str] = Field(min_length=2)
    classifier: str
    comparator: str
    uses_synthetic: bool
    test_metrics: dict[str, Any]
    predicted_minority_rate_test: float = Field(ge=0, le=1)
    features: list[str]


def _validated(data: Any, model: type[Model], where: Path | str) -> Model:
    """`data` as `model`, or one `BundleError` line naming the file, the key, what was wrong and what is allowed."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(map(str, error["loc"])) or "(top level)"
        found = "" if error["type"] == "missing" else f" (found {str(error.get('input'))[:60]!r})"
        problem = "is missing" if error["type"] == "missing" else f"is invalid: {error['msg'].lower()}"
        raise BundleError(f"{where}: key `{key}` {problem}{found}") from None


def _read_json(path: Path, model: type[Model]) -> Model:
    if not path.is_file():
        raise BundleError(f"{path} is missing: the bundle is incomplete; pass the OutputMaterials folder of a synthlib run")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BundleError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}): "
                          "the file is truncated or corrupt") from None
    except UnicodeDecodeError:
        raise BundleError(f"{path} is not UTF-8 text: the file is corrupt") from None
    if not isinstance(data, dict):
        raise BundleError(f"{path} must hold a JSON object, found a {type(data).__name__}")
    return _validated(data, model, path)


def _verified_bundle(bundle: Path, public_key: str | Path | None) -> tuple[Path, dict[str, str | None], str]:
    """The bundle folder, its model files by role and the line on its signature, after checking the signature
    (with `public_key`), every file against the manifest, and the files the monitor needs."""
    if bundle.name != BUNDLE and (bundle / BUNDLE).is_dir():
        bundle = bundle / BUNDLE
    if not bundle.is_dir():
        raise BundleError(f"bundle {bundle} is not a folder; pass the OutputMaterials folder of a synthlib run")
    signature = check_signature(bundle, public_key)
    manifest = _read_json(bundle / "manifest.json", Manifest)
    changed = [name for name, digest in manifest.files.items()
               if not (bundle / name).is_file() or sha256(bundle / name) != digest]
    if changed:
        raise BundleError(f"{bundle} does not match its manifest.json (missing or modified: {', '.join(changed)}); "
                          "refusing to load it")
    models = {role: model_path(manifest.files, role) for role in ("deployed", "comparison")}
    unlisted = [str(p.relative_to(bundle)) for p in [*bundle.glob("TrainedModels/comparison.*"),
                                                     *bundle.glob("*PipelineConfig.json")]
                if p.is_file() and str(p.relative_to(bundle)) not in manifest.files]
    needed = [name for name, listed in (("TrainedModels/deployed.skops", models["deployed"]),
                                        (REFERENCE, REFERENCE in manifest.files)) if not listed]
    if models["deployed"] is None and _bundle_config(bundle).model_extra.get("deployed", "absent") is None:
        raise BundleError(f"{bundle} has no deployed model: the audit recommended no configuration, so there is "
                          "nothing to monitor")
    if unlisted or needed:
        raise BundleError(f"{bundle}/manifest.json does not list {', '.join(needed + unlisted)}; "
                          "the bundle is incomplete or a file was added after export")
    return bundle, models, signature + ("; every file matches it" if public_key is not None else "")


def _bundle_config(bundle: Path) -> BundleConfig:
    found = sorted(bundle.glob("*PipelineConfig.json"))
    if len(found) != 1:
        raise BundleError(f"{bundle} must hold exactly one *PipelineConfig.json, found {len(found)}")
    return _read_json(found[0], BundleConfig)


def _load_model(bundle: Path, relative: str, config: BundleConfig, allow_pickle: bool) -> tuple[Any, ModelMetadata]:
    path = bundle / relative
    model = read_model(path, allow_pickle=allow_pickle)
    if not hasattr(model, "predict"):
        raise BundleError(f"{path} holds a {type(model).__name__}, not a fitted model with predict()")
    metadata = _validated(getattr(model, "synthlib_metadata_", None), ModelMetadata, f"{relative} synthlib_metadata_")
    if metadata.classes != config.classes or metadata.features != config.features:
        raise BundleError(f"{relative} and the PipelineConfig JSON disagree on the classes or features; "
                          "the files come from different runs")
    return model, metadata


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index of two share vectors (a small floor keeps empty bins finite).

    The formula is one line; no maintained library in our stack provides it.
    """
    ref = np.clip(reference, EPSILON, None)
    cur = np.clip(current, EPSILON, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def numeric_drift(reference: pd.Series, current: pd.Series, bins: int = 10) -> dict[str, float]:
    reference, current = reference.astype(float), current.astype(float)
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    inner = edges[1:-1]
    ref_share = np.bincount(np.searchsorted(inner, reference, side="right"), minlength=len(inner) + 1) / len(reference)
    cur_share = np.bincount(np.searchsorted(inner, current, side="right"), minlength=len(inner) + 1) / len(current)
    ks = stats.ks_2samp(reference, current)
    return {"psi": psi(ref_share, cur_share), "ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue)}


def categorical_drift(reference: pd.Series, current: pd.Series) -> dict[str, Any]:
    reference, current = reference.astype(str), current.astype(str)
    categories = sorted(set(reference) | set(current))
    ref = reference.value_counts().reindex(categories, fill_value=0)
    cur = current.value_counts().reindex(categories, fill_value=0)
    table = np.vstack([ref.to_numpy(), cur.to_numpy()])
    p = float(stats.chi2_contingency(table)[1]) if len(categories) > 1 else 1.0
    return {"psi": psi(ref.to_numpy() / ref.sum(), cur.to_numpy() / cur.sum()), "chi2_p_value": p,
            "new_categories": sorted(set(current) - set(reference))}


def check_schema(frame: pd.DataFrame, config: BundleConfig, markers: list[str], source: str) -> None:
    """Missing columns, text in numeric columns (missing markers and +-inf aside): one message naming them all."""
    problems = []
    missing = [c for c in config.features if c not in frame.columns]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    for column in config.numeric:
        if column not in frame.columns or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        text = frame[column].dropna().astype(str).str.strip()
        bad = text[~text.isin(markers) & pd.to_numeric(text, errors="coerce").isna()]
        if not bad.empty:
            problems.append(f"column `{column}` must be numeric, found e.g. {bad.iloc[0]!r} in {len(bad)} row(s)")
    if problems:
        raise DataError(f"{source} does not match the bundle's schema: " + "; ".join(problems) +
                        f" (missing-value markers allowed: {markers or 'none'})")


def _cleaned(frame: pd.DataFrame, cleaner: Cleaner | None, config: BundleConfig) -> pd.DataFrame:
    """Rows cleaned like the training rows: the model's fitted Cleaner, else the markers of the PipelineConfig
    JSON (missing values then stay missing and are left out of the drift statistics)."""
    if cleaner is not None:
        return cleaner.transform(frame)
    out = frame.copy()
    for column in config.features:
        if out[column].dtype == object:
            out[column] = out[column].mask(out[column].astype(str).str.strip().isin(config.missing_markers))
        if column in config.numeric:
            out[column] = pd.to_numeric(out[column], errors="coerce").replace([np.inf, -np.inf], np.nan)
    return out


def _drift(reference: pd.DataFrame, current: pd.DataFrame, config: BundleConfig) -> dict[str, Any]:
    thresholds, features = config.monitoring, {}
    for column in config.features:
        ref, cur = reference[column].dropna(), current[column].dropna()
        kind = "numeric" if column in config.numeric else "categorical"
        if cur.empty:
            features[column] = {"type": kind, "psi": None, "alert": True, "note": "no observed value in the new data"}
        elif kind == "numeric":
            drift = numeric_drift(ref, cur)
            features[column] = {"type": kind, **drift, "alert": drift["psi"] > thresholds.psi_alert
                                or drift["ks_p_value"] < thresholds.ks_p_value}
        else:
            drift = categorical_drift(ref, cur)
            features[column] = {"type": kind, **drift, "alert": drift["psi"] > thresholds.psi_alert
                                or drift["chi2_p_value"] < thresholds.chi2_p_value}
    return features


def _prevalence(predicted: np.ndarray, minority: list[int], expected: float, tolerance: float,
                alerts: list[str]) -> dict[str, Any]:
    """Predicted minority share against the deployed model's share on the test split (relative tolerance)."""
    rate = float(np.isin(predicted, minority).mean())
    prevalence = {"predicted_minority_rate": rate, "reference_rate": expected, "tolerance": tolerance,
                  "reference": "share of test-split rows the deployed model predicts as a minority class",
                  "relative_deviation": abs(rate - expected) / expected if expected else None}
    if not expected:
        prevalence["note"] = "the deployed model predicted no minority row on the test split; no relative deviation"
    elif prevalence["relative_deviation"] > tolerance:
        alerts.append(f"predicted minority rate {rate:.3f} deviates from the deployed model's test-split rate "
                      f"{expected:.3f} by more than {tolerance:.0%}")
    return prevalence


def _predict(model: Any, rows: pd.DataFrame, name: str, source: str) -> np.ndarray:
    try:
        return np.asarray(model.predict(rows))
    except Exception as exc:  # a model raises whatever its estimator raises; the user needs one line
        raise DataError(f"the {name} model cannot score the rows of {source} ({one_line(exc)})") from None


def _label_positions(frame: pd.DataFrame, labels: str, classes: list[str], source: str) -> pd.Series:
    """True labels as class positions; rows without a label are left out (NaN)."""
    values = frame[labels]
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")  # a label column with gaps is read as floats: 1.0 means class "1"
    text = values.astype("string").str.strip()
    positions = text.map({c: i for i, c in enumerate(classes)})
    unknown = sorted(set(text[text.notna() & positions.isna()]))
    if unknown:
        raise DataError(f"column `{labels}` of {source} has label(s) {unknown[:5]} unknown to the bundle; "
                        f"known classes: {classes}")
    if positions.isna().all():
        raise DataError(f"column `{labels}` of {source} holds no label; pass --labels only with labelled rows")
    return positions


def _minority_scores(truth: np.ndarray, predicted: np.ndarray, minority: list[int]) -> dict[str, float | None]:
    """Precision, recall and F1 averaged over the minority classes (as in the audit's test metrics)."""
    p, r, f, support = precision_recall_fscore_support(truth, predicted, labels=minority, zero_division=0)
    recall = float(np.mean(r)) if support.sum() else None  # no true minority row: recall is undefined
    return {"precision_minority": float(np.mean(p)), "recall_minority": recall, "f1_minority": float(np.mean(f))}


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) else None


RECALL_FLOOR_SHARE = 0.8


def recall_floor(configured: float | None, test_recall: Any) -> tuple[float, str] | None:
    """The minority recall below which the monitor alerts, and the rule it came from: `monitoring.min_minority_recall`
    when set, else 0.8 x the deployed model's test-split minority recall; None when neither is known.

    The export writes the result into the bundle's PipelineConfig JSON, so the bundle states the floor the monitor uses.
    """
    if configured is not None:
        return float(configured), "monitoring.min_minority_recall"
    recall = _finite(test_recall)
    if recall is None:
        return None
    return RECALL_FLOOR_SHARE * recall, f"{RECALL_FLOOR_SHARE} x the deployed model's test-split minority recall ({recall:.3f})"


def _bundle_recall_floor(config: BundleConfig, metadata: ModelMetadata) -> tuple[float, str]:
    """The floor the PipelineConfig JSON states, with its rule; for a bundle that states no rule, `recall_floor`."""
    configured = config.monitoring.min_minority_recall
    if configured is not None and config.min_minority_recall_rule:
        return configured, config.min_minority_recall_rule
    resolved = recall_floor(configured, metadata.test_metrics.get("recall_minority"))
    if resolved is None:
        raise BundleError("the deployed model's synthlib_metadata_: key `test_metrics.recall_minority` is missing, and "
                          "monitoring.min_minority_recall is not set; one of them is needed for the recall floor")
    return resolved


def _performance(models: dict[str, tuple[Any, ModelMetadata, np.ndarray]], truth: pd.Series, minority: list[int],
                 floor_rule: tuple[float, str], alerts: list[str]) -> dict[str, Any]:
    labelled = truth.notna().to_numpy()
    out: dict[str, Any] = {"labelled_rows": int(labelled.sum()), "unlabelled_rows": int((~labelled).sum())}
    for name, (_, metadata, predicted) in models.items():
        out[name] = {**_minority_scores(truth[labelled].astype(int).to_numpy(), predicted[labelled], minority),
                     "bundle_test_recall_minority": _finite(metadata.test_metrics.get("recall_minority"))}
    deployed = out["deployed"]
    floor, rule = floor_rule
    out["recall_floor"], out["recall_floor_rule"] = floor, rule
    if deployed["recall_minority"] is None:
        out["note"] = "no true minority row among the labelled rows: minority recall is undefined"
    elif deployed["recall_minority"] < floor:
        alerts.append(f"minority recall {deployed['recall_minority']:.3f} of the deployed model fell below "
                      f"{floor:.3f} ({rule})")
    if "comparison" in out:
        out["ab"] = {metric: (None if out["deployed"][metric] is None or out["comparison"][metric] is None
                              else out["deployed"][metric] - out["comparison"][metric])
                     for metric in ("precision_minority", "recall_minority", "f1_minority")}
    else:
        out["ab"] = None
        out["ab_note"] = "the bundle has no comparison model"
    return out


def unusable_columns(rows: pd.DataFrame, markers: list[str], numeric: list[str]) -> list[str]:
    """An alert per feature column with no usable value in the new rows: every value missing (or a missing marker)
    or, in a numeric column, infinite. The deployed pipeline imputes such a column with its training value, so its
    predictions silently ignore it; a few missing or infinite values are cleaned as in training and only logged."""
    alerts = []
    for column in rows.columns:
        values = rows[column]
        missing = values.isna() | values.astype(str).str.strip().isin(markers)
        infinite = (np.isinf(pd.to_numeric(values.mask(missing), errors="coerce")) if column in numeric
                    else pd.Series(False, index=values.index))
        if len(values) and (missing | infinite).all():
            what = ("missing" if missing.all() else "infinite" if infinite.all() else "missing or infinite")
            alerts.append(f"`{column}` is {what} in every new row: the model imputes it with its training value, "
                          "so its predictions ignore this column")
    return alerts


def monitor(bundle_dir: str | Path, new_data: str | Path, labels: str | None = None, encoding: str = "utf-8",
            public_key: str | Path | None = None, allow_pickle: bool = False) -> dict[str, Any]:
    """Compare `new_data` (raw rows, as in the source file, read with `encoding`) with the bundle; the result
    lists every alert, and under `signature` what was checked of the bundle's origin. With `public_key`, a bundle
    whose signature is missing or does not match is refused; a pickled model loads only with `allow_pickle`."""
    bundle, files, signature = _verified_bundle(Path(bundle_dir), public_key)
    config = _bundle_config(bundle)
    models = {role: _load_model(bundle, relative, config, allow_pickle) for role, relative in files.items() if relative}
    deployed, metadata = models["deployed"]
    steps = getattr(deployed, "named_steps", {})
    cleaner = steps["clean"] if isinstance(steps.get("clean"), Cleaner) else None
    markers = [str(m) for m in cleaner.missing_markers] if cleaner is not None else config.missing_markers

    source = Path(new_data)
    if source.is_dir():
        raise DataError(f"{source} is a folder; pass a CSV or Parquet file with new rows")
    frame = read_table(source, encoding=encoding, encoding_option="--encoding")
    check_schema(frame, config, markers, str(source))
    if labels is not None and labels not in frame.columns:
        raise DataError(f"--labels names `{labels}`, not a column of {source}; columns are: {', '.join(map(str, frame.columns))}")
    reference = pd.read_csv(bundle / REFERENCE)
    absent = [c for c in config.features if c not in reference.columns]
    if absent:
        raise BundleError(f"{bundle / REFERENCE} lacks feature column(s) {', '.join(absent)}")
    rows = frame[config.features]
    features = _drift(_cleaned(reference[config.features], cleaner, config), _cleaned(rows, cleaner, config), config)
    alerts = unusable_columns(rows, markers, list(config.numeric))
    alerts += [f"drift in `{c}`" + (f" (new categories {f['new_categories']})" if f.get("new_categories") else "")
               for c, f in features.items() if f["alert"]]

    minority = [config.classes.index(m) for m in config.minority if m in config.classes]
    if len(minority) != len(config.minority):
        raise BundleError(f"PipelineConfig JSON: key `minority` {config.minority} names classes not in `classes` {config.classes}")
    scored = {name: (model, meta, _predict(model, rows, name, str(source))) for name, (model, meta) in models.items()}
    prevalence = _prevalence(scored["deployed"][2], minority, metadata.predicted_minority_rate_test,
                             config.monitoring.prevalence_tolerance, alerts)
    result: dict[str, Any] = {
        "bundle": str(bundle), "signature": signature, "data": str(source), "rows": int(len(frame)),
        "models": {name: {"classifier": meta.classifier, "comparator": meta.comparator, "uses_synthetic": meta.uses_synthetic}
                   for name, (_, meta) in models.items()},
        "cleaning": cleaner.report(rows, "new") if cleaner is not None else
        [{"step": "missing", "action": f"markers {markers} to NaN (no fitted Cleaner in the deployed model)", "split": "new"}],
        "features": features, "prevalence": prevalence, "thresholds": config.monitoring.model_dump(),
    }
    if labels is not None:
        truth = _label_positions(frame, labels, config.classes, str(source))
        result["performance"] = _performance(scored, truth, minority, _bundle_recall_floor(config, metadata), alerts)
    result["alerts"] = alerts
    return plain(result)


def _number(value: Any, digits: str = ".3f") -> str:
    return "n/a" if value is None else format(value, digits)


def write_outputs(result: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """`monitor.json` and a small self-contained `monitor.html` page."""
    if out_dir.exists() and not out_dir.is_dir():
        raise DataError(f"--out {out_dir} is a file; pass a folder for monitor.json and monitor.html")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"--out {out_dir} cannot be created ({exc.strerror})") from None
    json_path, html_path = out_dir / "monitor.json", out_dir / "monitor.html"
    json_path.write_text(json.dumps(result, indent=2, allow_nan=False))
    rows = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{f['type']}</td><td>{_number(f['psi'])}</td>"
        f"<td>{_number(f.get('ks_p_value', f.get('chi2_p_value')), '.3g')}</td><td>{'ALERT' if f['alert'] else 'ok'}</td></tr>"
        for c, f in result["features"].items())
    alerts = "".join(f"<li>{html.escape(a)}</li>" for a in result["alerts"]) or "<li>none</li>"
    prevalence = result["prevalence"]
    deployed = result["models"]["deployed"]
    html_path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>synthlib monitor</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.2em .8em;border-bottom:1px solid #ccc}}</style>
</head><body><h1>Drift monitor</h1><p>{result['rows']} rows of {html.escape(result['data'])} against {html.escape(result['bundle'])}
(deployed model: {html.escape(deployed['classifier'])}, {html.escape(deployed['comparator'])})</p>
<h2>Alerts</h2><ul>{alerts}</ul><h2>Features</h2><table><tr><th>feature</th><th>type</th><th>PSI</th><th>p-value</th><th>status</th></tr>{rows}</table>
<h2>Prevalence</h2><p>predicted minority rate {prevalence['predicted_minority_rate']:.3f}; the deployed model's rate on the
test split {prevalence['reference_rate']:.3f}</p>
</body></html>""")
    return json_path, html_path
