"""Defenses of deep clustering against evasion attacks (thesis 2.3.5).

* :class:`MahalanobisDetector` - pre-processing: SSD-style anomaly detection in the
  victim's feature space; ``detection_rate`` on a 50/50 benign/adversarial mix.
* :class:`AdversarialTraining` - in-processing: retrain the victim on the attack's
  generated images with a consistency loss.
"""

from importlib import import_module
from typing import Any

_LAZY = {
    "MahalanobisDetector": "._detector",
    "AdversarialTraining": "._adversarial_training",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
