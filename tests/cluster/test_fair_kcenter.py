"""Fair k-center, KFC (Harb & Lam 2020), and vanilla Gonzalez k-center."""

from __future__ import annotations

import numpy as np
import pytest

from robustfair.cluster import FairKCenter, make_clusterer
from robustfair.cluster import _fair_kcenter
from robustfair.cluster._fair_kcenter import KCenter


def _balance(labels, s):
    out = []
    for c in np.unique(labels):
        a, b = np.sum(s[labels == c] == 0), np.sum(s[labels == c] == 1)
        out.append(0.0 if a == 0 or b == 0 else min(a / b, b / a))
    return min(out)


def _separated(n=200, seed=0):
    """Group 0 on the left, group 1 on the right: vanilla clusters are one-group."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(n // 2, 2)) + [-6, 0], rng.normal(size=(n // 2, 2)) + [6, 0]])
    s = np.repeat([0, 1], n // 2)
    return X, s


def test_every_point_is_within_the_searched_radius_of_its_center():
    X, s = _separated()
    kfc = FairKCenter(n_clusters=4, random_state=0).fit(X, sensitive_features=s)
    d = np.linalg.norm(X - kfc.cluster_centers_[kfc.labels_], axis=1)
    assert d.max() <= kfc.radius_ + 1e-9


def test_radius_is_at_least_the_vanilla_radius_with_the_same_centers():
    X, s = _separated(seed=1)
    kfc = FairKCenter(n_clusters=4, random_state=3).fit(X, sensitive_features=s)
    kc = KCenter(n_clusters=4, random_state=3).fit(X)
    assert kfc.radius_ >= kc.radius_ - 1e-12


def test_kfc_mixes_groups_that_vanilla_k_center_separates():
    X, s = _separated(seed=2)
    kc = KCenter(n_clusters=4, random_state=0).fit(X)
    assert _balance(kc.labels_, s) == 0.0
    kfc = FairKCenter(n_clusters=4, delta=0.1, random_state=0).fit(X, sensitive_features=s)
    assert _balance(kfc.labels_, s) > 0.5
    assert kfc.max_additive_violation_ <= 10
    np.testing.assert_allclose(kfc.alpha_, 0.5 / 0.9)
    np.testing.assert_allclose(kfc.beta_, 0.5 * 0.9)


def test_same_random_state_gives_same_labels_and_refit_resets():
    X, s = _separated(seed=3)
    a = FairKCenter(n_clusters=3, random_state=5).fit_predict(X, sensitive_features=s)
    est = FairKCenter(n_clusters=3, random_state=5)
    est.fit(X[70:130], sensitive_features=s[70:130])
    b = est.fit_predict(X, sensitive_features=s)
    assert np.array_equal(a, b)
    assert est.labels_.shape == (X.shape[0],)


def test_predict_assigns_new_points_to_the_nearest_center():
    X, s = _separated(seed=4)
    kfc = FairKCenter(n_clusters=3, random_state=0).fit(X, sensitive_features=s)
    assert kfc.predict(X[:11]).shape == (11,)
    assert np.array_equal(kfc.predict(kfc.cluster_centers_), np.arange(kfc.cluster_centers_.shape[0]))


def test_gonzalez_radius_is_below_the_least_center_separation():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    kc = KCenter(n_clusters=6, random_state=0).fit(X)
    C = kc.cluster_centers_
    sep = min(np.linalg.norm(C[i] - C[j]) for i in range(6) for j in range(i))
    assert kc.radius_ <= sep + 1e-12
    assert np.array_equal(kc.predict(C), np.arange(6))


def test_registry_builds_kfc_and_kcenter():
    assert isinstance(make_clusterer("kfc", 3, delta=0.2), FairKCenter)
    assert isinstance(make_clusterer("kcenter", 3), KCenter)


@pytest.mark.parametrize(
    "params,s_fn,match",
    [
        ({"delta": 1.0}, lambda n: np.arange(n) % 2, "'delta' parameter of FairKCenter must be a float in the range"),
        ({"delta": -0.1}, lambda n: np.arange(n) % 2, "'delta' parameter of FairKCenter must be a float in the range"),
        ({}, lambda n: np.zeros(n, int), "1 distinct group"),
        ({"n_clusters": 500}, lambda n: np.arange(n) % 2, "n_clusters=500 is larger"),
        ({"n_rounding_trials": 0}, lambda n: np.arange(n) % 2, "n_rounding_trials"),
    ],
)
def test_bad_input_raises_a_clear_value_error(params, s_fn, match):
    X, _ = _separated()
    with pytest.raises(ValueError, match=match):
        FairKCenter(**{"n_clusters": 3, **params}).fit(X, sensitive_features=s_fn(X.shape[0]))


def test_nan_and_wrong_shape_name_x():
    X, s = _separated()
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="X contains NaN"):
        FairKCenter(n_clusters=2).fit(bad, sensitive_features=s)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        FairKCenter(n_clusters=2).fit(X[:, 0], sensitive_features=s)


def test_infeasible_lp_is_a_value_error_not_a_solver_traceback(monkeypatch):
    class Infeasible:
        status = 2

    monkeypatch.setattr(_fair_kcenter, "linprog", lambda *a, **k: Infeasible())
    X, s = _separated()
    with pytest.raises(ValueError, match="LP is infeasible"):
        FairKCenter(n_clusters=2, random_state=0).fit(X, sensitive_features=s)


def test_kfc_handles_more_than_two_groups():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 2))
    s = np.array(["a", "b", "c"])[np.arange(240) % 3]
    kfc = FairKCenter(n_clusters=3, delta=0.2, random_state=0).fit(X, sensitive_features=s)
    assert list(kfc.groups_) == ["a", "b", "c"] and kfc.alpha_.shape == (3,)
    assert kfc.labels_.shape == (240,)
