"""(p, q)-fairlet decomposition on a randomly shifted quadtree (Backurs et al., ICML 2019).

The tree embedding is a hierarchically well-separated tree (HST): level ``l`` cuts the
bounding cube, randomly shifted, into ``2**l`` cells per axis. The decomposition walks
the tree top-down (Backurs et al., Algorithm 2 "FairletDecomposition" on an HST): at
every node it sends up from each child the fewest points that leave the child
(p, q)-balanced (phase 1, "must-remove"), then more points until the sent-up set is
balanced itself (phase 2, "may-remove", and phase 3, "unsaturated fairlets"), and cuts
the sent-up set into (p, q)-fairlets with the basic decomposition of Chierichetti et al.
(2017, Lemma 3). What is left in each child is balanced and goes down a level.

Everything is vectorized per tree level: cell ids are ``floor((X - lower + shift) /
side)`` bits refined with ``np.unique``; the per-node phases are segmented cumulative
sums over the children of all nodes of the level at once. The Python loop runs over tree
levels only (at most ``max_depth``, typically 10-25), never over points or nodes.
Time O(n d L log n), memory O(n d).
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


def _child_ids(node: np.ndarray, Z: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Compact ids of the level-(level+1) cells of the points (rows of ``Z`` in [0, 1)).

    Children of one parent get consecutive ids, parents in increasing order. Orthant
    bits are folded into the parent id in chunks so the key fits in an int64 for any d.
    Returns (child id per point, parent id per child).
    """
    bits = (np.floor(Z * float(2 ** (level + 1))).astype(np.int64) & 1) if Z.shape[0] else Z.astype(np.int64)
    ids = node.astype(np.int64)
    d = Z.shape[1]
    room = max(1, 62 - int(max(int(ids.max(initial=0)), Z.shape[0], 1)).bit_length())
    for start in range(0, d, room):
        chunk = bits[:, start : start + room]
        code = chunk @ (np.int64(1) << np.arange(chunk.shape[1], dtype=np.int64))
        key = ids * (np.int64(1) << chunk.shape[1]) + code
        _, ids = np.unique(key, return_inverse=True)
        ids = ids.ravel().astype(np.int64)
    n_child = int(ids.max(initial=-1)) + 1
    parent = np.zeros(n_child, dtype=np.int64)
    parent[ids] = node
    return ids, parent


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


def _morton_rank(Z: np.ndarray, levels: int = 20) -> np.ndarray:
    """Rank of every point along the Z-order (Morton) curve of the quadtree.

    Points of one cell are contiguous in it, at every level. Bits are packed level by
    level into int64 words of 62 bits; the loop runs over (level, dimension) bit planes.
    """
    n, d = Z.shape
    cells = np.floor(Z * float(2**levels)).astype(np.int64)
    words, cur, used = [], np.zeros(n, dtype=np.int64), 0
    for level in range(levels):
        shift = levels - 1 - level
        for j in range(d):
            cur = (cur << 1) | ((cells[:, j] >> shift) & 1)
            used += 1
            if used == 62:
                words.append(cur)
                cur, used = np.zeros(n, dtype=np.int64), 0
    if used:
        words.append(cur)
    order = np.lexsort(words[::-1])  # lexsort's last key is the primary one
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


def tree_fairlet_decomposition(
    X: np.ndarray, color: np.ndarray, p: int, q: int, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Fairlet id of every point (0..F-1) and F, for two colors 0/1 and 1 <= p <= q.

    The caller checks that the whole set is (p, q)-balanced.
    """
    n, d = X.shape
    color = color.astype(np.int64)
    lower = X.min(axis=0)
    side = float((X.max(axis=0) - lower).max())
    fairlet = np.full(n, -1, dtype=np.int64)
    n_fairlets = 0
    active = np.arange(n, dtype=np.int64)
    node = np.zeros(n, dtype=np.int64)
    n_nodes = 1
    if side > 0:
        shift = rng.uniform(0.0, side, size=d)
        # Z in [0, 1): position inside the root cube of side 2 * side, randomly shifted
        Z = (X - lower + shift) / (2.0 * side)
        np.clip(Z, 0.0, np.nextafter(1.0, 0.0), out=Z)
        # Which points a child sends up, and how the sent-up set is cut into fairlets, is
        # free in Backurs et al.; taking them in Z-order keeps each fairlet spatially tight.
        zrank = _morton_rank(Z)
    for level in range(MAX_DEPTH + 1):
        if active.shape[0] == 0:
            break
        col = color[active]
        if side == 0 or level == MAX_DEPTH:
            # leaves: every node's remaining points are balanced; fairlet them together
            local, counts = _basic_fairlets(node, col, p, q, n_nodes)
            offsets = n_fairlets + np.cumsum(counts) - counts
            fairlet[active] = offsets[node] + local
            n_fairlets += int(counts.sum())
            break
        child, parent = _child_ids(node, Z[active], level)
        n_child = parent.shape[0]
        Rc = np.bincount(child[col == 0], minlength=n_child)
        Bc = np.bincount(child[col == 1], minlength=n_child)
        keep_r, keep_b = _send_up_counts(Rc, Bc, parent, n_nodes, p, q)
        # the last points (in Z-order) of each (child, color) go up to the node
        order = np.lexsort((zrank[active], col, child))
        rank = np.empty(active.shape[0], dtype=np.int64)
        rank[order] = _ranks(child[order] * 2 + col[order])
        keep = np.where(col == 0, keep_r[child], keep_b[child])
        up = rank >= keep
        if up.any():
            up_idx = np.flatnonzero(up)
            # sent-up points in Z-order: fairlets gather neighbours (and one child's points)
            up_idx = up_idx[np.argsort(zrank[active[up_idx]], kind="stable")]
            g = node[up_idx]
            local, counts = _basic_fairlets(g, col[up_idx], p, q, n_nodes)
            offsets = n_fairlets + np.cumsum(counts) - counts
            fairlet[active[up_idx]] = offsets[g] + local
            n_fairlets += int(counts.sum())
        stay = ~up
        active = active[stay]
        child = child[stay]
        # renumber the surviving children compactly, keeping their order
        used, node = np.unique(child, return_inverse=True)
        node = node.ravel().astype(np.int64)
        n_nodes = used.shape[0]
    return fairlet, n_fairlets


def fairlet_medoids(X: np.ndarray, fairlet: np.ndarray, n_fairlets: int) -> np.ndarray:
    """Index of the medoid (least summed distance to its fairlet) of every fairlet.

    Vectorized by fairlet size: fairlets have at most about 2q + p points, so the loop
    runs over the few distinct sizes and the pairs inside a fairlet, not over fairlets.
    """
    order = np.argsort(fairlet, kind="stable")
    sizes = np.bincount(fairlet, minlength=n_fairlets)
    starts = np.cumsum(sizes) - sizes
    medoid = np.empty(n_fairlets, dtype=np.int64)
    for s in np.unique(sizes):
        f = np.flatnonzero(sizes == s)
        members = order[starts[f][:, None] + np.arange(s)]  # (n_f, s)
        if s <= 2:
            medoid[f] = members[:, 0]
            continue
        total = np.zeros((f.shape[0], s))
        for i in range(s):
            for j in range(i + 1, s):
                dij = np.sqrt(((X[members[:, i]] - X[members[:, j]]) ** 2).sum(axis=1))
                total[:, i] += dij
                total[:, j] += dij
        medoid[f] = members[np.arange(f.shape[0]), total.argmin(axis=1)]
    return medoid
