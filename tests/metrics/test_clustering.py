"""Clustering quality metrics: accuracy under matching, sklearn wrappers, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from robustfair.metrics import (
    adjusted_rand,
    calinski_harabasz,
    clustering_accuracy,
    davies_bouldin,
    normalized_mutual_info,
    silhouette,
)

SETTINGS = settings(max_examples=50, deadline=None)

labelings = st.lists(st.integers(0, 5), min_size=1, max_size=60).map(np.array)


def _relabel(values, seed, as_strings):
    distinct = np.unique(values)
    perm = np.random.default_rng(seed).permutation(distinct.size)
    new = np.array([f"c{p}" for p in perm]) if as_strings else perm * 5 - 13
    return new[np.searchsorted(distinct, values)]


@SETTINGS
@given(labelings, st.integers(0, 2**31), st.booleans())
def test_accuracy_is_one_under_any_label_permutation(y, seed, as_strings):
    assert clustering_accuracy(y, _relabel(y, seed, as_strings)) == 1.0


@SETTINGS
@given(st.data())
def test_accuracy_range_and_invariance(data):
    y = data.draw(labelings)
    labels = np.array(data.draw(st.lists(st.integers(0, 7), min_size=y.size, max_size=y.size)))
    acc = clustering_accuracy(y, labels)
    assert 0.0 < acc <= 1.0
    seed = data.draw(st.integers(0, 2**31))
    assert clustering_accuracy(_relabel(y, seed, True), _relabel(labels, seed + 1, False)) == acc
    # at least the largest single cluster-class overlap, at most the purity
    table = skm.cluster.contingency_matrix(y, labels)
    assert table.max() / y.size <= acc <= table.max(axis=0).sum() / y.size + 1e-12


def test_accuracy_hand_computed_rectangular():
    y = [0, 0, 0, 1, 1, 2]
    # more clusters than classes: cluster 9 is unmatched
    assert clustering_accuracy(y, [5, 5, 9, 7, 7, 8]) == pytest.approx(5 / 6)
    # fewer clusters than classes: only two classes can be matched
    assert clustering_accuracy(y, [0, 0, 0, 1, 1, 1]) == pytest.approx(5 / 6)
    assert clustering_accuracy(y, ["a"] * 6) == pytest.approx(3 / 6)


@SETTINGS
@given(st.data())
def test_nmi_and_ari_match_sklearn_and_ignore_label_values(data):
    y = data.draw(labelings)
    labels = np.array(data.draw(st.lists(st.integers(0, 4), min_size=y.size, max_size=y.size)))
    seed = data.draw(st.integers(0, 2**31))
    nmi = normalized_mutual_info(y, labels)
    ari = adjusted_rand(y, labels)
    assert nmi == pytest.approx(skm.normalized_mutual_info_score(y, labels), abs=1e-12)
    assert ari == pytest.approx(skm.adjusted_rand_score(y, labels), abs=1e-12)
    assert 0.0 <= nmi <= 1.0 + 1e-12 and -0.5 - 1e-12 <= ari <= 1.0 + 1e-12
    y2, l2 = _relabel(y, seed, True), _relabel(labels, seed, False)
    assert normalized_mutual_info(y2, l2) == pytest.approx(nmi, abs=1e-12)
    assert adjusted_rand(y2, l2) == pytest.approx(ari, abs=1e-12)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.3, (30, 2)), rng.normal(3, 0.3, (30, 2)), rng.normal((0, 3), 0.3, (30, 2))])
    labels = np.repeat(["left", "right", "top"], 30)
    return X, labels


def test_internal_indices_match_sklearn_with_any_labels(blobs):
    X, labels = blobs
    codes = np.unique(labels, return_inverse=True)[1]
    assert silhouette(X, labels) == pytest.approx(skm.silhouette_score(X, codes))
    assert calinski_harabasz(X, labels) == pytest.approx(skm.calinski_harabasz_score(X, codes))
    assert davies_bouldin(X, labels) == pytest.approx(skm.davies_bouldin_score(X, codes))
    assert silhouette(X, labels) > 0.7


def test_silhouette_samples_when_asked_and_is_reproducible(blobs):
    X, labels = blobs
    a = silhouette(X, labels, sample_size=40, random_state=1)
    b = silhouette(X, labels, sample_size=40, random_state=1)
    assert a == b and -1.0 <= a <= 1.0
    assert silhouette(X, labels, sample_size=10_000) == pytest.approx(silhouette(X, labels))


def test_silhouette_samples_automatically_above_ten_thousand_points():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12_000, 2))
    labels = (X[:, 0] > 0).astype(int)
    value = silhouette(X, labels, random_state=0)
    assert np.isfinite(value) and value == silhouette(X, labels, random_state=0)


def test_internal_indices_are_nan_free_on_degenerate_clusters():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    for metric in (silhouette, calinski_harabasz, davies_bouldin):
        assert np.isfinite(metric(X, [0, 0, 1, 1]))


@pytest.mark.parametrize("metric", [silhouette, calinski_harabasz, davies_bouldin])
def test_internal_indices_bad_input(metric):
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match="single cluster"):
        metric(X, [3, 3, 3, 3])
    with pytest.raises(ValueError, match="its own cluster"):
        metric(X, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="X contains NaN"):
        metric(np.where(X == 0, np.nan, X), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="X must be a 2-D"):
        metric(np.arange(4.0), [0, 0, 1, 1])
    with pytest.raises(ValueError, match="inconsistent lengths.*X=4.*labels=3"):
        metric(X, [0, 0, 1])
    with pytest.raises(ValueError, match="labels contains NaN"):
        metric(X, [0.0, 0.0, 1.0, np.nan])


@pytest.mark.parametrize("metric", [clustering_accuracy, normalized_mutual_info, adjusted_rand])
def test_external_indices_bad_input(metric):
    with pytest.raises(ValueError, match="inconsistent lengths"):
        metric([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_true contains NaN"):
        metric([0.0, np.nan], [0, 1])
    with pytest.raises(ValueError, match="labels must be a 1-D"):
        metric([0, 1], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="is empty"):
        metric([], [])


def test_silhouette_rejects_bad_sample_size(blobs):
    X, labels = blobs
    with pytest.raises(ValueError, match="sample_size"):
        silhouette(X, labels, sample_size=0)


def test_silhouette_sample_is_the_seeded_draw_without_replacement_and_keeps_the_metric(blobs):
    # Second mutation run: sampling on X.shape[1] instead of the number of points, drawing
    # with replacement, dropping `metric=`, and never sampling above 10,000 points survived.
    from robustfair._validation import check_random_state

    X, labels = blobs
    codes = np.unique(labels, return_inverse=True)[1]
    idx = check_random_state(1).choice(X.shape[0], size=40, replace=False)
    assert silhouette(X, labels, sample_size=40, random_state=1) == pytest.approx(
        skm.silhouette_score(X[idx], codes[idx]), abs=1e-12)
    assert silhouette(X, labels, sample_size=40, random_state=1) != pytest.approx(silhouette(X, labels), abs=1e-6)
    for metric in ("manhattan", "cosine"):
        assert silhouette(X, labels, metric=metric) == pytest.approx(skm.silhouette_score(X, codes, metric=metric))
    assert silhouette(X, labels, metric="cosine") != pytest.approx(silhouette(X, labels), abs=1e-3)
    rng = np.random.default_rng(0)
    big = rng.normal(size=(10_500, 2))
    big_labels = (big[:, 0] + 0.3 * big[:, 1] > 0).astype(int)
    idx = check_random_state(0).choice(big.shape[0], size=10_000, replace=False)
    assert silhouette(big, big_labels, random_state=0) == pytest.approx(
        skm.silhouette_score(big[idx], big_labels[idx]), abs=1e-12)


@pytest.mark.parametrize("average_method", ["arithmetic", "geometric", "min", "max"])
def test_nmi_passes_its_average_method_to_sklearn(average_method):
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0])
    expected = skm.normalized_mutual_info_score(y, labels, average_method=average_method)
    assert normalized_mutual_info(y, labels, average_method=average_method) == pytest.approx(expected, abs=1e-12)
    if average_method != "arithmetic":
        assert expected != pytest.approx(skm.normalized_mutual_info_score(y, labels), abs=1e-6)
