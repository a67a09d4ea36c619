"""Counting paths of the fairness metrics that the common cases never reach.

Written against mutants that survived the first mutation run (docs/testing.md): the
overflow-safe float path of the balance table, chunked counting where only one of the two
ids grows, and the per-group terms of the centre-based costs.
"""

from fractions import Fraction

import numpy as np
import pytest

from robustfair.metrics import balance, balance_cost, group_breakdown, social_fairness_cost
from robustfair.metrics._fairness import _balance_table


def _exact_balance_table(counts):
    n = int(counts.sum())
    n_k, n_g = counts.sum(axis=1), counts.sum(axis=0)
    return np.array([[float(min(Fraction(int(c) * n, int(a) * int(b)), Fraction(int(a) * int(b), int(c) * n)))
                      for c, b in zip(row, n_g)] for row, a in zip(counts, n_k)])


def test_balance_table_on_counts_whose_products_overflow_int64():
    # n = 2**34: n * N_kg reaches 2**67, past int64; the table must switch to floats.
    counts = np.array([[2**32, 2**32 + 12345], [2**33 - 12345, 2**33]], dtype=np.int64)
    np.testing.assert_allclose(_balance_table(counts), _exact_balance_table(counts), rtol=1e-12)
    small = np.array([[3, 1], [2, 6]], dtype=np.int64)
    np.testing.assert_array_equal(_balance_table(small), _exact_balance_table(small))


def test_chunked_counting_grows_one_axis_at_a_time():
    # 400,000 samples are four chunks of 2**17: a new cluster id appears in chunk two only,
    # a new group id in chunk three only, each one past the ids seen so far.
    rng = np.random.default_rng(1)
    n, chunk = 400_000, 1 << 17
    labels = rng.integers(0, 3, n)
    groups = rng.integers(0, 2, n)
    labels[chunk + 5] = 3
    groups[2 * chunk + 7] = 2
    fast = group_breakdown(labels, sensitive_features=groups)
    general = group_breakdown(labels.astype(str), sensitive_features=groups.astype(str))
    np.testing.assert_array_equal(fast.counts, general.counts)
    assert fast.cluster_ids.tolist() == [0, 1, 2, 3] and fast.group_ids.tolist() == [0, 1, 2]
    assert balance(labels, sensitive_features=groups) == pytest.approx(
        balance(labels.astype(str), sensitive_features=groups.astype(str)), abs=0)


def test_costs_against_brute_force_with_uneven_groups():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    s = np.r_[np.zeros(250, int), np.ones(50, int)]
    X[s == 1] += 1.5  # the small group sits far from the centres
    centers = rng.normal(size=(4, 3))
    d2 = ((X[:, None, :] - centers[None]) ** 2).sum(axis=2)
    nearest = d2.argmin(axis=1)
    per_group = [d2.min(axis=1)[s == g].mean() for g in (0, 1)]
    assert social_fairness_cost(X, centers, sensitive_features=s) == pytest.approx(max(per_group), rel=1e-12)
    assert balance_cost(X, centers, sensitive_features=s) == pytest.approx(
        -balance(nearest, sensitive_features=s), abs=1e-15)
