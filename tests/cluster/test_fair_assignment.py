"""Exact fair assignment (Deep Fair Discriminative Clustering, eqs. 6-9 and Table 4)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from robustfair.cluster import _fair_assignment_flow as flow_module
from robustfair.cluster.dfdc_assignment import (
    DFDCAssignmentResult,
    dfdc_assignment_lp,
    dfdc_assignment_objective,
    solve_dfdc_assignment,
)


def _instance(n, k, n_groups=2, seed=0, concentration=0.5):
    rng = np.random.default_rng(seed)
    Y = rng.dirichlet(np.full(k, concentration), size=n)
    groups = rng.integers(0, n_groups, size=n)
    groups[:n_groups * k] = np.repeat(np.arange(n_groups), k)  # every group has >= k members
    return Y, groups


def _brute_force(Y, groups, lower, upper, sizes):
    """Enumerate all K**n assignments (tiny n); the least eq. 6 objective meeting the bounds."""
    n, k = Y.shape
    codes = np.unique(groups, return_inverse=True)[1]
    n_groups = lower.shape[1]
    all_labels = np.array(list(itertools.product(range(k), repeat=n)))
    cell = all_labels * n_groups + codes[None, :]
    counts = np.stack([(cell == c).sum(axis=1) for c in range(k * n_groups)], axis=1)
    ok = np.all(counts >= lower.ravel(), axis=1) & np.all(counts <= upper.ravel(), axis=1)
    ok &= np.all(counts.reshape(-1, k, n_groups).sum(axis=2) == sizes, axis=1)
    objectives = (1.0 - Y[np.arange(n)[None, :], all_labels]).sum(axis=1)
    return objectives[ok].min()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("eps", [0.0, 0.15])
def test_objective_equals_brute_force_optimum(seed, eps):
    Y, groups = _instance(8, 3, n_groups=2, seed=seed)
    result = solve_dfdc_assignment(Y, groups, eps=eps)
    best = _brute_force(Y, groups, result.lower, result.upper, result.cluster_sizes)
    assert result.feasible
    assert result.objective == pytest.approx(best, rel=1e-9, abs=1e-12)


def test_three_groups_match_brute_force():
    Y, groups = _instance(9, 3, n_groups=3, seed=7)
    result = solve_dfdc_assignment(Y, groups)
    best = _brute_force(Y, groups, result.lower, result.upper, result.cluster_sizes)
    assert result.objective == pytest.approx(best, rel=1e-9)


@pytest.mark.parametrize("eps", [0.0, 0.05])
@pytest.mark.parametrize("n_groups", [2, 3])
def test_flow_objective_equals_linprog_optimum(eps, n_groups):
    Y, groups = _instance(120, 4, n_groups=n_groups, seed=3)
    flow = solve_dfdc_assignment(Y, groups, eps=eps)
    lp = dfdc_assignment_lp(Y, groups, eps=eps)
    assert flow.feasible and lp.feasible
    assert lp.method == "linprog" and flow.method == "flow"
    assert flow.objective == pytest.approx(lp.objective, rel=1e-9)


def test_cluster_sizes_and_group_counts_are_met_exactly():
    Y, groups = _instance(500, 5, seed=1)
    result = solve_dfdc_assignment(Y, groups)
    sizes = np.bincount(Y.argmax(axis=1), minlength=5)  # eq. 8: hard counts of Y
    np.testing.assert_array_equal(np.bincount(result.labels, minlength=5), sizes)
    np.testing.assert_array_equal(result.cluster_sizes, sizes)
    rho = np.bincount(groups) / groups.size
    target = sizes[:, None] * rho[None, :]  # eq. 7 up to unavoidable rounding
    assert np.all(result.counts >= np.floor(target)) and np.all(result.counts <= np.ceil(target))
    np.testing.assert_array_equal(result.counts.sum(axis=0), np.bincount(groups))
    recount = np.stack([np.bincount(result.labels[groups == t], minlength=5) for t in range(2)], axis=1)
    np.testing.assert_array_equal(result.counts, recount)


def test_objective_is_eq6_of_the_labels():
    Y, groups = _instance(200, 4, seed=2)
    result = solve_dfdc_assignment(Y, groups)
    assert result.objective == pytest.approx(np.sum(1 - Y[np.arange(200), result.labels]))
    assert result.objective == dfdc_assignment_objective(Y, result.labels)
    assert isinstance(result, DFDCAssignmentResult) and result.seconds >= 0


def test_integer_target_counts_are_exact():
    Y, groups = _instance(400, 4, seed=5)
    groups = np.repeat([0, 1], 200)
    sizes = np.array([100, 100, 100, 100])
    result = solve_dfdc_assignment(Y, groups, cluster_sizes=sizes)
    np.testing.assert_array_equal(result.counts, np.full((4, 2), 50))


@pytest.mark.parametrize("eps", [0.02, 0.1, 0.3])
def test_flexible_eps_bounds_are_respected(eps):
    Y, groups = _instance(600, 5, seed=4)
    rho = np.bincount(groups) / groups.size
    result = solve_dfdc_assignment(Y, groups, eps=eps)
    sizes = result.cluster_sizes[:, None]
    assert np.all(result.counts >= np.floor(sizes * (rho - eps)) - 1e-9)
    assert np.all(result.counts <= np.ceil(sizes * (rho + eps)) + 1e-9)
    assert result.feasible


def test_relaxing_eps_never_increases_the_objective():
    Y, groups = _instance(800, 6, seed=6)
    objectives = [solve_dfdc_assignment(Y, groups, eps=eps).objective for eps in (0.0, 0.02, 0.05, 0.2, 1.0)]
    assert all(b <= a + 1e-9 for a, b in zip(objectives, objectives[1:]))
    # eps = 1 drops fairness: only the cluster sizes remain, met by argmax itself
    assert objectives[-1] == pytest.approx(dfdc_assignment_objective(Y, _instance(800, 6, seed=6)[0].argmax(1)))


def test_multi_state_attribute_with_string_ids():
    Y, codes = _instance(300, 3, n_groups=4, seed=8)
    names = np.array(["a", "b", "c", "d"])[codes]
    result = solve_dfdc_assignment(Y, names)
    assert result.counts.shape == (3, 4)
    assert list(result.group_values) == ["a", "b", "c", "d"]
    lp = dfdc_assignment_lp(Y, names)
    assert result.objective == pytest.approx(lp.objective, rel=1e-9)


def test_user_rho_mapping_and_cluster_sizes():
    Y, groups = _instance(200, 2, seed=9)
    groups = np.repeat([0, 1], 100)
    result = solve_dfdc_assignment(Y, groups, rho={0: 0.5, 1: 0.5}, cluster_sizes=[120, 80])
    np.testing.assert_array_equal(result.counts, [[60, 60], [40, 40]])
    same = solve_dfdc_assignment(Y, groups, rho=[0.5, 0.5], cluster_sizes=[120, 80])
    np.testing.assert_array_equal(result.labels, same.labels)


def test_solution_is_deterministic():
    Y, groups = _instance(3000, 5, seed=10)
    first = solve_dfdc_assignment(Y, groups)
    second = solve_dfdc_assignment(Y.copy(), groups.copy())
    np.testing.assert_array_equal(first.labels, second.labels)


@pytest.mark.parametrize("concentration", [0.3, 5.0])
def test_reduced_network_certificate_gives_the_full_optimum(monkeypatch, concentration):
    Y, groups = _instance(1500, 5, seed=11, concentration=concentration)
    full = solve_dfdc_assignment(Y, groups, eps=0.01)
    monkeypatch.setattr(flow_module, "REDUCE_ABOVE_ARCS", 0)
    reduced = solve_dfdc_assignment(Y, groups, eps=0.01)
    assert reduced.feasible
    assert reduced.objective == pytest.approx(full.objective, rel=1e-12)


def test_unfair_start_where_most_points_move(monkeypatch):
    # clusters of Y are pure in the group: half of the points must change cluster
    rng = np.random.default_rng(12)
    groups = np.repeat([0, 1], 60)
    logits = rng.normal(size=(120, 2)) + 4.0 * np.column_stack([groups == 0, groups == 1])
    Y = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    monkeypatch.setattr(flow_module, "REDUCE_ABOVE_ARCS", 0)
    result = solve_dfdc_assignment(Y, groups)
    np.testing.assert_array_equal(result.counts, [[30, 30], [30, 30]])
    assert result.objective == pytest.approx(dfdc_assignment_lp(Y, groups).objective, rel=1e-9)


def test_optimality_certificate_rejects_a_worse_swap():
    Y, groups = _instance(400, 4, seed=13)
    result = solve_dfdc_assignment(Y, groups)
    costs, _ = flow_module.integer_costs(Y, 1000)
    assert flow_module.is_optimal(costs, result.labels, groups, result.lower, result.upper)
    # swap two same-group points of different clusters to a costlier feasible assignment
    labels = result.labels.copy()
    members = np.flatnonzero(groups == 0)
    i = members[np.argmax(Y[members, labels[members]])]
    j = next(m for m in members if labels[m] != labels[i])
    labels[i], labels[j] = labels[j], labels[i]
    assert dfdc_assignment_objective(Y, labels) > result.objective
    assert not flow_module.is_optimal(costs, labels, groups, result.lower, result.upper)


def test_scores_outside_the_simplex_are_accepted():
    Y, groups = _instance(150, 3, seed=14)
    scores = 100.0 * np.log(Y) - 7.0
    result = solve_dfdc_assignment(scores, groups)
    assert result.objective == pytest.approx(dfdc_assignment_lp(scores, groups).objective, rel=1e-9)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"rho": [0.7, 0.7]}, "rho"),
        ({"rho": [0.2, 0.3, 0.5]}, "rho"),
        ({"rho": [-0.5, 1.5]}, "rho"),
        ({"rho": {0: 0.5, 5: 0.5}}, "rho"),
        ({"rho": [0.5, np.nan]}, "rho"),
        ({"eps": -0.1}, "eps"),
        ({"eps": float("nan")}, "eps"),
        ({"cluster_sizes": [10, 10]}, "cluster_sizes"),
        ({"cluster_sizes": [30, 30, 30]}, "cluster_sizes"),
        ({"cluster_sizes": [-1, 51, 50]}, "cluster_sizes"),
        ({"cluster_sizes": [40.5, 29.5, 30]}, "cluster_sizes"),
        ({"method": "gurobi"}, "method"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(kwargs, argument):
    Y, groups = _instance(100, 3, seed=15)
    with pytest.raises(ValueError, match=argument):
        solve_dfdc_assignment(Y, groups, **kwargs)


def test_unreachable_rho_or_eps_raises():
    Y, groups = _instance(100, 3, seed=16)
    groups = np.repeat([0, 1], 50)
    with pytest.raises(ValueError, match="rho"):
        solve_dfdc_assignment(Y, groups, rho=[0.9, 0.1])  # eps = 0: rho must match the data
    with pytest.raises(ValueError, match="eps"):
        solve_dfdc_assignment(Y, groups, rho=[0.9, 0.1], eps=0.1)
    assert solve_dfdc_assignment(Y, groups, rho=[0.9, 0.1], eps=0.45).feasible


def test_group_smaller_than_the_number_of_clusters_raises():
    Y, _ = _instance(60, 4, seed=17)
    groups = np.zeros(60, dtype=int)
    groups[:3] = 1
    with pytest.raises(ValueError, match="sensitive_features.*fewer than"):
        solve_dfdc_assignment(Y, groups, cluster_sizes=[15, 15, 15, 15])


@pytest.mark.parametrize(
    ("Y", "groups", "argument"),
    [
        (np.full((10, 2), 0.5), np.repeat([0, 1], 4), "sensitive_features"),
        (np.full(10, 0.5), np.repeat([0, 1], 5), "Y"),
        (np.where(np.eye(10, 2) > 0, np.nan, 0.5), np.repeat([0, 1], 5), "Y"),
        (np.full((10, 2), 0.5), np.zeros(10), "sensitive_features"),
        (np.full((10, 2), 0.5), np.array([0, 1, None, 1, 0, 1, 0, 1, 0, 1], dtype=object), "sensitive_features"),
    ],
)
def test_bad_shapes_and_values_raise(Y, groups, argument):
    with pytest.raises(ValueError, match=argument):
        solve_dfdc_assignment(Y, groups)


# ---------------------------------------------------------------- experiment


def test_bench_experiment_records_the_metrics():
    from robustfair.experiments import run_experiment

    result = run_experiment("bench-fair-assignment", {"n": "2000", "k": "5"}, seeds=1)
    metrics = {r["metric"]: r["value"] for r in result.records}
    assert set(metrics) == {"seconds", "seconds_linprog", "speedup", "objective_gap", "feasible"}
    assert metrics["feasible"] == 1.0
    assert abs(metrics["objective_gap"]) < 1e-9
    assert metrics["speedup"] == pytest.approx(metrics["seconds_linprog"] / metrics["seconds"])
