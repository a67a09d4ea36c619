"""SumBal (thesis eq. 3.7) on hand-made group matrices."""

import numpy as np
import pytest

from robustfair.summarize import group_balance, sumbal


def _thesis_example():
    # 10 frames: A in 2 (20%), B in 5 (50%), nobody in 3. Summary of 10 frames drawn so that
    # A is in 40% and B in 30% of it: repeat the video 2x and pick frames accordingly.
    n = 20
    g = np.zeros((n, 2))
    g[0:4, 0] = 1          # A: 4/20 = 20%
    g[4:14, 1] = 1         # B: 10/20 = 50%
    summary = np.zeros(n, dtype=int)
    summary[[0, 1, 2, 3]] = 1          # 4 A frames
    summary[[4, 5, 6]] = 1             # 3 B frames
    summary[[14, 15, 16]] = 1          # 3 empty frames -> k = 10: A 40%, B 30%
    return summary, g


def test_thesis_worked_example_gives_half_and_person_a():
    summary, g = _thesis_example()
    np.testing.assert_allclose(group_balance(summary, group_labels=g), [0.5, 0.6])
    value, violating = sumbal(summary, group_labels=g, return_violating=True)
    assert value == pytest.approx(0.5)
    assert violating == 0


def test_frames_may_hold_several_groups_or_none():
    g = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    # video shares 1/2, 1/2; summary {0}: shares 1, 1 -> balance 1/2 for both
    assert sumbal([1, 0, 0, 0], group_labels=g) == pytest.approx(0.5)
    # summary {1, 2}: shares 1/2, 1/2 -> perfectly balanced
    assert sumbal([0, 1, 1, 0], group_labels=g) == pytest.approx(1.0)


def test_group_missing_from_summary_scores_zero():
    g = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    value, violating = sumbal([1, 0, 1, 0], group_labels=g, return_violating=True)
    assert value == 0.0 and violating == 1


def test_group_absent_from_the_video_is_ignored():
    g = np.array([[1, 0], [0, 0], [1, 0], [0, 0]])
    assert np.isnan(group_balance([1, 1, 0, 0], group_labels=g)[1])
    assert sumbal([1, 0, 1, 0], group_labels=g) == pytest.approx(0.5)


def test_one_hot_group_ids_are_accepted():
    assert sumbal([1, 1, 0, 0], group_labels=["a", "b", "a", "b"]) == pytest.approx(1.0)


def test_label_matrix_of_other_length_names_group_labels():
    with pytest.raises(ValueError, match="group_labels"):
        sumbal([1, 0, 1], group_labels=np.ones((4, 2)))


def test_bad_values_and_empty_summary_are_rejected():
    with pytest.raises(ValueError, match="group_labels"):
        sumbal([1, 0], group_labels=[[0.5], [1.0]])
    with pytest.raises(ValueError, match="no frame"):
        sumbal([0, 0], group_labels=[[1], [0]])
