"""Annotation analysis of thesis 3.2.4: annotator consistency and group-distribution figures.

Figures import matplotlib only when called and return a ``matplotlib.figure.Figure``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import check_array, check_group_matrix

__all__ = [
    "cronbach_alpha",
    "plot_annotator_heatmap",
    "plot_group_violins",
    "plot_importance_with_groups",
]


def cronbach_alpha(ratings: Any) -> float:
    r"""Cronbach's alpha of annotators rating the same frames (thesis 3.2.4.5).

    With ``K`` annotators (the items), :math:`\sigma^2_u` the variance of annotator ``u``'s
    scores over frames and :math:`\sigma^2_T` the variance of the per-frame total:

    .. math:: \alpha = \frac{K}{K-1}\left(1 - \frac{\sum_u \sigma^2_u}{\sigma^2_T}\right)

    At most 1; 1 means perfectly consistent annotators (higher is more consistent; the
    thesis reports 0.995 for FairVidSum, 0.81 for TVSum).

    Parameters
    ----------
    ratings : array-like of shape (n_frames, n_annotators)
    """
    r = check_array(ratings, "ratings", ndim=2, min_samples=2, min_features=2)
    k = r.shape[1]
    item_var = r.var(axis=0, ddof=1).sum()
    total_var = r.sum(axis=1).var(ddof=1)
    if total_var == 0:
        raise ValueError("ratings: the per-frame totals are constant; Cronbach's alpha is undefined.")
    return float(k / (k - 1) * (1.0 - item_var / total_var))


def _plt() -> Any:
    import matplotlib.pyplot as plt

    return plt


def plot_annotator_heatmap(ratings: Any, *, title: str | None = None) -> Any:
    """Annotator-by-frame heatmap of importance scores (thesis Figure 3.8).

    Parameters
    ----------
    ratings : array-like of shape (n_frames, n_annotators)
    """
    r = check_array(ratings, "ratings", ndim=2)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 0.25 * r.shape[1] + 1.2))
    im = ax.imshow(r.T, aspect="auto", interpolation="nearest", cmap="viridis")
    ax.set_xlabel("frame")
    ax.set_ylabel("annotator")
    fig.colorbar(im, ax=ax, label="importance")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_group_violins(
    videos: Mapping[str, Any],
    *,
    group_names: Mapping[str, Sequence[str]] | None = None,
    title: str | None = None,
    n_cols: int = 4,
) -> Any:
    """Violin plots of where each group appears along each video (thesis Figures 3.3-3.6).

    Parameters
    ----------
    videos : mapping of video name -> group-label matrix (n_frames, n_groups)
    group_names : mapping of video name -> column names, optional
    """
    if not videos:
        raise ValueError("videos is empty; pass at least one video's group labels.")
    plt = _plt()
    names = list(videos)
    n_cols = max(1, min(int(n_cols), len(names)))
    n_rows = -(-len(names) // n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.2 * n_cols, 2.6 * n_rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        g = check_group_matrix(videos[name], f"videos[{name!r}]")
        cols = list(group_names[name]) if group_names and name in group_names else [str(i) for i in range(g.shape[1])]
        data = [np.flatnonzero(g[:, j]) for j in range(g.shape[1])]
        keep = [j for j, d in enumerate(data) if d.size > 1]
        if keep:
            ax.violinplot([data[j] for j in keep], positions=range(len(keep)), showmedians=True)
            ax.set_xticks(range(len(keep)))
            ax.set_xticklabels([cols[j] for j in keep], rotation=45, fontsize=7)
        ax.set_title(name, fontsize=9)
        ax.set_ylabel("frame", fontsize=8)
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_importance_with_groups(
    importance: Any, group_labels: Any, *, group_names: Sequence[str] | None = None, title: str | None = None
) -> Any:
    """Mean importance along a video with the frames of each group marked (thesis Figure 3.7)."""
    s = check_array(importance, "importance", ndim=1)
    g = check_group_matrix(group_labels, "group_labels", n_frames=s.shape[0], length_name="importance")
    names = list(group_names) if group_names is not None else [str(i) for i in range(g.shape[1])]
    if len(names) != g.shape[1]:
        raise ValueError(f"group_names has {len(names)} names but group_labels has {g.shape[1]} columns.")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 3))
    frames = np.arange(s.shape[0])
    ax.plot(frames, s, color="black", lw=1, label="mean importance")
    lo, hi = float(s.min()), float(s.max())
    band = (hi - lo or 1.0) * 0.06
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, name in enumerate(names):
        base = lo - band * (j + 1.5)
        ax.fill_between(
            frames, base, base + band * 0.8, where=g[:, j] > 0, color=colors[j % len(colors)], step="mid", label=name
        )
    ax.set_xlabel("frame")
    ax.set_ylabel("importance")
    ax.legend(fontsize=7, ncol=min(len(names) + 1, 6), loc="upper right")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
