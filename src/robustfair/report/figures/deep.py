"""Figures of the deep-clustering attacks: ``deep-evasion`` (thesis 2.3) and ``label-only-transfer`` (2.4)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import figure_for, subplots

__all__ = ["deep_evasion_figures", "label_only_transfer_figures"]


@figure_for("deep-evasion")
def deep_evasion_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Confusion matrices before/after, the budget sweep with defenses, transferability, PCA."""

    def cell(r: dict) -> tuple:
        return (r["dataset"], r["method"], r["seed"], r.get("eps"))

    figures = []
    groups = sorted({cell(r) for r in records if r["metric"] == "confusion"}, key=str)
    for key in groups[:4]:
        dataset, method, seed, eps = key
        rows = [r for r in records if r["metric"] == "confusion" and cell(r) == key]
        k = 1 + int(max(max(r["true"], r["cluster"]) for r in rows))
        fig, axes = subplots(1, 2, figsize=(7.6, 3.4))
        for ax, phase in zip(axes, ("pre", "post")):
            table = np.zeros((k, k))
            for r in rows:
                if r["phase"] == phase:
                    table[int(r["true"]), int(r["cluster"])] = r["value"]
            ax.imshow(table, cmap="Blues")
            ax.set_title(f"{phase}-attack")
            ax.set_xlabel("cluster")
            ax.set_ylabel("true class")
        fig.tight_layout()
        figures.append(
            (f"confusion matrices before/after the attack: {method} on {dataset}, eps={eps} (seed {seed})", fig)
        )
    figures += _sweep_figures(records)
    pca_groups = sorted({cell(r) for r in records if r["metric"] == "pca1"}, key=str)
    for key in pca_groups[:4]:
        dataset, method, seed, eps = key
        pts: dict[tuple, dict[str, float]] = {}
        for r in records:
            if r["metric"] in ("pca1", "pca2") and cell(r) == key:
                pts.setdefault((r["kind"], r["point"]), {})[r["metric"]] = r["value"]
        fig, ax = subplots(figsize=(4.4, 3.4))
        for kind, marker in (("benign", "o"), ("adversarial", "x")):
            xy = np.array([[v["pca1"], v["pca2"]] for (kd, _), v in pts.items() if kd == kind and len(v) == 2])
            if xy.size:
                ax.scatter(xy[:, 0], xy[:, 1], marker=marker, label=kind, alpha=0.7)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
        ax.legend(fontsize=8)
        figures.append((f"PCA of benign vs adversarial images: {method} on {dataset}, eps={eps} (seed {seed})", fig))
    return figures


def _mean_by(records: list[dict], metric: str, **keys: object) -> dict[tuple, float]:
    """Mean value over seeds of ``metric`` per (dataset, method, mode, eps[, target])."""
    cells: dict[tuple, list[float]] = {}
    for r in records:
        if r["metric"] != metric or r.get("eps") is None or any(r.get(k) != v for k, v in keys.items()):
            continue
        key = (r["dataset"], r["method"], r.get("mode"), float(r["eps"]), r.get("target"))
        cells.setdefault(key, []).append(r["value"])
    return {k: float(np.mean(v)) for k, v in cells.items()}


def _sweep_figures(records: list[dict]) -> list:
    """Fig 2.10 (post-attack NMI against the budget, with the defenses: adversarial training,
    RUC and the detectors' detection rates) and Fig 2.11 (transferability: post/pre NMI of the
    victim in each row's images scored by each column's model)."""
    figures = []
    post = _mean_by(records, "nmi", phase="post")
    pre = _mean_by(records, "nmi", phase="pre")
    detection = _mean_by(records, "detection_rate")
    ssd = _mean_by(records, "ssd_detection_rate")
    ssd_noise = _mean_by(records, "ssd_noise_detection_rate")
    for dataset, method in sorted({(k[0], k[1]) for k in post}):
        modes = [
            m
            for m in ("black-box", "white-box", "random-noise", "adv-trained", "ruc")
            if any(k[:3] == (dataset, method, m) for k in post)
        ]
        fig, axes = subplots(1, 2, figsize=(8.4, 3.3))
        for i, mode in enumerate(modes):
            pts = sorted((k[3], v) for k, v in post.items() if k[:3] == (dataset, method, mode))
            axes[0].plot([p[0] for p in pts], [p[1] for p in pts], "-o", color=f"C{i}", ms=4, label=mode)
        clean = [v for k, v in pre.items() if k[:3] == (dataset, method, modes[0] if modes else "")]
        if clean:
            axes[0].axhline(np.mean(clean), color="k", ls=":", lw=0.8, label="clean")
        axes[0].set_xlabel("perturbation budget eps")
        axes[0].set_ylabel("NMI after the attack")
        axes[0].legend(fontsize=7)
        axes[0].grid(alpha=0.3)
        for i, (label, rates) in enumerate(
            (("Mahalanobis (victim features)", detection), ("SSD", ssd), ("SSD on sign noise", ssd_noise))
        ):
            pts = sorted((k[3], v) for k, v in rates.items() if k[:2] == (dataset, method))
            if pts:
                axes[1].plot([p[0] for p in pts], [p[1] for p in pts], "-o", ms=4, color=f"C{i}", label=label)
        if axes[1].lines:
            axes[1].legend(fontsize=7)
        axes[1].set_ylim(0, 1.02)
        axes[1].set_xlabel("perturbation budget eps")
        axes[1].set_ylabel("detection rate (50/50 mix)")
        axes[1].grid(alpha=0.3)
        fig.tight_layout()
        figures.append((f"perturbation-norm sweep and defenses: {method} on {dataset}", fig))

    for dataset in sorted({k[0] for k in post if k[2] == "transfer"}):
        eps = max(k[3] for k in post if k[0] == dataset and k[2] == "transfer")
        names = sorted({k[1] for k in post if k[0] == dataset} | {k[4] for k in post if k[0] == dataset and k[4]})
        table = np.full((len(names), len(names)), np.nan)
        for i, source in enumerate(names):
            for j, target in enumerate(names):
                mode, tgt = ("black-box", None) if source == target else ("transfer", target)
                key = (dataset, source, mode, eps, tgt)
                if key in post and pre.get(key):
                    table[i, j] = post[key] / pre[key]
        fig, ax = subplots(figsize=(3.6, 3.2))
        im = ax.imshow(table, cmap="RdYlGn", vmin=0, vmax=1)
        for i in range(len(names)):
            for j in range(len(names)):
                if np.isfinite(table[i, j]):
                    ax.text(j, i, f"{table[i, j]:.2f}", ha="center", va="center", fontsize=9)
        ax.set_xticks(range(len(names)), names)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("model scoring the images")
        ax.set_ylabel("victim attacked")
        fig.colorbar(im, ax=ax, label="post / pre NMI")
        fig.tight_layout()
        figures.append((f"transferability of the adversarial images on {dataset}, eps={eps:g}", fig))
    return figures


@figure_for("label-only-transfer")
def label_only_transfer_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Fig 2.13: NMI, ARI and ACC of the label-only service on the images as sent (pre), after
    the transfer attack (post) and with random sign noise of the same budget, over draws."""
    figures = []
    phases = ("pre", "post", "random-noise")
    for dataset, method in sorted({(r["dataset"], r["method"]) for r in records if "draw" in r}):
        rows = [r for r in records if (r["dataset"], r["method"]) == (dataset, method) and "draw" in r]
        budgets = sorted({float(r["eps"]) for r in rows})
        fig, axes = subplots(1, len(budgets), figsize=(3.6 * len(budgets), 3.2), squeeze=False, sharey=True)
        for ax, eps in zip(axes[0], budgets):
            for j, phase in enumerate(phases):
                for i, metric in enumerate(("nmi", "ari", "acc")):
                    vals = [
                        r["value"]
                        for r in rows
                        if r["metric"] == metric and r.get("phase") == phase and float(r["eps"]) == eps
                    ]
                    if vals:
                        ax.bar(
                            i + (j - 1) * 0.27,
                            np.mean(vals),
                            width=0.27,
                            yerr=np.std(vals),
                            color=f"C{j}",
                            label=phase if i == 0 else None,
                            capsize=2,
                        )
            ax.set_xticks(range(3), ["NMI", "ARI", "ACC"])
            ax.set_title(f"eps = {eps:g}", fontsize=9)
            ax.grid(alpha=0.3, axis="y")
        axes[0][0].legend(fontsize=7)
        fig.tight_layout()
        figures.append((f"label-only service ({method}) on {dataset}: clean / attacked / random noise", fig))
    return figures
