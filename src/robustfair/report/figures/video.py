"""Figures of ``video-fairness`` (thesis 3.2): the fair summarizer's utility-fairness front."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...experiments.video_fairness import GROUP_TYPES
from ._base import figure_for, subplots

__all__ = ["video_fairness_figures"]


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
