"""The standard video-summarization evaluation protocol (thesis 3.2.2.3).

Scores predicted on sub-sampled frames (``picks``) are spread back to every frame, averaged
over shots (``change_points``), a 0/1 knapsack picks the shots that fit in ``budget`` of the
video, and the resulting frame mask is compared with each user summary by the F1 measure
(eq. 3.6), reduced by ``"avg"`` (TVSum) or ``"max"`` (SumMe). This follows the evaluation
code shared by VASNet, PGL-SUM and CA-SUM (the "eccv16" ``.h5`` convention).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal

import numpy as np

from .._validation import check_array, check_binary_mask, check_choice, check_fraction

__all__ = [
    "upsample_scores",
    "shot_scores",
    "knapsack",
    "summary_capacity",
    "generate_summary",
    "f1_score",
    "uniform_change_points",
    "user_summaries_from_ratings",
]


def _check_budget(budget: Any) -> float:
    return check_fraction(budget, "budget", low=0.0, high=1.0, inclusive_low=False, inclusive_high=False)


def _check_n_frames(n_frames: Any, name: str = "n_frames") -> int:
    if not isinstance(n_frames, numbers.Integral) or isinstance(n_frames, bool) or n_frames < 1:
        raise ValueError(f"{name} must be a positive int; got {n_frames!r}.")
    return int(n_frames)


def summary_capacity(n_frames: int, budget: float = 0.15) -> int:
    """Largest summary length in frames: ``floor(budget * n_frames)``.

    The tiny guard absorbs binary round-off (``0.15 * 20`` is ``3.0000000000000004``, but
    ``0.15 * 100`` must stay 15).
    """
    n_frames = _check_n_frames(n_frames)
    budget = _check_budget(budget)
    return int(math.floor(n_frames * budget + 1e-9))


def check_change_points(change_points: Any, n_frames: int, name: str = "change_points") -> np.ndarray:
    """Validate shots as an ``(n_shots, 2)`` int array of inclusive ``[start, end]`` frames."""
    arr = check_array(change_points, name, ndim=2, dtype=np.float64)
    if arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n_shots, 2) of inclusive [start, end] frames; got {arr.shape}.")
    if not np.array_equal(arr, np.round(arr)):
        raise ValueError(f"{name} must hold integer frame indices.")
    cp = arr.astype(np.int64)
    if (cp[:, 1] < cp[:, 0]).any() or cp.min() < 0 or cp.max() >= n_frames:
        raise ValueError(f"{name} must hold shots with 0 <= start <= end < n_frames ({n_frames}).")
    return cp


def upsample_scores(scores: Any, *, picks: Any, n_frames: int) -> np.ndarray:
    """Spread scores of sub-sampled frames to every frame of the original video.

    Frame ``f`` gets the score of the last pick at or before it (picks ``p_i <= f <
    p_{i+1}``), as in the eccv16 evaluation code; frames before the first pick get 0.

    Parameters
    ----------
    scores : array-like of shape (n_steps,)
    picks : array-like of int, shape (n_steps,)
        Increasing frame indices of the sub-sampled frames.
    n_frames : int
        Number of frames of the original video.
    """
    n_frames = _check_n_frames(n_frames)
    scores = check_array(scores, "scores", ndim=1)
    picks = check_array(picks, "picks", ndim=1)
    if picks.shape[0] != scores.shape[0]:
        raise ValueError(f"picks has {picks.shape[0]} entries but scores has {scores.shape[0]}; they must match.")
    picks = picks.astype(np.int64)
    if (np.diff(picks) <= 0).any() or picks[0] < 0 or picks[-1] >= n_frames:
        raise ValueError(f"picks must be increasing frame indices in [0, {n_frames}).")
    owner = np.searchsorted(picks, np.arange(n_frames), side="right") - 1
    out = np.zeros(n_frames)
    valid = owner >= 0
    out[valid] = scores[owner[valid]]
    return out


def shot_scores(frame_scores: Any, *, change_points: Any) -> np.ndarray:
    """Mean frame score of each shot (the knapsack value of a shot)."""
    frame_scores = check_array(frame_scores, "frame_scores", ndim=1)
    cp = check_change_points(change_points, frame_scores.shape[0])
    csum = np.concatenate([[0.0], np.cumsum(frame_scores)])
    return (csum[cp[:, 1] + 1] - csum[cp[:, 0]]) / (cp[:, 1] - cp[:, 0] + 1)


def knapsack(values: Any, weights: Any, capacity: int) -> np.ndarray:
    """Exact 0/1 knapsack: indices of the items of largest total value within ``capacity``.

    Dynamic programming over integer capacities (weights must be integers, so no float
    weights are ever rounded): ``best[w]`` is the best value with total weight at most ``w``.
    An item is taken only when it strictly improves the value, so ties keep the earlier
    items, as the eccv16 reference implementation does. Time and memory ``O(n_items *
    capacity)`` (one bit per cell for the backtrack); the capacity loop is vectorized.

    Returns
    -------
    ndarray of int64
        Sorted indices of the selected items.
    """
    values = check_array(values, "values", ndim=1)
    w = check_array(weights, "weights", ndim=1)
    if w.shape[0] != values.shape[0]:
        raise ValueError(f"weights has {w.shape[0]} entries but values has {values.shape[0]}; they must match.")
    if not np.array_equal(w, np.round(w)) or (w < 0).any():
        raise ValueError("weights must be non-negative integers (frame counts); round them before calling.")
    if not isinstance(capacity, numbers.Integral) or isinstance(capacity, bool) or capacity < 0:
        raise ValueError(f"capacity must be a non-negative int; got {capacity!r}.")
    w = w.astype(np.int64)
    capacity = int(capacity)
    n = values.shape[0]
    best = np.zeros(capacity + 1)
    take = np.zeros((n, capacity + 1), dtype=bool)
    # Items are processed in order; each row depends on the previous one, so this loop
    # over items cannot be vectorized (the capacity axis is).
    for i in range(n):
        wi, vi = w[i], values[i]
        if wi > capacity or vi <= 0.0:
            continue
        cand = best[: capacity + 1 - wi] + vi
        better = cand > best[wi:]
        take[i, wi:] = better
        best[wi:] = np.where(better, cand, best[wi:])
    selected = []
    cap = capacity
    for i in range(n - 1, -1, -1):
        if take[i, cap]:
            selected.append(i)
            cap -= w[i]
    return np.array(sorted(selected), dtype=np.int64)


def generate_summary(
    scores: Any, *, change_points: Any, n_frames: int, picks: Any = None, budget: float = 0.15
) -> np.ndarray:
    """Frame mask of the shots a knapsack picks from predicted scores.

    Parameters
    ----------
    scores : array-like
        One score per sub-sampled frame (with ``picks``) or per frame (``picks=None``).
    change_points : array-like of shape (n_shots, 2)
        Inclusive ``[start, end]`` frame indices of each shot.
    n_frames : int
    picks : array-like, optional
        Frame indices of the scored frames.
    budget : float in (0, 1), default=0.15
        Summary length as a fraction of the video.

    Returns
    -------
    ndarray of uint8, shape (n_frames,)
        1 where a frame is in the summary.
    """
    n_frames = _check_n_frames(n_frames)
    capacity = summary_capacity(n_frames, budget)
    if picks is None:
        frame_scores = check_array(scores, "scores", ndim=1)
        if frame_scores.shape[0] != n_frames:
            raise ValueError(
                f"scores has {frame_scores.shape[0]} entries but n_frames is {n_frames}; pass picks "
                "for scores of sub-sampled frames."
            )
    else:
        frame_scores = upsample_scores(scores, picks=picks, n_frames=n_frames)
    cp = check_change_points(change_points, n_frames)
    values = shot_scores(frame_scores, change_points=cp)
    lengths = cp[:, 1] - cp[:, 0] + 1
    chosen = knapsack(values, lengths, capacity)
    summary = np.zeros(n_frames, dtype=np.uint8)
    for s in chosen:  # few shots; each sets one slice
        summary[cp[s, 0] : cp[s, 1] + 1] = 1
    return summary


def f1_score(summary: Any, user_summary: Any, *, reduce: Literal["avg", "max"] = "avg") -> float:
    r"""F1 overlap of a summary with user summaries (thesis eq. 3.6, with :math:`\beta = 1`).

    For each user ``u``: precision :math:`p_u = |S \cap O_u| / |S|`, recall
    :math:`r_u = |S \cap O_u| / |O_u|`, :math:`F_u = 2 p_u r_u / (p_u + r_u)` (0 when
    the overlap is empty). ``reduce="avg"`` averages over users (TVSum protocol),
    ``"max"`` keeps the best (SumMe). Range [0, 1]; 1 means identical summaries.

    Parameters
    ----------
    summary : array-like of 0/1, shape (n_frames,)
    user_summary : array-like of 0/1, shape (n_users, n_frames) or (n_frames,)
    """
    reduce = check_choice(reduce, ("avg", "max"), "reduce")
    s = check_binary_mask(summary, "summary").astype(np.int64)
    users = np.asarray(user_summary)
    if users.ndim == 1:
        users = users[None, :]
    if users.ndim != 2:
        raise ValueError(f"user_summary must be 2-D (n_users, n_frames); got shape {users.shape}.")
    if users.shape[1] != s.shape[0]:
        raise ValueError(f"user_summary has {users.shape[1]} frames but summary has {s.shape[0]}; they must match.")
    if users.shape[0] == 0:
        raise ValueError("user_summary holds no user.")
    users = np.stack([check_binary_mask(u, "user_summary") for u in users]).astype(np.int64)
    overlap = users @ s
    n_sel = s.sum()
    n_user = users.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(n_sel > 0, overlap / max(n_sel, 1), 0.0)
        recall = np.where(n_user > 0, overlap / np.maximum(n_user, 1), 0.0)
        f = np.where(overlap > 0, 2 * precision * recall / (precision + recall), 0.0)
    return float(f.mean() if reduce == "avg" else f.max())


def uniform_change_points(n_frames: int, *, shot_length: int) -> np.ndarray:
    """Shots of ``shot_length`` frames (the last one shorter), for videos without change points."""
    n_frames = _check_n_frames(n_frames)
    shot_length = _check_n_frames(shot_length, "shot_length")
    starts = np.arange(0, n_frames, shot_length)
    return np.stack([starts, np.minimum(starts + shot_length, n_frames) - 1], axis=1)


def user_summaries_from_ratings(ratings: Any, *, change_points: Any, budget: float = 0.15) -> np.ndarray:
    """One knapsack summary per annotator (how TVSum user summaries are made).

    Parameters
    ----------
    ratings : array-like of shape (n_frames, n_annotators)
        Importance scores of each annotator.

    Returns
    -------
    ndarray of uint8, shape (n_annotators, n_frames)
    """
    r = check_array(ratings, "ratings", ndim=2)
    return np.stack(
        [
            generate_summary(r[:, u], change_points=change_points, n_frames=r.shape[0], budget=budget)
            for u in range(r.shape[1])
        ]
    )
