"""Influence-based data selection for classifiers (Chhabra et al., ICLR 2024; thesis 4.2).

Which training points help or hurt a classifier's utility, fairness or robustness on a
validation set, why (an interpretable tree over the feature space), and what to do about
it (trim them, or pick new points to label)::

    from robustfair.influence import InfluenceLogisticRegression, trim

    model = InfluenceLogisticRegression(l2=1e-3).fit(X, y)
    scores = model.influence(X, y, X_val, y_val, sensitive_features=s_val,
                             objectives=["utility", "dp", "eop", "robust"])
    keep = trim(scores["dp"], budget=50)       # drop up to 50 points whose removal helps DP

Sign convention: an influence is the predicted change of a lower-is-better objective
when the point is removed; **negative means removing the point helps**. See
``docs/influence.md``.

The MLP surrogate (``MLPInfluence``) needs torch and is imported on first use. The anchoring
poisoning attack this module defends against is :class:`robustfair.attacks.AnchoringAttack`
(``robustfair.influence.AnchoringAttack`` is a deprecated alias for one release).
"""

from .._lazy import attach
from ._attacks import linear_evasion_attack
from ._logistic import InfluenceLogisticRegression, check_binary_target, influence_scores
from ._objectives import (
    CallableObjective,
    DemographicParityObjective,
    EqualOpportunityObjective,
    Objective,
    RobustnessObjective,
    UtilityObjective,
)
from ._selection import (
    active_learning_round,
    influence_active_learning,
    online_trimming,
)
from ._tree import InfluenceTree
from ._trim import trim, trim_sweep

_LAZY = {"MLPInfluence": "._nonconvex"}

__all__ = [
    "CallableObjective",
    "DemographicParityObjective",
    "EqualOpportunityObjective",
    "InfluenceLogisticRegression",
    "InfluenceTree",
    "MLPInfluence",
    "Objective",
    "RobustnessObjective",
    "UtilityObjective",
    "active_learning_round",
    "check_binary_target",
    "influence_active_learning",
    "influence_scores",
    "linear_evasion_attack",
    "online_trimming",
    "trim",
    "trim_sweep",
]


# Moved to robustfair.attacks in this release; the old name warns for one release.
__getattr__, __dir__ = attach(
    __name__, _LAZY, __all__, moved={"AnchoringAttack": ("robustfair.attacks._anchoring", "robustfair.attacks")}
)
