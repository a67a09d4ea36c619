"""FairSpectralClustering (Kleindessner et al. 2019): fairness constraint, solvers, errors."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

import robustfair.cluster._fair_spectral as fsc
from robustfair.cluster import FairSpectralClustering
from robustfair.metrics import balance


@pytest.fixture(autouse=True)
def _one_thread():
    """Small problems: OpenMP/BLAS thread pools only add contention on a shared machine."""
    with threadpool_limits(limits=1):
        yield


def _four_blobs(n_per=50, seed=0):
    """Group 0 on the left, group 1 on the right: the left/right split has balance 0."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0, 0], [0, 5], [12, 0], [12, 5]])
    X = np.vstack([c + 0.4 * rng.normal(size=(n_per, 2)) for c in centers])
    g = np.repeat([0, 0, 1, 1], n_per)
    return X, g


def _segregated_strip(seed=0):
    """A connected 2 x 1 strip, group 0 on the left half: k-means cuts it into the halves."""
    gx, gy = np.meshgrid(np.linspace(0, 2, 30), np.linspace(0, 1, 15))
    X = np.c_[gx.ravel(), gy.ravel()] + 0.005 * np.random.default_rng(seed).normal(size=(450, 2))
    return X, (X[:, 0] > 1).astype(int)


@pytest.mark.parametrize("variant", ["unnormalized", "normalized"])
def test_balance_improves_over_vanilla_on_segregated_groups(variant):
    X, g = _segregated_strip()
    vanilla = KMeans(2, n_init=10, random_state=0).fit_predict(X)
    m = FairSpectralClustering(2, variant=variant, random_state=0).fit(X, sensitive_features=g)
    assert balance(vanilla, sensitive_features=g) == 0.0
    assert balance(m.labels_, sensitive_features=g) > 0.9
    F = fsc._fairness_matrix(g, 2)
    assert np.abs(F.T @ m.embedding_).max() < 1e-8  # F^T H = 0


@pytest.mark.parametrize("variant", ["unnormalized", "normalized"])
def test_implicit_null_space_solver_matches_dense_algorithm(monkeypatch, variant):
    X, g = _four_blobs(80, seed=1)
    g = np.random.default_rng(0).integers(0, 3, g.size)  # three groups: F has two columns
    dense = FairSpectralClustering(4, variant=variant, random_state=0).fit(X, sensitive_features=g)
    monkeypatch.setattr(fsc, "_DENSE_MAX_SAMPLES", 10)
    implicit = FairSpectralClustering(4, variant=variant, random_state=0).fit(X, sensitive_features=g)
    W = dense.affinity_matrix_
    deg = np.asarray(W.sum(1)).ravel()
    L = sp.diags(deg) - W

    def rayleigh(H):
        B = H.T @ (deg[:, None] * H) if variant == "normalized" else H.T @ H
        return np.trace(np.linalg.solve(B, H.T @ (L @ H)))

    assert rayleigh(implicit.embedding_) == pytest.approx(rayleigh(dense.embedding_), rel=1e-5, abs=1e-9)
    assert np.abs(fsc._fairness_matrix(g, 3).T @ implicit.embedding_).max() < 1e-8


def test_graph_is_symmetric_knn_with_three_neighbours_by_default():
    X, g = _four_blobs(20)
    m = FairSpectralClustering(2, random_state=0).fit(X, sensitive_features=g)
    W = m.affinity_matrix_
    assert (W != W.T).nnz == 0 and np.all(np.asarray(W.sum(1)).ravel() >= 3)
    assert not hasattr(m, "predict") and not hasattr(m, "cluster_centers_")


def test_same_seed_same_labels_and_refit_resets_state():
    X, g = _four_blobs(30)
    a = FairSpectralClustering(3, random_state=5).fit(X, sensitive_features=g)
    b = FairSpectralClustering(3, random_state=5).fit(X, sensitive_features=g)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    a.fit(X[::2], sensitive_features=g[::2])
    assert a.labels_.shape == (60,) and a.embedding_.shape == (60, 3)


@pytest.mark.parametrize(
    "kwargs, X_fn, s_fn, match",
    [
        ({}, lambda X: X, lambda g: np.ones_like(g), "distinct group"),
        ({"n_clusters": 1000}, lambda X: X, lambda g: g, "larger than the number of samples"),
        ({}, lambda X: X + np.where(np.arange(X.size).reshape(X.shape) == 0, np.nan, 0), lambda g: g, "NaN"),
        ({}, lambda X: X, lambda g: g[:5], "must match"),
        ({"variant": "sym"}, lambda X: X, lambda g: g, "variant"),
        ({"n_neighbors": 0}, lambda X: X, lambda g: g, "n_neighbors"),
        ({"n_neighbors": 100}, lambda X: X[:10], lambda g: g[[0, 99, 1, 98, 2, 97, 3, 96, 4, 95]], "more than n_neighbors"),
    ],
)
def test_bad_input_raises_clear_valueerror(kwargs, X_fn, s_fn, match):
    X, g = _four_blobs(25)
    params = {"n_clusters": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        FairSpectralClustering(**params).fit(X_fn(X), sensitive_features=s_fn(g))


@pytest.mark.parametrize("variant", ["unnormalized", "normalized"])
def test_amg_eigensolver_meets_the_fairness_constraint_and_the_shift_invert_objective(variant):
    pytest.importorskip("pyamg")
    import scipy.sparse as sp
    from scipy.linalg import eigh

    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 1.0, size=(700, 3)) for c in (-4, 0, 4)])
    g = (rng.random(X.shape[0]) < 0.4).astype(int)
    objective = {}
    for solver in ("amg", "shift-invert"):
        est = FairSpectralClustering(4, variant=variant, eigen_solver=solver, random_state=0).fit(X, sensitive_features=g)
        H, W = est.embedding_, est.affinity_matrix_
        deg = np.asarray(W.sum(1)).ravel()
        F = (g == 0) - np.mean(g == 0)
        assert np.abs(F @ H).max() < 1e-8  # F^T H = 0
        B = H.T @ (deg[:, None] * H) if variant == "normalized" else H.T @ H
        objective[solver] = eigh(H.T @ ((sp.diags(deg) - W) @ H), B, eigvals_only=True).sum()
        assert est.labels_.shape == (X.shape[0],)
    # LOBPCG's tolerance is relative to the spectrum's scale (eigenvalues up to 2 max degree)
    assert objective["amg"] <= objective["shift-invert"] + 1e-3 * 2 * deg.max()


def test_unknown_eigen_solver_raises_naming_the_argument():
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match="eigen_solver"):
        FairSpectralClustering(2, eigen_solver="arpack").fit(X, sensitive_features=np.arange(30) % 2)
