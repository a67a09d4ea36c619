"""Group fairness of a classifier: demographic parity and equal opportunity, hard and soft.

The hard metrics match ``fairlearn.metrics`` (``demographic_parity_difference``,
``demographic_parity_ratio``, ``equal_opportunity_difference``) to floating-point
precision; the soft forms are the differentiable quantities whose influence
``influence-based-data-selection.txt`` computes (eq. 2 and Appendix A).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from robustfair._validation import (
    check_array,
    check_choice,
    check_consistent_length,
    check_group_labels,
    check_labels,
    check_n_groups,
    check_two_groups,
)
from robustfair.metrics._fairness import _encode

__all__ = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "soft_demographic_parity",
    "soft_equal_opportunity",
]

_METHODS = ["between_groups", "to_overall"]


def _groups(sensitive_features: Any, n: int, min_groups: int = 2) -> tuple[np.ndarray, np.ndarray]:
    grp = check_group_labels(sensitive_features, "sensitive_features")
    if grp.shape[0] != n:
        raise ValueError(
            f"sensitive_features has {grp.shape[0]} entries but the predictions have {n}; they must match."
        )
    codes, values = _encode(grp, "sensitive_features")
    check_n_groups(values.shape[0], "sensitive_features", min_groups)
    return codes, values


def _group_rates(hit: np.ndarray, codes: np.ndarray, n_groups: int, mask: np.ndarray | None = None):
    """Per-group mean of the 0/1 array ``hit`` over the samples in ``mask``; 0 for empty groups."""
    weights = hit.astype(np.float64) if mask is None else (hit & mask).astype(np.float64)
    total = np.bincount(codes, minlength=n_groups) if mask is None else np.bincount(codes[mask], minlength=n_groups)
    num = np.bincount(codes, weights=weights, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(total > 0, num / np.maximum(total, 1), 0.0)
    overall_total = total.sum()
    overall = num.sum() / overall_total if overall_total > 0 else 0.0
    return rates, overall


def _aggregate(rates: np.ndarray, overall: float, method: str, kind: str) -> float:
    if kind == "difference":
        if method == "between_groups":
            return float(rates.max() - rates.min())
        return float(np.abs(rates - overall).max())
    if rates.max() == 0:  # nobody selected anywhere: every group is treated alike
        return 1.0
    if method == "between_groups":
        return float(rates.min() / rates.max())
    ratios = rates / overall
    with np.errstate(divide="ignore"):  # 1/0 only where the ratio 0 is kept
        return float(np.where(ratios > 1, 1 / ratios, ratios).min())


def _check_pos_label(y: np.ndarray, pos_label: Any, name: str) -> None:
    """Catch the silent all-zero rate of comparing string labels with a numeric pos_label."""
    is_text_label = isinstance(pos_label, (str, bytes, np.str_, np.bytes_))
    if y.dtype.kind in "US" and not is_text_label:
        raise ValueError(
            f"{name} holds strings but pos_label={pos_label!r} is not one; pass pos_label=<the positive value>."
        )
    if y.dtype.kind in "iufb" and is_text_label:
        raise ValueError(f"{name} is numeric but pos_label={pos_label!r} is a string; pass the positive value itself.")


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true = check_labels(y_true, "y_true")
    y_pred = check_labels(y_pred, "y_pred")
    check_consistent_length(y_true, y_pred, names=["y_true", "y_pred"])
    return y_true, y_pred


def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Literal["between_groups", "to_overall"] = "between_groups",
    pos_label: Any = 1,
) -> float:
    r"""Demographic parity difference: spread of the selection rate across groups.

    With the selection rate :math:`s_a = P[h(X) = \text{pos\_label} \mid A = a]`,
    ``"between_groups"`` returns :math:`\max_a s_a - \min_a s_a` and ``"to_overall"``
    returns :math:`\max_a |s_a - s|` where :math:`s` is the overall selection rate.
    Equals ``fairlearn.metrics.demographic_parity_difference`` (Dwork et al. 2012).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Ground truth; only checked for length (the selection rate ignores it).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sensitive_features : array-like of shape (n_samples,)
        Protected group of each sample; at least two groups.
    method : {"between_groups", "to_overall"}, default="between_groups"
    pos_label : scalar, default=1
        The predicted value that counts as selected.

    Returns
    -------
    float
        In :math:`[0, 1]`; 0 means all groups have the same selection rate.
    """
    check_choice(method, _METHODS, "method")
    _, y_pred = _check_pair(y_true, y_pred)
    _check_pos_label(y_pred, pos_label, "y_pred")
    codes, groups = _groups(sensitive_features, y_pred.shape[0])
    rates, overall = _group_rates(y_pred == pos_label, codes, groups.shape[0])
    return _aggregate(rates, overall, method, "difference")


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Literal["between_groups", "to_overall"] = "between_groups",
    pos_label: Any = 1,
) -> float:
    r"""Demographic parity ratio: smallest over largest group selection rate.

    ``"between_groups"``: :math:`\min_a s_a / \max_a s_a`; ``"to_overall"``:
    :math:`\min_a \min(s_a / s, s / s_a)`. Equals
    ``fairlearn.metrics.demographic_parity_ratio``.

    Returns
    -------
    float
        In :math:`[0, 1]`; 1 means all groups have the same selection rate (also returned
        when no sample is selected, where Fairlearn gives NaN).
    """
    check_choice(method, _METHODS, "method")
    _, y_pred = _check_pair(y_true, y_pred)
    _check_pos_label(y_pred, pos_label, "y_pred")
    codes, groups = _groups(sensitive_features, y_pred.shape[0])
    rates, overall = _group_rates(y_pred == pos_label, codes, groups.shape[0])
    return _aggregate(rates, overall, method, "ratio")


def equal_opportunity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    pos_label: Any = 1,
    method: Literal["between_groups", "to_overall"] = "between_groups",
) -> float:
    r"""Equal opportunity difference: spread of the true positive rate across groups.

    With :math:`\mathrm{TPR}_a = P[h(X) = \text{pos} \mid Y = \text{pos}, A = a]`,
    ``"between_groups"`` returns :math:`\max_a \mathrm{TPR}_a - \min_a \mathrm{TPR}_a`
    (Hardt et al. 2016), ``"to_overall"`` :math:`\max_a |\mathrm{TPR}_a - \mathrm{TPR}|`.
    A group without positive samples has TPR 0, as in Fairlearn. Equals
    ``fairlearn.metrics.equal_opportunity_difference`` (= ``true_positive_rate_difference``).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels; ``pos_label`` is the positive class (one-vs-rest for
        more than two classes).
    sensitive_features : array-like of shape (n_samples,)
    pos_label : scalar, default=1
    method : {"between_groups", "to_overall"}, default="between_groups"

    Returns
    -------
    float
        In :math:`[0, 1]`; 0 means all groups have the same true positive rate.
    """
    check_choice(method, _METHODS, "method")
    y_true, y_pred = _check_pair(y_true, y_pred)
    _check_pos_label(y_true, pos_label, "y_true")
    _check_pos_label(y_pred, pos_label, "y_pred")
    codes, groups = _groups(sensitive_features, y_pred.shape[0])
    positive = np.asarray(y_true == pos_label)
    rates, overall = _group_rates(np.asarray(y_pred == pos_label), codes, groups.shape[0], mask=positive)
    return _aggregate(rates, overall, method, "difference")


def _check_proba(proba: Any, name: str = "proba") -> np.ndarray:
    p = np.asarray(proba)
    if p.ndim == 2 and p.shape[1] == 2:
        p = p[:, 1]  # predict_proba output: probability of the positive class
    p = check_array(p, name, ndim=1)
    if (p < 0).any() or (p > 1).any():
        raise ValueError(f"{name} must hold probabilities in [0, 1]; got values in [{p.min()}, {p.max()}].")
    return p


def _two_groups(sensitive_features: Any, n: int) -> np.ndarray:
    codes, groups = _groups(sensitive_features, n)
    check_two_groups(groups, "this soft metric")
    return codes


def soft_demographic_parity(proba: Any, *, sensitive_features: Any, absolute: bool = False) -> float:
    r"""Soft demographic parity: gap in mean predicted probability between two groups.

    .. math:: f_{DP}(\theta, V) = E_V[\hat y \mid g = 1] - E_V[\hat y \mid g = 0]

    where :math:`\hat y` is the predicted probability of the positive class and groups
    ``0`` and ``1`` are the first and second group id in sorted order. Source:
    ``influence-based-data-selection.txt`` section 2 (eq. 2, "Measuring influence on
    fairness").

    Parameters
    ----------
    proba : array-like of shape (n_samples,) or (n_samples, 2)
        Probability of the positive class (``predict_proba`` output is accepted).
    sensitive_features : array-like of shape (n_samples,)
        Exactly two groups.
    absolute : bool, default=False
        Return :math:`|f_{DP}|`, the gap regardless of which group is favoured.

    Returns
    -------
    float
        In :math:`[-1, 1]` (``[0, 1]`` with ``absolute=True``); 0 is fair; positive means
        the second group in sorted order gets higher predicted probabilities.
    """
    p = _check_proba(proba)
    codes = _two_groups(sensitive_features, p.shape[0])
    means = np.bincount(codes, weights=p, minlength=2) / np.bincount(codes, minlength=2)
    gap = float(means[1] - means[0])
    return abs(gap) if absolute else gap


def soft_equal_opportunity(
    y_true: Any,
    proba: Any,
    *,
    sensitive_features: Any,
    pos_label: Any = 1,
    absolute: bool = False,
) -> float:
    r"""Soft equal opportunity: gap in mean logistic loss on the positives of two groups.

    .. math:: f_{EOP}(\theta, V) = E_V[\ell(x, y; \theta) \mid y = 1, g = 1]
              - E_V[\ell(x, y; \theta) \mid y = 1, g = 0]

    with :math:`\ell = -\log \hat y` the logistic (cross-entropy) loss of a positive
    sample, :math:`\hat y` clipped to :math:`[\epsilon, 1]` with machine epsilon so the
    loss stays finite. Groups ``0`` and ``1`` are the first and second group id in sorted
    order. Source: ``influence-based-data-selection.txt`` Appendix A.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels; samples equal to ``pos_label`` are the positives.
    proba : array-like of shape (n_samples,) or (n_samples, 2)
        Predicted probability of the positive class.
    sensitive_features : array-like of shape (n_samples,)
        Exactly two groups, each with at least one positive sample.
    absolute : bool, default=False
        Return :math:`|f_{EOP}|`.

    Returns
    -------
    float
        0 is fair; positive means the positives of the second group (sorted order) have a
        higher mean loss, i.e. the classifier serves them worse.
    """
    y_true = check_labels(y_true, "y_true")
    _check_pos_label(y_true, pos_label, "y_true")
    p = _check_proba(proba)
    check_consistent_length(y_true, p, names=["y_true", "proba"])
    codes = _two_groups(sensitive_features, p.shape[0])
    positive = np.asarray(y_true == pos_label)
    n_pos = np.bincount(codes[positive], minlength=2)
    if (n_pos == 0).any():
        raise ValueError(
            f"y_true has no sample equal to pos_label={pos_label!r} in one of the two groups; "
            "equal opportunity needs positives in both."
        )
    loss = -np.log(np.clip(p[positive], np.finfo(np.float64).eps, 1.0))
    means = np.bincount(codes[positive], weights=loss, minlength=2) / n_pos
    gap = float(means[1] - means[0])
    return abs(gap) if absolute else gap
