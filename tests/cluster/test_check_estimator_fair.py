"""scikit-learn's ``check_estimator`` on FSC, FairAssignment (Bera) and FairLloyd.

The fair estimators need ``sensitive_features`` in ``fit``, which scikit-learn's checks
never pass. Each ``Checked*`` class is a thin test-only subclass that supplies a synthetic
attribute -- alternating groups 0, 1, 0, 1, ... -- when none is given; all else is the
estimator itself (the library raises ``ValueError`` without ``sensitive_features``).

All 45 applicable checks pass for the three estimators, so ``EXPECTED_FAILED`` is empty;
it is the one place to record, with its reason, a check that cannot apply. Notes:

* ``FairSpectralClustering`` has no ``predict`` (spectral clustering has no out-of-sample
  rule); scikit-learn runs the predict checks only where the method exists.
* One-sample checks hand the wrapper one sample, hence one group; the estimators fail on
  the sample count first (``n_samples = 1``), which is what the check expects.
* ``check_array_api_input`` is skipped by scikit-learn itself unless ``SCIPY_ARRAY_API``
  is set; the estimators are numpy-only.
Fairness itself is invisible to these checks (the attribute is synthetic); it is tested in
``test_fair_spectral.py``, ``test_bera.py`` and ``test_fair_lloyd.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator
from threadpoolctl import threadpool_limits

from robustfair.cluster import FairAssignment, FairLloyd, FairSpectralClustering


@pytest.fixture(autouse=True)
def _one_thread():
    """Small problems: OpenMP/BLAS thread pools only add contention on a shared machine."""
    with threadpool_limits(limits=1):
        yield


def _alternating(X):
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    return np.arange(n) % 2


class CheckedFairSpectralClustering(FairSpectralClustering):
    def fit(self, X, y=None, *, sensitive_features=None):
        if sensitive_features is None:
            sensitive_features = _alternating(X)
        return super().fit(X, y, sensitive_features=sensitive_features)


class CheckedFairAssignment(FairAssignment):
    def fit(self, X, y=None, *, sensitive_features=None):
        if sensitive_features is None:
            sensitive_features = _alternating(X)
        return super().fit(X, y, sensitive_features=sensitive_features)


class CheckedFairLloyd(FairLloyd):
    def fit(self, X, y=None, *, sensitive_features=None):
        if sensitive_features is None:
            sensitive_features = _alternating(X)
        return super().fit(X, y, sensitive_features=sensitive_features)


EXPECTED_FAILED: dict[str, dict[str, str]] = {
    "CheckedFairSpectralClustering": {},
    "CheckedFairAssignment": {},
    "CheckedFairLloyd": {},
}

ESTIMATORS = [
    CheckedFairSpectralClustering(n_clusters=3, random_state=0),
    CheckedFairAssignment(n_clusters=3, random_state=0),
    CheckedFairLloyd(n_clusters=3, n_init=2, random_state=0),
]


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_sklearn_check_estimator(estimator):
    check_estimator(estimator, expected_failed_checks=EXPECTED_FAILED[type(estimator).__name__])
