"""Attacks on clustering and classification pipelines.

Every attack is used the same way: ``SomeAttack(target, <budget>, random_state=...)
.attack(X, ...) -> AttackResult``. Attack classes are imported lazily.
"""

from .._lazy import attach
from ._base import AttackResult, QueryCounter, as_target

_LAZY = {
    "SpillOverPoisoning": "._spillover",
    "plot_spillover_toy": "._spillover_plots",
    "plot_spillover_images": "._spillover_plots",
    "FairnessAttack": "._fairness_attack",
    "RandomFairnessAttack": "._fairness_attack",
    "ks_compare": "._fairness_attack",
    "GANEvasionAttack": "._gan_evasion",
    "MembershipOracle": "._gan_evasion",
    "TransferAttack": "._label_only",
    "LabelOnlyTarget": "._label_only",
    "serve_clusterer": "._service",
    "ClusteringServiceClient": "._service",
    "ServiceError": "._service",
}

__all__ = ["AttackResult", "QueryCounter", "as_target", *_LAZY]


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
