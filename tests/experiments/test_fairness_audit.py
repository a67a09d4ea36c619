"""The first experiment: vanilla clusterings audited for fairness."""

import numpy as np
import pytest

from robustfair.experiments import run_experiment


@pytest.fixture(scope="module")
def audit():
    return run_experiment("fairness-audit", {"dataset": "inverted-digits", "methods": "kmeans,ward"}, seeds=1)


def test_records_every_metric_for_every_method(audit):
    metrics = {"balance", "fairness_entropy", "acc", "nmi", "ari", "silhouette", "seconds"}
    for method in ("kmeans", "ward"):
        got = {r["metric"] for r in audit.records if r["method"] == method}
        assert got == metrics


def test_vanilla_clustering_of_inverted_digits_is_unfair(audit):
    # Inverted copies sit far from the originals, so vanilla clusters split by group
    # (thesis 4.1.3.1): balance is near 0 while accuracy stays well above chance.
    bal = [r["value"] for r in audit.records if r["metric"] == "balance"]
    acc = [r["value"] for r in audit.records if r["metric"] == "acc"]
    assert max(bal) < 0.2
    assert min(acc) > 0.3


def test_same_seed_same_numbers():
    settings = {"dataset": "inverted-digits", "methods": "kmeans,spectral", "n_samples": "500"}
    a = run_experiment("fairness-audit", settings, seeds=1)
    b = run_experiment("fairness-audit", settings, seeds=1)
    va = [r["value"] for r in a.records if r["metric"] != "seconds"]
    vb = [r["value"] for r in b.records if r["metric"] != "seconds"]
    np.testing.assert_allclose(va, vb)


def test_unknown_method_is_a_value_error():
    with pytest.raises(ValueError, match="clustering method"):
        run_experiment("fairness-audit", {"methods": "kmeans,nosuch"}, seeds=1)


def test_dataset_without_sensitive_attribute_is_rejected():
    with pytest.raises(ValueError, match="sensitive"):
        run_experiment("fairness-audit", {"dataset": "digits"}, seeds=1)
