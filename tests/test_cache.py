"""The audit cache key covers everything that changes the numbers (issue 17 item 16)."""

from __future__ import annotations

from synthlib import audit
from synthlib.config import load_config
from synthlib.data import prepare

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


def test_code_digest_covers_every_source_file_of_the_package():
    import hashlib
    from pathlib import Path

    package = Path(audit.__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    assert package / "verdict.py" in files and package / "samplers" / "__init__.py" in files
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    assert audit.code_digest() == digest.hexdigest()
