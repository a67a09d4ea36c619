"""Exact fair assignment: the edges of its validation and the fields of its result.

Written against the mutants that survived the first mutation run (docs/testing.md): an
argument name matched as a substring ("rho" is also inside the eps message), ``rho`` and
``cluster_sizes`` dropped by ``dfdc_assignment_lp``, boundaries of ``eps``/``rho``/
``cluster_sizes`` off by one, and the ``feasible`` flag never seen False.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from robustfair.cluster import dfdc_assignment as fa
from robustfair.cluster.dfdc_assignment import dfdc_assignment_lp, solve_dfdc_assignment


def _instance(n=100, k=3, seed=15):
    rng = np.random.default_rng(seed)
    Y = rng.dirichlet(np.full(k, 0.5), size=n)
    groups = np.repeat([0, 1], n // 2)
    return Y, groups


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"rho": [0.7, 0.7]}, "rho"),
        ({"rho": [0.75, 0.75]}, "rho"),  # sums to 1.5
        ({"rho": [0.2, 0.3, 0.5]}, "rho"),
        ({"rho": [-0.5, 1.5]}, "rho"),
        ({"rho": {0: 0.5, 1: 0.5, 7: 0.0}}, "rho"),  # an unknown group only
        ({"rho": {0: 1.0}}, "rho"),  # a missing group only
        ({"eps": -0.1}, "eps"),
        ({"eps": 1.5}, "eps"),
        ({"cluster_sizes": [10, 10]}, "cluster_sizes"),
        ({"cluster_sizes": [-1, 51, 50]}, "cluster_sizes"),
        ({"cluster_sizes": [40.5, 29.5, 30]}, "cluster_sizes"),
        ({"method": "gurobi"}, "method"),
    ],
)
def test_bad_arguments_name_the_argument_as_a_word(kwargs, argument):
    Y, groups = _instance()
    with pytest.raises(ValueError, match=rf"\b{argument}\b"):
        solve_dfdc_assignment(Y, groups, **kwargs)


def test_the_bounds_of_eps_rho_and_cluster_sizes_are_allowed():
    Y, groups = _instance()
    assert solve_dfdc_assignment(Y, groups, eps=1.0).feasible  # eps is in [0, 1], 1 included
    res = solve_dfdc_assignment(Y, groups, cluster_sizes=[0, 50, 50])  # an empty cluster is allowed
    assert res.feasible and res.counts[0].sum() == 0
    res = solve_dfdc_assignment(Y, groups, rho=[0.0, 1.0], eps=0.5)  # a zero share is allowed
    np.testing.assert_array_equal(res.rho, [0.0, 1.0])


def test_infeasible_constraints_blame_eps_when_it_is_set_else_rho():
    Y, groups = _instance()
    with pytest.raises(ValueError, match=r"^rho: the fairness constraints cannot be met"):
        solve_dfdc_assignment(Y, groups, rho=[0.9, 0.1])
    with pytest.raises(ValueError, match=r"^eps: the fairness constraints cannot be met"):
        solve_dfdc_assignment(Y, groups, rho=[0.9, 0.1], eps=0.1)


def test_the_lp_form_passes_rho_eps_and_cluster_sizes_on():
    Y, groups = _instance()
    flow = solve_dfdc_assignment(Y, groups, rho=[0.6, 0.4], eps=0.2, cluster_sizes=[40, 30, 30])
    lp = dfdc_assignment_lp(Y, groups, rho=[0.6, 0.4], eps=0.2, cluster_sizes=[40, 30, 30])
    assert lp.method == "linprog" and flow.method == "flow"
    np.testing.assert_array_equal(lp.cluster_sizes, [40, 30, 30])
    np.testing.assert_array_equal(lp.rho, [0.6, 0.4])
    np.testing.assert_array_equal(lp.lower, flow.lower)
    np.testing.assert_array_equal(lp.upper, flow.upper)
    assert lp.objective == pytest.approx(flow.objective, rel=1e-9)


def test_result_reports_the_data_proportions_and_its_own_wall_time():
    Y, groups = _instance()
    start = time.perf_counter()
    res = solve_dfdc_assignment(Y, groups)
    elapsed = time.perf_counter() - start
    assert 0.0 <= res.seconds <= elapsed
    np.testing.assert_array_equal(res.rho, [0.5, 0.5])
    np.testing.assert_array_equal(res.group_values, [0, 1])


def test_feasible_is_false_when_labels_break_the_sizes_or_a_bound():
    Y, groups = _instance(n=6, k=2)
    codes = np.array([0, 0, 0, 1, 1, 1])
    lower = np.array([[1, 1], [1, 1]])
    upper = np.array([[2, 2], [2, 2]])
    sizes = np.array([3, 3])

    def feasible(labels):
        return fa._result(Y, codes, np.array(labels), lower, upper, sizes, None, np.array([0, 1]), "flow", 0.0).feasible

    assert feasible([0, 0, 1, 1, 1, 0])  # sizes 3/3, every count in [1, 2]
    assert not feasible([0, 0, 0, 1, 1, 1])  # sizes met, counts 3 and 0 break both bounds
    assert not feasible([0, 0, 1, 0, 0, 1])  # every count in [1, 2], but sizes 4/2 instead of 3/3
