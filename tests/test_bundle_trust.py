"""A bundle that can be trusted: skops models that load without running code, and a signed manifest."""

from __future__ import annotations

import json
import pickle
import shutil
import stat
import warnings
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from typer.testing import CliRunner

from synthlib.cli import app
from synthlib.deploy import check_bundle, keygen, load_model, read_model, sha256, sign_bundle
from synthlib.deploy._bundle import add_to_bundle, deployable, write_bundle
from synthlib.deploy._models import is_trusted, save_model
from synthlib.errors import BundleError, ConfigError, UnsignedBundleWarning
from synthlib.prepare._io import load_dataset

from .conftest import fast_german_audit

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore::synthlib.errors.UnsignedBundleWarning")  # tested on its own below


class Planted:
    """A malicious object: rebuilding it (pickle's `__reduce__`, or skops trusting its type) writes a file."""

    def __init__(self, target: str) -> None:
        Path(target).write_text("code from the model file ran")

    def __reduce__(self):
        return Planted, (self.target,)


def planted(target: Path) -> Planted:
    """A `Planted` made without running its constructor (so making it writes nothing)."""
    obj = Planted.__new__(Planted)
    obj.target = str(target)
    return obj


class Unlisted(TransformerMixin, BaseEstimator):
    """A harmless transformer from outside the trusted packages (this test module)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """A fast German credit audit in a copy of the example project: the audit and its project."""
    project = tmp_path_factory.mktemp("project")
    return (*fast_german_audit(project), project)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return keygen(tmp_path_factory.mktemp("keys") / "signer")


@pytest.fixture()
def signed(audited, keys, tmp_path):
    """A signed copy of the bundle."""
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(audited[1], copy)
    sign_bundle(copy, keys[0])
    return copy


def _rehash(bundle: Path) -> None:
    """Rewrite manifest.json from the files now in the bundle, as an attacker who changed a file would."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"] = {str(p.relative_to(bundle)): sha256(p) for p in sorted(bundle.rglob("*"))
                         if p.is_file() and p.name not in ("manifest.json", "manifest.sig")}
    (bundle / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _raw_test(audit) -> pd.DataFrame:
    return load_dataset(audit.prepared.config).iloc[audit.prepared.raw_test.index]


def _one_line_exit_2(result, *fragments: str) -> None:
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    for fragment in fragments:
        assert fragment in text, text


def _monitor(bundle: Path, audit, tmp_path: Path, *options: str):
    data = tmp_path / "new.csv"
    _raw_test(audit).to_csv(data, index=False)
    return runner.invoke(app, ["monitor", str(bundle), str(data), "--out", str(tmp_path / "monitor"), *options])


# Models without pickle --------------------------------------------------------------------------------------------


def test_models_are_skops_files_whose_round_trip_predicts_identically(audited, keys, signed):
    audit, bundle, _ = audited
    assert sorted(p.name for p in (bundle / "TrainedModels").iterdir()) == ["comparison.skops", "deployed.skops"]
    config = json.loads(next(bundle.glob("*PipelineConfig.json")).read_text())
    raw = audit.prepared.raw_test[audit.prepared.features]
    for role in ("deployed", "comparison"):
        assert (config[role]["model_file"], config[role]["model_format"]) == (f"TrainedModels/{role}.skops", "skops")
        loaded = load_model(signed, role, public_key=keys[1])
        in_memory = deployable(audit, (config[role]["classifier"], config[role]["comparator"]))
        assert np.array_equal(loaded.predict(raw), in_memory.predict(raw))
        assert np.array_equal(loaded.predict_proba(raw), in_memory.predict_proba(raw))  # bit for bit
        assert loaded.synthlib_metadata_["classifier"] == config[role]["classifier"]
        card = (bundle / "ModelCards" / f"{role}_ModelCard.md").read_text()
        assert f"`TrainedModels/{role}.skops`, a skops file" in card
    readme = (bundle / "README.txt").read_text()
    assert "TrainedModels/deployed.skops" in readme and ".pkl" not in readme


def test_a_planted_object_that_writes_a_file_is_refused_and_never_runs(audited, tmp_path):
    _, bundle, _ = audited
    target = tmp_path / "written-by-the-model-file"
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(bundle, copy)
    model = read_model(copy / "TrainedModels" / "deployed.skops")
    model.synthlib_metadata_["note"] = planted(target)
    sio.dump(model, copy / "TrainedModels" / "deployed.skops")
    _rehash(copy)  # the manifest agrees: only the loader's allow-list stands between the file and the code
    with pytest.raises(BundleError, match=r"`tests\.test_bundle_trust\.Planted` outside the trusted packages"):
        load_model(copy, "deployed")
    result = _monitor(copy, audited[0], tmp_path)
    _one_line_exit_2(result, "deployed.skops holds type `tests.test_bundle_trust.Planted`", "refusing to load it")
    assert not target.exists()
    # the plant is real: a loader that trusted every type in the file would have run it
    sio.load(copy / "TrainedModels" / "deployed.skops", trusted=sio.get_untrusted_types(file=copy / "TrainedModels" / "deployed.skops"))
    assert target.exists()


def test_a_planted_pickle_is_refused_without_allow_pickle_and_never_runs(audited, tmp_path):
    _, bundle, _ = audited
    target = tmp_path / "written-by-the-pickle"
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(bundle, copy)
    (copy / "TrainedModels" / "deployed.skops").unlink()
    (copy / "TrainedModels" / "deployed.pkl").write_bytes(pickle.dumps(planted(target)))
    _rehash(copy)
    with pytest.raises(BundleError, match="deployed.pkl is a pickle.*runs any code.*allow_pickle=True"):
        load_model(copy, "deployed")
    _one_line_exit_2(_monitor(copy, audited[0], tmp_path), "deployed.pkl is a pickle", "--allow-pickle")
    assert not target.exists()
    # a pickle renamed to .skops is not opened as a pickle either
    (copy / "TrainedModels" / "deployed.pkl").rename(copy / "TrainedModels" / "deployed.skops")
    with pytest.raises(BundleError, match="deployed.skops is truncated or corrupt"):
        read_model(copy / "TrainedModels" / "deployed.skops")
    assert not target.exists()


def _crafted_skops(path: Path, target: Path) -> None:
    """A skops file, written by hand, whose only node calls `numpy.save(target, [1, 2])` when rebuilt."""
    def text(value) -> dict:
        return {"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode", "content": json.dumps(value),
                "is_json": True, "__id__": len(str(value))}

    schema = {"__class__": "save", "__module__": "numpy", "__loader__": "ConstructorFromReduceNode",
              "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode",
                          "content": [text(str(target)), text([1, 2])], "__id__": 2},
              "__id__": 1, "protocol": sio._protocol.PROTOCOL, "_skops_version": "0.16.0"}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))


def test_a_trusted_package_function_called_from_the_file_is_refused(tmp_path):
    """The package prefix alone would trust `numpy.save`; a node that calls it is refused, and nothing is written."""
    path, target = tmp_path / "crafted.skops", tmp_path / "written-by-numpy-save.npy"
    _crafted_skops(path, target)
    with pytest.raises(BundleError, match=r"holds `numpy.save` \(ConstructorFromReduceNode\), rebuilt by calling"):
        read_model(path)
    assert not target.exists()
    sio.load(path, trusted=sio.get_untrusted_types(file=path))  # the plant is real: trusting its types runs it
    assert target.exists()


def test_an_unknown_type_is_refused_by_name(tmp_path):
    path = tmp_path / "model.skops"
    sio.dump({"share": Fraction(1, 3), "step": Unlisted()}, path)
    with pytest.raises(BundleError) as refused:
        read_model(path)
    message = str(refused.value)
    assert "`tests.test_bundle_trust.Unlisted`" in message and "`fractions.Fraction`" in message
    assert "outside the trusted packages (sklearn, imblearn, xgboost, numpy, scipy, synthlib)" in message
    assert is_trusted("sklearn.pipeline.Pipeline") and is_trusted("numpy.dtype") and is_trusted("xgboost.core.Booster")
    assert not any(map(is_trusted, ["numpyx.Evil", "builtins.eval", "posix.system", "sklearnx.Pipeline"]))


def test_a_component_skops_cannot_store_is_named_and_pickled_behind_allow_pickle(audited, tmp_path, caplog):
    audit, bundle, _ = audited
    model = read_model(bundle / "TrainedModels" / "deployed.skops")
    odd = Pipeline([("clean", model.named_steps["clean"]), ("odd", Unlisted()), ("model", model.named_steps["model"])])
    path, reason = save_model(odd, tmp_path, "deployed")
    assert path.name == "deployed.pkl" and not (tmp_path / "deployed.skops").exists()
    assert reason.startswith("component `deployed.odd` (Unlisted): it holds type `tests.test_bundle_trust.Unlisted`")
    assert "deployed.pkl written as a pickle, not skops" in caplog.text
    with pytest.raises(BundleError, match="is a pickle"):
        read_model(path)
    raw = audit.prepared.raw_test[audit.prepared.features]
    assert np.array_equal(read_model(path, allow_pickle=True).predict(raw), model.predict(raw))
    # in a bundle: refused by monitor and load_model unless the caller allows pickles
    copy = tmp_path / "OutputMaterials"
    shutil.copytree(bundle, copy)
    (copy / "TrainedModels" / "deployed.skops").unlink()
    odd.synthlib_metadata_ = model.synthlib_metadata_
    save_model(odd, copy / "TrainedModels", "deployed")
    _rehash(copy)
    _one_line_exit_2(_monitor(copy, audit, tmp_path), "deployed.pkl is a pickle", "--allow-pickle")
    result = _monitor(copy, audit, tmp_path, "--allow-pickle")
    assert result.exit_code == 0, result.output
    assert np.array_equal(load_model(copy, "deployed", allow_pickle=True).predict(raw), model.predict(raw))


def test_a_bundle_model_skops_cannot_store_is_pickled_and_every_file_says_why(audited, tmp_path, monkeypatch):
    """As if XGBoost were outside the trusted packages: the bundle names the component, pickles only that model."""
    audit, _, _ = audited
    monkeypatch.setattr("synthlib.deploy._models.TRUSTED_PACKAGES", ("sklearn", "imblearn", "numpy", "scipy", "synthlib"))
    bundle = write_bundle(audit, tmp_path)
    config = json.loads(next(bundle.glob("*PipelineConfig.json")).read_text())
    pickled = [role for role in ("deployed", "comparison") if config[role]["classifier"] == "xgboost"]
    assert pickled, "the fast German audit deploys XGBoost"
    for role in pickled:
        reason = config[role]["pickle_reason"]
        assert (config[role]["model_file"], config[role]["model_format"]) == (f"TrainedModels/{role}.pkl", "pickle")
        assert f"component `{role}.model.estimator.classifier` (XGBClassifier)" in reason
        assert "`xgboost.sklearn.XGBClassifier`" in reason
        assert "allow_pickle=True" in (bundle / "ModelCards" / f"{role}_ModelCard.md").read_text()
    readme = " ".join((bundle / "README.txt").read_text().split())
    assert "a pickle, because skops cannot store component" in readme and "--allow-pickle" in readme
    with pytest.raises(BundleError, match="is a pickle"):
        load_model(bundle, pickled[0])
    load_model(bundle, pickled[0], allow_pickle=True)


# A signed manifest ------------------------------------------------------------------------------------------------


def test_keygen_writes_an_ed25519_pair_with_a_private_file_and_never_overwrites(tmp_path):
    result = runner.invoke(app, ["keygen", str(tmp_path / "keys")])
    assert result.exit_code == 0, result.output
    private, public = tmp_path / "keys" / "synthlib_signing_key.pem", tmp_path / "keys" / "synthlib_signing_key.pub.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    before = private.read_bytes()
    _one_line_exit_2(runner.invoke(app, ["keygen", str(tmp_path / "keys")]), "exist already", "never overwrites")
    assert private.read_bytes() == before
    public.unlink()  # one key left is still refused
    with pytest.raises(ConfigError, match="synthlib_signing_key.pem exists already"):
        keygen(tmp_path / "keys")


def test_a_signed_bundle_verifies(signed, keys, audited, tmp_path):
    assert (signed / "manifest.sig").stat().st_size == 64
    assert check_bundle(signed, keys[1]).startswith("signature verified")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checked signature: no unsigned note
        load_model(signed, "deployed", public_key=keys[1])
    result = _monitor(signed, audited[0], tmp_path, "--public-key", str(keys[1]))
    assert result.exit_code == 0, result.output
    assert "signature verified" in result.output and "every file matches it" in result.output


@pytest.mark.parametrize("rehash", [False, True])
def test_a_one_byte_flip_in_a_model_is_refused_with_a_public_key(signed, keys, audited, tmp_path, rehash):
    _flip_one_byte(signed / "TrainedModels" / "deployed.skops")
    if rehash:
        _rehash(signed)
    expected = "manifest.sig does not match manifest.json" if rehash else "missing or modified: TrainedModels/deployed.skops"
    for call in (lambda: check_bundle(signed, keys[1]), lambda: load_model(signed, "deployed", public_key=keys[1])):
        with pytest.raises(BundleError, match=expected):
            call()
    _one_line_exit_2(_monitor(signed, audited[0], tmp_path, "--public-key", str(keys[1])), expected)


def test_a_flip_in_any_listed_file_is_refused_and_another_key_does_not_verify(signed, keys, tmp_path):
    _flip_one_byte(signed / "Datasets" / "test_set.csv")
    with pytest.raises(BundleError, match="missing or modified: Datasets/test_set.csv"):
        load_model(signed, "deployed", public_key=keys[1])
    _flip_one_byte(signed / "Datasets" / "test_set.csv")  # back as it was
    other = keygen(tmp_path / "other")
    with pytest.raises(BundleError, match="manifest.sig does not match manifest.json under key"):
        check_bundle(signed, other[1])


def test_a_missing_signature_is_refused_when_a_public_key_is_given(signed, keys, audited, tmp_path):
    (signed / "manifest.sig").unlink()
    with pytest.raises(BundleError, match="has no manifest.sig: the bundle is unsigned"):
        load_model(signed, "deployed", public_key=keys[1])
    _one_line_exit_2(_monitor(signed, audited[0], tmp_path, "--public-key", str(keys[1])), "has no manifest.sig")


def test_adding_the_report_notebook_drops_the_now_stale_signature(signed, keys, tmp_path):
    notebook = tmp_path / "report.ipynb"
    notebook.write_text("{}")
    add_to_bundle(signed, notebook)
    assert not (signed / "manifest.sig").exists()
    sign_bundle(signed, keys[0])
    assert check_bundle(signed, keys[1]).startswith("signature verified")


def test_without_keys_loading_works_as_before_with_a_note_that_the_bundle_is_unsigned(audited, tmp_path):
    audit, bundle, _ = audited
    with pytest.warns(UnsignedBundleWarning, match="is unsigned"):
        model = load_model(bundle, "deployed")
    assert len(model.predict(audit.prepared.raw_test[audit.prepared.features])) == len(audit.prepared.raw_test)
    result = _monitor(bundle, audit, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("note: ") and "is unsigned (no manifest.sig)" in result.output


def test_key_files_of_the_wrong_kind_are_one_line(signed, keys, audited, tmp_path):
    _one_line_exit_2(_monitor(signed, audited[0], tmp_path, "--public-key", str(keys[0])), "is a private key")
    with pytest.raises(ConfigError, match="is not a PEM private key .it is a public key"):
        sign_bundle(signed, keys[1])
    _one_line_exit_2(_monitor(signed, audited[0], tmp_path, "--public-key", str(tmp_path / "nowhere.pem")),
                     "is not a file")


def test_run_signs_the_bundle_with_sign_key_and_notes_an_unsigned_one(audited, keys, tmp_path):
    _, _, project = audited
    params = str(project / "params" / "german_credit.yml")
    out = tmp_path / "signed-run"
    result = runner.invoke(app, ["run", params, "--fast", "--out", str(out), "--sign-key", str(keys[0])])
    assert result.exit_code == 0, result.output
    assert check_bundle(out / "OutputMaterials", keys[1]).startswith("signature verified")
    result = runner.invoke(app, ["run", params, "--fast", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "OutputMaterials" / "manifest.sig").exists() and "is unsigned" in result.output
    # a wrong key stops the command before the audit runs: nothing is written
    result = runner.invoke(app, ["run", params, "--fast", "--out", str(tmp_path / "never"), "--sign-key", str(keys[1])])
    _one_line_exit_2(result, "--sign-key", "is not a PEM private key")
    assert not (tmp_path / "never").exists()
