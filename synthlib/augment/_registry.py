"""The registry of generation methods: one name, one sampler class."""

from __future__ import annotations

from typing import Any

from ._base import SynthlibOverSampler
from ._diffusion import DiffusionSampler
from ._interpolation import ADASYNSampler, BorderlineSMOTESampler, SMOTEENNSampler, SMOTESampler
from ._sdv import CTGANSampler, GaussianCopulaSampler, TVAESampler

SAMPLERS: dict[str, type[SynthlibOverSampler]] = {
    "smote": SMOTESampler,
    "borderline_smote": BorderlineSMOTESampler,
    "smote_enn": SMOTEENNSampler,
    "adasyn": ADASYNSampler,
    "gaussian_copula": GaussianCopulaSampler,
    "ctgan": CTGANSampler,
    "tvae": TVAESampler,
    "diffusion": DiffusionSampler,
}
INTERPOLATION_METHODS = ("smote", "borderline_smote", "smote_enn", "adasyn")


def make_sampler(method: str, augmentation: Any, categorical: list[str] | str = "auto") -> SynthlibOverSampler:
    """A sampler configured from the `augmentation` section of an `AuditConfig`."""
    if method not in SAMPLERS:
        raise ValueError(f"unknown method `{method}`; known methods: {', '.join(SAMPLERS)}")
    common: dict[str, Any] = dict(sampling_strategy=augmentation.sampling_strategy,
                                  max_amplification=augmentation.max_amplification,
                                  diminishing_factor=augmentation.diminishing_factor,
                                  categorical_features=categorical, random_state=augmentation.seed)
    if method in INTERPOLATION_METHODS:
        common["k_neighbors"] = augmentation.k_neighbors
    elif method in ("ctgan", "tvae", "diffusion"):
        common.update(epochs=augmentation.epochs.get(method, 100), batch_size=augmentation.batch_size,
                      device=augmentation.device)
    elif method == "gaussian_copula":
        pass
    return SAMPLERS[method](**common)

