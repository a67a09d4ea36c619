"""Influence-based data trimming (influence paper Algorithm 2; thesis Algorithm 5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import check_array, check_consistent_length, check_labels, check_n_features, check_positive

__all__ = ["trim", "trim_sweep"]


def _budget(budget: Any, n: int) -> int:
    """An int budget, or a float in (0, 1) read as a fraction of ``n``."""
    if isinstance(budget, float) and 0 < budget < 1:
        return int(np.floor(budget * n))
    return int(check_positive(budget, "budget", strict=False, integer=True))


def trim(influence: Any, budget: int | float) -> np.ndarray:
    """Keep-mask removing up to ``budget`` training points of most negative influence.

    Algorithm 2: sort influences ascending and drop the first ``min(budget, b')``, where
    ``b'`` is the number of strictly negative influences. A point whose removal would
    *raise* the objective (influence >= 0) is never removed, so fewer than ``budget``
    points may go. Ties are broken by index (a stable sort), so the result is
    deterministic.

    Parameters
    ----------
    influence : array of shape (n,)
        Influence of removing each point (negative = removing helps), e.g. one entry of
        :meth:`InfluenceLogisticRegression.influence`.
    budget : int >= 0, or float in (0, 1) as a fraction of n

    Returns
    -------
    keep : bool ndarray of shape (n,)
        ``True`` for the points to keep; ``X[keep]`` is the trimmed set.
    """
    values = check_array(influence, "influence", ndim=1)
    b = _budget(budget, values.shape[0])
    order = np.argsort(values, kind="stable")
    n_negative = int((values < 0).sum())
    keep = np.ones(values.shape[0], dtype=bool)
    keep[order[: min(b, n_negative)]] = False
    return keep


def trim_sweep(
    model: Any,
    X: Any,
    y: Any,
    influence: Any,
    budgets: Sequence[int],
) -> list[tuple[int, np.ndarray, Any]]:
    """Refit ``model`` after trimming each budget in turn, warm-starting every refit.

    ``model`` is a fitted :class:`InfluenceLogisticRegression`; each refit starts from the
    previous budget's parameters (budgets are visited in increasing order), which keeps a
    sweep of many budgets to a few Newton steps each. Refits keep scikit-learn's ``C``
    (the weight of the *summed* loss) fixed, i.e. ``l2`` scales by ``n / n_kept``, so a
    trimmed model is what refitting the same ``LogisticRegression(C=...)`` would give.

    Returns
    -------
    list of ``(budget, keep_mask, fitted_model)`` in increasing budget order.
    """
    from sklearn.base import clone

    from ._logistic import InfluenceLogisticRegression

    if not isinstance(model, InfluenceLogisticRegression) or not hasattr(model, "coef_"):
        raise ValueError(
            f"model must be a fitted InfluenceLogisticRegression; got {type(model).__name__} (fit it first)."
        )
    X = check_n_features(check_array(X, "X"), model.coef_.shape[0], "X")
    y = check_labels(y, "y")
    check_consistent_length(X, y, names=["X", "y"])
    values = check_array(influence, "influence", ndim=1)
    if values.shape[0] != X.shape[0]:
        raise ValueError(f"influence has {values.shape[0]} entries but X has {X.shape[0]} rows.")
    results = []
    theta = model.theta_
    for b in sorted(int(_budget(b, X.shape[0])) for b in budgets):
        keep = trim(values, b)
        refit = clone(model).set_params(l2=model.l2 * X.shape[0] / keep.sum()).fit(X[keep], y[keep], init=theta)
        theta = refit.theta_
        results.append((b, keep, refit))
    return results
