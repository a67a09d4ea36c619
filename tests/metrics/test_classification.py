"""Classifier fairness metrics: Fairlearn as the oracle, and the soft forms by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

fairlearn_metrics = pytest.importorskip("fairlearn.metrics")

from robustfair.metrics import (  # noqa: E402
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    soft_demographic_parity,
    soft_equal_opportunity,
)

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def binary_predictions(draw, max_groups=4):
    n = draw(st.integers(2, 80))
    y_true = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    groups = np.array(draw(st.lists(st.sampled_from(["a", "b", "c", "d"][:max_groups]), min_size=n, max_size=n)))
    if np.unique(groups).size < 2:
        groups[0], groups[-1] = "a", "b"
    return y_true, y_pred, groups


def _oracle(name, y_true, y_pred, groups, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(getattr(fairlearn_metrics, name)(y_true, y_pred, sensitive_features=groups, **kw))


@SETTINGS
@given(binary_predictions(), st.sampled_from(["between_groups", "to_overall"]))
def test_demographic_parity_difference_equals_fairlearn(data, method):
    y_true, y_pred, groups = data
    ours = demographic_parity_difference(y_true, y_pred, sensitive_features=groups, method=method)
    assert abs(ours - _oracle("demographic_parity_difference", y_true, y_pred, groups, method=method)) <= 1e-12


@SETTINGS
@given(binary_predictions(), st.sampled_from(["between_groups", "to_overall"]))
def test_demographic_parity_ratio_equals_fairlearn(data, method):
    y_true, y_pred, groups = data
    if not y_pred.any():
        return  # Fairlearn gives NaN (0/0); we document 1.0
    ours = demographic_parity_ratio(y_true, y_pred, sensitive_features=groups, method=method)
    assert abs(ours - _oracle("demographic_parity_ratio", y_true, y_pred, groups, method=method)) <= 1e-12


@SETTINGS
@given(binary_predictions(), st.sampled_from(["between_groups", "to_overall"]))
def test_equal_opportunity_difference_equals_fairlearn(data, method):
    y_true, y_pred, groups = data
    ours = equal_opportunity_difference(y_true, y_pred, sensitive_features=groups, method=method)
    assert abs(ours - _oracle("equal_opportunity_difference", y_true, y_pred, groups, method=method)) <= 1e-12


@SETTINGS
@given(binary_predictions(), st.integers(0, 2**31))
def test_classification_metrics_invariant_to_group_relabeling(data, seed):
    y_true, y_pred, groups = data
    distinct = np.unique(groups)
    new = np.random.default_rng(seed).permutation(distinct.size) * -3 - 1  # negative ints
    relabeled = new[np.searchsorted(distinct, groups)]
    for metric in (demographic_parity_difference, equal_opportunity_difference, demographic_parity_ratio):
        assert metric(y_true, y_pred, sensitive_features=relabeled) == pytest.approx(
            metric(y_true, y_pred, sensitive_features=groups), abs=1e-12
        )


@SETTINGS
@given(binary_predictions())
def test_differences_lie_in_unit_interval(data):
    y_true, y_pred, groups = data
    for metric in (demographic_parity_difference, equal_opportunity_difference, demographic_parity_ratio):
        assert 0.0 <= metric(y_true, y_pred, sensitive_features=groups) <= 1.0


def test_string_labels_with_pos_label():
    y_true = np.array(["yes", "yes", "no", "yes", "yes", "no"])
    y_pred = np.array(["yes", "no", "no", "yes", "yes", "yes"])
    groups = ["m", "m", "m", "f", "f", "f"]
    # selection: m 1/3, f 3/3; TPR: m 1/2, f 2/2
    assert demographic_parity_difference(y_true, y_pred, sensitive_features=groups, pos_label="yes") == pytest.approx(
        2 / 3
    )
    assert equal_opportunity_difference(y_true, y_pred, sensitive_features=groups, pos_label="yes") == 0.5


def test_classification_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="inconsistent lengths.*y_true=3.*y_pred=2"):
        demographic_parity_difference([0, 1, 1], [0, 1], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="sensitive_features has 3 entries"):
        equal_opportunity_difference([0, 1], [0, 1], sensitive_features=[0, 1, 1])
    with pytest.raises(ValueError, match="sensitive_features holds 1 distinct group"):
        equal_opportunity_difference([0, 1], [0, 1], sensitive_features=["a", "a"])
    with pytest.raises(ValueError, match="y_pred contains NaN"):
        demographic_parity_difference([0, 1], [0.0, np.nan], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="Unknown method"):
        demographic_parity_difference([0, 1], [0, 1], sensitive_features=[0, 1], method="worst")
    with pytest.raises(ValueError, match="y_pred holds strings but pos_label=1"):
        demographic_parity_difference([0, 1], ["no", "yes"], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="y_true holds strings but pos_label=1"):
        equal_opportunity_difference(["no", "yes"], [0, 1], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="y_pred is numeric but pos_label='yes'"):
        demographic_parity_difference([0, 1], [0, 1], sensitive_features=[0, 1], pos_label="yes")


# ---------------------------------------------------------------- soft forms


def test_soft_demographic_parity_is_group1_minus_group0():
    proba = np.array([0.9, 0.7, 0.2, 0.4])
    groups = ["b", "b", "a", "a"]  # sorted: a is group 0, b is group 1
    assert soft_demographic_parity(proba, sensitive_features=groups) == pytest.approx(0.8 - 0.3)
    assert soft_demographic_parity(proba, sensitive_features=["a", "a", "b", "b"]) == pytest.approx(-0.5)
    assert soft_demographic_parity(proba, sensitive_features=["a", "a", "b", "b"], absolute=True) == pytest.approx(0.5)
    two_columns = np.column_stack([1 - proba, proba])
    assert soft_demographic_parity(two_columns, sensitive_features=groups) == pytest.approx(0.5)


def test_soft_equal_opportunity_is_loss_gap_on_positives():
    y_true = np.array([1, 1, 0, 1, 1, 0])
    proba = np.array([0.5, 0.25, 0.9, 0.8, 0.4, 0.1])
    groups = np.array([0, 0, 0, 1, 1, 1])
    loss0 = (-np.log(0.5) - np.log(0.25)) / 2
    loss1 = (-np.log(0.8) - np.log(0.4)) / 2
    assert soft_equal_opportunity(y_true, proba, sensitive_features=groups) == pytest.approx(loss1 - loss0)
    assert soft_equal_opportunity(y_true, proba, sensitive_features=groups, absolute=True) == pytest.approx(
        abs(loss1 - loss0)
    )
    # probability 0 on a positive gives a large but finite loss
    assert np.isfinite(soft_equal_opportunity([1, 1], [0.0, 1.0], sensitive_features=[0, 1]))


@SETTINGS
@given(st.lists(st.floats(0, 1), min_size=4, max_size=40), st.integers(0, 2**31))
def test_soft_demographic_parity_range_and_sign_flip(proba, seed):
    proba = np.array(proba)
    groups = np.random.default_rng(seed).integers(0, 2, proba.size)
    groups[0], groups[1] = 0, 1
    gap = soft_demographic_parity(proba, sensitive_features=groups)
    assert -1.0 <= gap <= 1.0
    assert soft_demographic_parity(proba, sensitive_features=1 - groups) == pytest.approx(-gap, abs=1e-12)


def test_soft_metrics_bad_input():
    with pytest.raises(ValueError, match="proba must hold probabilities"):
        soft_demographic_parity([0.5, 1.5], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="proba contains NaN"):
        soft_demographic_parity([0.5, np.nan], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="this soft metric needs exactly 2 protected groups"):
        soft_demographic_parity([0.5, 0.1, 0.2], sensitive_features=[0, 1, 2])
    with pytest.raises(ValueError, match="sensitive_features has 3 entries"):
        soft_demographic_parity([0.5, 0.1], sensitive_features=[0, 1, 1])
    with pytest.raises(ValueError, match="pos_label"):
        soft_equal_opportunity([1, 0], [0.5, 0.5], sensitive_features=[0, 1])
    with pytest.raises(ValueError, match="inconsistent lengths.*y_true=3.*proba=2"):
        soft_equal_opportunity([1, 0, 1], [0.5, 0.5], sensitive_features=[0, 1])
