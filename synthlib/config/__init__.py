"""Stage 0, configuration: the params model (`AuditConfig`), the project's paths and files, the classifier registry,
and the names and labels every later stage shares. Imports nothing else of synthlib but `synthlib.errors`."""

from ._classifiers import CLASSIFIER_FACTORIES, make_classifier
from ._load import FAST_PROFILE, find_params, load_config, parse_config, with_overrides
from ._names import (CLASSIFIER_NAMES, DEEP_GENERATORS, GRID_BASELINES, METHOD_NAMES, METRIC_KEYS, METRIC_LABELS,
                     PER_CLASS_METRIC, WITHOUT_SYNTHETIC, configuration_name, method_name, metric_name, name_slug, num,
                     p_cell, pascal_slug, trained_ratio_text, uses_synthetic)
from ._params import (BUILTIN_DATASETS, CLASSIFIERS, METHODS, AuditConfig, AugmentationConfig, CleaningConfig,
                      EvaluationConfig, MonitoringConfig, OutlierConfig, PrivacyConfig)
from ._project import (PROJECT_FILES, REPORT, SECTIONS, TABLES_CSS, TEMPLATES, init_project, quarto_config,
                       report_stylesheet, report_template)

__all__ = [
    "BUILTIN_DATASETS", "CLASSIFIERS", "CLASSIFIER_FACTORIES", "CLASSIFIER_NAMES", "DEEP_GENERATORS", "FAST_PROFILE",
    "METHODS", "METHOD_NAMES", "METRIC_KEYS", "METRIC_LABELS", "PER_CLASS_METRIC", "PROJECT_FILES", "REPORT", "SECTIONS",
    "TABLES_CSS", "TEMPLATES", "WITHOUT_SYNTHETIC", "GRID_BASELINES", "AugmentationConfig", "AuditConfig",
    "CleaningConfig", "EvaluationConfig", "MonitoringConfig", "OutlierConfig", "PrivacyConfig", "configuration_name",
    "find_params", "init_project",
    "load_config", "make_classifier", "method_name", "metric_name", "name_slug", "num", "p_cell", "parse_config",
    "pascal_slug", "quarto_config", "report_stylesheet", "report_template", "trained_ratio_text", "uses_synthetic",
    "with_overrides",
]
