"""Shared parts of the fair clustering estimators: one ``fit_predict`` and one input check.

Every fair clusterer is fitted as ``fit(X, y=None, *, sensitive_features=s)`` and exposes
``labels_``. :class:`FairClusteringMixin` gives them the matching ``fit_predict`` and a
single validation path (:meth:`FairClusteringMixin._validate_fit_input`), built on
:mod:`robustfair._validation`, so bad input raises the same ``ValueError`` everywhere.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClusterMixin

from .._validation import check_fit_array, check_sensitive_features, encode_labels, record_feature_names

__all__ = ["FairClusteringMixin"]


class FairClusteringMixin(ClusterMixin):
    """Mixin for fair clusterers: ``fit_predict`` forwarding ``sensitive_features``.

    Subclasses implement ``fit(X, y=None, *, sensitive_features=None)`` that sets
    ``labels_`` and returns ``self``. Put this mixin before ``BaseEstimator`` in the bases.
    """

    def fit_predict(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> np.ndarray:
        """Fit on ``X`` with the protected attribute and return ``labels_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sensitive_features : array-like of shape (n_samples,)
            Group id of every sample; required by every fair clusterer.

        Returns
        -------
        labels : ndarray of int, shape (n_samples,)
        """
        return self.fit(X, y, sensitive_features=sensitive_features).labels_

    def _validate_fit_input(
        self, X: Any, sensitive_features: Any, *, min_groups: int = 2
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Validate ``X`` and the protected attribute; set ``n_features_in_`` (and ``feature_names_in_``).

        Returns
        -------
        X : ndarray of float64, shape (n_samples, n_features)
            Finite (NaN and infinity raise ``ValueError`` naming ``X``).
        codes : ndarray of int64, shape (n_samples,)
            Group of every sample as ``0..G-1``.
        groups : ndarray, shape (G,)
            The distinct group values; ``groups[codes]`` gives back ``sensitive_features``.
        """
        X_in = X
        X = check_fit_array(X, "X", min_samples=2)
        s = check_sensitive_features(sensitive_features, X.shape[0], min_groups=min_groups)
        codes, groups = encode_labels(s, "sensitive_features")
        record_feature_names(self, X_in, reset=True)  # n_features_in_, and feature_names_in_ for a DataFrame
        return X, codes, groups

    def _validate_predict_input(self, X: Any) -> np.ndarray:
        """Validate ``X`` for ``predict``: finite, 2-D, as many features as seen in fit."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X_in = X
        X = check_fit_array(X, "X")
        record_feature_names(self, X_in, reset=False)  # scikit-learn's checks of names and width
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X
