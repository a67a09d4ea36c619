"""The fair-clustering experiment: the suite side by side."""

import numpy as np
import pytest

from robustfair.experiments import run_experiment
from robustfair.experiments.fair_clustering import kmeans_cost


def test_fair_methods_are_fairer_than_kmeans_on_inverted_digits():
    res = run_experiment("fair-clustering", {"methods": "kmeans,sfd", "n_samples": "600"}, seeds=1)
    got = {(r["method"], r["metric"]): r["value"] for r in res.records}
    for method in ("kmeans", "sfd"):
        assert {m for (mm, m) in got if mm == method} == {
            "balance", "fairness_entropy", "cost", "seconds", "acc", "nmi"}
    assert got[("kmeans", "balance")] < 0.2
    assert got[("sfd", "balance")] >= 0.4  # the (p, q) = (2, 5) guarantee
    assert got[("sfd", "cost")] > got[("kmeans", "cost")]  # fairness has a price


def test_kmeans_cost_matches_direct_formula():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    labels = rng.integers(0, 4, 50) * 7 - 3  # arbitrary label values
    direct = np.mean([np.sum((X[i] - X[labels == labels[i]].mean(0)) ** 2) for i in range(50)])
    assert kmeans_cost(X, labels) == pytest.approx(direct)


def test_unknown_method_names_it():
    with pytest.raises(ValueError, match="nosuch"):
        run_experiment("fair-clustering", {"methods": "sfd,nosuch"}, seeds=1)


def test_a_method_that_cannot_run_is_recorded_and_the_others_go_on(monkeypatch):
    # SFD refuses a three-group attribute; k-means must still be measured.
    import robustfair.experiments.fair_clustering as fc
    from robustfair.datasets import Dataset

    rng = np.random.default_rng(0)
    data = Dataset(X=rng.normal(size=(90, 2)), y=np.arange(90) % 3, sensitive=np.arange(90) % 3, name="three")
    monkeypatch.setattr(fc, "load_config_dataset", lambda config, seed=0: data)
    with pytest.warns(UserWarning, match="sfd"):
        records = fc.fair_clustering(fc.FairClusteringConfig(methods=["sfd", "kmeans"], k=3), 0)
    failed = [r for r in records if r.metric == "failed"]
    assert [r.method for r in failed] == ["sfd"] and "2 protected groups" in failed[0].keys["reason"]
    assert {r.metric for r in records if r.method == "kmeans"} >= {"balance", "nmi"}
