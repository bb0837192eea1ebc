"""synthlib: audit synthetic minority-class augmentation of imbalanced tabular data."""

__version__ = "0.2.0"

from .config import AuditConfig, load_config, parse_config  # noqa: E402
from .deploy import create_model_card, export_pipeline_config, load_model  # noqa: E402
from .errors import BundleError, ConfigError, DataError, SamplingError, SynthlibError  # noqa: E402
from .prepare import Prepared, prepare  # noqa: E402

__all__ = [
    "AuditConfig", "BundleError", "ConfigError", "DataError", "Prepared", "SamplingError", "SynthlibError",
    "create_model_card", "export_pipeline_config", "load_config", "load_model", "parse_config", "prepare",
]
