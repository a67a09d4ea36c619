"""ContrastiveClustering and DEC on tiny image sets (8x8 digits), CPU, one thread."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from sklearn.datasets import load_digits  # noqa: E402

from robustfair.deep import DEC, ContrastiveClustering, resolve_device  # noqa: E402
from robustfair.metrics import normalized_mutual_info  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    keep = np.isin(y, [0, 1, 4, 7])
    rng = np.random.default_rng(0)
    idx = rng.choice(np.flatnonzero(keep), 300, replace=False)
    return X[idx] / 16.0, y[idx]


@pytest.fixture(scope="module")
def dec_model(digits):
    X, _ = digits
    return DEC(4, pretrain_epochs=40, epochs=5, hidden=(64, 32), embedding_dim=8, batch_size=32, random_state=0,
               device="cpu").fit(X)


def test_resolve_device_auto_is_cpu_without_cuda():
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="device"):
        resolve_device("not-a-device")


def test_dec_clusters_digits_better_than_chance(dec_model, digits):
    X, y = digits
    assert dec_model.labels_.shape == (X.shape[0],)
    assert normalized_mutual_info(y, dec_model.labels_) > 0.4


def test_predict_proba_rows_are_memberships(dec_model, digits):
    X, _ = digits
    M = dec_model.predict_proba(X[:20])
    assert M.shape == (20, 4)
    np.testing.assert_allclose(M.sum(1), 1.0, atol=1e-5)
    assert (dec_model.predict(X[:20]) == M.argmax(1)).all()
    # (n, 1, H, W) input gives the same answer as flattened input
    np.testing.assert_allclose(dec_model.predict_proba(X[:20].reshape(20, 1, 8, 8)), M, atol=1e-6)


def test_cc_trains_and_roundtrips_weights_only(digits, tmp_path):
    X, y = digits
    model = ContrastiveClustering(4, epochs=4, batch_size=64, width=8, random_state=0, device="cpu").fit(X)
    assert model.loss_history_.shape == (4,)
    assert model.loss_history_[-1] < model.loss_history_[0]
    path = tmp_path / "cc.pt"
    model.save(path)
    state = torch.load(path, weights_only=True)  # plain tensors only
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    again = ContrastiveClustering.load(path, device="cpu")
    np.testing.assert_allclose(again.predict_proba(X[:10]), model.predict_proba(X[:10]), atol=1e-5)


def test_dec_save_load_roundtrip(dec_model, digits, tmp_path):
    X, _ = digits
    dec_model.save(tmp_path / "dec.pt")
    again = DEC.load(tmp_path / "dec.pt", device="cpu")
    np.testing.assert_allclose(again.predict_proba(X[:10]), dec_model.predict_proba(X[:10]), atol=1e-5)


@pytest.mark.parametrize("bad, match", [
    (np.full((10, 64), 16.0), "must lie in"),
    (np.zeros((10, 63)), "square"),
    (np.zeros((10, 2, 8, 8)), "grayscale"),
])
def test_bad_images_raise_clear_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        DEC(2, pretrain_epochs=1, epochs=1, device="cpu").fit(bad)


def test_unfitted_model_raises():
    with pytest.raises(ValueError, match="not fitted"):
        DEC(2).predict(np.zeros((2, 64)))


def test_importing_deep_and_attacks_does_not_import_torch():
    import subprocess
    import sys

    code = ("import sys, robustfair.deep, robustfair.defenses, robustfair.attacks; "
            "import robustfair.attacks._gan_evasion, robustfair.attacks._label_only; "
            "assert 'torch' not in sys.modules, 'torch imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True)
