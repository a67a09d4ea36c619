"""FairAssignment's k-median centers come from the library's k-median, never silently from k-means."""

import numpy as np
import pytest

import robustfair.cluster._fairlets as fairlets
from robustfair.cluster import FairAssignment


def _data():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.3, size=(20, 2)) for c in ((0, 0), (4, 0), (0, 4))])
    s = np.tile([0, 1], 30)
    return X, s


def test_kmedian_centers_are_medoids_of_the_data():
    X, s = _data()
    est = FairAssignment(n_clusters=3, centers="kmedian", p=1, random_state=0).fit(X, sensitive_features=s)
    # k-medoids centers are data points; k-means centers (the old silent fallback) are not
    assert all(np.isclose(X, c).all(1).any() for c in est.cluster_centers_)


def test_a_failing_kmedian_is_raised_not_replaced_by_kmeans(monkeypatch):
    def broken_fit(self, X, y=None):
        raise ValueError("k-median broke")

    monkeypatch.setattr(fairlets.KMedian, "fit", broken_fit)
    X, s = _data()
    with pytest.raises(ValueError, match="k-median broke"):
        FairAssignment(n_clusters=3, centers="kmedian", p=1, random_state=0).fit(X, sensitive_features=s)
