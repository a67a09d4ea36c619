"""``fairness-audit``: how fair are vanilla clusterings of data about people?

Runs k-means, Ward and spectral clustering on a dataset with a protected attribute and
records group fairness (balance, fairness entropy; thesis 4.1.3.4) next to clustering
quality (Hungarian accuracy, NMI, ARI, silhouette) and fit time, per method and seed.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from pydantic import Field, field_validator

from ._common import known_clustering_methods, load_config_dataset
from ._registry import ExperimentConfig, Record, register


class FairnessAuditConfig(ExperimentConfig):
    dataset: str = "inverted-digits"
    k: int | None = Field(default=None, ge=2, description="clusters; default: the number of classes")
    methods: list[str] = Field(default_factory=lambda: ["kmeans", "ward", "spectral"], min_length=1)
    n_samples: int | None = Field(default=None, ge=2, description="subsample the dataset to this many rows")
    sensitive: str | None = None
    preprocessing: str | None = None
    digits: tuple[int, int] | None = None

    dataset_option_fields = ("n_samples", "sensitive", "preprocessing", "digits")

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, methods: list[str]) -> list[str]:
        return known_clustering_methods(methods)


@register(
    "fairness-audit",
    config=FairnessAuditConfig,
    description="balance, entropy, acc, nmi, ari, silhouette and fit time of vanilla clusterings",
    cites="thesis 4.1.3.4 (metrics); vanilla baselines of Tables 4.1 and 4.4",
)
def fairness_audit(config: FairnessAuditConfig, seed: int) -> list[Record]:
    from ..cluster import make_clusterer
    from ..metrics import (
        adjusted_rand,
        balance,
        clustering_accuracy,
        fairness_entropy,
        normalized_mutual_info,
        silhouette,
    )

    data = load_config_dataset(config, seed=seed)
    if data.sensitive is None:
        raise ValueError(
            f"dataset: {data.name!r} has no sensitive attribute; pick one that has (e.g. inverted-digits)."
        )
    k = config.k or data.n_classes
    if k is None:
        raise ValueError(f"k: {data.name!r} has no class labels to take k from; set k.")
    records: list[Record] = []
    for method in config.methods:
        model = make_clusterer(method, k, random_state=seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # Spectral clustering warns when the kNN graph is disconnected; on data such as
            # inverted digits the groups *are* separate components, which is the point.
            warnings.filterwarnings("ignore", message="Graph is not fully connected")
            labels = np.asarray(model.fit_predict(data.X))
        seconds = time.perf_counter() - start
        metrics = {
            "balance": balance(labels, sensitive_features=data.sensitive),
            "fairness_entropy": fairness_entropy(labels, sensitive_features=data.sensitive),
            "silhouette": silhouette(data.X, labels, random_state=seed),
            "seconds": seconds,
        }
        if data.y is not None:
            metrics["acc"] = clustering_accuracy(data.y, labels)
            metrics["nmi"] = normalized_mutual_info(data.y, labels)
            metrics["ari"] = adjusted_rand(data.y, labels)
        for name, value in metrics.items():
            records.append(Record(data.name, method, name, float(value), {"k": k}))
    return records
