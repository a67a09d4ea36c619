"""Figures of ``antidote`` (antidote data for fair clustering, Figure 1 / thesis 3.1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...experiments.antidote import BASELINE
from ._base import figure_for, subplots

__all__ = ["antidote_figures"]


@figure_for("antidote")
def antidote_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Silhouette of the antidote clustering against the fair baseline (Figure 1 / thesis 3.1)."""
    # one query mode per bar: the default (warm-started) records when there are any
    default = [r for r in records if r.get("warm_start") in (None, True)]
    records = default or records
    vals: dict[tuple, dict[str, list[float]]] = {}
    for r in records:
        if r["metric"] in ("silhouette_antidote", "silhouette_baseline") and r.get("value") is not None:
            vals.setdefault((r.get("combination"), r["dataset"]), {}).setdefault(r["metric"], []).append(r["value"])
    figs = []
    for comb in sorted({c for c, _ in vals}, key=str):
        datasets = sorted(d for c, d in vals if c == comb)
        fig, ax = subplots(figsize=(4.8, 3.4))
        x = np.arange(len(datasets))
        for offset, metric, label in (
            (-0.2, "silhouette_antidote", "antidote (ours)"),
            (0.2, "silhouette_baseline", f"fair baseline ({BASELINE.get(int(comb), '?')})"),
        ):
            means = [np.mean(vals[(comb, d)].get(metric, [np.nan])) for d in datasets]
            ax.bar(x + offset, means, width=0.4, label=label)
        ax.set_xticks(x)
        ax.set_xticklabels(datasets)
        ax.set_ylabel("silhouette")
        ax.set_ylim(-1, 1)
        ax.axhline(0, color="k", lw=0.5)
        ax.legend(fontsize=7)
        ax.set_title(f"combination #{comb}", fontsize=10)
        figs.append((f"Combination #{comb}: silhouette of antidote clustering vs the fair baseline", fig))
    return figs
