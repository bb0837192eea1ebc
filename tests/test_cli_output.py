"""What the CLI prints when its output is piped (a log, CI, `| tee`): commands and paths it suggests stay on one
line, whatever their length, so they can be copied; `check` estimates the run's duration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def _synthlib(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}  # no terminal width to go by
    return subprocess.run([sys.executable, "-m", "synthlib", *arguments], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=True)


def test_a_suggested_command_is_one_line_when_piped(tmp_path):
    folder = tmp_path / "an-audit-project-whose-name-is-long-enough-to-pass-eighty-columns"
    lines = _synthlib("init", str(folder), cwd=tmp_path).stdout.splitlines()
    command = f"next: cd {folder} && synthlib check params/german_credit.yml && synthlib render german_credit"
    assert len(command) > 80 and command in lines, lines
    assert f"created {folder / 'params' / 'german_credit.yml'}" in lines


def test_check_estimates_the_duration_on_one_line(tmp_path):
    params = ROOT / "params" / "german_credit.yml"
    lines = _synthlib("check", str(params), cwd=tmp_path).stdout.splitlines()
    estimate = [line for line in lines if line.startswith("estimated duration: ")]
    assert len(estimate) == 1 and re.search(r"roughly \d+ (s|min \d\d s) on \d+ cores?", estimate[0]), lines
    assert "rough estimate" in estimate[0]
    assert any(line.startswith(f"valid: {params} (config hash") for line in lines), lines
