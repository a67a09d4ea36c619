"""Figures of video summarization (thesis 3.2): the fair summarizer's utility-fairness front
(``video-fairness``) and the annotation figures of thesis 3.2.4."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..._validation import check_array, check_group_matrix
from ...experiments.video_fairness import GROUP_TYPES
from ._base import figure_for, subplots

__all__ = [
    "plot_annotator_heatmap",
    "plot_group_violins",
    "plot_importance_with_groups",
    "video_fairness_figures",
]


@figure_for("video-fairness")
def video_fairness_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The utility-fairness front: the fair summarizer's F1 relative to Human against the
    SumBal it reaches, one line per group type as the floor ``tau`` varies (means over the
    TVSum-annotated FairVidSum videos), with Human's own SumBal at F1 ratio 1."""
    human_f1 = [
        r["value"] for r in records if r.get("role") == "figure" and r["method"] == "human" and r["metric"] == "f1"
    ]
    front: dict[tuple, dict[float, dict[str, list[float]]]] = {}
    for r in records:
        if r.get("role") == "figure" and r["method"] == "fair-summarizer":
            cell = front.setdefault((r["group_type"], r.get("importance", "")), {})
            cell.setdefault(float(r["tau"]), {"f1": [], "sumbal": []})[r["metric"]].append(r["value"])
    if not front or not human_f1:
        return []
    base = float(np.mean(human_f1))
    fig, ax = subplots(figsize=(5.4, 3.8))
    colour = {gt: f"C{i}" for i, gt in enumerate(GROUP_TYPES)}
    dashes = {"agreement": "-", "mean-rating": "--"}
    for (gt, importance), by_tau in sorted(front.items()):
        taus = sorted(by_tau)
        xs = [np.mean(by_tau[t]["sumbal"]) for t in taus]
        ys = [np.mean(by_tau[t]["f1"]) / base for t in taus]
        ax.plot(
            xs,
            ys,
            dashes.get(importance, "-") + "o",
            color=colour[gt],
            ms=4,
            label=f"{gt} ({importance})" if importance else gt,
        )
        for t, x, y in zip(taus, xs, ys):
            ax.annotate(f"{t:g}", (x, y), textcoords="offset points", xytext=(3, 3), fontsize=6, color=colour[gt])
    for gt in sorted({gt for gt, _ in front}):
        hb = [
            r["value"]
            for r in records
            if r["method"] == "human"
            and r["metric"] == "sumbal"
            and r.get("group_type") == gt
            and r.get("subset") == "tvsum-annotated"
        ]
        if hb:
            ax.plot([np.mean(hb)], [1.0], "*", color=colour[gt], ms=10)
    ax.axhline(0.9, color="k", lw=0.8, ls=":")
    ax.axvline(0.95, color="k", lw=0.8, ls=":")
    ax.set_xlabel("mean SumBal of the summary (labels: the floor tau; stars: Human)")
    ax.set_ylabel("F1 / Human's F1 (ratio of means)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return [("fair summarizer: utility-fairness front on the TVSum-annotated FairVidSum videos", fig)]


def plot_annotator_heatmap(ratings: Any, *, title: str | None = None) -> Any:
    """Annotator-by-frame heatmap of importance scores (thesis Figure 3.8).

    Parameters
    ----------
    ratings : array-like of shape (n_frames, n_annotators)
    """
    r = check_array(ratings, "ratings", ndim=2)
    fig, ax = subplots(figsize=(8, 0.25 * r.shape[1] + 1.2))
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
    names = list(videos)
    n_cols = max(1, min(int(n_cols), len(names)))
    n_rows = -(-len(names) // n_cols)
    fig, axes = subplots(n_rows, n_cols, figsize=(3.2 * n_cols, 2.6 * n_rows), squeeze=False)
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
    from matplotlib import rcParams

    fig, ax = subplots(figsize=(8, 3))
    frames = np.arange(s.shape[0])
    ax.plot(frames, s, color="black", lw=1, label="mean importance")
    lo, hi = float(s.min()), float(s.max())
    band = (hi - lo or 1.0) * 0.06
    colors = rcParams["axes.prop_cycle"].by_key()["color"]
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
