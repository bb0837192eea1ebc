"""Stage 3b, assess: what synthetic rows cost. Fidelity (how close the synthetic minority is to the real one),
fairness (per sensitive group, per model) and privacy (copies, distances, membership inference)."""

from ._fairness_review import assess as assess_fairness
from ._fidelity import PRDC, Discriminator, class_balance, compute_evaluation_metrics, encode_pair
from ._fidelity_plots import correlation_difference, distribution_overlays, pca_projection
from ._privacy import INTERPOLATION_NOTE, add_noise, assess_method, attack_space, interpolation_attack
from ._results import FairnessResult, FidelityResult, GapChanges, GapMove, PrivacyResult, RiskLevel

__all__ = ["INTERPOLATION_NOTE", "PRDC", "Discriminator", "FairnessResult", "FidelityResult", "GapChanges", "GapMove", "PrivacyResult", "RiskLevel", "add_noise", "assess_fairness", "assess_method",
           "attack_space", "class_balance", "compute_evaluation_metrics", "correlation_difference",
           "distribution_overlays", "encode_pair", "interpolation_attack", "pca_projection"]
