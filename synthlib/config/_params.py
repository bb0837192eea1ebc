"""Audit configuration: `params/<name>.yml` loaded into an immutable, validated `AuditConfig`.

Unknown keys are errors that name the file, the section and the closest allowed key.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ._classifiers import make_classifier
from ._names import METRIC_KEYS, PER_CLASS_METRIC, name_slug

METHODS = ("smote", "borderline_smote", "smote_enn", "adasyn", "gaussian_copula", "ctgan", "tvae", "diffusion")
CLASSIFIERS = ("xgboost", "random_forest", "logistic_regression", "knn")
BUILTIN_DATASETS = ("german_credit", "breast_cancer")
Label = Union[bool, int, float, str]  # bool first: YAML reads `yes`/`no` as booleans, matched by value in checks
SEED_MAX = 2**32 - 1  # numpy's and scikit-learn's random_state range
THRESHOLD_OBJECTIVES = ("f1_minority", "balanced_accuracy")  # what evaluation._threshold_scorer implements


def _distinct_and_some(value: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not value:
        raise ValueError(f"the list is empty; name at least one of {', '.join(allowed)}")
    doubled = sorted({name for name in value if value.count(name) > 1})
    if doubled:
        raise ValueError(f"{', '.join(doubled)} listed twice; name each once")
    return value


def _closest(key: str, allowed: list[str], noun: str = "keys") -> str:
    match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    return f"; did you mean `{match[0]}`?" if match else f"; allowed {noun}: {', '.join(sorted(allowed))}"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatasetConfig(_Section):
    name: str
    source: str = Field(description="CSV/Parquet path relative to the project root, or `builtin:<name>`")
    target: str
    minority: tuple[Label, ...] | None = None
    positive_label: Label | None = None
    missing_markers: tuple[str, ...] = Field((), description="values that mean missing: text as written, numbers by "
                                             "value in numeric columns other than the target ('-999' matches -999.0)")
    id_columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    delimiter: str | None = Field(None, min_length=1, max_length=1,
                                  description="CSV field separator; default `,` (`\\t` for .tsv files)")
    decimal: str = Field(".", min_length=1, max_length=1,
                         description="decimal point of numbers in a CSV (pandas read_csv `decimal`), e.g. `,` for 2,5")
    thousands: str | None = Field(None, min_length=1, max_length=1,
                                  description="thousands separator of numbers in a CSV (pandas read_csv `thousands`), "
                                              "e.g. `,` for 1,169 or `.` for 1.169,50")
    description: str = ""
    target_description: str = ""
    minority_description: str = ""
    task: str = "binary classification"
    regulations: tuple[str, ...] = ("GDPR",)

    @model_validator(mode="after")
    def _number_format_is_unambiguous(self) -> DatasetConfig:
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError(f"dataset.decimal and dataset.thousands are both {self.decimal!r}; a number needs two "
                             "different marks (e.g. decimal: ',' with thousands: '.')")
        return self


class SensitiveAttribute(_Section):
    column: str
    bins: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _labels_fit_bins(self) -> SensitiveAttribute:
        if self.bins is not None and len(self.bins) < 2:
            raise ValueError(f"bins of `{self.column}` need at least two edges")
        if self.bins is not None and list(self.bins) != sorted(self.bins):
            raise ValueError(f"bins of `{self.column}` must be increasing")
        if self.labels is not None and (self.bins is None or len(self.labels) != len(self.bins) - 1):
            raise ValueError(f"labels of `{self.column}` need exactly one label per bin (len(bins) - 1)")
        return self


class FeaturesConfig(_Section):
    numeric: tuple[str, ...] | None = None
    categorical: tuple[str, ...] | None = None
    ordinal: tuple[str, ...] = ()
    sensitive: tuple[SensitiveAttribute, ...] = ()
    quasi_identifiers: tuple[str, ...] = ()


class OutlierConfig(_Section):
    method: Literal["iqr", "percentile", "zscore", "none"] = "none"  # real tails are data: cap only on request (README)
    action: Literal["cap", "drop"] = "cap"
    iqr_factor: float = Field(1.5, gt=0)
    lower_percentile: float = Field(1.0, ge=0, lt=50)
    upper_percentile: float = Field(99.0, gt=50, le=100)
    z_threshold: float = Field(3.0, gt=0)


class CleaningConfig(_Section):
    missing: Literal["drop", "impute"] = "impute"
    outliers: OutlierConfig = OutlierConfig()


class SplitConfig(_Section):
    test_size: float = 0.2
    stratified: bool = True
    seed: int = Field(42, ge=0, le=SEED_MAX, description="random_state of the train/test split: 0 to 2**32 - 1")

    @field_validator("test_size")
    @classmethod
    def _in_unit_interval(cls, value: float) -> float:
        if not 0 < value < 1:
            raise ValueError(f"test_size must be strictly between 0 and 1, got {value}")
        return value


class AugmentationConfig(_Section):
    methods: tuple[Literal[METHODS], ...] = METHODS  # type: ignore[valid-type]
    sampling_strategy: float | dict[str, int] = 1.0
    max_amplification: float = Field(3.0, gt=0)
    diminishing_factor: float = Field(1.0, gt=0, le=1)
    k_neighbors: int = Field(5, ge=1)
    epochs: dict[Literal["ctgan", "tvae", "diffusion"], int] = {"ctgan": 100, "tvae": 100, "diffusion": 300}
    batch_size: int = Field(500, ge=2)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    seed: int = Field(42, ge=0, le=SEED_MAX, description="generator seed: 0 to 2**32 - 1")
    repeats: int = Field(1, ge=1, description="generator seeds (seed, seed+1, ...) behind the seed-to-seed variance "
                         "of fidelity and test utility; 1: one seed, no variance section")
    deploy_method: Literal[METHODS] | None = None  # type: ignore[valid-type]

    @field_validator("methods")
    @classmethod
    def _some_methods(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # an audit of augmentation needs a method; the verdict and report have nothing to compare without one
        return _distinct_and_some(value, METHODS)

    @field_validator("epochs")
    @classmethod
    def _positive_epochs(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {method: n for method, n in value.items() if n < 1}
        if bad:
            raise ValueError(f"epochs must be whole numbers >= 1, got {bad}")
        return value

    @field_validator("sampling_strategy", mode="before")
    @classmethod
    def _ratio_or_counts(cls, value: Any) -> Any:
        """A ratio in (0, 1], or {class: target row count}; class keys become text (YAML may read them as numbers)."""
        if isinstance(value, dict):
            bad = {k: v for k, v in value.items() if isinstance(v, bool) or not isinstance(v, int) or v < 1}
            if bad:
                raise ValueError(f"sampling_strategy per class needs a whole number of rows >= 1 per class, got {bad}")
            return {str(k): v for k, v in value.items()}
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise ValueError("sampling_strategy is a ratio minority:majority in (0, 1] or a mapping "
                             f"{{class: target row count}}, got {value!r}")
        return float(value)


def _known_metric(name: str) -> str:
    if name in METRIC_KEYS or PER_CLASS_METRIC.fullmatch(name):
        return name
    raise ValueError(f"unknown metric `{name}`{_closest(name, list(METRIC_KEYS), 'metrics')}")


class SuccessCriterion(_Section):
    metric: str
    min_improvement: float
    max_p_value: float = 0.05

    @field_validator("metric")
    @classmethod
    def _metric_is_known(cls, value: str) -> str:
        return _known_metric(value)


OBJECTIVES = ("f1_minority", "fbeta", "expected_cost", "recall_at_precision", "balanced_accuracy", "pr_auc", "roc_auc")
# each objective's own parameter: fbeta needs `beta`, expected_cost `costs`, recall_at_precision `min_precision`
OBJECTIVE_PARAMETER = {"fbeta": "beta", "expected_cost": "costs", "recall_at_precision": "min_precision"}
NOT_OBJECTIVES = {"recall_minority": "a threshold can make it 1.0 by flagging every row",
                  "precision_minority": "a threshold can make it high by flagging almost no row",
                  "accuracy": "predicting the majority class for every row scores well"}


class CostsConfig(_Section):
    """What one wrong decision costs, in any unit: a missed minority row and a wrongly flagged majority row."""

    false_negative: float = Field(..., gt=0, description="cost of a minority row the model does not flag")
    false_positive: float = Field(..., gt=0, description="cost of a majority row the model flags")


class EvaluationConfig(_Section):
    objective: str = Field("f1_minority", description="what ranks the configurations and what augmentation must improve: "
                           "f1_minority (default), fbeta (with beta), expected_cost (with costs), recall_at_precision "
                           "(with min_precision) or balanced_accuracy, each configuration at its own best threshold for "
                           "it, or the threshold-free pr_auc / roc_auc")
    beta: float | None = Field(None, gt=0, description="objective fbeta: recall counts beta times as much as precision")
    costs: CostsConfig | None = Field(None, description="objective expected_cost: {false_negative, false_positive}")
    min_precision: float | None = Field(None, gt=0, lt=1, description="objective recall_at_precision: the lowest "
                                        "minority precision the operating threshold may have")
    min_improvement: float = Field(0.02, ge=0, description="the gain in the objective that counts as helping: the "
                                   "test-split CI's lower bound of (augmented - best alternative) must exceed it "
                                   "(for expected_cost, a reduction of the cost per row)")
    secondary_metrics: tuple[str, ...] = ("f1_minority", "balanced_accuracy", "roc_auc", "pr_auc")
    cv_folds: int = Field(5, ge=2)
    cv_repeats: int = Field(2, ge=1)
    alpha: float = Field(0.05, gt=0, lt=1)
    n_bootstrap: int = Field(1000, ge=100)
    threshold_objective: Literal[THRESHOLD_OBJECTIVES] = "f1_minority"  # type: ignore[valid-type]
    success_criteria: tuple[SuccessCriterion, ...] = ()
    precision_floor: float | None = Field(None, gt=0, lt=1, description="configurations whose mean CV minority "
                                          "precision is below this are never recommended")
    n_jobs: int = -1
    max_cv_rows: int | None = Field(50_000, ge=100, description="above this many training rows, cross-validate on a "
                                    "stratified sample of this size (final fits use every row); null: never sample")

    @model_validator(mode="before")
    @classmethod
    def _objective_replaces_primary_metric(cls, data: Any) -> Any:
        """`primary_metric` (older params files) names the objective now; a written-back config repeats it."""
        if isinstance(data, dict) and "primary_metric" in data:
            data = dict(data)
            old = data.pop("primary_metric")
            if old != data.get("objective", "f1_minority"):
                raise ValueError(f"evaluation.primary_metric ({old}) is replaced by evaluation.objective, which ranks "
                                 "the configurations, each at its own best decision threshold; set objective: "
                                 f"{' | '.join(OBJECTIVES)}" + (f" ({old} is not an objective: {NOT_OBJECTIVES[old]})"
                                                                 if old in NOT_OBJECTIVES else ""))
        return data

    @field_validator("objective")
    @classmethod
    def _objective_is_known(cls, value: str) -> str:
        if value in OBJECTIVES:
            return value
        why = f"{value} is not an objective: {NOT_OBJECTIVES[value]}; " if value in NOT_OBJECTIVES else ""
        raise ValueError(f"{why}evaluation.objective takes {', '.join(OBJECTIVES)}"
                         f"{_closest(value, list(OBJECTIVES), 'objectives') if not why else ''}")

    @model_validator(mode="after")
    def _objective_has_its_parameter(self) -> EvaluationConfig:
        """fbeta, expected_cost and recall_at_precision each need their parameter, and no other objective takes one."""
        needed = OBJECTIVE_PARAMETER.get(self.objective)
        if needed and getattr(self, needed) is None:
            example = {"beta": "beta: 2", "costs": "costs: {false_negative: 5, false_positive: 1}",
                       "min_precision": "min_precision: 0.5"}[needed]
            raise ValueError(f"objective {self.objective} needs evaluation.{needed} (e.g. `{example}`)")
        stray = [key for key in OBJECTIVE_PARAMETER.values() if key != needed and getattr(self, key) is not None]
        if stray:
            users = {v: k for k, v in OBJECTIVE_PARAMETER.items()}
            raise ValueError(f"evaluation.{stray[0]} applies only to objective {users[stray[0]]}, but the objective "
                             f"is {self.objective}; remove it or set objective: {users[stray[0]]}")
        return self

    @property
    def primary_metric(self) -> str:
        """The metric that ranks configurations: the objective (results.json's protocol and verdict use this name)."""
        return self.objective

    @property
    def threshold_rule(self) -> str:
        """What each configuration's operating threshold maximises: the objective when it depends on a threshold,
        else `threshold_objective`."""
        return self.objective if self.objective not in ("pr_auc", "roc_auc") else self.threshold_objective

    @field_validator("secondary_metrics")
    @classmethod
    def _secondary_are_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_known_metric(name) for name in value)

    @field_validator("n_jobs")
    @classmethod
    def _workers(cls, value: int) -> int:
        if value == 0 or value < -1:
            raise ValueError(f"n_jobs must be -1 (all cores) or a positive number of parallel workers, got {value}")
        return value


def classifier_param_problem(classifier: str, params: dict[str, Any]) -> str | None:
    """Why `params` would fail when building `classifier` (unknown name or invalid value), or None.

    Checked against the estimator itself (its `get_params()` and scikit-learn's own parameter
    constraints), so a typo fails here and not after the cross-validation grid.
    """
    estimator = make_classifier(classifier)
    allowed = list(estimator.get_params(deep=False))
    for key in params:
        if key not in allowed:
            return f"{classifier} ({type(estimator).__name__}) has no parameter `{key}`{_closest(key, allowed, 'parameters')}"
    estimator.set_params(**params)
    if hasattr(estimator, "_parameter_constraints"):  # scikit-learn's own estimators (>= 1.2); XGBoost has none
        try:
            estimator._validate_params()
        except (ValueError, TypeError) as exc:
            return f"{classifier}: {str(exc).strip()}"
    return None


class ModelsConfig(_Section):
    classifiers: tuple[Literal[CLASSIFIERS], ...] = CLASSIFIERS  # type: ignore[valid-type]
    params: dict[str, dict[str, Any]] = {}
    device: Literal["auto", "cpu", "cuda"] = "auto"

    @field_validator("classifiers")
    @classmethod
    def _some_classifiers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _distinct_and_some(value, CLASSIFIERS)

    @field_validator("params")
    @classmethod
    def _params_fit_classifiers(cls, value: dict[str, dict[str, Any]], info: ValidationInfo) -> dict[str, dict[str, Any]]:
        classifiers = info.data.get("classifiers", CLASSIFIERS)
        for classifier, params in value.items():
            if classifier not in classifiers:
                raise ValueError(f"parameters for `{classifier}`, which is not in models.classifiers "
                                 f"({', '.join(classifiers)}){_closest(classifier, list(classifiers), 'classifiers')}")
            problem = classifier_param_problem(classifier, params)
            if problem:
                raise ValueError(problem)
        return value


class FairnessConfig(_Section):
    tolerance: float = Field(0.05, ge=0)
    favourable_label: Label | None = Field(
        None, description="the class that is the favourable outcome (e.g. approval) for the demographic-parity ratio "
                          "and the four-fifths rule; default: any class that is not a minority class")
    intersections: bool = False
    disparate_impact_min: float = Field(0.8, gt=0, le=1)
    n_bootstrap: int = Field(200, ge=50)


class PrivacyConfig(_Section):
    k_anonymity: int = Field(5, ge=2)
    mia_auc_medium: float = Field(0.55, ge=0.5, le=1)
    mia_auc_high: float = Field(0.65, ge=0.5, le=1)
    dcr_share_medium: float = Field(0.6, ge=0, le=1)
    dcr_share_high: float = Field(0.8, ge=0, le=1)
    attack_auc_medium: float = Field(0.6, ge=0.5, le=1)
    attack_auc_high: float = Field(0.75, ge=0.5, le=1)
    exact_copy_share_high: float = Field(0.01, ge=0, le=1)
    attack_tolerance: float = Field(0.02, gt=0, description="relative residual below which a row counts as interpolated")
    mitigation_noise: float = Field(0.1, ge=0, description="std of Gaussian noise (in feature stds) added to interpolated rows")
    n_bootstrap: int = Field(200, ge=50)
    allow_release: bool = Field(False, description="export the augmented training set even when its privacy risk is high")

    @model_validator(mode="after")
    def _medium_below_high(self) -> PrivacyConfig:
        """A risk is medium from the `_medium` threshold and high from the `_high` one, so medium cannot exceed high."""
        for measure in ("mia_auc", "dcr_share", "attack_auc"):
            medium, high = getattr(self, f"{measure}_medium"), getattr(self, f"{measure}_high")
            if medium > high:
                raise ValueError(f"privacy.{measure}_medium ({medium:g}) is above privacy.{measure}_high ({high:g}); "
                                 f"a risk is medium from {measure}_medium and high from {measure}_high, so "
                                 f"{measure}_medium must be at most {measure}_high")
        return self


class MonitoringConfig(_Section):
    psi_alert: float = Field(0.2, gt=0)
    ks_p_value: float = Field(0.01, gt=0, lt=1)
    chi2_p_value: float = Field(0.01, gt=0, lt=1)
    prevalence_tolerance: float = Field(0.5, gt=0)
    min_minority_recall: float | None = None


class OutputConfig(_Section):
    dir: str = "reports"
    formats: tuple[Literal["html", "pdf"], ...] = ("html", "pdf")


class AuditConfig(_Section):
    dataset: DatasetConfig
    features: FeaturesConfig = FeaturesConfig()
    cleaning: CleaningConfig = CleaningConfig()
    split: SplitConfig = SplitConfig()
    augmentation: AugmentationConfig = AugmentationConfig()
    models: ModelsConfig = ModelsConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    fairness: FairnessConfig = FairnessConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    output: OutputConfig = OutputConfig()
    # Not part of the YAML: where the file was read from, to resolve relative paths.
    source_file: str | None = Field(default=None, exclude=True)
    project_root: str | None = Field(default=None, exclude=True)
    profile: Literal["full", "fast"] = Field(default="full", exclude=True)

    @model_validator(mode="after")
    def _name_makes_a_file_name(self) -> AuditConfig:
        if not name_slug(self.dataset.name):
            raise ValueError(f"dataset.name {self.dataset.name!r} has no letter or digit; output file names are made "
                             "from its letters, digits, - and _")
        return self

    @model_validator(mode="after")
    def _roles_are_disjoint(self) -> AuditConfig:
        roles = {
            "numeric": self.features.numeric or (),
            "categorical": self.features.categorical or (),
            "ordinal": self.features.ordinal,
            "id_columns": self.dataset.id_columns,
        }
        seen: dict[str, str] = {}
        for role, columns in roles.items():
            for column in columns:
                if column in seen:
                    where = "twice" if seen[column] == role else f"in two roles ({seen[column]} and {role})"
                    raise ValueError(f"feature `{column}` is listed {where}; give each column one role")
                seen[column] = role
        if self.dataset.target in seen:
            raise ValueError(f"the target `{self.dataset.target}` is also listed as a feature ({seen[self.dataset.target]})")
        for key, columns in (("features.sensitive", [a.column for a in self.features.sensitive]),
                             ("features.quasi_identifiers", self.features.quasi_identifiers)):
            if self.dataset.target in columns:
                raise ValueError(f"{key} names the target `{self.dataset.target}`; the target cannot be one: fairness "
                                 "and privacy are measured across the model's input columns, so name other columns")
        deploy = self.augmentation.deploy_method
        if deploy is not None and deploy not in self.augmentation.methods:
            raise ValueError(f"augmentation.deploy_method `{deploy}` is not one of augmentation.methods "
                             f"({', '.join(self.augmentation.methods)})")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain JSON-compatible data."""
        return json.loads(self.model_dump_json())

    @property
    def config_hash(self) -> str:
        """SHA-256 of the resolved configuration (stable key order)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def resolve_path(self, relative: str) -> Path:
        root = Path(self.project_root) if self.project_root else Path.cwd()
        path = Path(relative)
        return path if path.is_absolute() else root / path


