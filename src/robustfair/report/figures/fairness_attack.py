"""Figures of ``fairness-attack`` (thesis 4.1.3, 4.1.5): attack curves, the toy data and CFC's consensus."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import figure_for, subplots

__all__ = ["fairness_attack_figures"]


@figure_for("fairness-attack")
def fairness_attack_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Attack curves (thesis Figures 4.2/4.6 shape): balance on G_D against the share of
    attacked labels, per dataset and method, for no attack, ours and random (mean ± sd over
    seeds); and the post/pre-attack balance ratio of each method under our attack."""
    figs = _toy_figure(records) + _consensus_figure(records)
    curves: dict[tuple, dict[float, list[float]]] = {}
    for r in records:
        if r.get("role") == "figure":
            continue
        if r["metric"] == "balance" and "fraction" in r and "attack" in r and r["value"] is not None:
            key = (r["dataset"], r["method"], r["attack"])
            curves.setdefault(key, {}).setdefault(float(r["fraction"]), []).append(r["value"])
    if not curves:
        return figs
    for dataset in sorted({k[0] for k in curves}):
        methods = sorted({k[1] for k in curves if k[0] == dataset})
        fig, axes = subplots(1, len(methods), figsize=(3.3 * len(methods), 3.0), squeeze=False, sharey=True)
        for ax, method in zip(axes[0], methods):
            for attack, style in (("none", "k:"), ("ours", "C3-o"), ("random", "C0-s")):
                pts = curves.get((dataset, method, attack))
                if not pts:
                    continue
                xs = sorted(pts)
                ys = np.array([np.mean(pts[x]) for x in xs])
                sd = np.array([np.std(pts[x]) for x in xs])
                ax.plot(xs, ys, style, label=attack, ms=4)
                ax.fill_between(xs, ys - sd, ys + sd, alpha=0.15, color=style[:2] if style[0] == "C" else "k")
            ax.set_title(method, fontsize=9)
            ax.set_xlabel("share of group labels attacked")
            ax.set_ylim(-0.02, 1.05)
            ax.grid(alpha=0.3)
        axes[0][0].set_ylabel("balance on G_D")
        axes[0][0].legend(fontsize=7)
        figs.append((f"{dataset}: balance under attack (none / ours / random)", fig))

        ratios: dict[str, tuple[list, list]] = {}
        for method in methods:
            pre, post = curves.get((dataset, method, "none"), {}), curves.get((dataset, method, "ours"), {})
            xs = sorted(x for x in post if x > 0 and x in pre and np.mean(pre[x]) > 0)
            if xs:
                ratios[method] = (xs, [np.mean(post[x]) / np.mean(pre[x]) for x in xs])
        if ratios:
            fig, ax = subplots(figsize=(4.2, 3.0))
            for method, (fx, fy) in ratios.items():
                ax.plot(fx, fy, "-o", ms=4, label=method)
            ax.axhline(1.0, color="k", lw=0.8, ls=":")
            ax.set_xlabel("share of group labels attacked")
            ax.set_ylabel("post / pre-attack balance")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
            figs.append((f"{dataset}: post/pre-attack balance ratio under our attack", fig))
    return figs


def _toy_figure(records: list[dict]) -> list:
    """Thesis Figure 4.1: SFD's clusters on the toy data before and after our attack (first seed)."""
    pts = [r for r in records if r.get("figure") == "toy"]
    if not pts:
        return []
    seed = min(r["seed"] for r in pts)
    fraction = max(r["fraction"] for r in pts)
    pts = sorted((r for r in pts if r["seed"] == seed and r["fraction"] == fraction), key=lambda r: r["point"])
    fig, axes = subplots(1, 2, figsize=(7.0, 3.2), sharey=True, layout="constrained")
    markers: dict[str, str] = {}
    for ax, when, gkey in ((axes[0], "before", "group"), (axes[1], "after", "group_adv")):
        for r in pts:
            marker = markers.setdefault(r[gkey], "os^vD"[len(markers) % 5])
            ax.scatter(
                r["x1"],
                r["x2"],
                c=f"C{r['cluster_' + when]}",
                marker=marker,
                s=46,
                edgecolors="k" if r["attacker"] else "none",
                linewidths=1.2,
            )
        ax.set_title(f"{when} the attack (marker: group{'' if when == 'before' else ' as poisoned'})", fontsize=9)
        ax.set_xlabel("x1")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("x2")
    fig.suptitle("colour: SFD cluster; black edge: attacker-controlled sample", fontsize=8)
    return [(f"toy data: SFD clusters before and after the attack (seed {seed}, fraction {fraction:g})", fig)]


def _consensus_figure(records: list[dict]) -> list:
    """Thesis Figure 4.5: basic-partition balance histogram and co-association before/after."""
    figs = []
    for dataset in sorted({r["dataset"] for r in records if r.get("figure") in ("bp_balance", "coassociation")}):
        rows = [r for r in records if r["dataset"] == dataset and r.get("figure") in ("bp_balance", "coassociation")]
        seed = min(r["seed"] for r in rows)
        rows = [r for r in rows if r["seed"] == seed]
        fig, axes = subplots(1, 3, figsize=(11.0, 3.4), layout="constrained")
        for when, color in (("before", "C0"), ("after", "C3")):
            vals = [r["value"] for r in rows if r.get("figure") == "bp_balance" and r["when"] == when]
            axes[0].hist(vals, bins=20, range=(0, 1), alpha=0.55, color=color, label=f"{when} the attack")
        axes[0].set_xlabel("balance of a basic partition")
        axes[0].set_ylabel("partitions")
        axes[0].legend(fontsize=7)
        axes[0].set_title("(A) basic partitions", fontsize=9)
        for ax, when, tag in ((axes[1], "before", "(B)"), (axes[2], "after", "(C)")):
            cells = [r for r in rows if r.get("figure") == "coassociation" and r["when"] == when]
            if not cells:
                continue
            m = max(r["row"] for r in cells) + 1
            block = np.zeros((m, m))
            for r in cells:
                block[r["row"], r["col"]] = r["value"]
            im = ax.imshow(block, vmin=0, vmax=1, cmap="viridis")
            ax.set_title(f"{tag} co-association, {when}", fontsize=9)
            ax.set_xticks(range(m))
            ax.set_yticks(range(m))
            ax.set_xlabel("CFC cluster")
            ax.set_ylabel("CFC cluster")
        fig.colorbar(im, ax=axes[1:], shrink=0.8, label="mean S / r")
        figs.append((f"{dataset}: CFC basic partitions and co-association before/after the attack (seed {seed})", fig))
    return figs
