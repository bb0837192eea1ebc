"""One sampler interface for eight methods: ratios, caps, dtypes, categories, seeds, contract checks."""

from __future__ import annotations

import json
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import _yield_all_checks
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from synthlib.assess._fidelity import compute_evaluation_metrics
from synthlib.augment import SAMPLERS, make_sampler
from synthlib.augment._base import thin_losses
from synthlib.config import load_config, with_overrides
from synthlib.errors import SamplingError
from synthlib.evaluate._evaluation import evaluate
from synthlib.prepare._prepare import prepare
from synthlib.report._context import ReportContext
from synthlib.report._prose import render_block
from synthlib.runner._audit import augmentation_section, run_audit
from synthlib.runner._repeats import seed_variance

from .conftest import ROOT, toy_config, toy_frame

FAST = {"ctgan": {"epochs": 3}, "tvae": {"epochs": 3}, "diffusion": {"epochs": 20}}
NOT_APPLICABLE = {
    "check_samplers_sparse": "mixed-type tables are dense; sparse input is refused with a clear TypeError",
    "check_samplers_pandas_sparse": "as above",
}
DEEP_CHECKS = {"check_target_type", "check_samplers_one_label", "check_samplers_fit",
               "check_samplers_sampling_strategy_fit_resample", "check_samplers_2d_target",
               "check_sampler_get_feature_names_out", "check_sampler_get_feature_names_out_pandas"}


def augmentation_comment(result: dict) -> str:
    return " ".join(render_block("method_selection", "augmentation_comment", result).split())


def sampler(method: str, **params):
    return SAMPLERS[method](random_state=0, **{**FAST.get(method, {}), **params})


@pytest.fixture(scope="module")
def german():
    prepared = prepare(load_config(ROOT / "params" / "german_credit.yml"))
    return prepared.X_train.reset_index(drop=True), prepared.y_train.reset_index(drop=True), prepared.categorical


@pytest.fixture(scope="module")
def resampled(german):
    X, y, categorical = german
    out = {}
    for method in SAMPLERS:
        s = sampler(method, categorical_features=categorical)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[method] = (s, *s.fit_resample(X, y))
    return out


@pytest.mark.parametrize("method", list(SAMPLERS))
def test_only_the_minority_grows_and_real_rows_are_unchanged(german, resampled, method):
    X, y, _ = german
    s, X_res, y_res = resampled[method]
    kept = s.kept_real_
    pd.testing.assert_frame_equal(X_res.iloc[:len(kept)], X.iloc[kept].reset_index(drop=True))
    synthetic_labels = y_res.iloc[len(kept):]
    assert set(synthetic_labels) == {0}  # only bad-credit rows are generated
    assert len(synthetic_labels) == s.generated_[0] > 0
    if method != "smote_enn":
        assert (y_res == 1).sum() == (y == 1).sum()
        assert len(kept) == len(X)


@pytest.mark.parametrize("method", list(SAMPLERS))
def test_dtypes_categories_integers_and_ranges_are_preserved(german, resampled, method):
    X, y, categorical = german
    s, X_res, _ = resampled[method]
    synthetic = X_res.iloc[len(s.kept_real_):]
    assert (X_res.dtypes == X.dtypes).all()
    for column in categorical:
        assert set(synthetic[column]) <= set(X[column])
    minority = X[y == 0]
    for column in ("credit_amount", "duration", "age", "job"):
        assert (synthetic[column] == synthetic[column].round()).all()
        assert synthetic[column].between(minority[column].min(), minority[column].max()).all()


def adasyn_count(X: pd.DataFrame, y: pd.Series, categorical: list[str], n_requested: int, k: int = 5) -> tuple[int, int]:
    """ADASYN's own count for class 0 (imbalanced-learn): each minority row's share of majority neighbours times the
    request, rounded per row; and how many rows were rounded (each by at most half a row)."""
    from sklearn.neighbors import NearestNeighbors

    from synthlib.augment._encoding import TableEncoder

    Z, y = TableEncoder(categorical).fit_transform(X), np.asarray(y)
    members = np.flatnonzero(y == 0)
    neighbours = NearestNeighbors(n_neighbors=k + 1).fit(Z).kneighbors(Z[members], return_distance=False)[:, 1:]
    share = (y[neighbours] != 0).sum(axis=1) / k
    return int(np.rint(share / share.sum() * n_requested).sum()), int((share > 0).sum())


def assert_counts(s, X: pd.DataFrame, y: pd.Series, categorical: list[str], X_res: pd.DataFrame, y_res, cap: int) -> None:
    """The rows generated (before deduplication) follow the capped request, with each method's known deviation."""
    duplicates = s.n_duplicates_of_real_ + s.n_duplicates_within_
    assert s.sampling_strategy_ == {0: cap}
    if s.method_name == "adasyn":  # rounds its per-row counts: near the request, exactly imbalanced-learn's rounding
        expected, rounded = adasyn_count(X, y, categorical, cap)
        assert s.generated_[0] + duplicates == expected and abs(expected - cap) <= rounded / 2
    elif s.method_name == "smote_enn":  # SMOTE makes the capped count; ENN then removes synthetic and real rows
        assert s.generated_before_cleaning_ == {0: cap}
        assert 0 < s.generated_[0] + duplicates < cap and len(s.removed_real_) > 0
        real = y.value_counts()
        for label in (0, 1):
            assert s.removed_real_by_class_[label] == (y.iloc[s.removed_real_] == label).sum()
            assert (np.asarray(y_res) == label).sum() == s.trained_class_counts_[label] == \
                real[label] - s.removed_real_by_class_[label] + s.generated_.get(label, 0)
    else:
        assert s.generated_[0] + duplicates == cap
    assert len(X_res) == len(X) - len(s.removed_real_) + s.generated_[0]


@pytest.mark.parametrize("method", list(SAMPLERS))
def test_counts_follow_ratio_and_amplification_cap(german, resampled, method):
    X, y, categorical = german
    s, X_res, y_res = resampled[method]
    assert s.requested_ == {0: 560 - 240}
    assert_counts(s, X, y, categorical, X_res, y_res, 320)
    capped = sampler(method, max_amplification=0.75, sampling_strategy=0.9, categorical_features=categorical)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_capped, y_capped = capped.fit_resample(X, y)
    assert capped.requested_ == {0: 504 - 240}
    assert_counts(capped, X, y, categorical, X_capped, y_capped, 180)  # 0.75 x 240 real minority rows


def test_duplicates_are_removed_and_counted():
    X = pd.DataFrame({"a": [0] * 6 + list(range(1, 13)), "b": ["x"] * 18})
    y = np.array([1] * 6 + [0] * 12)
    s = SAMPLERS["smote"](random_state=0, k_neighbors=3)
    X_res, _ = s.fit_resample(X, y)
    # the minority rows are all (0, "x"): every interpolation copies a real row
    assert s.n_duplicates_of_real_ == s.requested_[1] and s.generated_[1] == 0
    assert len(X_res) == len(X)


@pytest.mark.parametrize("method", ["smote", "adasyn", "gaussian_copula", "ctgan", "tvae", "diffusion"])
def test_same_seed_same_rows_other_seed_other_rows(german, method):
    X, y, categorical = german
    X = X.iloc[:300]
    y = y.iloc[:300]
    first = sampler(method, categorical_features=categorical).fit_resample(X, y)[0]
    again = sampler(method, categorical_features=categorical).fit_resample(X, y)[0]
    other = SAMPLERS[method](random_state=1, categorical_features=categorical, **FAST.get(method, {})).fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(first, again)
    assert not first.iloc[300:].reset_index(drop=True).equals(other.iloc[300:].reset_index(drop=True))


def test_smote_provenance_points_at_real_minority_parents(german, resampled):
    X, y, _ = german
    s, _, _ = resampled["borderline_smote"]
    found = s.provenance_[s.provenance_.parent_a >= 0]
    assert len(found) > 0.8 * len(s.provenance_)
    assert (y.iloc[found.parent_a] == 0).all() and (y.iloc[found.parent_b] == 0).all()
    assert len(resampled["smote_enn"][0].removed_real_) > 0


@pytest.mark.parametrize("method", ["smote", "borderline_smote", "adasyn", "gaussian_copula", "diffusion"])
def test_multiclass_with_diminishing_factor(method):
    rng = np.random.default_rng(0)
    y = np.array(["a"] * 300 + ["b"] * 80 + ["c"] * 40)
    X = pd.DataFrame({"u": rng.normal(size=420) + (y == "b") * 2, "v": rng.normal(size=420) - (y == "c") * 2,
                      "w": rng.choice(["p", "q"], 420)})
    s = sampler(method, sampling_strategy=1.0, diminishing_factor=0.5, max_amplification=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, y_res = s.fit_resample(X, y)
    assert s.sampling_strategy_ == {"b": 220, "c": 130}  # c: 260 requested, halved as the smaller class
    assert (y_res == "a").sum() == 300
    assert abs(s.generated_["b"] - 220) <= 15 and abs(s.generated_["c"] - 130) <= 15


def test_minority_too_small_for_k_neighbors():
    X = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) ** 2})
    y = np.array([0] * 36 + [1] * 4)
    with pytest.raises(SamplingError, match=r"class 1 has 4 rows, fewer than k_neighbors \+ 1 = 6; lower k_neighbors"):
        SAMPLERS["smote"](k_neighbors=5).fit_resample(X, y)


@pytest.mark.parametrize("method", list(SAMPLERS))
def test_imbalanced_learn_contract_checks(method):
    deep = method in ("ctgan", "tvae")  # 3-28 s per check even at one epoch: the cheaper ones run here, the
    estimator = sampler(method, **({"epochs": 1} if deep else {}))  # rest for gaussian_copula (same code path)
    skipped = {"smote_enn": {"check_samplers_fit_resample", "check_samplers_sampling_strategy_fit_resample"}}
    ran = 0
    for check in _yield_all_checks(estimator):
        name = getattr(check, "__name__", None) or check.func.__name__
        if name in NOT_APPLICABLE or name in skipped.get(method, ()) or deep and name not in DEEP_CHECKS:
            continue  # SMOTE-ENN removes rows by design
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(type(estimator).__name__, estimator)
        ran += 1
    assert ran >= (len(DEEP_CHECKS) if deep else 10)


@pytest.mark.parametrize("method", ["gaussian_copula", "ctgan", "tvae"])
def test_sdv_rows_do_not_depend_on_column_names(method):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = np.array([1] * 40 + [0] * 160)
    as_numpy = sampler(method, epochs=2).fit_resample(X, y)[0]
    named = sampler(method, epochs=2).fit_resample(pd.DataFrame(X, columns=["id", "b", "a"]), y)[0]
    assert list(named.columns) == ["id", "b", "a"]
    np.testing.assert_array_equal(named.to_numpy(), as_numpy)


def test_samplers_keep_synthetic_rows_inside_training_folds():
    frame = toy_frame(300)
    X, y = frame.drop(columns="label"), frame.label
    seen_sizes = []

    class Spy(LogisticRegression):
        def fit(self, X, y, **kw):
            seen_sizes.append(len(X))
            return super().fit(X, y, **kw)

    pre = make_column_transformer((StandardScaler(), ["income", "age"]), (OneHotEncoder(), ["colour", "group"]))
    pipe = make_pipeline(SAMPLERS["smote"](random_state=0), pre, Spy())
    scores = cross_validate(pipe, X, y, cv=StratifiedKFold(5), scoring="recall")
    assert len(scores["test_score"]) == 5
    assert all(size > 240 for size in seen_sizes)  # training folds (240 rows) were augmented


def test_make_sampler_reads_the_config():
    config = load_config(ROOT / "params" / "german_credit.yml")
    s = make_sampler("ctgan", config.augmentation, ["sex"])
    assert s.epochs == 100 and s.batch_size == 200 and s.random_state == 42 and s.max_amplification == 3.0
    with pytest.raises(ValueError, match="unknown method `gan`"):
        make_sampler("gan", config.augmentation)


@pytest.mark.parametrize("method", ["smote", "borderline_smote", "smote_enn", "adasyn"])
def test_recorded_parents_are_the_segment_endpoints(method, monkeypatch):
    def no_fallback(*args, **kwargs):
        raise AssertionError("parents were recovered geometrically, not recorded")

    monkeypatch.setattr(SAMPLERS[method], "_parents", no_fallback)
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.normal(size=(400, 4)), columns=list("abcd"))
    y = np.array([0] * 100 + [1] * 300)
    X.loc[y == 0] += 1.0
    s = SAMPLERS[method](random_state=0)
    X_res, _ = s.fit_resample(X, y)
    synthetic = X_res.iloc[len(s.kept_real_):].to_numpy()
    a = X.to_numpy()[s.provenance_.parent_a]
    b = X.to_numpy()[s.provenance_.parent_b]
    assert (s.provenance_.parent_a >= 0).all() and (y[s.provenance_.parent_a] == 0).all()
    step = np.einsum("ij,ij->i", synthetic - a, b - a) / np.maximum(np.einsum("ij,ij->i", b - a, b - a), 1e-12)
    assert np.allclose(a + step[:, None] * (b - a), synthetic, atol=1e-6)  # exactly on the segment a-b
    assert ((step >= -1e-9) & (step <= 1 + 1e-9)).all()


def test_adasyn_parents_are_recorded_on_mixed_data(german, monkeypatch):
    X, y, categorical = german
    monkeypatch.setattr(SAMPLERS["adasyn"], "_parents", lambda *a, **k: pytest.fail("geometric fallback used"))
    s = sampler("adasyn", categorical_features=categorical)
    s.fit_resample(X, y)
    provenance = s.provenance_
    assert len(provenance) > 0 and (provenance.parent_a >= 0).all() and (provenance.parent_b >= 0).all()
    assert (y.iloc[provenance.parent_a] == 0).all() and (y.iloc[provenance.parent_b] == 0).all()
    assert (provenance.parent_a != provenance.parent_b).mean() > 0.95


def test_table_encoder_round_trip(german):
    from synthlib.augment._encoding import TableEncoder

    X, _, categorical = german
    encoder = TableEncoder(categorical)
    Z = encoder.fit_transform(X)
    np.testing.assert_allclose(Z, TableEncoder(categorical).fit(X).transform(X))
    assert Z.shape == (len(X), len(X.columns) - len(categorical) + sum(X[c].nunique() for c in categorical))
    decoded = encoder.inverse_transform(Z)
    assert (decoded[categorical].astype(str).to_numpy() == X[categorical].astype(str).to_numpy()).all()
    numeric = [c for c in X.columns if c not in categorical]
    np.testing.assert_allclose(decoded[numeric].to_numpy(dtype=float), X[numeric].to_numpy(dtype=float), atol=1e-9)


@pytest.mark.parametrize("method", ["smote", "borderline_smote", "smote_enn", "adasyn"])
def test_recording_parents_does_not_change_the_rows(german, method):
    X, y, categorical = german
    recorded = sampler(method, categorical_features=categorical).fit_resample(X, y)[0]
    plain = sampler(method, categorical_features=categorical, record_parents=False).fit_resample(X, y)[0]
    pd.testing.assert_frame_equal(recorded, plain)
    # a RandomState instance advances exactly as it would without the recorder
    states = [np.random.RandomState(3), np.random.RandomState(3)]
    for state, record in zip(states, (True, False)):
        SAMPLERS[method](random_state=state, categorical_features=categorical, record_parents=record).fit_resample(X, y)
    assert states[0].randint(10**9) == states[1].randint(10**9)
    # unseeded: NumPy's global state draws the same rows and advances the same way
    frames, follow = [], []
    for record in (True, False):
        np.random.seed(7)
        frames.append(SAMPLERS[method](categorical_features=categorical, record_parents=record).fit_resample(X, y)[0])
        follow.append(np.random.randint(10**9))
    pd.testing.assert_frame_equal(*frames)
    assert follow[0] == follow[1]


def test_table_encoder_unseen_and_missing_categories():
    from synthlib.augment._encoding import TableEncoder

    train = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["b", "a", None, "a"], "k": [5, 5, 5, 5]})
    encoder = TableEncoder(["c"])
    Z = encoder.fit_transform(train)
    assert list(encoder.categories_[0][:2]) == ["a", "b"] and pd.isna(encoder.categories_[0][2])
    np.testing.assert_allclose(Z[:, 0], (train.x - 2.5) / train.x.std(ddof=0))
    np.testing.assert_allclose(Z[:, 1], 0.0)  # a constant column keeps scale 1
    decoded = encoder.inverse_transform(Z)
    assert decoded.c.iloc[:2].tolist() == ["b", "a"] and pd.isna(decoded.c.iloc[2])
    np.testing.assert_allclose(decoded.x, train.x)
    unseen = encoder.transform(pd.DataFrame({"x": [0.0], "c": ["z"], "k": [5]}))
    np.testing.assert_allclose(unseen[0, 2:], 0.0)  # an unseen category encodes as all zeros


@pytest.mark.parametrize("probe_above", [0, 10**9])  # with and without hashing two float columns first
@pytest.mark.parametrize("columns", [["f1", "f2", "c"], ["f1", "f2", "f3", "c"], ["c", "i"], ["f1"]])
def test_deduplicate_matches_a_row_by_row_comparison(columns, probe_above, monkeypatch):
    monkeypatch.setattr("synthlib.augment._base.PROBE_ABOVE_CELLS", probe_above)
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"f1": rng.normal(size=50).round(1), "f2": rng.normal(size=50).round(1),
                         "f3": rng.normal(size=50), "c": rng.choice(["x", "y"], 50), "i": rng.integers(0, 3, 50)})
    synthetic = pd.concat([real.iloc[[3, 7, 7]], real.iloc[[5]].assign(c="z"),  # copies, and a near-copy
                           real.iloc[[9, 11]].assign(f3=0.5), real.iloc[[9]].assign(f3=0.5),
                           real.iloc[[2, 4, 2]].assign(f1=99.0)], ignore_index=True)  # new values, repeated
    real, synthetic = real[columns], synthetic[columns]
    real_rows = set(map(tuple, real.itertuples(index=False)))
    seen, expected = set(), []
    for row in map(tuple, synthetic.itertuples(index=False)):
        expected.append(row not in real_rows and row not in seen)
        seen.add(row)
    s = SAMPLERS["smote"]()
    keep = s._deduplicate(pd.concat([real, synthetic], ignore_index=True), len(real))
    assert keep.tolist() == expected and not all(expected)
    assert s.n_duplicates_of_real_ + s.n_duplicates_within_ == expected.count(False)
    # the same against the full real table when some real rows were removed (SMOTE-ENN)
    keep = s._deduplicate(pd.concat([real.iloc[:10], synthetic], ignore_index=True), 10, real)
    assert keep.tolist() == expected


SMALL_AUDIT = {"augmentation": {"methods": ["smote_enn", "diffusion"], "epochs": {"diffusion": 2}},
               "models": {"classifiers": ["logistic_regression"]},
               "evaluation": {"cv_folds": 2, "cv_repeats": 1, "n_jobs": 1, "n_bootstrap": 100}}


@pytest.fixture(scope="module")
def small_audit():
    """German credit, SMOTE-ENN and a 2-epoch diffusion, logistic regression, 2 CV folds: the evaluation grid."""
    config = with_overrides(load_config(ROOT / "params" / "german_credit.yml"), SMALL_AUDIT)
    prepared = prepare(config)
    samplers = {m: make_sampler(m, config.augmentation, prepared.categorical) for m in config.augmentation.methods}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return config, prepared, evaluate(prepared, samplers, config)


def test_smote_enn_cleaning_is_stated_with_the_trained_ratio(small_audit, tmp_path):
    config, prepared, evaluation = small_audit
    section = augmentation_section(prepared, evaluation)
    info = section["smote_enn"]
    y_aug = evaluation.augmented["smote_enn"].y
    trained = pd.Series(evaluation.label_encoder.inverse_transform(y_aug)).astype(str).value_counts().to_dict()
    assert info["trained_class_counts"] == trained
    assert sum(trained.values()) == info["rows_after"] == evaluation.utility.to_json()["test"]["logistic_regression"]["smote_enn"]["n_train_rows"]
    ratio = trained["0"] / trained["1"]
    assert info["trained_ratio"] == {"0": pytest.approx(ratio)} and ratio > 1.0  # ENN's cleaning: past the requested 1.0
    removed = info["real_rows_removed_by_class"]
    assert sum(removed.values()) == info["real_rows_removed"] > 0
    assert trained["1"] == (prepared.y_train == 1).sum() - removed["1"]
    assert section["diffusion"]["trained_ratio"] == {"0": pytest.approx(1.0)}
    assert section["diffusion"]["real_rows_removed_by_class"] == {"0": 0, "1": 0}

    result = {"config": {"resolved": config.to_dict()}, "augmentation": section}
    text = augmentation_comment(result)
    assert (f"ENN step also removed {info['real_rows_removed']} real training rows ({removed['0']} of class 0, "
            f"{removed['1']} of class 1); its models trained on {trained['0']} of class 0 and {trained['1']} of class 1 "
            f"(minority:majority {ratio:.2f}:1, above the requested 1.00:1)") in text
    kept = sum(info["generated"].values())
    missing = sum(info["after_cap"].values()) - info["duplicates_of_real_removed"] - info["duplicates_within_removed"] - kept
    if missing > 0:  # ENN also cleans synthetic rows: the table's "generated" is explained, not left to arithmetic
        assert f"SMOTE-ENN kept {kept} of the" in text and f"{missing} more synthetic rows are missing" in text
    assert "tabular diffusion" not in text  # a method with nothing to explain is not repeated from the table
    table = ReportContext(name="german", audit=SimpleNamespace(result=result), out_dir=tmp_path).augmentation_table()
    assert "trained minority:majority" in table and f"{ratio:.2f}:1" in table and "1.00:1" in table


def test_deep_generator_loss_reaches_results_json(small_audit):
    _, prepared, evaluation = small_audit
    section = augmentation_section(prepared, evaluation)
    assert section["smote_enn"]["loss"] is None
    loss = section["diffusion"]["loss"]
    assert [r["epoch"] for r in loss] == [0, 1] and {r["class"] for r in loss} == {"0"}
    assert all(np.isfinite(r["loss"]) and r["loss"] > 0 for r in loss)
    json.dumps(loss)  # plain data


@pytest.mark.parametrize("method, columns", [("ctgan", ["generator", "discriminator"]), ("tvae", ["loss"]),
                                             ("diffusion", ["loss"])])
def test_deep_generators_record_their_training_loss(method, columns):
    rng = np.random.default_rng(0)
    y = np.array(["b"] * 30 + ["c"] * 40 + ["a"] * 130)
    X = pd.DataFrame({"u": rng.normal(size=200) + (y == "b"), "w": rng.choice(["p", "q"], 200)})
    s = sampler(method, epochs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s.fit_resample(X, y)
    assert list(s.loss_.columns) == ["class", "epoch", *columns]
    assert s.loss_.groupby("class")["epoch"].apply(list).to_dict() == {"b": [0, 1], "c": [0, 1]}
    assert np.isfinite(s.loss_[columns].to_numpy(dtype=float)).all()


def test_losses_are_thinned_to_at_most_100_points_per_class():
    losses = pd.DataFrame({"epoch": np.arange(1000), "loss": np.linspace(2.0, 0.1, 1000)})
    thinned = thin_losses(losses)
    assert len(thinned) == 100 and thinned.epoch.iloc[0] == 0 and thinned.epoch.iloc[-1] == 999
    assert set(np.diff(thinned.epoch)) <= {10, 11}  # evenly spaced
    pd.testing.assert_frame_equal(thin_losses(losses.iloc[:100]), losses.iloc[:100])
    s = sampler("diffusion", epochs=150, hidden=16, n_steps=10)
    s.fit_resample(pd.DataFrame({"u": np.arange(60.0)}), np.array([1] * 20 + [0] * 40))
    assert len(s.loss_) == 100 and s.loss_.epoch.iloc[-1] == 149


def test_seed_variance_refits_every_method_with_the_next_seeds(small_audit):
    config, prepared, evaluation = small_audit
    config = with_overrides(config, {"augmentation": {"repeats": 2}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        section = seed_variance(config, prepared, evaluation)
    assert set(section) == {"smote_enn", "diffusion"}
    for method, entry in section.items():
        assert entry["seeds"] == [42, 43] and entry["classifier"] == "logistic_regression"
        assert entry["metric"] == "expected_cost" and entry["errors"] == {}  # German credit's 5:1 cost objective
        for key, values in entry["values"].items():
            assert len(values) == 2 and np.isfinite(values).all()
            assert entry["mean"][key] == pytest.approx(np.mean(values))
            assert entry["sd"][key] == pytest.approx(np.std(values, ddof=1))
        assert entry["values"]["discriminator_auc"][0] != entry["values"]["discriminator_auc"][1]
        assert entry["values"]["test_primary"][0] == \
            evaluation.utility.to_json()["test"]["logistic_regression"][method]["metrics"]["expected_cost"]
    # the main seed's fidelity is the validation section's
    X_aug, _, s = evaluation.augmented["smote_enn"]
    real = prepared.X_train[prepared.y_train == 0]
    validation = compute_evaluation_metrics(real, X_aug.iloc[len(s.kept_real_):], prepared.numeric + prepared.ordinal,
                                            prepared.categorical, seed=config.split.seed, quality=False)
    assert section["smote_enn"]["values"]["discriminator_auc"][0] == validation["discriminator"]["roc_auc"]
    assert section["smote_enn"]["values"]["knn_recall"][0] == validation["prdc"]["recall"]


def test_run_audit_reports_seed_variance_when_repeats_is_above_one(project):
    path = project("toy", toy_config(augmentation={"methods": ["smote"], "repeats": 3},
                                     models={"classifiers": ["logistic_regression"]},
                                     evaluation={"cv_folds": 2, "cv_repeats": 1, "n_jobs": 1, "n_bootstrap": 100}),
                   toy_frame(200, 0.3))
    result = run_audit(load_config(path), cache_dir=None).result
    entry = result["augmentation_repeats"]["smote"]
    assert entry["seeds"] == [42, 43, 44] and len(set(entry["values"]["discriminator_auc"])) > 1
    assert entry["values"]["test_primary"][0] == result["utility"]["test"]["logistic_regression"]["smote"]["metrics"][
        result["utility"]["protocol"]["primary_metric"]]
    assert result["timings"]["repeats"] > 0


def test_same_seed_same_rows_and_numbers_in_parallel_with_a_deep_generator():
    config = with_overrides(load_config(ROOT / "params" / "german_credit.yml"),
                            {"augmentation": {"methods": ["smote", "ctgan"], "epochs": {"ctgan": 1}},
                             "models": {"classifiers": ["logistic_regression"]},
                             "evaluation": {"cv_folds": 2, "cv_repeats": 1, "n_bootstrap": 100}})
    assert config.evaluation.n_jobs == -1  # the default: every core, joblib worker processes
    prepared = prepare(config)
    runs = []
    for _ in range(2):
        samplers = {m: make_sampler(m, config.augmentation, prepared.categorical) for m in config.augmentation.methods}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runs.append(evaluate(prepared, samplers, config))
    first, second = (json.dumps(r.utility.to_json(), sort_keys=True, default=str) for r in runs)
    assert first == second
    for method in ("smote", "ctgan"):
        pd.testing.assert_frame_equal(runs[0].augmented[method].X, runs[1].augmented[method].X)
        assert len(runs[0].augmented[method][0]) > len(prepared.X_train)
