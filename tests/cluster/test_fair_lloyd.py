"""FairLloyd (Ghadiri et al. 2021): social cost against k-means, both center steps, errors."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from robustfair.cluster import FairLloyd
from robustfair.metrics import social_fairness_cost


@pytest.fixture(autouse=True)
def _one_thread():
    """Small problems: OpenMP/BLAS thread pools only add contention on a shared machine."""
    with threadpool_limits(limits=1):
        yield


def _groups_differ(seed):
    """A large group in two far blobs, a small group in a third: k-means serves the large one."""
    rng = np.random.default_rng(seed)
    XA = np.vstack([rng.normal(size=(300, 2)) * 0.5, rng.normal(size=(300, 2)) * 0.5 + [6, 0]])
    XB = rng.normal(size=(60, 2)) * 0.5 + [3, 5]
    return np.vstack([XA, XB]), np.r_[np.zeros(600, int), np.ones(60, int)]


def test_social_cost_not_above_kmeans_when_groups_differ():
    fair, vanilla = [], []
    for seed in range(3):
        X, g = _groups_differ(seed)
        m = FairLloyd(2, n_init=3, random_state=seed).fit(X, sensitive_features=g)
        km = KMeans(2, n_init=3, random_state=seed).fit(X)
        fair.append(m.social_cost_)
        vanilla.append(social_fairness_cost(X, km.cluster_centers_, sensitive_features=g))
        assert m.social_cost_ == pytest.approx(social_fairness_cost(X, m.cluster_centers_, sensitive_features=g))
    assert np.mean(fair) < 0.5 * np.mean(vanilla)


def test_line_search_equalises_group_costs_when_interior():
    X, g = _groups_differ(0)
    m = FairLloyd(2, n_init=2, random_state=0).fit(X, sensitive_features=g)
    assert m.group_costs_[0] == pytest.approx(m.group_costs_[1], rel=0.05)


def test_multiplicative_weights_for_three_groups():
    X, g = _groups_differ(1)
    g = g.copy()
    g[300:600] = 2  # the second blob becomes its own group
    m = FairLloyd(3, n_init=2, random_state=0).fit(X, sensitive_features=g)
    km = KMeans(3, n_init=2, random_state=0).fit(X)
    assert m.social_cost_ <= social_fairness_cost(X, km.cluster_centers_, sensitive_features=g) + 1e-9
    assert m.group_costs_.shape == (3,)


def test_same_seed_same_labels_refit_resets_and_predict_shape():
    X, g = _groups_differ(2)
    a = FairLloyd(3, n_init=2, random_state=1).fit(X, sensitive_features=g)
    b = FairLloyd(3, n_init=2, random_state=1).fit(X, sensitive_features=g)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.predict(X[:9]).shape == (9,)
    np.testing.assert_array_equal(a.predict(X), a.labels_)
    a.fit(X[:100, :1], sensitive_features=g[:100] * 0 + np.arange(100) % 2)
    assert a.cluster_centers_.shape == (3, 1) and a.labels_.shape == (100,)


@pytest.mark.parametrize(
    "kwargs, X_fn, s_fn, match",
    [
        ({}, lambda X: X, lambda g: np.zeros_like(g), "distinct group"),
        ({"n_clusters": 5000}, lambda X: X, lambda g: g, "larger than the number of samples"),
        ({}, lambda X: np.where(X > 5, np.inf, X), lambda g: g, "NaN or infinity"),
        ({}, lambda X: X, lambda g: g[:3], "must match"),
        ({"max_iter": 0}, lambda X: X, lambda g: g, "max_iter"),
        ({}, lambda X: X[None], lambda g: g, "2-D"),
    ],
)
def test_bad_input_raises_clear_valueerror(kwargs, X_fn, s_fn, match):
    X, g = _groups_differ(0)
    with pytest.raises(ValueError, match=match):
        FairLloyd(**{"n_clusters": 2, **kwargs}).fit(X_fn(X), sensitive_features=s_fn(g))


def test_predict_rejects_wrong_feature_count():
    X, g = _groups_differ(0)
    m = FairLloyd(2, n_init=1, random_state=0).fit(X, sensitive_features=g)
    with pytest.raises(ValueError, match="features"):
        m.predict(X[:, :1])


def test_vectorized_line_search_matches_scalar_bisection_of_the_paper():
    from robustfair.cluster._fair_lloyd import _line_search_centers

    rng = np.random.default_rng(3)
    for _ in range(20):
        k, d = 6, 3
        a = rng.dirichlet(np.ones(k), size=2).T  # shares of each group over the clusters
        a[rng.integers(k), rng.integers(2)] = 0.0
        mu = rng.normal(size=(k, 2, d))
        delta = rng.random(2) * 3
        C = _line_search_centers(a, mu, delta, np.zeros((k, d)))
        cost = [delta[h] + (a[:, h] * ((C - mu[:, h]) ** 2).sum(1)).sum() for h in range(2)]

        def social(gamma):  # Algorithm 2's centers at gamma, evaluated directly
            den = (1 - gamma) * a[:, 0] + gamma * a[:, 1]
            lam = np.where(a[:, 0] == 0, 1.0, np.where(a[:, 1] == 0, 0.0, gamma * a[:, 1] / np.where(den > 0, den, 1)))
            Cg = (1 - lam)[:, None] * mu[:, 0] + lam[:, None] * mu[:, 1]
            return max(delta[h] + (a[:, h] * ((Cg - mu[:, h]) ** 2).sum(1)).sum() for h in range(2))

        best = min(social(gm) for gm in np.linspace(0, 1, 20001))
        assert max(cost) <= best + 1e-9
