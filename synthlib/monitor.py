"""Drift monitoring of new data against a bundle's training reference (PSI, KS, chi-squared),
prediction prevalence, and, with labels, minority performance and an A/B of original vs augmented."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import precision_recall_fscore_support

from .errors import DataError
from .export import BUNDLE, load_model, read_bundle_config, verify_bundle
from .io import read_table

EPSILON = 1e-4


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index of two share vectors (a small floor keeps empty bins finite).

    The formula is one line; no maintained library in our stack provides it.
    """
    ref = np.clip(reference, EPSILON, None)
    cur = np.clip(current, EPSILON, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def numeric_drift(reference: pd.Series, current: pd.Series, bins: int = 10) -> dict[str, float]:
    edges = np.unique(np.quantile(reference.astype(float), np.linspace(0, 1, bins + 1)))
    ref_share = np.bincount(np.searchsorted(edges[1:-1], reference, side="right"), minlength=len(edges) - 1) / len(reference)
    cur_share = np.bincount(np.searchsorted(edges[1:-1], current, side="right"), minlength=len(edges) - 1) / len(current)
    ks = stats.ks_2samp(reference.astype(float), current.astype(float))
    return {"psi": psi(ref_share, cur_share), "ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue)}


def categorical_drift(reference: pd.Series, current: pd.Series) -> dict[str, Any]:
    categories = sorted(set(reference.astype(str)) | set(current.astype(str)))
    ref = reference.astype(str).value_counts().reindex(categories, fill_value=0)
    cur = current.astype(str).value_counts().reindex(categories, fill_value=0)
    table = np.vstack([ref.to_numpy(), cur.to_numpy()])
    p = float(stats.chi2_contingency(table[:, table.sum(0) > 0])[1]) if (table.sum(0) > 0).sum() > 1 else 1.0
    return {"psi": psi(ref.to_numpy() / ref.sum(), cur.to_numpy() / cur.sum()), "chi2_p_value": p,
            "new_categories": sorted(set(current.astype(str)) - set(reference.astype(str)))}


def check_schema(frame: pd.DataFrame, config: dict[str, Any], reference: pd.DataFrame, source: str) -> None:
    """Missing columns, non-numeric values in numeric columns: one message naming every problem column."""
    problems = []
    missing = [c for c in config["numeric"] + config["categorical"] if c not in frame.columns]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    for column in config["numeric"]:
        if column in frame.columns and not pd.api.types.is_numeric_dtype(frame[column]):
            bad = pd.to_numeric(frame[column], errors="coerce").isna() & frame[column].notna()
            if bad.any():
                problems.append(f"column `{column}` must be numeric, found e.g. {frame.loc[bad, column].iloc[0]!r}")
    if problems:
        raise DataError(f"{source} does not match the bundle's schema: " + "; ".join(problems))


def monitor(bundle_dir: str | Path, new_data: str | Path, labels: str | None = None) -> dict[str, Any]:
    """Compare `new_data` with the bundle's reference; the result lists every alert that fired."""
    bundle = Path(bundle_dir)
    if bundle.name != BUNDLE and (bundle / BUNDLE).exists():
        bundle = bundle / BUNDLE
    config = read_bundle_config(bundle)
    tampered = verify_bundle(bundle)
    if tampered:
        raise DataError(f"{bundle} does not match its manifest: {', '.join(tampered)}")
    frame = read_table(Path(new_data))
    reference = pd.read_csv(bundle / "Datasets" / "original_train.csv")
    check_schema(frame, config, reference, str(new_data))
    if labels is not None and labels not in frame.columns:
        raise DataError(f"--labels names `{labels}`, not a column of {new_data}; columns are: {', '.join(frame.columns)}")
    thresholds = config["monitoring"]
    alerts: list[str] = []
    features: dict[str, Any] = {}
    for column in config["numeric"]:
        current = pd.to_numeric(frame[column], errors="coerce").dropna()
        drift = numeric_drift(reference[column], current)
        drift["alert"] = drift["psi"] > thresholds["psi_alert"] or drift["ks_p_value"] < thresholds["ks_p_value"]
        features[column] = {"type": "numeric", **drift}
    for column in config["categorical"]:
        drift = categorical_drift(reference[column], frame[column])
        drift["alert"] = drift["psi"] > thresholds["psi_alert"] or drift["chi2_p_value"] < thresholds["chi2_p_value"]
        features[column] = {"type": "categorical", **drift}
    alerts += [f"drift in `{c}`" + (f" (new categories {f['new_categories']})" if f.get("new_categories") else "")
               for c, f in features.items() if f["alert"]]
    X = frame[config["features"]]
    augmented = load_model(bundle, _model_name(bundle, "augmented"))
    classes = augmented.synthlib_metadata_["classes"]
    minority_positions = [classes.index(m) for m in config["minority"]]
    predicted = np.asarray(augmented.predict(X))
    rate = float(np.isin(predicted, minority_positions).mean())
    expected = config["expected_prevalence"]
    prevalence = {"predicted_minority_rate": rate, "expected_prevalence": expected,
                  "relative_deviation": abs(rate - expected) / expected if expected else None,
                  "tolerance": thresholds["prevalence_tolerance"]}
    if expected and abs(rate - expected) / expected > thresholds["prevalence_tolerance"]:
        alerts.append(f"predicted minority rate {rate:.3f} deviates from the expected prevalence {expected:.3f}")
    result: dict[str, Any] = {"bundle": str(bundle), "data": str(new_data), "rows": int(len(frame)),
                              "features": features, "prevalence": prevalence, "thresholds": thresholds}
    if labels is not None:
        result["performance"] = _performance(bundle, frame, labels, X, classes, minority_positions, augmented, thresholds, alerts)
    result["alerts"] = alerts
    return result


def _model_name(bundle: Path, kind: str) -> str:
    found = sorted((bundle / "TrainedModels").glob(f"*_{kind}.pkl"))
    if not found:
        raise DataError(f"{bundle / 'TrainedModels'} has no *_{kind}.pkl model")
    return found[0].stem


def _performance(bundle, frame, labels, X, classes, minority_positions, augmented, thresholds, alerts):
    truth = frame[labels].astype(str).map({c: i for i, c in enumerate(classes)})
    if truth.isna().any():
        unknown = sorted(set(frame.loc[truth.isna(), labels].astype(str)))
        raise DataError(f"column `{labels}` has labels {unknown} unknown to the bundle; known: {classes}")
    out = {}
    positive = minority_positions[0]
    for kind, model in (("augmented", augmented), ("original", load_model(bundle, _model_name(bundle, "original")))):
        pred = np.asarray(model.predict(X))
        p, r, f, _ = precision_recall_fscore_support(truth, pred, labels=[positive], zero_division=0)
        out[kind] = {"precision_minority": float(p[0]), "recall_minority": float(r[0]), "f1_minority": float(f[0]),
                     "bundle_recall_minority": model.synthlib_metadata_["test_metrics"]["recall_minority"]}
    floor = thresholds.get("min_minority_recall") or 0.8 * out["augmented"]["bundle_recall_minority"]
    if out["augmented"]["recall_minority"] < floor:
        alerts.append(f"minority recall {out['augmented']['recall_minority']:.3f} fell below {floor:.3f}")
    out["recall_floor"] = floor
    out["ab_recall_difference"] = out["augmented"]["recall_minority"] - out["original"]["recall_minority"]
    return out


def write_outputs(result: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """`monitor.json` and a small self-contained `monitor.html` page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "monitor.json", out_dir / "monitor.html"
    json_path.write_text(json.dumps(result, indent=2, default=str))
    rows = "".join(
        f"<tr><td>{html.escape(c)}</td><td>{f['type']}</td><td>{f['psi']:.3f}</td>"
        f"<td>{f.get('ks_p_value', f.get('chi2_p_value')):.3g}</td><td>{'ALERT' if f['alert'] else 'ok'}</td></tr>"
        for c, f in result["features"].items())
    alerts = "".join(f"<li>{html.escape(a)}</li>" for a in result["alerts"]) or "<li>none</li>"
    prevalence = result["prevalence"]
    html_path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>synthlib monitor</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.2em .8em;border-bottom:1px solid #ccc}}</style>
</head><body><h1>Drift monitor</h1><p>{result['rows']} rows of {html.escape(result['data'])} against {html.escape(result['bundle'])}</p>
<h2>Alerts</h2><ul>{alerts}</ul><h2>Features</h2><table><tr><th>feature</th><th>type</th><th>PSI</th><th>p-value</th><th>status</th></tr>{rows}</table>
<h2>Prevalence</h2><p>predicted minority rate {prevalence['predicted_minority_rate']:.3f}, expected {prevalence['expected_prevalence']:.3f}</p>
</body></html>""")
    return json_path, html_path
