"""Shared PyTorch parts: deep clustering estimators, backbones, training loop, device choice.

``import robustfair.deep`` works without torch; using an estimator raises a clear
``ImportError`` when torch is missing::

    from robustfair.deep import ContrastiveClustering, DEC
    model = ContrastiveClustering(n_clusters=10, epochs=20, random_state=0).fit(X)  # X in [0, 1]
    M = model.predict_proba(X)        # soft memberships (n, k)
"""

from .._lazy import attach

_LAZY = {
    "ContrastiveClustering": "._cc",
    "DEC": "._dec",
    "SimCLR": "._simclr",
    "SCAN": "._scan",
    "resolve_device": "._device",
    "seed_torch": "._device",
    "augment": "._training",
}

__all__ = list(_LAZY)


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
