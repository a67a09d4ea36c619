import random
import subprocess
import sys

import numpy as np
import pytest

from robustfair.optim import Box, Categorical, OptimizeResult, minimize

BOX_METHODS = ["racos", "sre", "rbf", "cma", "random"]
CATEGORICAL_METHODS = ["racos", "random"]
TARGET = np.array([0.3, -0.2, 0.5, 0.1, -0.4])


def sphere(x):
    return float(np.sum((x - TARGET[: x.shape[0]]) ** 2))


def mismatches(word):
    def fun(x):
        return float(sum(a != b for a, b in zip(x, word)))

    return fun


@pytest.mark.parametrize(
    ("method", "dim", "budget", "tol", "options"),
    [
        ("random", 2, 200, 5e-2, {}),
        ("cma", 3, 300, 1e-4, {}),
        ("rbf", 2, 40, 1e-5, {}),
        ("racos", 3, 300, 5e-3, {}),
        ("sre", 5, 300, 5e-2, {"low_dimension": 5, "num_sre": 3}),
    ],
)
def test_method_reaches_sphere_minimum_within_budget(method, dim, budget, tol, options):
    res = minimize(sphere, Box(-1, 1, dim=dim), method=method, budget=budget, random_state=0, **options)
    assert res.fun < tol
    assert np.linalg.norm(res.x - TARGET[:dim]) < np.sqrt(tol)
    assert res.method == method


def test_sre_searches_a_high_dimensional_box_with_low_effective_dimension():
    def fun(x):
        return float((x[0] - 0.3) ** 2 + (x[3] + 0.2) ** 2)

    res = minimize(fun, Box(-1, 1, dim=50), method="sre", budget=300, random_state=0, low_dimension=5)
    assert res.fun < 1e-2
    assert res.x.shape == (50,)
    assert np.all(np.abs(res.x) <= 1)


@pytest.mark.parametrize("method", CATEGORICAL_METHODS)
def test_categorical_methods_find_hidden_word(method):
    word = "FAIRCLUSTER"
    space = Categorical.uniform("ABCDEFGHIJKLMNOPQRSTUVWXYZ", len(word))
    res = minimize(mismatches(word), space, method=method, budget=400, random_state=0)
    baseline = np.mean([mismatches(word)(x) for x in space.sample(np.random.default_rng(1), 200)])
    assert res.fun <= (4 if method == "racos" else baseline - 2)
    assert res.x.dtype == object and "".join(res.x) == "".join(res.x_history[res.best_index])
    assert mismatches(word)(res.x) == res.fun


def test_racos_solves_small_categorical_exactly_and_returns_values():
    space = Categorical([[10, 20, 30], [1, 2], [7, 8, 9, 10]])
    target = np.array([30, 1, 9])
    res = minimize(lambda x: float(np.sum(x != target)), space, method="racos", budget=24, random_state=0)
    assert res.fun == 0
    np.testing.assert_array_equal(res.x, target)
    assert res.x.dtype == np.int64


@pytest.mark.parametrize("method", BOX_METHODS)
@pytest.mark.parametrize("budget", [1, 7, 23])
def test_budget_is_respected_exactly(method, budget):
    calls = []

    def fun(x):
        calls.append(x.copy())
        return sphere(x)

    res = minimize(fun, Box(-1, 1, dim=3), method=method, budget=budget, random_state=0)
    assert res.n_queries == len(calls) <= budget
    assert res.history.shape == (res.n_queries,)
    assert res.x_history.shape == (res.n_queries, 3)
    np.testing.assert_array_equal(res.x_history, np.array(calls))
    assert res.fun == res.history.min() == sphere(res.x)
    if method != "racos" and method != "sre":
        assert res.n_queries == budget  # these never stop early on a continuous box


@pytest.mark.parametrize("method", CATEGORICAL_METHODS)
def test_categorical_budget_is_respected(method):
    res = minimize(mismatches("ABC"), Categorical.uniform("ABCD", 3), method=method, budget=9, random_state=0)
    assert res.n_queries == len(res.history) <= 9


def test_racos_stops_when_a_tiny_space_is_exhausted():
    res = minimize(mismatches("HEL"), Categorical([["H"], "AE", "L"]), method="racos", budget=30, random_state=0)
    assert res.n_queries <= 2 and res.fun == 0


@pytest.mark.parametrize("method", BOX_METHODS)
def test_same_random_state_gives_identical_results(method):
    runs = [minimize(sphere, Box(-1, 1, dim=3), method=method, budget=40, random_state=7) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].x, runs[1].x)
    np.testing.assert_array_equal(runs[0].history, runs[1].history)
    assert runs[0].fun == runs[1].fun
    other = minimize(sphere, Box(-1, 1, dim=3), method=method, budget=40, random_state=8)
    assert not np.array_equal(other.history, runs[0].history)


@pytest.mark.parametrize("method", CATEGORICAL_METHODS)
def test_same_random_state_gives_identical_results_on_categorical(method):
    space = Categorical.uniform("ABCD", 6)
    a, b = (minimize(mismatches("ABCDAB"), space, method=method, budget=30, random_state=3) for _ in range(2))
    np.testing.assert_array_equal(a.x_history, b.x_history)


@pytest.mark.parametrize("method", ["racos", "sre", "cma"])
def test_global_random_state_is_left_untouched(method):
    random.seed(123)
    np.random.seed(123)
    expected = (random.random(), np.random.random())
    random.seed(123)
    np.random.seed(123)
    minimize(sphere, Box(-1, 1, dim=3), method=method, budget=20, random_state=0)
    assert (random.random(), np.random.random()) == expected


@pytest.mark.parametrize("method", BOX_METHODS)
def test_fixed_coordinates_stay_fixed(method):
    box = Box([-1, 0.25, -1], [1, 0.25, 1])
    res = minimize(sphere, box, method=method, budget=30, random_state=0)
    assert np.all(res.x_history[:, 1] == 0.25)
    assert np.all(res.x_history >= box.lower) and np.all(res.x_history <= box.upper)


def test_fully_fixed_box_is_evaluated_once():
    res = minimize(sphere, Box([0.1, 0.2], [0.1, 0.2]), method="cma", budget=10)
    assert res.n_queries == 1
    np.testing.assert_array_equal(res.x, [0.1, 0.2])


def test_parallel_batch_evaluation_matches_serial():
    serial = minimize(sphere, Box(-1, 1, dim=2), method="random", budget=12, random_state=0, n_jobs=1)
    parallel = minimize(sphere, Box(-1, 1, dim=2), method="random", budget=12, random_state=0, n_jobs=2)
    np.testing.assert_array_equal(serial.history, parallel.history)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["random", "racos"])
def test_non_finite_value_raises_naming_method_and_query(method, bad):
    calls = []

    def fun(x):
        calls.append(x)
        return bad if len(calls) == 4 else 1.0 + x[0]

    with pytest.raises(ValueError, match=rf"query 3 of method '{method}'"):
        minimize(fun, Box(-1, 1, dim=2), method=method, budget=10, random_state=0)


def test_non_number_value_raises():
    with pytest.raises(ValueError, match="real number"):
        minimize(lambda x: "oops", Box(-1, 1, dim=2), method="random", budget=3)


def test_numpy_scalar_and_size_one_array_values_are_accepted():
    res = minimize(lambda x: np.array([np.float32(x[0] ** 2)]), Box(-1, 1, dim=1), method="random", budget=3)
    assert isinstance(res.fun, float)


@pytest.mark.parametrize("method", BOX_METHODS)
def test_exceptions_from_fun_propagate_unchanged(method):
    class Boom(Exception):
        pass

    def fun(x):
        raise Boom("inside fun")

    with pytest.raises(Boom, match="inside fun"):
        minimize(fun, Box(-1, 1, dim=2), method=method, budget=5, random_state=0)


def test_unknown_method_lists_choices():
    with pytest.raises(ValueError, match="racos, sre, rbf, cma, random"):
        minimize(sphere, Box(-1, 1, dim=2), method="nelder-mead")


@pytest.mark.parametrize("method", ["cma", "rbf", "sre"])
def test_box_only_methods_reject_categorical(method):
    with pytest.raises(ValueError, match="racos, random"):
        minimize(mismatches("AB"), Categorical.uniform("AB", 2), method=method, budget=5)


@pytest.mark.parametrize("budget", [0, -3, 2.5, True, None])
def test_bad_budget_raises(budget):
    with pytest.raises(ValueError, match="budget"):
        minimize(sphere, Box(-1, 1, dim=2), method="random", budget=budget)


def test_bad_space_and_options_raise():
    with pytest.raises(ValueError, match="space"):
        minimize(sphere, [(-1, 1)], method="random")
    with pytest.raises(ValueError, match="n_jobs"):
        minimize(sphere, Box(-1, 1, dim=2), method="random", n_jobs=0)
    with pytest.raises(ValueError, match="n_initial"):
        minimize(sphere, Box(-1, 1, dim=3), method="rbf", budget=10, n_initial=2)
    with pytest.raises(ValueError, match="'unknown_option' for method 'cma'; its options are: sigma0"):
        minimize(sphere, Box(-1, 1, dim=2), method="cma", budget=10, unknown_option=1)


def test_rbf_budget_below_initial_design_is_all_latin_hypercube():
    res = minimize(sphere, Box(-1, 1, dim=3), method="rbf", budget=5, random_state=0)
    assert res.n_queries == 5
    assert "Latin hypercube" in res.message
    # Latin hypercube: one point in each of the 5 slices of every coordinate
    slices = np.floor((res.x_history + 1) / 2 * 5).astype(int)
    for j in range(3):
        assert sorted(slices[:, j]) == [0, 1, 2, 3, 4]


def test_result_is_an_optimize_result_with_read_only_history():
    res = minimize(sphere, Box(-1, 1, dim=2), method="random", budget=5, random_state=0)
    assert isinstance(res, OptimizeResult)
    with pytest.raises(ValueError):
        res.history[0] = 0.0
    assert "random" in repr(res)


def test_importing_optim_does_not_import_zoopt_or_cma():
    code = "import sys, robustfair.optim; print('zoopt' in sys.modules, 'cma' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
