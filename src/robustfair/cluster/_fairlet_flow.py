"""(1, t)-fairlets by minimum-cost flow (Chierichetti et al., NIPS 2017, section 4).

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
within it.

Sparse candidate graph. The complete bipartite graph has |blue| x |red| arcs. Beyond
``DENSE_MAX_ARCS`` arcs (or when asked) only *candidate* arcs enter the flow: every point
linked to its ``n_neighbors`` nearest points of the other color (scikit-learn
``NearestNeighbors``; a KD-tree in low dimension), plus every blue-red pair inside the
(1, t)-fairlets of one quadtree decomposition (SFD), which guarantees the graph holds a
cover and supplies the longer edges where the groups are unevenly mixed: O(n (n_neighbors
+ t)) arcs and memory. When the candidate graph contains an optimal cover the flow on it
is optimal for the full problem; otherwise its cost is an upper bound (a feasible cover
of the full problem), measured in ``benchmarks/bench_fairlet_flow.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["flow_fairlets"]

_COST_SCALE = 10**8  # largest distance in integer cost units


def _solve(n_blue, n_red, tails, heads, costs, t):
    """Min-cost star cover on the given blue->red arcs; returns the used arcs or None."""
    from .._optional import require

    min_cost_flow = require("ortools.graph.python.min_cost_flow", "FairletDecomposition (min-cost flow)")

    source, sink = n_blue + n_red, n_blue + n_red + 1
    blue = np.arange(n_blue, dtype=np.int32)
    red = np.arange(n_blue, n_blue + n_red, dtype=np.int32)
    big = t * max(n_blue, n_red)
    all_tails = np.concatenate([tails, np.full(n_blue, source, np.int32), red, [source]]).astype(np.int32)
    all_heads = np.concatenate([heads, blue, np.full(n_red, sink, np.int32), [sink]]).astype(np.int32)
    caps = np.concatenate([np.ones(tails.shape[0], np.int64), np.full(n_blue + n_red, t - 1, np.int64), [big]]).astype(
        np.int64
    )
    unit = np.concatenate([costs, np.zeros(n_blue + n_red + 1, np.int64)]).astype(np.int64)
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(all_tails, all_heads, caps, unit)
    supplies = np.concatenate([np.ones(n_blue, np.int64), -np.ones(n_red, np.int64), [big, -(big + n_blue - n_red)]])
    smcf.set_nodes_supplies(np.arange(n_blue + n_red + 2, dtype=np.int32), supplies)
    if smcf.solve() != smcf.OPTIMAL:
        return None
    flows = smcf.flows(arcs[: tails.shape[0]])
    return np.flatnonzero(flows > 0)


#: Largest |blue| x |red| solved on the complete bipartite graph when ``n_neighbors`` is None.
DENSE_MAX_ARCS = 4_000_000
#: Default candidate arcs per point (to its nearest points of the other color) on the sparse path.
DEFAULT_NEIGHBORS = 10


def _dense_arcs(Xb, Xr):
    """All blue->red arcs, blue-major: (tails, heads, Euclidean lengths)."""
    from scipy.spatial.distance import cdist

    nb, nr = Xb.shape[0], Xr.shape[0]
    dist = cdist(Xb, Xr).ravel()  # (nb * nr,) float64: no (nb, nr, d) temporary
    tails = np.repeat(np.arange(nb, dtype=np.int32), nr)
    heads = np.tile(np.arange(nb, nb + nr, dtype=np.int32), nb)
    return tails, heads, dist


def _tree_arcs(X, color, blue_idx, red_idx, t):
    """Blue->red arcs inside the (1, t)-fairlets of a quadtree decomposition (SFD).

    Each such fairlet is (1, t)-balanced, so it splits into stars of degree at most t: with
    these arcs the candidate graph always holds a cover. They also bring the long edges an
    optimal cover needs where the groups are unevenly mixed (the tree resolves the
    imbalance of a region one level up). O(n t) arcs.
    """
    from ._fairlet_tree import tree_fairlet_decomposition

    fairlet, n_f = tree_fairlet_decomposition(X, color, 1, t, np.random.default_rng(0))
    local = np.empty(X.shape[0], dtype=np.int64)
    local[blue_idx] = np.arange(blue_idx.shape[0])
    local[red_idx] = np.arange(red_idx.shape[0])
    order = np.argsort(fairlet, kind="stable")
    sizes = np.bincount(fairlet, minlength=n_f)
    starts = np.cumsum(sizes) - sizes
    tails, heads = [], []
    for size in np.unique(sizes):  # few distinct sizes (at most 2t + 1 points a fairlet)
        members = order[starts[sizes == size][:, None] + np.arange(size)]
        for i in range(size):  # pairs inside a fairlet: a constant number
            for j in range(size):
                a, b = members[:, i], members[:, j]
                ok = (color[a] == 0) & (color[b] == 1)
                tails.append(local[a[ok]])
                heads.append(local[b[ok]])
    return np.concatenate(tails), np.concatenate(heads)


def _candidate_arcs(X, color, blue_idx, red_idx, n_neighbors, t):
    """Blue->red arcs: each point to its ``n_neighbors`` nearest of the other color, plus
    the arcs inside quadtree (1, t)-fairlets (``_tree_arcs``); deduplicated."""
    from sklearn.neighbors import NearestNeighbors

    Xb, Xr = X[blue_idx], X[red_idx]
    nb, nr = Xb.shape[0], Xr.shape[0]
    mr, mb = min(n_neighbors, nr), min(n_neighbors, nb)
    _, r_of_b = NearestNeighbors(n_neighbors=mr).fit(Xr).kneighbors(Xb, return_distance=True)
    _, b_of_r = NearestNeighbors(n_neighbors=mb).fit(Xb).kneighbors(Xr, return_distance=True)
    tree_b, tree_r = _tree_arcs(X, color, blue_idx, red_idx, t)
    tails = np.concatenate([np.repeat(np.arange(nb), mr), b_of_r.ravel(), tree_b]).astype(np.int64)
    heads = np.concatenate([r_of_b.ravel(), np.repeat(np.arange(nr), mb), tree_r]).astype(np.int64)
    key = np.unique(tails * nr + heads)
    tails, heads = key // nr, key % nr
    diff = Xb[tails] - Xr[heads]
    dist = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    return tails.astype(np.int32), (nb + heads).astype(np.int32), dist


def _min_cost_cover(nb, nr, tails, heads, dist, t, bottleneck):
    """Used arc indices of the cheapest star cover on the given arcs (None: no cover exists)."""
    top = float(dist.max()) if dist.size else 0.0
    costs = np.rint(dist * (_COST_SCALE / top)).astype(np.int64) if top > 0 else np.zeros(dist.size, np.int64)
    keep = np.arange(dist.size)
    if bottleneck:
        if _solve(nb, nr, tails, heads, costs, t) is None:
            return None
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
    return None if used is None else keep[used]


def flow_fairlets(
    X: np.ndarray, color: np.ndarray, t: int, *, bottleneck: bool = False, n_neighbors: int | None = None
) -> tuple[np.ndarray, int, float]:
    """Fairlet id of every point, the number of fairlets and the star-cover cost.

    ``color`` holds 0/1; the caller checks that min/max of the color counts is >= 1/t.
    The cost is the sum of the star edges' Euclidean lengths (for ``bottleneck``, the
    cheapest such sum among covers of least longest edge).

    ``n_neighbors`` : None (complete bipartite graph up to ``DENSE_MAX_ARCS`` arcs, the
    sparse candidate graph with ``DEFAULT_NEIGHBORS`` beyond) or an int (always the
    candidate graph with that many nearest points of the other color per point).
    """
    blue_idx = np.flatnonzero(color == 0)
    red_idx = np.flatnonzero(color == 1)
    nb, nr = blue_idx.shape[0], red_idx.shape[0]
    Xb, Xr = X[blue_idx], X[red_idx]
    if n_neighbors is None and nb * nr <= DENSE_MAX_ARCS:
        tails, heads, dist = _dense_arcs(Xb, Xr)
        used = _min_cost_cover(nb, nr, tails, heads, dist, t, bottleneck)
    else:
        m = DEFAULT_NEIGHBORS if n_neighbors is None else int(n_neighbors)
        while True:  # the tree arcs make one round enough; doubling is a safeguard only
            tails, heads, dist = _candidate_arcs(X, color, blue_idx, red_idx, m, t)
            used = _min_cost_cover(nb, nr, tails, heads, dist, t, bottleneck)
            if used is not None or m >= max(nb, nr):
                break
            m *= 2
    if used is None:  # the caller's ratio check makes this unreachable; guard anyway
        raise ValueError(f"No (1, {t})-fairlet decomposition exists for these group sizes ({nb} and {nr}).")
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
