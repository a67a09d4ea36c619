"""``influence-mlp-trim`` and the ``distribution-shift`` baselines on generated data.

* MLP trimming: with 30% of the training labels flipped, utility trimming of 10% of the
  training set (surrogate influence on validation loss) must beat removing as many random
  points by at least 0.05 test accuracy, under both protocols, on every seed.
* Baselines: on a generated shifted case (the group-label correlation is stronger in the
  test and validation parts than in training), reweighing and exponentiated gradient must
  lower |DP| of test predictions below the vanilla model's by a stated margin.
"""

import numpy as np
import pytest

pytest.importorskip("torch")

from robustfair.datasets import Dataset, register_dataset  # noqa: E402
from robustfair.experiments import get_experiment, run_experiment  # noqa: E402
from robustfair.experiments.influence_applications import reweighing_weights  # noqa: E402


@register_dataset("noisy-labels-mlp-test", description="Generated: 30% flipped training labels, clean val/test.")
def _noisy_labels(root=None):
    rng = np.random.default_rng(0)
    sizes = {"train": 600, "validation": 200, "test": 400}
    n = sum(sizes.values())
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, 5)) + 2.0 * y[:, None] * np.array([1.0, 1.0, 0.0, 0.0, 0.0])
    split = np.concatenate([np.full(k, part) for part, k in sizes.items()])
    flip = (split == "train") & (rng.uniform(size=n) < 0.3)
    data = Dataset(
        X=X, y=np.where(flip, 1 - y, y), sensitive=(rng.uniform(size=n) < 0.5).astype(np.int64),
        name="noisy-labels-mlp-test",
    )
    data.extras["split"] = split
    return data


@register_dataset("shifted-groups-test", description="Generated: group-label correlation stronger after the shift.")
def _shifted_groups(root=None):
    rng = np.random.default_rng(1)
    sizes = {"train": 1500, "validation": 500, "test": 1000}
    n = sum(sizes.values())
    split = np.concatenate([np.full(k, part) for part, k in sizes.items()])
    s = (rng.uniform(size=n) < 0.5).astype(np.int64)
    # P(y = 1 | s): 0.6 / 0.4 in training, 0.75 / 0.25 after the shift; a proxy feature
    # carries the group, so the unconstrained model uses it.
    gap = np.where(split == "train", 0.1, 0.25)
    y = (rng.uniform(size=n) < 0.5 + np.where(s == 1, gap, -gap)).astype(np.int64)
    X = np.column_stack([y + rng.normal(size=n), s + 0.3 * rng.normal(size=n), rng.normal(size=(n, 2))])
    data = Dataset(X=X, y=y, sensitive=s, name="shifted-groups-test")
    data.extras["split"] = split
    return data


def _by(records, **keys):
    return [r for r in records if all(r.get(k) == v for k, v in keys.items())]


@pytest.mark.parametrize("protocol", ["paper", "ours"])
def test_mlp_utility_trimming_beats_random_removal_of_the_same_size(protocol):
    exp = get_experiment("influence-mlp-trim")
    config = exp.make_config(
        {"datasets": ["noisy-labels-mlp-test"], "objectives": ["utility"], "budgets": [0.0, 0.1],
         "protocol": protocol, "hidden": [16, 16], "epochs": 200, "n_samples": None}
    )
    for seed in (0, 1):
        acc = {(r.method, r.keys["budget"]): r.value for r in exp.func(config, seed) if r.metric == "accuracy"}
        assert acc[("influence", 0.1)] >= acc[("random", 0.1)] + 0.05, (protocol, seed, acc)
        assert acc[("influence", 0.1)] >= acc[("influence", 0.0)] + 0.05, (protocol, seed, acc)


def test_mlp_trim_records_a_same_size_random_control_and_runs_through_the_runner():
    result = run_experiment(
        "influence-mlp-trim",
        {"datasets": ["toy-influence"], "objectives": ["utility", "dp"], "budgets": [0.0, 0.05],
         "hidden": [8, 8], "epochs": 30, "n_samples": None, "protocol": "ours"},
        seeds=1,
    )
    n_trimmed = {(r["method"], r["objective"]): r["value"] for r in _by(result.records, metric="n_trimmed", budget=0.05)}
    for objective in ("utility", "dp"):
        assert n_trimmed[("random", objective)] == int(round(0.05 * 150))
        assert 0 < n_trimmed[("influence", objective)] <= n_trimmed[("random", objective)]
    assert {r["metric"] for r in result.records} >= {"accuracy", "dp", "eop", "trimmed_influence"}


def test_mlp_trim_refuses_the_robust_objective():
    exp = get_experiment("influence-mlp-trim")
    with pytest.raises(ValueError, match="objectives"):
        exp.func(exp.make_config({"datasets": ["toy-influence"], "objectives": ["robust"]}), 0)


def test_reweighing_weights_make_group_and_label_independent():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 2, 500)
    y = (rng.uniform(size=500) < np.where(s == 1, 0.8, 0.3)).astype(int)
    w = reweighing_weights(y, s)
    assert w.mean() == pytest.approx(1.0)
    rate = [np.average(y[s == g], weights=w[s == g]) for g in (0, 1)]
    assert rate[0] == pytest.approx(rate[1])  # weighted positive rates equal per group
    assert abs(y[s == 1].mean() - y[s == 0].mean()) > 0.4  # and they were not before


def test_baselines_lower_dp_on_a_shifted_case_by_a_stated_margin():
    result = run_experiment(
        "distribution-shift", {"datasets": ["shifted-groups-test"], "budget": 60, "l2_sum": 1.0}, seeds=1
    )
    dp = {r["method"]: abs(r["value"]) for r in _by(result.records, metric="dp")}
    acc = {r["method"]: r["value"] for r in _by(result.records, metric="accuracy")}
    assert dp["vanilla"] >= 0.2, dp  # the shift makes the unconstrained model unfair on test
    assert dp["reweighing"] <= dp["vanilla"] - 0.1, dp
    assert dp["exponentiated-gradient"] <= dp["vanilla"] - 0.15, dp
    # DP trimming lowers |DP| more than removing as many points at random
    assert dp["vanilla+trim"] <= dp["vanilla+random"] - 0.05, dp
    assert set(dp) == {
        "vanilla", "vanilla+trim", "vanilla+random", "reweighing", "reweighing+trim",
        "exponentiated-gradient", "exponentiated-gradient+trim",
    }
    assert all(0.5 <= a <= 1 for a in acc.values()), acc


def test_unknown_distribution_shift_method_is_a_value_error():
    exp = get_experiment("distribution-shift")
    with pytest.raises(ValueError, match="methods"):
        exp.func(exp.make_config({"datasets": ["toy-influence"], "methods": ["fairbatch"]}), 0)


def test_baselines_run_without_a_penalty():
    # l2_sum = 0 is an unpenalized model for every method (no division by zero for C)
    result = run_experiment(
        "distribution-shift",
        {"datasets": ["shifted-groups-test"], "budget": 20, "l2_sum": 0.0, "methods": ["vanilla", "reweighing"]},
        seeds=1,
    )
    assert {r["method"] for r in result.records} >= {"vanilla", "reweighing", "reweighing+trim"}
