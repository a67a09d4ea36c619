"""Figures of the influence-trimming reproductions (``benchmarks/bench_influence_trimming.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_toy_draws"]


def plot_toy_draws(
    trimmed: Sequence[float],
    random: Sequence[float],
    *,
    published: float,
    authors_draw: float | None = None,
) -> Figure:
    """Histogram of robust accuracy after trimming over generated toy draws.

    Parameters
    ----------
    trimmed, random : robust accuracy after influence trimming and after random removal of
        as many points (one value per generated draw).
    published : the paper's number (Figure 1 I), drawn as a dashed line.
    authors_draw : the same quantity on the authors' own draw, if known (dotted line).
    """
    after, control = np.asarray(trimmed, dtype=float), np.asarray(random, dtype=float)
    if after.size == 0 or control.size == 0:
        raise ValueError("trimmed and random need at least one value each.")
    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    bins = np.linspace(0, max(0.6, float(after.max()), published) + 0.02, 26).tolist()
    ax.hist(control, bins=bins, alpha=0.6, label="random removal of as many")
    ax.hist(after, bins=bins, alpha=0.6, label="influence trimming")
    ax.axvline(published, color="k", ls="--", label=f"published ({published:g})")
    if authors_draw is not None:
        ax.axvline(authors_draw, color="C3", ls=":", label=f"authors' draw, this code ({authors_draw:.2f})")
    ax.set_xlabel("robust accuracy after trimming (attacked validation set)")
    ax.set_ylabel(f"generated draws (of {after.size})")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
