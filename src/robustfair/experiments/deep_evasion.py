"""``deep-evasion``: GAN-based black-box evasion attack on deep clustering (thesis 2.3).

Trains a deep clustering victim (CC or DEC) on an image dataset, trains the attack's
generator against it (black-box: memberships only, zeroth-order gradients; white-box:
backpropagation through the victim, for comparison) and records NMI/ARI/ACC before and
after, with the number of victim queries. Optionally measures the Mahalanobis (SSD-style)
detector's detection rate on a 50/50 benign/adversarial mix.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from pydantic import Field

from ._common import load_config_dataset
from ._registry import ExperimentConfig, Record, register

_MAX_CONFUSION_K = 12
_PCA_POINTS = 100


class DeepEvasionConfig(ExperimentConfig):
    dataset: str = "mnist-usps"
    victim: Literal["cc", "dec"] = "cc"
    eps: float = Field(default=0.3, gt=0, le=1, description="L-inf budget on [0, 1] pixels")
    norm: Literal["linf", "l2"] = "linf"
    gradient: Literal["nes", "spsa", "surrogate"] = "surrogate"
    loss: Literal["distance", "log"] = "log"
    alpha_gan: float = Field(default=0.1, ge=0)
    targeted: bool = Field(default=True, description="footnote 5: pull every image to target_cluster")
    target_cluster: int = Field(default=0, ge=0)
    modes: list[Literal["black-box", "white-box"]] = Field(default_factory=lambda: ["black-box", "white-box"],
                                                           min_length=1)
    victim_epochs: int | None = Field(default=None, ge=1, description="CC epochs / DEC clustering epochs")
    attack_epochs: int = Field(default=8, ge=1)
    n_directions: int = Field(default=5, ge=1, description="antithetic NES/SPSA pairs per image per step")
    detector: bool = Field(default=True, description="also measure the Mahalanobis detector's detection rate")
    n_samples: int | None = Field(default=None, ge=20)

    dataset_option_fields = ("n_samples",)


def _make_victim(config: DeepEvasionConfig, k: int, seed: int, dataset: str):
    from ..deep import DEC, ContrastiveClustering

    if config.victim == "cc":
        return ContrastiveClustering(k, epochs=config.victim_epochs or 30, flip=dataset == "yale",
                                     random_state=seed)
    return DEC(k, pretrain_epochs=30, epochs=config.victim_epochs or 20, hidden=(500, 500), random_state=seed)


def _scaled_images(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    low, high = X.min(), X.max()
    if low < 0 or high > 1:  # e.g. scikit-learn digits (0..16)
        X = (X - min(low, 0.0)) / (high - min(low, 0.0))
    return X


@register(
    "deep-evasion",
    config=DeepEvasionConfig,
    description="GAN black-box evasion of deep clustering (CC, DEC): NMI/ARI/ACC pre/post, queries, detection",
    cites="thesis 2.3.4-2.3.6, Tables 2.3 and 2.4, Figures 2.9 and 2.12",
    published=(
        {"dataset": "cifar-10", "method": "cc", "metric": "nmi", "phase": "pre", "value": 0.70},
        {"dataset": "cifar-10", "method": "cc", "metric": "nmi", "phase": "post", "value": 0.01},
        {"dataset": "stl-10", "method": "cc", "metric": "nmi", "phase": "pre", "value": 0.76},
        {"dataset": "stl-10", "method": "cc", "metric": "nmi", "phase": "post", "value": 0.03},
        {"dataset": "cifar-10", "method": "cc", "metric": "queries", "value": 5148 * 256},
        {"dataset": "cifar-10", "method": "cc", "metric": "detection_rate", "value": 0.1169},
    ),
    resources={"GPU": 1},
    figures=lambda records: _figures(records),
)
def deep_evasion(config: DeepEvasionConfig, seed: int) -> list[Record]:
    from ..attacks._gan_evasion import GANEvasionAttack, clustering_metrics

    data = load_config_dataset(config, seed=seed)
    if data.y is None:
        raise ValueError(f"dataset: {data.name!r} has no labels to score NMI/ARI/ACC against.")
    X = _scaled_images(data.X)
    k = int(np.unique(data.y).shape[0])
    victim = _make_victim(config, k, seed, data.name)
    start = time.perf_counter()
    victim.fit(X)
    method = config.victim
    records = [Record(data.name, method, "victim_seconds", time.perf_counter() - start)]
    for mode in config.modes:
        attack = GANEvasionAttack(
            victim, eps=config.eps, norm=config.norm, gradient=config.gradient, white_box=mode == "white-box",
            targeted=config.targeted, target_cluster=min(config.target_cluster, k - 1),
            epochs=config.attack_epochs, n_directions=config.n_directions, batch_size=64, lr=3e-3,
            loss=config.loss, alpha_gan=config.alpha_gan, random_state=seed,
        )
        result = attack.attack(X, data.y)
        for phase, metrics in (("pre", result.metrics_before), ("post", result.metrics_after)):
            for name in ("nmi", "ari", "acc"):
                records.append(Record(data.name, method, name, metrics[name], {"phase": phase, "mode": mode}))
        records.append(Record(data.name, method, "queries", result.n_queries, {"mode": mode}))
        records.append(Record(data.name, method, "label_change", result.metrics_after["label_change"],
                              {"mode": mode}))
        records.append(Record(data.name, method, "attack_seconds", result.seconds, {"mode": mode}))
        records.append(Record(data.name, method, "max_perturbation", result.info["max_perturbation"],
                              {"mode": mode}))
        if mode != config.modes[0]:
            continue
        # Baseline: random +-eps sign noise of the same budget (no queries beyond scoring).
        noise = np.clip(X + config.eps * np.sign(np.random.default_rng(seed).standard_normal(X.shape)), 0, 1)
        noise_metrics = clustering_metrics(data.y, victim.predict(noise))
        for name in ("nmi", "ari", "acc"):
            records.append(Record(data.name, method, name, noise_metrics[name], {"phase": "post", "mode": "random-noise"}))
        records += _figure_records(data.name, method, mode, data.y, result, X, config.eps)
        if config.detector:
            from ..defenses import MahalanobisDetector

            rate = MahalanobisDetector(n_clusters=k, random_state=seed).fit(victim, X).detection_rate(
                X, result.X_adv, random_state=seed)
            records.append(Record(data.name, method, "detection_rate", rate, {"mode": mode}))
    return records


def _figure_records(dataset: str, method: str, mode: str, y: np.ndarray, result, X: np.ndarray,
                    eps: float) -> list[Record]:
    """Confusion matrices (Fig 2.9) and a 2-D PCA of benign vs adversarial images (Fig 2.12b)."""
    from sklearn.decomposition import PCA

    out: list[Record] = []
    classes = np.unique(y)
    if classes.shape[0] <= _MAX_CONFUSION_K:
        for phase, labels in (("pre", result.info["labels_before"]), ("post", result.info["labels_after"])):
            table = np.zeros((classes.shape[0], classes.shape[0]), dtype=np.int64)
            np.add.at(table, (np.searchsorted(classes, y), labels), 1)
            for t in range(table.shape[0]):
                for c in range(table.shape[1]):
                    out.append(Record(dataset, method, "confusion", table[t, c],
                                      {"phase": phase, "mode": mode, "eps": eps, "true": int(t), "cluster": int(c),
                                       "role": "figure"}))
    rng = np.random.default_rng(0)
    pick = rng.choice(X.shape[0], min(_PCA_POINTS, X.shape[0]), replace=False)
    pca = PCA(2, random_state=0).fit(X)
    for kind, images in (("benign", X[pick]), ("adversarial", result.X_adv[pick])):
        coords = pca.transform(images)
        for j in range(coords.shape[0]):
            for pc in (0, 1):
                out.append(Record(dataset, method, f"pca{pc + 1}", coords[j, pc],
                                  {"mode": mode, "eps": eps, "kind": kind, "point": int(j), "role": "figure"}))
    return out


def _figures(records: list[dict]) -> list:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    def cell(r: dict) -> tuple:
        return (r["dataset"], r["method"], r["seed"], r.get("eps"))

    figures = []
    groups = sorted({cell(r) for r in records if r["metric"] == "confusion"}, key=str)
    for key in groups[:4]:
        dataset, method, seed, eps = key
        rows = [r for r in records if r["metric"] == "confusion" and cell(r) == key]
        k = 1 + int(max(max(r["true"], r["cluster"]) for r in rows))
        fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.4))
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
        figures.append((f"confusion matrices before/after the attack: {method} on {dataset}, eps={eps} "
                        f"(seed {seed})", fig))
    pca_groups = sorted({cell(r) for r in records if r["metric"] == "pca1"}, key=str)
    for key in pca_groups[:4]:
        dataset, method, seed, eps = key
        pts: dict[tuple, dict[str, float]] = {}
        for r in records:
            if r["metric"] in ("pca1", "pca2") and cell(r) == key:
                pts.setdefault((r["kind"], r["point"]), {})[r["metric"]] = r["value"]
        fig, ax = plt.subplots(figsize=(4.4, 3.4))
        for kind, marker in (("benign", "o"), ("adversarial", "x")):
            xy = np.array([[v["pca1"], v["pca2"]] for (kd, _), v in pts.items() if kd == kind and len(v) == 2])
            if xy.size:
                ax.scatter(xy[:, 0], xy[:, 1], marker=marker, label=kind, alpha=0.7)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
        ax.legend(fontsize=8)
        figures.append((f"PCA of benign vs adversarial images: {method} on {dataset}, eps={eps} (seed {seed})", fig))
    return figures


class LabelOnlyTransferConfig(ExperimentConfig):
    dataset: str = "yale"
    service: Literal["cc", "dec"] = "dec"
    surrogate: Literal["cc", "dec"] = "cc"
    eps: list[float] = Field(default_factory=lambda: [0.05, 0.1], min_length=1,
                             description="L-inf budgets on [0, 1] pixels (one surrogate, one GAN per budget)")
    per_class: int = Field(default=10, ge=1, description="images per person sent to the service (thesis: 10)")
    draws: int = Field(default=10, ge=1, description="random draws of the per-person images (thesis: 10)")
    service_epochs: int | None = Field(default=None, ge=1)
    surrogate_epochs: int = Field(default=30, ge=1)
    attack_epochs: int = Field(default=5, ge=1)
    targeted: bool = False
    n_samples: int | None = Field(default=None, ge=20)

    dataset_option_fields = ("n_samples",)


class _ServiceSpec:
    """Adapter so ``_make_victim`` builds the service model from a label-only config."""

    def __init__(self, config: LabelOnlyTransferConfig) -> None:
        self.victim = config.service
        self.victim_epochs = config.service_epochs


@register(
    "label-only-transfer",
    config=LabelOnlyTransferConfig,
    description="label-only clustering service over HTTP attacked through a CC surrogate (Face++ protocol)",
    cites="thesis 2.4, Figure 2.13 (Face++ on Extended Yale B: NMI 0.97 -> 0.62)",
    published=(
        {"dataset": "yale", "method": "face++", "metric": "nmi", "phase": "pre", "value": 0.97},
        {"dataset": "yale", "method": "face++", "metric": "nmi", "phase": "post", "value": 0.62},
    ),
    resources={"GPU": 1},
)
def label_only_transfer(config: LabelOnlyTransferConfig, seed: int) -> list[Record]:
    from ..attacks._gan_evasion import clustering_metrics
    from ..attacks._label_only import LabelOnlyTarget, TransferAttack
    from ..attacks._service import serve_clusterer
    from ..deep import DEC, ContrastiveClustering

    data = load_config_dataset(config, seed=seed)
    if data.y is None:
        raise ValueError(f"dataset: {data.name!r} has no labels to score NMI/ARI/ACC against.")
    X = _scaled_images(data.X)
    classes = np.unique(data.y)
    k = int(classes.shape[0])
    method = f"{config.service}-service"
    # The service owner's model, trained on the whole dataset; the attacker sees only its labels.
    service = _make_victim(_ServiceSpec(config), k, seed + 1, data.name)
    start = time.perf_counter()
    service.fit(X)
    records = [Record(data.name, method, "service_seconds", time.perf_counter() - start)]
    url, stop = serve_clusterer(service)
    try:
        start = time.perf_counter()
        if config.surrogate == "cc":
            surrogate = ContrastiveClustering(k, epochs=config.surrogate_epochs, flip=data.name == "yale",
                                              random_state=seed)
        else:
            surrogate = DEC(k, pretrain_epochs=config.surrogate_epochs, epochs=10, random_state=seed)
        surrogate.fit(X)  # the attacker's own copy of the data (thesis: the whole Yale B set)
        records.append(Record(data.name, method, "surrogate_seconds", time.perf_counter() - start))
        client = {"timeout": 60.0, "retries": 2}
        for eps in config.eps:
            attack = TransferAttack(
                url, eps=eps, n_clusters=k, surrogate=surrogate, random_state=seed, client_options=client,
                attack_options={"epochs": config.attack_epochs, "targeted": config.targeted, "target_cluster": 0},
            )
            start = time.perf_counter()
            attack.fit(X)
            records.append(Record(data.name, method, "attack_seconds", time.perf_counter() - start, {"eps": eps}))
            rng = np.random.default_rng(seed)  # the same draws for every budget
            for draw in range(config.draws):
                pick = np.concatenate([
                    rng.choice(np.flatnonzero(data.y == c), min(config.per_class, int(np.sum(data.y == c))),
                               replace=False)
                    for c in classes
                ])
                result = attack.attack(X[pick], data.y[pick])
                # Baseline: random +-eps sign noise of the same budget, sent to the same service.
                noise = np.clip(X[pick] + eps * np.sign(rng.standard_normal(X[pick].shape)), 0, 1)
                noise_metrics = clustering_metrics(data.y[pick], LabelOnlyTarget(url, **client)(noise))
                for phase, metrics in (("pre", result.metrics_before), ("post", result.metrics_after),
                                       ("random-noise", noise_metrics)):
                    for name in ("nmi", "ari", "acc"):
                        records.append(Record(data.name, method, name, metrics[name],
                                              {"phase": phase, "draw": draw, "eps": eps}))
                records.append(Record(data.name, method, "queries", result.n_queries, {"draw": draw, "eps": eps}))
    finally:
        stop()
    return records
