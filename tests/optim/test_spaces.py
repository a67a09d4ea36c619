import numpy as np
import pytest

from robustfair.optim import Box, Categorical


def test_box_broadcasts_scalar_bounds_with_dim():
    box = Box(-1.0, 2.0, dim=3)
    assert box.dim == 3
    np.testing.assert_array_equal(box.lower, [-1, -1, -1])
    np.testing.assert_array_equal(box.upper, [2, 2, 2])


def test_box_broadcasts_scalar_against_array():
    box = Box(0.0, [1.0, 2.0])
    assert box.dim == 2
    np.testing.assert_array_equal(box.lower, [0, 0])


@pytest.mark.parametrize(
    ("lower", "upper", "kwargs", "match"),
    [
        ([0, 2], [1, 1], {}, "lower <= upper"),
        ([0, 0], [1, 1, 1], {}, "same length"),
        ([0, np.nan], [1, 1], {}, "finite"),
        ([0, 0], [1, np.inf], {}, "finite"),
        (0.0, 1.0, {}, "dim="),
        ([0, 0], [1, 1], {"dim": 3}, "does not match"),
        ([], [], {}, "at least one"),
        (["a"], [1], {}, "lower must be"),
    ],
)
def test_box_rejects_bad_bounds(lower, upper, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Box(lower, upper, **kwargs)


def test_box_sample_lies_inside_and_respects_fixed_coordinates():
    box = Box([0, 5, -1], [1, 5, 1])
    X = box.sample(np.random.default_rng(0), 100)
    assert X.shape == (100, 3)
    assert np.all(X >= box.lower) and np.all(X <= box.upper)
    assert np.all(X[:, 1] == 5)
    np.testing.assert_array_equal(box.free, [True, False, True])


def test_box_bounds_are_read_only():
    box = Box([0, 0], [1, 1])
    with pytest.raises(ValueError):
        box.lower[0] = 5


def test_categorical_uniform_and_sizes():
    space = Categorical.uniform("ACGT", 4)
    assert space.dim == 4
    assert space.sizes.tolist() == [4, 4, 4, 4]
    values = space.sample(np.random.default_rng(0), 10)
    assert values.shape == (10, 4)
    assert set(values.ravel().tolist()) <= set("ACGT")


def test_categorical_decode_keeps_value_types():
    assert Categorical([[1, 2], [3]]).decode([1, 0]).dtype == np.int64
    assert Categorical([[0.5, 1.5]]).decode([1]).dtype == np.float64
    mixed = Categorical([["a", 1], [(1, 2), None]]).decode([[1, 0]])
    assert mixed.dtype == object
    assert mixed[0, 0] == 1 and mixed[0, 1] == (1, 2)


@pytest.mark.parametrize(
    ("choices", "match"),
    [
        ([], "at least one coordinate"),
        ([[1, 2], []], "empty"),
        ([[1, 1]], "duplicate"),
        ("abc", "sequence"),
        ([[[1], [2]]], "unhashable"),
    ],
)
def test_categorical_rejects_bad_choices(choices, match):
    with pytest.raises(ValueError, match=match):
        Categorical(choices)
