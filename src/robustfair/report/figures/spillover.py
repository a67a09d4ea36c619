"""Figures of the spill-over attack: the toy case with depth contours (thesis Figure 2.1)
and a grid of spilled-over images (Figures 2.2-2.5).

:func:`plot_spillover_toy` and :func:`plot_spillover_images` draw one attack result and
return a ``matplotlib.figure.Figure``; :func:`spillover_figures` redraws them from the
``spillover`` experiment's stored records for the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._validation import check_array
from ._base import figure_for, subplots

__all__ = ["plot_spillover_toy", "plot_spillover_images", "spillover_figures"]


def plot_spillover_toy(X: Any, result: Any, *, levels: int = 9, grid: int = 200):
    """Thesis Figure 2.1 for 2-D data: clusters, target, perturbed target and spill-over.

    Four panels: (a) the clean clusters with the target sample, (b) the clustering after
    the attack, (c) the spill-over samples highlighted, all over equi-MDC contours
    (Definition 2.2.2, levels 0.1 apart), and (d) the same over equi-COMD contours.
    ``result`` is the :class:`~robustfair.attacks.AttackResult` of ``SpillOverPoisoning``.
    """
    from ...depth import cluster_depth, coordinatewise_min_depth

    X = check_array(X, "X")
    if X.shape[1] != 2:
        raise ValueError(f"plot_spillover_toy draws 2-D data; X has {X.shape[1]} features.")
    info = result.info
    before, after = np.asarray(info["labels_before"]), np.asarray(info["labels_after"])
    t = info["target_index"]
    x_adv = result.X_adv[t]
    lo = np.minimum(X.min(axis=0), x_adv) - 1.0
    hi = np.maximum(X.max(axis=0), x_adv) + 1.0
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid))
    points = np.column_stack([gx.ravel(), gy.ravel()])
    mdc = cluster_depth(points, X, before).reshape(gx.shape)
    comd = coordinatewise_min_depth(points, X, before).reshape(gx.shape)
    fig, axes = subplots(1, 4, figsize=(16, 4), sharex=True, sharey=True)
    steps = np.arange(1, levels + 1) * 0.1
    colors = np.array(["tab:red", "tab:green", "tab:purple", "tab:brown"])
    spill = np.asarray(info["spillover_indices"], dtype=int)
    panels = [
        ("(a) clean clusters", before, mdc),
        ("(b) after the attack", after, mdc),
        ("(c) spill-over samples", after, mdc),
        ("(d) equi-COMD contours", after, comd),
    ]
    for ax, (title, labels, depth) in zip(axes, panels):
        ax.contour(gx, gy, depth, levels=steps, colors="0.6", linewidths=0.7)
        _, codes = np.unique(labels, return_inverse=True)
        shown = X if labels is before else result.X_adv
        ax.scatter(shown[:, 0], shown[:, 1], c=colors[codes % len(colors)], s=10)
        ax.scatter(*X[t], c="tab:blue", s=60, marker="o", edgecolors="k", label="target $x_t$")
        if labels is not before:
            ax.scatter(*x_adv, c="tab:blue", s=90, marker="*", edgecolors="k", label="perturbed $x_t'$")
        if title.startswith("(c)") and spill.size:
            ax.scatter(X[spill, 0], X[spill, 1], c="tab:orange", s=40, edgecolors="k", label="spill-over")
        ax.set_title(title)
    axes[2].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_spillover_images(result: Any, image_shape: tuple[int, int], *, max_images: int = 40, ncols: int = 10):
    """Grid of the samples that changed cluster, as images (thesis Figures 2.2-2.5).

    The perturbed target (as poisoned) is first, with a red border; the spill-over
    samples follow.
    """
    info = result.info
    t = info["target_index"]
    spill = [int(i) for i in np.asarray(info["spillover_indices"])][: max(0, max_images - 1)]
    indices = [t, *spill]
    images = result.X_adv[indices]
    if images.shape[1] != int(np.prod(image_shape)):
        raise ValueError(f"image_shape {image_shape} does not hold {images.shape[1]} features.")
    ncols = max(1, min(ncols, len(indices)))
    nrows = int(np.ceil(len(indices) / ncols))
    fig, axes = subplots(nrows, ncols, figsize=(1.2 * ncols, 1.2 * nrows), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= len(indices):
            ax.axis("off")
            continue
        ax.imshow(images[k].reshape(image_shape), cmap="gray_r")
        for spine in ax.spines.values():
            spine.set_edgecolor("red" if k == 0 else "0.7")
            spine.set_linewidth(3 if k == 0 else 0.5)
    fig.suptitle(f"{len(spill)} spill-over sample(s); perturbed target {t} in red")
    return fig


@figure_for("spillover")
def spillover_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Thesis Figure 2.1 (toy data over depth contours) and Figure 2.2 (spilled-over images)."""
    from types import SimpleNamespace

    figs = []
    runs: dict[tuple, list[dict]] = {}
    for r in records:
        if r.get("role") == "figure":
            runs.setdefault((r["dataset"], r["method"], r["seed"]), []).append(r)
    for (dataset, method, seed), recs in sorted(runs.items(), key=str):
        points = [r for r in recs if r["metric"].startswith("point_")]
        if points:
            n = 1 + max(int(r["point"]) for r in points)
            table = {
                name: np.zeros(n)
                for name in ("x0", "x1", "before", "after", "target", "spilled", "x0_clean", "x1_clean")
            }
            for r in points:
                table[r["metric"][len("point_") :]][int(r["point"])] = r["value"]
            t = int(np.flatnonzero(table["target"])[0])
            X = np.column_stack([table["x0_clean"], table["x1_clean"]])
            X_adv = X.copy()
            X_adv[t] = [table["x0"][t], table["x1"][t]]
            result = SimpleNamespace(
                X_adv=X_adv,
                info={
                    "labels_before": table["before"].astype(int),
                    "labels_after": table["after"].astype(int),
                    "target_index": t,
                    "spillover_indices": np.flatnonzero(table["spilled"]),
                },
            )
            figs.append(
                (
                    f"{dataset} ({method}, seed {seed}): spill-over over depth contours (Figure 2.1)",
                    plot_spillover_toy(X, result, grid=120),
                )
            )
        pixels = [r for r in recs if r["metric"] == "image_pixel"]
        if pixels:
            n_img = 1 + max(int(r["image"]) for r in pixels)
            d = 1 + max(int(r["pixel"]) for r in pixels)
            images = np.zeros((n_img, d))
            for r in pixels:
                images[int(r["image"]), int(r["pixel"])] = r["value"]
            side = int(np.sqrt(d))
            result = SimpleNamespace(X_adv=images, info={"target_index": 0, "spillover_indices": np.arange(1, n_img)})
            figs.append(
                (
                    f"{dataset} ({method}, seed {seed}): poisoned target (red) and spilled-over samples (Figure 2.2)",
                    plot_spillover_images(result, (side, side)),
                )
            )
    return figs
