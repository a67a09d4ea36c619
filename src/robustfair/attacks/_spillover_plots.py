"""Figures of the spill-over attack: the toy case with depth contours (thesis Figure 2.1)
and a grid of spilled-over images (Figures 2.2-2.5). matplotlib is imported lazily with
the Agg backend; every function returns a ``matplotlib.figure.Figure``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array

__all__ = ["plot_spillover_toy", "plot_spillover_images"]


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def plot_spillover_toy(X: Any, result: Any, *, levels: int = 9, grid: int = 200):
    """Thesis Figure 2.1 for 2-D data: clusters, target, perturbed target and spill-over.

    Four panels: (a) the clean clusters with the target sample, (b) the clustering after
    the attack, (c) the spill-over samples highlighted, all over equi-MDC contours
    (Definition 2.2.2, levels 0.1 apart), and (d) the same over equi-COMD contours.
    ``result`` is the :class:`~robustfair.attacks.AttackResult` of ``SpillOverPoisoning``.
    """
    from ..depth import cluster_depth, coordinatewise_min_depth

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
    plt = _pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharex=True, sharey=True)
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
    plt = _pyplot()
    ncols = max(1, min(ncols, len(indices)))
    nrows = int(np.ceil(len(indices) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.2 * ncols, 1.2 * nrows), squeeze=False)
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
