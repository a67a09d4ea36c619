"""Properties and hand-computed values of the clustering fairness metrics."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustfair.metrics import (
    GroupBreakdown,
    balance,
    balance_cost,
    count_ratio_balance,
    fairness_entropy,
    group_breakdown,
    optimal_count_ratio_balance,
    social_fairness_cost,
)

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def clusterings(draw, min_size=2, max_size=60):
    """(labels, groups) with at least two distinct groups."""
    n = draw(st.integers(min_size, max_size))
    labels = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)))
    groups = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    if np.unique(groups).size < 2:
        groups[0], groups[-1] = 0, 1
    return labels, groups


def _relabel(values, seed, as_strings):
    """Map each distinct value to a new one by a random permutation (optionally strings)."""
    distinct = np.unique(values)
    perm = np.random.default_rng(seed).permutation(distinct.size)
    new = np.array([f"id-{p}" for p in perm]) if as_strings else perm * 7 - 11  # negative, gapped
    return new[np.searchsorted(distinct, values)]


METRICS = [balance, count_ratio_balance, fairness_entropy]


# ---------------------------------------------------------------- ranges and invariance


@SETTINGS
@given(clusterings())
def test_balance_and_count_ratio_lie_in_unit_interval(data):
    labels, groups = data
    assert 0.0 <= balance(labels, sensitive_features=groups) <= 1.0
    crb = count_ratio_balance(labels, sensitive_features=groups)
    assert 0.0 <= crb <= optimal_count_ratio_balance(groups) <= 1.0


@SETTINGS
@given(clusterings())
def test_entropy_lies_in_documented_ranges(data):
    labels, groups = data
    k = np.unique(labels).size
    assert 0.0 <= fairness_entropy(labels, sensitive_features=groups) <= k / math.e + 1e-12
    assert 0.0 <= fairness_entropy(labels, sensitive_features=groups, normalize="group") <= math.log(k) + 1e-12


@SETTINGS
@given(clusterings(), st.integers(0, 2**31), st.booleans(), st.booleans())
def test_metrics_invariant_to_relabeling_clusters_and_groups(data, seed, str_labels, str_groups):
    labels, groups = data
    new_labels = _relabel(labels, seed, str_labels)
    new_groups = _relabel(groups, seed + 1, str_groups)
    for metric in METRICS:
        assert metric(new_labels, sensitive_features=new_groups) == pytest.approx(
            metric(labels, sensitive_features=groups), abs=1e-12
        )


@SETTINGS
@given(clusterings(), st.integers(0, 2**31))
def test_metrics_invariant_to_sample_order(data, seed):
    labels, groups = data
    order = np.random.default_rng(seed).permutation(labels.size)
    for metric in METRICS:
        assert metric(labels[order], sensitive_features=groups[order]) == pytest.approx(
            metric(labels, sensitive_features=groups), abs=1e-12
        )


@SETTINGS
@given(clusterings())
def test_fast_and_general_paths_agree(data):
    labels, groups = data
    fast = group_breakdown(labels, sensitive_features=groups)
    general = group_breakdown(labels.astype(str), sensitive_features=groups.astype(float))
    np.testing.assert_array_equal(fast.counts, general.counts)
    assert fast.balance == general.balance


# ---------------------------------------------------------------- balance


@SETTINGS
@given(
    st.lists(st.integers(1, 4), min_size=2, max_size=4),  # group proportions (weights)
    st.lists(st.integers(1, 5), min_size=1, max_size=5),  # cluster size multipliers
    st.integers(0, 2**31),
)
def test_balance_is_one_at_dataset_proportions(weights, multipliers, seed):
    # every cluster holds m * weights[g] points of group g: same proportions everywhere
    labels, groups = [], []
    for k, m in enumerate(multipliers):
        for g, w in enumerate(weights):
            labels += [k] * (m * w)
            groups += [g] * (m * w)
    order = np.random.default_rng(seed).permutation(len(labels))
    labels, groups = np.array(labels)[order], np.array(groups)[order]
    assert balance(labels, sensitive_features=groups) == 1.0
    assert count_ratio_balance(labels, sensitive_features=groups) == pytest.approx(
        optimal_count_ratio_balance(groups), abs=1e-15
    )


@SETTINGS
@given(clusterings())
def test_balance_is_one_only_at_dataset_proportions(data):
    labels, groups = data
    b = group_breakdown(labels, sensitive_features=groups)
    proportional = np.all(b.counts * b.counts.sum() == np.outer(b.counts.sum(1), b.counts.sum(0)))
    assert (balance(labels, sensitive_features=groups) == 1.0) == bool(proportional)


@SETTINGS
@given(clusterings())
def test_balance_is_zero_when_a_cluster_lacks_a_group(data):
    labels, groups = data
    groups = groups.copy()
    groups[0], groups[-1] = 0, 1  # at least groups 0 and 1
    labels = np.append(labels, [99, 99])  # cluster 99 holds only group 0
    groups = np.append(groups, [0, 0])
    assert balance(labels, sensitive_features=groups) == 0.0
    assert count_ratio_balance(labels, sensitive_features=groups) == 0.0


def test_balance_hand_computed_thesis_toy_example():
    # like the thesis 4.1.3.4 toy data (14 points of G_D, 6 of G_A): proportional clusters
    labels = np.array([0] * 10 + [1] * 10)
    groups = np.array([0] * 7 + [1] * 3 + [0] * 7 + [1] * 3)
    assert balance(labels, sensitive_features=groups) == 1.0
    # move one G_A point from cluster 0 to cluster 1: cluster 0 = 7 D, 2 A; cluster 1 = 7 D, 4 A
    labels2 = labels.copy()
    labels2[9] = 1
    # r_A = 6/20 = 0.3; cluster 0: r_A0 = 2/9 -> 0.2222/0.3 = 0.7407...; cluster 1: 4/11/0.3 = 1.212
    expected = min((2 / 9) / 0.3, 0.3 / (4 / 11), (7 / 9) / 0.7, 0.7 / (7 / 11))
    assert balance(labels2, sensitive_features=groups) == pytest.approx(expected, rel=1e-12)


def test_balance_ignores_empty_cluster_ids_and_handles_bool_and_unsigned():
    labels = np.array([0, 0, 7, 7], dtype=np.uint64)
    groups = np.array([True, False, True, False])
    assert balance(labels, sensitive_features=groups) == 1.0
    bd = group_breakdown(labels, sensitive_features=groups)
    assert bd.cluster_ids.tolist() == [0, 7]
    assert bd.group_ids.tolist() == [False, True]


def test_count_ratio_balance_hand_computed_many_groups():
    labels = [0, 0, 0, 0, 0, 0, 1, 1, 1]
    groups = ["a", "a", "a", "b", "b", "c", "a", "b", "c"]
    # cluster 0: 3,2,1 -> 1/3; cluster 1: 1,1,1 -> 1
    assert count_ratio_balance(labels, sensitive_features=groups) == pytest.approx(1 / 3)
    assert optimal_count_ratio_balance(groups) == pytest.approx(2 / 4)


# ---------------------------------------------------------------- entropy


def test_fairness_entropy_hand_computed():
    # cluster 0: a,a,b (n_0 = 3); cluster 1: a,b (n_1 = 2)
    labels = [0, 0, 0, 1, 1]
    groups = ["a", "a", "b", "a", "b"]
    h = lambda p: -p * math.log(p)  # noqa: E731
    ent_a = h(2 / 3) + h(1 / 2)
    ent_b = h(1 / 3) + h(1 / 2)
    assert fairness_entropy(labels, sensitive_features=groups) == pytest.approx((ent_a + ent_b) / 2, rel=1e-12)
    # normalised by group size: a is spread 2/3, 1/3 over clusters; b 1/2, 1/2
    ent_a_g = h(2 / 3) + h(1 / 3)
    ent_b_g = 2 * h(1 / 2)
    assert fairness_entropy(labels, sensitive_features=groups, normalize="group") == pytest.approx(
        (ent_a_g + ent_b_g) / 2, rel=1e-12
    )


def test_fairness_entropy_zero_log_zero_is_zero():
    # each cluster holds one group only: every p is 0 or 1
    assert fairness_entropy([0, 0, 1, 1], sensitive_features=[0, 0, 1, 1]) == 0.0


def test_fairness_entropy_rejects_unknown_normalize():
    with pytest.raises(ValueError, match="normalize"):
        fairness_entropy([0, 1], sensitive_features=[0, 1], normalize="rows")


# ---------------------------------------------------------------- antidote costs


def test_social_fairness_cost_hand_computed():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [13.0, 0.0]])
    centers = np.array([[0.0, 0.0], [10.0, 0.0]])
    groups = ["u", "u", "v", "v"]
    # group u: distances^2 0 and 1 -> mean 0.5; group v: 0 and 9 -> mean 4.5
    assert social_fairness_cost(X, centers, sensitive_features=groups) == pytest.approx(4.5)


def test_balance_cost_hand_computed():
    X = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    centers = np.array([[0.0], [5.0]])
    assert balance_cost(X, centers, sensitive_features=[0, 1, 0, 1, 0, 1]) == pytest.approx(
        -min((1 / 3) / 0.5, 0.5 / (2 / 3))
    )
    assert balance_cost(X, centers, sensitive_features=[0, 1, 1, 0, 0, 1]) == pytest.approx(-(1 / 3) / 0.5)
    assert balance_cost(X, centers, sensitive_features=[0, 0, 0, 1, 1, 1]) == 0.0
    # proportional assignment gives the fairest cost, -1
    assert balance_cost(X[[0, 1, 3, 4]], centers, sensitive_features=[0, 1, 0, 1]) == -1.0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 200), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**31))
def test_nearest_center_costs_match_brute_force(n, k, d, seed):
    rng = np.random.default_rng(seed)
    X, centers = rng.normal(size=(n, d)), rng.normal(size=(k, d))
    groups = rng.integers(0, 2, n)
    groups[0] = 1 - groups[-1] if n > 1 else groups[0]
    if np.unique(groups).size < 2:
        return
    d2 = ((X[:, None, :] - centers[None]) ** 2).sum(-1)
    nearest, dist = d2.argmin(1), d2.min(1)
    expected = max(dist[groups == g].mean() for g in (0, 1))
    assert social_fairness_cost(X, centers, sensitive_features=groups) == pytest.approx(expected, rel=1e-9)
    assert balance_cost(X, centers, sensitive_features=groups) == pytest.approx(
        -balance(nearest, sensitive_features=groups), abs=1e-12
    )


def test_costs_reject_mismatched_centers():
    with pytest.raises(ValueError, match="centers"):
        social_fairness_cost(np.zeros((3, 2)), np.zeros((2, 3)), sensitive_features=[0, 1, 0])
    with pytest.raises(ValueError, match="X contains NaN"):
        balance_cost(np.array([[np.nan], [0.0]]), np.zeros((1, 1)), sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="inconsistent lengths.*X=3.*sensitive_features=2"):
        social_fairness_cost(np.zeros((3, 1)), np.zeros((1, 1)), sensitive_features=[0, 1])


# ---------------------------------------------------------------- breakdown


def test_group_breakdown_table_and_dict():
    bd = group_breakdown(["x", "x", "y", "y", "y"], sensitive_features=["f", "m", "f", "f", "m"])
    assert isinstance(bd, GroupBreakdown)
    np.testing.assert_array_equal(bd.counts, [[1, 1], [2, 1]])
    np.testing.assert_allclose(bd.proportions.sum(axis=1), 1.0)
    np.testing.assert_allclose(bd.dataset_proportions, [0.6, 0.4])
    assert bd.balance == pytest.approx(bd.cluster_balance.min())
    assert bd.balance == balance(["x", "x", "y", "y", "y"], sensitive_features=["f", "m", "f", "f", "m"])
    text = str(bd)
    lines = text.splitlines()
    assert "group f" in lines[0] and "balance" in lines[0]
    assert len({len(line) for line in lines}) == 1  # aligned
    assert lines[-1].startswith("all")
    d = bd.to_dict()
    assert json.loads(json.dumps(d)) == d
    with pytest.raises(AttributeError):
        bd.balance = 1.0  # frozen


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("metric", METRICS + [group_breakdown])
def test_bad_input_names_the_argument(metric):
    with pytest.raises(ValueError, match="labels contains NaN"):
        metric([0.0, np.nan], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="sensitive_features contains NaN"):
        metric([0, 1], sensitive_features=[0.0, np.nan])
    with pytest.raises(ValueError, match="labels must be a 1-D"):
        metric(np.zeros((2, 2)), sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="inconsistent lengths.*labels=3.*sensitive_features=2"):
        metric([0, 1, 1], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="sensitive_features holds 1 distinct group"):
        metric([0, 1, 1], sensitive_features=[5, 5, 5])
    with pytest.raises(ValueError, match="sensitive_features holds 1 distinct group"):
        metric(["a", "b"], sensitive_features=["g", "g"])
    with pytest.raises(ValueError, match="labels is empty"):
        metric([], sensitive_features=[])
    with pytest.raises(ValueError, match="sensitive_features contains missing"):
        metric([0, 1], sensitive_features=np.array(["a", None], dtype=object))


def test_optimal_count_ratio_balance_rejects_single_group():
    with pytest.raises(ValueError, match="sensitive_features holds 1"):
        optimal_count_ratio_balance([3, 3, 3])


def test_large_ids_and_negative_ids_take_the_general_path():
    labels = np.array([-5, -5, 10**12, 10**12])
    groups = np.array([0, 2**40, 0, 2**40])
    assert balance(labels, sensitive_features=groups) == 1.0


def test_chunked_counting_grows_table_when_later_chunks_bring_new_ids():
    rng = np.random.default_rng(0)
    n = 400_000  # several chunks
    labels = rng.integers(0, 3, n)
    groups = rng.integers(0, 2, n)
    labels[-10:] = 8  # new cluster id only in the last chunk
    groups[-5:] = 4  # new group id only in the last chunk
    fast = group_breakdown(labels, sensitive_features=groups)
    general = group_breakdown(labels.astype(str), sensitive_features=groups.astype(str))
    np.testing.assert_array_equal(fast.counts, general.counts)
    assert fast.cluster_ids.tolist() == [0, 1, 2, 8] and fast.group_ids.tolist() == [0, 1, 4]
    # a negative id in a later chunk falls back to the general path
    labels[-1] = -1
    assert balance(labels, sensitive_features=groups) == balance(labels.astype(float), sensitive_features=groups)
