"""Fairlet-based fair clustering: FairletDecomposition (Chierichetti 2017) and SFD (Backurs 2019)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from robustfair.cluster import FairletDecomposition, ScalableFairletDecomposition, make_clusterer
from robustfair.cluster._fairlet_flow import flow_fairlets
from robustfair.cluster._fairlet_tree import is_balanced, tree_fairlet_decomposition
from robustfair.cluster._fairlets import KMedian, kmedian


def _balance(labels, s):
    """min over clusters of min(N_a/N_b, N_b/N_a) for two groups."""
    out = []
    for c in np.unique(labels):
        a, b = np.sum(s[labels == c] == 0), np.sum(s[labels == c] == 1)
        out.append(0.0 if a == 0 or b == 0 else min(a / b, b / a))
    return min(out)


def _data(n=300, d=3, minority=0.45, seed=0):
    """Three blobs; exactly round(minority * n) points of group 1, placed at random."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(loc, 1.0, size=(n // 3, d)) for loc in (-4, 0, 4)])
    s = (rng.permutation(X.shape[0]) < round(minority * X.shape[0])).astype(int)
    return X, s


@pytest.mark.parametrize("p,q,minority,seed", [(1, 1, 0.5, 0), (1, 2, 0.4, 1), (2, 5, 0.3, 2), (1, 5, 0.2, 3), (3, 4, 0.45, 4)])
def test_sfd_balance_is_at_least_p_over_q(p, q, minority, seed):
    X, s = _data(n=600, minority=minority, seed=seed)
    sfd = ScalableFairletDecomposition(n_clusters=4, p=p, q=q, random_state=seed).fit(X, sensitive_features=s)
    assert _balance(sfd.labels_, s) >= p / q - 1e-12
    assert np.unique(sfd.labels_).shape[0] == 4


def test_sfd_every_fairlet_lands_whole_in_one_cluster_and_is_balanced():
    X, s = _data(n=450, seed=5)
    sfd = ScalableFairletDecomposition(n_clusters=5, p=2, q=5, random_state=0).fit(X, sensitive_features=s)
    f = sfd.fairlets_
    assert f.dtype.kind == "i" and f.shape == (X.shape[0],)
    assert set(np.unique(f)) == set(range(sfd.n_fairlets_))
    # one cluster per fairlet
    assert np.array_equal(sfd.labels_, sfd.fairlet_labels_[f])
    pairs = np.unique(np.column_stack([f, sfd.labels_]), axis=0)
    assert pairs.shape[0] == sfd.n_fairlets_
    r = np.bincount(f[s == 0], minlength=sfd.n_fairlets_)
    b = np.bincount(f[s == 1], minlength=sfd.n_fairlets_)
    assert is_balanced(r, b, 2, 5).all() and ((r > 0) & (b > 0)).all()
    assert sfd.fairlet_centers_.shape == (sfd.n_fairlets_, X.shape[1])
    assert np.array_equal(f[sfd.fairlet_center_indices_], np.arange(sfd.n_fairlets_))


@pytest.mark.parametrize("seed", range(12))
def test_tree_decomposition_covers_all_points_with_balanced_fairlets(seed):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(2, 300)), int(rng.integers(1, 8))
    p, q = [(1, 1), (1, 2), (2, 5), (1, 5), (3, 4), (2, 3)][seed % 6]
    X = rng.normal(size=(n, d)).round(int(rng.integers(0, 3)))  # rounding makes duplicates
    color = np.arange(n) % 2 if seed % 3 == 0 else (rng.random(n) < 0.35).astype(int)
    nr, nb = np.sum(color == 0), np.sum(color == 1)
    if not is_balanced(nr, nb, p, q) or nr == 0 or nb == 0:
        color = np.arange(n) % 2
        p, q = 1, 2
    if n < 2:
        return
    f, F = tree_fairlet_decomposition(X, color, p, q, rng)
    assert (f >= 0).all() and f.max() == F - 1
    r, b = np.bincount(f[color == 0], minlength=F), np.bincount(f[color == 1], minlength=F)
    assert is_balanced(r, b, p, q).all() and ((r + b) > 0).all()


def test_sfd_same_random_state_gives_same_labels():
    X, s = _data(seed=6)
    a = ScalableFairletDecomposition(n_clusters=3, random_state=7).fit_predict(X, sensitive_features=s)
    b = ScalableFairletDecomposition(n_clusters=3, random_state=7).fit_predict(X, sensitive_features=s)
    assert np.array_equal(a, b)


def test_refit_resets_state():
    X1, s1 = _data(n=300, seed=1)
    X2, s2 = _data(n=150, d=2, seed=2)
    for est in (ScalableFairletDecomposition(n_clusters=3, random_state=0), FairletDecomposition(n_clusters=3, random_state=0)):
        est.fit(X1, sensitive_features=s1)
        est.fit(X2, sensitive_features=s2)
        assert est.labels_.shape == (150,) and est.fairlets_.shape == (150,)
        assert est.n_features_in_ == 2 and est.cluster_centers_.shape == (3, 2)
        assert est.fairlets_.max() == est.n_fairlets_ - 1


def test_predict_returns_one_label_per_row_and_centers_predict_themselves():
    X, s = _data(seed=3)
    sfd = ScalableFairletDecomposition(n_clusters=4, random_state=0).fit(X, sensitive_features=s)
    assert sfd.predict(X[:17]).shape == (17,)
    assert np.array_equal(sfd.predict(sfd.cluster_centers_), np.arange(4))
    with pytest.raises(ValueError, match="features"):
        sfd.predict(X[:, :2])


def test_fairlet_flow_cost_matches_brute_force_on_tiny_inputs():
    rng = np.random.default_rng(0)
    for nb, nr, t in [(2, 3, 2), (3, 4, 2), (2, 5, 3), (3, 3, 1), (3, 5, 3)]:
        X = rng.normal(size=(nb + nr, 2))
        color = np.array([0] * nb + [1] * nr)
        edges = list(itertools.product(range(nb), range(nb, nb + nr)))
        dist = {e: np.linalg.norm(X[e[0]] - X[e[1]]) for e in edges}
        best = np.inf
        for mask in range(1, 2 ** len(edges)):  # every edge set that is a cover by stars
            chosen = [e for i, e in enumerate(edges) if mask >> i & 1]
            deg = np.bincount(np.array(chosen).ravel(), minlength=nb + nr)
            if deg.min() < 1 or deg.max() > t or any(deg[u] > 1 and deg[v] > 1 for u, v in chosen):
                continue
            best = min(best, sum(dist[e] for e in chosen))
        fairlet, n_fairlets, cost = flow_fairlets(X, color, t)
        assert cost == pytest.approx(best, rel=1e-6)
        r, b = np.bincount(fairlet[color == 0], minlength=n_fairlets), np.bincount(fairlet[color == 1], minlength=n_fairlets)
        assert ((r >= 1) & (b >= 1) & (r <= t * b) & (b <= t * r)).all()


@pytest.mark.parametrize("method", ["kmedian", "kcenter"])
def test_fairlet_decomposition_balance_is_at_least_one_over_t(method):
    X, s = _data(n=180, minority=0.3, seed=4)
    est = FairletDecomposition(n_clusters=3, t=3, method=method, random_state=0).fit(X, sensitive_features=s)
    assert _balance(est.labels_, s) >= 1 / 3
    assert np.array_equal(est.labels_, est.fairlet_labels_[est.fairlets_])
    assert est.flow_cost_ > 0 and est.fairlet_cost_ > 0


def test_kcenter_fairlets_trade_total_length_for_a_short_longest_edge():
    X, s = _data(n=90, minority=0.4, seed=8)
    med = FairletDecomposition(n_clusters=2, t=2, method="kmedian", random_state=0).fit(X, sensitive_features=s)
    cen = FairletDecomposition(n_clusters=2, t=2, method="kcenter", random_state=0).fit(X, sensitive_features=s)

    def longest(est):
        return np.max(np.linalg.norm(X - est.fairlet_centers_[est.fairlets_], axis=1))

    assert cen.flow_cost_ >= med.flow_cost_ - 1e-9
    # medoid-to-point distances are within 2x of star edges, star edges within 2x of them
    assert longest(cen) <= longest(med) * 4 + 1e-9


def test_kmedian_clara_path_returns_k_distinct_medoids():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    med = kmedian(X, 5, rng, max_exact=100, n_draws=2)
    assert np.unique(med).shape == (5,)
    km = KMedian(n_clusters=4, random_state=0).fit(X)
    assert km.labels_.shape == (400,) and np.unique(km.labels_).shape == (4,)


def test_registry_builds_the_fairlet_estimators():
    assert isinstance(make_clusterer("sfd", 3, random_state=0, p=1, q=5), ScalableFairletDecomposition)
    assert isinstance(make_clusterer("fairlet", 3, t=2), FairletDecomposition)
    assert isinstance(make_clusterer("kmedian", 3), KMedian)


@pytest.mark.parametrize(
    "kwargs,s_fn,match",
    [
        ({}, lambda n: np.zeros(n, int), "1 distinct group"),
        ({}, lambda n: np.arange(n) % 3, "exactly 2 protected groups"),
        ({"p": 1, "q": 2}, lambda n: (np.arange(n) % 10 == 0).astype(int), "below p/q"),
        ({"n_clusters": 200}, lambda n: np.arange(n) % 2, "number of fairlets"),
        ({"p": 3, "q": 2}, lambda n: np.arange(n) % 2, "p must be at most q"),
        ({"p": 0}, lambda n: np.arange(n) % 2, "'p' parameter of ScalableFairletDecomposition must be an int"),
        ({}, lambda n: None, "sensitive_features is required"),
        ({}, lambda n: np.arange(n + 1) % 2, "entries but X has"),
    ],
)
def test_sfd_bad_input_raises_a_clear_value_error(kwargs, s_fn, match):
    X, _ = _data(n=300)
    params = {"n_clusters": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        ScalableFairletDecomposition(**params).fit(X, sensitive_features=s_fn(X.shape[0]))


def test_bad_arrays_raise_value_errors_naming_the_argument():
    X, s = _data(n=60)
    bad = X.copy()
    bad[3, 1] = np.nan
    for est in (ScalableFairletDecomposition(n_clusters=2), FairletDecomposition(n_clusters=2)):
        with pytest.raises(ValueError, match="X contains NaN"):
            est.fit(bad, sensitive_features=s)
        with pytest.raises(ValueError, match="X must be a 2-D array"):
            est.fit(X[:, 0], sensitive_features=s)
        with pytest.raises(ValueError, match="n_clusters=100 is larger"):
            est.set_params(n_clusters=100).fit(X[:50], sensitive_features=s[:50])


def test_fairlet_decomposition_fits_beyond_the_dense_limit_and_refuses_low_ratio():
    n = 5001  # 2500 x 2501 pairs: past the complete graph's 4,000,000 arcs, so the sparse graph
    X = np.zeros((n, 1)) + np.arange(n)[:, None]
    s = np.arange(n) % 2
    est = FairletDecomposition(n_clusters=2).fit(X, sensitive_features=s)
    assert _balance(est.labels_, s) >= 1 / 2
    assert est.flow_cost_ == pytest.approx((n + 1) // 2)  # one unit edge per point of the larger group
    with pytest.raises(ValueError, match="n_neighbors"):
        FairletDecomposition(n_clusters=2, n_neighbors=0).fit(X, sensitive_features=s)
    X, _ = _data(n=60)
    s = (np.arange(60) % 6 == 0).astype(int)  # ratio 1/5
    with pytest.raises(ValueError, match="below 1/t"):
        FairletDecomposition(n_clusters=2, t=4).fit(X, sensitive_features=s)
    with pytest.raises(ValueError, match="'method' parameter of FairletDecomposition"):
        FairletDecomposition(n_clusters=2, method="kmeans").fit(X, sensitive_features=np.arange(60) % 2)


def test_sfd_handles_identical_points_and_many_dimensions():
    s = np.arange(40) % 2
    same = ScalableFairletDecomposition(n_clusters=2, p=1, q=1, random_state=0).fit(np.ones((40, 3)), sensitive_features=s)
    assert _balance(same.labels_, s) == 1.0
    X = np.random.default_rng(0).normal(size=(80, 70))  # 70 orthant bits: keys fold in chunks
    wide = ScalableFairletDecomposition(n_clusters=3, p=1, q=1, random_state=0).fit(X, sensitive_features=np.arange(80) % 2)
    assert _balance(wide.labels_, np.arange(80) % 2) == 1.0


def test_sfd_weighted_kmedian_path_keeps_balance_and_nonempty_clusters(monkeypatch):
    import robustfair.cluster._fairlets as fl

    monkeypatch.setattr(fl, "MAX_EXACT_KMEDIAN", 20)  # force the many-fairlets path
    X, s = _data(n=900, minority=0.3, seed=9)
    sfd = ScalableFairletDecomposition(n_clusters=6, p=2, q=5, random_state=0).fit(X, sensitive_features=s)
    assert sfd.n_fairlets_ > 20
    assert _balance(sfd.labels_, s) >= 2 / 5 - 1e-12
    assert np.unique(sfd.labels_).shape[0] == 6
    assert np.array_equal(sfd.labels_, sfd.fairlet_labels_[sfd.fairlets_])
    assert np.array_equal(sfd.predict(sfd.cluster_centers_), np.arange(6))
    again = ScalableFairletDecomposition(n_clusters=6, p=2, q=5, random_state=0).fit(X, sensitive_features=s)
    assert np.array_equal(sfd.labels_, again.labels_)


def test_weighted_kmedian_lowers_the_cost_of_its_seeds_and_beats_sampled_medoids():
    from robustfair.cluster._weighted_kmedian import _distances, _seed, weighted_kmedian

    rng = np.random.default_rng(0)
    P = np.vstack([rng.normal(c, 0.5, size=(200, 2)) for c in ((0, 0), (5, 0), (0, 5), (5, 5))])
    w = rng.integers(1, 6, size=P.shape[0]).astype(float)
    C, labels, cost = weighted_kmedian(P, w, 4, np.random.default_rng(1))
    D = _distances(P, C)
    assert cost == pytest.approx(float(w @ D[np.arange(P.shape[0]), labels]))
    assert np.array_equal(labels, D.argmin(1))
    seeds = _seed(P - P.mean(0), w, 4, np.random.default_rng(1))
    seed_cost = float(w @ _distances(P, P[seeds]).min(1))
    assert cost <= seed_cost + 1e-9
    # continuous centers do at least as well as the best medoids FasterPAM finds unweighted
    med = kmedian(P, 4, np.random.default_rng(0))
    assert cost <= float(w @ _distances(P, P[med]).min(1)) + 1e-9
    assert np.bincount(labels, minlength=4).min() > 0


def test_weighted_kmedian_fills_every_cluster_on_duplicate_points():
    from robustfair.cluster._weighted_kmedian import weighted_kmedian

    P = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 0.0]]), 5, axis=0)
    C, labels, _ = weighted_kmedian(P, np.ones(15), 5, np.random.default_rng(0))
    assert np.bincount(labels, minlength=5).min() > 0


@pytest.mark.parametrize("d", [1, 3, 70])
def test_z_order_keeps_every_quadtree_cell_contiguous(d):
    from robustfair.cluster._fairlet_tree import _split_depth, _z_order

    rng = np.random.default_rng(d)
    depth = 12
    cells = rng.integers(0, 2**depth, size=(500, d)) // rng.integers(1, 64)  # many shared prefixes
    order = _z_order(cells, depth)
    assert np.array_equal(np.sort(order), np.arange(500))
    cz = cells[order]
    split = _split_depth(cz, depth)
    for m in range(1, depth + 1):
        key = [tuple(r) for r in (cz >> (depth - m))]
        runs = np.cumsum(split <= m) - 1  # a new run where the cell at depth m changes
        first_seen = {}
        for i, kk in enumerate(key):  # every cell is one run: never seen again after it ends
            assert first_seen.setdefault(kk, runs[i]) == runs[i]


@pytest.mark.parametrize("d, depth", [(8, 30), (5, 40), (70, 12)])
def test_z_order_is_the_morton_order_when_the_key_spans_several_words(d, depth):
    # 8 x 30 and 5 x 40 bits need several 62-bit words; the near-duplicates stay tied past the first.
    from robustfair.cluster._fairlet_tree import _z_order

    rng = np.random.default_rng(d)
    cells = rng.integers(0, 2**depth, size=(400, d)) // rng.integers(1, 64)
    cells[200:] = cells[:200] ^ (rng.random((200, d)) < 0.02)
    bits = np.stack([(cells >> (depth - m)) & 1 for m in range(1, depth + 1)], axis=1).reshape(400, -1)
    reference = np.lexsort(bits.T[::-1])  # depth 1 first, dimensions in order within a depth
    assert np.array_equal(bits[_z_order(cells, depth)], bits[reference])


@pytest.mark.parametrize("t,minority,bottleneck", [(1, 0.5, False), (2, 0.4, False), (3, 0.3, False), (2, 0.4, True)])
def test_sparse_candidate_flow_is_exact_on_a_complete_candidate_graph_and_close_on_ten_neighbours(t, minority, bottleneck):
    X, s = _data(n=600, d=2, minority=minority, seed=t)
    _, _, dense = flow_fairlets(X, s, t, bottleneck=bottleneck)
    _, _, complete = flow_fairlets(X, s, t, bottleneck=bottleneck, n_neighbors=600)
    assert complete == pytest.approx(dense, rel=1e-9)
    fairlet, n_f, sparse = flow_fairlets(X, s, t, bottleneck=bottleneck, n_neighbors=10)
    r, b = np.bincount(fairlet[s == 0], minlength=n_f), np.bincount(fairlet[s == 1], minlength=n_f)
    assert ((r >= 1) & (b >= 1) & (r <= t * b) & (b <= t * r)).all()
    if not bottleneck:  # a feasible cover: never below the optimum
        assert sparse >= dense - 1e-9
    if not bottleneck and t >= 2:  # within 1% on these blobs (t = 1, perfect matchings, is the hard case)
        assert sparse <= 1.01 * dense


def test_sparse_flow_cost_bounds_the_optimum_from_above_and_grows_its_graph_when_infeasible():
    # group 1 sits in one tight blob far from group 0: with 1 neighbour every point of
    # group 0 picks the same few points, so the candidate graph must grow to hold a cover
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, size=(40, 2)), rng.normal(20, 0.01, size=(40, 2))])
    s = np.r_[np.zeros(40, int), np.ones(40, int)]
    _, _, dense = flow_fairlets(X, s, 2)
    fairlet, n_f, sparse = flow_fairlets(X, s, 2, n_neighbors=1)
    assert sparse >= dense - 1e-9
    r, b = np.bincount(fairlet[s == 0], minlength=n_f), np.bincount(fairlet[s == 1], minlength=n_f)
    assert ((r >= 1) & (b >= 1) & (r <= 2 * b) & (b <= 2 * r)).all()
