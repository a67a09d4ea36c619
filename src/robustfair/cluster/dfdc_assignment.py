"""Exact fair assignment of Deep Fair Discriminative Clustering (Zhang & Davidson, sec. 4.2).

Not to be confused with :class:`robustfair.cluster.FairAssignment`, Bera et al.'s fair
assignment to given centers (an LP with rounding). This module was
``robustfair.cluster.fair_assignment`` until this release; that name is a deprecated alias.

Given soft cluster assignments ``Y`` (n x K) and a protected attribute with T groups, find
the hard assignment ``A`` (one cluster per point) that changes ``Y`` least,

.. math::

    \\min_{A \\in \\{0,1\\}^{n \\times K}} \\sum_i \\bigl(1 - y_i \\cdot a_i\\bigr)        \\quad (6)

subject to the per-cluster group proportions (eq. 7; ``[rho_t - eps, rho_t + eps]`` for the
flexible constraints of Table 4), fixed cluster sizes ``s_k`` (eq. 8; by default the hard
counts of ``argmax Y``, the paper's choice) and ``sum_k A_ik = 1`` (eq. 9). The objective is
linear in ``A`` and the constraint matrix is totally unimodular (Theorem 4.2), so the
problem is solved exactly as a min-cost flow (``method="flow"``, OR-Tools) or as one
HiGHS linear program (``method="linprog"``).

**Rounding of counts.** ``s_k * rho_t`` is rarely an integer, so the count of group t in
cluster k must lie in ``[floor(s_k (rho_t - eps)), ceil(s_k (rho_t + eps))]`` (with
``eps = 0``: the floor and the ceiling of ``s_k rho_t``). The counts of each group must
also add up to the group's size and those of each cluster to ``s_k``; among all such
controlled roundings the solver picks the one of least cost, jointly with the assignment,
so the result is the exact optimum of the integer program. With ``rho`` at the dataset
proportions and ``eps = 0`` a feasible rounding always exists.

**Rounding of costs** (``method="flow"`` only). The flow solver needs integer costs;
``1 - Y_ik`` is shifted per row and scaled so the largest cost is about ``2**60 / n_nodes``
(about 1.7e13 at n = 67,291) and rounded. The optimum of the rounded problem is within
``n * range(Y) / scale`` of the float optimum (about 4e-9 at n = 67,291, scores in [0, 1]);
the reported ``objective`` is always recomputed in float from the returned labels.

**Speed.** Most points keep their argmax cluster, so the flow is first solved with only
the points of smallest best-vs-second-best margin free to move, and the answer is
certified optimal for the full problem (no negative cycle in the residual graph, checked
exactly on a graph of K*T + K nodes); otherwise more points are freed, up to the whole
network. At n = 67,291 and K = 10 this takes about 0.1 s against about 25-60 s for the
same LP in HiGHS (``benchmarks/bench_fair_assignment.py``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._validation import check_array, check_choice, check_fraction, check_n_groups, encode_labels

__all__ = ["DFDCAssignmentResult", "solve_dfdc_assignment", "dfdc_assignment_lp", "dfdc_assignment_objective"]

_METHODS = ("flow", "linprog")


@dataclass(frozen=True)
class DFDCAssignmentResult:
    """Outcome of :func:`solve_dfdc_assignment`.

    Attributes
    ----------
    labels : ndarray of int64, shape (n,)
        The cluster (column of ``Y``) each point is assigned to.
    objective : float
        Eq. 6 on ``labels``: ``sum_i (1 - Y[i, labels[i]])``; lower is closer to ``Y``.
    counts : ndarray of int64, shape (K, T)
        ``counts[k, t]``: members of group t in cluster k (groups in the order of
        ``group_values``).
    feasible : bool
        Whether ``labels`` meet every constraint (cluster sizes, count bounds), checked
        on the returned labels.
    seconds : float
        Wall time of the solve (building the problem included, validation excluded).
    cluster_sizes : ndarray of int64, shape (K,)
    lower, upper : ndarray of int64, shape (K, T)
        The per-(cluster, group) count bounds the solution was held to.
    rho : ndarray of float, shape (T,)
        Target group proportions.
    group_values : ndarray, shape (T,)
        The distinct group ids, sorted; column t of ``counts`` is ``group_values[t]``.
    method : str
        ``"flow"`` or ``"linprog"``.
    """

    labels: np.ndarray
    objective: float
    counts: np.ndarray
    feasible: bool
    seconds: float
    cluster_sizes: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    rho: np.ndarray
    group_values: np.ndarray
    method: str


def dfdc_assignment_objective(Y: Any, labels: Any) -> float:
    """Eq. 6 of a hard assignment: ``sum_i (1 - Y[i, labels[i]])`` (0 when every point
    takes a cluster of probability 1; lower is better)."""
    Y = np.asarray(Y, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    return float(np.sum(1.0 - Y[np.arange(Y.shape[0]), labels]))


def solve_dfdc_assignment(
    Y: Any,
    sensitive_features: Any,
    *,
    rho: Any = None,
    eps: float = 0.0,
    cluster_sizes: Any = None,
    method: Literal["flow", "linprog"] = "flow",
) -> DFDCAssignmentResult:
    """The hard assignment closest to ``Y`` whose clusters have the target group proportions.

    Solves eqs. 6-9 of Zhang & Davidson (Deep Fair Discriminative Clustering) exactly; see
    the module docstring for the formulation and how counts and costs are rounded.

    Parameters
    ----------
    Y : array-like of shape (n, K)
        Soft assignments (rows on the simplex) or any scores; higher means "keep here".
    sensitive_features : array-like of shape (n,)
        Group id of each point (any hashable values, T >= 2 groups).
    rho : array-like of shape (T,) or mapping {group id: proportion}, optional
        Target proportion of each group in every cluster; must be non-negative and sum to
        1. Default: the dataset proportions ``|G_t| / n`` (the optimum of balance, eq. 2;
        Theorem 3.2). An array is in the order of the sorted group ids.
    eps : float, default=0.0
        Flexible constraints (Table 4): each cluster's share of group t may lie in
        ``[rho_t - eps, rho_t + eps]``.
    cluster_sizes : array-like of shape (K,), optional
        Fixed cluster sizes (eq. 8), non-negative ints summing to n. Default: the hard
        counts of ``argmax Y`` (the paper's rounded current assignment).
    method : {"flow", "linprog"}, default="flow"
        ``"flow"``: one min-cost flow with OR-Tools (fast). ``"linprog"``: one
        ``scipy.optimize.linprog(method="highs")`` call on n*K variables (reference).

    Returns
    -------
    DFDCAssignmentResult

    Raises
    ------
    ValueError
        Naming the argument: NaN or wrong shapes, ``rho`` not summing to 1, negative or
        unreachable ``eps``, bad ``cluster_sizes``, a group with fewer members than there
        are non-empty clusters, an unknown ``method``.
    """
    check_choice(method, _METHODS, "method")
    Y, codes, group_values, group_sizes, rho_arr, eps, sizes = _validate(Y, sensitive_features, rho, eps, cluster_sizes)
    from ._fair_assignment_flow import check_counts_feasible, count_bounds, preload, solve_flow, solve_linprog

    preload(method)
    start = time.perf_counter()
    lower, upper = count_bounds(sizes, rho_arr, eps, group_sizes)
    why = check_counts_feasible(lower, upper, sizes, group_sizes)
    if why is not None:
        arg = "eps" if eps > 0 else "rho"
        raise ValueError(
            f"{arg}: the fairness constraints cannot be met ({why}); with eps=0 rho must match the "
            "dataset's group proportions up to rounding, otherwise pass a larger eps."
        )
    if method == "flow":
        labels = solve_flow(Y, codes, lower, upper, sizes)
    else:
        labels, _ = solve_linprog(Y, codes, lower, upper, sizes)
    seconds = time.perf_counter() - start
    return _result(Y, codes, labels, lower, upper, sizes, rho_arr, group_values, method, seconds)


def dfdc_assignment_lp(
    Y: Any,
    sensitive_features: Any,
    *,
    rho: Any = None,
    eps: float = 0.0,
    cluster_sizes: Any = None,
) -> DFDCAssignmentResult:
    """The same problem as :func:`solve_dfdc_assignment` as one HiGHS linear program.

    One ``scipy.optimize.linprog(method="highs")`` call on the n*K variables ``A_ik`` in
    [0, 1] with a sparse constraint matrix (eqs. 7-9). Its matrix is totally unimodular, so
    the LP optimum is integral; labels are the argmax of each row. For verification and
    speed comparison (:mod:`benchmarks.bench_fair_assignment`).
    """
    return solve_dfdc_assignment(Y, sensitive_features, rho=rho, eps=eps, cluster_sizes=cluster_sizes, method="linprog")


def _result(Y, codes, labels, lower, upper, sizes, rho, group_values, method, seconds) -> DFDCAssignmentResult:
    n_clusters, n_groups = lower.shape
    counts = np.bincount(labels * n_groups + codes, minlength=n_clusters * n_groups).reshape(n_clusters, n_groups)
    feasible = bool(np.array_equal(counts.sum(axis=1), sizes) and np.all(counts >= lower) and np.all(counts <= upper))
    return DFDCAssignmentResult(
        labels=labels,
        objective=dfdc_assignment_objective(Y, labels),
        counts=counts,
        feasible=feasible,
        seconds=float(seconds),
        cluster_sizes=sizes,
        lower=lower,
        upper=upper,
        rho=rho,
        group_values=group_values,
        method=method,
    )


def _validate(Y, sensitive_features, rho, eps, cluster_sizes):
    Y = check_array(Y, "Y", ndim=2)
    n, n_clusters = Y.shape
    codes, group_values = encode_labels(sensitive_features, "sensitive_features")
    if codes.shape[0] != n:
        raise ValueError(f"sensitive_features has {codes.shape[0]} entries but Y has {n} rows; they must match.")
    n_groups = group_values.shape[0]
    check_n_groups(n_groups)
    group_sizes = np.bincount(codes, minlength=n_groups).astype(np.int64)
    rho_arr = _check_rho(rho, group_values, group_sizes, n)
    eps = check_fraction(eps, "eps", low=0.0, high=1.0, inclusive_high=True)
    if cluster_sizes is None:
        sizes = np.bincount(Y.argmax(axis=1), minlength=n_clusters).astype(np.int64)  # eq. 8
    else:
        sizes = _check_cluster_sizes(cluster_sizes, n, n_clusters)
    n_used = int(np.count_nonzero(sizes))
    if group_sizes.min() < n_used:
        t = int(group_sizes.argmin())
        raise ValueError(
            f"sensitive_features: group {group_values[t]!r} has {group_sizes[t]} member(s), fewer than the "
            f"{n_used} non-empty clusters, so it cannot be represented in every cluster; merge small groups "
            "or use fewer clusters."
        )
    return Y, codes, group_values, group_sizes, rho_arr, eps, sizes


def _check_rho(rho, group_values, group_sizes, n) -> np.ndarray:
    if rho is None:
        return group_sizes / n
    if isinstance(rho, Mapping):
        missing = [v for v in group_values.tolist() if v not in rho]
        extra = [k for k in rho if k not in set(group_values.tolist())]
        if missing or extra:
            raise ValueError(
                f"rho must have one entry per group {group_values.tolist()}; missing {missing}, unknown {extra}."
            )
        rho = [rho[v] for v in group_values.tolist()]
    arr = check_array(rho, "rho", ndim=1)
    if arr.shape[0] != group_values.shape[0]:
        raise ValueError(f"rho has {arr.shape[0]} entries but sensitive_features has {group_values.shape[0]} groups.")
    if np.any(arr < 0):
        raise ValueError(f"rho must be non-negative; got {arr.tolist()}.")
    if abs(arr.sum() - 1.0) > 1e-8:
        raise ValueError(f"rho must sum to 1; got {arr.sum():.10g}.")
    return arr


def _check_cluster_sizes(cluster_sizes, n, n_clusters) -> np.ndarray:
    arr = check_array(cluster_sizes, "cluster_sizes", ndim=1)
    if arr.shape[0] != n_clusters:
        raise ValueError(f"cluster_sizes has {arr.shape[0]} entries but Y has {n_clusters} columns (clusters).")
    if np.any(arr < 0) or np.any(arr != np.rint(arr)):
        raise ValueError(f"cluster_sizes must be non-negative integers; got {arr.tolist()}.")
    sizes = np.rint(arr).astype(np.int64)
    if sizes.sum() != n:
        raise ValueError(f"cluster_sizes must sum to the number of points ({n}); got {sizes.sum()}.")
    return sizes
