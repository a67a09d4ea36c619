"""Figures of an audit: grouped metrics with intervals, fairness under attack, and the
``fairness-audit`` experiment's fairness against utility."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._base import figure_for, subplots

__all__ = ["plot_grouped_metrics", "plot_attack_survival", "fairness_audit_figures"]

# Per-group columns worth a panel, in display order (size and share are in the table).
_DEFAULT_PANELS = (
    "balance",
    "entropy",
    "cost",
    "accuracy",
    "nmi",
    "accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
)


def plot_grouped_metrics(grouped: Any, metrics: Sequence[str] | None = None, *, title: str | None = None) -> Any:
    """Bars per group with bootstrap intervals and a dashed line at the overall value.

    Parameters
    ----------
    grouped : GroupedMetrics
        From :func:`robustfair.metrics.clustering_by_group` or
        :func:`~robustfair.metrics.classification_by_group`.
    metrics : sequence of str, optional
        Columns of ``grouped.by_group`` to draw, one panel each; default every fairness or
        utility column present (not ``size``/``share``/``count``).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    by_group = grouped.by_group
    if metrics is None:
        metrics = [m for m in _DEFAULT_PANELS if m in by_group.columns]
        metrics = metrics or [c for c in by_group.columns if c not in ("size", "share", "count")]
    missing = [m for m in metrics if m not in by_group.columns]
    if missing:
        raise ValueError(
            f"metrics: {missing[0]!r} is not a column of the grouped report ({', '.join(map(str, by_group.columns))})."
        )
    if not metrics:
        raise ValueError("metrics: nothing to draw.")
    low, high = grouped.intervals.get("by_group", (None, None))
    n_groups = by_group.shape[0]
    width = max(2.6, 0.45 * n_groups + 1.2)
    fig = Figure(figsize=(width * len(metrics), 3.0), layout="constrained")
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    x = np.arange(n_groups)
    names = [str(g) for g in by_group.index]
    for ax, metric in zip(axes, metrics):
        values = by_group[metric].to_numpy(dtype=float)
        yerr = None
        if low is not None:
            lo = low[metric].to_numpy(dtype=float)
            hi = high[metric].to_numpy(dtype=float)
            yerr = np.vstack([np.clip(values - lo, 0, None), np.clip(hi - values, 0, None)])
            yerr = np.where(np.isfinite(yerr), yerr, 0.0)
        ax.bar(x, np.nan_to_num(values), yerr=yerr, color=[f"C{i % 10}" for i in range(n_groups)], capsize=3)
        overall = float(grouped.overall.get(metric, np.nan))
        if np.isfinite(overall):
            ax.axhline(overall, color="k", ls="--", lw=1, label="overall")
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=30 if max(len(n) for n in names) > 6 else 0, ha="right", fontsize=7)
        ax.set_title(metric, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=7, loc="best", framealpha=0.8)
    if title:
        fig.suptitle(title, fontsize=9)
    if grouped.n_boot:
        fig.text(
            0.01,
            0.005,
            f"bars: value; whiskers: {grouped.ci:.0%} bootstrap interval ({grouped.n_boot} replicates)",
            fontsize=6,
            color="#5a6478",
        )
    return fig


def plot_attack_survival(records: Sequence[dict[str, Any]], metric: str = "balance") -> Any | None:
    """``metric`` on the defender set against the attacked fraction, ours vs random, per method.

    ``records`` are audit (or ``fairness-attack``) records with ``attack`` and
    ``fraction`` keys. Returns ``None`` when there is nothing to draw.
    """
    from matplotlib.figure import Figure

    rows = [r for r in records if r.get("metric") == metric and "attack" in r and r.get("value") is not None]
    methods = sorted({r["method"] for r in rows})
    if not methods:
        return None
    fig = Figure(figsize=(3.4 * len(methods), 3.0), layout="constrained")
    axes = fig.subplots(1, len(methods), squeeze=False)[0]
    styles = {
        "none": ("k", "--", "no attack"),
        "ours": ("C3", "-", "fairness attack"),
        "random": ("C0", ":", "random flips, same count"),
    }
    for ax, method in zip(axes, methods):
        for attack, (color, ls, label) in styles.items():
            pts = sorted((r["fraction"], r["value"]) for r in rows if r["method"] == method and r["attack"] == attack)
            if pts:
                fx, vy = zip(*pts)
                ax.plot(fx, vy, color=color, ls=ls, marker="o", ms=3, label=label)
        ax.set_title(method, fontsize=9)
        ax.set_xlabel("fraction of group labels set by the attacker")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{metric} on the defender set")
    axes[0].legend(fontsize=7)
    return fig


@figure_for("fairness-audit")
def fairness_audit_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Fairness against utility: one point per method and seed (balance vs NMI)."""
    points: dict[tuple, dict[str, float]] = {}
    for r in records:
        points.setdefault((r["dataset"], r["method"], r["seed"]), {})[r["metric"]] = r["value"]
    if not any("nmi" in v for v in points.values()):
        return []
    fig, ax = subplots(figsize=(4.6, 3.4))
    for method in sorted({k[1] for k in points}):
        xs = [float(v["nmi"]) for k, v in points.items() if k[1] == method and "nmi" in v]
        ys = [float(v.get("balance", np.nan)) for k, v in points.items() if k[1] == method and "nmi" in v]
        ax.scatter(xs, ys, label=method, alpha=0.8)
    ax.set_xlabel("NMI (utility)")
    ax.set_ylabel("balance (fairness)")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return [("fairness vs utility per method and seed", fig)]
