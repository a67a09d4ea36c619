"""Shared PyTorch parts: deep clustering estimators, backbones, training loop, device choice.

``import robustfair.deep`` works without torch; using an estimator raises a clear
``ImportError`` when torch is missing::

    from robustfair.deep import ContrastiveClustering, DEC
    model = ContrastiveClustering(n_clusters=10, epochs=20, random_state=0).fit(X)  # X in [0, 1]
    M = model.predict_proba(X)        # soft memberships (n, k)
"""

from importlib import import_module
from typing import Any

_LAZY = {
    "ContrastiveClustering": "._cc",
    "DEC": "._dec",
    "resolve_device": "._device",
    "seed_torch": "._device",
    "augment": "._training",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
