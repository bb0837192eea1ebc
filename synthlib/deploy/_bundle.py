"""The output bundle: data sets, trained models, model cards, pipeline config JSON, README, manifest.

Written to a temporary folder and renamed into place, so a failed export leaves nothing that looks
complete. Models are skops files (`_models`); `load_model` and the manifest's signature are in `_trust`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import FixedThresholdClassifier

from synthlib.assess import FairnessResult
from synthlib.config import CLASSIFIER_NAMES, configuration_name, method_name, num, pascal_slug, trained_ratio_text
from synthlib.decide import AuditResult, Verdict, verdict_sentence
from synthlib.errors import BundleError
from synthlib.evaluate import RecalibratedClassifier, UtilityResult
from synthlib.utils import json_default

from ._manifest import BUNDLE, sha256
from ._models import save_model
from ._monitor import recall_floor
from ._readme import ADDED_AFTER_REPORT, _readme
from ._reproduce import write_reproduction_records
from ._trust import SIGNATURE


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


def deployed_configurations(verdict: Verdict) -> dict[str, tuple[str, str]]:
    """`deployed` (the verdict's recommendation) and `comparison` (the best of the other kind), as the verdict
    chose them; the bundle decides nothing itself."""
    chosen = {"deployed": verdict.recommended, "comparison": verdict.comparison}
    return {role: entry.configuration for role, entry in chosen.items() if entry is not None}


def deployable(audit, configuration: tuple[str, str]):
    """The fitted cleaning and the configuration's fitted model in one pipeline: raw rows in, class positions out.
    The verdict's recommendation is recalibrated where the verdict says so (`decide._calibration`); its decisions
    are the same either way."""
    from sklearn.pipeline import Pipeline

    model = audit.evaluation.models[configuration]
    verdict = audit.typed.verdict
    calibration = verdict.calibration
    if (calibration is not None and calibration.recalibrate and verdict.recommended is not None
            and configuration == verdict.recommended.configuration):
        classes = audit.typed.utility.classes
        model = RecalibratedClassifier(model, calibration.slope, calibration.intercept,
                                       classes.index(classes.positive)).fit(None)
    return Pipeline([("clean", audit.prepared.cleaner), ("model", model)])


def _predicted_minority_rate(utility: UtilityResult, configuration: tuple[str, str]) -> float:
    """The share of test rows predicted as a minority class, as the evaluation recorded it (the report prints it)."""
    return float(utility.test_entry(configuration)["predicted_minority_rate"])


def _fairness_lines(fairness: FairnessResult, configuration: tuple[str, str]) -> str:
    if not fairness.available:
        return fairness.statement or ""
    lines = [f"Favourable outcome: {fairness.favourable_outcome or 'n/a'}."]
    for attribute in fairness.models or {}:
        f = fairness.model(attribute, configuration)
        if not f:
            continue
        lines.append(f"- {attribute}: demographic parity difference {num(f.get('demographic_parity_difference'))}, "
                     f"ratio {num(f.get('demographic_parity_ratio'))}"
                     f"{' (four-fifths rule violated)' if f.get('four_fifths_violated') else ''}; equalized odds "
                     f"difference {num(f.get('equalized_odds_difference'))}")
    return "\n".join(lines)


def operating_threshold(model) -> float | None:
    """The decision threshold a deployed model applies to the minority-class probability (None: most probable class)."""
    return float(model.threshold) if isinstance(model, FixedThresholdClassifier) else None


def threshold_rule(model, rule: str) -> str | None:
    """How a model's operating threshold was chosen (None for a model without one)."""
    if operating_threshold(model) is None:
        return None
    return (f"chosen for {rule} on the held-out scores of every cross-validation fold of the training split (no "
            "test row), applied to the minority-class probability")


def _hyperparameters(model, rule: str) -> str:
    """The classifier's parameters, and the operating threshold it applies and how it was chosen."""
    threshold = operating_threshold(model)
    if threshold is not None:
        inner = model.estimator.estimator.named_steps["classifier"].get_params()
        return f"Decision threshold {threshold:.3f}, {threshold_rule(model, rule)}; classifier parameters `{inner}`"
    return f"`{model.named_steps['classifier'].get_params()}`"


def augmentation_text(method: str, info: dict[str, Any], ratio: Any, max_amplification: float) -> str:
    """What augmenting with `method` did, in the numbers of `results.json["augmentation"][method]` (`info`), which
    the report's augmentation table shows too: requested, generated, both kinds of duplicates removed, real rows
    removed by the method's cleaning (SMOTE-ENN) and the class ratio the model trained on."""

    def per_class(counts: dict[str, int]) -> str:
        return ", ".join(f"{n} of class {c}" for c, n in counts.items() if n) or "none"

    duplicates = info["duplicates_of_real_removed"] + info["duplicates_within_removed"]
    text = (f"Trained on the training split augmented with {method_name(method)} (`{method}`): requested "
            f"{sum(info['requested'].values())} synthetic rows ({per_class(info['requested'])}; minority:majority "
            f"ratio {ratio}, at most {max_amplification}x the real minority rows), generated "
            f"{sum(info['generated'].values())} ({per_class(info['generated'])}) after removing {duplicates} exact "
            f"duplicates ({info['duplicates_of_real_removed']} copies of real training rows, "
            f"{info['duplicates_within_removed']} within the synthetic rows)")
    if info["real_rows_removed"]:
        text += (f"; its cleaning step also removed {info['real_rows_removed']} real training rows "
                 f"({per_class(info['real_rows_removed_by_class'])})")
    else:
        text += "; no real training row was removed"
    return (text + f". The model trained on {per_class(info['trained_class_counts'])}: minority:majority "
            f"{trained_ratio_text(info['trained_ratio'])}.")


def _model_file_text(model_file: Path, pickle_reason: str | None) -> str:
    """The model card's section on the saved model file and how to load it."""
    relative, role = f"TrainedModels/{model_file.name}", model_file.stem
    if pickle_reason is None:
        return (f"`{relative}`, a skops file: it loads without running code, only types of scikit-learn, "
                f"imbalanced-learn, XGBoost, NumPy, SciPy and synthlib. Load it with "
                f"`synthlib.load_model(\"path/to/OutputMaterials\", \"{role}\")`.")
    return (f"`{relative}`, a pickle, because skops cannot store {pickle_reason}. Loading a pickle runs any code it "
            f"holds: `synthlib.load_model(\"path/to/OutputMaterials\", \"{role}\", allow_pickle=True)` (CLI "
            "`--allow-pickle`), only for a bundle whose origin you trust (check its signature with `public_key`).")


def _model_card(audit, result: AuditResult, role: str, configuration: tuple[str, str], path: Path,
                model_file: str) -> None:

    config = audit.prepared.config
    classifier, comparator = configuration
    verdict, utility = result.verdict, result.utility
    test = utility.test_entry(configuration)
    metrics = {k: v for k, v in utility.test_metrics(configuration).items() if "_class_" not in k}
    ci = test.get("primary_ci")
    if ci:
        metrics[f"{utility.protocol.primary_metric} 95% CI"] = f"[{ci[0]:.3f}, {ci[1]:.3f}]"
    synthetic = comparator in result.augmentation
    aug = result.augmentation.get(comparator, {})
    role_text = (("the configuration this audit conditionally recommends deploying (the condition is in the verdict "
                  "below)" if verdict.status == "conditional" else "the configuration this audit recommends deploying")
                 if role == "deployed" else
                 "the best configuration of the other kind, kept for comparison; not recommended for deployment")
    synthetic_text = (augmentation_text(comparator, aug, config.augmentation.sampling_strategy,
                                        config.augmentation.max_amplification) if synthetic else
                      "No synthetic rows: trained on the original training split"
                      + (" with class weights." if comparator == "class_weighted" else
                         " with a decision threshold tuned by cross-validation." if comparator == "tuned_threshold" else "."))
    risk = result.privacy.risk_level(comparator) if synthetic else None
    privacy_text = "No synthetic data in training." if risk is None else (
        f"Privacy risk of the `{comparator}` rows: {risk.risk} "
        f"(decided by {(risk.decided_by or 'no check above low').replace('_', ' ')}). "
        f"Augmented training data released in this bundle: {'yes' if verdict.release.augmented_data else 'no'} "
        f"({verdict.release.reason}).")
    sensitive = [s.column for s in config.features.sensitive]
    inputs = [c for c in sensitive if c in audit.prepared.features]
    model = audit.evaluation.models[configuration]
    create_model_card(
        model_name=f"{configuration_name(comparator, classifier)} for {config.dataset.name} ({role})",
        overview=f"A {CLASSIFIER_NAMES.get(classifier, classifier)} classifier predicting `{config.dataset.target}` ({config.dataset.target_description}); "
                 f"{role_text}. The saved pipeline cleans raw rows with the audit's fitted cleaning (missing markers, "
                 "imputation values and outlier caps from the training split), scales numeric columns and one-hot "
                 "encodes categorical ones.",
        preproc_file="synthlib.prepare._cleaning.Cleaner fitted on the training split (see the cleaning log in results.json)",
        random_state=config.split.seed, test_size=config.split.test_size, features=audit.prepared.features,
        target=config.dataset.target, test_set_name="test_set.csv",
        train_set_name=("original_train.csv" if not synthetic else
                        f"original_train.csv augmented by {method_name(comparator)} "
                        + ("(Datasets/augmented_train.csv)" if verdict.release.augmented_data and role == "deployed"
                           else "(the augmented rows are not exported)")),
        evaluation_metrics=metrics,
        intended_use=f"Decision support for {config.dataset.task} on data like {config.dataset.name}; a human reviews "
                     "every adverse decision. Out of scope: fully automated decisions, and populations or periods unlike "
                     "the training data."
                     + (f" The sensitive attributes {', '.join(f'`{c}`' for c in inputs)} are model inputs: whether using "
                        "them is lawful and acceptable for this decision must be checked before deployment (e.g. GDPR "
                        "art. 9, anti-discrimination law); this audit measures the resulting group gaps but does not "
                        "make that use acceptable." if inputs else ""),
        ethical_bias_concerns=(f"Sensitive attributes: {', '.join(sensitive) or 'none configured'}. "
                               + ("Synthetic rows can amplify the biases of the real minority rows; " if synthetic else
                                  "The model learns the biases of its training rows; ")
                               + "see the fairness findings. Limitations: metrics come from one test split of "
                               f"{len(audit.prepared.test)} rows; confidence intervals are wide for small classes."),
        output_filename=path,
        audit_verdict=verdict_sentence(verdict),
        hyperparameters=_hyperparameters(model, config.evaluation.threshold_rule),
        model_file=model_file,
        role_of_synthetic_data=synthetic_text, fairness_findings=_fairness_lines(result.fairness, configuration),
        privacy_findings=privacy_text,
    )


def write_bundle(audit, out_dir: Path, notebook: Path | None = None) -> Path:
    """Write `out_dir/OutputMaterials` atomically and return its path; what it holds follows the verdict."""
    final = out_dir / BUNDLE
    staging = out_dir / f".{BUNDLE}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write(audit, staging, notebook)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    return final


def _write(audit, staging: Path, notebook: Path | None) -> None:
    config, prepared, evaluation, result = audit.prepared.config, audit.prepared, audit.evaluation, audit.typed
    verdict, utility = result.verdict, result.utility
    for sub in ("Datasets", "ModelCards", "TrainedModels"):
        (staging / sub).mkdir(parents=True)
    target = config.dataset.target
    prepared.train.to_csv(staging / "Datasets" / "original_train.csv", index=False)
    prepared.test.to_csv(staging / "Datasets" / "test_set.csv", index=False)
    configurations = deployed_configurations(verdict)
    deployed = configurations.get("deployed")
    method = deployed[1] if deployed and deployed[1] in evaluation.augmented else None
    withheld = None
    if method and verdict.release.augmented_data:
        X_aug, y_aug, sampler = evaluation.augmented[method]
        augmented = X_aug.copy()
        augmented[target] = evaluation.label_encoder.inverse_transform(np.asarray(y_aug))
        augmented["is_synthetic"] = np.arange(len(augmented)) >= len(sampler.kept_real_)
        augmented["synthetic_method"] = np.where(augmented["is_synthetic"], method, "")
        augmented.to_csv(staging / "Datasets" / "augmented_train.csv", index=False)
    elif method:
        withheld = verdict.release.reason
    classes = [str(c) for c in evaluation.label_encoder.classes_]
    entries: dict[str, Any] = {"deployed": None, "comparison": None}
    pickled: dict[str, str] = {}  # role -> why skops could not store its model
    for role, configuration in configurations.items():
        classifier, comparator = configuration
        model = deployable(audit, configuration)
        fitted = evaluation.models[configuration]
        entry = {"model": role, "classifier": classifier, "comparator": comparator,
                 "uses_synthetic": comparator in evaluation.augmented,
                 "decision_threshold": operating_threshold(fitted),
                 "decision_threshold_rule": threshold_rule(fitted, config.evaluation.threshold_rule),
                 "predicted_minority_rate_test": _predicted_minority_rate(utility, configuration),
                 "probability_recalibration": (verdict.calibration.method if isinstance(model.steps[-1][1],
                                               RecalibratedClassifier) else None)}
        model.synthlib_metadata_ = {
            **entry, "dataset": config.dataset.name, "classes": classes, "features": prepared.features,
            "note": "predict() takes raw rows and returns class positions; classes[position] is the label",
            "augmentation": result.augmentation.get(comparator), "config_hash": config.config_hash,
            "test_metrics": utility.test_metrics(configuration),
            "verdict_status": verdict.status if role == "deployed" else "comparison only",
        }
        model_file, pickle_reason = save_model(model, staging / "TrainedModels", role)
        _model_card(audit, result, role, configuration, staging / "ModelCards" / f"{role}_ModelCard.md",
                    _model_file_text(model_file, pickle_reason))
        entries[role] = {**entry, "model_file": f"TrainedModels/{model_file.name}",
                         "model_format": "pickle" if pickle_reason else "skops", "pickle_reason": pickle_reason}
        if pickle_reason:
            pickled[role] = pickle_reason
    name = pascal_slug(config.dataset.name)  # letters, digits, - and _ only: never a path
    if notebook is not None and notebook.exists():
        shutil.copy(notebook, staging / notebook.name)
    data_files = ["original_train.csv", "test_set.csv"] + (["augmented_train.csv"] if (staging / "Datasets" / "augmented_train.csv").exists() else [])
    floor, floor_rule = _recall_floor(config, utility, deployed)
    export_pipeline_config(
        dataset_name=config.dataset.name, features=prepared.features, train_test_ratio=config.split.test_size,
        randomState=config.split.seed, synthetic_method=method,
        augmentation_ratio=config.augmentation.sampling_strategy if method else None,
        augmentation_file="synthlib/samplers" if method else None,
        pipeline_name="report/audit.qmd", validation_file="synthlib/validation" if method else None,
        evaluation_metrics=_test_metrics(utility, deployed),
        data_file_name=data_files, output_json=staging / f"{name}PipelineConfig.json",
        max_amplification=config.augmentation.max_amplification if method else None,
        augmentation=result.augmentation.get(method) if method else None,
        synthetic_validation=result.fidelity.methods.get(method) if method else None,
        target=target, numeric=prepared.numeric + prepared.ordinal, categorical=prepared.categorical,
        classes=classes, minority=[str(m) for m in prepared.minority_labels],
        missing_markers=list(config.dataset.missing_markers),
        test_size=config.split.test_size,  # what the template's `train_test_ratio` holds: the test split's share
        training_minority_share=float(np.isin(prepared.y_train.astype(str), [str(m) for m in prepared.minority_labels]).mean()),
        monitoring={**config.monitoring.model_dump(), "min_minority_recall": floor},
        min_minority_recall_rule=floor_rule,
        versions=result.versions, config_hash=config.config_hash, **entries,
        verdict={"status": verdict.status, "augmentation_helps": verdict.augmentation_helps,
                 "conditions": list(verdict.conditions), "release": verdict.release.to_json()},
    )
    write_reproduction_records(audit, staging, configurations)  # what `synthlib verify` compares
    listed = sorted([*_bundle_files(staging), "README.txt"])

    (staging / "README.txt").write_text(_readme(config, configurations, withheld, listed, verdict_sentence(verdict),
                                                pickled))
    manifest = {path: sha256(staging / path) for path in _bundle_files(staging)}
    (staging / "manifest.json").write_text(json.dumps({"files": manifest, "config_hash": config.config_hash}, indent=2))


def _bundle_files(bundle: Path) -> list[str]:
    """The files of a bundle as manifest.json lists them (every file but the manifest and its signature), sorted."""
    return sorted(str(p.relative_to(bundle)) for p in bundle.rglob("*")
                  if p.is_file() and p.name not in ("manifest.json", SIGNATURE))


def _test_metrics(utility: UtilityResult, deployed: tuple[str, str] | None) -> dict[str, Any] | None:
    """The deployed configuration's metrics on the test split, as results.json has them (None: nothing deployed)."""
    if deployed is None:
        return None
    classifier, comparator = deployed
    ci = utility.test_entry(deployed).get("primary_ci")
    return {"split": "test", "source": f"results.json utility.test.{classifier}.{comparator}",
            "metrics": utility.test_metrics(deployed), "ci_95": {utility.protocol.primary_metric: ci} if ci else {}}


def _recall_floor(config, utility: UtilityResult, deployed: tuple[str, str] | None) -> tuple[float | None, str | None]:
    """The minority-recall floor `synthlib monitor` alerts below, resolved by the monitor's own rule."""
    if deployed is None:
        return None, None
    test_recall = utility.test_metrics(deployed).get("recall_minority")
    resolved = recall_floor(config.monitoring.min_minority_recall, test_recall)
    return resolved if resolved else (None, "not resolved: monitoring.min_minority_recall is not set and the deployed "
                                            "model has no test-split minority recall")


def add_to_bundle(bundle_dir: Path, file: Path) -> None:
    """Copy `file` into a written bundle and add its SHA-256 to the manifest; the other files stay as they are
    (the report lists their hashes, so they must not be rewritten after it was made). Only the files of
    `ADDED_AFTER_REPORT` may be added: README.txt lists them already. A signature of the old manifest is removed
    (the caller signs the bundle again)."""
    if file.name not in ADDED_AFTER_REPORT:
        raise BundleError(f"{file.name} cannot be added to a written bundle; README.txt lists only "
                          f"{', '.join(ADDED_AFTER_REPORT)} as added after the report")
    manifest_path = bundle_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    shutil.copy(file, bundle_dir / file.name)
    manifest["files"][file.name] = sha256(bundle_dir / file.name)
    partial = bundle_dir / ".manifest.json.partial"
    partial.write_text(json.dumps(manifest, indent=2))
    partial.replace(manifest_path)
    (bundle_dir / SIGNATURE).unlink(missing_ok=True)  # it signed the old manifest: sign the bundle again


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

