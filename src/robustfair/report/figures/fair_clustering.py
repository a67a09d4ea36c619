"""Figures of ``fair-clustering``: fairness against utility of the fair clustering suite."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import figure_for, subplots

__all__ = ["fair_clustering_figures"]


@figure_for("fair-clustering")
def fair_clustering_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Balance against NMI per method and dataset (mean ± sd over seeds)."""
    by: dict[tuple, dict[str, list[float]]] = {}
    for r in records:
        by.setdefault((r["dataset"], r["method"]), {}).setdefault(r["metric"], []).append(r["value"])
    figs = []
    # a dataset without class labels has no NMI: nothing to draw for it
    for dataset in sorted({d for (d, _), vals in by.items() if "nmi" in vals and "balance" in vals}):
        fig, ax = subplots(figsize=(4.8, 3.6))
        for (d, method), vals in sorted(by.items()):
            if d != dataset or "nmi" not in vals or "balance" not in vals:
                continue
            x, y = np.mean(vals["nmi"]), np.mean(vals["balance"])
            ax.errorbar(x, y, xerr=np.std(vals["nmi"]), yerr=np.std(vals["balance"]), fmt="o", capsize=3, label=method)
        ax.set_xlabel("NMI")
        ax.set_ylabel("balance")
        ax.set_ylim(-0.02, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        ax.set_title(dataset, fontsize=10)
        figs.append((f"{dataset}: fairness against utility per method (mean ± sd over seeds)", fig))
    return figs
