"""Solvers behind :mod:`robustfair.cluster.dfdc_assignment` (private).

Two exact solvers of the same integer program (Zhang & Davidson, *Deep Fair
Discriminative Clustering*, eqs. 6-9 with the count bounds of Table 4):

* :func:`solve_flow` -- one min-cost flow (OR-Tools ``SimpleMinCostFlow``) on the network

      point i --(cap 1, cost c_ik)--> node (k, t_i) --[L_kt, U_kt]--> cluster k --> demand s_k

  with ``n * K + K * T`` arcs built with numpy. Lower bounds ``L_kt`` are moved into the
  node supplies (node (k, t) demands ``L_kt`` more, cluster k supplies ``L_kt`` more), so
  every arc has lower bound 0.
* :func:`solve_linprog` -- the same program as one ``scipy.optimize.linprog(method="highs")``
  call on ``n * K`` variables with a sparse constraint matrix; its constraint matrix is
  totally unimodular (Theorem 4.2; point rows form a partition and the (k, t) rows nest
  inside the cluster rows, a union of two laminar families), so the simplex vertex HiGHS
  returns is integral.
"""

from __future__ import annotations

import numpy as np

__all__ = ["count_bounds", "check_counts_feasible", "solve_flow", "solve_linprog", "integer_costs", "is_optimal"]

# OR-Tools' cost-scaling algorithm multiplies unit costs by about (number of nodes + 1) and
# reports BAD_COST_RANGE when that could overflow int64; stay a factor 8 below the limit.
_COST_BUDGET = 2**60
# below this many point arcs the full network is solved directly (it takes milliseconds)
REDUCE_ABOVE_ARCS = 50_000


def preload(method: str) -> None:
    """Import the solver's libraries now, so a timed solve does not count import time."""
    import scipy.optimize  # noqa: F401  (count feasibility check; the "linprog" method)

    if method == "flow":
        from .._optional import require

        require("ortools.graph.python.min_cost_flow", "solve_dfdc_assignment(method='flow')")


def count_bounds(
    sizes: np.ndarray, rho: np.ndarray, eps: float, group_sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Integer bounds ``L <= C <= U`` (K x T) on the number of group-t points in cluster k.

    Eq. 7 asks for ``C_kt = s_k * rho_t`` exactly; that is fractional in general, so each
    count may take either neighbouring integer: ``[floor(s_k (rho_t - eps)),
    ceil(s_k (rho_t + eps))]`` (eps = 0: floor and ceil of the target itself; Table 4: the
    relaxed interval). Products within 1e-9 of an integer are snapped first so that float
    noise (``30 * 0.1 = 3.0000000000000004``) does not widen an exact target.
    """
    sizes_f = sizes.astype(np.float64)[:, None]
    low = _snap(sizes_f * np.maximum(rho - eps, 0.0)[None, :])
    high = _snap(sizes_f * np.minimum(rho + eps, 1.0)[None, :])
    lower = np.floor(low).astype(np.int64)
    upper = np.ceil(high).astype(np.int64)
    # a count can never exceed the cluster's size or the group's size
    upper = np.minimum(upper, np.minimum(sizes[:, None], group_sizes[None, :]))
    return lower, upper


def _snap(x: np.ndarray) -> np.ndarray:
    nearest = np.rint(x)
    close = np.abs(x - nearest) <= 1e-9 * np.maximum(1.0, np.abs(x))
    return np.where(close, nearest, x)


def check_counts_feasible(
    lower: np.ndarray, upper: np.ndarray, sizes: np.ndarray, group_sizes: np.ndarray
) -> str | None:
    """``None`` when an integer K x T count matrix fits the bounds, row sums ``sizes`` and
    column sums ``group_sizes``; else a sentence saying why not.

    Every point may go to every cluster, so the full assignment problem is feasible exactly
    when this small transportation problem is (integral by total unimodularity).
    """
    if np.any(lower > upper):
        k, t = np.argwhere(lower > upper)[0]
        return f"cluster {k} cannot hold between {lower[k, t]} and {upper[k, t]} members of group {t}"
    for k in range(lower.shape[0]):
        if not lower[k].sum() <= sizes[k] <= upper[k].sum():
            return (
                f"cluster {k} has size {sizes[k]} but its group counts must sum to between "
                f"{lower[k].sum()} and {upper[k].sum()}"
            )
    for t in range(lower.shape[1]):
        if not lower[:, t].sum() <= group_sizes[t] <= upper[:, t].sum():
            return (
                f"group {t} has {group_sizes[t]} members but the clusters must take between "
                f"{lower[:, t].sum()} and {upper[:, t].sum()} of them"
            )
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n_clusters, n_groups = lower.shape
    idx = np.arange(n_clusters * n_groups)
    rows = np.concatenate([idx // n_groups, n_clusters + idx % n_groups])
    a_eq = coo_matrix((np.ones(2 * idx.size), (rows, np.tile(idx, 2))), shape=(n_clusters + n_groups, idx.size))
    res = linprog(
        np.zeros(idx.size),
        A_eq=a_eq.tocsr(),
        b_eq=np.concatenate([sizes, group_sizes]).astype(float),
        bounds=np.column_stack([lower.ravel(), upper.ravel()]).astype(float),
        method="highs",
    )
    if res.status == 2:
        return "no count matrix meets the cluster sizes, the group sizes and the per-cluster bounds together"
    return None


def integer_costs(Y: np.ndarray, n_nodes: int) -> tuple[np.ndarray, float]:
    """Eq. 6 costs ``1 - Y_ik`` as int64 for the flow solver, and the scale used.

    Shifting each row by a constant does not change which assignment is optimal (every
    point is assigned once), so the cost is ``round(scale * (max_k Y_ik - Y_ik)) >= 0`` with
    ``scale = min(2**60 / (n_nodes + 1), 2**52) / range(Y)``. Each cost is off by at most
    ``0.5 / scale``, so the flow optimum is within ``n / scale`` of the float optimum
    (about 4e-9 for n = 67,291 scores in [0, 1]).
    """
    shifted = Y.max(axis=1, keepdims=True) - Y
    spread = float(shifted.max()) if shifted.size else 0.0
    max_cost = float(min(_COST_BUDGET // (n_nodes + 1), 2**52))
    scale = max_cost / spread if spread > 0 else 1.0
    return np.rint(shifted * scale).astype(np.int64), scale


def solve_flow(Y: np.ndarray, codes: np.ndarray, lower: np.ndarray, upper: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Optimal labels (n,) by min-cost flow; raises ``ValueError`` when infeasible.

    Most points keep their most likely cluster, so the flow is first solved for the
    points with the smallest gap between their best and second-best cost only (the rest
    stay at their argmax), and the result is *certified* optimal for the full problem by
    :func:`is_optimal` (no negative cycle in the residual graph). If the certificate fails
    or the reduced problem is infeasible, more points are freed, up to the full network of
    ``n * K`` point arcs, which needs no certificate. Either way the labels are an exact
    optimum of the integer-cost problem.
    """
    n, n_clusters = Y.shape
    n_groups = lower.shape[1]
    costs, _ = integer_costs(Y, n + n_clusters * n_groups + n_clusters)
    best = costs.argmin(axis=1)
    if n_clusters == 1:
        return best.astype(np.int64)
    start_counts = np.bincount(best * n_groups + codes, minlength=lower.size).reshape(lower.shape)
    # points that must change cluster at least, to estimate how many should be free to move
    excess = int(
        np.maximum(start_counts - upper, 0).sum()
        + np.maximum(lower - start_counts, 0).sum()
        + np.abs(np.bincount(best, minlength=n_clusters) - sizes).sum()
    )
    fraction = min(max(16.0 * excess / n, 0.05), 1.0)
    gap = np.partition(costs, 1, axis=1)[:, 1] - costs[np.arange(n), best]
    while fraction < 0.5 and n * n_clusters > REDUCE_ABOVE_ARCS:
        n_free = int(fraction * n)
        free = np.sort(np.argpartition(gap, n_free - 1)[:n_free])
        fixed = np.ones(n, dtype=bool)
        fixed[free] = False
        fixed_counts = np.bincount(best[fixed] * n_groups + codes[fixed], minlength=lower.size).reshape(lower.shape)
        sub = _min_cost_flow(
            costs[free],
            codes[free],
            np.maximum(lower - fixed_counts, 0),
            upper - fixed_counts,
            sizes - fixed_counts.sum(axis=1),
        )
        if sub is not None:
            labels = best.copy()
            labels[free] = sub
            if is_optimal(costs, labels, codes, lower, upper):
                return labels.astype(np.int64)
        fraction *= 4.0
    labels = _min_cost_flow(costs, codes, lower, upper, sizes)
    if labels is None:
        raise ValueError("eps: the fairness bounds cannot be met together with the cluster sizes.")
    return labels


def _min_cost_flow(
    costs: np.ndarray, codes: np.ndarray, lower: np.ndarray, upper: np.ndarray, sizes: np.ndarray
) -> np.ndarray | None:
    """Labels of the min-cost flow on the point -> (k, t) -> cluster network; None if infeasible."""
    from .._optional import require

    min_cost_flow = require("ortools.graph.python.min_cost_flow", "solve_dfdc_assignment(method='flow')")

    if np.any(upper < lower) or np.any(sizes < 0):
        return None
    n, n_clusters = costs.shape
    n_groups = lower.shape[1]
    n_nodes = n + n_clusters * n_groups + n_clusters
    kt = np.arange(n_clusters * n_groups)
    # arc i*K + k: point i -> node (k, t_i); arc n*K + k*T + t: node (k, t) -> cluster k
    tails = np.concatenate([np.repeat(np.arange(n), n_clusters), n + kt]).astype(np.int32)
    point_heads = n + np.arange(n_clusters)[None, :] * n_groups + codes[:, None]
    heads = np.concatenate([point_heads.ravel(), n + n_clusters * n_groups + kt // n_groups]).astype(np.int32)
    capacities = np.concatenate([np.ones(n * n_clusters, np.int64), (upper - lower).ravel()])
    # lower bounds moved into supplies: node (k, t) must absorb L_kt, cluster k gets them back
    supplies = np.concatenate([np.ones(n, np.int64), -lower.ravel(), lower.sum(axis=1) - sizes]).astype(np.int64)
    for shrink in (1, 1024, 2**20):  # BAD_COST_RANGE should not happen; shrink costs if it does
        unit_costs = np.concatenate([costs.ravel() // shrink, np.zeros(kt.size, np.int64)])
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, unit_costs)
        flow.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
        status = flow.solve()
        if status != flow.BAD_COST_RANGE:
            break
    if status in (flow.INFEASIBLE, flow.UNBALANCED):
        return None
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended with status {status!r}.")
    assigned = flow.flows(np.arange(n * n_clusters)).reshape(n, n_clusters)
    return assigned.argmax(axis=1).astype(np.int64)


def is_optimal(costs: np.ndarray, labels: np.ndarray, codes: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> bool:
    """Whether feasible ``labels`` minimize ``sum_i costs[i, labels[i]]`` under the bounds.

    A flow is optimal iff its residual graph has no negative cycle. Every residual cycle
    through points passes ``(k, t) -> point i -> (k', t)``, so it suffices to look at the
    small graph on the K*T nodes (k, t) and the K clusters, with arc ``(k, t) -> (k', t)``
    costing the cheapest move ``min_{i in (k, t)} costs[i, k'] - costs[i, k]``, arc
    ``(k, t) -> k`` (cost 0) while the count is below ``U_kt`` and ``k -> (k, t)`` while it
    is above ``L_kt``. Floyd-Warshall on that graph (integer costs, exact) finds any
    negative cycle.
    """
    n, n_clusters = costs.shape
    n_groups = lower.shape[1]
    n_kt = n_clusters * n_groups
    node = labels * n_groups + codes
    order = np.argsort(node, kind="stable")
    sorted_node = node[order]
    starts = np.flatnonzero(np.r_[True, sorted_node[1:] != sorted_node[:-1]])
    present = sorted_node[starts]
    moves = costs[order] - costs[order, labels[order]][:, None]
    cheapest = np.minimum.reduceat(moves, starts, axis=0)  # (present nodes, K)
    counts = np.bincount(node, minlength=n_kt)
    inf = np.int64(2**60)
    n_vertices = n_kt + n_clusters
    dist = np.full((n_vertices, n_vertices), inf, dtype=np.int64)
    targets = np.arange(n_clusters)[None, :] * n_groups + (present % n_groups)[:, None]
    dist[np.repeat(present, n_clusters), targets.ravel()] = cheapest.ravel()
    kt = np.arange(n_kt)
    room = counts < upper.ravel()
    dist[kt[room], n_kt + kt[room] // n_groups] = 0
    spare = counts > lower.ravel()
    dist[n_kt + kt[spare] // n_groups, kt[spare]] = 0
    np.fill_diagonal(dist, 0)
    for m in range(n_vertices):
        np.minimum(dist, dist[:, m : m + 1] + dist[m : m + 1, :], out=dist)
        np.minimum(dist, inf, out=dist)
        if dist.diagonal().min() < 0:
            return False
    return True


def solve_linprog(
    Y: np.ndarray, codes: np.ndarray, lower: np.ndarray, upper: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, float]:
    """Labels from one HiGHS LP on ``n * K`` variables, and the largest distance of the LP
    solution from an integer (0 up to solver tolerance, by total unimodularity)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n, n_clusters = Y.shape
    n_groups = lower.shape[1]
    var = np.arange(n * n_clusters)
    point = var // n_clusters
    cluster = var % n_clusters
    kt = cluster * n_groups + codes[point]
    exact = (lower == upper).ravel()
    # equality rows: one per point (eq. 9), one per cluster (eq. 8), one per exact (k, t) (eq. 7)
    eq_row_of_kt = np.full(n_clusters * n_groups, -1)
    eq_row_of_kt[exact] = n + n_clusters + np.arange(int(exact.sum()))
    sel = eq_row_of_kt[kt] >= 0
    rows = np.concatenate([point, n + cluster, eq_row_of_kt[kt][sel]])
    cols = np.concatenate([var, var, var[sel]])
    n_eq = n + n_clusters + int(exact.sum())
    a_eq = coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n_eq, var.size)).tocsr()
    b_eq = np.concatenate([np.ones(n), sizes, lower.ravel()[exact]]).astype(float)
    # inequality rows for the relaxed (k, t) counts: L <= count <= U as count <= U, -count <= -L
    loose = np.flatnonzero(~exact)
    a_ub = b_ub = None
    if loose.size:
        ub_row_of_kt = np.full(n_clusters * n_groups, -1)
        ub_row_of_kt[loose] = np.arange(loose.size)
        sel = ub_row_of_kt[kt] >= 0
        r = ub_row_of_kt[kt][sel]
        c = var[sel]
        a_ub = coo_matrix(
            (np.concatenate([np.ones(r.size), -np.ones(r.size)]), (np.concatenate([r, r + loose.size]), np.tile(c, 2))),
            shape=(2 * loose.size, var.size),
        ).tocsr()
        b_ub = np.concatenate([upper.ravel()[loose], -lower.ravel()[loose]]).astype(float)
    # The point rows and cluster rows are linearly dependent by design (both sum to n);
    # HiGHS presolve's dependent-equation search on them dominates its run time (5 s of
    # 5.4 s at n = 2,000, K = 5), while the simplex copes with the redundancy directly.
    res = linprog(
        (1.0 - Y).ravel(),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=(0, 1),
        method="highs",
        options={"presolve": False},
    )
    if res.status == 2:
        raise ValueError("eps: the fairness bounds cannot be met together with the cluster sizes.")
    if res.status != 0:
        raise RuntimeError(f"linprog (HiGHS) failed: {res.message}")
    x = res.x.reshape(n, n_clusters)
    return x.argmax(axis=1).astype(np.int64), float(np.abs(x - np.rint(x)).max())
