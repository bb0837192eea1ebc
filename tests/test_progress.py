"""Progress lines during the evaluation grid (issue 25): on stderr and in run.log, at a fixed interval, with the
fits done, the elapsed time and an estimate of the time left; the results are the same with and without them."""

from __future__ import annotations

import io
import json
import re
import time

import pytest

from synthlib.augment import SMOTESampler
from synthlib.config import load_config, with_overrides
from synthlib.evaluate._evaluation import evaluate
from synthlib.prepare._prepare import prepare
from synthlib.utils import GridProgress, duration, json_default, parallel_counted, run_log

from .conftest import ROOT

LINE = re.compile(r"evaluation grid: (\d+)/(\d+) model fits \(\d+%\), .+ elapsed, (about .+ left|time left not known)")


def _sleep_then(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def test_a_line_every_interval_even_while_no_task_finishes():
    stream = io.StringIO()
    with GridProgress(total=40, every=0.1, stream=stream) as progress:
        time.sleep(0.35)  # nothing finished yet: still a line each 0.1 s
        progress.advance(10)
        time.sleep(0.25)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 4, lines
    assert all(LINE.search(line) for line in lines), lines
    assert "0/40 model fits (0%)" in lines[0] and "time left not known" in lines[0]
    assert "10/40 model fits (25%)" in lines[-1] and "left" in lines[-1]


def test_time_left_extrapolates_from_the_fits_done():
    progress = GridProgress(total=100, every=60)
    progress.start -= 30  # 30 s elapsed
    progress.advance(25)
    assert progress.line().endswith("30 s elapsed, about 1 min 30 s left")
    assert [duration(s) for s in (5, 425, 3720)] == ["5 s", "7 min 05 s", "1 h 02 min"]


def test_parallel_results_keep_their_order_and_every_task_is_counted():
    progress = GridProgress(total=6, every=60)
    seconds = [0.3, 0.2, 0.1, 0.0]  # the first task finishes last
    results = parallel_counted(_sleep_then, [(s, i) for i, s in enumerate(seconds)], 2, progress, [3, 1, 1, 1])
    assert results == [0, 1, 2, 3]
    assert progress.done == 6


@pytest.fixture(scope="module")
def prepared():
    small = {"models": {"classifiers": ["logistic_regression"]},
             "evaluation": {"cv_folds": 3, "cv_repeats": 2, "n_jobs": 2, "n_bootstrap": 100}}
    return prepare(with_overrides(load_config(ROOT / "params" / "german_credit.yml"), small))


class SlowSMOTE(SMOTESampler):
    """SMOTE that takes 0.1 s longer, so the grid lasts a few progress intervals."""

    def fit_resample(self, X, y, **params):
        time.sleep(0.1)
        return super().fit_resample(X, y, **params)


def test_evaluation_grid_writes_progress_to_stderr_and_the_run_log(prepared, tmp_path, capsys):
    samplers = {"smote": SlowSMOTE(random_state=0)}
    quiet = evaluate(prepared, samplers, progress_every=3600).utility.to_json()
    assert "evaluation grid:" not in capsys.readouterr().err
    with run_log(tmp_path / "run.log"):
        counted = evaluate(prepared, samplers, progress_every=0.05).utility.to_json()
    stderr = [line for line in capsys.readouterr().err.splitlines() if LINE.search(line)]
    logged = [line for line in (tmp_path / "run.log").read_text().splitlines() if LINE.search(line)]
    assert stderr and len(logged) == len(stderr)
    # 3 comparators (2 baselines + smote) x 1 classifier x (6 folds + 1 final fit)
    assert {int(LINE.search(line).group(2)) for line in stderr} == {21}
    done = [int(LINE.search(line).group(1)) for line in stderr]
    assert done == sorted(done) and done[-1] <= 21
    assert json.dumps(quiet, default=json_default) == json.dumps(counted, default=json_default)
