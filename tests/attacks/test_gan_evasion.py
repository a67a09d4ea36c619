"""GANEvasionAttack: black-box means memberships only, queries counted, perturbation bounded."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from sklearn.datasets import load_digits  # noqa: E402

from robustfair.attacks import GANEvasionAttack  # noqa: E402
from robustfair.attacks._gan_evasion import MembershipOracle  # noqa: E402
from robustfair.deep import DEC  # noqa: E402

EPS = 0.3


@pytest.fixture(scope="module")
def setup():
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    idx = rng.choice(np.flatnonzero(np.isin(y, [0, 1, 4, 7])), 240, replace=False)
    X, y = X[idx] / 16.0, y[idx]
    victim = DEC(4, pretrain_epochs=15, epochs=5, hidden=(64, 32), embedding_dim=8, batch_size=32, random_state=0,
                 device="cpu").fit(X)
    return X, y, victim


def test_black_box_oracle_cuts_the_autograd_graph(setup):
    X, _, victim = setup
    oracle = MembershipOracle(victim)
    x = torch.tensor(X[:8], dtype=torch.float32).view(8, 1, 8, 8).requires_grad_(True)
    out = oracle(x)
    assert out.shape == (8, 4)
    assert not out.requires_grad and out.grad_fn is None
    with pytest.raises(RuntimeError):
        torch.autograd.grad(out.sum(), x)
    assert oracle.n_queries == 8  # a batch of b images is b queries


def test_nes_attack_counts_every_image_query_and_stays_in_budget(setup):
    X, y, victim = setup
    q, epochs = 2, 1
    attack = GANEvasionAttack(victim, eps=EPS, gradient="nes", n_directions=q, epochs=epochs, batch_size=60,
                              random_state=0, device="cpu")
    result = attack.attack(X, y)
    n = X.shape[0]
    # clean memberships + per step (2q probes + 1 monitoring query) per image + final evaluation
    assert result.n_queries == n + epochs * n * (2 * q + 1) + n
    assert result.info["mode"] == "black-box (nes)" and not result.info["white_box"]
    assert np.abs(result.X_adv - X).max() <= EPS + 1e-6
    assert result.X_adv.min() >= 0 and result.X_adv.max() <= 1
    assert set(result.metrics_before) >= {"nmi", "ari", "acc"}


def test_white_box_attack_breaks_the_clustering(setup):
    X, y, victim = setup
    result = GANEvasionAttack(victim, eps=EPS, white_box=True, epochs=4, batch_size=32, lr=3e-3,
                              random_state=0, device="cpu").attack(X, y)
    assert result.info["mode"] == "white-box"
    assert result.metrics_after["nmi"] < result.metrics_before["nmi"]
    assert result.metrics_after["label_change"] > 0.2


def test_surrogate_black_box_attack_lowers_nmi_with_few_queries(setup):
    X, y, victim = setup
    result = GANEvasionAttack(victim, eps=EPS, gradient="surrogate", epochs=4, batch_size=32, lr=3e-3,
                              random_state=0, device="cpu").attack(X, y)
    assert result.metrics_after["nmi"] < result.metrics_before["nmi"]
    n = X.shape[0]
    assert result.n_queries == n + n + 4 * n + n  # clean, warm-up noise copy, one per image per epoch, final


def test_targeted_attack_pulls_images_into_the_target_cluster(setup):
    X, y, victim = setup
    before = np.mean(victim.predict(X) == 2)
    result = GANEvasionAttack(victim, eps=EPS, white_box=True, targeted=True, target_cluster=2, loss="log",
                              epochs=3, batch_size=32, lr=3e-3, random_state=0, device="cpu").attack(X, y)
    after = np.mean(result.info["labels_after"] == 2)
    assert after > before + 0.2


@pytest.mark.parametrize("kwargs, X_kind, match", [
    ({"eps": 0.0}, "ok", "eps"),
    ({"eps": -1.0}, "ok", "eps"),
    ({"eps": 0.1}, "range", "must lie in"),
    ({"eps": 0.1}, "shape", "square"),
    ({"eps": 0.1, "gradient": "magic"}, "ok", "gradient"),
    ({"eps": 0.1, "targeted": True}, "ok", "target_cluster"),
])
def test_bad_input_raises_value_error(setup, kwargs, X_kind, match):
    X, _, victim = setup
    bad = {"ok": X[:20], "range": X[:20] * 16, "shape": X[:20, :63]}[X_kind]
    with pytest.raises(ValueError, match=match):
        GANEvasionAttack(victim, epochs=1, device="cpu", **kwargs).attack(bad)
