"""Group fairness of a clustering: balance, count-ratio balance, entropy and the costs
of the antidote-data paper, plus a printable per-cluster, per-group breakdown.

Everything is computed from one contingency table ``N[k, g]`` = number of points of
protected group ``g`` in cluster ``k``, built with a single ``np.bincount`` over the
combined code ``cluster * n_groups + group``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from robustfair._validation import (
    check_array,
    check_choice,
    check_consistent_length,
    check_group_labels,
    check_labels,
    check_n_groups,
    encode_labels,
)

__all__ = [
    "balance",
    "count_ratio_balance",
    "optimal_count_ratio_balance",
    "fairness_entropy",
    "social_fairness_cost",
    "balance_cost",
    "group_breakdown",
    "GroupBreakdown",
]

# Chunk of samples combined at a time: small enough that the combined codes stay in
# cache, large enough that the Python loop over chunks costs nothing next to the work.
_CHUNK = 1 << 17
# Integer ids up to this value are counted directly with bincount (no np.unique).
_MAX_DIRECT_ID = 1 << 20


def _is_int(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "iub" and arr.dtype.isnative


def _encode(arr: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``encode_labels`` with a fast path for small non-negative integer ids.

    The fast path costs two bincount-sized passes instead of ``np.unique``'s sort.
    """
    if _is_int(arr) and arr.dtype.kind != "b":
        lo, hi = arr.min(), arr.max()
        if lo >= 0 and hi <= _MAX_DIRECT_ID:
            ids = arr.astype(np.intp, copy=False)
            present = np.bincount(ids) > 0
            remap = np.cumsum(present) - 1  # id -> code, empty ids dropped
            return remap[ids].astype(np.int64, copy=False), np.flatnonzero(present).astype(arr.dtype)
    return encode_labels(arr, name)


def _direct_table(lab: np.ndarray, grp: np.ndarray) -> np.ndarray | None:
    """Counts table indexed by raw ids for small non-negative integer ids, else ``None``.

    Works chunk by chunk so the combined codes ``cluster * n_groups + group`` never leave
    the cache; each chunk's bounds are checked on data about to be used anyway, so there
    is no separate validation pass over the arrays.
    """
    n = lab.shape[0]
    # Viewed as unsigned, a negative id becomes huge, so one max per chunk both bounds
    # the ids and rejects negatives.
    lab_u = lab.view(np.dtype(f"u{lab.dtype.itemsize}"))
    grp_u = grp.view(np.dtype(f"u{grp.dtype.itemsize}"))
    limit = max(4 * n, 1 << 16)
    n_k = n_g = 0
    table = np.zeros(0, dtype=np.intp)  # flat (n_k, n_g) table
    buf = np.empty(min(n, _CHUNK), dtype=np.intp)
    for start in range(0, n, _CHUNK):  # loop over chunks, not samples
        end = start + _CHUNK
        k_hi, g_hi = int(lab_u[start:end].max()), int(grp_u[start:end].max())
        if k_hi >= n_k or g_hi >= n_g:  # new ids: grow the table (rare after chunk one)
            new_k, new_g = max(n_k, k_hi + 1), max(n_g, g_hi + 1)
            if new_k > _MAX_DIRECT_ID or new_g > _MAX_DIRECT_ID or new_k * new_g > limit:
                return None
            grown = np.zeros((new_k, new_g), dtype=np.intp)
            grown[:n_k, :n_g] = table.reshape(n_k, n_g)
            n_k, n_g, table = new_k, new_g, grown.ravel()
        b = buf[: min(_CHUNK, n - start)]
        np.multiply(lab[start:end], n_g, out=b, dtype=np.intp, casting="unsafe")
        np.add(b, grp[start:end], out=b, dtype=np.intp, casting="unsafe")
        table += np.bincount(b, minlength=n_k * n_g)
    return table.reshape(n_k, n_g)


def _contingency(
    labels: Any,
    sensitive_features: Any,
    *,
    labels_name: str = "labels",
    groups_name: str = "sensitive_features",
    min_groups: int = 2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and count: ``(counts[k, g], cluster_ids, group_ids)``.

    Only clusters and groups with at least one point appear (so every row and column of
    ``counts`` sums to a positive number).
    """
    lab = check_labels(labels, labels_name)
    # Only a protected attribute may come as several columns (their intersection); other
    # "groups" (the classes of clustering_accuracy) must be one column.
    grp = (
        check_group_labels(sensitive_features, groups_name)
        if groups_name == "sensitive_features"
        else check_labels(sensitive_features, groups_name)
    )
    check_consistent_length(lab, grp, names=[labels_name, groups_name])
    table = None
    if _is_int(lab) and _is_int(grp):
        lab_i = lab.view(np.uint8) if lab.dtype.kind == "b" else lab
        grp_i = grp.view(np.uint8) if grp.dtype.kind == "b" else grp
        table = _direct_table(lab_i, grp_i)
    if table is not None:
        rows = np.flatnonzero(table.sum(axis=1))
        cols = np.flatnonzero(table.sum(axis=0))
        counts = table[np.ix_(rows, cols)] if (rows.size < table.shape[0] or cols.size < table.shape[1]) else table
        cluster_ids, group_ids = rows.astype(lab.dtype), cols.astype(grp.dtype)
    else:
        k_codes, cluster_ids = _encode(lab, labels_name)
        g_codes, group_ids = _encode(grp, groups_name)
        n_g = group_ids.shape[0]
        counts = np.bincount(k_codes * n_g + g_codes, minlength=cluster_ids.shape[0] * n_g)
        counts = counts.reshape(cluster_ids.shape[0], n_g)
    check_n_groups(group_ids.shape[0], groups_name, min_groups)
    return counts.astype(np.int64, copy=False), cluster_ids, group_ids


def _balance_table(counts: np.ndarray) -> np.ndarray:
    """Per-cell min(r_g / r_gk, r_gk / r_g) of Bera et al., exact 1.0 at equal proportions.

    r_gk / r_g = N_kg * n / (n_k * n_g); comparing the two integer products keeps equality
    exact (two equal integers give the same float), so a perfectly proportional cluster
    scores exactly 1.
    """
    n = counts.sum()
    n_k = counts.sum(axis=1, keepdims=True)
    n_g = counts.sum(axis=0, keepdims=True)
    if float(n) ** 2 < 2.0**62:
        num, den = counts * n, n_k * n_g
    else:  # products would overflow int64; floats are accurate to ~1e-16 here
        num, den = counts.astype(float) * float(n), n_k.astype(float) * n_g.astype(float)
    lo, hi = np.minimum(num, den), np.maximum(num, den)
    return lo.astype(float) / hi.astype(float)


def balance(labels: Any, *, sensitive_features: Any) -> float:
    r"""Balance of a clustering (Bera et al. 2019), the fairness notion of the thesis.

    With :math:`r_g = |G_g| / n` the share of protected group :math:`g` in the dataset and
    :math:`r_{gk} = |G_g \cap C_k| / |C_k|` its share in cluster :math:`k`,

    .. math:: \mathrm{Balance} = \min_{k \in [K],\, g \in [m]}
              \min\left(\frac{r_g}{r_{gk}}, \frac{r_{gk}}{r_g}\right).

    Source: ``thesis-towards-robust-and-fair-ml.txt`` section 4.1.3.4 (Balance); the same
    quantity is eq. 3 ("fairness") of ``deep-fair-discriminative-clustering.txt`` and
    minus the balance cost of ``antidote-data-fair-clustering.txt`` Definition 2.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Cluster of each point; any hashable values. Empty cluster ids are ignored.
    sensitive_features : array-like of shape (n_samples,)
        Protected group of each point; any hashable values; at least two groups.

    Returns
    -------
    float
        In :math:`[0, 1]`, higher is fairer. 1 exactly when every cluster has the
        dataset's group proportions; 0 when some cluster lacks a protected group.

    Notes
    -----
    Non-negative integer ids up to about a million are counted with ``np.bincount``
    directly, so 10 million labels take about as long as two ``np.bincount`` calls.
    """
    counts, _, _ = _contingency(labels, sensitive_features)
    return float(_balance_table(counts).min())


def count_ratio_balance(labels: Any, *, sensitive_features: Any) -> float:
    r"""Count-ratio balance: the smallest over clusters of :math:`N_k^{min} / N_k^{max}`.

    For two groups this is Chierichetti et al.'s
    :math:`\min_k \min(N_k^1 / N_k^2, N_k^2 / N_k^1)` (eq. 1 of
    ``deep-fair-discriminative-clustering.txt``); for many groups it is eq. 2 of that
    paper, :math:`\min_k \min_g N_{kg} / \max_g N_{kg}`, where :math:`N_{kg}` counts the
    points of group :math:`g` in cluster :math:`k`.

    Returns
    -------
    float
        In :math:`[0, 1]`; 0 when a cluster lacks a group. Unlike :func:`balance` its best
        achievable value is not 1 with unequal group sizes but
        :func:`optimal_count_ratio_balance`, reached when every cluster has the dataset's
        proportions (DFDC Theorem 3.2).
    """
    counts, _, _ = _contingency(labels, sensitive_features)
    return float((counts.min(axis=1) / counts.max(axis=1)).min())


def optimal_count_ratio_balance(sensitive_features: Any) -> float:
    r"""Best achievable :func:`count_ratio_balance`: :math:`\min_g |G_g| / \max_g |G_g|`.

    The dataset-level count ratio; a clustering reaches it when every cluster has the
    dataset's group proportions (``deep-fair-discriminative-clustering.txt`` Theorem 3.2).
    In :math:`(0, 1]`, 1 for equal-sized groups.
    """
    grp = check_group_labels(sensitive_features, "sensitive_features")
    counts, _, _ = _contingency(np.zeros(grp.shape[0], dtype=np.int64), grp)
    return float(counts.min() / counts.max())


def fairness_entropy(
    labels: Any,
    *,
    sensitive_features: Any,
    normalize: Literal["cluster", "group"] = "cluster",
) -> float:
    r"""Entropy fairness (Li et al. 2020) as written in the thesis, averaged over groups.

    With :math:`N_{k,g}` the points of cluster :math:`k` in protected group :math:`g` and
    :math:`n_k` the size of cluster :math:`k`, the thesis (section 4.1.3.4) defines

    .. math:: \mathrm{Entropy}(g) = -\sum_{k \in [K]} \frac{|N_{k,g}|}{n_k}
              \log \frac{|N_{k,g}|}{n_k}

    and reports the average of :math:`\mathrm{Entropy}(g)` over the groups. Natural log;
    :math:`0 \log 0 = 0`.

    Parameters
    ----------
    normalize : {"cluster", "group"}, default="cluster"
        ``"cluster"`` divides by :math:`n_k` exactly as the thesis writes. ``"group"``
        divides by the group size :math:`n_g` instead, the entropy of group :math:`g`'s
        distribution over clusters as in Li et al.'s Deep Fair Clustering.

    Returns
    -------
    float
        Higher is fairer. With ``"cluster"`` each term is at most :math:`1/e`, so the value
        lies in :math:`[0, K/e]`; with ``"group"`` it lies in :math:`[0, \log K]`,
        :math:`\log K` when every group is spread evenly over the :math:`K` clusters.
        Source: ``thesis-towards-robust-and-fair-ml.txt`` section 4.1.3.4 (Entropy).
    """
    check_choice(normalize, ["cluster", "group"], "normalize")
    counts, _, _ = _contingency(labels, sensitive_features)
    axis = 1 if normalize == "cluster" else 0
    p = counts / counts.sum(axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)  # 0 log 0 = 0
    return float(terms.sum(axis=0).mean())


def _nearest_center(X: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of and squared Euclidean distance to each point's nearest center.

    Blocks of rows keep the distance matrix at about 4 million entries; ties go to the
    first center. The returned distances are recomputed as ``||x - c||^2`` for accuracy.
    """
    n, k = X.shape[0], centers.shape[0]
    rows = max(1, min(n, (1 << 22) // k))
    c_sq = np.einsum("ij,ij->i", centers, centers)
    nearest = np.empty(n, dtype=np.intp)
    dist = np.empty(n, dtype=np.float64)
    for start in range(0, n, rows):  # loop over blocks of rows, not samples
        xb = X[start : start + rows]
        d = xb @ centers.T
        d *= -2.0
        d += c_sq  # ||x||^2 is the same for every center, so it does not change argmin
        idx = d.argmin(axis=1)
        diff = xb - centers[idx]
        nearest[start : start + rows] = idx
        dist[start : start + rows] = np.einsum("ij,ij->i", diff, diff)
    return nearest, dist


def _check_points_centers(X: Any, centers: Any) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, "X")
    centers = check_array(centers, "centers")
    if centers.shape[1] != X.shape[1]:
        raise ValueError(f"centers has {centers.shape[1]} feature(s) but X has {X.shape[1]}; they must match.")
    return X, centers


def social_fairness_cost(X: Any, centers: Any, *, sensitive_features: Any) -> float:
    r"""Social fairness cost (Ghadiri et al. 2021): the worst group's mean clustering cost.

    With :math:`\Delta(\mu, U) = \sum_{x \in U} \min_{\mu_i \in \mu} \|x - \mu_i\|^2`,

    .. math:: F_{social}(\mu, U) = \max_{j \in [g]}
              \frac{\Delta(\mu, \psi(U, j))}{|\psi(U, j)|},

    the largest over protected groups of the average squared Euclidean distance from a
    group's points to their nearest center. Source:
    ``antidote-data-fair-clustering.txt`` Definition 1.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    centers : array-like of shape (n_clusters, n_features)
    sensitive_features : array-like of shape (n_samples,)

    Returns
    -------
    float
        In :math:`[0, \infty)`; lower is fairer (and better). Memory is O(n_samples
        + n_clusters) beyond a fixed block of distances.
    """
    X, centers = _check_points_centers(X, centers)
    grp = check_group_labels(sensitive_features, "sensitive_features")
    check_consistent_length(X, grp, names=["X", "sensitive_features"])
    codes, groups = _encode(grp, "sensitive_features")
    check_n_groups(groups.shape[0])
    _, dist = _nearest_center(X, centers)
    per_group = np.bincount(codes, weights=dist, minlength=groups.shape[0]) / np.bincount(codes)
    return float(per_group.max())


def balance_cost(X: Any, centers: Any, *, sensitive_features: Any) -> float:
    r"""Balance cost: minus the :func:`balance` of nearest-center assignment.

    Each point of :math:`U` goes to cluster :math:`i = \arg\min_{i'} \|x - \mu_{i'}\|`
    (ties to the first center); with
    :math:`R(i, j) = \frac{|\psi(U,j)| / |U|}{|\psi(U,j) \cap \phi(U,\mu,i)| / |\phi(U,\mu,i)|}`,

    .. math:: F_{balance}(\mu, U) = -\min_{i \in [k], j \in [g]}
              \min\left(R(i, j), \frac{1}{R(i, j)}\right).

    Centers that receive no point are ignored. Source:
    ``antidote-data-fair-clustering.txt`` Definition 2.

    Returns
    -------
    float
        In :math:`[-1, 0]`; lower is fairer, -1 when every cluster has the dataset's
        group proportions.
    """
    X, centers = _check_points_centers(X, centers)
    grp = check_group_labels(sensitive_features, "sensitive_features")
    check_consistent_length(X, grp, names=["X", "sensitive_features"])
    nearest, _ = _nearest_center(X, centers)
    return -balance(nearest, sensitive_features=grp)


@dataclass(frozen=True)
class GroupBreakdown:
    """Per-cluster, per-group counts of a clustering; ``print`` it for a table.

    Attributes
    ----------
    cluster_ids : ndarray of shape (n_clusters,)
        Distinct cluster labels, sorted.
    group_ids : ndarray of shape (n_groups,)
        Distinct protected groups, sorted.
    counts : ndarray of int64, shape (n_clusters, n_groups)
        ``counts[k, g]`` points of group ``g`` in cluster ``k``.
    proportions : ndarray of shape (n_clusters, n_groups)
        Share of each group within each cluster (rows sum to 1).
    dataset_proportions : ndarray of shape (n_groups,)
        Share of each group in the whole dataset.
    cluster_balance : ndarray of shape (n_clusters,)
        Balance of each cluster; the minimum is :attr:`balance`.
    balance : float
        The clustering's :func:`balance`.
    """

    cluster_ids: np.ndarray
    group_ids: np.ndarray
    counts: np.ndarray
    proportions: np.ndarray
    dataset_proportions: np.ndarray
    cluster_balance: np.ndarray
    balance: float

    def to_dict(self) -> dict[str, Any]:
        """Plain Python lists and floats, ready for ``json.dumps``."""
        return {
            "cluster_ids": self.cluster_ids.tolist(),
            "group_ids": self.group_ids.tolist(),
            "counts": self.counts.tolist(),
            "proportions": self.proportions.tolist(),
            "dataset_proportions": self.dataset_proportions.tolist(),
            "cluster_balance": self.cluster_balance.tolist(),
            "balance": float(self.balance),
        }

    def to_frame(self) -> Any:
        """Counts as a pandas DataFrame: one row per cluster, one column per group, plus ``size``
        and ``balance`` columns."""
        import pandas as pd

        frame = pd.DataFrame(
            self.counts,
            index=pd.Index(self.cluster_ids.tolist(), name="cluster"),
            columns=[str(g) for g in self.group_ids.tolist()],
        )
        frame["size"] = self.counts.sum(axis=1)
        frame["balance"] = self.cluster_balance
        return frame

    def __str__(self) -> str:
        header = ["cluster", "size", *[f"group {g}" for g in self.group_ids.tolist()], "balance"]
        rows = []
        for k, cid in enumerate(self.cluster_ids.tolist()):
            cells = [f"{c} ({p:.2f})" for c, p in zip(self.counts[k].tolist(), self.proportions[k].tolist())]
            rows.append([str(cid), str(int(self.counts[k].sum())), *cells, f"{self.cluster_balance[k]:.3f}"])
        totals = self.counts.sum(axis=0).tolist()
        cells = [f"{c} ({p:.2f})" for c, p in zip(totals, self.dataset_proportions.tolist())]
        rows.append(["all", str(int(self.counts.sum())), *cells, f"{self.balance:.3f}"])
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        fmt = lambda r: "  ".join(  # noqa: E731
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))
        )
        rule = "-" * len(fmt(header))
        return "\n".join([fmt(header), rule, *map(fmt, rows[:-1]), rule, fmt(rows[-1])])


def group_breakdown(labels: Any, *, sensitive_features: Any) -> GroupBreakdown:
    """Count every protected group in every cluster, with per-cluster balance.

    Returns
    -------
    GroupBreakdown
        Frozen record of counts, proportions and balances; ``print(...)`` shows an
        aligned table, ``.to_dict()`` gives plain Python values. Balance follows
        :func:`balance` (``thesis-towards-robust-and-fair-ml.txt`` section 4.1.3.4).
    """
    counts, cluster_ids, group_ids = _contingency(labels, sensitive_features)
    cell = _balance_table(counts)
    return GroupBreakdown(
        cluster_ids=cluster_ids,
        group_ids=group_ids,
        counts=counts,
        proportions=counts / counts.sum(axis=1, keepdims=True),
        dataset_proportions=counts.sum(axis=0) / counts.sum(),
        cluster_balance=cell.min(axis=1),
        balance=float(cell.min()),
    )
