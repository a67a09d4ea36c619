"""Defenses of deep clustering against evasion attacks (thesis 2.3.5).

* :class:`MahalanobisDetector` - pre-processing: SSD-style anomaly detection in the
  victim's feature space; ``detection_rate`` on a 50/50 benign/adversarial mix.
* :class:`SSDDetector` - pre-processing: SSD (Sehwag et al. 2021), Mahalanobis distance to
  the nearest k-means cluster of self-supervised (SimCLR) features; victim-independent.
* :class:`RUC` - a robust add-on to any clustering (Park et al. 2021): clean-set
  selection from its pseudo-labels, co-training of two label-smoothed networks,
  relabelling of the rest (thesis 2.3.6.4).
* :class:`AdversarialTraining` - in-processing: retrain the victim on the attack's
  generated images with a consistency loss.
"""

from .._lazy import attach

_LAZY = {
    "MahalanobisDetector": "._detector",
    "SSDDetector": "._ssd",
    "AdversarialTraining": "._adversarial_training",
    "RUC": "._ruc",
}

__all__ = list(_LAZY)


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
