"""RUC (Park et al. 2021): clean-set selection + co-trained label-smoothed networks on noisy cluster labels."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from robustfair.defenses import RUC

FAST = {"epochs": 30, "rounds": 3, "relabel_threshold": 0.7, "device": "cpu"}
NOISE = 0.5  # share of labels replaced by a uniformly random cluster


@pytest.fixture(autouse=True)
def _one_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def noisy_digits():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    noisy = np.where(rng.random(y.shape[0]) < NOISE, rng.integers(0, 10, y.shape[0]), y)
    ruc = RUC(**FAST, random_state=0).fit(X / 16.0, base_labels=noisy)
    return X / 16.0, y, noisy, ruc


def test_ruc_repairs_noisy_labels_and_beats_a_same_size_random_clean_set(noisy_digits):
    X, y, noisy, ruc = noisy_digits
    base_acc = float(np.mean(noisy == y))  # ~0.55
    ruc_acc = float(np.mean(ruc.labels_ == y))
    assert ruc_acc >= base_acc + 0.25, (base_acc, ruc_acc)
    # the kNN-agreement clean set is far cleaner than the labels it is cut from
    m = ruc.clean_mask_
    assert np.mean(noisy[m] == y[m]) >= base_acc + 0.3
    # control: the same training on a uniformly random subset of the same size (best of 2 draws)
    controls = []
    for seed in (1, 2):
        mask = np.zeros(y.shape[0], dtype=bool)
        mask[np.random.default_rng(seed).choice(y.shape[0], int(m.sum()), replace=False)] = True
        ctrl = RUC(**FAST, random_state=0).fit(X, base_labels=noisy, clean_mask=mask)
        controls.append(float(np.mean(ctrl.labels_ == y)))
    assert ruc_acc >= max(controls) + 0.03, (ruc_acc, controls)


def test_ruc_on_a_fitted_clusterer_predicts_its_label_values_and_is_deterministic(noisy_digits):
    from sklearn.cluster import KMeans

    X = noisy_digits[0][:300]
    km = KMeans(4, n_init=2, random_state=0).fit(X)
    a = RUC(km, epochs=3, rounds=1, device="cpu", random_state=3).fit(X)
    b = RUC(km, epochs=3, rounds=1, device="cpu", random_state=3).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.base_labels_, km.labels_)
    assert set(np.unique(a.labels_)) <= set(np.unique(km.labels_))
    np.testing.assert_array_equal(a.predict(X), a.labels_)
    proba = a.predict_proba(X)
    assert proba.shape == (300, 4) and np.allclose(proba.sum(1), 1)
    c = RUC(km, epochs=3, rounds=1, device="cpu", random_state=4).fit(X)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


def test_confidence_selection_keeps_the_most_confident_share_of_each_cluster():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    conf = np.array([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.6, 0.4])
    X = np.arange(16.0).reshape(8, 2)
    mask = RUC(selection="confidence", clean_fraction=0.5).select_clean(X, labels, conf)
    np.testing.assert_array_equal(mask, [True, False, True, False, False, True, True, False])


def test_metric_selection_drops_a_label_its_neighbours_disagree_with():
    X = np.array([[0.0], [0.1], [0.2], [0.3], [5.0], [5.1], [5.2], [5.3]])
    labels = np.array([0, 0, 1, 0, 1, 1, 1, 1])  # sample 2 sits among the 0s
    mask = RUC(n_neighbors=3).select_clean(X, labels)
    np.testing.assert_array_equal(mask, [True, True, False, True, True, True, True, True])


@pytest.mark.parametrize(
    "kwargs, fit_kwargs, match",
    [
        ({}, {}, "estimator="),
        ({"selection": "confidence"}, {"base_labels": [0, 1] * 5}, "predict_proba"),
        ({}, {"base_labels": [0, 1, 0]}, "base_labels has 3 entries"),
        ({}, {"base_labels": [0, 1] * 5, "clean_mask": np.zeros(10, bool)}, "clean_mask selects no sample"),
        ({"rounds": 0}, {"base_labels": [0, 1] * 5}, "'rounds' parameter of RUC"),
        ({"hidden": ()}, {"base_labels": [0, 1] * 5}, "hidden must"),
        ({"device": "tpu:x"}, {"base_labels": [0, 1] * 5}, "device must"),
    ],
)
def test_bad_input_names_the_argument(kwargs, fit_kwargs, match):
    pytest.importorskip("torch")
    X = np.random.default_rng(0).random((10, 3))
    with pytest.raises(ValueError, match=match):
        RUC(**kwargs, epochs=1).fit(X, **fit_kwargs)


def test_predict_before_fit_raises():
    with pytest.raises(ValueError, match="not fitted"):
        RUC().predict(np.zeros((2, 2)))
