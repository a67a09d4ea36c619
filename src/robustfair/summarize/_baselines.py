"""Reference summaries of thesis Table 3.3: Random and Human."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array, check_binary_mask, check_random_state
from ._protocol import _check_n_frames, generate_summary, summary_capacity

__all__ = ["random_summary", "human_summary", "annotator_agreement"]


def random_summary(
    n_frames: int, *, budget: float = 0.15, change_points: Any = None, random_state: Any = None
) -> np.ndarray:
    """A summary picked at random (the Random row of thesis Table 3.3).

    Without ``change_points``: exactly ``floor(budget * n_frames)`` frames drawn uniformly
    without replacement. With them: shots valued by uniform random scores and chosen by
    the knapsack of the standard protocol.

    Returns
    -------
    ndarray of uint8, shape (n_frames,)
    """
    n_frames = _check_n_frames(n_frames)
    rng = check_random_state(random_state)
    if change_points is not None:
        return generate_summary(rng.random(n_frames), change_points=change_points, n_frames=n_frames, budget=budget)
    k = summary_capacity(n_frames, budget)
    summary = np.zeros(n_frames, dtype=np.uint8)
    summary[rng.choice(n_frames, size=k, replace=False)] = 1
    return summary


def human_summary(ratings: Any, *, change_points: Any, budget: float = 0.15) -> np.ndarray:
    """Knapsack summary of the mean annotated importance (the Human row of Table 3.3).

    Parameters
    ----------
    ratings : array-like of shape (n_frames, n_annotators) or (n_frames,)
        Annotators' scores, or their mean.
    change_points : array-like of shape (n_shots, 2)
    """
    r = np.asarray(ratings)
    mean = check_array(r, "ratings", ndim=2).mean(axis=1) if r.ndim == 2 else check_array(r, "ratings", ndim=1)
    return generate_summary(mean, change_points=change_points, n_frames=mean.shape[0], budget=budget)


def annotator_agreement(user_summary: Any) -> np.ndarray:
    r"""Share of the annotators' summaries that contain each frame (SumMe's ``gt_score``).

    An importance score built from the same annotations as :func:`human_summary`. Among
    summaries of a fixed length ``k`` it ranks them exactly by their F1 against the user
    summaries (``reduce="avg"``) when the users' summaries have one common length ``m``:

    .. math::

        \frac{1}{U}\sum_u F_u(S) = \frac{2}{U (k + m)} \sum_u |S \cap O_u|
        = \frac{2}{k + m} \sum_{j \in S} a_j,\qquad a_j = \frac{1}{U}\sum_u O_{uj}

    so :class:`FairSummarizer` fed ``a`` with ``unit="frame"`` returns the summary of best
    F1 among those meeting its SumBal floor (up to the spread of the users' lengths).
    Mean ratings, in contrast, also reward frames that no annotator's knapsack keeps.

    Parameters
    ----------
    user_summary : array-like of 0/1, shape (n_users, n_frames)

    Returns
    -------
    ndarray of float, shape (n_frames,), values in [0, 1]
    """
    users = np.asarray(user_summary)
    if users.ndim != 2 or users.shape[0] == 0 or users.shape[1] == 0:
        raise ValueError(f"user_summary must be a non-empty 2-D (n_users, n_frames) array; got shape {users.shape}.")
    return check_binary_mask(users.ravel(), "user_summary").reshape(users.shape).mean(axis=0, dtype=np.float64)
