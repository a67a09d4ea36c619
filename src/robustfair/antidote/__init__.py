"""Antidote data for fair clustering (Chhabra, Singla and Mohapatra).

Instead of a fair variant of each clustering algorithm, add a few points ``V`` to the
data ``U`` so that the vanilla algorithm run on ``U ∪ V`` gives fairer clusters of ``U``::

    from robustfair.antidote import AntidoteData
    ad = AntidoteData("kmeans", n_clusters=2, fairness="balance").fit(U, sensitive_features=s)
    ad.antidote_, ad.cost_before_, ad.cost_after_

:class:`AntidoteData` is Algorithm 2 (general clusterer and fairness cost, SRE + RACOS);
:class:`ConvexAntidote` is Algorithm 1 (sum-of-norms clustering and the social cost,
single-level KKT reduction solved with cvxpy). cvxpy is imported only by the convex part.
"""

from .._lazy import attach
from ._general import AntidoteData, UnnormalizedSpectralClustering, antidote_for_centers, fairness_cost

_LAZY = {"SumOfNormsClustering": "._convex", "ConvexAntidote": "._convex"}

__all__ = ["AntidoteData", "UnnormalizedSpectralClustering", "antidote_for_centers", "fairness_cost", *_LAZY]


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
