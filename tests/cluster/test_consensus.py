"""ConsensusFairClustering (thesis 4.1.4): co-association, losses, fit/predict on small data."""

import subprocess
import sys

import numpy as np
import pytest

from robustfair.cluster import ConsensusFairClustering, make_clusterer
from robustfair.metrics import balance

FAST = dict(n_partitions=8, hidden=16, epochs=10, batch_size=512, random_state=0, device="cpu")


def _blobs(n_per=60, seed=0):
    # three blobs; group 1 is shifted sideways, so k-means alone splits the groups apart
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    X = np.vstack([c + rng.normal(size=(n_per, 2)) for c in centers])
    y = np.repeat(np.arange(3), n_per)
    s = rng.integers(0, 2, size=X.shape[0])
    X[s == 1, 0] += 1.5
    return X, y, s


def test_fit_predict_shapes_and_soft_assignments():
    X, y, s = _blobs()
    model = ConsensusFairClustering(3, **FAST).fit(X, sensitive_features=s)
    assert model.labels_.shape == (X.shape[0],)
    assert set(np.unique(model.labels_)) <= {0, 1, 2}
    np.testing.assert_allclose(model.soft_labels_.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(X), model.soft_labels_.argmax(axis=1))
    assert model.partitions_.shape == (X.shape[0], 8)
    assert model.history_.shape == (10, 3) and np.isfinite(model.history_).all()
    assert set(model.fit_seconds_) == {"partitions", "reference", "training"}


def test_coassociation_matrix_is_sparse_symmetric_with_r_on_the_diagonal():
    X, y, s = _blobs(30)
    model = ConsensusFairClustering(3, **FAST).fit(X, sensitive_features=s)
    S = model.coassociation_matrix()
    assert S.format == "csr" and S.shape == (90, 90)
    np.testing.assert_array_equal(S.diagonal(), 8)
    assert abs(S - S.T).max() == 0
    dense = (model.partitions_[:, None, :] == model.partitions_[None, :, :]).sum(-1)
    np.testing.assert_array_equal(S.toarray(), dense)


def test_basic_partitions_are_the_ones_the_fit_draws_and_need_no_groups():
    X, y, s = _blobs(30)
    fitted = ConsensusFairClustering(3, **FAST).fit(X, sensitive_features=s)
    drawn = ConsensusFairClustering(3, **FAST).basic_partitions(X)
    assert drawn.dtype == np.int32 and drawn.shape == (90, 8)
    np.testing.assert_array_equal(drawn, fitted.partitions_)
    other = ConsensusFairClustering(3, **{**FAST, "random_state": 1}).basic_partitions(X)
    assert (other != drawn).any()  # the seed matters: the equality above is not by construction
    with pytest.raises(ValueError, match="n_partitions"):
        ConsensusFairClustering(3, **{**FAST, "n_partitions": 0}).basic_partitions(X)


def test_coassociation_blocks_are_block_means_of_s_over_r():
    X, y, s = _blobs(30)
    model = ConsensusFairClustering(3, **FAST).fit(X, sensitive_features=s)
    labels = np.where(y == 2, 7, y)  # arbitrary label values, sorted order: 0, 1, 7
    S = model.coassociation_matrix().toarray() / 8
    expected = np.array([[S[np.ix_(labels == a, labels == b)].mean() for b in (0, 1, 7)] for a in (0, 1, 7)])
    np.testing.assert_allclose(model.coassociation_blocks(labels), expected, rtol=1e-6)
    parts = model.basic_partitions(X)
    np.testing.assert_allclose(model.coassociation_blocks(labels, partitions=parts), expected, rtol=1e-6)
    assert model.coassociation_blocks(labels)[0, 0] > model.coassociation_blocks(labels)[0, 1]  # blobs stay apart
    with pytest.raises(ValueError, match="labels has 89 entries"):
        model.coassociation_blocks(labels[:-1])
    with pytest.raises(ValueError, match="not fitted"):
        ConsensusFairClustering(3, **FAST).coassociation_blocks(labels)


def test_gamma_block_equals_r_hop_coassociation_and_struct_loss_identity():
    torch = pytest.importorskip("torch")
    from robustfair.cluster._consensus_net import _gamma_block, _struct_loss

    rng = np.random.default_rng(0)
    parts = rng.integers(0, 3, size=(12, 5))
    model = ConsensusFairClustering(3, n_partitions=5)
    H = model._indicator(parts)
    S = (parts[:, None, :] == parts[None, :, :]).sum(-1).astype(float)
    M2 = np.asarray((H.T @ H).toarray(), dtype=np.float32)
    idx = np.array([0, 3, 5, 7])
    got = _gamma_block(H[idx], M2, 5, 2, 12)
    want = (S @ S)[np.ix_(idx, idx)] / (5.0**2 * 12)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(_gamma_block(H[idx], None, 5, 1, 12), S[np.ix_(idx, idx)] / 5.0, rtol=1e-6)
    P = torch.softmax(torch.randn(7, 3), dim=1)
    J = torch.nn.functional.one_hot(torch.tensor([0, 1, 1, 2, 0, 2, 2])).float()
    dense = ((P @ P.T - J @ J.T) ** 2).sum()
    assert float(_struct_loss(P, J)) == pytest.approx(float(dense), rel=1e-4)


def test_cfc_is_fairer_than_kmeans_when_groups_sit_apart():
    # two blobs, one per group: k-means splits the groups (balance 0), CFC must mix them
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(80, 2)), rng.normal(size=(80, 2)) + [5.0, 0.0]])
    s = np.repeat([0, 1], 80)
    km = make_clusterer("kmeans", 2, random_state=0).fit_predict(X)
    cfc = ConsensusFairClustering(2, **{**FAST, "epochs": 30}).fit(X, sensitive_features=s)
    assert balance(km, sensitive_features=s) == 0.0
    assert balance(cfc.labels_, sensitive_features=s) > 0.5


def test_balanced_assignment_splits_every_group_like_the_data():
    from robustfair.cluster._consensus import balanced_assignment

    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(4), size=600)
    groups = rng.integers(0, 3, size=600)
    labels = balanced_assignment(P, groups)
    assert balance(labels, sensitive_features=groups) > 0.95
    assert (labels == P.argmax(axis=1)).mean() > 0.8  # mostly the confident choice
    one_hot = np.eye(4)[rng.integers(0, 4, size=600)] * 0.97 + 0.01
    np.testing.assert_array_equal(balanced_assignment(one_hot, np.zeros(600, int)), one_hot.argmax(axis=1))


def test_argmax_assignment_is_the_thesis_rule():
    X, y, s = _blobs(30)
    model = ConsensusFairClustering(3, **FAST, assignment="argmax").fit(X, sensitive_features=s)
    np.testing.assert_array_equal(model.labels_, model.soft_labels_.argmax(axis=1))
    with pytest.raises(ValueError, match="assignment"):
        ConsensusFairClustering(3, **FAST, assignment="sinkhorn").fit(X, sensitive_features=s)


def test_minibatch_and_precomputed_reference_labels():
    X, y, s = _blobs(50)
    ref = make_clusterer("kmeans", 3, random_state=0).fit_predict(X)
    model = ConsensusFairClustering(3, **{**FAST, "batch_size": 64, "epochs": 3}, fair_reference=ref).fit(
        X, sensitive_features=s)
    np.testing.assert_array_equal(model.reference_labels_, ref)
    assert model.labels_.shape == (150,)


def test_registered_as_cfc_and_one_fit_is_reproducible():
    X, y, s = _blobs(30)
    a = make_clusterer("cfc", 3, random_state=3, **{k: v for k, v in FAST.items() if k != "random_state"})
    assert isinstance(a, ConsensusFairClustering)
    la = a.fit(X, sensitive_features=s).labels_
    b = ConsensusFairClustering(3, **{**FAST, "random_state": 3}).fit(X, sensitive_features=s)
    np.testing.assert_array_equal(la, b.labels_)


def _two_domains(n_per=60, seed=0):
    # the protected group is visible in the features: group 1 is group 0 moved far away
    rng = np.random.default_rng(seed)
    base = np.vstack([c + rng.normal(size=(n_per, 2)) for c in ([0.0, 0.0], [6.0, 0.0])])
    X = np.vstack([base, base + [40.0, 40.0]])
    s = np.repeat([0, 1], 2 * n_per)
    return X, s


def test_repair_groups_restores_flipped_labels_when_groups_are_visible():
    from robustfair.cluster._consensus import repair_groups

    X, s = _two_domains()
    model = ConsensusFairClustering(2, **FAST)
    H = model._indicator(model._basic_partitions(X.astype(np.float32), np.random.default_rng(0)))
    poisoned = s.copy()
    flipped = np.random.default_rng(1).choice(s.shape[0], size=36, replace=False)
    poisoned[flipped] = 1 - poisoned[flipped]
    np.testing.assert_array_equal(repair_groups(H, poisoned, 0.75), s)
    np.testing.assert_array_equal(repair_groups(H, s, 0.75), s)  # clean groups are left alone


def test_repair_groups_leaves_groups_alone_when_the_vote_is_mixed():
    from robustfair.cluster._consensus import repair_groups

    X, y, _ = _blobs(60)
    s = np.random.default_rng(2).integers(0, 3, size=X.shape[0])  # independent of the features
    model = ConsensusFairClustering(3, **FAST)
    H = model._indicator(model._basic_partitions(X.astype(np.float32), np.random.default_rng(0)))
    np.testing.assert_array_equal(repair_groups(H, s, 0.75), s)
    # one cluster, one lone member of group 1: the vote would merge it into group 0 and leave a
    # single group, so the given groups come back
    model = ConsensusFairClustering(1, n_partitions=1)
    lone = np.array([0, 0, 0, 0, 1])
    np.testing.assert_array_equal(repair_groups(model._indicator(np.zeros((5, 1), np.int32)), lone, 0.6), lone)


def test_group_repair_makes_the_fit_ignore_flipped_visible_labels():
    X, s = _two_domains(40)
    poisoned = s.copy()
    poisoned[:30] = 1  # 30 of group 0's samples claim group 1
    plain = ConsensusFairClustering(2, **FAST).fit(X, sensitive_features=poisoned)
    clean = ConsensusFairClustering(2, **FAST, group_repair=0.75).fit(X, sensitive_features=s)
    repaired = ConsensusFairClustering(2, **FAST, group_repair=0.75).fit(X, sensitive_features=poisoned)
    assert repaired.n_groups_repaired_ == 30 and plain.n_groups_repaired_ == 0
    np.testing.assert_array_equal(repaired.groups_, s)
    np.testing.assert_array_equal(plain.groups_, poisoned)
    np.testing.assert_array_equal(repaired.labels_, clean.labels_)
    assert not np.array_equal(plain.labels_, clean.labels_)


@pytest.mark.parametrize("kwargs, match", [
    ({"group_repair": 0.5}, "group_repair"),
    ({"group_repair": True}, "group_repair"),
    ({"dropout": 1.0}, "dropout"),
    ({"hops": 0}, "hops"),
    ({"tau": 0}, "tau"),
    ({"sample_fraction": 0.0}, "sample_fraction"),
    ({"fair_reference": np.zeros(5)}, "fair_reference"),
    ({"fair_reference": "no-such-method"}, "clustering method"),
    ({"device": "cuda:7"} if not __import__("torch").cuda.is_available() else {"device": 3}, "device"),
])
def test_bad_parameters_raise_value_errors(kwargs, match):
    X, y, s = _blobs(20)
    with pytest.raises(ValueError, match=match):
        ConsensusFairClustering(3, **{**FAST, **kwargs}).fit(X, sensitive_features=s)


def test_bad_input_and_unfitted_predict():
    X, y, s = _blobs(20)
    with pytest.raises(ValueError, match="sensitive_features"):
        ConsensusFairClustering(3, **FAST).fit(X)
    with pytest.raises(ValueError, match="not fitted"):
        ConsensusFairClustering(3).predict(X)
    with pytest.raises(ValueError, match="NaN"):
        ConsensusFairClustering(3, **FAST).fit(np.full((10, 2), np.nan), sensitive_features=np.arange(10) % 2)


def test_importing_the_cluster_package_does_not_import_torch():
    code = "import sys, robustfair.cluster; robustfair.cluster.list_methods(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _contrast_reference(z, gamma, tau):
    """eq. 4.2 written out with autograd's element-wise nodes (the implementation before the fused one)."""
    import torch

    zn = torch.nn.functional.normalize(z, dim=1)
    E = torch.exp(zn @ zn.T / tau) * (1.0 - torch.eye(z.shape[0]))
    pos, den = (E * gamma).sum(dim=1), E.sum(dim=1)
    keep = pos > 0
    return -torch.log(pos[keep] / den[keep]).mean()


def test_fused_contrast_loss_has_the_value_and_gradient_of_eq_4_2():
    # the hand-written backward of _contrast_loss against autograd on the written-out loss;
    # a wrong sign, a dropped 1/tau, the diagonal left in or the keep mask ignored all fail here
    torch = pytest.importorskip("torch")
    from robustfair.cluster._consensus_net import _contrast_loss

    gen = torch.Generator().manual_seed(0)
    z0 = torch.randn(40, 6, generator=gen, dtype=torch.float64)
    g = torch.rand(40, 40, generator=gen, dtype=torch.float64) * (torch.rand(40, 40, generator=gen) < 0.3)
    gamma = (g + g.T) / 2
    gamma[:5] = 0.0  # rows without a co-associated neighbour: no positive term, out of the mean
    gamma[:, :5] = 0.0
    for tau in (2.0, 0.5):
        got_z, want_z = z0.clone().requires_grad_(True), z0.clone().requires_grad_(True)
        got, want = _contrast_loss(got_z, gamma, tau), _contrast_reference(want_z, gamma, tau)
        got.backward()
        want.backward()
        assert float(got.detach()) == pytest.approx(float(want.detach()), rel=1e-12)
        np.testing.assert_allclose(got_z.grad.numpy(), want_z.grad.numpy(), rtol=1e-9, atol=1e-12)
    assert torch.autograd.gradcheck(lambda z: _contrast_loss(z, gamma, 2.0), (z0.clone().requires_grad_(True),))
    none = z0[:5].clone().requires_grad_(True)
    loss = _contrast_loss(none, torch.zeros(5, 5, dtype=torch.float64), 2.0)  # no positive pair at all
    loss.backward()
    assert float(loss.detach()) == 0.0 and float(none.grad.abs().sum()) == 0.0


def test_training_shortcuts_leave_the_loss_curve_unchanged(monkeypatch):
    # the cached n x n graph (batch blocks gathered, not recomputed) gives the very same run,
    # and the fused contrast loss the same loss curve and labels as autograd's written-out one
    pytest.importorskip("torch")
    import robustfair.cluster._consensus_net as net

    X, y, s = _blobs(70)
    params = {**FAST, "batch_size": 64, "epochs": 8}
    fast = ConsensusFairClustering(3, **params).fit(X, sensitive_features=s)
    monkeypatch.setattr(net, "_MAX_CACHED_GAMMA", 0)  # every batch block from the sparse factor
    uncached = ConsensusFairClustering(3, **params).fit(X, sensitive_features=s)
    np.testing.assert_array_equal(uncached.history_, fast.history_)
    np.testing.assert_array_equal(uncached.soft_labels_, fast.soft_labels_)
    monkeypatch.setattr(net, "_contrast_loss", _contrast_reference)
    written_out = ConsensusFairClustering(3, **params).fit(X, sensitive_features=s)
    np.testing.assert_allclose(written_out.history_, fast.history_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(written_out.soft_labels_, fast.soft_labels_, atol=1e-4)
    np.testing.assert_array_equal(written_out.labels_, fast.labels_)
    other = ConsensusFairClustering(3, **{**params, "tau": 0.5}).fit(X, sensitive_features=s)
    assert np.abs(other.history_[:, 0] - fast.history_[:, 0]).max() > 1e-3  # the curve does depend on the loss
