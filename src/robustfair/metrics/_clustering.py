"""Clustering quality: accuracy under the best matching, NMI, ARI and internal indices.

External indices (``clustering_accuracy``, ``normalized_mutual_info``, ``adjusted_rand``)
compare cluster labels with classes and accept any label values; internal indices
(``silhouette``, ``calinski_harabasz``, ``davies_bouldin``) wrap scikit-learn behind our
validation and raise a clear ``ValueError`` where scikit-learn's index is undefined.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn import metrics as skm

from robustfair._validation import (
    check_array,
    check_choice,
    check_consistent_length,
    check_labels,
    check_positive,
    check_random_state,
)
from robustfair.metrics._fairness import _contingency, _encode

__all__ = [
    "clustering_accuracy",
    "normalized_mutual_info",
    "adjusted_rand",
    "silhouette",
    "calinski_harabasz",
    "davies_bouldin",
]

# Above this many points, silhouette (O(n^2) distances) is computed on a random sample.
SILHOUETTE_AUTO_SAMPLE = 10_000


def _codes_pair(y_true: Any, labels: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true = check_labels(y_true, "y_true")
    labels = check_labels(labels, "labels")
    check_consistent_length(y_true, labels, names=["y_true", "labels"])
    return _encode(y_true, "y_true")[0], _encode(labels, "labels")[0]


def clustering_accuracy(y_true: Any, labels: Any) -> float:
    r"""Unsupervised clustering accuracy (ACC): accuracy under the best cluster-to-class map.

    .. math:: \mathrm{ACC} = \max_{m} \frac{1}{n} \sum_{i=1}^{n} \mathbb{1}[y_i = m(c_i)]

    over one-to-one maps :math:`m` from clusters to classes, found by the Hungarian
    algorithm (``scipy.optimize.linear_sum_assignment``) on the cluster-by-class
    contingency table. With more clusters than classes (or fewer) the table is
    rectangular and unmatched clusters count as errors. Used as ACC in
    ``thesis-towards-robust-and-fair-ml.txt`` section 4.1.3.4 and
    ``deep-fair-discriminative-clustering.txt`` (Measurements).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Classes; any hashable values.
    labels : array-like of shape (n_samples,)
        Clusters; any hashable values.

    Returns
    -------
    float
        In :math:`(0, 1]`; 1 when the clusters are the classes up to renaming.
    """
    counts, _, _ = _contingency(labels, y_true, labels_name="labels", groups_name="y_true", min_groups=1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / counts.sum())


def normalized_mutual_info(
    y_true: Any,
    labels: Any,
    *,
    average_method: Literal["arithmetic", "geometric", "min", "max"] = "arithmetic",
) -> float:
    r"""Normalized mutual information :math:`I(Y; C) / \mathrm{mean}(H(Y), H(C))`.

    Wraps ``sklearn.metrics.normalized_mutual_info_score`` (Strehl and Ghosh 2002, NMI in
    ``thesis-towards-robust-and-fair-ml.txt`` section 4.1.3.4) after validating and
    encoding the labels, so any label values work.

    Returns
    -------
    float
        In :math:`[0, 1]`; 1 for identical partitions up to renaming, 0 for independent ones.
    """
    check_choice(average_method, ["arithmetic", "geometric", "min", "max"], "average_method")
    a, b = _codes_pair(y_true, labels)
    return float(skm.normalized_mutual_info_score(a, b, average_method=average_method))


def adjusted_rand(y_true: Any, labels: Any) -> float:
    r"""Adjusted Rand index (Hubert and Arabie 1985): pair agreement corrected for chance.

    Wraps ``sklearn.metrics.adjusted_rand_score`` after validation and encoding.

    Returns
    -------
    float
        In :math:`[-0.5, 1]`; 1 for identical partitions up to renaming, about 0 for
        random ones.
    """
    a, b = _codes_pair(y_true, labels)
    return float(skm.adjusted_rand_score(a, b))


def _check_internal(X: Any, labels: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, "X")
    labels = check_labels(labels, "labels")
    check_consistent_length(X, labels, names=["X", "labels"])
    codes, values = _encode(labels, "labels")
    k, n = values.shape[0], X.shape[0]
    if k < 2:
        raise ValueError(f"labels holds a single cluster; {what} needs at least 2 clusters.")
    if k >= n:
        raise ValueError(
            f"labels gives every sample its own cluster ({k} clusters, {n} samples); {what} "
            "needs fewer clusters than samples."
        )
    return X, codes


def silhouette(
    X: Any,
    labels: Any,
    *,
    metric: str = "euclidean",
    sample_size: int | None = None,
    random_state: Any = None,
) -> float:
    r"""Mean silhouette coefficient :math:`(b - a) / \max(a, b)` (Rousseeuw 1987).

    :math:`a` is a point's mean distance to its own cluster, :math:`b` to the nearest
    other cluster. Wraps ``sklearn.metrics.silhouette_score``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
        At least 2 and fewer than ``n_samples`` clusters.
    metric : str, default="euclidean"
        Any metric ``sklearn.metrics.pairwise_distances`` accepts.
    sample_size : int or None, default=None
        Compute on a uniform random sample of this many points. ``None`` uses all points
        up to 10,000 and a sample of 10,000 above that, since the exact index needs
        O(n^2) distances.
    random_state : None, int or numpy Generator
        Seeds the sample.

    Returns
    -------
    float
        In :math:`[-1, 1]`; higher means tighter, better separated clusters.
    """
    X, codes = _check_internal(X, labels, "silhouette")
    n = X.shape[0]
    if sample_size is not None:
        sample_size = check_positive(sample_size, "sample_size", integer=True)
    elif n > SILHOUETTE_AUTO_SAMPLE:
        sample_size = SILHOUETTE_AUTO_SAMPLE
    if sample_size is not None and sample_size < n:
        rng = check_random_state(random_state)
        idx = rng.choice(n, size=sample_size, replace=False)
        X, codes = X[idx], codes[idx]
        k = np.unique(codes).shape[0]
        if not 2 <= k < sample_size:
            raise ValueError(
                f"sample_size={sample_size} drew {k} cluster(s); silhouette needs between 2 and "
                "sample_size - 1. Use a larger sample_size."
            )
    return float(skm.silhouette_score(X, codes, metric=metric))


def calinski_harabasz(X: Any, labels: Any) -> float:
    r"""Calinski-Harabasz index: between- over within-cluster dispersion, scaled.

    .. math:: CH = \frac{\mathrm{tr}(B_k)}{\mathrm{tr}(W_k)} \cdot \frac{n - k}{k - 1}

    Wraps ``sklearn.metrics.calinski_harabasz_score`` (Calinski and Harabasz 1974).

    Returns
    -------
    float
        In :math:`[0, \infty)`; higher is better.
    """
    X, codes = _check_internal(X, labels, "calinski_harabasz")
    return float(skm.calinski_harabasz_score(X, codes))


def davies_bouldin(X: Any, labels: Any) -> float:
    r"""Davies-Bouldin index: mean over clusters of the worst similarity to another cluster.

    .. math:: DB = \frac{1}{k} \sum_i \max_{j \ne i} \frac{s_i + s_j}{d(c_i, c_j)}

    with :math:`s_i` the mean distance of cluster :math:`i`'s points to its centroid
    :math:`c_i`. Wraps ``sklearn.metrics.davies_bouldin_score`` (Davies and Bouldin 1979).

    Returns
    -------
    float
        In :math:`[0, \infty)`; lower is better.
    """
    X, codes = _check_internal(X, labels, "davies_bouldin")
    return float(skm.davies_bouldin_score(X, codes))
