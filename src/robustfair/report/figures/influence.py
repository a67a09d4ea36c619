"""Figures of the influence experiments, drawn from their stored flat records.

Each ``*_figures(records)`` returns ``[(title, matplotlib Figure), ...]`` and ``[]`` when
the records hold nothing it can draw; :func:`~robustfair.report.figures.figure_for` files
it under its experiment for the report. Records are the flat dicts of ``Record.flat``:
``dataset``, ``method``, ``seed``, ``metric``, ``value`` plus the experiment's own keys.
Curves and bars are means over seeds; the per-point toy figures use the smallest seed.
The influence tree is stored as records by :meth:`robustfair.influence.InfluenceTree.node_table`
and redrawn here by :func:`predict_from_nodes`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._base import figure_for, subplots

__all__ = [
    "plot_influence_tree",
    "predict_from_nodes",
    "region_figures",
    "tree_figures",
    "trim_curve_figures",
    "mlp_trim_curve_figures",
    "shapley_trim_figures",
    "online_learning_figures",
    "active_learning_figures",
    "distribution_shift_figures",
    "bench_influence_figures",
]

# Thesis Figure 4.7 colours: (+) class blue, (-) class orange; positive influence light
# green, negative light red. Figures 4.8-4.9: ours blue, random red.
_CLASS_COLOURS = {1: "#1f77b4", 0: "#ff7f0e"}
_REGION_COLOURS = ("#f4b6b6", "#b9e4b3")  # (negative, positive)
_METHOD_COLOURS = {
    "influence": "#1f5fbf",
    "random": "#d62728",
    "uncertainty": "#2ca02c",
    "sgd": "#d62728",
    "sgd+trim": "#1f5fbf",
    "vanilla": "#999999",
    "vanilla+trim": "#1f5fbf",
    "tmc-shapley": "#2ca02c",
}
# Objective -> the test metric it targets (thesis Figure 4.8 panels).
METRIC_OF = {"utility": "accuracy", "dp": "dp", "eop": "eop", "robust": "robust_accuracy"}
_NODE_METRICS = ("feature", "threshold", "left", "right", "node_value", "n_samples")


def _finite(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r.get("value") is not None and np.isfinite(r["value"])]


def _mean_by(records: Iterable[dict[str, Any]], *keys: str) -> dict[tuple, float]:
    """Mean ``value`` over seeds of every combination of ``keys``."""
    acc: dict[tuple, list[float]] = defaultdict(list)
    for r in _finite(records):
        acc[tuple(r.get(k) for k in keys)].append(float(r["value"]))
    return {k: float(np.mean(v)) for k, v in acc.items()}


# ---------------------------------------------------------------------------- tree as records
def predict_from_nodes(nodes: dict[int, dict[str, float]], Q: np.ndarray) -> np.ndarray:
    """Shrunk influence of rows ``Q`` (``[x, y]``) from a node table (as ``InfluenceTree.predict``)."""
    node = np.zeros(Q.shape[0], dtype=np.int64)
    # Descend one level per pass for all rows at once; depth (not n) bounds the loop.
    for _ in range(len(nodes)):
        feature = np.array([nodes[int(i)]["feature"] for i in node], dtype=np.int64)
        inner = feature >= 0
        if not inner.any():
            break
        idx = np.flatnonzero(inner)
        go_left = Q[idx, feature[idx]] <= np.array([nodes[int(i)]["threshold"] for i in node[idx]])
        node[idx] = np.where(
            go_left, [int(nodes[int(i)]["left"]) for i in node[idx]], [int(nodes[int(i)]["right"]) for i in node[idx]]
        )
    return np.array([nodes[int(i)]["node_value"] for i in node])


def _node_tables(records: list[dict[str, Any]], dataset: str, seed: int) -> dict[str, dict[int, dict]]:
    tables: dict[str, dict[int, dict]] = defaultdict(lambda: defaultdict(dict))
    for r in records:
        if (
            r["method"] == "tree-node"
            and r["dataset"] == dataset
            and r["seed"] == seed
            and r["metric"] in _NODE_METRICS
            and r.get("value") is not None
        ):
            tables[r["objective"]][int(r["node"])][r["metric"]] = float(r["value"])
    # Keep only complete tables (every node has every field).
    return {o: dict(t) for o, t in tables.items() if 0 in t and all(len(v) == len(_NODE_METRICS) for v in t.values())}


def _first_seed(records: list[dict[str, Any]], method: str) -> list[tuple[str, int]]:
    """``(dataset, smallest seed)`` of every dataset with ``method`` records."""
    seeds: dict[str, int] = {}
    for r in records:
        if r["method"] == method:
            seeds[r["dataset"]] = min(seeds.get(r["dataset"], r["seed"]), r["seed"])
    return sorted(seeds.items())


# ---------------------------------------------------------------------------- influence-regions
@figure_for("influence-regions")
def region_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Thesis Figure 4.7: per objective, the influence tree's positive / negative regions for
    (+) and (-) training points with the logistic boundary, and the points trimmed with the
    boundary after trimming; the title gives the validation metric before -> after."""
    figs = []
    for dataset, seed in _first_seed(records, "train-point"):
        pts: dict[int, dict[str, float]] = defaultdict(dict)
        for r in records:
            if (
                r["method"] == "train-point"
                and r["dataset"] == dataset
                and r["seed"] == seed
                and r.get("value") is not None
            ):
                pts[int(r["point"])][r["metric"]] = float(r["value"])
        if not pts or not all({"x0", "x1", "label"} <= set(p) for p in pts.values()):
            continue
        order = sorted(pts)
        X = np.array([[pts[i]["x0"], pts[i]["x1"]] for i in order])
        y = np.array([pts[i]["label"] for i in order]).astype(int)
        group = np.array([pts[i].get("group", 1.0) for i in order]).astype(int)
        objectives = sorted(
            {m[len("influence_") :] for p in pts.values() for m in p if m.startswith("influence_")},
            key=lambda o: list(METRIC_OF).index(o) if o in METRIC_OF else 99,
        )
        if not objectives:
            continue
        tables = _node_tables(records, dataset, seed)
        here = [r for r in records if r["dataset"] == dataset and r["seed"] == seed and r["method"] == "trim"]
        line = {(r["objective"], r["stage"], r["metric"]): r["value"] for r in here if "stage" in r}
        lo, hi = X.min(axis=0) - 1.0, X.max(axis=0) + 1.0
        g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160))
        grid = np.column_stack([g0.ravel(), g1.ravel()])
        fig, axes = subplots(len(objectives), 3, figsize=(11, 3.4 * len(objectives)), squeeze=False)
        for row, objective in enumerate(objectives):
            infl = np.array([pts[i].get(f"influence_{objective}", np.nan) for i in order])
            trimmed = np.array([pts[i].get(f"trimmed_{objective}", 0.0) for i in order]) > 0
            for col, label in enumerate((1, 0)):
                ax = axes[row, col]
                if objective in tables:
                    Q = np.column_stack([grid, np.full(grid.shape[0], label)])
                    sign = (predict_from_nodes(tables[objective], Q) > 0).reshape(g0.shape)
                    ax.contourf(g0, g1, sign.astype(float), levels=[-0.5, 0.5, 1.5], colors=_REGION_COLOURS)
                mask = y == label
                _scatter_groups(ax, X[mask], group[mask], _CLASS_COLOURS[label])
                _boundary(ax, line, objective, "before", lo, hi, "k-")
                ax.set_title(
                    f"{objective}: regions for ({'+' if label else '-'}) points "
                    f"({(infl[mask] < 0).sum()}/{mask.sum()} negative)",
                    fontsize=8,
                )
            ax = axes[row, 2]
            keep = ~trimmed
            for label in (1, 0):
                m = keep & (y == label)
                _scatter_groups(ax, X[m], group[m], _CLASS_COLOURS[label], alpha=0.35)
            if trimmed.any():
                ax.scatter(
                    X[trimmed, 0],
                    X[trimmed, 1],
                    s=70,
                    facecolors="none",
                    edgecolors="k",
                    linewidths=1.4,
                    label=f"trimmed ({trimmed.sum()})",
                )
            _boundary(ax, line, objective, "before", lo, hi, "k--", label="before")
            _boundary(ax, line, objective, "after", lo, hi, "g-", label="after")
            metric = METRIC_OF.get(objective, "")
            before, after = line.get((objective, "before", metric)), line.get((objective, "after", metric))
            change = f"; {metric} {before:.2f} -> {after:.2f}" if before is not None and after is not None else ""
            ax.set_title(f"{objective}: trimmed points{change}", fontsize=8)
            ax.legend(fontsize=6, loc="best")
            for ax in axes[row]:
                ax.set_xlim(lo[0], hi[0])
                ax.set_ylim(lo[1], hi[1])
        fig.tight_layout()
        figs.append(
            (
                f"{dataset}: influence-tree regions (green positive, red negative), trimmed points and "
                f"the decision boundary before/after trimming (seed {seed}; o majority, x minority)",
                fig,
            )
        )
    return figs


def _scatter_groups(ax: Any, X: np.ndarray, group: np.ndarray, colour: str, alpha: float = 0.9) -> None:
    for g, marker in ((1, "o"), (0, "x")):
        m = group == g
        if m.any():
            ax.scatter(
                X[m, 0],
                X[m, 1],
                s=14,
                marker=marker,
                c=colour,
                alpha=alpha,
                **({"edgecolors": "none"} if marker == "o" else {}),
            )


def _boundary(
    ax: Any,
    line: dict,
    objective: str,
    stage: str,
    lo: np.ndarray,
    hi: np.ndarray,
    style: str,
    label: str | None = None,
) -> None:
    w0, w1, b = (line.get((objective, stage, k)) for k in ("coef_0", "coef_1", "intercept"))
    if w0 is None or w1 is None or b is None:
        return
    xs = np.linspace(lo[0], hi[0], 2)
    if abs(w1) > 1e-12:
        ax.plot(xs, -(w0 * xs + b) / w1, style, lw=1.2, label=label)
    elif abs(w0) > 1e-12:
        ax.axvline(-b / w0, color=style[0], lw=1.2, label=label)


@figure_for("influence-regions")
def tree_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The influence trees of ``influence-regions`` (one panel per objective): split rules at
    inner nodes, shrunk influence and sample count at leaves (green positive, red negative)."""
    figs = []
    for dataset, seed in _first_seed(records, "tree-node"):
        tables = _node_tables(records, dataset, seed)
        if not tables:
            continue
        names: dict[tuple[str, int], str] = {}
        for r in records:
            if r["method"] == "tree-node" and r["dataset"] == dataset and r["seed"] == seed:
                names[(r["objective"], int(r["node"]))] = str(r.get("split_on", ""))
        objectives = sorted(tables, key=lambda o: list(METRIC_OF).index(o) if o in METRIC_OF else 99)
        fig, axes = subplots(len(objectives), 1, figsize=(12, 3.6 * len(objectives)), squeeze=False)
        for ax, objective in zip(axes[:, 0], objectives):
            _draw_tree(ax, tables[objective], {n: names.get((objective, n), "") for n in tables[objective]})
            ax.set_title(f"{objective}", fontsize=9)
        fig.tight_layout()
        figs.append((f"{dataset}: influence trees (hierarchical shrinkage) per objective (seed {seed})", fig))
    return figs


def _draw_tree(ax: Any, nodes: dict[int, dict[str, float]], names: dict[int, str]) -> None:
    # Leaves get consecutive x slots in depth-first order; an inner node sits over its children.
    pos: dict[int, tuple[float, int]] = {}
    slot = [0]

    def place(node: int, depth: int) -> float:  # recursion over tree nodes (depth-bounded), not samples
        left, right = int(nodes[node]["left"]), int(nodes[node]["right"])
        if left < 0:
            x = float(slot[0])
            slot[0] += 1
        else:
            x = (place(left, depth + 1) + place(right, depth + 1)) / 2
        pos[node] = (x, depth)
        return x

    place(0, 0)
    width = max(slot[0] - 1, 1)
    max_depth = max(d for _, d in pos.values()) or 1
    scale = max(abs(v["node_value"]) for v in nodes.values()) or 1.0
    for node, (x, depth) in pos.items():
        v = nodes[node]
        for child in (int(v["left"]), int(v["right"])):
            if child >= 0:
                cx, cd = pos[child]
                ax.plot([x / width, cx / width], [-depth, -cd], "-", color="#888888", lw=0.8, zorder=1)
        if int(v["left"]) >= 0:
            name = names.get(node, "") or f"feature {int(v['feature'])}"
            text = f"{name} <= {v['threshold']:.3g}\nn={int(v['n_samples'])}"
            face: Any = "#eeeeee"
        else:
            text = f"{v['node_value']:+.2e}\nn={int(v['n_samples'])}"
            strength = 0.35 + 0.65 * min(abs(v["node_value"]) / scale, 1.0)
            face = (0.72, 0.9, 0.7, strength) if v["node_value"] > 0 else (0.96, 0.7, 0.7, strength)
        ax.text(
            x / width,
            -depth,
            text,
            ha="center",
            va="center",
            fontsize=6,
            zorder=2,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": face, "edgecolor": "#666666", "lw": 0.5},
        )
    ax.set_xlim(-0.06, 1.06)
    ax.set_ylim(-max_depth - 0.5, 0.5)
    ax.axis("off")


# ---------------------------------------------------------------------------- influence-trim
@figure_for("influence-trim")
def trim_curve_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Thesis Figures 4.8-4.9: per dataset, one panel per objective with its test metric (left
    axis; |DP|, |EOP| for fairness) and the summed influence of the trimmed points (right
    axis, dashed) against the trimming budget, ours vs random."""
    rows = [r for r in _finite(records) if "budget" in r and "objective" in r]
    figs = []
    for dataset in sorted({r["dataset"] for r in rows}):
        here = [r for r in rows if r["dataset"] == dataset]
        objectives = [o for o in METRIC_OF if any(r["objective"] == o for r in here)]
        objectives += sorted({r["objective"] for r in here} - set(objectives))
        panels = [o for o in objectives if any(r["objective"] == o and r["metric"] == METRIC_OF.get(o) for r in here)]
        if not panels:
            continue
        fig, axes = subplots(1, len(panels), figsize=(3.4 * len(panels), 3.0), squeeze=False)
        for ax, objective in zip(axes[0], panels):
            metric = METRIC_OF[objective]
            twin = None
            for method in sorted({r["method"] for r in here}):
                sel = [r for r in here if r["objective"] == objective and r["method"] == method]
                colour = _METHOD_COLOURS.get(method)
                vals = _mean_by([r for r in sel if r["metric"] == metric], "budget")
                if vals:
                    b = sorted(vals)
                    y = [abs(vals[k]) if metric in ("dp", "eop") else vals[k] for k in b]
                    ax.plot([k[0] for k in b], y, "o-", ms=3, color=colour, label=method)
                infl = _mean_by([r for r in sel if r["metric"] == "trimmed_influence"], "budget")
                if infl:
                    twin = twin or ax.twinx()
                    b = sorted(infl)
                    twin.plot([k[0] for k in b], [infl[k] for k in b], "--", lw=1, color=colour, alpha=0.7)
            if twin is not None:
                twin.set_ylabel("influence of trimmed (dashed)", fontsize=7)
                twin.tick_params(labelsize=6)
            ax.set_xlabel("budget (fraction trimmed)", fontsize=8)
            ax.set_ylabel(f"|{metric}|" if metric in ("dp", "eop") else metric, fontsize=8)
            ax.set_title(objective, fontsize=9)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        fig.tight_layout()
        figs.append(
            (
                f"{dataset}: test metric and trimmed influence vs trimming budget, influence vs random "
                "(mean over seeds)",
                fig,
            )
        )
    return figs


@figure_for("influence-mlp-trim")
def mlp_trim_curve_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Thesis Figure 4.9 / paper Figure 8: the curves of :func:`trim_curve_figures` for the MLP
    learner (surrogate influence on its last hidden layer), ours vs random."""
    return [(f"MLP learner, {title}", fig) for title, fig in trim_curve_figures(records)]


# ---------------------------------------------------------------------------- influence-shapley
@figure_for("influence-shapley")
def shapley_trim_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Paper Figure 10: per dataset, test accuracy against the trimming budget when the
    training set is trimmed by influence, by TMC-Shapley values and at random (mean over
    seeds; the band is min to max over seeds when there are several)."""
    rows = [r for r in _finite(records) if r["metric"] == "accuracy" and "budget" in r]
    figs = []
    for dataset in sorted({r["dataset"] for r in rows}):
        here = [r for r in rows if r["dataset"] == dataset]
        fig, ax = subplots(figsize=(4.6, 3.2))
        for method in [m for m in ("influence", "tmc-shapley", "random") if any(r["method"] == m for r in here)]:
            by_budget: dict[float, list[float]] = defaultdict(list)
            for r in here:
                if r["method"] == method:
                    by_budget[float(r["budget"])].append(float(r["value"]))
            b = sorted(by_budget)
            colour = _METHOD_COLOURS.get(method)
            ax.plot(b, [np.mean(by_budget[k]) for k in b], "o-", ms=3, color=colour, label=method)
            if any(len(v) > 1 for v in by_budget.values()):
                lo, hi = [min(by_budget[k]) for k in b], [max(by_budget[k]) for k in b]
                ax.fill_between(b, lo, hi, color=colour, alpha=0.12, lw=0)
        ax.set_xlabel("budget (fraction of the training set trimmed)", fontsize=8)
        ax.set_ylabel("test accuracy", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        figs.append((f"{dataset}: test accuracy vs trimming budget, influence vs TMC-Shapley vs random", fig))
    return figs


# ---------------------------------------------------------------------------- online / active learning
@figure_for("online-learning")
def online_learning_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Thesis Figure 4.12 A-D: test accuracy after each noisy batch, with and without trimming,
    one panel per model."""
    rows = [r for r in _finite(records) if r["metric"] == "accuracy" and "batch" in r and "model" in r]
    figs = []
    for dataset in sorted({r["dataset"] for r in rows}):
        here = [r for r in rows if r["dataset"] == dataset]
        models = sorted({r["model"] for r in here})
        fig, axes = subplots(1, len(models), figsize=(3.6 * len(models), 3.0), squeeze=False)
        for ax, model in zip(axes[0], models):
            for method in sorted({r["method"] for r in here}):
                vals = _mean_by([r for r in here if r["model"] == model and r["method"] == method], "batch")
                b = sorted(vals)
                ax.plot(
                    [k[0] for k in b], [vals[k] for k in b], "o-", ms=3, label=method, color=_METHOD_COLOURS.get(method)
                )
            ax.set_xlabel("batch", fontsize=8)
            ax.set_ylabel("test accuracy", fontsize=8)
            ax.set_title(model, fontsize=9)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        fig.tight_layout()
        figs.append((f"{dataset}: online learning on noisy batches, test accuracy per batch (mean over seeds)", fig))
    return figs


@figure_for("active-learning")
def active_learning_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Thesis Figure 4.12 E: test accuracy against the number of labelled points per strategy."""
    rows = [r for r in _finite(records) if r["metric"] == "accuracy" and "n_labeled" in r]
    figs = []
    for dataset in sorted({r["dataset"] for r in rows}):
        here = [r for r in rows if r["dataset"] == dataset]
        fig, ax = subplots(figsize=(4.6, 3.2))
        for method in sorted({r["method"] for r in here}):
            vals = _mean_by([r for r in here if r["method"] == method], "n_labeled")
            b = sorted(vals)
            ax.plot(
                [k[0] for k in b], [vals[k] for k in b], "o-", ms=3, label=method, color=_METHOD_COLOURS.get(method)
            )
        ax.set_xlabel("labelled points", fontsize=8)
        ax.set_ylabel("test accuracy", fontsize=8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        figs.append((f"{dataset}: active learning, test accuracy per round (mean over seeds)", fig))
    return figs


# ---------------------------------------------------------------------------- bars
def _grouped_bars(ax: Any, groups: list[str], methods: list[str], values: dict[tuple[str, str], float]) -> None:
    width = 0.8 / max(len(methods), 1)
    for k, method in enumerate(methods):
        xs = [i + (k - (len(methods) - 1) / 2) * width for i in range(len(groups))]
        ys = [values.get((g, method), np.nan) for g in groups]
        ax.bar(xs, ys, width, label=method, color=_METHOD_COLOURS.get(method))
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, fontsize=7, rotation=15)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7)


@figure_for("distribution-shift")
def distribution_shift_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Thesis Figure 4.10: test accuracy and |DP| under shift, before and after DP trimming."""
    rows = [r for r in _finite(records) if r["metric"] in ("accuracy", "dp")]
    if not rows:
        return []
    datasets = sorted({r["dataset"] for r in rows})
    methods = sorted({r["method"] for r in rows})
    fig, axes = subplots(1, 2, figsize=(max(7.0, 2.4 * len(datasets) + 2), 3.0))
    for ax, metric in zip(axes, ("accuracy", "dp")):
        means = _mean_by([r for r in rows if r["metric"] == metric], "dataset", "method")
        vals = {k: abs(v) if metric == "dp" else v for k, v in means.items()}
        _grouped_bars(ax, datasets, methods, vals)
        ax.set_ylabel("|DP|" if metric == "dp" else "test accuracy", fontsize=8)
    fig.tight_layout()
    return [("test accuracy and |DP| under distribution shift, before and after DP trimming (mean over seeds)", fig)]


@figure_for("bench-influence")
def bench_influence_figures(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Seconds for all four objectives over every training point: ours vs the n x d x d einsum."""
    rows = [r for r in _finite(records) if r["metric"] in ("seconds", "seconds_einsum")]
    if not rows:
        return []
    means = _mean_by(rows, "dataset", "metric")
    datasets = sorted({d for d, _ in means})
    labels = {"seconds": "ours", "seconds_einsum": "einsum (n x d x d)"}
    present = [m for m in labels if any((d, m) in means for d in datasets)]
    fig, ax = subplots(figsize=(max(4.2, 2.2 * len(datasets) + 1.5), 3.0))
    width = 0.8 / len(present)
    for k, metric in enumerate(present):
        xs = [i + (k - (len(present) - 1) / 2) * width for i in range(len(datasets))]
        ys = [means.get((d, metric), np.nan) for d in datasets]
        bars = ax.bar(xs, ys, width, label=labels[metric], color=("#1f5fbf", "#999999")[k % 2])
        ax.bar_label(bars, fmt="%.3g", fontsize=6)
    ax.set_yscale("log")
    ax.set_xticks(range(len(datasets)))
    ax.set_xticklabels(datasets, fontsize=7)
    ax.set_ylabel("seconds (log)", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return [
        (
            "seconds for influence of every training point on all four objectives: ours vs the per-sample "
            "Hessian einsum (mean over seeds)",
            fig,
        )
    ]


def plot_influence_tree(tree: Any, ax: Any = None, *, max_depth: int | None = 3, fontsize: int = 8) -> Any:
    """Draw a fitted :class:`robustfair.influence.InfluenceTree` with its shrunk node values.

    Parameters
    ----------
    tree : InfluenceTree
        Fitted.
    ax : matplotlib Axes, optional
        Where to draw; default a new bare ``Figure``'s axes.
    max_depth, fontsize : int
        Passed to :func:`sklearn.tree.plot_tree`.

    Returns
    -------
    matplotlib Axes
    """
    from copy import deepcopy

    from sklearn.tree import plot_tree

    if not hasattr(tree, "node_values_"):
        raise ValueError("tree: this InfluenceTree is not fitted; call fit first.")
    if ax is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig, ax = subplots(figsize=(10, 6))
        FigureCanvasAgg(fig)  # plot_tree measures text, which needs a renderer; no backend is set
    # plot_tree reads tree_.value: show the shrunk values on a copy of the estimator.
    shown = deepcopy(tree.estimator_)
    shown.tree_.value[:, 0, 0] = tree.node_values_
    plot_tree(
        shown,
        ax=ax,
        max_depth=max_depth,
        feature_names=list(tree.feature_names_),
        filled=True,
        impurity=False,
        fontsize=fontsize,
        precision=4,
    )
    return ax
