"""PREVIOUS dense implementation (robustfair main before issue 22), kept verbatim for the
side-by-side timing in bench_fairlet_flow.py; not part of the library.

(1, t)-fairlets by minimum-cost flow (Chierichetti et al., NIPS 2017, section 4).

A (1, t)-fairlet decomposition of two colors is, at its cheapest, a cover of the points by
*stars*: one point of one color joined to between 1 and t points of the other color
(every balanced fairlet splits into such stars at no extra cost to the star objective).
The cheapest star cover is the cheapest bipartite edge cover with every degree in
[1, t], a minimum-cost flow:

* every blue point has supply 1 and an optional arc from the source of capacity t - 1;
* every red point has demand 1 and an optional arc to the sink of capacity t - 1;
* blue -> red arcs of capacity 1 cost the (scaled, integer) distance;
* a free source -> sink arc absorbs the unused optional supply.

This is the network of Chierichetti et al. (their beta/rho nodes are our source and
sink) with the t copies per point merged into the capacity-(t - 1) arcs. For k-center
fairlets (``bottleneck=True``) the radius is first minimized by a binary search over the
candidate distances (feasibility of the threshold graph), then the cost among the arcs
within it. The bipartite graph has |blue| x |red| arcs, so this is for n up to a few
thousand; see :class:`ScalableFairletDecomposition` beyond.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["flow_fairlets"]

_COST_SCALE = 10**8  # largest distance in integer cost units


def _solve(n_blue, n_red, tails, heads, costs, t):
    """Min-cost star cover on the given blue->red arcs; returns the used arcs or None."""
    from ortools.graph.python import min_cost_flow

    source, sink = n_blue + n_red, n_blue + n_red + 1
    blue = np.arange(n_blue, dtype=np.int32)
    red = np.arange(n_blue, n_blue + n_red, dtype=np.int32)
    big = t * max(n_blue, n_red)
    all_tails = np.concatenate([tails, np.full(n_blue, source, np.int32), red, [source]]).astype(np.int32)
    all_heads = np.concatenate([heads, blue, np.full(n_red, sink, np.int32), [sink]]).astype(np.int32)
    caps = np.concatenate(
        [np.ones(tails.shape[0], np.int64), np.full(n_blue + n_red, t - 1, np.int64), [big]]
    ).astype(np.int64)
    unit = np.concatenate([costs, np.zeros(n_blue + n_red + 1, np.int64)]).astype(np.int64)
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(all_tails, all_heads, caps, unit)
    supplies = np.concatenate(
        [np.ones(n_blue, np.int64), -np.ones(n_red, np.int64), [big, -(big + n_blue - n_red)]]
    )
    smcf.set_nodes_supplies(np.arange(n_blue + n_red + 2, dtype=np.int32), supplies)
    if smcf.solve() != smcf.OPTIMAL:
        return None
    flows = smcf.flows(arcs[: tails.shape[0]])
    return np.flatnonzero(flows > 0)


def flow_fairlets(
    X: np.ndarray, color: np.ndarray, t: int, *, bottleneck: bool = False
) -> tuple[np.ndarray, int, float]:
    """Fairlet id of every point, the number of fairlets and the star-cover cost.

    ``color`` holds 0/1; the caller checks that min/max of the color counts is >= 1/t.
    The cost is the sum of the star edges' Euclidean lengths (for ``bottleneck``, the
    cheapest such sum among covers of least longest edge).
    """
    blue_idx = np.flatnonzero(color == 0)
    red_idx = np.flatnonzero(color == 1)
    nb, nr = blue_idx.shape[0], red_idx.shape[0]
    diff = X[blue_idx][:, None, :] - X[red_idx][None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2)).ravel()  # (nb * nr,), blue-major
    del diff
    tails = np.repeat(np.arange(nb, dtype=np.int32), nr)
    heads = np.tile(np.arange(nb, nb + nr, dtype=np.int32), nb)
    top = float(dist.max()) if dist.size else 0.0
    costs = np.rint(dist * (_COST_SCALE / top)).astype(np.int64) if top > 0 else np.zeros(dist.size, np.int64)
    keep = np.arange(dist.size)
    if bottleneck:
        # binary search the least radius whose threshold graph has a star cover
        cand = np.unique(costs)
        lo, hi = 0, cand.shape[0] - 1
        while lo < hi:
            mid = (lo + hi) // 2
            sel = np.flatnonzero(costs <= cand[mid])
            if _solve(nb, nr, tails[sel], heads[sel], costs[sel], t) is None:
                lo = mid + 1
            else:
                hi = mid
        keep = np.flatnonzero(costs <= cand[lo])
    used = _solve(nb, nr, tails[keep], heads[keep], costs[keep], t)
    if used is None:  # the caller's ratio check makes this unreachable; guard anyway
        raise ValueError(f"No (1, {t})-fairlet decomposition exists for these group sizes ({nb} and {nr}).")
    used = keep[used]
    b, r = tails[used].astype(np.int64), heads[used].astype(np.int64)
    # An optimal cover is a star forest up to zero-cost ties (duplicate points); drop
    # edges joining two points that are covered twice. Such edges are rare and each
    # drop changes the degrees the next test reads, hence the loop.
    deg = np.bincount(np.concatenate([b, r]), minlength=nb + nr)
    alive = np.ones(used.shape[0], dtype=bool)
    for e in np.flatnonzero((deg[b] > 1) & (deg[r] > 1)):
        if deg[b[e]] > 1 and deg[r[e]] > 1:
            alive[e] = False
            deg[b[e]] -= 1
            deg[r[e]] -= 1
    b, r, used = b[alive], r[alive], used[alive]
    graph = coo_matrix((np.ones(b.shape[0]), (b, r)), shape=(nb + nr, nb + nr))
    n_fairlets, comp = connected_components(graph, directed=False)
    fairlet = np.empty(X.shape[0], dtype=np.int64)
    fairlet[blue_idx] = comp[:nb]
    fairlet[red_idx] = comp[nb:]
    return fairlet, int(n_fairlets), float(dist[used].sum())
