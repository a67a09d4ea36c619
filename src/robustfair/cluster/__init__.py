"""Clustering estimators, fair and vanilla, and a name registry to pick them by string.

Estimators are imported lazily (on first attribute access), so ``import
robustfair.cluster`` stays cheap and optional dependencies (torch, OR-Tools) load only
when the estimator that needs them is used.
"""

from .._lazy import attach
from ._registry import ClusteringMethod, fit_labels, list_methods, make_clusterer, register_method

# public name -> private module that defines it
_LAZY = {
    "FairletDecomposition": "._fairlets",
    "ScalableFairletDecomposition": "._fairlets",
    "FairKCenter": "._fair_kcenter",
    "FairSpectralClustering": "._fair_spectral",
    "FairAssignment": "._bera",
    "FairLloyd": "._fair_lloyd",
    "ConsensusFairClustering": "._consensus",
    "DeepFairDiscriminativeClustering": "._dfdc",
    "eigenface_spectral": "._eigenface",
}

__all__ = ["ClusteringMethod", "fit_labels", "list_methods", "make_clusterer", "register_method", *_LAZY]


__getattr__, __dir__ = attach(__name__, _LAZY, __all__, submodules=["dfdc_assignment", "fair_assignment"])
