"""FairAssignment (Bera et al. 2019): LP bounds, rounding violation, exactness, errors."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

import robustfair.cluster._bera as bera
from robustfair.cluster import FairAssignment, make_clusterer
from robustfair.metrics import balance


@pytest.fixture(autouse=True)
def _one_thread():
    """Small problems: OpenMP/BLAS thread pools only add contention on a shared machine."""
    with threadpool_limits(limits=1):
        yield


def _segregated(n=600, seed=0):
    """Group 1 sits mostly in one corner, so nearest-center assignment is unfair."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    g = (rng.random(n) < np.where(X[:, 0] > 0.3, 0.8, 0.1)).astype(int)
    return X, g


def _counts(labels, g, k):
    c = np.zeros((k, g.max() + 1))
    np.add.at(c, (labels, g), 1)
    return c


def test_counts_within_bounds_up_to_additive_violation_4delta_plus_3():
    X, g = _segregated()
    m = FairAssignment(n_clusters=4, delta=0.2, random_state=0).fit(X, sensitive_features=g)
    c = _counts(m.labels_, g, 4)
    size = c.sum(1, keepdims=True)
    r = np.bincount(g) / g.size
    assert np.all(c <= r / 0.8 * size + 7) and np.all(c >= r * 0.8 * size - 7)  # Theorem 2, Delta = 1
    assert m.violation_ <= 7
    np.testing.assert_allclose(m.alpha_, r / 0.8)


def test_balance_improves_over_vanilla_nearest_center():
    X, g = _segregated()
    m = FairAssignment(n_clusters=4, random_state=0).fit(X, sensitive_features=g)
    vanilla = ((X[:, None] - m.cluster_centers_[None]) ** 2).sum(-1).argmin(1)
    assert balance(m.labels_, sensitive_features=g) > balance(vanilla, sensitive_features=g) + 0.2
    assert m.cost_ >= ((X[:, None] - m.cluster_centers_[None]) ** 2).sum(-1).min(1).sum()


def test_column_generation_reaches_the_full_lp_optimum(monkeypatch):
    X, g = _segregated(1200, seed=1)
    C = KMeans(5, n_init=1, random_state=0).fit(X).cluster_centers_
    direct = FairAssignment(centers=C).fit(X, sensitive_features=g)
    monkeypatch.setattr(bera, "_DIRECT_LP_SIZE", 10)
    colgen = FairAssignment(centers=C).fit(X, sensitive_features=g)
    assert colgen.lp_cost_ == pytest.approx(direct.lp_cost_, rel=1e-7)
    assert colgen.violation_ <= 7


@pytest.mark.parametrize("centers", ["kmeans", "kmedian", "kcenter"])
def test_vanilla_center_choices_and_cost_power(centers):
    X, g = _segregated(300)
    m = FairAssignment(n_clusters=3, centers=centers, p=1, random_state=0).fit(X, sensitive_features=g)
    assert m.cluster_centers_.shape == (3, 2) and m.labels_.shape == (300,)
    d = np.sqrt(((X - m.cluster_centers_[m.labels_]) ** 2).sum(1))
    assert m.cost_ == pytest.approx(d.sum())


def test_three_groups_and_registry_name():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    g = np.digitize(X[:, 0], [-0.4, 0.4])
    m = make_clusterer("bera", 3, random_state=0).fit(X, sensitive_features=g)
    assert m.violation_ <= 7


def test_infeasible_bounds_raise_before_the_solver():
    X, g = _segregated(200)
    with pytest.raises(ValueError, match="Infeasible proportion bounds"):
        FairAssignment(n_clusters=2, beta=[0.9, 0.9]).fit(X, sensitive_features=g)
    with pytest.raises(ValueError, match="one bound per group"):
        FairAssignment(n_clusters=2, alpha=[1.0, 1.0, 1.0]).fit(X, sensitive_features=g)


def test_solver_infeasible_status_becomes_valueerror():
    rng = np.random.default_rng(0)
    cost = rng.random((50, 3))
    g = np.r_[np.zeros(25, int), np.ones(25, int)]
    with pytest.raises(ValueError, match="infeasible"):
        bera.fair_lp_assignment(cost, g, np.array([0.2, 0.2]), np.array([0.0, 0.0]))


def test_same_seed_same_labels_and_refit_resets_state():
    X, g = _segregated(300)
    a = FairAssignment(n_clusters=3, random_state=3).fit(X, sensitive_features=g)
    b = FairAssignment(n_clusters=3, random_state=3).fit(X, sensitive_features=g)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    a.fit(X[:100], sensitive_features=g[:100])
    assert a.labels_.shape == (100,)
    assert a.predict(X[:7]).shape == (7,)


@pytest.mark.parametrize(
    "kwargs, X_fn, s_fn, match",
    [
        ({"n_clusters": 3}, lambda X: X, lambda g: np.zeros_like(g), "distinct group"),
        ({"n_clusters": 500}, lambda X: X, lambda g: g, "larger than the number of samples"),
        ({"n_clusters": 3}, lambda X: np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X), lambda g: g, "NaN"),
        ({"n_clusters": 3}, lambda X: X, lambda g: g[:-1], "must match"),
        ({"n_clusters": 3}, lambda X: X[:, 0], lambda g: g, "2-D"),
        ({"n_clusters": 3, "delta": 1.5}, lambda X: X, lambda g: g, "delta"),
        ({"n_clusters": 3, "centers": "ward"}, lambda X: X, lambda g: g, "centers"),
        ({"centers": np.zeros((2, 5))}, lambda X: X, lambda g: g, "features"),
        ({}, lambda X: X, lambda g: g, "n_clusters is required"),
        ({"n_clusters": 3, "p": 0.5}, lambda X: X, lambda g: g, "'p' parameter of FairAssignment must be"),
    ],
)
def test_bad_input_raises_clear_valueerror(kwargs, X_fn, s_fn, match):
    X, g = _segregated(100)
    with pytest.raises(ValueError, match=match):
        FairAssignment(**kwargs).fit(X_fn(X), sensitive_features=s_fn(g))


def test_sparse_lp_has_the_optimum_of_the_lp_written_over_the_assignment_variables():
    import scipy.sparse as sp
    from scipy.optimize import linprog

    X, g = _segregated(300, seed=2)
    C = KMeans(4, n_init=1, random_state=0).fit(X).cluster_centers_
    m = FairAssignment(centers=C, delta=0.1).fit(X, sensitive_features=g)
    n, k, G = X.shape[0], 4, 2
    cost = ((X[:, None] - C[None]) ** 2).sum(-1).ravel()  # point-major x_ij
    r = np.bincount(g) / n
    alpha, beta = r / 0.9, r * 0.9
    rows = []
    for i in range(k):  # Bera et al. (2019) LP: N_ih - alpha_h S_i <= 0, beta_h S_i - N_ih <= 0
        for h in range(G):
            up, lo = np.zeros((n, k)), np.zeros((n, k))
            up[:, i] = (g == h) - alpha[h]
            lo[:, i] = beta[h] - (g == h)
            rows += [up.ravel(), lo.ravel()]
    A_eq = sp.kron(sp.identity(n), np.ones((1, k)))
    res = linprog(cost, A_ub=np.array(rows), b_ub=np.zeros(len(rows)), A_eq=A_eq, b_eq=np.ones(n), method="highs")
    assert m.lp_cost_ == pytest.approx(res.fun, rel=1e-8)
    size = bera.lp_size(n * k, n, k, G)
    assert size["variables"] == n * k + k * G and size["nonzeros"] == 2 * n * k + k * G + 2 * k * G * G
