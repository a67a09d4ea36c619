"""Figures of ``dfdc`` (Deep Fair Discriminative Clustering): convergence, t-SNE snapshots, beta."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import figure_for, subplots

__all__ = ["dfdc_figures"]


@figure_for("dfdc")
def dfdc_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Convergence (acc, NMI, balance per epoch; Figs. 3-4) and beta sensitivity (Fig. 2)."""
    figures = []
    curves: dict[tuple, dict[int, list[float]]] = {}
    for r in records:
        if r.get("method") == "dfdc" and r.get("epoch") is not None and r["value"] is not None:
            key = (r["dataset"], r.get("beta"), r.get("eps"), r["metric"])
            curves.setdefault(key, {}).setdefault(int(r["epoch"]), []).append(r["value"])
    for dataset, beta, eps in sorted({k[:3] for k in curves}, key=str):
        fig, ax = subplots(figsize=(5.2, 3.4))
        for metric in ("acc", "nmi", "balance"):
            points = curves.get((dataset, beta, eps, metric))
            if points:
                epochs = sorted(points)
                ax.plot(epochs, [np.mean(points[e]) for e in epochs], label=metric)
        pretrain = [
            r["epoch"]
            for r in records
            if r.get("phase") == "pretrain" and r["dataset"] == dataset and r.get("epoch") is not None
        ]
        if pretrain:
            ax.axvline(max(pretrain) + 0.5, color="grey", ls=":", lw=1)
        ax.set_xlabel("epoch (dotted: end of pre-training)")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        figures.append((f"DFDC convergence on {dataset} (beta={beta}, eps={eps})", fig))
    figures += _tsne_figures(records)
    final: dict[tuple, list[float]] = {}
    for r in records:
        if r.get("method") == "dfdc" and r.get("epoch") is None and r["value"] is not None:
            final.setdefault((r["dataset"], r["metric"], r.get("beta")), []).append(r["value"])
    for dataset in sorted({k[0] for k in final}):
        betas = sorted({k[2] for k in final if k[0] == dataset and k[2] is not None})
        if len(betas) < 2:
            continue
        fig, ax = subplots(figsize=(5.2, 3.4))
        for metric in ("acc", "nmi", "balance"):
            ys = [np.mean(final.get((dataset, metric, b), [np.nan])) for b in betas]
            ax.plot(betas, ys, marker="o", label=metric)
        ax.set_xlabel("beta (weight of the fairness loss)")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        figures.append((f"DFDC sensitivity to beta on {dataset}", fig))
    return figures


def _tsne_figures(records: list[dict]) -> list:
    """Figure 1: t-SNE of DFDC's embedding at the end of pre-training, during the fair
    refinement and at the end; colour = cluster, marker = protected group."""
    points: dict[tuple, dict[tuple, dict[str, float]]] = {}
    for r in records:
        if r.get("metric") in ("tsne1", "tsne2") and r.get("role") == "figure":
            cell = (r["dataset"], r.get("beta"), r.get("eps"), r.get("seed"))
            key = (
                int(r["snapshot"]),
                r["phase"],
                r["training_epoch"],
                int(r["point"]),
                int(r["cluster"]),
                int(r["group"]),
            )
            points.setdefault(cell, {}).setdefault(key, {})[r["metric"]] = r["value"]
    figures = []
    for cell in sorted(points, key=str)[:3]:
        by_snap: dict[tuple, list] = {}
        for (snap, phase, epoch, _, cluster, group), v in points[cell].items():
            if len(v) == 2:
                by_snap.setdefault((snap, phase, epoch), []).append((v["tsne1"], v["tsne2"], cluster, group))
        snaps = sorted(by_snap)
        fig, axes = subplots(1, len(snaps), figsize=(3.0 * len(snaps), 3.0), squeeze=False)
        for ax, key in zip(axes[0], snaps):
            arr = np.array(by_snap[key], dtype=float)
            for g, marker in zip(sorted(set(arr[:, 3].astype(int))), "o^sDvP*"):
                sel = arr[:, 3] == g
                ax.scatter(
                    arr[sel, 0],
                    arr[sel, 1],
                    c=arr[sel, 2],
                    cmap="tab10",
                    vmin=0,
                    vmax=9,
                    s=7,
                    marker=marker,
                    alpha=0.8,
                    linewidths=0,
                )
            ax.set_title(f"{key[1]} (refinement epoch {key[2]})", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        fig.tight_layout()
        dataset, beta, eps, seed = cell
        figures.append(
            (
                f"DFDC embedding over training (t-SNE; colour: cluster, marker: group): {dataset}, "
                f"beta={beta}, eps={eps}, seed {seed}",
                fig,
            )
        )
    return figures
