"""Clustering estimators, fair and vanilla, and a name registry to pick them by string.

Estimators are imported lazily (on first attribute access), so ``import
robustfair.cluster`` stays cheap and optional dependencies (torch, OR-Tools) load only
when the estimator that needs them is used.
"""

from importlib import import_module
from typing import Any

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    if name == "dfdc_assignment":  # the DFDC solver module (not Bera's FairAssignment)
        return import_module(".dfdc_assignment", __name__)
    if name == "fair_assignment":  # deprecated alias of dfdc_assignment; importing it warns
        return import_module(".fair_assignment", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
