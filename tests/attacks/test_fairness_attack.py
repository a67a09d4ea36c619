"""FairnessAttack / RandomFairnessAttack / ks_compare (thesis 4.1.2-4.1.3)."""

import numpy as np
import pytest

from robustfair.attacks import AttackResult, FairnessAttack, RandomFairnessAttack
from robustfair.attacks._fairness_attack import defender_metrics, ks_compare
from robustfair.cluster import make_clusterer
from robustfair.datasets import load_dataset
from robustfair.metrics import balance


class SideSplitClusterer:
    """A tiny 'fair' clusterer of our own: per group, split the points at that group's median x.

    Its clusters are perfectly balanced on the labels it is given, so switching labels of
    some points moves the split of the others: an attackable black box.
    """

    def __init__(self):
        self.n_fits = 0

    def fit(self, X, sensitive_features=None):
        self.n_fits += 1
        s = np.asarray(sensitive_features)
        labels = np.zeros(X.shape[0], dtype=int)
        for g in np.unique(s):
            idx = np.flatnonzero(s == g)
            order = idx[np.argsort(X[idx, 0], kind="stable")]
            labels[order[len(order) // 2:]] = 1
        self.labels_ = labels
        return self


def _line_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = np.c_[np.sort(rng.normal(size=n)), rng.normal(size=n)]
    s = np.tile([0, 1], n // 2)
    return X, s


def test_attack_reproduces_toy_example_of_thesis_4_1_3_5():
    # SFD on the 20-point toy data: balance on G_D 1.0 before, 0.5 after (Figure 4.1). SFD's
    # quadtree has a random shift; since the Z-order quadtree (issue 22) draws it differently,
    # SFD seeds 2, 3 and 5 of 0-5 give the thesis' balanced start (seeds 0, 1, 4 start at 0.8).
    data = load_dataset("toy-fairness", random_state=1)
    sfd = make_clusterer("sfd", 2, random_state=3, p=1, q=1)
    res = FairnessAttack(sfd, attacker_idx=data.extras["attacker_idx"], budget=40, random_state=1).attack(
        data.X, sensitive_features=data.sensitive, y=data.y)
    assert res.metrics_before["balance"] == pytest.approx(1.0)
    assert res.metrics_after["balance"] <= 0.5
    assert res.metrics_after["fairness_entropy"] < res.metrics_before["fairness_entropy"]
    assert {"nmi", "acc"} <= set(res.metrics_after)


def test_attack_counts_every_query_and_changes_only_attacker_labels():
    X, s = _line_data()
    target = SideSplitClusterer()
    res = FairnessAttack(target, attacker_fraction=0.25, budget=15, random_state=0).attack(X, sensitive_features=s)
    assert isinstance(res, AttackResult)
    assert res.n_queries == 16 == target.n_fits  # 15 searched + the unattacked clustering
    A, D = res.info["attacker_idx"], res.info["defender_idx"]
    assert A.size == 10 and np.intersect1d(A, D).size == 0 and A.size + D.size == 40
    assert np.isin(res.changed, A).all()
    np.testing.assert_array_equal(res.sensitive_features_adv[D], s[D])
    assert (res.sensitive_features_adv[res.changed] != s[res.changed]).all()
    assert res.history.shape == (15,)


def test_attack_is_never_fairer_than_no_attack_and_beats_random():
    X, s = _line_data(60, seed=3)
    ours, rand = [], []
    for seed in range(5):
        r = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, budget=30, random_state=seed).attack(X, sensitive_features=s)
        assert r.metrics_after["balance"] <= r.metrics_before["balance"]
        ours.append(r)
        rand.append(RandomFairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, random_state=seed).attack(X, sensitive_features=s))
    assert np.mean([r.metrics_after["balance"] for r in ours]) < np.mean([r.metrics_after["balance"] for r in rand])


# The same-budget control of the fairness attack: flip the groups of as many samples as the
# attack changed, chosen at random among the same attacker samples G_A, and measure Balance on
# the same defender samples G_D. The attack must leave G_D less balanced than the control's mean
# by at least this much Balance (measured: 0.128 on average over the five seeds, 0.059 at the
# worst seed; SideSplitClusterer on _line_data(60, seed=3), budget 30, 30 control draws).
FLIP_CONTROL_MARGIN = 0.05


def _random_flips_balance(make_target, X, s, attacker, defender, k, rng, draws=30):
    """Defender Balance after flipping ``k`` random samples of ``attacker`` (binary groups), per draw.

    A draw the victim rejects (ValueError, as SFD does when a group gets too small) is skipped.
    """
    out = []
    for _ in range(draws):
        flip = rng.choice(attacker, size=k, replace=False)
        s_adv = s.copy()
        s_adv[flip] = 1 - s_adv[flip]
        try:
            labels = make_target().fit(X, sensitive_features=s_adv).labels_
        except ValueError:
            continue
        out.append(defender_metrics(labels, s_adv, defender)["balance"])
    return np.array(out)


def test_attack_beats_random_flips_of_the_same_count_on_the_same_samples():
    X, s = _line_data(60, seed=3)
    gaps = []
    for seed in range(5):
        res = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, budget=30, random_state=seed).attack(
            X, sensitive_features=s)
        A, D, k = res.info["attacker_idx"], res.info["defender_idx"], res.changed.size
        assert k > 0
        control = _random_flips_balance(SideSplitClusterer, X, s, A, D, k, np.random.default_rng(100 + seed))
        assert control.size == 30
        assert res.metrics_after["balance"] < control.mean(), seed
        gaps.append(control.mean() - res.metrics_after["balance"])
    assert np.mean(gaps) >= FLIP_CONTROL_MARGIN, gaps


def test_attack_on_sfd_toy_beats_random_flips_of_the_same_count():
    # The thesis toy (Figure 4.1): the attack takes G_D's Balance from 1.0 to 0.5 by switching
    # k labels of G_A; k random switches of G_A (SFD refits accepted) average 0.84 (measured, 30
    # draws of which 13 SFD accepts). Margin as above.
    data = load_dataset("toy-fairness", random_state=1)

    def sfd():
        return make_clusterer("sfd", 2, random_state=3, p=1, q=1)

    res = FairnessAttack(sfd(), attacker_idx=data.extras["attacker_idx"], budget=40, random_state=1).attack(
        data.X, sensitive_features=data.sensitive)
    A, D, k = res.info["attacker_idx"], res.info["defender_idx"], res.changed.size
    control = _random_flips_balance(sfd, data.X, data.sensitive, A, D, k, np.random.default_rng(0))
    assert control.size >= 10
    assert control.mean() - res.metrics_after["balance"] >= FLIP_CONTROL_MARGIN


def test_fraction_zero_and_budget_zero_return_the_unattacked_result():
    X, s = _line_data()
    for attack in (FairnessAttack(SideSplitClusterer(), attacker_fraction=0.0, random_state=0),
                   FairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, budget=0, random_state=0),
                   RandomFairnessAttack(SideSplitClusterer(), attacker_fraction=0.0, random_state=0)):
        res = attack.attack(X, sensitive_features=s)
        assert res.n_queries == 1
        assert res.changed.size == 0
        assert dict(res.metrics_after) == dict(res.metrics_before)


def test_more_than_two_groups_and_string_group_values():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(45, 2))
    s = np.array(["a", "b", "c"] * 15)
    res = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, budget=10, random_state=0).attack(X, sensitive_features=s)
    assert set(res.sensitive_features_adv.tolist()) <= {"a", "b", "c"}
    assert res.metrics_after["balance"] <= res.metrics_before["balance"]


def test_auto_objective_switches_to_entropy_when_balance_is_zero():
    X, s = _line_data()

    def unfair(X, sensitive_features):  # cluster = group: balance 0 whatever the labels
        return np.asarray(sensitive_features).astype(int)

    res = FairnessAttack(unfair, attacker_fraction=0.2, budget=5, random_state=0).attack(X, sensitive_features=s)
    assert res.metrics_before["balance"] == 0.0
    assert res.info["objective"] == "entropy"
    res_b = FairnessAttack(SideSplitClusterer(), attacker_fraction=0.2, budget=5, random_state=0).attack(X, sensitive_features=s)
    assert res_b.info["objective"] == "balance"


def test_random_attack_uses_two_queries_and_uniform_labels():
    X, s = _line_data()
    res = RandomFairnessAttack(SideSplitClusterer(), attacker_fraction=0.5, random_state=1).attack(X, sensitive_features=s)
    assert res.n_queries == 2
    A = res.info["attacker_idx"]
    assert 0 < res.changed.size < A.size and np.isin(res.changed, A).all()


@pytest.mark.parametrize("kwargs, match", [
    ({"attacker_idx": []}, "empty"),
    ({"attacker_fraction": 1.0}, "attacker_fraction"),
    ({"attacker_fraction": -0.1}, "attacker_fraction"),
    ({"attacker_fraction": 0.999}, "all 40 samples"),
    ({"attacker_idx": np.arange(40)}, "all 40 samples"),
    ({"attacker_idx": [0, 0, 1]}, "repeated"),
    ({"attacker_idx": [0, 99]}, "outside"),
    ({"attacker_idx": [0, 1], "defender_idx": [1, 2]}, "overlap"),
    ({"objective": "accuracy"}, "objective"),
])
def test_bad_input_raises_clear_value_errors(kwargs, match):
    X, s = _line_data()
    with pytest.raises(ValueError, match=match):
        FairnessAttack(SideSplitClusterer(), budget=3, random_state=0, **kwargs).attack(X, sensitive_features=s)


def test_target_without_labels_or_queries_is_rejected():
    class NoLabels:
        def fit(self, X, sensitive_features=None):
            return self

    X, s = _line_data()
    with pytest.raises(ValueError, match="labels_"):
        FairnessAttack(NoLabels(), budget=2, random_state=0).attack(X, sensitive_features=s)
    with pytest.raises(ValueError, match="target"):
        FairnessAttack(object(), budget=2, random_state=0).attack(X, sensitive_features=s)
    with pytest.raises(ValueError, match="sensitive_features"):
        FairnessAttack(SideSplitClusterer(), budget=2).attack(X, sensitive_features=np.zeros(40))


def test_ks_compare_separates_distinct_distributions():
    a = [{"balance": v} for v in np.zeros(10)]
    b = [{"balance": v} for v in np.linspace(0.3, 0.9, 10)]
    res = ks_compare(a, b, alternative="greater")
    assert res.statistic == 1.0 and res.pvalue < 0.01
    assert ks_compare(np.zeros(5).tolist(), np.zeros(5).tolist()).pvalue == 1.0
    with pytest.raises(ValueError, match="no metric"):
        ks_compare(a, b, metric="nmi")
    with pytest.raises(ValueError, match="non-empty"):
        ks_compare([], b)
