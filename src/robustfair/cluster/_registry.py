"""Clustering methods by name, so experiments and the CLI can pick them with a string.

Vanilla (fairness-unaware) methods are registered here; the fair clustering estimators
register themselves under their own names (``sfd``, ``kfc``, ...) in their modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._validation import check_choice

__all__ = ["ClusteringMethod", "register_method", "make_clusterer", "list_methods", "fit_labels"]


@dataclass(frozen=True)
class ClusteringMethod:
    name: str
    factory: Callable[..., Any]
    fair: bool
    description: str


_METHODS: dict[str, ClusteringMethod] = {}


def register_method(name: str, *, fair: bool, description: str):
    """Register ``factory(n_clusters, random_state, **params) -> estimator`` under ``name``."""

    def decorator(factory: Callable[..., Any]) -> Callable[..., Any]:
        _METHODS[name] = ClusteringMethod(name, factory, fair, description)
        return factory

    return decorator


def make_clusterer(name: str, n_clusters: int, *, random_state: int | None = None, **params: Any) -> Any:
    """A fresh, unfitted estimator for method ``name``.

    Fair estimators are fitted with ``fit(X, sensitive_features=s)``; vanilla ones ignore
    the sensitive attribute. Every estimator exposes ``labels_`` after fitting.
    """
    _load_all()
    check_choice(name, sorted(_METHODS), "clustering method")
    return _METHODS[name].factory(n_clusters, random_state, **params)


def fit_labels(
    name: str, X: Any, sensitive_features: Any, n_clusters: int, *, random_state: int | None = None, **params: Any
) -> tuple[Any, Any]:
    """Fit method ``name`` on ``X`` and return ``(fitted estimator, labels)``.

    Fair methods get ``sensitive_features``; vanilla ones are fitted on ``X`` alone, so a
    caller can treat both kinds the same way.
    """
    import numpy as np

    model = make_clusterer(name, n_clusters, random_state=random_state, **params)
    if _METHODS[name].fair:
        model.fit(X, sensitive_features=sensitive_features)
        labels = model.labels_
    else:
        labels = model.fit_predict(X)
    return model, np.asarray(labels)


def list_methods() -> list[ClusteringMethod]:
    _load_all()
    return [_METHODS[k] for k in sorted(_METHODS)]


def _load_all() -> None:
    # Fair estimators register on import; import every module of the package once.
    import importlib
    import pkgutil

    from .. import cluster

    for mod in pkgutil.iter_modules(cluster.__path__):
        if mod.name not in ("_registry", "fair_assignment"):  # fair_assignment: a deprecated alias
            importlib.import_module(f"{cluster.__name__}.{mod.name}")


@register_method("kmeans", fair=False, description="k-means (scikit-learn, k-means++ init)")
def _kmeans(n_clusters: int, random_state: int | None, **params: Any) -> Any:
    from sklearn.cluster import KMeans

    params.setdefault("n_init", 10)
    return KMeans(n_clusters=n_clusters, random_state=random_state, **params)


@register_method("ward", fair=False, description="agglomerative clustering with Ward linkage")
def _ward(n_clusters: int, random_state: int | None, **params: Any) -> Any:
    from sklearn.cluster import AgglomerativeClustering

    return AgglomerativeClustering(n_clusters=n_clusters, linkage="ward", **params)


@register_method("spectral", fair=False, description="spectral clustering on a k-nearest-neighbour graph")
def _spectral(n_clusters: int, random_state: int | None, **params: Any) -> Any:
    from sklearn.cluster import SpectralClustering

    params.setdefault("affinity", "nearest_neighbors")
    params.setdefault("n_neighbors", 10)
    params.setdefault("assign_labels", "cluster_qr")
    return SpectralClustering(n_clusters=n_clusters, random_state=random_state, **params)
