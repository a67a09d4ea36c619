"""Deep Fair Discriminative Clustering (Algorithm 1) on small inverted-digits data."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from robustfair.cluster import DeepFairDiscriminativeClustering, make_clusterer  # noqa: E402
from robustfair.metrics import count_ratio_balance, optimal_count_ratio_balance  # noqa: E402

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
    y = np.r_[np.arange(200) % 5, np.arange(200) % 5]  # stand-in labels: only monitored
    plain = DeepFairDiscriminativeClustering(5, **dict(params, epochs=0)).fit(X, sensitive_features=s)
    fair = DeepFairDiscriminativeClustering(5, **dict(params, epochs=3)).fit(X, y, sensitive_features=s)
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
    assert [h["epoch"] for h in model.history_] == list(range(1, 4 + model.n_iter_))
    assert all(np.isfinite(h["loss"]) and 0 <= h["acc"] <= 1 and 0 <= h["nmi"] <= 1 for h in model.history_)
    assert model.device_ == "cpu" and 1 <= model.n_iter_ <= 3


def test_fair_refinement_reduces_group_disparity_of_predictions(inverted_digits, pretrained_and_fair):
    _, s = inverted_digits
    plain, fair = pretrained_and_fair
    # pre-training alone separates inverted from plain digits (the unfairness of sec. 1)
    assert _disparity(fair.labels_, s) < _disparity(plain.labels_, s)


def test_fair_assignment_reaches_the_optimal_balance(inverted_digits, pretrained_and_fair):
    _, s = inverted_digits
    plain, fair = pretrained_and_fair
    optimal = optimal_count_ratio_balance(s)
    # DFDC Theorem 3.2: the exact fair assignment holds every cluster at the dataset's
    # proportions, so its count-ratio balance (eq. 2) is optimal up to rounding
    for labels in (fair.fair_labels_, fair.initial_fair_labels_, plain.initial_fair_labels_):
        assert count_ratio_balance(labels, sensitive_features=s) >= 0.95 * optimal
    assert count_ratio_balance(plain.pretrain_labels_, sensitive_features=s) < 0.5 * optimal


def test_snapshots_of_the_unfair_model_match_a_pretrain_only_fit(pretrained_and_fair):
    plain, fair = pretrained_and_fair
    # same seed, same pre-training: the snapshot is the model without fairness
    np.testing.assert_array_equal(fair.pretrain_labels_, plain.labels_)
    np.testing.assert_array_equal(plain.pretrain_labels_, plain.labels_)


def test_looser_flexible_constraints_trade_balance_for_closeness(inverted_digits, pretrained_and_fair):
    X, s = inverted_digits
    plain, _ = pretrained_and_fair
    params = dict(SMALL, pretrain_epochs=3, epochs=0, random_state=1)
    # Table 4: a wider band [rho_t - eps, rho_t + eps] allows less balance and keeps more
    # points in their predicted cluster
    balances, kept = [], []
    for eps in (0.0, 0.1, 0.3):
        model = DeepFairDiscriminativeClustering(5, fairness_eps=eps, **params).fit(X, sensitive_features=s)
        np.testing.assert_array_equal(model.pretrain_labels_, plain.pretrain_labels_)
        balances.append(count_ratio_balance(model.initial_fair_labels_, sensitive_features=s))
        kept.append(np.mean(model.initial_fair_labels_ == model.pretrain_labels_))
    assert balances[0] >= balances[1] >= balances[2] and balances[0] > balances[2]
    assert kept[0] <= kept[1] <= kept[2] and kept[0] < kept[2]


def test_soft_cluster_sizes_follow_the_summed_probabilities(inverted_digits):
    X, s = inverted_digits
    model = DeepFairDiscriminativeClustering(4, cluster_sizes="soft", lr_schedule="cosine", random_state=3,
                                             **dict(SMALL, epochs=2)).fit(X, sensitive_features=s)
    sizes = np.bincount(model.fair_labels_, minlength=4)
    soft = model.predict_proba(X).sum(axis=0)
    assert sizes.sum() == X.shape[0]
    assert np.all(np.abs(sizes - soft) < 1.0 + 1e-6)  # rounded, largest remainders


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
        ({"cluster_sizes": "median"}, {}, "cluster_sizes"),
        ({"lr_schedule": "step"}, {}, "lr_schedule"),
        ({"rho": [0.3, 0.3]}, {}, "rho must sum to 1"),
        ({"rho": [0.9, 0.1], "fairness_eps": 0.05}, {}, "eps"),
        ({"fairness_eps": 1.5}, {}, "eps"),
        ({}, {"sensitive": np.r_[np.zeros(38), 1, 1]}, "fewer than the 3"),
        ({}, {"y": np.zeros(7)}, "y"),
    ],
)
def test_bad_parameters_raise_naming_them(params, fit_kwargs, argument):
    X = np.random.default_rng(0).random((40, fit_kwargs.get("features", 64)))
    s = fit_kwargs.get("sensitive", np.repeat([0, 1], 20))
    model = DeepFairDiscriminativeClustering(3, **dict(SMALL, **params))
    with pytest.raises(ValueError, match=argument):
        model.fit(X, fit_kwargs.get("y"), sensitive_features=s)


def test_importing_the_cluster_package_does_not_import_torch():
    code = (
        "import sys, robustfair.cluster as c, robustfair.cluster._dfdc; c.dfdc_assignment; "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_experiment_records_every_method_and_metric():
    from robustfair.experiments import get_experiment

    experiment = get_experiment("dfdc")
    config = experiment.make_config({"dataset": "inverted-digits", "n_samples": 300, "hidden": (32,),
                                     "batch_size": 100, "pretrain_epochs": 1, "epochs": 1, "device": "cpu"})
    records = experiment.func(config, 0)
    final = {(r.method, r.metric) for r in records if "epoch" not in r.keys}
    for method in ("kmeans", "dfdc-nofair", "fair-assignment-init", "dfdc", "dfdc-fair-assignment", "ground-truth"):
        for metric in ("acc", "nmi", "balance", "fairness", "optimal_balance"):
            assert (method, metric) in final
    assert all(r.keys["beta"] == 4.0 and r.keys["eps"] == 0.0 for r in records)
    epochs = sorted({r.keys["epoch"] for r in records if "epoch" in r.keys})
    assert epochs == [1, 2]
    optimal = {r.value for r in records if r.metric == "optimal_balance"}
    assert len(optimal) == 1 and 0 < optimal.pop() <= 1
    fair_init = next(r.value for r in records if (r.method, r.metric) == ("fair-assignment-init", "balance"))
    unfair = next(r.value for r in records if (r.method, r.metric) == ("dfdc-nofair", "balance"))
    assert fair_init >= unfair  # (tiny clusters after one epoch: rounding keeps it below optimal)
    from robustfair.report.figures import draw_figures

    figures = draw_figures("dfdc", [r.flat(0) for r in records])
    assert [title.split(" ")[1] for title, _ in figures] == ["convergence", "embedding"]


def test_experiment_predicts_a_held_out_split_without_the_protected_attribute():
    from robustfair.experiments import get_experiment

    experiment = get_experiment("dfdc")
    config = experiment.make_config({"dataset": "inverted-digits", "n_samples": 300, "hidden": (32,),
                                     "batch_size": 100, "pretrain_epochs": 1, "epochs": 1, "device": "cpu",
                                     "methods": ["dfdc"], "history": False, "test_fraction": 0.25})
    records = experiment.func(config, 0)
    test = {r.metric: r.value for r in records if r.keys.get("split") == "test"}
    assert set(test) == {"acc", "nmi", "balance", "optimal_balance"}
    assert all(0 <= v <= 1 for v in test.values())
    assert {r.keys.get("split") for r in records} == {"train", "test"}
    with pytest.raises(ValueError, match="test_fraction"):
        experiment.func(experiment.make_config({"dataset": "inverted-digits", "n_samples": 30, "methods": ["dfdc"],
                                                "test_fraction": 0.02, "device": "cpu"}), 0)
    published = [p for p in experiment.published if p["source"].startswith("Table 3")]
    assert {(p["dataset"], p["split"]) for p in published} >= {("mnist-usps", "train"), ("mnist-usps", "test")}


def test_experiment_publishes_the_papers_tables():
    from robustfair.experiments import get_experiment

    published = get_experiment("dfdc").published
    table4 = {p["eps"]: p["value"] for p in published if p["source"] == "Table 4" and p["metric"] == "balance"}
    assert table4 == {0.01: 0.103, 0.02: 0.095, 0.03: 0.081, 0.04: 0.069}
    assert any(p["dataset"] == "reverse-mnist" and p["method"] == "dfdc" and p["value"] == 0.589 for p in published)
    assert any(p["dataset"] == "bank" and p["metric"] == "optimal_balance" for p in published)


def test_multi_state_protected_attribute_gets_optimal_fair_assignment(inverted_digits):
    X, _ = inverted_digits
    s = np.arange(X.shape[0]) % 3  # three protected groups (multi-state PSV, eq. 2)
    model = DeepFairDiscriminativeClustering(4, random_state=0, **SMALL).fit(X, sensitive_features=s)
    counts = np.stack([np.bincount(model.fair_labels_[s == g], minlength=4) for g in range(3)])
    assert np.all(counts.max(axis=0) - counts.min(axis=0) <= 1)
    assert count_ratio_balance(model.fair_labels_, sensitive_features=s) >= 0.95 * optimal_count_ratio_balance(s)


def test_reverse_mnist_pairs_every_image_with_its_inversion(tmp_path):
    from robustfair.datasets import _dfdc_data, load_dataset  # noqa: F401  (registers reverse-mnist)

    rng = np.random.default_rng(0)
    (tmp_path / "mnist-usps").mkdir()
    np.savez(tmp_path / "mnist-usps" / "mnist_usps_dfc.npz",  # the shared file's layout, tiny
             mnist_X=rng.integers(0, 256, (50, 28, 28), dtype=np.uint8), mnist_y=rng.integers(0, 10, 50),
             usps_X=rng.integers(0, 256, (5, 16, 16), dtype=np.uint8), usps_y=rng.integers(0, 10, 5))
    data = load_dataset("reverse-mnist", data_dir=tmp_path, n_samples=30)
    assert data.X.shape == (60, 784) and data.group_names == ("original", "inverted")
    np.testing.assert_allclose(data.X[30:], 1.0 - data.X[:30], atol=1e-6)
    np.testing.assert_array_equal(data.y[30:], data.y[:30])
    assert optimal_count_ratio_balance(data.sensitive) == 1.0


def test_creditcard_uses_married_vs_single_and_is_z_scored(tmp_path, monkeypatch):
    from robustfair.experiments.dfdc import DFDCConfig, _load

    rng = np.random.default_rng(0)
    cols = (["ID", "LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE", "PAY_0"] + [f"PAY_{i}" for i in range(2, 7)]
            + [f"BILL_AMT{i}" for i in range(1, 7)] + [f"PAY_AMT{i}" for i in range(1, 7)]
            + ["default payment next month"])
    n = 200
    marriage = np.array([1] * 90 + [2] * 100 + [3] * 10)  # married, single, other
    rows = rng.integers(1, 5, size=(n, len(cols)))
    rows[:, 0] = np.arange(1, n + 1)
    rows[:, 4] = marriage
    rows[:, -1] = rng.integers(0, 2, n)
    (tmp_path / "creditcard").mkdir()
    with open(tmp_path / "creditcard" / "creditcard.csv", "w") as fh:
        fh.write(",".join(cols) + "\n")
        fh.writelines(",".join(map(str, r)) + "\n" for r in rows)
    monkeypatch.setenv("ROBUSTFAIR_DATA", str(tmp_path))
    data = _load(DFDCConfig(dataset="creditcard"), 0)
    assert data.n_samples == 190  # "other" marital status left out, as the paper's binary PSV
    assert optimal_count_ratio_balance(data.sensitive) == pytest.approx(0.9)  # 90 married / 100 single
    # z-scored for the network (over all rows, before the 10 "other" rows are dropped)
    assert abs(data.X.mean(axis=0)).max() < 0.2 and np.allclose(data.X.std(axis=0), 1.0, atol=0.15)


def test_refinement_keeps_the_epoch_closest_to_the_fairness_rules(inverted_digits, monkeypatch):
    import torch

    from robustfair.cluster import _dfdc

    X, s = inverted_digits
    # The predictions read after each refinement pass are scripted, the same on every machine
    # and thread count: group 0 in cluster 0 and group 1 in cluster 1, with a share m of each
    # group swapped. The fairness rules want 100 of each group per cluster, so pass p misses
    # them by 4 * |100 - 200 m_p| samples: pass 3 (m = 0.45) comes closest, and none meets them.
    swaps = [0.1, 0.3, 0.45, 0.3, 0.2, 0.1, 0.05, 0.0]
    real_epoch, real_proba = DeepFairDiscriminativeClustering._epoch, _dfdc._predict_proba
    state = {"pass": 0, "pending": False}

    def scripted(p):
        labels = s.copy()
        for g in (0, 1):
            members = np.flatnonzero(s == g)
            labels[members[: int(round(swaps[p - 1] * members.size))]] = 1 - g
        out = np.full((s.size, 3), 0.05)
        out[np.arange(s.size), labels] = 0.9
        return out

    def epoch(self, net, optimizer, data, targets, *args, **kwargs):
        if targets is not None:  # a refinement pass (pre-training passes have no targets)
            state["pass"] += 1
            state["pending"] = True
        return real_epoch(self, net, optimizer, data, targets, *args, **kwargs)

    def proba(*args, **kwargs):
        out = real_proba(*args, **kwargs)
        if state["pending"] and out.shape[0] == s.size:
            state["pending"] = False
            return scripted(state["pass"])
        return out

    monkeypatch.setattr(DeepFairDiscriminativeClustering, "_epoch", epoch)
    monkeypatch.setattr(_dfdc, "_predict_proba", proba)
    params = dict(hidden=(32,), pretrain_epochs=2, batch_size=128, lr=1e-2, random_state=3, device="cpu")
    model = DeepFairDiscriminativeClustering(3, epochs=8, **params).fit(X, sensitive_features=s)
    assert model.n_iter_ == 8 and model.best_epoch_ == 3
    np.testing.assert_array_equal(model.labels_, scripted(3).argmax(axis=1))
    kept = model.history_[2 + model.best_epoch_ - 1]  # pre-training entries come first
    assert kept["phase"] == "fair"
    # the kept network is the one a run stopped after pass 3 ends with (same seed, same targets)
    state["pass"] = 0
    short = DeepFairDiscriminativeClustering(3, epochs=3, **params).fit(X, sensitive_features=s)
    for a, b in zip(model.network_.state_dict().values(), short.network_.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_snapshots_record_the_embedding_and_leave_training_unchanged(inverted_digits):
    X, s = inverted_digits
    params = dict(hidden=(32, 16), pretrain_epochs=2, epochs=4, batch_size=128, random_state=0, device="cpu")
    plain = DeepFairDiscriminativeClustering(4, **params).fit(X, sensitive_features=s)
    snap = DeepFairDiscriminativeClustering(4, snapshots=4, **params).fit(X, sensitive_features=s)
    np.testing.assert_array_equal(plain.labels_, snap.labels_)
    assert [x["phase"] for x in snap.snapshots_][0] == "pretrain" and snap.snapshots_[-1]["phase"] == "final"
    assert all(x["embedding"].shape == (snap.snapshot_index_.shape[0], 16) for x in snap.snapshots_)
    np.testing.assert_array_equal(snap.snapshots_[-1]["labels"], snap.labels_[snap.snapshot_index_])
    assert plain.snapshots_ == []
