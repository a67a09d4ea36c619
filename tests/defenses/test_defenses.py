"""Mahalanobis detector and adversarial retraining on tiny 8x8 digit sets."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from sklearn.datasets import load_digits  # noqa: E402

from robustfair.attacks import GANEvasionAttack  # noqa: E402
from robustfair.deep import DEC  # noqa: E402
from robustfair.defenses import AdversarialTraining, MahalanobisDetector  # noqa: E402


@pytest.fixture(scope="module")
def setup():
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(1)
    idx = rng.choice(np.flatnonzero(np.isin(y, [0, 1, 4, 7])), 240, replace=False)
    X, y = X[idx] / 16.0, y[idx]
    victim = DEC(4, pretrain_epochs=20, epochs=3, hidden=(64, 32), embedding_dim=8, batch_size=32,
                 random_state=0, device="cpu").fit(X)
    return X, y, victim


def test_detector_keeps_benign_false_positives_near_the_tnr_and_flags_gross_outliers(setup):
    X, _, victim = setup
    detector = MahalanobisDetector(n_clusters=4, tnr=0.95, random_state=0).fit(victim, X)
    noise = np.random.default_rng(0).random(X.shape)  # uniform noise images: far from every cluster
    report = detector.evaluate(X, noise, random_state=0)
    assert report["false_positive_rate"] <= 0.2
    assert report["detection_rate"] >= 0.8
    assert 0.0 <= detector.detection_rate(X, X, random_state=0) <= 0.2  # benign "adversarial" twins


def test_detector_rejects_mismatched_shapes_and_unfitted_use(setup):
    X, _, victim = setup
    detector = MahalanobisDetector(n_clusters=4, random_state=0)
    with pytest.raises(ValueError, match="not fitted"):
        detector.score_samples(X)
    detector.fit(victim, X)
    with pytest.raises(ValueError, match="same shape"):
        detector.evaluate(X, X[:10])


def test_adversarial_training_reduces_the_attack_success(setup):
    X, _, victim = setup
    import copy

    eps = 0.3
    baseline = copy.deepcopy(victim)
    attack_kwargs = dict(eps=eps, white_box=True, epochs=3, batch_size=32, lr=3e-3, random_state=0, device="cpu")
    before = GANEvasionAttack(baseline, **attack_kwargs).attack(X).metrics_after["label_change"]
    robust = AdversarialTraining(eps=eps, rounds=2, epochs=3, weight=5.0, attack_epochs=3, random_state=0).fit(
        copy.deepcopy(victim), X)
    after = GANEvasionAttack(robust, **attack_kwargs).attack(X).metrics_after["label_change"]
    assert after < before
