"""Mahalanobis-distance detector in the victim's feature space (SSD-style; thesis 2.3.5.2).

SSD (Sehwag et al., ICLR 2021) clusters the features of benign training data with k-means
and scores a sample by its smallest class-conditional Mahalanobis distance to a cluster;
a threshold set on held-out benign data (95% true negative rate by default) flags anomalies.
Here the features are the victim's own representation (``victim.transform``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array, check_fraction, check_n_clusters, check_random_state, seed_from

__all__ = ["MahalanobisDetector", "mixed_detection"]


class MahalanobisDetector:
    """Flag inputs far (in Mahalanobis distance) from every cluster of benign features.

    Parameters
    ----------
    n_clusters : int, default=10
        k-means clusters of the benign features (SSD's pseudo-classes).
    tnr : float, default=0.95
        Fraction of held-out benign images kept below the threshold.
    calibration_fraction : float, default=0.2
        Share of the benign images held out to set the threshold.
    shrinkage : float, default=1e-3
        Ridge added to each covariance, relative to its mean variance.
    random_state : int, Generator or None
    """

    def __init__(
        self,
        n_clusters: int = 10,
        *,
        tnr: float = 0.95,
        calibration_fraction: float = 0.2,
        shrinkage: float = 1e-3,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.tnr = tnr
        self.calibration_fraction = calibration_fraction
        self.shrinkage = shrinkage
        self.random_state = random_state

    def _features(self, X: Any) -> np.ndarray:
        feats = self.featurizer_(X) if callable(self.featurizer_) else self.featurizer_.transform(X)
        return check_array(feats, "features")

    def fit(self, victim: Any, X: Any) -> MahalanobisDetector:
        """Fit on benign images ``X``; ``victim`` has ``transform(X)`` (or is a feature callable)."""
        from sklearn.cluster import KMeans

        if not (callable(victim) or hasattr(victim, "transform")):
            raise ValueError("victim must have transform(X) returning features, or be a callable doing so.")
        check_fraction(self.tnr, "tnr", low=0.0, high=1.0, inclusive_low=False)
        check_fraction(self.calibration_fraction, "calibration_fraction", inclusive_low=False)
        rng = check_random_state(self.random_state)
        self.featurizer_ = victim
        feats = self._features(X)
        n = feats.shape[0]
        order = rng.permutation(n)
        n_cal = max(1, int(round(self.calibration_fraction * n)))
        fit_idx, cal_idx = order[n_cal:], order[:n_cal]
        k = check_n_clusters(self.n_clusters, fit_idx.shape[0])
        km = KMeans(k, n_init=4, random_state=seed_from(rng)).fit(feats[fit_idx])
        d = feats.shape[1]
        self.means_ = np.zeros((k, d))
        self.precisions_ = np.zeros((k, d, d))
        for c in range(k):  # one covariance per cluster: k small (<= a few dozen)
            fc = feats[fit_idx][km.labels_ == c]
            self.means_[c] = fc.mean(0)
            cov = np.cov(fc, rowvar=False) if fc.shape[0] > 1 else np.zeros((d, d))
            ridge = self.shrinkage * max(float(np.trace(cov)) / d, 1e-8) + 1e-6
            self.precisions_[c] = np.linalg.pinv(cov + ridge * np.eye(d))
        self.threshold_ = float(np.quantile(self._score_features(feats[cal_idx]), self.tnr))
        return self

    def _score_features(self, feats: np.ndarray) -> np.ndarray:
        diff = feats[:, None, :] - self.means_[None]  # (n, k, d)
        dist = np.einsum("nkd,kde,nke->nk", diff, self.precisions_, diff)
        return dist.min(1)

    def score_samples(self, X: Any) -> np.ndarray:
        """Smallest cluster-conditional Mahalanobis distance (larger = more anomalous)."""
        if not hasattr(self, "threshold_"):
            raise ValueError("This MahalanobisDetector is not fitted yet; call fit(victim, X) first.")
        return self._score_features(self._features(X))

    def predict(self, X: Any) -> np.ndarray:
        """1 for flagged (adversarial / anomalous), 0 for accepted."""
        return (self.score_samples(X) > self.threshold_).astype(np.int64)

    def evaluate(self, X_benign: Any, X_adv: Any, *, n_trials: int = 1, random_state: Any = None) -> dict[str, float]:
        """Thesis 2.3.6.5 protocol: each image is, uniformly at random, benign or its adversarial twin.

        Returns the detection rate (flagged adversarial / adversarial) and the false positive
        rate (flagged benign / benign) on that 50/50 mix, averaged over ``n_trials`` mixes.
        """
        return mixed_detection(self.predict, X_benign, X_adv, n_trials=n_trials, random_state=random_state)

    def detection_rate(self, X_benign: Any, X_adv: Any, *, n_trials: int = 1, random_state: Any = None) -> float:
        """Share of adversarial images flagged on a 50/50 benign/adversarial mix."""
        return self.evaluate(X_benign, X_adv, n_trials=n_trials, random_state=random_state)["detection_rate"]


def mixed_detection(
    predict: Any, X_benign: Any, X_adv: Any, *, n_trials: int = 1, random_state: Any = None
) -> dict[str, float]:
    """Detection and false positive rates of ``predict`` on random 50/50 benign/adversarial mixes.

    Each trial draws, for every image, whether the detector sees it or its adversarial twin
    (thesis 2.3.6.5); the rates are averaged over ``n_trials``. ``predict`` scores each image
    on its own, so both sets are scored once and the trials only redraw the mix.
    """
    X_benign = np.asarray(X_benign, dtype=np.float64)
    X_adv = np.asarray(X_adv, dtype=np.float64)
    if X_benign.shape != X_adv.shape:
        raise ValueError(f"X_benign {X_benign.shape} and X_adv {X_adv.shape} must have the same shape.")
    if isinstance(n_trials, bool) or not isinstance(n_trials, (int, np.integer)) or n_trials < 1:
        raise ValueError(f"n_trials must be an int >= 1; got {n_trials!r}.")
    rng = check_random_state(random_state)
    flag_benign = np.asarray(predict(X_benign)).astype(bool)
    flag_adv = np.asarray(predict(X_adv)).astype(bool)
    is_adv = rng.random((int(n_trials), X_benign.shape[0])) < 0.5  # (trials, n)
    n_adv, n_ben = is_adv.sum(1), (~is_adv).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        detection = (is_adv & flag_adv).sum(1) / n_adv
        false_pos = (~is_adv & flag_benign).sum(1) / n_ben
    return {
        "detection_rate": float(np.nanmean(detection)) if n_adv.any() else float("nan"),
        "false_positive_rate": float(np.nanmean(false_pos)) if n_ben.any() else float("nan"),
    }
