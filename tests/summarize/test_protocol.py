"""Knapsack, upsampling, summary generation and the F1 protocol (thesis 3.2.2.3)."""

import itertools

import numpy as np
import pytest

from robustfair.summarize import (
    f1_score,
    generate_summary,
    knapsack,
    shot_scores,
    summary_capacity,
    uniform_change_points,
    upsample_scores,
)


def _brute_force(values, weights, capacity):
    best = 0.0
    for r in range(len(values) + 1):
        for subset in itertools.combinations(range(len(values)), r):
            if sum(weights[i] for i in subset) <= capacity:
                best = max(best, sum(values[i] for i in subset))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_knapsack_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 11))
    values = rng.random(n) * rng.choice([1.0, 10.0])
    weights = rng.integers(1, 12, size=n)
    capacity = int(rng.integers(0, weights.sum() + 2))
    chosen = knapsack(values, weights, capacity)
    assert weights[chosen].sum() <= capacity
    assert values[chosen].sum() == pytest.approx(_brute_force(values, weights, capacity), abs=1e-12)


def test_knapsack_hand_case_and_ties_keep_earlier_items():
    # The eccv16 reference example: capacity 7 holds the three 4s (weight 6) and one 2.
    values = [4, 4, 2, 2, 2, 4]
    weights = [2, 2, 1, 1, 1, 2]
    chosen = knapsack(values, weights, 7)
    assert sum(values[i] for i in chosen) == 14
    assert list(knapsack([1.0, 1.0], [1, 1], 1)) == [0]


def test_knapsack_rejects_float_weights_and_negative_capacity():
    with pytest.raises(ValueError, match="weights"):
        knapsack([1.0, 2.0], [1.5, 2.0], 3)
    with pytest.raises(ValueError, match="capacity"):
        knapsack([1.0], [1], -1)


def test_upsample_fills_each_frame_with_the_last_pick():
    out = upsample_scores([0.1, 0.5, 0.9], picks=[0, 3, 6], n_frames=8)
    np.testing.assert_allclose(out, [0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 0.9, 0.9])


def test_shot_scores_are_shot_means():
    cp = [[0, 1], [2, 4]]
    np.testing.assert_allclose(shot_scores([1, 3, 0, 0, 3], change_points=cp), [2.0, 1.0])


def test_generate_summary_picks_best_shots_within_budget():
    scores = np.array([0.1] * 10 + [0.9] * 10 + [0.5] * 10 + [0.2] * 70)
    cp = uniform_change_points(100, shot_length=10)
    summary = generate_summary(scores, change_points=cp, n_frames=100, budget=0.2)
    assert summary.sum() == 20
    assert summary[10:30].all()


def test_capacity_is_floor_of_budget_times_frames():
    assert summary_capacity(100, 0.15) == 15
    assert summary_capacity(4165, 0.15) == 624
    assert summary_capacity(20, 0.15) == 3


@pytest.mark.parametrize("budget", [0, 0.0, 1, 1.0, -0.1, 1.5])
def test_budget_outside_open_unit_interval_is_rejected(budget):
    with pytest.raises(ValueError, match="budget"):
        generate_summary(np.ones(10), change_points=[[0, 9]], n_frames=10, budget=budget)


def test_f1_hand_cases():
    s = np.array([1, 1, 0, 0, 0, 0])
    users = np.array([[1, 1, 0, 0, 0, 0],    # identical: F1 = 1
                      [0, 1, 1, 0, 0, 0],    # p = r = 1/2: F1 = 1/2
                      [0, 0, 0, 0, 1, 1]])   # no overlap: 0
    assert f1_score(s, users, reduce="avg") == pytest.approx((1 + 0.5 + 0) / 3)
    assert f1_score(s, users, reduce="max") == pytest.approx(1.0)
    # p = 1/2, r = 1/4 -> F1 = 2 * 1/8 / (3/4) = 1/3
    assert f1_score([1, 1, 0, 0, 0, 0, 0, 0], [1, 0, 1, 1, 1, 0, 0, 0]) == pytest.approx(1 / 3)


def test_f1_rejects_user_summary_of_wrong_length_and_unknown_reduce():
    with pytest.raises(ValueError, match="user_summary"):
        f1_score([1, 0, 0], [[1, 0, 0, 0]])
    with pytest.raises(ValueError, match="reduce"):
        f1_score([1, 0], [[1, 0]], reduce="median")
    with pytest.raises(ValueError, match="summary"):
        f1_score([1, 2, 0], [[1, 0, 0]])
