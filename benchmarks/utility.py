"""The German credit evaluation grid: synthlib `evaluate` vs a hand-written loop doing the same fits.

Same comparators (baseline, class weights, tuned threshold, SMOTE / Borderline-SMOTE / ADASYN), same
four classifiers, same 5 x 2 repeated CV plus the final fit. Targets: synthlib on one core within
1.25x of the loop; faster than the loop with 2 jobs. Each measurement runs in a fresh process.
Usage: python benchmarks/utility.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
from _harness import measure, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
METHODS = ["smote", "borderline_smote", "adasyn"]
GRID = {"models": {"classifiers": ["xgboost", "random_forest", "logistic_regression", "knn"]},
        "evaluation": {"cv_folds": 5, "cv_repeats": 2}}


def config(n_jobs: int):
    from synthlib.config import load_config, with_overrides

    base = load_config(ROOT / "params" / "german_credit.yml")
    return with_overrides(base, {**GRID, "augmentation": {"methods": METHODS},
                                 "evaluation": {**GRID["evaluation"], "n_jobs": n_jobs}})


def run_synthlib(n_jobs: int):
    warnings.filterwarnings("ignore")
    from synthlib.prepare._prepare import prepare
    from synthlib.evaluate._evaluation import evaluate
    from synthlib.augment import make_sampler

    cfg = config(n_jobs)
    prepared = prepare(cfg)
    samplers = {m: make_sampler(m, cfg.augmentation, prepared.categorical) for m in METHODS}
    return len(evaluate(prepared, samplers, cfg).utility.cv_folds)


def run_loop(_: int):
    """What a careful user writes by hand with imbalanced-learn, scikit-learn and xgboost."""
    warnings.filterwarnings("ignore")
    import numpy as np
    import pandas as pd
    from imblearn.over_sampling import ADASYN, SMOTENC, BorderlineSMOTE
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, make_scorer, precision_recall_fscore_support, roc_auc_score
    from sklearn.model_selection import RepeatedStratifiedKFold, TunedThresholdClassifierCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler
    from xgboost import XGBClassifier

    from synthlib.prepare._prepare import prepare

    cfg = config(1)
    p = prepare(cfg)
    X, X_test = p.X_train.reset_index(drop=True), p.X_test
    y = LabelEncoder().fit_transform(p.y_train)
    numeric, categorical = p.numeric + p.ordinal, p.categorical
    cat_idx = [X.columns.get_loc(c) for c in categorical]

    def classifier(name, weighted, y_fit):
        if name == "xgboost":
            extra = {"scale_pos_weight": float((y_fit == 0).sum() / (y_fit == 1).sum())} if weighted else {}
            return XGBClassifier(n_estimators=200, max_depth=4, learning_rate=0.1, subsample=0.9, tree_method="hist",
                                 n_jobs=1, random_state=42, eval_metric="logloss", **extra)
        if name == "random_forest":
            return RandomForestClassifier(n_estimators=200, min_samples_leaf=2, n_jobs=1, random_state=42,
                                          class_weight="balanced" if weighted else None)
        if name == "logistic_regression":
            return LogisticRegression(max_iter=2000, class_weight="balanced" if weighted else None)
        return KNeighborsClassifier(n_neighbors=15)

    def pipeline(name, weighted, y_fit):
        pre = ColumnTransformer([("n", StandardScaler(), numeric),
                                 ("c", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical)])
        return Pipeline([("pre", pre), ("clf", classifier(name, weighted, y_fit))])

    def augment(method, X_fit, y_fit):
        counts = np.bincount(y_fit)
        target = {0: int(counts[1])}
        if method == "smote":
            return SMOTENC(categorical_features=cat_idx, sampling_strategy=target, random_state=42).fit_resample(X_fit, y_fit)
        pre = ColumnTransformer([("n", StandardScaler(), numeric), ("c", OneHotEncoder(sparse_output=False), categorical)])
        Z = pre.fit_transform(X_fit)
        sampler = BorderlineSMOTE(sampling_strategy=target, random_state=42) if method == "borderline_smote" \
            else ADASYN(sampling_strategy=target, random_state=42)
        Z_res, y_res = sampler.fit_resample(Z, y_fit)
        Z_new = Z_res[len(Z):]
        new = pd.DataFrame(pre.named_transformers_["n"].inverse_transform(Z_new[:, :len(numeric)]), columns=numeric)
        new[categorical] = pre.named_transformers_["c"].inverse_transform(Z_new[:, len(numeric):])
        new[numeric] = new[numeric].round()
        return pd.concat([X_fit, new[X_fit.columns].astype(X_fit.dtypes.to_dict())], ignore_index=True), y_res

    folds = list(RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=42).split(X, y))
    folds.append((np.arange(len(X)), None))
    scores = []
    for train_idx, val_idx in folds:
        X_fit, y_fit = X.iloc[train_idx], y[train_idx]
        X_eval = X_test if val_idx is None else X.iloc[val_idx]
        y_eval = None if val_idx is None else y[val_idx]
        for comparator in ["baseline", "class_weighted", "tuned_threshold", *METHODS]:
            Xc, yc = (X_fit, y_fit) if comparator in ("baseline", "class_weighted", "tuned_threshold") else augment(comparator, X_fit, y_fit)
            for name in GRID["models"]["classifiers"]:
                if comparator == "class_weighted" and name == "knn":
                    continue
                model = pipeline(name, comparator == "class_weighted", yc)
                if comparator == "tuned_threshold":
                    model = TunedThresholdClassifierCV(model, scoring=make_scorer(f1_score, pos_label=0), cv=3, random_state=42)
                model.fit(Xc, yc)
                proba, pred = model.predict_proba(X_eval), model.predict(X_eval)
                if y_eval is not None:
                    scores.append((roc_auc_score(y_eval == 0, proba[:, 0]), *precision_recall_fscore_support(y_eval, pred, zero_division=0)[:3]))
    return len(scores)


def main() -> None:
    loop_s, loop_mb, _ = measure(run_loop, 1)
    one_s, one_mb, _ = measure(run_synthlib, 1)
    two_s, two_mb, _ = measure(run_synthlib, 2)
    print_table("German credit grid: 6 comparators x 4 classifiers x (5 x 2 folds + final fit)",
                ["run", "seconds", "peak MiB", "ratio to hand-written loop", "target"],
                [["hand-written loop (1 core)", f"{loop_s:.1f}", f"{loop_mb:,.0f}", "1.00x", ""],
                 ["synthlib evaluate, n_jobs=1", f"{one_s:.1f}", f"{one_mb:,.0f}", f"{one_s / loop_s:.2f}x", "<= 1.25x"],
                 ["synthlib evaluate, n_jobs=2", f"{two_s:.1f}", f"{two_mb:,.0f}", f"{two_s / loop_s:.2f}x", "< 1.00x"]])


if __name__ == "__main__":
    main()
