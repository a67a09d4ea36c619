"""scikit-learn's ``check_estimator`` on the fairlet and k-center estimators.

The fair estimators need ``sensitive_features`` in ``fit``, which scikit-learn's checks
never pass. Each ``Checked*`` class below is a thin test-only subclass that supplies a
synthetic balanced attribute -- alternating groups 0, 1, 0, 1, ... -- when none is
given; everything else is the estimator itself. The library does not do this: without
``sensitive_features`` a fair estimator raises ``ValueError``.

What the wrapper changes, and which checks it leaves meaningful:

* Every check then runs, and passes, on the real ``fit``/``predict`` code: input
  validation (NaN, complex, object, sparse, 1-D, empty, one sample -- the fair estimators
  need two samples and say ``n_samples=1``), state reset, idempotence, pickling,
  ``check_clustering`` (labels are ``0..k-1``; ``FairKCenter`` drops centers its LP
  leaves empty so labels stay consecutive), ``n_features_in_`` and so on.
* What no check can see is fairness itself: with a synthetic attribute the checks say
  nothing about balance. That is tested in ``test_fairlets.py`` and
  ``test_fair_kcenter.py``.
* ``check_fit2d_1sample`` and friends pass the wrapper one sample, hence one group; the
  estimators fail on the sample count first, which is what the check expects.

No check is expected to fail: ``EXPECTED_FAILED`` is empty, and is the one place to
record a check that cannot apply should a future scikit-learn add one.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from robustfair.cluster import FairKCenter, FairletDecomposition, ScalableFairletDecomposition
from robustfair.cluster._fair_kcenter import KCenter
from robustfair.cluster._fairlets import KMedian


def _alternating(X):
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    return np.arange(n) % 2


class CheckedScalableFairletDecomposition(ScalableFairletDecomposition):
    def fit(self, X, y=None, *, sensitive_features=None):
        if sensitive_features is None:
            sensitive_features = _alternating(X)
        return super().fit(X, y, sensitive_features=sensitive_features)


class CheckedFairletDecomposition(FairletDecomposition):
    def fit(self, X, y=None, *, sensitive_features=None):
        if sensitive_features is None:
            sensitive_features = _alternating(X)
        return super().fit(X, y, sensitive_features=sensitive_features)


class CheckedFairKCenter(FairKCenter):
    def fit(self, X, y=None, *, sensitive_features=None):
        if sensitive_features is None:
            sensitive_features = _alternating(X)
        return super().fit(X, y, sensitive_features=sensitive_features)


EXPECTED_FAILED: dict[str, str] = {}

ESTIMATORS = [
    CheckedScalableFairletDecomposition(n_clusters=2, p=1, q=2, random_state=0),
    CheckedFairletDecomposition(n_clusters=2, t=2, random_state=0),
    CheckedFairletDecomposition(n_clusters=2, t=2, method="kcenter", random_state=0),
    CheckedFairKCenter(n_clusters=2, random_state=0),
    KMedian(n_clusters=2, random_state=0),
    KCenter(n_clusters=2, random_state=0),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
