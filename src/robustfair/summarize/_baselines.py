"""Reference summaries of thesis Table 3.3: Random and Human."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array, check_random_state
from ._protocol import _check_n_frames, generate_summary, summary_capacity

__all__ = ["random_summary", "human_summary"]


def random_summary(n_frames: int, *, budget: float = 0.15, change_points: Any = None,
                   random_state: Any = None) -> np.ndarray:
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
        return generate_summary(rng.random(n_frames), change_points=change_points, n_frames=n_frames,
                                budget=budget)
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
