"""synthlib: audit synthetic minority-class augmentation of imbalanced tabular data."""

from .config import AuditConfig, load_config, parse_config
from .data import Prepared, prepare
from .errors import BundleError, ConfigError, DataError, SamplingError, SynthlibError

__version__ = "0.1.0"
__all__ = [
    "AuditConfig", "BundleError", "ConfigError", "DataError", "Prepared", "SamplingError", "SynthlibError",
    "load_config", "parse_config", "prepare",
]
