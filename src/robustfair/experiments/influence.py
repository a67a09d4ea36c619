"""Influence-based data selection: the paper's conventional-classification experiments.

``influence-loo`` (Appendix B), ``bench-influence`` (scale), ``influence-regions`` (Figure
1 / thesis Figure 4.7), ``influence-trim`` (Figure 2 / thesis Figures 4.8-4.9) and
``poisoning-defense`` (Table 1 / thesis Table 4.5). The application scenarios of Section 5
live in ``influence_applications.py``.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import numpy as np
from pydantic import Field

from ._common import load_config_dataset
from ._registry import ExperimentConfig, Record, register

OBJECTIVES = ("utility", "dp", "eop", "robust")


# ---------------------------------------------------------------------------- helpers
def _ensure_datasets() -> None:
    from ..datasets import _influence_data  # noqa: F401  (registers the InfDataSel datasets)


def split_train_val_test(data: Any, seed: int, fractions: tuple[float, float] = (0.6, 0.2)) -> dict[str, Any]:
    """``{"train", "validation", "test"}`` parts: the dataset's own split, else a seeded one.

    A dataset without a validation part (the attack sets) uses its test part as the
    validation set too, as InfDataSel does.
    """
    split = data.extras.get("split")
    if split is not None:
        from ..datasets._influence_data import split_parts

        parts = split_parts(data)
        if "validation" not in parts and "test" in parts:
            parts["validation"] = parts["test"]
        if "test" not in parts and "validation" in parts:
            parts["test"] = parts["validation"]
        return parts
    perm = np.random.default_rng(seed).permutation(data.n_samples)
    a = int(round(fractions[0] * data.n_samples))
    b = a + int(round(fractions[1] * data.n_samples))
    parts = {"train": data.subset(np.sort(perm[:a])), "validation": data.subset(np.sort(perm[a:b]))}
    parts["test"] = data.subset(np.sort(perm[b:])) if b < data.n_samples else parts["validation"]
    return parts


def subsample(data: Any, n_samples: int | None, seed: int) -> Any:
    """A seeded subsample of ``n_samples`` rows (all rows when ``None`` or larger)."""
    if n_samples is None or n_samples >= data.n_samples:
        return data
    return data.subset(np.sort(np.random.default_rng(seed).choice(data.n_samples, n_samples, replace=False)))


def standardize_parts(parts: dict[str, Any]) -> dict[str, Any]:
    """Z-score every column (one-hot ones too) with training statistics, as InfDataSel's
    ``StandardScaler`` does; constant columns are only centred."""
    from ..datasets import Dataset

    mean, scale = parts["train"].X.mean(axis=0), parts["train"].X.std(axis=0)
    scale[scale == 0] = 1.0
    out = {}
    for key, part in parts.items():
        out[key] = Dataset(
            X=(part.X - mean) / scale,
            y=part.y,
            sensitive=part.sensitive,
            name=part.name,
            feature_names=part.feature_names,
            group_names=part.group_names,
            description=part.description + " Standardized with training statistics.",
        )
    return out


def binary_groups(sensitive: np.ndarray) -> np.ndarray:
    """0/1 groups; a multi-group attribute becomes largest group (1) vs the rest (0)."""
    values, counts = np.unique(sensitive, return_counts=True)
    if values.shape[0] == 2:
        return (sensitive == values[1]).astype(np.int64)
    return (sensitive == values[np.argmax(counts)]).astype(np.int64)


def evaluate(model: Any, X: np.ndarray, y: np.ndarray, s: np.ndarray, X_adv: np.ndarray) -> dict[str, float]:
    """Test accuracy, signed DP and EOP gaps (group 1 minus group 0), robust accuracy."""
    pred = (model.decision_function(X) > 0).astype(np.int64)
    y01 = (y == model.classes_[1]).astype(np.int64)
    g1, g0 = s == 1, s == 0
    pos = y01 == 1
    return {
        "accuracy": float((pred == y01).mean()),
        "dp": float(pred[g1].mean() - pred[g0].mean()),
        "eop": (
            float(pred[g1 & pos].mean() - pred[g0 & pos].mean())
            if (g1 & pos).any() and (g0 & pos).any()
            else float("nan")
        ),
        "robust_accuracy": float(((model.decision_function(X_adv) > 0).astype(np.int64) == y01).mean()),
    }


def trim_records(
    dataset: str, method: str, keys: dict[str, Any], metrics: dict[str, float], scores: np.ndarray, keep: np.ndarray
) -> list[Record]:
    """One trimming cell's records: each test metric, and the summed influence of the removed points."""
    removed = ~keep
    out = [Record(dataset, method, metric, value, keys) for metric, value in metrics.items()]
    out.append(
        Record(dataset, method, "trimmed_influence", float(scores[removed].sum()) if removed.any() else 0.0, keys)
    )
    return out


def _load(config: Any, name: str, seed: int, **overrides: Any):
    _ensure_datasets()
    return load_config_dataset(config, seed=seed, dataset=name, **overrides)


# ---------------------------------------------------------------------------- influence-loo
class InfluenceLooConfig(ExperimentConfig):
    datasets: list[str] = Field(default_factory=lambda: ["toy-influence", "german"], min_length=1)
    objectives: list[str] = Field(default_factory=lambda: list(OBJECTIVES), min_length=1)
    l2: float = Field(default=0.01, ge=0, description="lambda of the mean-loss objective")
    n_loo: int | None = Field(default=125, ge=2, description="training points retrained without (paper: 125 of 150)")
    gamma: float = Field(default=1.3, gt=0)


@register(
    "influence-loo",
    config=InfluenceLooConfig,
    description="Spearman rho between predicted influence and leave-one-out retraining, per objective",
    cites="influence paper Appendix B, Figure 7 (rho = 0.99 on toy data)",
    published=tuple(
        {
            "dataset": "toy-influence",
            "method": "influence-function",
            "metric": "spearman",
            "objective": o,
            "value": 0.99,
        }
        for o in ("utility", "dp", "robust")
    ),
)
def influence_loo(config: InfluenceLooConfig, seed: int) -> list[Record]:
    from scipy.stats import spearmanr

    from ..influence import InfluenceLogisticRegression
    from ..influence._objectives import build_objectives

    records: list[Record] = []
    for name in config.datasets:
        parts = split_train_val_test(_load(config, name, seed), seed, (0.8, 0.2))
        tr, va = parts["train"], parts["validation"]
        s_val = binary_groups(va.sensitive)
        model = InfluenceLogisticRegression(l2=config.l2).fit(tr.X, tr.y)
        start = time.perf_counter()
        scores = model.influence(
            tr.X, tr.y, va.X, va.y, objectives=config.objectives, sensitive_features=s_val, gamma=config.gamma
        )
        seconds = time.perf_counter() - start
        objs = build_objectives(
            config.objectives,
            theta=model.theta_,
            X_val=va.X,
            y_val=(va.y == model.classes_[1]).astype(float),
            sensitive_features=s_val,
            gamma=config.gamma,
        )
        base = np.array([o.value(model.theta_) for o in objs])
        n = tr.n_samples
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(n, size=min(config.n_loo or n, n), replace=False))
        actual = np.empty((chosen.shape[0], len(objs)))
        # One refit per removed point is the quantity being checked; it cannot be batched.
        for row, j in enumerate(chosen):
            keep = np.arange(n) != j
            # Same C (sum-loss weight) without point j: lambda scales by n / (n - 1).
            refit = InfluenceLogisticRegression(l2=config.l2 * n / (n - 1))
            refit.fit(tr.X[keep], tr.y[keep], init=model.theta_)
            actual[row] = [o.value(refit.theta_) for o in objs] - base
        for k, o in enumerate(objs):
            rho = spearmanr(scores[o.name][chosen], actual[:, k])[0]
            records.append(Record(tr.name, "influence-function", "spearman", float(rho), {"objective": o.name}))
            records.append(
                Record(
                    tr.name,
                    "influence-function",
                    "slope",
                    float(np.polyfit(scores[o.name][chosen], actual[:, k], 1)[0]),
                    {"objective": o.name},
                )
            )
        records.append(Record(tr.name, "influence-function", "seconds", seconds, {"objective": "all"}))
    return records


# ---------------------------------------------------------------------------- bench-influence
class BenchInfluenceConfig(ExperimentConfig):
    n: int = Field(default=30162, ge=10, description="training rows (Adult: 30162)")
    d: int = Field(default=102, ge=1, description="features (Adult one-hot: 102)")
    n_val: int = Field(default=7530, ge=10, description="validation rows (Adult: 7530)")
    repeats: int = Field(default=3, ge=1, description="timing repetitions; the best is kept")
    einsum: bool = Field(default=True, description="also time the n x d x d formulation")


def einsum_reference_influence(
    model: Any, X: np.ndarray, y: np.ndarray, objs: list, block: int | None = None
) -> np.ndarray:
    """The per-sample-Hessian formulation, for benchmarking only.

    ``block=None`` follows the steps of the authors' code (InfDataSel ``model.hess``): an
    ``n x d x d`` tensor of ``p_i (1 - p_i) x_i x_i^T``, bordered per sample with the
    intercept row and column by concatenation (``n x (d+1) x (d+1)``), contracted with the
    sample weights; then one Cholesky solve per objective and an explicit ``n x (d+1)``
    gradient matrix. An int instead evaluates the fused tensor ``block`` rows at a time on
    the augmented data: a stronger, memory-bounded reference.
    """
    import scipy.linalg

    n = X.shape[0]
    Xa = np.column_stack([X, np.ones(n)])
    p = 1.0 / (1.0 + np.exp(-(Xa @ model.theta_)))
    w = p * (1.0 - p)
    if block is None:
        per_sample = np.einsum("a,ai,aj->aij", w, X, X)
        border = (w[:, None] * X)[:, np.newaxis, :]
        per_sample = np.concatenate(
            [
                np.concatenate([per_sample, np.transpose(border, (0, 2, 1))], axis=2),
                np.concatenate([border, w.reshape(-1, 1, 1)], axis=2),
            ],
            axis=1,
        )
        H = np.einsum("aij,a->ij", per_sample, np.ones(n))
        del per_sample
    else:
        H = np.zeros((Xa.shape[1], Xa.shape[1]))
        for start in range(0, n, block):
            rows = slice(start, start + block)
            H += np.einsum("aij->ij", np.einsum("a,ai,aj->aij", w[rows], Xa[rows], Xa[rows]))
    H = H / n + np.diag(np.append(np.full(X.shape[1], model.l2), 0.0))
    G = Xa * (p - (y == model.classes_[1]))[:, None]
    out = []
    factor = scipy.linalg.cho_factor(H)
    for o in objs:
        out.append(G.dot(scipy.linalg.cho_solve(factor, o.gradient(model.theta_))) / n)
    return np.column_stack(out)


def make_benchmark_data(n: int, d: int, n_val: int, seed: int):
    """Random Adult-shaped data: Gaussian features, labels and groups from a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n + n_val, d))
    beta = rng.normal(size=d) / np.sqrt(d)
    y = (rng.uniform(size=n + n_val) < 1 / (1 + np.exp(-(X @ beta) * 2))).astype(np.int64)
    s = (rng.uniform(size=n + n_val) < 1 / (1 + np.exp(-X[:, 0]))).astype(np.int64)
    return X[:n], y[:n], X[n:], y[n:], s[n:]


def run_benchmark(n: int, d: int, n_val: int, repeats: int, einsum: bool, seed: int = 0) -> dict[str, float]:
    """Time all four objectives for every training point: ours vs the einsum formulation.

    The two are timed in alternation (``repeats`` rounds) so both see the same background
    load; ``seconds`` and ``seconds_einsum`` are the fastest round of each (the usual
    estimate of cost on a shared machine), ``cpu_seconds`` the process CPU time of our
    fastest round. ``peak_mib`` is tracemalloc's peak of one extra run of ours.
    """
    import os
    import tracemalloc

    from ..influence import InfluenceLogisticRegression
    from ..influence._objectives import build_objectives

    X, y, Xv, yv, sv = make_benchmark_data(n, d, n_val, seed)
    t0 = time.perf_counter()
    model = InfluenceLogisticRegression(l2=1e-3).fit(X, y)
    out: dict[str, float] = {"seconds_fit": time.perf_counter() - t0, "n": n, "d": d}
    objs = build_objectives(
        list(OBJECTIVES), theta=model.theta_, X_val=Xv, y_val=yv.astype(float), sensitive_features=sv, gamma=1.3
    )
    ours, cpu, ref_times, blocked_times = [], [], [], []
    # The authors' formulation materializes n x p x p doubles (a few copies); past 4 GB
    # only the blocked one runs.
    full_tensor = einsum and n * (d + 1) ** 2 * 8 < 4 * 2**30
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        scores = model.influence(X, y, Xv, yv, objectives=OBJECTIVES, sensitive_features=sv)
        ours.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if einsum:
            t0 = time.perf_counter()
            ref = einsum_reference_influence(model, X, y, objs, block=2048)
            blocked_times.append(time.perf_counter() - t0)
        if full_tensor:
            t0 = time.perf_counter()
            ref = einsum_reference_influence(model, X, y, objs, block=None)
            ref_times.append(time.perf_counter() - t0)
    best = int(np.argmin(ours))
    out["seconds"] = ours[best]
    out["seconds_median"] = float(np.median(ours))
    out["cpu_seconds"] = cpu[best]
    tracemalloc.start()
    model.influence(X, y, Xv, yv, objectives=OBJECTIVES, sensitive_features=sv)
    out["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    if einsum:
        out["seconds_einsum_blocked"] = min(blocked_times)
        out["speedup_blocked"] = out["seconds_einsum_blocked"] / out["seconds"]
        out["seconds_einsum"] = min(ref_times) if full_tensor else out["seconds_einsum_blocked"]
        out["speedup"] = out["seconds_einsum"] / out["seconds"]
        mine = np.column_stack([scores[o] for o in OBJECTIVES])
        out["max_abs_difference"] = float(np.abs(mine - ref).max() / max(np.abs(ref).max(), 1e-300))
    out["load_average"] = os.getloadavg()[0]
    return out


@register(
    "bench-influence",
    config=BenchInfluenceConfig,
    description="seconds for all four influence objectives over every training point vs the n x d x d einsum",
    cites="influence paper Appendix E.1, Table 2 (Adult: 4.061 s)",
    published=({"dataset": "random-30162x102", "method": "influence", "metric": "seconds", "value": 4.061},),
)
def bench_influence(config: BenchInfluenceConfig, seed: int) -> list[Record]:
    res = run_benchmark(config.n, config.d, config.n_val, config.repeats, config.einsum, seed)
    name = f"random-{config.n}x{config.d}"
    keep = (
        "seconds",
        "seconds_median",
        "cpu_seconds",
        "seconds_fit",
        "peak_mib",
        "seconds_einsum",
        "speedup",
        "max_abs_difference",
    )
    return [Record(name, "influence", k, res[k]) for k in keep if k in res]


# ---------------------------------------------------------------------------- influence-regions
TOY_L2_SUM = 0.01  # InfDataSel data/toy/meta.json l2_reg: sklearn C = 1 / l2_reg on the summed loss


class InfluenceRegionsConfig(ExperimentConfig):
    dataset: str = "toy-influence"
    objectives: list[str] = Field(default_factory=lambda: ["utility", "dp", "robust"], min_length=1)
    protocol: Literal["paper", "ours"] = Field(
        default="paper",
        description=(
            "paper: InfDataSel's toy protocol (features z-scored on the training part, no intercept, "
            "l2_reg 0.01 on the summed loss, i.e. C = 100); ours: raw features, an intercept, l2 = 0.01"
        ),
    )
    l2: float | None = Field(
        default=None,
        ge=0,
        description="lambda of the mean-loss objective; default: the protocol's (paper 0.01 / n_train, ours 0.01)",
    )
    budget: int = Field(default=10, ge=0, description="points trimmed (paper: b = 10)")
    n_random: int = Field(default=20, ge=0, description="random removals of the same size (the control)")
    reg_param: float = Field(default=1.0, ge=0, description="hierarchical shrinkage lambda")
    max_depth: int = Field(default=4, ge=1)
    gamma: float = Field(default=1.3, gt=0, description="overshoot of the evasion attack (InfDataSel: 1.3)")


@register(
    "influence-regions",
    config=InfluenceRegionsConfig,
    description="toy data: influence-tree regions, points trimmed, validation metric before/after trimming",
    cites="influence paper Figure 1 / thesis Figure 4.7 (robust accuracy 0.01 -> 0.42)",
    published=tuple(
        {
            "dataset": dataset,
            "method": "trim",
            "metric": "robust_accuracy",
            "objective": "robust",
            "stage": stage,
            "value": value,
        }
        for dataset in ("toy-influence", "toy-influence-infdatasel")
        for stage, value in (("before", 0.01), ("after", 0.42))
    ),
)
def influence_regions(config: InfluenceRegionsConfig, seed: int) -> list[Record]:
    from ..influence import InfluenceLogisticRegression, InfluenceTree, linear_evasion_attack, trim
    from ..influence._objectives import build_objectives

    parts = split_train_val_test(_load(config, config.dataset, seed), seed)
    paper = config.protocol == "paper"
    if paper:  # InfDataSel SEC-4-1.py: StandardScaler on the training part, LogisticRegression(fit_intercept=False)
        parts = standardize_parts(parts)
    tr, va = parts["train"], parts["validation"]
    s_val = binary_groups(va.sensitive)
    l2 = config.l2 if config.l2 is not None else (TOY_L2_SUM / tr.n_samples if paper else 0.01)
    model = InfluenceLogisticRegression(l2=l2, fit_intercept=not paper).fit(tr.X, tr.y)
    X_adv = linear_evasion_attack(va.X, model.coef_, model.intercept_, gamma=config.gamma)
    scores = model.influence(
        tr.X, tr.y, va.X, va.y, objectives=config.objectives, sensitive_features=s_val, gamma=config.gamma
    )
    before = evaluate(model, va.X, va.y, s_val, X_adv)
    # The objectives themselves (soft DP, summed losses; adversarial set fixed at the
    # untrimmed model): what trimming optimises to first order.
    objectives = {
        o.name: o
        for o in build_objectives(
            config.objectives,
            theta=model.theta_,
            X_val=va.X,
            y_val=(va.y == model.classes_[1]).astype(float),
            sensitive_features=s_val,
            gamma=config.gamma,
        )
    }
    lo, hi = tr.X.min(axis=0) - 1, tr.X.max(axis=0) + 1
    grid = np.stack(np.meshgrid(*[np.linspace(lo[j], hi[j], 60) for j in range(min(2, tr.n_features))]), -1)
    grid = grid.reshape(-1, grid.shape[-1])
    records: list[Record] = []
    metric_of = {"utility": "accuracy", "dp": "dp", "eop": "eop", "robust": "robust_accuracy"}
    rng = np.random.default_rng(seed)
    point_values: dict[str, np.ndarray] = {}
    if tr.n_features == 2:
        point_values = {
            "x0": tr.X[:, 0],
            "x1": tr.X[:, 1],
            "label": (tr.y == model.classes_[1]).astype(float),
            "group": binary_groups(tr.sensitive).astype(float),
        }
    for name in config.objectives:
        tree = InfluenceTree(config.reg_param, max_depth=config.max_depth, random_state=seed)
        tree.fit(tr.X, tr.y, influence=scores[name], feature_names=tr.feature_names or None)
        keep = trim(scores[name], config.budget)
        # The trimmed model is refit at the same C (the summed loss's weight), as upstream
        # refits LogisticRegression(C=1/l2_reg) on the smaller set.
        refit = InfluenceLogisticRegression(l2=l2 * tr.n_samples / keep.sum(), fit_intercept=not paper).fit(
            tr.X[keep], tr.y[keep], init=model.theta_
        )
        after = evaluate(refit, va.X, va.y, s_val, X_adv)
        metric = metric_of[name]
        for stage, values in (("before", before), ("after", after)):
            value = abs(values[metric]) if metric in ("dp", "eop") else values[metric]
            records.append(Record(tr.name, "trim", metric, value, {"objective": name, "stage": stage}))
        # Control: as many points removed at random, same refit; the mean over n_random draws.
        n_removed = int((~keep).sum())
        control = []
        for _ in range(config.n_random):
            kept = np.ones(tr.n_samples, dtype=bool)
            kept[rng.choice(tr.n_samples, n_removed, replace=False)] = False
            fitted = InfluenceLogisticRegression(l2=l2 * tr.n_samples / kept.sum(), fit_intercept=not paper)
            values = evaluate(fitted.fit(tr.X[kept], tr.y[kept], init=model.theta_), va.X, va.y, s_val, X_adv)
            control.append(abs(values[metric]) if metric in ("dp", "eop") else values[metric])
        if control:
            records.append(
                Record(tr.name, "random", metric, float(np.mean(control)), {"objective": name, "stage": "after"})
            )
        for stage, theta in (("before", model.theta_), ("after", refit.theta_)):
            records.append(
                Record(
                    tr.name,
                    "trim",
                    "objective_value",
                    objectives[name].value(theta),
                    {"objective": name, "stage": stage},
                )
            )
        records.append(Record(tr.name, "trim", "n_trimmed", float((~keep).sum()), {"objective": name}))
        records.append(
            Record(tr.name, "trim", "negative_fraction", float((scores[name] < 0).mean()), {"objective": name})
        )
        if tr.n_features == 2:
            for label in (0, 1):
                region = tree.predict(grid, np.full(grid.shape[0], label))
                records.append(
                    Record(
                        tr.name,
                        "influence-tree",
                        "positive_region_fraction",
                        float((region > 0).mean()),
                        {"objective": name, "label": label},
                    )
                )
        records.append(
            Record(tr.name, "influence-tree", "r2", tree.score(tr.X, tr.y, influence=scores[name]), {"objective": name})
        )
        # What the figures redraw (figures see only records): the tree's nodes and, for 2-D
        # data, the decision boundary before/after trimming and every training point.
        names = tree.feature_names_
        for node, fields in enumerate(tree.node_table()):
            split_on = names[int(fields["feature"])] if fields["feature"] >= 0 else "leaf"
            records.extend(
                Record(
                    tr.name,
                    "tree-node",
                    metric,
                    value,
                    {"objective": name, "node": node, "split_on": split_on, "role": "figure"},
                )
                for metric, value in fields.items()
            )
        if tr.n_features == 2:
            for stage, fitted in (("before", model), ("after", refit)):
                for metric, value in (
                    ("coef_0", fitted.coef_[0]),
                    ("coef_1", fitted.coef_[1]),
                    ("intercept", fitted.intercept_),
                ):
                    records.append(
                        Record(
                            tr.name, "trim", metric, float(value), {"objective": name, "stage": stage, "role": "figure"}
                        )
                    )
            point_values[f"influence_{name}"] = scores[name]
            point_values[f"trimmed_{name}"] = (~keep).astype(float)
    if tr.n_features == 2:
        for i in range(tr.n_samples):  # one record per training point and quantity (150 x 8 on the toy data)
            records.extend(
                Record(tr.name, "train-point", metric, float(values[i]), {"point": i, "role": "figure"})
                for metric, values in point_values.items()
            )
    return records
