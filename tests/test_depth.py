import numpy as np
import pytest

from robustfair.depth import cluster_depth, coordinatewise_min_depth, depth_quantile, mahalanobis_depth


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal((0, 0), 1.0, (60, 2)), rng.normal((6, 0), 0.5, (40, 2))])
    labels = np.repeat([0, 1], [60, 40])
    return X, labels


def test_mahalanobis_depth_matches_definition_2_2_1(blobs):
    X, _ = blobs
    mu, S = X.mean(0), np.cov(X, rowvar=False)
    x = np.array([1.0, 2.0])
    expected = 1.0 / (1.0 + (x - mu) @ np.linalg.inv(S) @ (x - mu))
    assert mahalanobis_depth(x, X)[0] == pytest.approx(expected)
    assert mahalanobis_depth(mu, X)[0] == pytest.approx(1.0)
    d = mahalanobis_depth(X)
    assert d.shape == (100,) and np.all((d > 0) & (d <= 1))


def test_mahalanobis_depth_is_affine_invariant(blobs):
    X, _ = blobs
    A = np.array([[2.0, 1.0], [0.0, 3.0]])
    np.testing.assert_allclose(mahalanobis_depth(X @ A.T + 5), mahalanobis_depth(X))


def test_mahalanobis_depth_singular_covariance_points_to_comd():
    X = np.random.default_rng(0).normal(size=(5, 10))
    with pytest.raises(ValueError, match="singular.*coordinatewise_min_depth"):
        mahalanobis_depth(X)


def test_robust_mahalanobis_depth_ignores_a_gross_outlier(blobs):
    X, _ = blobs
    X = X[:60].copy()
    X[0] = [100.0, 100.0]
    # one outlier inflates the sample covariance and hides itself; MCD does not
    assert mahalanobis_depth(X[:1], X, robust=True)[0] < mahalanobis_depth(X[:1], X)[0] / 10


def test_cluster_depth_is_the_sum_of_per_cluster_depths(blobs):
    X, labels = blobs
    P = np.array([[3.0, 0.0], [0.0, 0.0], [6.0, 0.0]])
    expected = mahalanobis_depth(P, X[labels == 0]) + mahalanobis_depth(P, X[labels == 1])
    np.testing.assert_allclose(cluster_depth(P, X, labels), expected)


def test_cluster_depth_is_low_between_clusters_unlike_pooled_depth(blobs):
    X, labels = blobs
    between = np.array([[3.0, 0.0]])
    pooled_q = depth_quantile(mahalanobis_depth(between, X)[0], mahalanobis_depth(X))
    mdc_q = depth_quantile(cluster_depth(between, X, labels)[0], cluster_depth(X, X, labels))
    assert mdc_q < 0.05 < pooled_q


def test_comd_is_the_minimum_over_coordinates_of_one_dimensional_mdc(blobs):
    X, labels = blobs
    P = np.array([[1.0, 0.5], [5.0, -0.3]])
    per_coord = np.column_stack([cluster_depth(P[:, [j]], X[:, [j]], labels) for j in range(2)])
    np.testing.assert_allclose(coordinatewise_min_depth(P, X, labels), per_coord.min(axis=1))
    # without labels: one cluster, i.e. the min of 1-D Mahalanobis depths
    one = np.column_stack([mahalanobis_depth(P[:, [j]], X[:, [j]]) for j in range(2)])
    np.testing.assert_allclose(coordinatewise_min_depth(P, X), one.min(axis=1))


def test_comd_works_where_covariance_is_singular():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 50))
    X[:, 0] = 0.0  # a constant feature
    d = coordinatewise_min_depth(X, X)
    assert np.all(np.isfinite(d)) and np.all(d > 0)
    moved = X[:1].copy()
    moved[0, 0] = 1.0  # leaving a constant coordinate is maximally outlying
    assert coordinatewise_min_depth(moved, X)[0] == 0.0


def test_depth_quantile_counts_depths_at_or_below_the_value():
    assert depth_quantile(0.5, np.array([0.1, 0.5, 0.9, 1.0])) == 0.5
    assert depth_quantile(0.0, np.array([0.1, 0.2])) == 0.0
    with pytest.raises(ValueError, match="finite"):
        depth_quantile(np.nan, np.array([0.1]))


def test_depth_rejects_mismatched_features(blobs):
    X, labels = blobs
    with pytest.raises(ValueError, match="feature"):
        cluster_depth(np.zeros((1, 3)), X, labels)
    with pytest.raises(ValueError, match="inconsistent lengths"):
        coordinatewise_min_depth(X, X, labels[:-1])
