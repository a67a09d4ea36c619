"""(p, q)-fairlet decomposition on a randomly shifted quadtree (Backurs et al., ICML 2019).

The tree embedding is a hierarchically well-separated tree (HST): level ``l`` cuts the
bounding cube, randomly shifted, into ``2**l`` cells per axis. The decomposition walks
the tree top-down (Backurs et al., Algorithm 2 "FairletDecomposition" on an HST): at
every node it sends up from each child the fewest points that leave the child
(p, q)-balanced (phase 1, "must-remove"), then more points until the sent-up set is
balanced itself (phase 2, "may-remove", and phase 3, "unsaturated fairlets"), and cuts
the sent-up set into (p, q)-fairlets with the basic decomposition of Chierichetti et al.
(2017, Lemma 3). What is left in each child is balanced and goes down a level.

Everything is vectorized per tree level. The points are sorted once along the Z-order
(Morton) curve of the shifted quadtree, so every cell at every depth is a contiguous run;
a level's cells are read off the depth at which consecutive points part, and the
per-node phases are segmented cumulative sums over the children of all nodes of the
level at once. The Python loop runs over tree levels only (at most ``MAX_DEPTH``,
typically 10-25), never over points or nodes. Time O(n d + n log n + n L), memory O(n d).
"""

from __future__ import annotations

import numpy as np

__all__ = ["tree_fairlet_decomposition", "fairlet_medoids", "is_balanced"]

# Cells below 2**-MAX_DEPTH of the bounding cube are leaves: their points are fairleted
# together (at double precision nearly all such points coincide).
MAX_DEPTH = 40


def is_balanced(r: np.ndarray, b: np.ndarray, p: int, q: int) -> np.ndarray:
    """(p, q)-balance of sets with ``r`` and ``b`` points: empty, or min(r/b, b/r) >= p/q."""
    r = np.asarray(r, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    both = (r > 0) & (b > 0) & (np.minimum(r, b) * q >= np.maximum(r, b) * p)
    return ((r == 0) & (b == 0)) | both


def _ceil_div(a: np.ndarray, b: int) -> np.ndarray:
    return -((-a) // b)


def _segment_exclusive_cumsum(values: np.ndarray, seg_start: np.ndarray) -> np.ndarray:
    """Cumulative sum of ``values`` before each element, restarting at every segment.

    ``seg_start[i]`` is the index of the first element of the segment holding ``i``.
    """
    excl = np.cumsum(values) - values
    return excl - excl[seg_start]


def _ranks(sorted_keys: np.ndarray) -> np.ndarray:
    """Rank of each element within its run of equal keys (keys already sorted)."""
    n = sorted_keys.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    start_idx = np.flatnonzero(starts)
    run_of = np.cumsum(starts) - 1
    return np.arange(n, dtype=np.int64) - start_idx[run_of]


def _basic_fairlets(group: np.ndarray, color: np.ndarray, p: int, q: int, n_groups: int):
    """Chierichetti et al. (2017) Lemma 3, for many balanced sets at once.

    Each set (``group`` id, 0..n_groups-1) is cut into ``m`` fairlets of q majority and p
    minority points, then one fairlet with the rest if at most p + q points remain,
    else one fairlet that evens the counts and (1, 1) pairs. Points keep their order
    within (group, color). Returns the local fairlet index of every point (in the given
    order) and the number of fairlets per group.
    """
    n_red = np.bincount(group[color == 0], minlength=n_groups)
    n_blue = np.bincount(group[color == 1], minlength=n_groups)
    red_major = n_red >= n_blue
    R = np.where(red_major, n_red, n_blue)  # majority counts
    B = np.where(red_major, n_blue, n_red)  # minority counts
    m = np.minimum(R // q, B // p)
    if q > p:
        m = np.minimum(m, (R - B) // (q - p))
    Rr, Br = R - m * q, B - m * p
    tot = Rr + Br
    case_rest = (tot >= 1) & (tot <= p + q)
    case_even = ~case_rest & (Rr != Br) & (Br >= p)
    extra = Rr - Br + p
    n_pairs = np.where(case_rest, 0, np.where(case_even, Br - p, Br))
    n_fairlets = m + case_rest + case_even + n_pairs

    # rank of every point within its (group, color) run, in the given order
    order = np.lexsort((color, group))  # stable: keeps the given order within runs
    key = group[order] * 2 + color[order]
    rank = np.empty_like(group)
    rank[order] = _ranks(key)

    major = (color == 0) == red_major[group]
    size, n_full = np.where(major, q, p), np.where(major, q, p) * m[group]
    r = rank - n_full
    # fairlet of the remainder: majority takes `extra` points into fairlet m (case_even)
    first = np.where(major, extra[group], p)
    mg = m[group]
    local = np.where(
        r < 0,
        rank // size,
        np.where(
            case_rest[group],
            mg,
            np.where(case_even[group], np.where(r < first, mg, mg + 1 + r - first), mg + r),
        ),
    )
    return local, n_fairlets


def _send_up_counts(Rc, Bc, parent, n_parents, p, q):
    """Backurs et al. phases 1-3 for all nodes of a level; children sorted by parent.

    Returns how many red and blue points each child keeps.
    """
    n_child = Rc.shape[0]
    seg_start = np.zeros(n_child, dtype=np.int64)
    if n_child:
        first = np.ones(n_child, dtype=bool)
        first[1:] = parent[1:] != parent[:-1]
        seg_start = np.flatnonzero(first)[np.cumsum(first) - 1]
    Rc, Bc = Rc.copy(), Bc.copy()

    def seg_sum(v):
        return np.bincount(parent, weights=v, minlength=n_parents).astype(np.int64)

    # phase 1: must-remove points, the excess of the majority color of each child
    red_major = Rc >= Bc
    must_red = np.where(red_major, np.maximum(0, Rc - (Bc * q) // p), 0)
    must_blue = np.where(red_major, 0, np.maximum(0, Bc - (Rc * q) // p))
    Rc -= must_red
    Bc -= must_blue
    NR, NB = seg_sum(must_red), seg_sum(must_blue)

    # phase 2: may-remove points of the minority color of the sent-up set, greedily in
    # child order, until the sent-up set is balanced or no child can spare more
    add_blue = NR >= NB
    missing = np.where(add_blue, np.maximum(0, _ceil_div(NR * p, q) - NB), np.maximum(0, _ceil_div(NB * p, q) - NR))
    ab = add_blue[parent]
    cap = np.maximum(0, np.where(ab, Bc - _ceil_div(Rc * p, q), Rc - _ceil_div(Bc * p, q)))
    take = np.clip(missing[parent] - _segment_exclusive_cumsum(cap, seg_start), 0, cap)
    Bc -= np.where(ab, take, 0)
    Rc -= np.where(ab, 0, take)
    NB += seg_sum(np.where(ab, take, 0))
    NR += seg_sum(np.where(ab, 0, take))

    # phase 3: unsaturated fairlets, child by child until the sent-up set is balanced
    rm = Rc >= Bc
    sat = np.where(rm, Rc // q, Bc // q)
    ex_red = Rc - np.where(rm, q, p) * sat
    ex_blue = Bc - np.where(rm, p, q) * sat
    pre_r = NR[parent] + _segment_exclusive_cumsum(ex_red, seg_start)
    pre_b = NB[parent] + _segment_exclusive_cumsum(ex_blue, seg_start)
    bal = is_balanced(pre_r, pre_b, p, q).astype(np.int64)
    seen_balanced = _segment_exclusive_cumsum(bal, seg_start) + bal
    taken = seen_balanced == 0
    Rc -= np.where(taken, ex_red, 0)
    Bc -= np.where(taken, ex_blue, 0)
    return Rc, Bc


def _spread_table(n_bits: int, stride: int) -> np.ndarray:
    """Table taking an ``n_bits``-bit value to the same bits ``stride`` positions apart."""
    v = np.arange(2**n_bits, dtype=np.int64)
    out = np.zeros_like(v)
    for t in range(n_bits):  # bit planes of the table, not points
        out |= ((v >> t) & 1) << (t * stride)
    return out


def _z_order(cells: np.ndarray, depth: int) -> np.ndarray:
    """Permutation sorting points by their quadtree cell at depth 1, then 2, ..., ``depth``.

    ``cells`` holds integer coordinates of ``depth`` bits. The sort key (the Z-order or
    Morton code: the orthant bits of depth 1, then depth 2, ...) is built one 62-bit word
    at a time, each word by a bit-spreading table lookup per dimension, and later words
    are built and sorted only for the points still tied, so in practice the cost is one
    argsort of one int64 key. Points of one cell are contiguous in the result at every depth.
    """
    n, d = cells.shape
    if d <= 62:
        per_word, dim_chunks = min(16, 62 // d), [(0, d)]
    else:
        per_word, dim_chunks = 1, [(j, min(j + 62, d)) for j in range(0, d, 62)]
    order = np.arange(n, dtype=np.int64)
    tied = np.arange(n, dtype=np.int64)  # positions (in ``order``) of points that share a run with another
    run = np.zeros(n, dtype=np.int64)
    tables: dict = {}
    for m0 in range(1, depth + 1, per_word):  # words of the key: few, and usually one
        L = min(per_word, depth - m0 + 1)
        for j0, j1 in dim_chunks:
            if tied.shape[0] == 0:
                return order
            dj = j1 - j0
            table = tables.setdefault((L, dj), _spread_table(L, dj))
            pts = order[tied]
            word = np.zeros(pts.shape[0], dtype=np.int64)
            for jj in range(dj):  # dimensions: d table lookups over the tied points
                sl = (cells[pts, j0 + jj] >> (depth - (m0 + L - 1))) & ((1 << L) - 1)
                word |= table[sl] << (dj - 1 - jj)
            r = run[tied]
            perm = np.argsort(word) if tied.shape[0] == n and m0 == 1 and j0 == 0 else np.lexsort((word, r))
            order[tied] = pts[perm]
            word, r = word[perm], r[perm]
            new = np.ones(tied.shape[0], dtype=bool)
            new[1:] = (word[1:] != word[:-1]) | (r[1:] != r[:-1])
            ids = np.cumsum(new) - 1
            size = np.bincount(ids)
            run[tied] = ids
            keep = size[ids] > 1
            tied, run_t = tied[keep], ids[keep]
            run[tied] = run_t
    return order


def _split_depth(cells_sorted: np.ndarray, depth: int) -> np.ndarray:
    """For each point in Z-order, the first tree depth at which it leaves the previous point's cell.

    0 for the first point; ``depth + 1`` when the two share a cell at every depth.
    """
    n = cells_sorted.shape[0]
    out = np.zeros(n, dtype=np.int64)
    if n > 1:
        x = np.bitwise_or.reduce(cells_sorted[1:] ^ cells_sorted[:-1], axis=1)
        bit_length = np.frexp(x.astype(np.float64))[1]  # exact: x < 2**depth <= 2**52
        out[1:] = depth + 1 - bit_length
    return out


def tree_fairlet_decomposition(
    X: np.ndarray, color: np.ndarray, p: int, q: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Fairlet id of every point (0..F-1) and F, for two colors 0/1 and 1 <= p <= q.

    The caller checks that the whole set is (p, q)-balanced.

    The points are sorted once in Z-order (Morton order) of the shifted quadtree, so that
    every cell at every depth is a contiguous run; a level's cells are then read off the
    depth at which consecutive points part (``_split_depth``), and the ranks inside a
    (cell, color) by segmented cumulative sums: no sort per level.
    """
    n, d = X.shape
    color = color.astype(np.int64)
    lower = X.min(axis=0)
    side = float((X.max(axis=0) - lower).max())
    fairlet = np.full(n, -1, dtype=np.int64)
    n_fairlets = 0
    if side > 0:
        shift = rng.uniform(0.0, side, size=d)
        # integer cell coordinates at the deepest level inside the root cube of side
        # 2 * side, randomly shifted; the cell at depth m is cells >> (MAX_DEPTH - m)
        Z = X - (lower - shift)
        Z *= float(2**MAX_DEPTH) / (2.0 * side)
        np.floor(Z, out=Z)
        np.clip(Z, 0.0, float(2**MAX_DEPTH - 1), out=Z)
        cells = Z.astype(np.int64)
        del Z
        # Which points a child sends up, and how the sent-up set is cut into fairlets, is
        # free in Backurs et al.; taking them in Z-order keeps each fairlet spatially tight.
        order = _z_order(cells, MAX_DEPTH)
        split = _split_depth(cells[order], MAX_DEPTH)
        del cells
    else:
        order = np.arange(n, dtype=np.int64)
        split = np.full(n, MAX_DEPTH + 1, dtype=np.int64)
        split[:1] = 0
    color_z = color[order]
    pos = np.arange(n, dtype=np.int64)  # active points, as positions in Z-order
    for level in range(MAX_DEPTH + 1):
        if pos.shape[0] == 0:
            break
        col = color_z[pos]
        if side == 0 or level == MAX_DEPTH:
            # leaves: every node's remaining points are balanced; fairlet them together
            node = np.cumsum(split <= level) - 1  # cell at depth ``level`` of every active point
            n_nodes = int(node[-1]) + 1
            local, counts = _basic_fairlets(node, col, p, q, n_nodes)
            offsets = n_fairlets + np.cumsum(counts) - counts
            fairlet[order[pos]] = offsets[node] + local
            n_fairlets += int(counts.sum())
            break
        # children (cells at depth level + 1) are the runs of the Z-order; per-child counts
        # and the parent of every child come from the runs' first points
        n_active = pos.shape[0]
        is_red = col == 0
        start = np.flatnonzero(split <= level + 1)
        size = np.diff(start, append=n_active)
        Rc = np.add.reduceat(is_red, start, dtype=np.int64)
        Bc = size - Rc
        parent = np.cumsum(split[start] <= level) - 1
        n_nodes = int(parent[-1]) + 1
        keep_r, keep_b = _send_up_counts(Rc, Bc, parent, n_nodes, p, q)
        if not ((keep_r < Rc) | (keep_b < Bc)).any():
            continue  # no child sends a point up: the level leaves everything as it was
        child = np.repeat(np.arange(start.shape[0], dtype=np.int64), size)
        # rank of every point within its (child, color), in Z-order: segmented cumsums
        red_before = np.cumsum(is_red) - is_red
        s0 = start[child]
        rb0 = red_before[s0]
        rank = np.where(is_red, red_before - rb0, (np.arange(n_active) - red_before) - (s0 - rb0))
        # the last points (in Z-order) of each (child, color) go up to the node
        up = rank >= np.where(is_red, keep_r[child], keep_b[child])
        up_idx = np.flatnonzero(up)  # already in Z-order: fairlets gather neighbours
        g = parent[child[up_idx]]
        local, counts = _basic_fairlets(g, col[up_idx], p, q, n_nodes)
        offsets = n_fairlets + np.cumsum(counts) - counts
        fairlet[order[pos[up_idx]]] = offsets[g] + local
        n_fairlets += int(counts.sum())
        stay = np.flatnonzero(~up)
        if stay.shape[0] == 0:
            break
        # two survivors part at the shallowest split between them
        bounds = np.empty(stay.shape[0], dtype=np.int64)
        bounds[0] = 0
        bounds[1:] = stay[:-1] + 1
        split = np.minimum.reduceat(split[: stay[-1] + 1], bounds)
        pos = pos[stay]
    return fairlet, n_fairlets


def fairlet_medoids(X: np.ndarray, fairlet: np.ndarray, n_fairlets: int) -> np.ndarray:
    """Index of the medoid (least summed distance to its fairlet) of every fairlet.

    Vectorized by fairlet size: fairlets have at most about 2q + p points, so the loop
    runs over the few distinct sizes (and chunks of fairlets), each step one batched
    pairwise-distance computation, not over fairlets.
    """
    order = np.argsort(fairlet)  # the order inside a fairlet is free; unstable sorts are fastest
    sizes = np.bincount(fairlet, minlength=n_fairlets)
    starts = np.cumsum(sizes) - sizes
    medoid = np.empty(n_fairlets, dtype=np.int64)
    for s in np.unique(sizes):
        f = np.flatnonzero(sizes == s)
        if s <= 2:
            medoid[f] = order[starts[f]]
            continue
        step = max(1, 4_000_000 // int(s * s))  # at most 32 MB of distances at once
        for a in range(0, f.shape[0], step):
            members = order[starts[f[a : a + step]][:, None] + np.arange(s)]  # (n_f, s)
            P = X[members]
            P -= P[:, :1, :]  # translate each fairlet to its first point: Gram trick stays exact enough
            sq = np.einsum("fsd,fsd->fs", P, P)
            D = np.matmul(P, P.transpose(0, 2, 1))
            D *= -2.0
            D += sq[:, :, None]
            D += sq[:, None, :]
            np.maximum(D, 0.0, out=D)
            np.sqrt(D, out=D)
            medoid[f[a : a + step]] = members[np.arange(members.shape[0]), D.sum(axis=2).argmin(axis=1)]
    return medoid
