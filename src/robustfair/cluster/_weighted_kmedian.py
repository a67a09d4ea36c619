"""Weighted Euclidean k-median by D-sampling seeding and Lloyd-Weiszfeld rounds.

Used for the second stage of the fairlet methods when there are many fairlets: the
fairlet medoids, each weighted by its fairlet's size, are clustered, and every point
takes its fairlet's cluster. Balance is untouched by this stage (any assignment of whole
fairlets to clusters keeps every cluster's balance at least the fairlets' balance), so
only the k-median cost depends on it.

* Seeding: k-means++ with distances to the first power (D^1 sampling, Arthur &
  Vassilvitskii 2007; O(log k)-approximate for k-median in expectation), greedy over
  ``2 + log k`` candidates per step as in scikit-learn's ``kmeans_plusplus``.
* Rounds: assign to the nearest center, then one Weiszfeld step (Weiszfeld 1937, in
  the form of Vardi & Zhang 2000 that also moves off data points) per cluster towards
  its weighted geometric median. Both steps never raise the weighted
  sum of distances (Weiszfeld's step is a majorize-minimize step), so the cost is
  monotone; it stops when it improves by less than ``tol`` (relative).

Hand-written because neither scikit-learn nor SciPy has a weighted continuous k-median;
each round is one (m, k) distance matrix and a few bincounts: time O(m k d) per round,
memory O(m k).
"""

from __future__ import annotations

import numpy as np

__all__ = ["weighted_kmedian"]


def _distances(P: np.ndarray, C: np.ndarray) -> np.ndarray:
    d = (P * P).sum(1)[:, None] - 2.0 * P @ C.T + (C * C).sum(1)[None, :]
    np.maximum(d, 0.0, out=d)
    return np.sqrt(d, out=d)


def _seed(P: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of k seeds by greedy D^1 sampling (weights ``w``)."""
    m = P.shape[0]
    trials = 2 + int(np.log(k))
    seeds = np.empty(k, dtype=np.int64)
    seeds[0] = rng.choice(m, p=w / w.sum())
    near = _distances(P, P[seeds[:1]])[:, 0]
    for c in range(1, k):  # k sequential choices; each is one vectorized pass
        mass = w * near
        total = mass.sum()
        if total <= 0:  # every point already sits on a seed: take unused points
            rest = np.setdiff1d(np.arange(m), seeds[:c])
            seeds[c] = rest[0]
            continue
        cand = np.searchsorted(np.cumsum(mass), rng.random(trials) * total)
        cand = np.minimum(cand, m - 1)
        d_cand = np.minimum(near[:, None], _distances(P, P[cand]))
        best = int(np.argmin(w @ d_cand))
        seeds[c] = cand[best]
        near = d_cand[:, best]
    return seeds


def _lloyd_weiszfeld(Q, w, C, max_iter, tol):
    """Rounds of nearest-center assignment and one Weiszfeld step; (C, D, labels, cost)."""
    m, k = Q.shape[0], C.shape[0]
    rows = np.arange(m)
    D = _distances(Q, C)
    labels = D.argmin(1)
    cost = float(w @ D[rows, labels])
    guard = 1e-12 * (1.0 + float(np.abs(Q).max(initial=0.0)))
    for _ in range(max_iter):  # Lloyd rounds: sequential by nature
        # Weiszfeld step, modified at data points (Vardi & Zhang 2000): points sitting on
        # their center leave the average and hold the center back by their weight eta
        dist = D[rows, labels]
        on = dist <= guard
        u = np.where(on, 0.0, w / np.maximum(dist, guard))
        den = np.bincount(labels, weights=u, minlength=k)
        eta = np.bincount(labels, weights=np.where(on, w, 0.0), minlength=k)
        num = np.stack([np.bincount(labels, weights=u * Q[:, j], minlength=k) for j in range(Q.shape[1])], axis=1)
        filled = den > 0
        T = np.where(filled[:, None], num / np.where(filled, den, 1.0)[:, None], C)
        r = np.linalg.norm(num - den[:, None] * C, axis=1)  # |sum u (x - c)|, the pull of the others
        hold = np.where(r > 0, np.minimum(1.0, eta / np.where(r > 0, r, 1.0)), 1.0)[:, None]
        C_new = (1.0 - hold) * T + hold * C
        D_new = _distances(Q, C_new)
        labels_new = D_new.argmin(1)
        new_cost = float(w @ D_new[rows, labels_new])
        if new_cost > cost:  # rounding only: both steps are descent steps; keep the better
            break
        improved = cost - new_cost
        C, D, labels, cost = C_new, D_new, labels_new, new_cost
        if improved <= tol * cost:
            break
    return C, D, labels, cost


def weighted_kmedian(
    P: np.ndarray,
    weights: np.ndarray,
    n_clusters: int,
    rng: np.random.Generator,
    *,
    n_init: int = 3,
    max_iter: int = 50,
    tol: float = 1e-4,
    sample_size: int = 20_000,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Centers, labels and cost of a weighted Euclidean k-median of the rows of ``P``.

    Parameters
    ----------
    P : ndarray of shape (m, d)
    weights : ndarray of shape (m,), positive
    n_clusters : int, at most m
    rng : numpy Generator
    n_init : int, default=3
        Seedings tried; the one of least cost is refined on all of ``P``.
    max_iter : int, default=50
        Lloyd-Weiszfeld rounds at most.
    tol : float, default=1e-4
        Stop when the weighted cost ``sum_i w_i ||P_i - C_{label_i}||`` improves by less
        than this fraction.
    sample_size : int, default=20000
        Beyond this many rows the ``n_init`` tries run on a uniform sample of this size
        (weights kept), and only the best is refined on all rows.

    Returns
    -------
    centers : ndarray of shape (n_clusters, d)
    labels : ndarray of int of shape (m,); every cluster is non-empty.
    cost : float, the weighted cost of (centers, labels).
    """
    m = P.shape[0]
    k = n_clusters
    w = np.asarray(weights, dtype=np.float64)
    offset = P.mean(axis=0)
    Q = P - offset  # centered: the Gram-trick distances keep their precision
    sub = np.sort(rng.choice(m, sample_size, replace=False)) if m > sample_size else np.arange(m)
    best = None
    for _ in range(n_init):  # independent restarts, few
        seeds = _seed(Q[sub], w[sub], k, rng)
        out = _lloyd_weiszfeld(Q[sub], w[sub], Q[sub][seeds].copy(), max_iter, tol)
        if best is None or out[3] < best[3]:
            best = out
    assert best is not None  # n_init >= 1
    C = best[0]
    C, D, labels, cost = _lloyd_weiszfeld(Q, w, C, max_iter, tol) if sub.shape[0] < m else best
    # an empty cluster takes the point of largest weighted distance to its center
    rows = np.arange(m)
    for c in np.flatnonzero(np.bincount(labels, minlength=k) == 0):  # rare: at most k repairs
        contrib = w * D[rows, labels]
        movable = np.bincount(labels, minlength=k)[labels] > 1
        i = int(np.argmax(np.where(movable, contrib, -1.0)))
        C[c] = Q[i]
        D[:, c] = _distances(Q, C[c : c + 1])[:, 0]
        labels[i] = c
    cost = float(w @ D[rows, labels])
    return C + offset, labels, cost
