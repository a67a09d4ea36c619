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


class _Recorder(SideSplitClusterer):
    """SideSplitClusterer that keeps every group assignment it is queried with."""

    def __init__(self):
        super().__init__()
        self.queries = []

    def fit(self, X, sensitive_features=None):
        self.queries.append(np.asarray(sensitive_features).copy())
        return super().fit(X, sensitive_features=sensitive_features)


@pytest.mark.parametrize("objective", ["balance", "entropy"])
def test_the_search_scores_each_query_by_its_objective_and_keeps_the_best(objective):
    # Second mutation run (docs/testing.md): the entropy tie-break subtracted or divided, the
    # balance/entropy branches swapped, and the best value never updated (so the *last*
    # improving query, not the best, was reported) all survived.
    X, s = _line_data(40)
    victim = _Recorder()
    res = FairnessAttack(victim, attacker_fraction=0.3, objective=objective, budget=12, random_state=0).attack(
        X, sensitive_features=s)
    D = res.info["defender_idx"]
    expected = []
    for s_q in victim.queries[1:]:  # the first query is the unattacked clustering
        labels = SideSplitClusterer().fit(X, sensitive_features=s_q).labels_
        m = defender_metrics(labels, s_q, D)
        expected.append(m["balance"] + 1e-6 * m["fairness_entropy"] if objective == "balance" else m["fairness_entropy"])
    np.testing.assert_allclose(res.history, expected, rtol=0, atol=1e-12)
    assert len(set(np.round(expected, 9))) > 2, "the queries should not all score the same"
    key = "balance" if objective == "balance" else "fairness_entropy"
    unattacked = res.metrics_before[key] + (1e-6 * res.metrics_before["fairness_entropy"] if key == "balance" else 0)
    improving = [v for v in expected if v < unattacked]
    assert len(improving) >= 2 and improving[-1] > min(improving), "the best query should not be the last improving one"
    reported = res.metrics_after[key] + (1e-6 * res.metrics_after["fairness_entropy"] if key == "balance" else 0)
    assert reported == pytest.approx(min(expected), abs=1e-12)


def test_ks_compare_reads_attack_results_and_names_what_is_wrong():
    X, s = _line_data()
    runs = [RandomFairnessAttack(SideSplitClusterer(), attacker_fraction=0.3, random_state=i).attack(
        X, sensitive_features=s) for i in range(4)]
    got = ks_compare(runs, [0.0, 0.1], alternative="greater")
    expected = ks_2samp([r.metrics_after["balance"] for r in runs], [0.0, 0.1], alternative="greater")
    assert got.pvalue == pytest.approx(expected.pvalue) and got.statistic == pytest.approx(expected.statistic)
    with pytest.raises(ValueError, match="non-empty sequence"):
        ks_compare("0.5", [0.1])
    with pytest.raises(ValueError, match=r"results_a\[1\] must be .* got object"):
        ks_compare([0.1, object()], [0.1])
    with pytest.raises(ValueError, match=r"it has: nmi, acc\."):
        ks_compare([{"nmi": 0.1, "acc": 0.2}], [0.1])
    with pytest.raises(ValueError, match=r"results_b holds NaN or infinite balance values"):
        ks_compare([0.1], [float("nan")])
