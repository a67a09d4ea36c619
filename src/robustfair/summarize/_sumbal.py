"""SumBal: proportional representation of groups in a video summary (thesis eq. 3.7)."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np

from .._validation import check_binary_mask, check_group_matrix

__all__ = ["group_balance", "sumbal"]


def _inputs(summary: Any, group_labels: Any) -> tuple[np.ndarray, np.ndarray]:
    s = check_binary_mask(summary, "summary")
    g = check_group_matrix(group_labels, "group_labels", n_frames=s.shape[0], length_name="summary")
    if s.sum() == 0:
        raise ValueError("summary selects no frame; SumBal needs a non-empty summary.")
    return s, g


def group_balance(summary: Any, *, group_labels: Any) -> np.ndarray:
    r"""Per-group balance :math:`\min(R_g, 1/R_g)` of a summary (the terms of eq. 3.7).

    :math:`R_g = (\sum_i H^g_i / n) / (\sum_{j \in S} H^g_j / k)`: the share of frames
    showing group ``g`` in the whole video over its share in the ``k`` summary frames.
    A group present in the video but absent from the summary scores 0. A group absent
    from the whole video has no proportion to keep and scores NaN (it is ignored by
    :func:`sumbal`).

    Parameters
    ----------
    summary : array-like of 0/1, shape (n_frames,)
    group_labels : array-like of 0/1, shape (n_frames, n_groups)
        ``group_labels[i, g] = 1`` when group (or individual) ``g`` appears in frame ``i``;
        a frame may show several groups or none. 1-D group ids are one-hot encoded.

    Returns
    -------
    ndarray of shape (n_groups,), values in [0, 1] (NaN for groups absent from the video).
    """
    s, g = _inputs(summary, group_labels)
    video_share = g.mean(axis=0)
    summary_share = (s.astype(np.float64) @ g) / s.sum()
    out = np.full(g.shape[1], np.nan)
    present = video_share > 0
    both = present & (summary_share > 0)
    ratio = video_share[both] / summary_share[both]
    out[both] = np.minimum(ratio, 1.0 / ratio)
    out[present & ~both] = 0.0
    return out


@overload
def sumbal(summary: Any, *, group_labels: Any, return_violating: Literal[False] = ...) -> float: ...
@overload
def sumbal(summary: Any, *, group_labels: Any, return_violating: Literal[True]) -> tuple[float, int]: ...
def sumbal(summary: Any, *, group_labels: Any, return_violating: bool = False) -> float | tuple[float, int]:
    r"""SumBal of a summary: the worst per-group balance (thesis eq. 3.7).

    .. math::

        \mathrm{SumBal}(S, X, H) = \min_{g} \min\{R(S,X,H^g),\ 1 / R(S,X,H^g)\},\qquad
        R = \frac{\sum_{i=1}^n H^g_i / n}{\sum_{x_j \in S} H^g_j / k}

    Range [0, 1]; 1 means every group (or individual) appears in the summary in exactly
    its share of the whole video, 0 means some group present in the video is missing from
    the summary. Groups absent from the whole video are ignored.

    Parameters
    ----------
    summary : array-like of 0/1, shape (n_frames,)
    group_labels : array-like of 0/1, shape (n_frames, n_groups)
    return_violating : bool, default=False
        Also return the column index of the violating group (the one reaching the minimum;
        the first one on ties).

    Returns
    -------
    float, or (float, int) with ``return_violating=True``.
    """
    per_group = group_balance(summary, group_labels=group_labels)
    if np.isnan(per_group).all():
        raise ValueError("group_labels: no group appears in any frame of the video; SumBal is undefined.")
    worst = int(np.nanargmin(per_group))
    value = float(per_group[worst])
    return (value, worst) if return_violating else value
