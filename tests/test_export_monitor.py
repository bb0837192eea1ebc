"""Bundle: files match the manifest, tampering is refused, models reload; monitor raises the right alerts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.config import load_config
from synthlib.deploy import load_model
from synthlib.deploy._bundle import add_to_bundle, augmentation_text, sha256, verify_bundle, write_bundle
from synthlib.deploy._models import read_model, save_model
from synthlib.errors import BundleError
from synthlib.evaluate._metrics import classification_metrics
from synthlib.evaluate._models import make_pipeline
from synthlib.prepare._io import load_dataset
from synthlib.prepare._prepare import prepare

from .conftest import ROOT, fast_german_audit

runner = CliRunner()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return fast_german_audit(tmp_path_factory.mktemp("project"))


def test_bundle_layout_follows_the_verdict(bundle):
    audit, path = bundle
    verdict = audit.result["verdict"]
    manifest = json.loads((path / "manifest.json").read_text())["files"]
    expected = {"Datasets/original_train.csv", "Datasets/test_set.csv", "README.txt", "GermanCreditPipelineConfig.json",
                "TrainedModels/deployed.skops", "TrainedModels/comparison.skops", "ModelCards/deployed_ModelCard.md",
                "ModelCards/comparison_ModelCard.md"}
    assert expected <= set(manifest)
    assert ("Datasets/augmented_train.csv" in manifest) == verdict["release"]["augmented_data"]
    assert verify_bundle(path) == []
    pd.testing.assert_frame_equal(pd.read_csv(path / "Datasets" / "test_set.csv"), audit.prepared.test.reset_index(drop=True))
    config = json.loads((path / "GermanCreditPipelineConfig.json").read_text())
    for key in ("dataset_name", "features", "train_test_ratio", "random_state", "synthetic_method", "augmentation_ratio",
                "augmentation_file", "pipeline_name", "validation_file", "evaluation_metrics", "data_file_names",
                "versions", "config_hash", "deployed", "comparison", "verdict", "missing_markers"):
        assert key in config
    recommended = verdict["recommended"]
    assert (config["deployed"]["classifier"], config["deployed"]["comparator"]) == (recommended["classifier"],
                                                                                  recommended["comparator"])
    assert config["config_hash"] == audit.result["config"]["hash"]
    card = (path / "ModelCards" / "deployed_ModelCard.md").read_text()
    for heading in ("## Intended use", "## Metrics (test split)", "## Role of synthetic data", "## Fairness findings",
                    "## Privacy findings", "## Ethical considerations", "## Audit verdict"):
        assert heading in card


@pytest.mark.filterwarnings("ignore::synthlib.errors.UnsignedBundleWarning")
def test_deployed_model_is_the_recommendation_and_takes_raw_rows(bundle):
    audit, path = bundle
    model = load_model(path, "deployed")
    recommended = audit.result["verdict"]["recommended"]
    configuration = (recommended["classifier"], recommended["comparator"])
    assert (model.synthlib_metadata_["classifier"], model.synthlib_metadata_["comparator"]) == configuration
    raw = audit.prepared.raw_test[audit.prepared.features]
    expected, _ = audit.evaluation.test_predictions[configuration]
    assert np.array_equal(model.predict(raw), expected)  # the fitted cleaning is inside the pipeline
    holes = raw.copy()
    holes.iloc[0, 0] = np.nan  # a missing value in a new row is imputed, not a crash
    assert len(model.predict(holes)) == len(holes)


def test_high_risk_augmented_data_is_withheld(bundle, tmp_path):
    from copy import deepcopy

    from synthlib.deploy._bundle import write_bundle

    audit, _ = bundle
    method = next(iter(audit.evaluation.augmented))
    classifier = audit.prepared.config.models.classifiers[0]
    risky = deepcopy(audit)

    entry = next(r for r in risky.result["verdict"]["ranked"] if r["comparator"] == method and r["classifier"] == classifier)
    risky.result["verdict"].update(recommended=entry, comparison=None, status="conditional",
                                   release={"augmented_data": False, "reason": "high privacy risk"})
    path = write_bundle(risky, tmp_path)
    assert not (path / "Datasets" / "augmented_train.csv").exists()
    assert "Withheld: augmented_train.csv" in (path / "README.txt").read_text()
    risky.result["verdict"]["release"] = {"augmented_data": True, "reason": "privacy.allow_release is set"}
    path = write_bundle(risky, tmp_path)
    augmented = pd.read_csv(path / "Datasets" / "augmented_train.csv")
    assert augmented.is_synthetic.sum() > 0


@pytest.mark.filterwarnings("ignore::synthlib.errors.UnsignedBundleWarning")
def test_tampered_model_is_refused(bundle, tmp_path):
    _, path = bundle
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(path, copy)
    with (copy / "TrainedModels" / "deployed.skops").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(BundleError, match="does not match manifest.json.*refusing to load a modified file"):
        load_model(copy, "deployed")
    with pytest.raises(BundleError, match="no model `gbm`"):
        load_model(copy, "gbm")


def _rebundled(audit, tmp_path: Path, recommended: dict, comparison: dict | None) -> tuple[Path, dict]:
    """The bundle of `audit` with another recommendation (and comparison): its folder and its PipelineConfig JSON."""
    from copy import deepcopy

    changed = deepcopy(audit)
    changed.result["verdict"].update(recommended=recommended, comparison=comparison)
    path = write_bundle(changed, tmp_path)
    return path, json.loads((path / "GermanCreditPipelineConfig.json").read_text())


def test_model_card_gives_the_augmentation_numbers_of_results_json(bundle):
    audit, path = bundle
    augmentation = audit.result["augmentation"]
    cards = {role: (path / "ModelCards" / f"{role}_ModelCard.md").read_text() for role in ("deployed", "comparison")}
    augmented = [(role, entry["comparator"]) for role, key in (("deployed", "recommended"), ("comparison", "comparison"))
                 if (entry := audit.result["verdict"].get(key)) and entry["comparator"] in augmentation]
    assert augmented, "the fast German audit should bundle one augmented configuration"
    for role, method in augmented:
        info = augmentation[method]
        removed = info["duplicates_of_real_removed"] + info["duplicates_within_removed"]
        assert (f"after removing {removed} exact duplicates ({info['duplicates_of_real_removed']} copies of real "
                f"training rows, {info['duplicates_within_removed']} within the synthetic rows)") in cards[role]
        assert f"generated {sum(info['generated'].values())} " in cards[role]


def test_smote_enn_card_text_names_the_real_rows_its_cleaning_removed():
    info = {"requested": {"0": 320}, "after_cap": {"0": 320}, "generated": {"0": 233}, "duplicates_of_real_removed": 6,
            "duplicates_within_removed": 1, "real_rows_removed": 431, "real_rows_removed_by_class": {"0": 120, "1": 311},
            "trained_class_counts": {"0": 353, "1": 249}, "trained_ratio": {"0": 353 / 249}}
    text = augmentation_text("smote_enn", info, 1.0, 3.0)
    assert "requested 320 synthetic rows" in text and "generated 233 (233 of class 0)" in text
    assert "removing 7 exact duplicates (6 copies of real training rows, 1 within the synthetic rows)" in text
    assert "removed 431 real training rows (120 of class 0, 311 of class 1)" in text
    assert "353 of class 0, 249 of class 1: minority:majority 1.42:1" in text


def test_pipeline_config_has_augmentation_fields_only_when_synthetic_rows_are_deployed(bundle, tmp_path):
    audit, _ = bundle
    ranked = audit.result["verdict"]["ranked"]
    method = next(iter(audit.evaluation.augmented))
    tuned = next(r for r in ranked if r["comparator"] == "class_weighted")
    augmented = next(r for r in ranked if r["comparator"] == method)
    _, config = _rebundled(audit, tmp_path, tuned, augmented)
    assert {config[k] for k in ("synthetic_method", "augmentation_ratio", "augmentation_file", "validation_file",
                                "max_amplification", "augmentation", "synthetic_validation")} == {None}
    path, config = _rebundled(audit, tmp_path, augmented, tuned)
    assert config["synthetic_method"] == method
    assert config["augmentation_ratio"] == audit.prepared.config.augmentation.sampling_strategy
    assert config["augmentation"] == json.loads(json.dumps(audit.result["augmentation"][method]))


def test_every_deployed_threshold_and_how_it_was_chosen_are_in_the_config_and_the_card(bundle, tmp_path):
    audit, _ = bundle
    for comparator in ("baseline", next(iter(audit.evaluation.augmented))):
        row = next(r for r in audit.result["verdict"]["ranked"] if r["comparator"] == comparator)
        path, config = _rebundled(audit, tmp_path / comparator, row, None)
        model = audit.evaluation.models[(row["classifier"], comparator)]
        test = audit.result["utility"]["test"][row["classifier"]][comparator]
        assert config["deployed"]["decision_threshold"] == pytest.approx(model.threshold) == test["decision_threshold"]
        rule = config["deployed"]["decision_threshold_rule"]
        assert "held-out scores of every cross-validation fold" in rule and "no test row" in rule
        assert audit.prepared.config.evaluation.threshold_rule in rule
        card = (path / "ModelCards" / "deployed_ModelCard.md").read_text()
        assert f"Decision threshold {model.threshold:.3f}, {rule}" in card
        # the saved pipeline predicts at that threshold: its test-split predictions are the audit's
        deployed = read_model(path / "TrainedModels" / "deployed.skops")
        predicted = deployed.predict(audit.prepared.raw_test[audit.prepared.features])
        assert np.isin(predicted, [0]).mean() == pytest.approx(test["predicted_minority_rate"])
        assert config["comparison"] is None and not list((path / "TrainedModels").glob("comparison.*"))


def test_pipeline_config_evaluation_metrics_are_the_deployed_test_split_metrics(bundle):
    audit, path = bundle
    config = json.loads((path / "GermanCreditPipelineConfig.json").read_text())
    recommended = audit.result["verdict"]["recommended"]
    test = audit.result["utility"]["test"][recommended["classifier"]][recommended["comparator"]]
    metrics = config["evaluation_metrics"]
    assert metrics["split"] == "test"
    assert metrics["metrics"] == pytest.approx(test["metrics"])
    assert metrics["ci_95"] == {audit.result["utility"]["protocol"]["primary_metric"]: pytest.approx(test["primary_ci"])}


def test_readme_lists_every_file_of_the_manifest(bundle, tmp_path):
    _, path = bundle
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(path, copy)
    notebook = tmp_path / "report.ipynb"
    notebook.write_text("{}")
    add_to_bundle(copy, notebook)  # what `synthlib render` adds after the report
    listed = {line.split()[0] for line in (copy / "README.txt").read_text().splitlines() if line.startswith("  ")}
    manifest = json.loads((copy / "manifest.json").read_text())["files"]
    assert "report.ipynb" in manifest
    assert set(manifest) | {"manifest.json"} <= listed
    assert verify_bundle(copy) == []
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(BundleError, match="notes.txt cannot be added"):
        add_to_bundle(copy, other)


# Monitor tests (owner H5) --------------------------------------------------------------------------------------
# These build a bundle by the contract in notes/TEAM.md (models saved as the bundle saves them, with skops):
# a whole Pipeline([("clean", Cleaner), ("model", preprocessing + classifier)]) fitted on raw training rows.


def write_contract_bundle(prepared, out: Path, classifier: str = "logistic_regression") -> Path:
    """OutputMaterials with deployed.skops (class-weighted), comparison.skops (plain), PipelineConfig JSON, manifest."""
    bundle = out / "OutputMaterials"
    (bundle / "Datasets").mkdir(parents=True)
    (bundle / "TrainedModels").mkdir()
    encoder = LabelEncoder().fit(prepared.y_train)
    classes = [str(c) for c in encoder.classes_]
    minority = [classes.index(str(m)) for m in prepared.minority_labels]
    y_train, y_test = encoder.transform(prepared.y_train), encoder.transform(prepared.y_test)
    numeric = prepared.numeric + prepared.ordinal
    for name, comparator, weighted in (("deployed", "class_weight", True), ("comparison", "baseline", False)):
        model = Pipeline([("clean", clone(prepared.cleaner)),
                          ("model", make_pipeline(classifier, numeric, prepared.categorical, class_weight=weighted))])
        model.fit(prepared.raw_train[prepared.features], y_train)
        predicted = model.predict(prepared.raw_test[prepared.features])
        metrics = classification_metrics(y_test, model.predict_proba(prepared.raw_test[prepared.features]), predicted,
                                         minority, classes.index(str(prepared.majority_label)))
        model.synthlib_metadata_ = {
            "classes": classes, "classifier": classifier, "comparator": comparator, "uses_synthetic": False,
            "test_metrics": metrics, "predicted_minority_rate_test": float(np.isin(predicted, minority).mean()),
            "features": prepared.features, "config_hash": prepared.config.config_hash}
        assert save_model(model, bundle / "TrainedModels", name)[1] is None  # skops, not the pickle fallback
    prepared.train.to_csv(bundle / "Datasets" / "original_train.csv", index=False)
    prepared.test.to_csv(bundle / "Datasets" / "test_set.csv", index=False)
    config = {"features": prepared.features, "numeric": numeric, "categorical": prepared.categorical,
              "classes": classes, "minority": [str(m) for m in prepared.minority_labels],
              "missing_markers": list(prepared.config.dataset.missing_markers),
              "monitoring": prepared.config.monitoring.model_dump(),
              "deployed": {"model": "deployed", "classifier": classifier, "comparator": "class_weight"}}
    (bundle / "GermanCreditPipelineConfig.json").write_text(json.dumps(config))
    _write_manifest(bundle)
    return bundle


def _write_manifest(bundle: Path) -> None:
    files = {str(p.relative_to(bundle)): sha256(p) for p in sorted(bundle.rglob("*"))
             if p.is_file() and p.name != "manifest.json"}
    (bundle / "manifest.json").write_text(json.dumps({"files": files}))


@pytest.fixture(scope="module")
def german():
    return prepare(load_config(ROOT / "params" / "german_credit.yml"))


@pytest.fixture(scope="module")
def contract_bundle(german, tmp_path_factory):
    return write_contract_bundle(german, tmp_path_factory.mktemp("contract"))


@pytest.fixture()
def raw_test_rows(german):
    """The test split's rows exactly as in the source CSV (missing markers and all)."""
    raw = pd.read_csv(ROOT / "data" / "german_credit.csv")
    return raw.iloc[german.raw_test.index].reset_index(drop=True)


def _monitor(bundle: Path, rows: pd.DataFrame | None, tmp_path: Path, *options: str, data: Path | None = None):
    if data is None:
        data = tmp_path / "new.csv"
        rows.to_csv(data, index=False)
    result = runner.invoke(app, ["monitor", str(bundle), str(data), "--out", str(tmp_path / "out"), *options])
    report = json.loads((tmp_path / "out" / "monitor.json").read_text()) if result.exit_code in (0, 1) else None
    return result, report


def test_monitor_on_the_raw_test_rows_raises_no_alert(contract_bundle, raw_test_rows, tmp_path):
    result, report = _monitor(contract_bundle, raw_test_rows, tmp_path, "--labels", "risk")
    assert result.exit_code == 0, result.output
    assert report["alerts"] == []
    assert not any(f["alert"] for f in report["features"].values())
    deployed = read_model(contract_bundle / "TrainedModels" / "deployed.skops").synthlib_metadata_
    # the deployed pipeline cleans raw rows itself: it reproduces its test-split numbers exactly
    assert report["prevalence"]["predicted_minority_rate"] == pytest.approx(deployed["predicted_minority_rate_test"])
    assert report["performance"]["deployed"]["recall_minority"] == pytest.approx(deployed["test_metrics"]["recall_minority"])
    assert report["performance"]["ab"]["recall_minority"] is not None
    assert (tmp_path / "out" / "monitor.html").read_text().count("<tr>") == 1 + len(report["features"])


def test_flipped_labels_fire_the_recall_alert(contract_bundle, raw_test_rows, tmp_path):
    flipped = raw_test_rows.assign(risk=1 - raw_test_rows.risk)
    result, report = _monitor(contract_bundle, flipped, tmp_path, "--labels", "risk")
    assert result.exit_code == 1, result.output
    performance = report["performance"]
    assert performance["deployed"]["recall_minority"] < performance["recall_floor"]
    assert any(a.startswith("minority recall") for a in report["alerts"])
    assert report["features"] and not any(f["alert"] for f in report["features"].values())  # same rows: no drift


def test_monitor_on_a_shifted_copy_names_the_feature(contract_bundle, raw_test_rows, tmp_path):
    shifted = raw_test_rows.assign(credit_amount=raw_test_rows.credit_amount * 3 + 2000)
    result, report = _monitor(contract_bundle, shifted, tmp_path)
    assert result.exit_code == 1, result.output
    assert any("credit_amount" in a for a in report["alerts"])
    assert not any("`age`" in a for a in report["alerts"])


def test_a_population_predicted_mostly_minority_fires_the_prevalence_alert(contract_bundle, raw_test_rows, tmp_path):
    model = read_model(contract_bundle / "TrainedModels" / "deployed.skops")
    minority = [model.synthlib_metadata_["classes"].index("0")]
    flagged = raw_test_rows[np.isin(model.predict(raw_test_rows), minority)]
    result, report = _monitor(contract_bundle, flagged, tmp_path)
    assert result.exit_code == 1, result.output
    assert report["prevalence"]["predicted_minority_rate"] == 1.0
    assert any(a.startswith("predicted minority rate") for a in report["alerts"])


def test_nan_inf_and_markers_in_new_rows_are_cleaned_like_training_rows(contract_bundle, raw_test_rows, tmp_path):
    rows = raw_test_rows.astype({"credit_amount": float, "age": object})
    rows.loc[[0, 1], "credit_amount"] = [np.nan, np.inf]
    rows.loc[2, "age"] = "-inf"
    rows.loc[3, "housing"] = np.nan
    rows.loc[4, "saving_accounts"] = "?"  # not a marker of this bundle: an unseen category, not an error
    result, report = _monitor(contract_bundle, rows, tmp_path)
    assert result.exit_code == 0, result.output
    cleaning = {(e["action"], e["column"]): e["count"] for e in report["cleaning"]}
    assert cleaning[("infinite to NaN", "credit_amount")] == 1 and cleaning[("infinite to NaN", "age")] == 1
    assert cleaning[("impute median (training value)", "credit_amount")] == 2
    assert cleaning[("impute most_frequent (training value)", "housing")] == 1


def _fails(result, *fragments: str) -> None:
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    for fragment in fragments:
        assert fragment in text, text


def test_monitor_missing_column_is_exit_2_with_its_name(contract_bundle, raw_test_rows, tmp_path):
    result, _ = _monitor(contract_bundle, raw_test_rows.drop(columns="duration"), tmp_path)
    _fails(result, "missing column(s): duration")


def test_text_in_a_numeric_column_is_exit_2(contract_bundle, raw_test_rows, tmp_path):
    rows = raw_test_rows.astype({"age": object})
    rows.loc[5, "age"] = "12a"
    result, _ = _monitor(contract_bundle, rows, tmp_path)
    _fails(result, "column `age` must be numeric, found e.g. '12a'")


def _rewrite(bundle: Path, name: str, text: str | None, rehash: bool) -> None:
    path = bundle / name
    if text is None:
        path.unlink()
    else:
        path.write_text(text)
    if rehash:
        _write_manifest(bundle)


def _edited_config(bundle: Path, **changes) -> str:
    config = json.loads((bundle / "GermanCreditPipelineConfig.json").read_text())
    for key, value in changes.items():
        section, _, sub = key.partition("__")
        if sub:
            config[section][sub] = value
        elif value is None:
            config.pop(section)
        else:
            config[section] = value
    return json.dumps(config)


@pytest.mark.parametrize(("name", "edit", "rehash", "fragments"), [
    ("manifest.json", lambda b: None, False, ["manifest.json is missing"]),
    ("manifest.json", lambda b: (b / "manifest.json").read_text()[:40], False, ["manifest.json is not valid JSON", "truncated or corrupt"]),
    ("manifest.json", lambda b: json.dumps({"files": ["a"]}), False, ["manifest.json: key `files`"]),
    ("GermanCreditPipelineConfig.json", lambda b: "{\"features\": [", False, ["does not match its manifest.json", "GermanCreditPipelineConfig.json"]),
    ("GermanCreditPipelineConfig.json", lambda b: "{\"features\": [", True, ["GermanCreditPipelineConfig.json is not valid JSON"]),
    ("GermanCreditPipelineConfig.json", lambda b: _edited_config(b, monitoring__psi_alert="high"), True,
     ["GermanCreditPipelineConfig.json: key `monitoring.psi_alert`", "'high'"]),
    ("GermanCreditPipelineConfig.json", lambda b: _edited_config(b, classes=None), True,
     ["GermanCreditPipelineConfig.json: key `classes` is missing"]),
    ("TrainedModels/deployed.skops", lambda b: "not a model", False, ["does not match its manifest.json", "deployed.skops"]),
    ("TrainedModels/deployed.skops", lambda b: "not a model", True, ["deployed.skops is truncated or corrupt"]),
])
def test_corrupt_bundle_is_exit_2_with_one_line(contract_bundle, raw_test_rows, tmp_path, name, edit, rehash, fragments):
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(contract_bundle, copy)
    _rewrite(copy, name, edit(copy), rehash)
    result, _ = _monitor(copy, raw_test_rows, tmp_path)
    _fails(result, *fragments)


def test_model_without_the_contract_metadata_is_exit_2(contract_bundle, raw_test_rows, tmp_path):
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(contract_bundle, copy)
    model = read_model(copy / "TrainedModels" / "deployed.skops")
    del model.synthlib_metadata_["predicted_minority_rate_test"]
    save_model(model, copy / "TrainedModels", "deployed")
    _write_manifest(copy)
    result, _ = _monitor(copy, raw_test_rows, tmp_path)
    _fails(result, "synthlib_metadata_: key `predicted_minority_rate_test` is missing")


def test_a_bundle_without_a_recommended_model_says_there_is_nothing_to_monitor(contract_bundle, raw_test_rows, tmp_path):
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(contract_bundle, copy)
    (copy / "TrainedModels" / "deployed.skops").unlink()
    config = json.loads((copy / "GermanCreditPipelineConfig.json").read_text())
    _rewrite(copy, "GermanCreditPipelineConfig.json", json.dumps({**config, "deployed": None}), rehash=True)
    result, _ = _monitor(copy, raw_test_rows, tmp_path)
    _fails(result, "has no deployed model: the audit recommended no configuration")


def test_out_pointing_at_a_file_is_exit_2(contract_bundle, raw_test_rows, tmp_path):
    raw_test_rows.to_csv(tmp_path / "new.csv", index=False)
    (tmp_path / "taken").write_text("x")
    result = runner.invoke(app, ["monitor", str(contract_bundle), str(tmp_path / "new.csv"), "--out", str(tmp_path / "taken")])
    _fails(result, "is a file")


def test_a_model_without_a_cleaner_is_monitored_with_the_bundle_markers(contract_bundle, german, tmp_path):
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(contract_bundle, copy)
    model = read_model(copy / "TrainedModels" / "deployed.skops")
    bare = Pipeline([("model", model.named_steps["model"])])  # fitted on cleaned rows, cannot clean raw ones
    bare.synthlib_metadata_ = model.synthlib_metadata_
    save_model(bare, copy / "TrainedModels", "deployed")
    _write_manifest(copy)
    result, report = _monitor(copy, None, tmp_path, data=copy / "Datasets" / "test_set.csv")
    assert result.exit_code == 0, result.output
    assert report["alerts"] == [] and "no fitted Cleaner" in report["cleaning"][0]["action"]
    rows = pd.read_csv(copy / "Datasets" / "test_set.csv").astype({"credit_amount": float})
    rows.loc[0, "credit_amount"] = np.nan
    result, _ = _monitor(copy, rows, tmp_path)
    _fails(result, "the deployed model cannot score the rows of")


def test_monitor_on_the_exported_bundle_and_the_raw_test_rows_raises_no_alert(bundle, tmp_path):
    audit, path = bundle
    raw = load_dataset(audit.prepared.config).iloc[audit.prepared.raw_test.index]
    result, report = _monitor(path, raw, tmp_path, "--labels", audit.prepared.target)
    assert result.exit_code == 0, result.output
    assert report["alerts"] == []
    recommended = audit.result["verdict"]["recommended"]
    assert (report["models"]["deployed"]["classifier"], report["models"]["deployed"]["comparator"]) == (
        recommended["classifier"], recommended["comparator"])
    deployed = read_model(path / "TrainedModels" / "deployed.skops").synthlib_metadata_
    assert report["performance"]["deployed"]["recall_minority"] == pytest.approx(deployed["test_metrics"]["recall_minority"])
    config = json.loads((path / "GermanCreditPipelineConfig.json").read_text())
    # the bundle states the floor the monitor applies (0.8 x test recall when monitoring.min_minority_recall is unset)
    assert audit.prepared.config.monitoring.min_minority_recall is None
    assert config["monitoring"]["min_minority_recall"] == pytest.approx(0.8 * deployed["test_metrics"]["recall_minority"])
    assert (report["performance"]["recall_floor"], report["performance"]["recall_floor_rule"]) == (
        config["monitoring"]["min_minority_recall"], config["min_minority_recall_rule"])


def test_monitor_applies_the_recall_floor_the_bundle_states(bundle, tmp_path):
    audit, path = bundle
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(path, copy)
    _rewrite(copy, "GermanCreditPipelineConfig.json",
             _edited_config(copy, monitoring__min_minority_recall=0.99, min_minority_recall_rule="set by the operator"),
             rehash=True)
    raw = load_dataset(audit.prepared.config).iloc[audit.prepared.raw_test.index]
    result, report = _monitor(copy, raw, tmp_path, "--labels", audit.prepared.target)
    assert result.exit_code == 1, result.output
    assert report["performance"]["recall_floor"] == 0.99
    assert any(a.endswith("below 0.990 (set by the operator)") for a in report["alerts"])


def test_comparison_card_names_its_augmented_training_set_and_no_card_misplaces_synthetic_text(bundle):
    _, path = bundle
    cards = {p.name: p.read_text() for p in (path / "ModelCards").glob("*.md")}
    config = json.loads(next(path.glob("*PipelineConfig.json")).read_text())
    for role in ("deployed", "comparison"):
        entry, card = config.get(role), cards.get(f"{role}_ModelCard.md")
        if not entry or card is None:
            continue
        if entry["uses_synthetic"]:
            assert "- Training set: `original_train.csv augmented by" in card
            assert "Synthetic rows can amplify" in card
        else:
            assert "- Training set: `original_train.csv`" in card and "Synthetic rows can amplify" not in card
    assert config["test_size"] == config["train_test_ratio"] == 0.2 and 0 < config["training_minority_share"] < 0.5


def test_readme_and_deployed_card_state_the_verdict_status(bundle):
    from synthlib.decide import verdict_sentence

    audit, path = bundle
    sentence = verdict_sentence(audit.result).replace("**", "")
    readme = " ".join((path / "README.txt").read_text().split())
    assert " ".join(sentence.split()) in readme
    card = (path / "ModelCards" / "deployed_ModelCard.md").read_text()
    conditional = audit.result["verdict"]["status"] == "conditional"
    assert ("conditionally recommends deploying" in card) == conditional


def test_a_truncated_model_is_named_truncated_not_a_version_mismatch(contract_bundle, raw_test_rows, tmp_path):
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(contract_bundle, copy)
    model = copy / "TrainedModels" / "deployed.skops"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    _write_manifest(copy)  # re-hashed, so the manifest check passes and the load itself must say what is wrong
    result, _ = _monitor(copy, raw_test_rows, tmp_path)
    _fails(result, "deployed.skops is truncated or corrupt", "export the bundle again")
    assert "install the synthlib" not in result.output


def test_a_column_missing_in_every_new_row_is_an_alert(contract_bundle, raw_test_rows, tmp_path):
    rows = raw_test_rows.assign(credit_amount=np.nan, duration=np.inf)
    result, report = _monitor(contract_bundle, rows, tmp_path)
    assert result.exit_code == 1, result.output
    alerts = " ".join(report["alerts"])
    assert "`credit_amount` is missing in every new row" in alerts and "ignore this column" in alerts
    assert "`duration` is infinite in every new row" in alerts
    assert "`age`" not in alerts


def test_new_data_in_another_encoding_needs_and_takes_encoding(contract_bundle, raw_test_rows, tmp_path):
    rows = raw_test_rows.astype({"housing": object})
    rows.loc[0, "housing"] = "propri\u00e9t\u00e9"  # an unseen category, written in latin-1 below
    data = tmp_path / "latin.csv"
    rows.to_csv(data, index=False, encoding="latin-1")
    result, _ = _monitor(contract_bundle, None, tmp_path, data=data)
    _fails(result, "latin.csv is not valid utf-8", "set --encoding")
    result, report = _monitor(contract_bundle, None, tmp_path / "second", "--encoding", "latin-1", data=data)
    assert result.exit_code in (0, 1), result.output
    assert report["rows"] == len(rows)
