"""The one squared-Euclidean-distance helper: ``sq_distances(X, C)``, vectorized.

Every point-to-center distance matrix in the package (k-center, k-median, Fair-Lloyd, the
fair assignment LP, antidote labels) is computed here, as ``||x||^2 - 2 x.c + ||c||^2``
with one matrix product, clipped at 0 (rounding can make it slightly negative).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sq_distances"]


def sq_distances(X: np.ndarray, C: np.ndarray, x_sq: np.ndarray | None = None) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``X`` (n, d) and of ``C`` (k, d).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    C : ndarray of shape (k, d)
    x_sq : ndarray of shape (n,), optional
        ``(X * X).sum(1)``, when the caller reuses it across many calls.

    Returns
    -------
    ndarray of shape (n, k)
        Equal to ``sklearn.metrics.pairwise.euclidean_distances(X, C, squared=True)`` up
        to rounding.
    """
    x_sq = (X * X).sum(1) if x_sq is None else x_sq
    d = X @ C.T
    d *= -2.0
    d += x_sq[:, None]
    d += (C * C).sum(1)[None, :]
    return np.maximum(d, 0.0, out=d)
