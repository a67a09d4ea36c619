"""Label-only (decision-based) transfer attack on a clustering service (thesis 2.4, Face++).

The service returns only cluster ids, so memberships cannot be queried. The attacker trains
a surrogate deep clustering model on its own copy of the data, trains the GAN attack's
generator against the surrogate in white-box mode, and sends the adversarial images to the
service: a transferability attack through a surrogate. The service is queried only to
score the clustering before and after (2 queries per image).
"""

from __future__ import annotations

import time
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np

from .._validation import (
    HasMethods,
    Interval,
    StrOptions,
    check_params,
    check_random_state,
    seed_from,
)
from ._base import AttackResult, EvasionAttack
from ._gan_evasion import GANEvasionAttack, clustering_metrics

__all__ = ["LabelOnlyTarget", "TransferAttack"]


class LabelOnlyTarget:
    """A victim that answers cluster ids only; every image sent is one query.

    ``target`` is a URL (``http://...``, served by :func:`serve_clusterer`), a
    :class:`ClusteringServiceClient`, an object with ``predict(X)`` or ``fit_predict(X)``,
    or a callable returning labels. ``client_options`` go to the HTTP client (``timeout``,
    ``retries``, ``backoff``, ``max_requests_per_second``, ``batch_size``).
    """

    def __init__(self, target: Any, **client_options: Any) -> None:
        from ._service import ClusteringServiceClient

        if isinstance(target, str):
            target = ClusteringServiceClient(target, **client_options)
        elif client_options:
            raise ValueError("client options apply only when target is a URL.")
        if hasattr(target, "predict"):
            self._labels = target.predict
        elif hasattr(target, "fit_predict"):
            self._labels = target.fit_predict
        elif callable(target):
            self._labels = target
        else:
            raise ValueError(
                f"target must be a URL, have predict/fit_predict, or be callable; got {type(target).__name__}."
            )
        self.target = target
        self.n_queries = 0

    def __call__(self, X: Any) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        X = X.reshape(X.shape[0], -1)
        labels = np.asarray(self._labels(X))
        self.n_queries += X.shape[0]
        if labels.ndim != 1 or labels.shape[0] != X.shape[0]:
            raise ValueError(f"target returned labels of shape {labels.shape} for {X.shape[0]} images.")
        return labels


class TransferAttack(EvasionAttack):
    """Surrogate-based transfer attack on a label-only clustering service (thesis 2.4).

    The attacker's own images train the surrogate: call ``fit(X_attacker)``, then
    ``attack(X, *, y=None)`` sends ``X`` and ``X + G(X)`` to the service (``attack`` fits on
    ``X`` itself when not fitted). ``y`` only scores the service; ``sensitive_features`` is
    not used. The previous ``attack(X, y, X_attacker=...)`` still works for one release,
    with a ``DeprecationWarning``.

    Parameters
    ----------
    target : URL, client, model or callable (see :class:`LabelOnlyTarget`)
    eps : float
        L-inf budget on [0, 1] pixels.
    n_clusters : int
        Clusters of the surrogate (the number of people for face clustering).
    surrogate : {"cc", "dec"} or a fitted robustfair.deep model, default="cc"
        The attacker's open-source deep clustering model (the thesis uses CC). A fitted
        model is used as is (to reuse one surrogate across budgets).
    surrogate_options, attack_options : dict, optional
        Passed to the surrogate's and to :class:`GANEvasionAttack`'s constructors.
    client_options : dict, optional
        Passed to the HTTP client when ``target`` is a URL.
    random_state, device : as usual.

    Attributes (after ``fit``)
    --------------------------
    surrogate_ : the trained surrogate model
    gan_ : the trained :class:`GANEvasionAttack` (white-box on the surrogate)
    """

    uses_y = "optional"
    uses_sensitive_features = "unused"
    _legacy_positional = ("y",)
    _legacy_keywords = {"X_attacker": "call fit(X_attacker) before attack(X) instead."}

    _parameter_constraints: ClassVar[dict] = {
        "target": "no_validation",  # a URL or a labelling function (LabelOnlyTarget)
        "eps": [Interval(Real, 0, None, closed="neither")],
        "n_clusters": [Interval(Integral, 2, None, closed="left")],
        "surrogate": [StrOptions({"cc", "dec"}), HasMethods(["membership_module"])],
        "surrogate_options": [dict, None],
        "attack_options": [dict, None],
        "client_options": [dict, None],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
        "device": "no_validation",  # resolve_device
    }

    def __init__(
        self,
        target: Any,
        *,
        eps: float,
        n_clusters: int,
        surrogate: str = "cc",
        surrogate_options: dict | None = None,
        attack_options: dict | None = None,
        client_options: dict | None = None,
        random_state: Any = None,
        device: Any = "auto",
    ) -> None:
        self.target = target
        self.eps = eps
        self.n_clusters = n_clusters
        self.surrogate = surrogate
        self.surrogate_options = surrogate_options
        self.attack_options = attack_options
        self.client_options = client_options
        self.random_state = random_state
        self.device = device

    def fit(self, X_attacker: Any) -> TransferAttack:
        """Train the surrogate and the generator on the attacker's images (no service queries)."""
        from ..deep import DEC, ContrastiveClustering

        check_params(self)
        rng = check_random_state(self.random_state)
        if isinstance(self.surrogate, str):  # "cc" or "dec" (_parameter_constraints)
            cls = ContrastiveClustering if self.surrogate == "cc" else DEC
            options = {"device": self.device, "random_state": seed_from(rng), **(self.surrogate_options or {})}
            self.surrogate_ = cls(self.n_clusters, **options).fit(X_attacker)
        else:  # a fitted robustfair.deep model (has membership_module)
            self.surrogate_ = self.surrogate
        attack_options = {"epochs": 3, "batch_size": 64, "lr": 3e-3, **(self.attack_options or {})}
        self.gan_ = GANEvasionAttack(
            self.surrogate_,
            eps=self.eps,
            white_box=True,
            random_state=seed_from(rng),
            device=self.device,
            **attack_options,
        )
        self.surrogate_result_ = self.gan_.attack(X_attacker)
        return self

    def _legacy_keyword(self, name: str, value: Any) -> None:
        if not hasattr(self, "gan_"):  # X_attacker: fit on it, as attack(X, X_attacker=...) did
            self.fit(value)

    def _attack(self, X: np.ndarray, *, y: np.ndarray | None, sensitive_features: np.ndarray | None) -> AttackResult:
        """Send ``X`` and ``X + G(X)`` to the service and score both clusterings.

        Called by ``attack(X, *, y=None)`` (:class:`BaseAttack`). Fits first, on ``X``,
        unless already fitted (``fit(X_attacker)``).
        """
        start = time.perf_counter()
        if not hasattr(self, "gan_"):
            self.fit(X)
        X_adv = self.gan_.perturb(X)
        service = LabelOnlyTarget(self.target, **(self.client_options or {}))
        labels_before = service(np.asarray(X, dtype=np.float64).reshape(X_adv.shape))
        labels_after = service(X_adv)
        before = clustering_metrics(y, labels_before)
        after = clustering_metrics(y, labels_after)
        from ..metrics import normalized_mutual_info

        after["nmi_vs_clean"] = float(normalized_mutual_info(labels_before, labels_after))
        return AttackResult(
            X_adv=X_adv,
            changed=np.flatnonzero(labels_before != labels_after),
            metrics_before=before,
            metrics_after=after,
            n_queries=service.n_queries,
            seconds=time.perf_counter() - start,
            info={
                "mode": "label-only transfer (white-box GAN on surrogate)",
                "surrogate": self.surrogate if isinstance(self.surrogate, str) else type(self.surrogate).__name__,
                "labels_before": labels_before,
                "labels_after": labels_after,
                "max_perturbation": float(np.abs(X_adv - np.asarray(X, dtype=np.float64).reshape(X_adv.shape)).max()),
            },
        )
