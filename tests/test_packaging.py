"""The package metadata: no setuptools deprecation on install (the license is an SPDX string), and XGBoost comes as
the CPU-only `xgboost-cpu` where that wheel exists, a distribution name `versions()` knows."""

from __future__ import annotations

import sys
import warnings

import pytest

from synthlib.runner._audit import DISTRIBUTIONS

from .conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

PYPROJECT = ROOT / "pyproject.toml"


def test_setuptools_reads_the_metadata_without_a_deprecation_warning():
    pytest.importorskip("setuptools")
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        apply_configuration(Distribution(), str(PYPROJECT))
    assert not [str(w.message) for w in caught if "deprecat" in str(w.message).lower()]


def test_license_is_an_spdx_string_and_xgboost_is_cpu_only_where_a_wheel_exists():
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["license"] == "MIT"
    xgboost = [d for d in project["dependencies"] if d.startswith("xgboost")]
    assert sorted(d.split(">")[0] for d in xgboost) == ["xgboost", "xgboost-cpu"]
    assert all(d.split(">")[0] in DISTRIBUTIONS["xgboost"] for d in xgboost)
    assert "platform_system != 'Darwin'" in next(d for d in xgboost if d.startswith("xgboost-cpu"))
