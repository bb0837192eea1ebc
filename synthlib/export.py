"""The output bundle: data sets, trained models, model cards, pipeline config JSON, README, manifest.

Written to a temporary folder and renamed into place, so a failed export leaves nothing that looks
complete. `load_model` checks a model file against the manifest before unpickling it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from .errors import BundleError
from .jsonsafe import json_default

BUNDLE = "OutputMaterials"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def export_pipeline_config(dataset_name: str, features: list[str], train_test_ratio: float, randomState: int,
                           synthetic_method: str, augmentation_ratio: Any, augmentation_file: str, pipeline_name: str,
                           validation_file: str, evaluation_metrics: dict[str, Any], data_file_name: list[str],
                           output_json: str | Path, **extra: Any) -> dict[str, Any]:
    """The template's pipeline-config JSON (same parameter names), plus any `extra` fields."""
    config = {"dataset_name": dataset_name, "features": list(features), "train_test_ratio": train_test_ratio,
              "random_state": randomState, "synthetic_method": synthetic_method,
              "augmentation_ratio": augmentation_ratio, "augmentation_file": augmentation_file,
              "pipeline_name": pipeline_name, "validation_file": validation_file,
              "evaluation_metrics": evaluation_metrics, "data_file_names": list(data_file_name), **extra}
    Path(output_json).write_text(json.dumps(config, indent=2, default=json_default))
    return config


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def create_model_card(model_name: str, overview: str, preproc_file: str, random_state: int, test_size: float,
                      features: list[str], target: str, train_set_name: str, test_set_name: str,
                      evaluation_metrics: dict[str, Any], intended_use: str, ethical_bias_concerns: str,
                      output_filename: str | Path, **sections: str) -> str:
    """A Markdown model card (Mitchell et al. 2019) with the template's parameters; `sections` add headings."""
    metric_rows = "\n".join(f"| {k} | {_fmt(v)} |" for k, v in evaluation_metrics.items())
    extra = "\n".join(f"## {title.replace('_', ' ').capitalize()}\n\n{text}\n" for title, text in sections.items())
    card = f"""# Model card: {model_name}

## Model details

{overview}

- Preprocessing: {preproc_file}
- Random state: {random_state}; test size: {test_size}

## Intended use

{intended_use}

## Training and evaluation data

- Training set: `{train_set_name}`; evaluation set: `{test_set_name}` (untouched by augmentation)
- Target: `{target}`
- Features: {', '.join(features)}

## Metrics (test split)

| metric | value |
|---|---|
{metric_rows}

{extra}
## Ethical considerations

{ethical_bias_concerns}
"""
    Path(output_filename).write_text(card)
    return card


def deployed_method(audit) -> str | None:
    """The method exported as `augmented`: configured, else the best mean CV primary metric over classifiers."""
    config = audit.prepared.config
    methods = list(audit.evaluation.augmented)
    if not methods:
        return None
    if config.augmentation.deploy_method:
        return config.augmentation.deploy_method
    utility = audit.result["utility"]
    primary = utility["protocol"]["primary_metric"]
    lower = primary == "brier"

    def score(method: str) -> float:
        values = [utility["cv"][c][method][primary]["mean"] for c in utility["cv"] if method in utility["cv"][c]]
        return float(np.mean(values)) * (-1 if lower else 1)

    return max(methods, key=score)


def _model_card(audit, classifier: str, comparator: str, method: str | None, path: Path, kind: str) -> None:
    config, result = audit.prepared.config, audit.result
    test = result["utility"]["test"][classifier][comparator]
    metrics = {k: v for k, v in test["metrics"].items() if "_class_" not in k}
    ci = test.get("primary_ci")
    if ci:
        metrics[f"{result['utility']['protocol']['primary_metric']} 95% CI"] = f"[{ci[0]:.3f}, {ci[1]:.3f}]"
    aug = result["augmentation"].get(method, {}) if kind == "augmented" else {}
    synthetic = ("No synthetic rows: trained on the original training split." if kind == "original" else
                 f"Trained on the training split augmented with `{method}`: requested {aug.get('requested')}, "
                 f"generated {aug.get('generated')} synthetic rows (max amplification "
                 f"{config.augmentation.max_amplification}x, ratio {config.augmentation.sampling_strategy}); "
                 f"{aug.get('duplicates_of_real_removed', 0)} copies of real rows removed.")
    fairness = result["fairness"]
    if fairness.get("available"):
        lines = []
        for attribute, by_clf in fairness["models"].items():
            f = by_clf[classifier][comparator]
            lines.append(f"- {attribute}: demographic parity difference {f['demographic_parity_difference']:.3f}, "
                         f"ratio {f['demographic_parity_ratio']:.3f}"
                         f"{' (four-fifths rule violated)' if f['four_fifths_violated'] else ''}; equalized odds "
                         f"difference {f['equalized_odds_difference']:.3f}")
        fairness_text = "\n".join(lines)
    else:
        fairness_text = fairness["statement"]
    privacy_text = "No synthetic data in training." if kind == "original" else (
        f"Privacy risk of the `{method}` rows: {result['privacy']['methods'][method]['verdict']['risk']} "
        f"(decided by {result['privacy']['methods'][method]['verdict']['decided_by'] or 'no check above low'}).")
    sensitive = [s.column for s in config.features.sensitive]
    create_model_card(
        model_name=f"{'Augmented' if kind == 'augmented' else 'Original'} {classifier} for {config.dataset.name}",
        overview=f"A {classifier} classifier in a scikit-learn pipeline (scaling of numeric columns, one-hot encoding "
                 f"of categorical columns) predicting `{config.dataset.target}` ({config.dataset.target_description}).",
        preproc_file="synthlib.data.prepare (see the cleaning log in results.json)",
        random_state=config.split.seed, test_size=config.split.test_size, features=audit.prepared.features,
        target=config.dataset.target, train_set_name="augmented_train.csv" if kind == "augmented" else "original_train.csv",
        test_set_name="test_set.csv", evaluation_metrics=metrics,
        intended_use=f"Decision support for {config.dataset.task} on data like {config.dataset.name}; a human reviews "
                     "every adverse decision. Out of scope: fully automated decisions, populations or periods unlike "
                     "the training data, and any use of the sensitive attributes to treat people differently.",
        ethical_bias_concerns=(f"Sensitive attributes: {', '.join(sensitive) or 'none configured'}. Synthetic rows "
                               "can amplify the biases of the real minority rows; see the fairness findings. "
                               "Limitations: metrics come from one test split of "
                               f"{len(audit.prepared.test)} rows; confidence intervals are wide for small classes."),
        output_filename=path,
        hyperparameters=f"`{audit.evaluation.models[(classifier, comparator)].named_steps['classifier'].get_params()}`"
        if hasattr(audit.evaluation.models[(classifier, comparator)], "named_steps") else "see the pipeline",
        role_of_synthetic_data=synthetic, fairness_findings=fairness_text, privacy_findings=privacy_text,
    )


def write_bundle(audit, out_dir: Path, notebook: Path | None = None) -> Path:
    """Write `out_dir/OutputMaterials` atomically and return its path."""
    config, prepared, evaluation = audit.prepared.config, audit.prepared, audit.evaluation
    final = out_dir / BUNDLE
    staging = out_dir / f".{BUNDLE}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    for sub in ("Datasets", "ModelCards", "TrainedModels"):
        (staging / sub).mkdir(parents=True)
    method = deployed_method(audit)
    target = config.dataset.target
    prepared.train.to_csv(staging / "Datasets" / "original_train.csv", index=False)
    prepared.test.to_csv(staging / "Datasets" / "test_set.csv", index=False)
    if method:
        X_aug, y_aug, sampler = evaluation.augmented[method]
        augmented = X_aug.copy()
        augmented[target] = evaluation.label_encoder.inverse_transform(np.asarray(y_aug))
        augmented["is_synthetic"] = np.arange(len(augmented)) >= len(sampler.kept_real_)
        augmented["synthetic_method"] = np.where(augmented["is_synthetic"], method, "")
        augmented.to_csv(staging / "Datasets" / "augmented_train.csv", index=False)
    classes = [str(c) for c in evaluation.label_encoder.classes_]
    for classifier in config.models.classifiers:
        for kind, comparator in (("original", "baseline"), ("augmented", method)):
            if comparator is None or (classifier, comparator) not in evaluation.models:
                continue
            model = evaluation.models[(classifier, comparator)]
            model.synthlib_metadata_ = {
                "dataset": config.dataset.name, "classifier": classifier, "kind": kind, "classes": classes,
                "note": "predict() returns class positions; classes[position] is the label",
                "augmentation": audit.result["augmentation"].get(comparator) if kind == "augmented" else None,
                "synthetic_method": comparator if kind == "augmented" else None, "config_hash": config.config_hash,
                "test_metrics": audit.result["utility"]["test"][classifier][comparator]["metrics"],
                "features": prepared.features,
            }
            joblib.dump(model, staging / "TrainedModels" / f"{classifier}_{kind}.pkl")
            _model_card(audit, classifier, comparator, method, staging / "ModelCards" / f"{classifier}_{kind}_ModelCard.md", kind)
    name = "".join(part.capitalize() for part in config.dataset.name.replace("(", " ").replace(")", " ").split())
    export_pipeline_config(
        dataset_name=config.dataset.name, features=prepared.features, train_test_ratio=config.split.test_size,
        randomState=config.split.seed, synthetic_method=method or "none",
        augmentation_ratio=config.augmentation.sampling_strategy, augmentation_file="synthlib/samplers",
        pipeline_name="report/audit.qmd", validation_file="synthlib/validation",
        evaluation_metrics=audit.result["validation"].get(method, {}) if method else {},
        data_file_name=["original_train.csv", "augmented_train.csv", "test_set.csv"],
        output_json=staging / f"{name}PipelineConfig.json",
        target=target, numeric=prepared.numeric + prepared.ordinal, categorical=prepared.categorical,
        classes=classes, minority=[str(m) for m in prepared.minority_labels],
        expected_prevalence=float(np.isin(prepared.y_train.astype(str), [str(m) for m in prepared.minority_labels]).mean()),
        max_amplification=config.augmentation.max_amplification, monitoring=config.monitoring.model_dump(),
        versions=audit.result["versions"], config_hash=config.config_hash,
    )
    (staging / "README.txt").write_text(_readme(config, method, name))
    if notebook is not None and notebook.exists():
        shutil.copy(notebook, staging / notebook.name)
    manifest = {str(p.relative_to(staging)): sha256(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    (staging / "manifest.json").write_text(json.dumps({"files": manifest, "config_hash": config.config_hash}, indent=2))
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    return final


def _readme(config, method: str | None, name: str) -> str:
    return f"""Output materials of the synthlib audit of {config.dataset.name}

Datasets/        original_train.csv (cleaned training split), augmented_train.csv (training split plus
                 synthetic rows of `{method}`; columns is_synthetic and synthetic_method), test_set.csv
                 (the untouched test split)
TrainedModels/   <classifier>_original.pkl and <classifier>_augmented.pkl: whole fitted scikit-learn
                 pipelines (preprocessing + classifier); predict() takes raw rows with the feature columns
ModelCards/      one Markdown model card per trained model
{name}PipelineConfig.json   features, split, method, ratio, validation metrics, versions, config hash
manifest.json    SHA-256 of every file in this folder

Load a model (the hash is checked against manifest.json before unpickling):

    import synthlib
    model = synthlib.load_model("path/to/OutputMaterials", "xgboost_augmented")
    positions = model.predict(rows)                # rows: a DataFrame with the feature columns
    labels = [model.synthlib_metadata_["classes"][p] for p in positions]

Monitor new data for drift:  synthlib monitor path/to/OutputMaterials new_data.csv [--labels {config.dataset.target}]
"""


def load_model(bundle_dir: str | Path, name: str):
    """Unpickle `TrainedModels/<name>.pkl` only if its SHA-256 matches the bundle's manifest."""
    bundle = Path(bundle_dir)
    manifest_path = bundle / "manifest.json"
    if not manifest_path.exists():
        raise BundleError(f"{bundle} has no manifest.json; it is not a synthlib bundle (or is incomplete)")
    relative = f"TrainedModels/{name.removesuffix('.pkl')}.pkl"
    manifest = json.loads(manifest_path.read_text())["files"]
    if relative not in manifest:
        known = sorted(k.split("/")[1].removesuffix(".pkl") for k in manifest if k.startswith("TrainedModels/"))
        raise BundleError(f"no model `{name}` in {bundle}; models are: {', '.join(known)}")
    actual = sha256(bundle / relative)
    if actual != manifest[relative]:
        raise BundleError(f"{bundle / relative} does not match manifest.json (SHA-256 {actual[:12]}... expected "
                          f"{manifest[relative][:12]}...): refusing to unpickle a modified file")
    return joblib.load(bundle / relative)


def verify_bundle(bundle_dir: str | Path) -> list[str]:
    """Files whose hash differs from the manifest (empty list: the bundle is intact)."""
    bundle = Path(bundle_dir)
    manifest = json.loads((bundle / "manifest.json").read_text())["files"]
    return [name for name, digest in manifest.items() if not (bundle / name).exists() or sha256(bundle / name) != digest]


def read_bundle_config(bundle_dir: str | Path) -> dict[str, Any]:
    bundle = Path(bundle_dir)
    found = sorted(bundle.glob("*PipelineConfig.json"))
    if not found:
        raise BundleError(f"{bundle} has no *PipelineConfig.json; pass the OutputMaterials folder of a synthlib run")
    return json.loads(found[0].read_text())

