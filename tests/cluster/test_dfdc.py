"""Deep Fair Discriminative Clustering (Algorithm 1) on small inverted-digits data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from robustfair.cluster import DeepFairDiscriminativeClustering, make_clusterer  # noqa: E402

@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # tiny networks: a second intra-op thread only adds synchronization (20x slower on a
    # loaded 2-core machine)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


SMALL = dict(hidden=(64,), batch_size=50, pretrain_epochs=1, epochs=1, device="cpu")


@pytest.fixture(scope="module")
def inverted_digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(0)
    idx = rng.choice(len(digits.data), size=200, replace=False)
    X = digits.data[idx] / 16.0
    # the protected attribute is "inverted or not", as Reverse-MNIST in sec. 5.1
    return np.vstack([X, 1.0 - X]), np.repeat([0, 1], 200)


@pytest.fixture(scope="module")
def pretrained_and_fair(inverted_digits):
    X, s = inverted_digits
    params = dict(SMALL, pretrain_epochs=3, random_state=1)
    plain = DeepFairDiscriminativeClustering(5, **dict(params, epochs=0)).fit(X, sensitive_features=s)
    fair = DeepFairDiscriminativeClustering(5, **dict(params, epochs=3)).fit(X, sensitive_features=s)
    return plain, fair


def _disparity(labels, s, k=5):
    counts = np.stack([np.bincount(labels[s == g], minlength=k) for g in (0, 1)])
    return np.abs(counts[0] - counts[1]).sum() / labels.size


def test_fair_labels_split_every_cluster_evenly(inverted_digits, pretrained_and_fair):
    _, s = inverted_digits
    _, model = pretrained_and_fair
    assert model.labels_.shape == (400,) and model.fair_labels_.shape == (400,)
    assert model.labels_.min() >= 0 and model.labels_.max() < 5
    counts = np.stack([np.bincount(model.fair_labels_[s == g], minlength=5) for g in (0, 1)])
    assert np.all(np.abs(counts[0] - counts[1]) <= 1)  # eq. 7 with equal groups
    assert [h["phase"] for h in model.history_] == ["pretrain"] * 3 + ["fair"] * model.n_iter_
    assert all(np.isfinite(h["loss"]) for h in model.history_)
    assert model.device_ == "cpu" and 1 <= model.n_iter_ <= 3


def test_fair_refinement_reduces_group_disparity_of_predictions(inverted_digits, pretrained_and_fair):
    _, s = inverted_digits
    plain, fair = pretrained_and_fair
    # pre-training alone separates inverted from plain digits (the unfairness of sec. 1)
    assert _disparity(fair.labels_, s) < _disparity(plain.labels_, s)


def test_predicts_without_the_sensitive_attribute(inverted_digits, pretrained_and_fair):
    X, _ = inverted_digits
    _, model = pretrained_and_fair
    proba = model.predict_proba(X[:30])
    assert proba.shape == (30, 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(model.predict(X[:30]), proba.argmax(axis=1))
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_conv_backbone_on_images(inverted_digits):
    X, s = inverted_digits
    sub = np.r_[0:50, 200:250]
    model = DeepFairDiscriminativeClustering(3, image_shape=(8, 8), random_state=0, **SMALL)
    labels = model.fit_predict(X[sub], sensitive_features=s[sub])
    assert labels.shape == (100,)
    assert model.predict(X[:7]).shape == (7,)


def test_same_random_state_gives_the_same_clustering(inverted_digits):
    X, s = inverted_digits
    sub = np.r_[0:60, 200:260]
    first = DeepFairDiscriminativeClustering(3, random_state=7, **SMALL).fit_predict(X[sub], sensitive_features=s[sub])
    second = DeepFairDiscriminativeClustering(3, random_state=7, **SMALL).fit_predict(X[sub], sensitive_features=s[sub])
    np.testing.assert_array_equal(first, second)


def test_registered_as_dfdc():
    model = make_clusterer("dfdc", 3, random_state=0, **SMALL)
    assert isinstance(model, DeepFairDiscriminativeClustering)
    assert model.get_params()["n_clusters"] == 3


@pytest.mark.parametrize(
    ("params", "fit_kwargs", "argument"),
    [
        ({"backbone": "rnn"}, {}, "backbone"),
        ({"backbone": "conv"}, {"features": 10}, "image_shape"),
        ({"image_shape": (4, 4)}, {}, "image_shape"),
        ({"device": "not-a-device"}, {}, "device"),
        ({"beta": -1.0}, {}, "beta"),
        ({"epochs": 1.5}, {}, "epochs"),
        ({}, {"sensitive": None}, "sensitive_features"),
    ],
)
def test_bad_parameters_raise_naming_them(params, fit_kwargs, argument):
    X = np.random.default_rng(0).random((40, fit_kwargs.get("features", 64)))
    s = fit_kwargs.get("sensitive", np.repeat([0, 1], 20))
    model = DeepFairDiscriminativeClustering(3, **dict(SMALL, **params))
    with pytest.raises(ValueError, match=argument):
        model.fit(X, sensitive_features=s)


def test_importing_the_cluster_package_does_not_import_torch():
    code = (
        "import sys, robustfair.cluster as c, robustfair.cluster._dfdc; c.fair_assignment; "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
