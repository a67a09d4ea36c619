"""SSD (Sehwag, Chiang and Mittal, ICLR 2021): self-supervised outlier detection (thesis 2.3.5.2).

SSD needs no labels and no access to the model it protects. A self-supervised encoder
(SimCLR) is trained on benign images; its features are L2-normalised and standardised with
the benign statistics, clustered with k-means, and a sample's score is its Mahalanobis
distance to the *nearest* cluster-conditional Gaussian,

    s(x) = min_m (z - mu_m)^T Sigma_m^{-1} (z - mu_m),

with one covariance per cluster (SSD's code) or one pooled within-cluster covariance
(``covariance="shared"``, Lee et al. 2018's tied form). A threshold set on held-out benign
images (95% true negative rate by default) flags anomalies. :class:`MahalanobisDetector`
applies the same rule in the victim's own feature space; this detector is independent of
the victim.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import (
    Interval,
    StrOptions,
    check_array,
    check_fit_array,
    check_n_clusters,
    check_params,
    check_random_state,
    record_feature_names,
    seed_from,
)
from ._detector import mixed_detection

__all__ = ["SSDDetector"]


class SSDDetector(BaseEstimator):
    """Flag images far, in Mahalanobis distance, from every cluster of self-supervised features.

    Parameters
    ----------
    n_clusters : int, default=10
        k-means clusters of the benign features (SSD's pseudo-classes; SSD uses 1 for
        CIFAR-10 and reports small gains from a few).
    encoder : "simclr", "identity", or an object with ``transform(X)`` / a callable
        ``"simclr"`` trains :class:`robustfair.deep.SimCLR` on the benign images (SSD);
        ``"identity"`` uses the rows of ``X`` as features (any tabular data); an object or
        callable is a fixed, already trained feature map.
    encoder_options : dict, optional
        Keyword arguments of :class:`robustfair.deep.SimCLR` (``epochs``, ``width``, ...).
    covariance : {"per-cluster", "shared"}, default="per-cluster"
        One covariance per cluster (SSD) or the pooled within-cluster covariance.
    normalize : bool, default=True
        L2-normalise the features, then standardise them with the benign mean and standard
        deviation (SSD's preprocessing).
    tnr : float, default=0.95
        Fraction of held-out benign images kept below the threshold.
    calibration_fraction : float, default=0.2
        Share of the benign images held out to set the threshold (not used to fit).
    shrinkage : float, default=1e-3
        Ridge added to each covariance, relative to its mean variance.
    random_state : int, Generator or None

    Attributes
    ----------
    encoder_ : the fitted feature map
    means_ : ndarray (k, d)
    precisions_ : ndarray (k, d, d)
        Inverse covariances (all equal with ``covariance="shared"``).
    threshold_ : float
        Scores above it are flagged.
    n_features_in_ : int
        Set for ``encoder="identity"``.
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "encoder": "no_validation",  # "simclr", "identity", a transformer or a callable: checked in fit
        "encoder_options": [dict, None],
        "covariance": [StrOptions({"per-cluster", "shared"})],
        "normalize": ["boolean"],
        "tnr": [Interval(Real, 0, 1, closed="right")],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shrinkage": [Interval(Real, 0, None, closed="left")],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self,
        n_clusters: int = 10,
        *,
        encoder: Any = "simclr",
        encoder_options: dict | None = None,
        covariance: str = "per-cluster",
        normalize: bool = True,
        tnr: float = 0.95,
        calibration_fraction: float = 0.2,
        shrinkage: float = 1e-3,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.encoder = encoder
        self.encoder_options = encoder_options
        self.covariance = covariance
        self.normalize = normalize
        self.tnr = tnr
        self.calibration_fraction = calibration_fraction
        self.shrinkage = shrinkage
        self.random_state = random_state

    # -- features -------------------------------------------------------------------------
    def _raw_features(self, X: Any, *, reset: bool) -> np.ndarray:
        if isinstance(self.encoder_, str):  # "identity"
            arr = check_fit_array(X, min_samples=2) if reset else check_fit_array(X)
            record_feature_names(self, X, reset=reset)
            return arr
        feats = self.encoder_(X) if callable(self.encoder_) else self.encoder_.transform(X)
        return check_array(feats, "features")

    def _standardize(self, feats: np.ndarray) -> np.ndarray:
        if not self.normalize:
            return feats
        feats = feats / (np.linalg.norm(feats, axis=1, keepdims=True) + 1e-10)
        return (feats - self.feature_mean_) / (self.feature_std_ + 1e-10)

    def fit(self, X: Any, y: Any = None) -> SSDDetector:
        """Fit on benign data ``X`` (images for ``encoder="simclr"``); ``y`` is ignored."""
        from sklearn.cluster import KMeans

        check_params(self)
        encoder = self.encoder
        if isinstance(encoder, str):
            if encoder not in ("simclr", "identity"):
                raise ValueError(f"encoder must be 'simclr', 'identity', a transformer or a callable; got {encoder!r}.")
        elif not (callable(encoder) or hasattr(encoder, "transform")):
            raise ValueError(
                f"encoder must be 'simclr', 'identity', a transformer or a callable; got {type(encoder).__name__}."
            )
        rng = check_random_state(self.random_state)
        if encoder == "identity":
            self.encoder_ = "identity"
            X_arr = self._raw_features(X, reset=True)
        else:
            X_arr = np.asarray(X, dtype=np.float64) if not hasattr(X, "detach") else X.detach().cpu().numpy()
        n = X_arr.shape[0]
        if n < 2:
            raise ValueError(f"X needs at least 2 samples (fit and calibration); got {n}.")
        order = rng.permutation(n)
        n_cal = min(n - 1, max(1, int(round(self.calibration_fraction * n))))
        fit_idx, cal_idx = np.sort(order[n_cal:]), np.sort(order[:n_cal])
        k = check_n_clusters(self.n_clusters, fit_idx.shape[0])
        if encoder == "simclr":
            from ..deep import SimCLR

            self.encoder_ = SimCLR(**(self.encoder_options or {}), random_state=seed_from(rng)).fit(X_arr[fit_idx])
        elif encoder != "identity":
            self.encoder_ = encoder
        feats = X_arr if encoder == "identity" else self._raw_features(X_arr, reset=True)
        raw_fit = feats[fit_idx]
        if self.normalize:
            unit = raw_fit / (np.linalg.norm(raw_fit, axis=1, keepdims=True) + 1e-10)
            self.feature_mean_, self.feature_std_ = unit.mean(0), unit.std(0)
        z = self._standardize(raw_fit)
        km = KMeans(k, n_init=4, random_state=seed_from(rng)).fit(z)
        onehot = np.eye(k)[km.labels_]  # (n_fit, k)
        counts = onehot.sum(0)
        d = z.shape[1]
        self.means_ = (onehot.T @ z) / np.maximum(counts, 1)[:, None]
        centred = z[:, None, :] - self.means_[None]  # (n_fit, k, d)
        scatter = np.einsum("nk,nkd,nke->kde", onehot, centred, centred)  # within-cluster scatter per cluster
        if self.covariance == "shared":
            covs = np.broadcast_to(scatter.sum(0) / z.shape[0], (k, d, d))
        else:
            covs = scatter / np.maximum(counts, 1)[:, None, None]
        ridge = self.shrinkage * np.maximum(np.trace(covs, axis1=1, axis2=2) / d, 1e-8) + 1e-6
        self.precisions_ = np.linalg.pinv(covs + ridge[:, None, None] * np.eye(d))
        self.cluster_sizes_ = counts.astype(np.int64)
        self.threshold_ = float(np.quantile(self._score_features(self._standardize(feats[cal_idx])), self.tnr))
        return self

    def _score_features(self, z: np.ndarray) -> np.ndarray:
        diff = z[:, None, :] - self.means_[None]  # (n, k, d)
        return np.einsum("nkd,kde,nke->nk", diff, self.precisions_, diff).min(1)

    def score_samples(self, X: Any) -> np.ndarray:
        """Mahalanobis distance to the nearest cluster-conditional Gaussian (larger = more anomalous)."""
        from sklearn.exceptions import NotFittedError

        if not hasattr(self, "threshold_"):  # NotFittedError is a ValueError (and an AttributeError)
            raise NotFittedError("This SSDDetector is not fitted yet; call fit(X) first.")
        return self._score_features(self._standardize(self._raw_features(X, reset=False)))

    def predict(self, X: Any) -> np.ndarray:
        """1 for flagged (adversarial / anomalous), 0 for accepted."""
        return (self.score_samples(X) > self.threshold_).astype(np.int64)

    def evaluate(self, X_benign: Any, X_adv: Any, *, n_trials: int = 1, random_state: Any = None) -> dict[str, float]:
        """Thesis 2.3.6.5 / Fig 2.12a: each image is, at random, benign or its adversarial twin.

        Averaged over ``n_trials`` random mixes (the thesis: 100). Returns the detection rate
        (flagged adversarial / adversarial) and the false positive rate (flagged benign / benign).
        """
        return mixed_detection(self.predict, X_benign, X_adv, n_trials=n_trials, random_state=random_state)

    def detection_rate(self, X_benign: Any, X_adv: Any, *, n_trials: int = 1, random_state: Any = None) -> float:
        """Share of adversarial images flagged on 50/50 benign/adversarial mixes."""
        return self.evaluate(X_benign, X_adv, n_trials=n_trials, random_state=random_state)["detection_rate"]
