"""``deep-evasion``: GAN-based black-box evasion attack on deep clustering (thesis 2.3).

Trains a deep clustering victim (CC, DEC or SCAN) on an image dataset, trains the attack's
generator against it (black-box: memberships only, zeroth-order gradients; white-box:
backpropagation through the victim, for comparison) and records NMI/ARI/ACC before and
after, with the number of victim queries, for every budget in ``eps`` (the perturbation-norm
sweep of Fig 2.10). Optionally measures the Mahalanobis detector's (victim features) and
SSD's (self-supervised features, ``ssd``) detection rates on 50/50 benign/adversarial mixes,
scores the adversarial images on the other victim architectures (``transfer``, Fig 2.11),
attacks an adversarially retrained copy of the victim (``adversarial_training``,
Fig 2.12a) and attacks RUC fitted on top of the victim (``ruc``, Table 2.3's RUC rows).

The attack objective is thesis eq. 2.6 by default (``objective="eq2.6"``: the generator
maximises ``||M_i - C(x_i + G(x_i))||``, untargeted); ``objective="targeted-ce"`` is the
targeted cross-entropy ``-log C_t(x_i + G(x_i))`` towards ``target_cluster``, the default
before.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from ._common import load_config_dataset
from ._registry import ExperimentConfig, Record, register

_MAX_CONFUSION_K = 12
_PCA_POINTS = 100


_MODES: tuple[Literal["black-box", "white-box"], ...] = ("black-box", "white-box")
_VICTIMS = ("cc", "dec", "scan")


class DeepEvasionConfig(ExperimentConfig):
    dataset: str = "mnist-usps"
    victim: Literal["cc", "dec", "scan"] = Field(
        default="cc", description="deep clustering model attacked: cc, dec or scan (SimCLR pretext + SCAN head)"
    )
    eps: list[float] = Field(
        default_factory=lambda: [0.3],
        min_length=1,
        description="budgets on [0, 1] pixels; several trace the perturbation-norm sweep (Fig 2.10)",
    )
    norm: Literal["linf", "l2"] = Field(default="linf", description="norm of the perturbation budget eps")
    gradient: Literal["nes", "spsa", "surrogate"] = Field(
        default="surrogate", description="black-box gradient: NES or SPSA estimates, or a distilled surrogate"
    )
    objective: Literal["eq2.6", "targeted-ce"] = Field(
        default="eq2.6",
        description="attack objective: eq2.6 (thesis: push memberships away, max ||M_i - C(x + delta)||) "
        "or targeted-ce (footnote 5 with a cross-entropy: pull every image to target_cluster)",
    )
    alpha_gan: float = Field(default=0.1, ge=0, description="weight of the generator's GAN term (0: no discriminator)")
    target_cluster: int = Field(default=0, ge=0, description="cluster the targeted-ce objective pulls images to")
    modes: list[Literal["black-box", "white-box"]] = Field(
        default_factory=lambda: list(_MODES), min_length=1, description="attacker knowledge: black-box, white-box"
    )
    victim_epochs: int | None = Field(
        default=None, ge=1, description="CC epochs / DEC clustering epochs / SCAN pretext and clustering epochs"
    )
    attack_epochs: int = Field(default=8, ge=1)
    n_directions: int = Field(default=5, ge=1, description="antithetic NES/SPSA pairs per image per step")
    detector: bool = Field(default=True, description="also measure the Mahalanobis detector's detection rate")
    ssd: bool = Field(
        default=False,
        description="also fit SSD (SimCLR features, k-means, nearest-cluster Mahalanobis; victim-independent) "
        "and record its detection rate on adversarial and on sign-noise images (Fig 2.12a)",
    )
    ssd_epochs: int = Field(default=30, ge=1, description="SimCLR training epochs of the SSD detector")
    transfer: bool = Field(
        default=False,
        description="also train every other victim architecture and score the "
        "adversarial images on it (transferability, Fig 2.11)",
    )
    adversarial_training: bool = Field(
        default=False,
        description="also retrain a copy of the victim adversarially and attack it again (defense, Fig 2.12a)",
    )
    ruc: bool = Field(
        default=False,
        description="also fit RUC (Park et al. 2021) on the victim's pseudo-labels and attack the RUC "
        "model (robust deep clustering as a defense, thesis 2.3.6.4, Table 2.3's RUC rows)",
    )
    ruc_selection: Literal["confidence", "metric", "hybrid"] = Field(
        default="confidence", description="RUC's clean-set rule: victim confidence, kNN agreement, or both"
    )
    ruc_epochs: int = Field(default=20, ge=1, description="epochs per RUC co-training round (3 rounds)")
    n_samples: int | None = Field(default=None, ge=20)

    dataset_option_fields = ("n_samples",)

    @field_validator("eps", mode="before")
    @classmethod
    def _eps_list(cls, value: object) -> object:
        return [value] if isinstance(value, (int, float, str)) and not isinstance(value, bool) else value

    @field_validator("eps")
    @classmethod
    def _eps_in_range(cls, value: list[float]) -> list[float]:
        bad = [e for e in value if not 0 < e <= 1]
        if bad:
            raise ValueError(f"eps must lie in (0, 1] (pixels are scaled to [0, 1]); got {bad}")
        return sorted(set(value))


def _make_victim(config: Any, k: int, seed: int, dataset: str, kind: str | None = None):
    from ..deep import DEC, SCAN, ContrastiveClustering

    kind = kind or config.victim
    if kind == "cc":
        return ContrastiveClustering(k, epochs=config.victim_epochs or 30, flip=dataset == "yale", random_state=seed)
    if kind == "scan":
        return SCAN(k, pretext_epochs=config.victim_epochs or 20, epochs=config.victim_epochs or 30, random_state=seed)
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
    description="GAN black-box evasion of deep clustering (CC, DEC, SCAN): NMI/ARI/ACC pre/post, queries, detection",
    cites="thesis 2.3.4-2.3.6, Tables 2.3 and 2.4, Figures 2.9-2.12",
    published=(
        {"dataset": "cifar-10", "method": "cc", "metric": "nmi", "phase": "pre", "value": 0.70},
        {"dataset": "cifar-10", "method": "cc", "metric": "nmi", "phase": "post", "value": 0.01},
        {"dataset": "stl-10", "method": "cc", "metric": "nmi", "phase": "pre", "value": 0.76},
        {"dataset": "stl-10", "method": "cc", "metric": "nmi", "phase": "post", "value": 0.03},
        {"dataset": "cifar-10", "method": "cc", "metric": "queries", "value": 5148 * 256},
        {"dataset": "cifar-10", "method": "cc", "metric": "detection_rate", "value": 0.1169},
    ),
    resources={"GPU": 1},
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

    def attack(model, eps: float, mode: str):
        return GANEvasionAttack(
            model,
            eps=eps,
            norm=config.norm,
            gradient=config.gradient,
            white_box=mode == "white-box",
            targeted=config.objective == "targeted-ce",
            target_cluster=min(config.target_cluster, k - 1),
            epochs=config.attack_epochs,
            n_directions=config.n_directions,
            batch_size=64,
            lr=3e-3,
            loss="distance" if config.objective == "eq2.6" else "log",
            alpha_gan=config.alpha_gan,
            random_state=seed,
        ).attack(X, y=data.y)

    def scores(metrics: dict, keys: dict) -> list[Record]:
        return [Record(data.name, method, name, metrics[name], keys) for name in ("nmi", "ari", "acc")]

    ssd_detector = None
    if config.ssd:  # one detector for every budget: it never sees the victim or the attack
        from ..defenses import SSDDetector

        start = time.perf_counter()
        ssd_detector = SSDDetector(
            k, encoder_options={"epochs": config.ssd_epochs, "width": 8, "feature_dim": 32}, random_state=seed
        ).fit(X)
        records.append(Record(data.name, method, "ssd_seconds", time.perf_counter() - start))
    adversarial: dict[float, np.ndarray] = {}  # eps -> images of the first mode, for transfer
    for eps in config.eps:
        for mode in config.modes:
            result = attack(victim, eps, mode)
            keys: dict[str, Any] = {"mode": mode, "eps": eps}
            for phase, metrics in (("pre", result.metrics_before), ("post", result.metrics_after)):
                records += scores(metrics, {**keys, "phase": phase})
            records.append(Record(data.name, method, "queries", result.n_queries, keys))
            records.append(Record(data.name, method, "label_change", result.metrics_after["label_change"], keys))
            records.append(Record(data.name, method, "attack_seconds", result.seconds, keys))
            records.append(Record(data.name, method, "max_perturbation", result.info["max_perturbation"], keys))
            if mode != config.modes[0]:
                continue
            adversarial[eps] = result.X_adv
            # Baseline: random +-eps sign noise of the same budget (no queries beyond scoring).
            noise = np.clip(X + eps * np.sign(np.random.default_rng(seed).standard_normal(X.shape)), 0, 1)
            records += scores(
                clustering_metrics(data.y, victim.predict(noise)), {"phase": "post", "mode": "random-noise", "eps": eps}
            )
            records += _figure_records(data.name, method, mode, data.y, result, X, eps)
            if config.detector:
                from ..defenses import MahalanobisDetector

                rate = (
                    MahalanobisDetector(n_clusters=k, random_state=seed)
                    .fit(victim, X)
                    .detection_rate(X, result.X_adv, random_state=seed)
                )
                records.append(Record(data.name, method, "detection_rate", rate, keys))
            if ssd_detector is not None:  # thesis 2.3.6.5: 100 random 50/50 mixes
                for name, images in (("ssd_detection_rate", result.X_adv), ("ssd_noise_detection_rate", noise)):
                    mix = ssd_detector.evaluate(X, images, n_trials=100, random_state=seed)
                    records.append(Record(data.name, method, name, mix["detection_rate"], keys))
                records.append(Record(data.name, method, "ssd_false_positive_rate", mix["false_positive_rate"], keys))

    if config.transfer:  # Fig 2.11: the images made against `victim`, scored on every other architecture
        for other in _VICTIMS:
            if other == config.victim:
                continue
            target = _make_victim(config, k, seed, data.name, kind=other)
            target.fit(X)
            before = clustering_metrics(data.y, target.predict(X))
            for eps, X_adv in adversarial.items():
                keys = {"mode": "transfer", "source": config.victim, "target": other, "eps": eps}
                records += scores(before, {**keys, "phase": "pre"})
                records += scores(clustering_metrics(data.y, target.predict(X_adv)), {**keys, "phase": "post"})

    if config.adversarial_training:  # Fig 2.12a: retrain a copy against the largest budget, attack it again
        import copy

        from ..defenses import AdversarialTraining

        robust = copy.deepcopy(victim)
        start = time.perf_counter()
        AdversarialTraining(
            eps=max(config.eps), rounds=1, epochs=3, attack_epochs=config.attack_epochs, random_state=seed
        ).fit(robust, X)
        records.append(Record(data.name, method, "defense_seconds", time.perf_counter() - start))
        for eps in config.eps:
            result = attack(robust, eps, config.modes[0])
            adv_keys: dict[str, Any] = {"mode": "adv-trained", "eps": eps}
            for phase, metrics in (("pre", result.metrics_before), ("post", result.metrics_after)):
                records += scores(metrics, {**adv_keys, "phase": phase})

    if config.ruc:  # thesis 2.3.6.4: RUC on top of the victim, attacked like any clustering model
        from ..defenses import RUC

        start = time.perf_counter()
        ruc = RUC(victim, selection=config.ruc_selection, epochs=config.ruc_epochs, random_state=seed).fit(X)
        records.append(Record(data.name, method, "ruc_seconds", time.perf_counter() - start))
        records.append(Record(data.name, method, "ruc_clean_fraction", float(ruc.clean_mask_.mean())))
        for eps in config.eps:
            result = attack(ruc, eps, config.modes[0])
            ruc_keys: dict[str, Any] = {"mode": "ruc", "eps": eps}
            for phase, metrics in (("pre", result.metrics_before), ("post", result.metrics_after)):
                records += scores(metrics, {**ruc_keys, "phase": phase})
            records.append(Record(data.name, method, "queries", result.n_queries, ruc_keys))
    return records


def _figure_records(
    dataset: str, method: str, mode: str, y: np.ndarray, result, X: np.ndarray, eps: float
) -> list[Record]:
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
                    out.append(
                        Record(
                            dataset,
                            method,
                            "confusion",
                            table[t, c],
                            {
                                "phase": phase,
                                "mode": mode,
                                "eps": eps,
                                "true": int(t),
                                "cluster": int(c),
                                "role": "figure",
                            },
                        )
                    )
    rng = np.random.default_rng(0)
    pick = rng.choice(X.shape[0], min(_PCA_POINTS, X.shape[0]), replace=False)
    pca = PCA(2, random_state=0).fit(X)
    for kind, images in (("benign", X[pick]), ("adversarial", result.X_adv[pick])):
        coords = pca.transform(images)
        for j in range(coords.shape[0]):
            for pc in (0, 1):
                out.append(
                    Record(
                        dataset,
                        method,
                        f"pca{pc + 1}",
                        coords[j, pc],
                        {"mode": mode, "eps": eps, "kind": kind, "point": int(j), "role": "figure"},
                    )
                )
    return out


class LabelOnlyTransferConfig(ExperimentConfig):
    dataset: str = "yale"
    service: Literal["cc", "dec", "eigenface-spectral"] = Field(
        default="dec", description="the service's model; eigenface-spectral clusters each posted album itself"
    )
    surrogate: Literal["cc", "dec"] = Field(
        default="cc", description="the attacker's own model trained on the service's labels"
    )
    eps: list[float] = Field(
        default_factory=lambda: [0.05, 0.1],
        min_length=1,
        description="L-inf budgets on [0, 1] pixels (one surrogate, one GAN per budget)",
    )
    per_class: int = Field(default=10, ge=1, description="images per person sent to the service (thesis: 10)")
    draws: int = Field(default=10, ge=1, description="random draws of the per-person images (thesis: 10)")
    service_epochs: int | None = Field(default=None, ge=1, description="training epochs of the service's model")
    surrogate_epochs: int = Field(default=30, ge=1, description="training epochs of the surrogate")
    attack_epochs: int = Field(default=5, ge=1)
    targeted: bool = Field(default=False, description="pull every image to one cluster (else push away)")
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
    if config.service == "eigenface-spectral":
        from ..cluster import eigenface_spectral

        service = eigenface_spectral(k, random_state=seed + 1)
    else:
        service = _make_victim(_ServiceSpec(config), k, seed + 1, data.name)
    start = time.perf_counter()
    service.fit(X)
    records = [Record(data.name, method, "service_seconds", time.perf_counter() - start)]
    url, stop = serve_clusterer(service)
    try:
        start = time.perf_counter()
        if config.surrogate == "cc":
            surrogate = ContrastiveClustering(
                k, epochs=config.surrogate_epochs, flip=data.name == "yale", random_state=seed
            )
        else:
            surrogate = DEC(k, pretrain_epochs=config.surrogate_epochs, epochs=10, random_state=seed)
        surrogate.fit(X)  # the attacker's own copy of the data (thesis: the whole Yale B set)
        records.append(Record(data.name, method, "surrogate_seconds", time.perf_counter() - start))
        client = {"timeout": 60.0, "retries": 2}
        for eps in config.eps:
            attack = TransferAttack(
                url,
                eps=eps,
                n_clusters=k,
                surrogate=surrogate,
                random_state=seed,
                client_options=client,
                attack_options={"epochs": config.attack_epochs, "targeted": config.targeted, "target_cluster": 0},
            )
            start = time.perf_counter()
            attack.fit(X)
            records.append(Record(data.name, method, "attack_seconds", time.perf_counter() - start, {"eps": eps}))
            rng = np.random.default_rng(seed)  # the same draws for every budget
            for draw in range(config.draws):
                pick = np.concatenate(
                    [
                        rng.choice(
                            np.flatnonzero(data.y == c), min(config.per_class, int(np.sum(data.y == c))), replace=False
                        )
                        for c in classes
                    ]
                )
                result = attack.attack(X[pick], y=data.y[pick])
                # Baseline: random +-eps sign noise of the same budget, sent to the same service.
                noise = np.clip(X[pick] + eps * np.sign(rng.standard_normal(X[pick].shape)), 0, 1)
                noise_metrics = clustering_metrics(data.y[pick], LabelOnlyTarget(url, **client)(noise))
                for phase, metrics in (
                    ("pre", result.metrics_before),
                    ("post", result.metrics_after),
                    ("random-noise", noise_metrics),
                ):
                    for name in ("nmi", "ari", "acc"):
                        records.append(
                            Record(data.name, method, name, metrics[name], {"phase": phase, "draw": draw, "eps": eps})
                        )
                records.append(Record(data.name, method, "queries", result.n_queries, {"draw": draw, "eps": eps}))
    finally:
        stop()
    return records
