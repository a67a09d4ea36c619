"""Attacks on clustering and classification pipelines.

Every attack is used the same way (the contract of :class:`BaseAttack`)::

    SomeAttack(target, <budget>, random_state=...).attack(X, *, y=None, sensitive_features=None)
        -> AttackResult

Poisoning attacks (:class:`PoisoningAttack`) change training data, evasion attacks
(:class:`EvasionAttack`) perturb a trained victim's inputs. Attack classes are imported lazily.
"""

from .._lazy import attach
from ._base import AttackResult, BaseAttack, EvasionAttack, PoisoningAttack, QueryCounter, as_target

_LAZY = {
    "SpillOverPoisoning": "._spillover",
    "FairnessAttack": "._fairness_attack",
    "RandomFairnessAttack": "._fairness_attack",
    "ks_compare": "._fairness_attack",
    "GANEvasionAttack": "._gan_evasion",
    "MembershipOracle": "._gan_evasion",
    "TransferAttack": "._label_only",
    "AnchoringAttack": "._anchoring",
    "LabelOnlyTarget": "._label_only",
    "serve_clusterer": "._service",
    "ClusteringServiceClient": "._service",
    "ServiceError": "._service",
}

__all__ = ["AttackResult", "BaseAttack", "EvasionAttack", "PoisoningAttack", "QueryCounter", "as_target", *_LAZY]


# Deprecated aliases, removed in the next release: the figures moved to the report layer.
# (The one arrow from attacks up to report, taken only when an old name is asked for.)
_MOVED = {
    "plot_spillover_toy": "robustfair.report.figures.spillover",
    "plot_spillover_images": "robustfair.report.figures.spillover",
}


__getattr__, __dir__ = attach(
    __name__,
    _LAZY,
    __all__,
    moved={name: (module, "robustfair.report.figures") for name, module in _MOVED.items()},
)
