"""Selection strategies built on influence: active learning and online trimming.

* :func:`influence_active_learning` (influence paper Section 5.5): an
  :class:`InfluenceTree` fitted *without labels* on the labeled set's influence predicts
  the influence of unlabeled pool points; each round the ``per_round`` highest-influence
  points (those whose presence helps validation loss most) are sent for labeling.
* :func:`online_trimming` (Section 5.4, Appendix C.3): streaming batches; on each batch a
  fresh logistic-regression surrogate gives every point's influence on the validation
  loss, the most harmful ``budget`` points are trimmed, and the online model
  (``SGDClassifier``: logistic regression or linear SVM) takes a ``partial_fit`` step on
  the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._validation import check_array, check_consistent_length, check_positive
from ._logistic import InfluenceLogisticRegression
from ._tree import InfluenceTree
from ._trim import trim

__all__ = ["active_learning_round", "influence_active_learning", "online_trimming"]


def active_learning_round(
    X_labeled: Any,
    y_labeled: Any,
    X_pool: Any,
    X_val: Any,
    y_val: Any,
    *,
    k: int = 10,
    l2: float = 1e-3,
    tree_reg_param: float = 1.0,
    max_depth: int | None = 6,
    objective: str = "utility",
    sensitive_features: Any = None,
    available: Any = None,
) -> np.ndarray:
    """Indices into ``X_pool`` of the ``k`` unlabeled points with the highest predicted influence.

    A surrogate :class:`InfluenceLogisticRegression` is fitted on the labeled set, its
    points' influence on ``objective`` over the validation set is computed, and an
    :class:`InfluenceTree` with ``use_labels=False`` learns ``x -> influence``. Positive
    influence means removing the point would hurt, so the highest predicted values are the
    most useful points to add. Deterministic for the same input.

    ``available`` is a boolean mask of pool points still unlabeled (default: all).
    """
    X_labeled = check_array(X_labeled, "X_labeled")
    X_pool = check_array(X_pool, "X_pool")
    k = int(check_positive(k, "k", integer=True))
    model = InfluenceLogisticRegression(l2=l2).fit(X_labeled, y_labeled)
    scores = model.influence(
        X_labeled, y_labeled, X_val, y_val, objectives=objective, sensitive_features=sensitive_features
    )[objective]
    tree = InfluenceTree(tree_reg_param, max_depth=max_depth, use_labels=False, random_state=0)
    predicted = tree.fit(X_labeled, influence=scores).predict(X_pool)
    mask = np.ones(X_pool.shape[0], dtype=bool) if available is None else np.asarray(available, dtype=bool)
    candidates = np.flatnonzero(mask)
    if candidates.shape[0] == 0:
        raise ValueError("the pool has no unlabeled points left.")
    # Stable sort on -predicted: ties go to the lower index, so runs are reproducible.
    order = np.argsort(-predicted[candidates], kind="stable")
    return candidates[order[:k]]


def influence_active_learning(
    X_init: Any,
    y_init: Any,
    X_pool: Any,
    y_pool: Any,
    X_val: Any,
    y_val: Any,
    *,
    n_rounds: int = 10,
    per_round: int = 10,
    **round_options: Any,
) -> list[np.ndarray]:
    """Run ``n_rounds`` of :func:`active_learning_round`, labeling from ``y_pool`` (the oracle).

    Returns the pool indices chosen in each round.
    """
    X_init, X_pool = check_array(X_init, "X_init"), check_array(X_pool, "X_pool")
    y_init, y_pool = np.asarray(y_init), np.asarray(y_pool)
    check_consistent_length(X_pool, y_pool, names=["X_pool", "y_pool"])
    available = np.ones(X_pool.shape[0], dtype=bool)
    X_lab, y_lab = X_init, y_init
    chosen: list[np.ndarray] = []
    for _ in range(int(check_positive(n_rounds, "n_rounds", integer=True))):
        picked = active_learning_round(
            X_lab, y_lab, X_pool, X_val, y_val, k=per_round, available=available, **round_options
        )
        available[picked] = False
        X_lab = np.vstack([X_lab, X_pool[picked]])
        y_lab = np.concatenate([y_lab, y_pool[picked]])
        chosen.append(picked)
    return chosen


def online_trimming(
    model: Any,
    batches: Iterable[tuple[Any, Any]],
    X_val: Any,
    y_val: Any,
    *,
    budget: float = 0.1,
    l2: float = 1e-3,
    objective: str = "utility",
    sensitive_features: Any = None,
    classes: Any = None,
    trim_batches: bool = True,
) -> tuple[Any, list[int]]:
    """Train an online ``model`` on streaming ``batches``, trimming each by influence first.

    Parameters
    ----------
    model : estimator with ``partial_fit`` (e.g. ``SGDClassifier(loss="log_loss")`` or
        ``SGDClassifier(loss="hinge")`` for a linear SVM).
    batches : iterable of ``(X_batch, y_batch)``
    budget : float in (0, 1) or int
        Points trimmed per batch (paper: 10% of the batch).
    trim_batches : bool
        ``False`` trains on the raw batches (the no-trimming baseline) with the same code.

    Returns
    -------
    model, and the number of points removed from each batch.
    """
    removed: list[int] = []
    for X_b, y_b in batches:
        X_b = check_array(X_b, "X_batch")
        y_b = np.asarray(y_b)
        keep = np.ones(X_b.shape[0], dtype=bool)
        if trim_batches and np.unique(y_b).shape[0] == 2:
            # Appendix C.3: a new surrogate per batch; influence is per batch.
            surrogate = InfluenceLogisticRegression(l2=l2).fit(X_b, y_b)
            scores = surrogate.influence(
                X_b, y_b, X_val, y_val, objectives=objective, sensitive_features=sensitive_features
            )[objective]
            keep = trim(scores, budget)
        model.partial_fit(X_b[keep], y_b[keep], classes=classes if classes is not None else np.unique(y_b))
        removed.append(int((~keep).sum()))
    return model, removed
