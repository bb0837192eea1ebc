"""One sampler interface for eight methods: ratios, caps, dtypes, categories, seeds, contract checks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import _yield_all_checks
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from synthlib.config import load_config
from synthlib.data import prepare
from synthlib.errors import SamplingError
from synthlib.samplers import SAMPLERS, make_sampler

from .conftest import ROOT, toy_frame

FAST = {"ctgan": {"epochs": 3}, "tvae": {"epochs": 3}, "diffusion": {"epochs": 20}}
NOT_APPLICABLE = {
    "check_samplers_sparse": "mixed-type tables are dense; sparse input is refused with a clear TypeError",
    "check_samplers_pandas_sparse": "as above",
}
DEEP_CHECKS = {"check_target_type", "check_samplers_one_label", "check_samplers_fit",
               "check_samplers_sampling_strategy_fit_resample", "check_samplers_2d_target",
               "check_sampler_get_feature_names_out", "check_sampler_get_feature_names_out_pandas"}


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


@pytest.mark.parametrize("method", list(SAMPLERS))
def test_counts_follow_ratio_and_amplification_cap(german, resampled, method):
    X, y, _ = german
    s, _, _ = resampled[method]
    assert s.requested_ == {0: 560 - 240}
    removed = s.n_duplicates_of_real_ + s.n_duplicates_within_
    assert s.generated_[0] + removed == 320 or method in ("adasyn", "smote_enn")
    capped = sampler(method, max_amplification=0.75, sampling_strategy=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        capped.fit_resample(X, y)
    assert capped.requested_ == {0: 504 - 240}
    assert capped.sampling_strategy_[0] == 180  # 0.75 x 240 real minority rows
    assert capped.generated_[0] <= 180 + (15 if method == "adasyn" else 0)


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
    from synthlib.samplers._encoding import TableEncoder

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
    from synthlib.samplers._encoding import TableEncoder

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
    monkeypatch.setattr("synthlib.samplers._base.PROBE_ABOVE_CELLS", probe_above)
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
