"""Built-in datasets: shapes, values, groups and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from robustfair.datasets import load_dataset


def test_digits_is_sklearn_digits_without_groups():
    data = load_dataset("digits")
    assert data.X.shape == (1797, 64) and data.sensitive is None
    assert data.n_classes == 10 and data.X.min() == 0 and data.X.max() == 16


@pytest.mark.parametrize("digits", [(1, 4), "1,4", [1, 4], " 1 , 4 "])
def test_digits_pair_accepts_string_or_tuple(digits):
    data = load_dataset("digits-pair", digits=digits)
    assert set(np.unique(data.y)) == {1, 4}
    assert data.X.shape == (363, 64)  # 182 ones + 181 fours
    assert data.sensitive is None


def test_digits_pair_default_is_one_and_four():
    assert set(np.unique(load_dataset("digits-pair").y)) == {1, 4}
    assert set(np.unique(load_dataset("digits-pair", digits="8,9").y)) == {8, 9}


@pytest.mark.parametrize("digits", ["1", "1,1", "1,12", (1, 2, 3), "a,b", 3.5])
def test_digits_pair_rejects_bad_pairs(digits):
    with pytest.raises(ValueError, match="digits"):
        load_dataset("digits-pair", digits=digits)


def test_inverted_digits_rows_invert_their_originals():
    data = load_dataset("inverted-digits")
    assert data.X.shape == (3594, 64)
    assert np.bincount(data.sensitive).tolist() == [1797, 1797]
    original, inverted = data.X[data.sensitive == 0], data.X[data.sensitive == 1]
    np.testing.assert_array_equal(16 - inverted, original)
    np.testing.assert_array_equal(data.y[data.sensitive == 0], data.y[data.sensitive == 1])
    assert data.group_names == ("original", "inverted")
    assert data.sensitive[:1797].max() == 0  # originals first


def test_toy_spillover_sizes_centres_and_spreads():
    data = load_dataset("toy-spillover", n_samples=2000, random_state=3)
    assert data.X.shape == (4000, 2) and np.bincount(data.y).tolist() == [2000, 2000]
    first, second = data.X[data.y == 0], data.X[data.y == 1]
    np.testing.assert_allclose(first.mean(0), [1, 0], atol=0.15)
    np.testing.assert_allclose(second.mean(0), [5, 0], atol=0.1)
    np.testing.assert_allclose(first.std(0), [1.45, 1.45], rtol=0.08)
    np.testing.assert_allclose(second.std(0), [0.75, 0.75], rtol=0.08)


def test_toy_spillover_default_and_uneven_sizes():
    assert load_dataset("toy-spillover").X.shape == (200, 2)
    assert np.bincount(load_dataset("toy-spillover", n_samples="30,10").y).tolist() == [30, 10]
    with pytest.raises(ValueError, match="n_samples"):
        load_dataset("toy-spillover", n_samples=(0, 5))


@pytest.mark.parametrize("name", ["toy-spillover", "toy-fairness"])
def test_toy_data_is_deterministic_in_random_state(name):
    a, b = load_dataset(name, random_state=7), load_dataset(name, random_state=7)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, load_dataset(name, random_state=8).X)
    np.testing.assert_array_equal(load_dataset(name).X, load_dataset(name, random_state=0).X)


def test_toy_fairness_has_fourteen_defenders_and_six_attackers():
    data = load_dataset("toy-fairness", random_state=1)
    defender, attacker = data.extras["defender_idx"], data.extras["attacker_idx"]
    assert data.X.shape == (20, 2) and np.bincount(data.y).tolist() == [10, 10]
    assert defender.shape == (14,) and attacker.shape == (6,)
    np.testing.assert_array_equal(np.sort(np.concatenate([defender, attacker])), np.arange(20))
    # Balance 1.0 before the attack: the defender's groups are 7/7 (thesis 4.1.3.5).
    assert np.bincount(data.sensitive[defender]).tolist() == [7, 7]
    assert np.bincount(data.sensitive[attacker]).tolist() == [3, 3]
    np.testing.assert_allclose(data.X[data.y == 0].mean(0), [4, 0], atol=0.15)
    np.testing.assert_allclose(data.X[data.y == 1].mean(0), [4.5, 0], atol=0.15)


def test_toy_fairness_rejects_bad_random_state():
    with pytest.raises(ValueError, match="random_state"):
        load_dataset("toy-fairness", random_state=-1)
