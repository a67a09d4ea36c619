"""Bad input raises a ValueError that names the argument, for every public metric.

The project's rule (STYLE.md): a bad argument gets a clear ``ValueError`` naming it. Each case
passes one malformed argument and matches its name as a whole word, so a message naming the
wrong argument (``check_labels(labels, "y_true")``) or a mangled one fails. Mutation testing
found these names unchecked (docs/testing.md).
"""

import re

import numpy as np
import pytest

from robustfair import metrics as M

rng = np.random.default_rng(0)
N = 12
LAB = np.tile([0, 1, 2], 4)
GRP = np.repeat([0, 1], 6)
Y01 = np.tile([0, 1], 6)
PROBA = np.linspace(0.1, 0.9, N)
X = rng.normal(size=(N, 2))
CENTERS = rng.normal(size=(3, 2))
TWO_D = np.zeros((N, 2), dtype=int)
SHORT = np.zeros(N - 1, dtype=int)

# function, keyword arguments (positional ones by name), the argument to break
CASES = [
    (M.balance, {"labels": LAB, "sensitive_features": GRP}),
    (M.count_ratio_balance, {"labels": LAB, "sensitive_features": GRP}),
    (M.fairness_entropy, {"labels": LAB, "sensitive_features": GRP}),
    (M.group_breakdown, {"labels": LAB, "sensitive_features": GRP}),
    (M.optimal_count_ratio_balance, {"sensitive_features": GRP}),
    (M.social_fairness_cost, {"X": X, "centers": CENTERS, "sensitive_features": GRP}),
    (M.balance_cost, {"X": X, "centers": CENTERS, "sensitive_features": GRP}),
    (M.demographic_parity_difference, {"y_true": Y01, "y_pred": Y01, "sensitive_features": GRP}),
    (M.demographic_parity_ratio, {"y_true": Y01, "y_pred": Y01, "sensitive_features": GRP}),
    (M.equal_opportunity_difference, {"y_true": Y01, "y_pred": Y01, "sensitive_features": GRP}),
    (M.soft_demographic_parity, {"proba": PROBA, "sensitive_features": GRP}),
    (M.soft_equal_opportunity, {"y_true": Y01, "proba": PROBA, "sensitive_features": GRP}),
    (M.clustering_accuracy, {"y_true": Y01, "labels": LAB}),
    (M.normalized_mutual_info, {"y_true": Y01, "labels": LAB}),
    (M.adjusted_rand, {"y_true": Y01, "labels": LAB}),
    (M.silhouette, {"X": X, "labels": LAB}),
    (M.calinski_harabasz, {"X": X, "labels": LAB}),
    (M.davies_bouldin, {"X": X, "labels": LAB}),
    (M.clustering_by_group, {"labels": LAB, "sensitive_features": GRP, "X": X, "centers": CENTERS, "y_true": Y01}),
    (M.classification_by_group, {"y_true": Y01, "y_pred": Y01, "sensitive_features": GRP}),
]
POSITIONAL = {"labels", "y_true", "y_pred", "proba", "X", "centers"}


def _call(fn, kwargs):
    import inspect

    params = inspect.signature(fn).parameters
    args = [kwargs[p] for p, v in params.items() if v.kind is v.POSITIONAL_OR_KEYWORD and p in kwargs]
    kw = {k: v for k, v in kwargs.items() if params[k].kind is params[k].KEYWORD_ONLY}
    return fn(*args, **kw)


def _bad_shape(name):
    if name == "X":
        return np.zeros(N)  # 1-D features
    if name == "proba":
        return np.full((N, 3), 1 / 3)  # (n, 2) predict_proba output is accepted; three columns are not
    if name == "centers":
        return np.zeros((3, 5))  # wrong number of features
    return TWO_D


SHAPE_CASES = [(fn, kw, name) for fn, kw in CASES for name in kw]
LENGTH_CASES = [(fn, kw, name) for fn, kw in CASES for name in kw if name != "centers" and len(kw) > 1]


@pytest.mark.parametrize("fn, kwargs, name", SHAPE_CASES, ids=[f"{f.__name__}-{n}" for f, _, n in SHAPE_CASES])
def test_a_malformed_argument_is_named_in_the_error(fn, kwargs, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        _call(fn, {**kwargs, name: _bad_shape(name)})


@pytest.mark.parametrize("fn, kwargs, name", LENGTH_CASES, ids=[f"{f.__name__}-{n}" for f, _, n in LENGTH_CASES])
def test_a_length_mismatch_names_the_short_argument_with_its_length(fn, kwargs, name):
    short = X[:-1] if name == "X" else SHORT
    with pytest.raises(ValueError) as err:
        _call(fn, {**kwargs, name: short})
    message = str(err.value)
    # Two message forms: "labels=12, sensitive_features=11" and "sensitive_features has 11
    # entries but the predictions have 12"; either names the argument and both lengths.
    assert re.search(rf"\b{N - 1}\b", message) and re.search(rf"\b{N}\b", message), message
    named = rf"\b{name}\b" if name == "sensitive_features" or "predictions" not in message else r"\bpredictions\b"
    assert re.search(named, message), message


def _with_nan(name, value):
    bad = np.asarray(value, dtype=float).copy()
    bad.flat[0] = np.nan
    return bad


NAN_CASES = [(fn, kw, name) for fn, kw in CASES for name in kw]


@pytest.mark.parametrize("fn, kwargs, name", NAN_CASES, ids=[f"{f.__name__}-{n}" for f, _, n in NAN_CASES])
def test_a_nan_entry_is_named_in_the_error(fn, kwargs, name):
    # Second mutation run: the names passed to check_array / check_labels / _encode for the
    # non-finite check (not the shape check above) could be dropped or set to None unnoticed.
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        _call(fn, {**kwargs, name: _with_nan(name, kwargs[name])})

