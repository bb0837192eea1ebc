"""The audit cache key covers everything that changes the numbers (issue 17 item 16)."""

from __future__ import annotations

from synthlib.config import load_config
from synthlib.prepare._prepare import prepare
from synthlib.runner import _audit as audit

from .conftest import ROOT


def test_cache_key_changes_with_library_versions_and_resolved_devices(monkeypatch):
    prepared = prepare(load_config(ROOT / "params" / "german_credit.yml"))
    config = prepared.config
    key = audit.cache_key(config, prepared)
    assert audit.cache_key(config, prepared) == key  # stable for the same inputs
    real_versions = audit.versions
    monkeypatch.setattr(audit, "versions", lambda: {**real_versions(), "scikit-learn": "0.0.1"})
    assert audit.cache_key(config, prepared) != key
    monkeypatch.setattr(audit, "versions", real_versions)
    monkeypatch.setattr(audit, "resolved_devices", lambda config, n_train: {"generators": "cuda", "xgboost": "cuda"})
    assert audit.cache_key(config, prepared) != key
    monkeypatch.undo()
    assert audit.cache_key(config, prepared) == key
    monkeypatch.setattr(audit, "code_digest", lambda: "0" * 64)  # other synthlib code, even at the same version
    assert audit.cache_key(config, prepared) != key


def test_code_digest_changes_with_any_source_file_in_any_stage(tmp_path):
    assert audit.PACKAGE.name == "synthlib" and (audit.PACKAGE / "decide" / "_verdict.py").is_file()
    package = tmp_path / "synthlib"
    (package / "decide").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    nested = package / "decide" / "_verdict.py"
    nested.write_text("RULE = 1\n")
    before = audit.source_digest(package)
    nested.write_text("RULE = 2\n")  # an edit two folders down
    edited = audit.source_digest(package)
    assert edited != before
    (package / "decide" / "_new.py").write_text("")  # a new module
    assert audit.source_digest(package) != edited
    (package / "notes.txt").write_text("not code")  # not a source file
    assert audit.source_digest(package) == audit.source_digest(package)
    assert audit.code_digest() == audit.source_digest(audit.PACKAGE)
