"""Bundle: files match the manifest, tampering is refused, models reload; monitor raises the right alerts."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.errors import BundleError
from synthlib.export import load_model, sha256, verify_bundle
from synthlib.pipeline import run

from .conftest import ROOT

runner = CliRunner()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    audit, out_dir = run(ROOT / "params" / "german_credit.yml", fast=True, project_root=ROOT, out_dir=out / "german_credit")
    return audit, out_dir / "OutputMaterials"


def test_bundle_layout_and_manifest(bundle):
    audit, path = bundle
    manifest = json.loads((path / "manifest.json").read_text())["files"]
    expected = {"Datasets/original_train.csv", "Datasets/augmented_train.csv", "Datasets/test_set.csv", "README.txt",
                "GermanCreditPipelineConfig.json", "TrainedModels/xgboost_original.pkl", "TrainedModels/xgboost_augmented.pkl",
                "ModelCards/logistic_regression_augmented_ModelCard.md"}
    assert expected <= set(manifest)
    assert all(sha256(path / name) == digest for name, digest in manifest.items())
    assert verify_bundle(path) == []
    augmented = pd.read_csv(path / "Datasets" / "augmented_train.csv")
    assert {"is_synthetic", "synthetic_method"} <= set(augmented.columns)
    assert augmented.is_synthetic.sum() > 0 and set(augmented.loc[augmented.is_synthetic, "risk"]) == {0}
    pd.testing.assert_frame_equal(pd.read_csv(path / "Datasets" / "test_set.csv"), audit.prepared.test.reset_index(drop=True))
    config = json.loads((path / "GermanCreditPipelineConfig.json").read_text())
    for key in ("dataset_name", "features", "train_test_ratio", "random_state", "synthetic_method", "augmentation_ratio",
                "augmentation_file", "pipeline_name", "validation_file", "evaluation_metrics", "data_file_names",
                "versions", "config_hash"):
        assert key in config
    card = (path / "ModelCards" / "xgboost_augmented_ModelCard.md").read_text()
    for heading in ("## Intended use", "## Metrics (test split)", "## Role of synthetic data", "## Fairness findings",
                    "## Privacy findings", "## Ethical considerations"):
        assert heading in card


def test_loaded_model_predicts_like_the_original(bundle):
    audit, path = bundle
    model = load_model(path, "xgboost_augmented")
    method = model.synthlib_metadata_["synthetic_method"]
    expected, _ = audit.evaluation.test_predictions[("xgboost", method)]
    assert np.array_equal(model.predict(audit.prepared.X_test), expected)
    assert model.synthlib_metadata_["augmentation"]["generated"]


def test_tampered_model_is_refused(bundle, tmp_path):
    _, path = bundle
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(path, copy)
    with (copy / "TrainedModels" / "xgboost_original.pkl").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(BundleError, match="does not match manifest.json.*refusing to unpickle"):
        load_model(copy, "xgboost_original")
    with pytest.raises(BundleError, match="no model `gbm`"):
        load_model(copy, "gbm")


def test_monitor_on_the_test_split_raises_no_alert(bundle, tmp_path):
    _, path = bundle
    result = runner.invoke(app, ["monitor", str(path), str(path / "Datasets" / "test_set.csv"), "--labels", "risk",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "monitor.json").read_text())
    assert report["alerts"] == []
    assert "recall_minority" in report["performance"]["augmented"]
    assert (tmp_path / "monitor.html").read_text().count("<tr>") >= 9


def test_monitor_on_a_shifted_copy_names_the_feature(bundle, tmp_path):
    _, path = bundle
    shifted = pd.read_csv(path / "Datasets" / "test_set.csv")
    shifted["credit_amount"] = shifted["credit_amount"] * 3 + 2000
    shifted.to_csv(tmp_path / "shifted.csv", index=False)
    result = runner.invoke(app, ["monitor", str(path), str(tmp_path / "shifted.csv"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    alerts = json.loads((tmp_path / "monitor.json").read_text())["alerts"]
    assert any("credit_amount" in a for a in alerts)
    assert not any("`age`" in a for a in alerts)


def test_monitor_missing_column_is_exit_2_with_its_name(bundle, tmp_path):
    _, path = bundle
    pd.read_csv(path / "Datasets" / "test_set.csv").drop(columns="duration").to_csv(tmp_path / "cut.csv", index=False)
    result = runner.invoke(app, ["monitor", str(path), str(tmp_path / "cut.csv")])
    assert result.exit_code == 2
    assert "missing column(s): duration" in " ".join(result.output.split())
    assert "Traceback" not in result.output
