"""Statistical depth: how central a point is with respect to a data set.

Depth is the outlyingness measure the spill-over attack (thesis section 2.2.4) uses to
keep its perturbed sample from looking like an outlier. Larger depth means more central;
every function here returns values in (0, 1] per cluster (MDC and COMD sum over
clusters, so they lie in (0, J]).

* :func:`mahalanobis_depth` -- Definition 2.2.1 (Mahalanobis depth, MD).
* :func:`cluster_depth` -- Definition 2.2.2 (Mahalanobis depth for clusters, MDC).
* :func:`coordinatewise_min_depth` -- Definition 2.2.3 (coordinate-wise
  min-Mahalanobis-depth, COMD), for high dimensions where covariances are singular.
* :func:`depth_quantile` -- where a depth value falls among the data's depths.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_array, check_consistent_length, check_labels, encode_labels

__all__ = ["mahalanobis_depth", "cluster_depth", "coordinatewise_min_depth", "depth_quantile"]


def _as_points(X: Any, name: str, n_features: int | None = None) -> np.ndarray:
    arr = X
    if not hasattr(X, "toarray"):
        try:
            arr = np.asarray(X)
        except (TypeError, ValueError) as exc:  # ragged nested lists
            raise ValueError(f"{name} must be a numeric array; could not convert it ({exc}).") from None
    if isinstance(arr, np.ndarray) and arr.ndim == 1:
        arr = arr[None, :]  # one point
    arr = check_array(arr, name)
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} feature(s) but data has {n_features}; they must match.")
    return arr


def _mahalanobis_sq(X: np.ndarray, data: np.ndarray, robust: bool, where: str) -> np.ndarray:
    """Squared Mahalanobis distances of the rows of X to the mean of ``data``."""
    if robust:
        from sklearn.covariance import MinCovDet

        mcd = MinCovDet(random_state=0).fit(data)
        mean, cov = mcd.location_, mcd.covariance_
    else:
        mean = data.mean(axis=0)
        cov = np.atleast_2d(np.cov(data, rowvar=False, bias=False)) if data.shape[0] > 1 else None
    m = data.shape[1]
    if cov is None or np.linalg.matrix_rank(cov) < m:
        raise ValueError(
            f"{where}: the covariance of {data.shape[0]} sample(s) in {m} dimension(s) is singular, so "
            "the Mahalanobis depth is undefined; use coordinatewise_min_depth (COMD, depth='comd') "
            "for high-dimensional or degenerate data."
        )
    diff = X - mean
    # solve instead of inverting: (x - mu)^T S^-1 (x - mu) for every row at once
    return np.einsum("ij,ij->i", diff, np.linalg.solve(cov, diff.T).T)


def mahalanobis_depth(X: Any, data: Any = None, *, robust: bool = False) -> np.ndarray:
    """Mahalanobis depth (MD) of each row of ``X`` with respect to ``data``.

    Thesis Definition 2.2.1:

    .. math:: D(x) = \\bigl(1 + (x - \\bar x)^\\top \\hat\\Sigma^{-1} (x - \\bar x)\\bigr)^{-1}

    with :math:`\\bar x, \\hat\\Sigma` the sample mean and covariance of ``data``. The range is
    (0, 1]; 1 at the mean, smaller is more outlying.

    Parameters
    ----------
    X : array-like of shape (n, m) or (m,)
        Points to score.
    data : array-like of shape (N, m), optional
        Reference set; ``X`` itself when omitted.
    robust : bool, default=False
        Use the minimum covariance determinant estimates (scikit-learn ``MinCovDet``)
        instead of the sample mean and covariance.

    Raises
    ------
    ValueError
        When the covariance is singular (fewer samples than features, constant
        features); the message points to :func:`coordinatewise_min_depth`.
    """
    X = _as_points(X, "X")
    data = X if data is None else _as_points(data, "data", X.shape[1])
    return 1.0 / (1.0 + _mahalanobis_sq(X, data, robust, "mahalanobis_depth"))


def cluster_depth(X: Any, data: Any, labels: Any, *, robust: bool = False) -> np.ndarray:
    """Mahalanobis depth for clusters (MDC) of each row of ``X``.

    Thesis Definition 2.2.2: with :math:`t_i(x)` the Mahalanobis depth of ``x`` with
    respect to cluster ``i`` alone (``data[labels == i]``) and ``J`` clusters,

    .. math:: D_C(x) = \\sum_{i=1}^{J} t_i(x).

    Unlike MD of the pooled data, MDC gives low depth to points between two clusters that
    belong to neither. Range (0, J].
    """
    X = _as_points(X, "X")
    data = _as_points(data, "data", X.shape[1])
    labels = check_labels(labels)
    check_consistent_length(data, labels, names=["data", "labels"])
    codes, values = encode_labels(labels)
    total = np.zeros(X.shape[0])
    for i in range(values.shape[0]):  # one covariance per cluster; J is small
        total += 1.0 / (1.0 + _mahalanobis_sq(X, data[codes == i], robust, f"cluster_depth (cluster {values[i]!r})"))
    return total


def _coordinate_depths(X: np.ndarray, data: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per-coordinate MDC, shape (n, m): sum over clusters of 1 / (1 + (x_j - mu_kj)^2 / var_kj)."""
    out = np.zeros(X.shape, dtype=float)
    for k in range(n_clusters):
        block = data[codes == k]
        mean = block.mean(axis=0)
        var = block.var(axis=0, ddof=1) if block.shape[0] > 1 else np.zeros(block.shape[1])
        diff2 = (X - mean) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            t = 1.0 / (1.0 + diff2 / var)
        # a constant coordinate: depth 1 at its value, 0 anywhere else (the limit var -> 0)
        constant = var <= 0
        t[:, constant] = np.isclose(diff2[:, constant], 0.0).astype(float)
        out += t
    return out


def coordinatewise_min_depth(X: Any, data: Any, labels: Any = None) -> np.ndarray:
    """Coordinate-wise min-Mahalanobis-depth (COMD) of each row of ``X``.

    Thesis Definition 2.2.3: with :math:`D_{C,j}(x_j)` the MDC depth of coordinate
    :math:`x_j` with respect to column ``j`` of ``data`` (one-dimensional, so only
    variances are needed and no covariance can be singular),

    .. math:: D_M(x) = \\min_{j=1..m} D_{C,j}(x_j).

    A conservative outlyingness measure: a point is as outlying as its most outlying
    coordinate. A coordinate that is constant within a cluster contributes depth 1 at
    that constant and 0 elsewhere (the limit of zero variance).

    Parameters
    ----------
    X : array-like of shape (n, m) or (m,)
    data : array-like of shape (N, m)
    labels : array-like of shape (N,), optional
        Cluster of each row of ``data``; ``None`` treats ``data`` as one cluster.
    """
    X = _as_points(X, "X")
    data = _as_points(data, "data", X.shape[1])
    if labels is None:
        codes, n_clusters = np.zeros(data.shape[0], dtype=np.int64), 1
    else:
        check_consistent_length(data, check_labels(labels), names=["data", "labels"])
        codes, values = encode_labels(labels)
        n_clusters = values.shape[0]
    return _coordinate_depths(X, data, codes, n_clusters).min(axis=1)


def depth_quantile(value: Any, depths: Any) -> float:
    """Fraction of ``depths`` that are at most ``value``: the quantile ``value`` sits at.

    ``depth_quantile(D(x'), D(X)) >= 0.1`` says that ``x'`` is at least as deep as the
    10% least deep points of the data: not an outlier by the thesis' criterion
    (section 2.2.4).
    """
    depths = check_array(depths, "depths", ndim=1)
    value = float(np.asarray(value, dtype=float).reshape(-1)[0]) if np.ndim(value) else float(value)
    if not np.isfinite(value):
        raise ValueError(f"value must be a finite depth; got {value}.")
    return float(np.mean(depths <= value))
