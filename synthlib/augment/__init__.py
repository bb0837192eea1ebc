"""Stage 2, augment: every generation method (SMOTE family, SDV, diffusion) behind one imbalanced-learn sampler
interface, so synthetic rows stay inside the training folds by construction."""

from ._base import SynthlibOverSampler
from ._diffusion import DiffusionSampler
from ._encoding import TableEncoder
from ._geometry import segment_fit
from ._interpolation import ADASYNSampler, BorderlineSMOTESampler, SMOTEENNSampler, SMOTESampler
from ._registry import INTERPOLATION_METHODS, SAMPLERS, make_sampler
from ._sdv import CTGANSampler, GaussianCopulaSampler, TVAESampler
from ._seeding import resolve_device

__all__ = ["ADASYNSampler", "BorderlineSMOTESampler", "CTGANSampler", "DiffusionSampler", "GaussianCopulaSampler",
           "INTERPOLATION_METHODS", "SAMPLERS", "SMOTEENNSampler", "SMOTESampler", "SynthlibOverSampler",
           "TVAESampler", "TableEncoder", "make_sampler", "resolve_device", "segment_fit"]
