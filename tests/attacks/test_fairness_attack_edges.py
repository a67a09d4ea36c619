"""FairnessAttack / RandomFairnessAttack / ks_compare: the result's fields and the validation edges.

Written against mutants that survived the first mutation run (docs/testing.md): metrics
measured on all samples instead of G_D, the unattacked result's fields, index checks off by
one, a retry loop that stops at the first rejected draw, and KS inputs cut to one value.
"""

import time

import numpy as np
import pytest
from scipy.stats import ks_2samp

from robustfair.attacks import FairnessAttack, RandomFairnessAttack
from robustfair.attacks._fairness_attack import defender_metrics, ks_compare
from robustfair.metrics import balance, clustering_accuracy, fairness_entropy, normalized_mutual_info

from .test_fairness_attack import SideSplitClusterer, _line_data


def test_metrics_are_measured_on_the_defender_samples_only():
    X, s = _line_data(40)
    y = (X[:, 0] > 0).astype(int)
    res = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.25, budget=5, random_state=0).attack(
        X, sensitive_features=s, y=y)
    D, lab = res.info["defender_idx"], res.info["labels_before"]
    assert res.metrics_before == pytest.approx({
        "balance": balance(lab[D], sensitive_features=s[D]),
        "fairness_entropy": fairness_entropy(lab[D], sensitive_features=s[D]),
        "nmi": normalized_mutual_info(y[D], lab[D]),
        "acc": clustering_accuracy(y[D], lab[D]),
    })
    after = res.info["labels_after"]
    assert res.metrics_after["balance"] == pytest.approx(balance(after[D], sensitive_features=res.sensitive_features_adv[D]))


def test_a_single_group_defender_set_has_nan_balance_and_entropy():
    labels, s = np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1])
    m = defender_metrics(labels, s, np.array([0, 1]), y=np.array([0, 1, 0, 1]))
    assert set(m) == {"balance", "fairness_entropy", "nmi", "acc"}
    assert np.isnan(m["balance"]) and np.isnan(m["fairness_entropy"])
    assert m["nmi"] == pytest.approx(1.0) and m["acc"] == pytest.approx(1.0)


def test_the_unattacked_result_has_every_field():
    X, s = _line_data()
    start = time.perf_counter()
    res = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, budget=0, random_state=0).attack(
        X, sensitive_features=s)
    elapsed = time.perf_counter() - start
    np.testing.assert_array_equal(res.sensitive_features_adv, s)
    assert res.changed.size == 0 and res.history.shape == (0,) and res.info["objective"] == "none"
    A, D = res.info["attacker_idx"], res.info["defender_idx"]
    assert A.size == 8 and D.size == 32
    np.testing.assert_array_equal(res.info["attacker_labels"], s[A])
    np.testing.assert_array_equal(res.info["labels_before"], res.info["labels_after"])
    assert res.info["labels_before"].shape == (40,)
    assert 0.0 <= res.seconds <= elapsed


def test_defaults_attack_fifteen_percent_with_thirty_queries():
    X, s = _line_data()
    res = FairnessAttack(SideSplitClusterer(), random_state=0).attack(X, sensitive_features=s)
    A = res.info["attacker_idx"]
    assert A.size == 6 and np.unique(A).size == 6  # round(0.15 * 40), drawn without replacement
    assert res.n_queries == 31
    same = FairnessAttack(SideSplitClusterer(), random_state=0).attack(X, sensitive_features=s)
    np.testing.assert_array_equal(same.sensitive_features_adv, res.sensitive_features_adv)  # random_state is used


def test_attacker_draws_are_distinct_samples():
    X, s = _line_data(60)
    for seed in range(5):
        A = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.5, budget=1, random_state=seed).attack(
            X, sensitive_features=s).info["attacker_idx"]
        assert A.size == 30 and np.unique(A).size == 30


def test_a_budget_of_one_query_searches_and_explicit_objectives_are_kept():
    X, s = _line_data()
    one = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, budget=1, random_state=0).attack(
        X, sensitive_features=s)
    assert one.n_queries == 2 and one.history.shape == (1,)
    for objective in ("balance", "entropy"):
        res = FairnessAttack(SideSplitClusterer(), objective=objective, attacker_fraction=0.2, budget=8,
                             random_state=0).attack(X, sensitive_features=s)
        assert res.info["objective"] == objective
        assert res.metrics_after[{"balance": "balance", "entropy": "fairness_entropy"}[objective]] <= \
            res.metrics_before[{"balance": "balance", "entropy": "fairness_entropy"}[objective]]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"budget": 2.5}, "budget"),
        ({"budget": -1}, "budget"),
        ({"objective": "nmi"}, "objective"),
        ({"attacker_idx": np.ones(39, dtype=bool)}, "attacker_idx"),  # a mask of the wrong length
        ({"attacker_idx": np.array([[1, 2]])}, "attacker_idx"),
        ({"attacker_idx": np.array([1, 40])}, "attacker_idx"),  # index n is out of range
        ({"attacker_idx": np.array([1, 1])}, "attacker_idx"),
        ({"attacker_idx": np.array([], dtype=int)}, "attacker_idx"),
        ({"attacker_idx": [0, 1], "defender_idx": [1, 2]}, "defender_idx"),
        ({"attacker_fraction": 0.99}, "attacker_fraction"),  # round(0.99 * 40) = all 40 samples
    ],
)
def test_bad_settings_name_the_argument(kwargs, name):
    X, s = _line_data()
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        FairnessAttack(SideSplitClusterer(), random_state=0, **{"budget": 3, **kwargs}).attack(
            X, sensitive_features=s)


def test_a_boolean_mask_selects_the_attacker_samples():
    X, s = _line_data()
    mask = np.zeros(40, dtype=bool)
    mask[[3, 7, 11]] = True
    res = FairnessAttack(SideSplitClusterer(), attacker_idx=mask, budget=2, random_state=0).attack(
        X, sensitive_features=s)
    np.testing.assert_array_equal(res.info["attacker_idx"], [3, 7, 11])


class _RejectFirst(SideSplitClusterer):
    """Rejects its second fit (the first poisoned draw), as SFD rejects a too-small group."""

    def fit(self, X, sensitive_features=None):
        if self.n_fits == 1:
            self.n_fits += 1
            raise ValueError("group too small")
        return super().fit(X, sensitive_features=sensitive_features)


def test_random_attack_draws_again_after_a_rejection_and_gives_up_after_max_draws():
    X, s = _line_data(60)
    res = RandomFairnessAttack(_RejectFirst(), attacker_fraction=0.5, random_state=0).attack(X, sensitive_features=s)
    assert res.info["objective"] == "random" and res.history.shape == (1,)
    A = res.info["attacker_idx"]
    assert res.changed.size > 0 and set(res.sensitive_features_adv[A].tolist()) == {0, 1}  # both groups drawn

    class RejectAll(SideSplitClusterer):
        def fit(self, X, sensitive_features=None):
            if self.n_fits:
                raise ValueError("no")
            return super().fit(X, sensitive_features=sensitive_features)

    none = RandomFairnessAttack(RejectAll(), attacker_fraction=0.5, random_state=0).attack(X, sensitive_features=s)
    assert none.changed.size == 0 and none.history.shape == (0,) and none.info["objective"] == "random"


def test_ks_compare_uses_every_value_and_validates_its_input():
    a, b = [0.1, 0.9, 0.95, 0.97], [0.5, 0.6, 0.7]
    expected = ks_2samp(a, b, alternative="less")
    got = ks_compare(a, [{"balance": v} for v in b], alternative="less")
    assert got.statistic == pytest.approx(expected.statistic) and got.pvalue == pytest.approx(expected.pvalue)
    with pytest.raises(ValueError, match=r"\balternative\b"):
        ks_compare(a, b, alternative="both")
    for bad, name in (([], "results_a"), ("0.5", "results_a"), ([True, 0.5], "results_a")):
        with pytest.raises(ValueError, match=rf"\b{name}\b"):
            ks_compare(bad, b)
    with pytest.raises(ValueError, match=r"\bresults_b\b.*\bnmi\b"):
        ks_compare([{"nmi": 0.1}], [{"balance": 0.2}], metric="nmi")
