"""Deep Fair Discriminative Clustering (Zhang & Davidson; Algorithm 1).

A discriminative network ``f_theta`` maps each point to a distribution over K clusters.
It is pre-trained with the mutual-information clustering loss (eq. 5) plus a virtual
adversarial augmentation loss (eqs. 11-12); then, once per epoch, the exact fair
assignment of its current predictions (eqs. 6-9, :mod:`robustfair.cluster.dfdc_assignment`)
serves as pseudo-labels for a cross-entropy term, and the network minimizes
``l = l_C + beta * l_Fair + gamma * l_Aug``. Predictions need no protected attribute.

torch is imported inside the functions and methods that use it, so ``import
robustfair.cluster`` never imports it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import Interval, StrOptions, check_n_clusters, check_params, check_random_state, seed_from
from ..deep._device import resolve_device
from ._base import FairClusteringMixin
from ._dfdc_nets import _build_network, _embed, _predict_proba, _unit
from ._registry import register_method

__all__ = ["DeepFairDiscriminativeClustering"]


class DeepFairDiscriminativeClustering(FairClusteringMixin, BaseEstimator):
    """Deep fair discriminative clustering (DFDC; Zhang & Davidson, Algorithm 1).

    Parameters
    ----------
    n_clusters : int, default=10
    backbone : {"auto", "mlp", "conv"}, default="auto"
        ``"conv"``: two convolutional layers with batch norm and pooling (the paper's
        choice for images); ``"mlp"``: fully connected layers (tabular data). ``"auto"``
        picks ``"conv"`` when ``image_shape`` is given.
    image_shape : tuple (H, W) or (C, H, W), optional
        Shape of one image; rows of ``X`` are flattened images.
    hidden : sequence of int, default=(512, 256)
        Widths of the MLP's hidden layers.
    alpha, beta, gamma : float, default=1e-4, 4.0, 1.0
        Weight decay in ``l_C`` (eq. 5), weight of ``l_Fair`` and of ``l_Aug`` (sec. 5.1).
    vat_eps, vat_xi : float, default=1.0, 1e-6
        Radius of the adversarial perturbation (eq. 11) and the finite-difference step of
        its one power iteration (Miyato et al.).
    fairness_eps : float, default=0.0
        Flexible fairness (Table 4): group shares within ``rho_t +- fairness_eps``.
    rho : array-like or mapping, optional
        Target group proportions; default: the dataset's.
    pretrain_epochs, epochs : int, default=20, 30
        Epochs of clustering-only training, then of fair refinement (at most; training
        stops early once the predictions themselves meet the fairness bounds, and otherwise
        keeps the refinement epoch that came closest to them, see ``best_epoch_``).
    batch_size : int, default=256
    lr : float, default=1e-3
        Adam learning rate.
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``"cosine"`` anneals the learning rate over the fair refinement from ``lr`` to
        ``0.1 * lr`` (not in the paper; it damps the epoch-to-epoch swing of balance).
    cluster_sizes : {"argmax", "soft", "pretrain"}, default="argmax"
        Sizes ``|C_j|`` the fair assignment keeps (eq. 8): the counts of the current
        rounded (argmax) predictions, the paper's choice; ``"soft"``: the column sums of
        the current soft predictions rounded to integers (largest remainders);
        ``"pretrain"``: the argmax counts of the pre-trained model, held fixed through the
        refinement. With the first two the sizes follow the network and can drift
        epoch after epoch into one giant cluster (seen on Bank, where the features are
        heavy-tailed); ``"pretrain"`` anchors them.
    snapshots : int, default=0
        Keep the embedding (the penultimate layer) of up to 500 sampled points at this
        many moments of training: the end of pre-training, evenly spaced refinement epochs
        and the final network (for the paper's Figure 1, a t-SNE over training).
    device : str, default="auto"
        ``"auto"``: CUDA when available, else CPU; or any torch device string.
    random_state : int, Generator or None

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        The network's predictions (argmax) on the training data after training.
    fair_labels_ : ndarray of shape (n_samples,)
        The exact fair assignment of the final predictions (meets the fairness bounds).
    pretrain_labels_ : ndarray of shape (n_samples,)
        Predictions after pre-training, before any fairness term: the model without
        fairness (Table 2's "Ours w/o fairness").
    initial_fair_labels_ : ndarray of shape (n_samples,)
        The exact fair assignment of the pre-trained model's predictions (Table 1's
        "Initial ILP Results").
    history_ : list of dict
        Per epoch: ``epoch`` (1-based, pre-training included), ``phase`` ("pretrain" or
        "fair"), mean ``loss``, ``balance`` of the predictions (count ratio, eq. 2), and
        ``acc`` and ``nmi`` when ``y`` was given to ``fit``.
    n_iter_ : int
        Fair refinement epochs run.
    best_epoch_ : int
        The refinement epoch whose network is kept: the last one when the predictions meet
        the fairness rules, otherwise the one whose predictions missed the rules' count
        bounds by the fewest samples (the latest on ties). 0 without refinement.
    snapshots_ : list of dict
        With ``snapshots > 0``: ``epoch`` (refinement epochs done), ``phase`` ("pretrain",
        "fair" or "final"), ``embedding`` (m, width) and ``labels`` (m,) of the points
        ``snapshot_index_``.
    snapshot_index_ : ndarray of int
    device_ : str
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "backbone": [StrOptions({"auto", "mlp", "conv"})],
        "image_shape": "no_validation",
        "hidden": "no_validation",
        "alpha": [Interval(Real, 0, np.inf, closed="left")],
        "beta": [Interval(Real, 0, np.inf, closed="left")],
        "gamma": [Interval(Real, 0, np.inf, closed="left")],
        "vat_eps": [Interval(Real, 0, np.inf, closed="neither")],
        "vat_xi": [Interval(Real, 0, np.inf, closed="neither")],
        "fairness_eps": "no_validation",  # checked with rho by the fair assignment
        "rho": "no_validation",
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, np.inf, closed="neither")],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "cluster_sizes": [StrOptions({"argmax", "soft", "pretrain"})],
        "snapshots": [Interval(Integral, 0, None, closed="left")],
        "device": "no_validation",  # deep._device.resolve_device
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self,
        n_clusters: int = 10,
        *,
        backbone: str = "auto",
        image_shape: Sequence[int] | None = None,
        hidden: Sequence[int] = (512, 256),
        alpha: float = 1e-4,
        beta: float = 4.0,
        gamma: float = 1.0,
        vat_eps: float = 1.0,
        vat_xi: float = 1e-6,
        fairness_eps: float = 0.0,
        rho: Any = None,
        pretrain_epochs: int = 20,
        epochs: int = 30,
        batch_size: int = 256,
        lr: float = 1e-3,
        lr_schedule: str = "constant",
        cluster_sizes: str = "argmax",
        snapshots: int = 0,
        device: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.backbone = backbone
        self.image_shape = image_shape
        self.hidden = hidden
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.vat_eps = vat_eps
        self.vat_xi = vat_xi
        self.fairness_eps = fairness_eps
        self.rho = rho
        self.pretrain_epochs = pretrain_epochs
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.cluster_sizes = cluster_sizes
        self.snapshots = snapshots
        self.device = device
        self.random_state = random_state

    # ------------------------------------------------------------------ fit

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any = None) -> DeepFairDiscriminativeClustering:
        """Train on ``X`` with the protected attribute (Algorithm 1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
            Class labels used **only to monitor** training: when given, every entry of
            ``history_`` also holds the accuracy and NMI of that epoch's predictions. They
            never enter a loss.
        sensitive_features : array-like of shape (n_samples,)
            Protected group of every sample (two or more groups).
        """
        import torch

        from ..metrics import count_ratio_balance
        from .dfdc_assignment import solve_dfdc_assignment

        check_params(self)
        X, codes, group_values = self._validate_fit_input(X, sensitive_features)
        groups = group_values[codes]  # the caller's ids, so a rho mapping keyed by them works
        k = check_n_clusters(self.n_clusters, X.shape[0])
        batch_size, size_rule, schedule = int(self.batch_size), self.cluster_sizes, self.lr_schedule
        monitor = self._monitor(y, X.shape[0])
        backbone, shape = self._resolve_backbone(X.shape[1])
        self.device_ = str(resolve_device(self.device))
        seed = seed_from(check_random_state(self.random_state))
        # Fail fast on rho / eps the fair assignment cannot meet (rho not summing to one,
        # an unreachable eps, a group smaller than the number of clusters) before training.
        solve_dfdc_assignment(
            np.full((X.shape[0], k), 1.0 / k),
            groups,
            rho=self.rho,
            eps=self.fairness_eps,
            cluster_sizes=_even_sizes(X.shape[0], k),
        )

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            generator = torch.Generator().manual_seed(seed)
            net = _build_network(backbone, X.shape[1], k, shape, tuple(self.hidden)).to(self.device_)
            optimizer = torch.optim.Adam(net.parameters(), lr=self.lr)
            data = torch.as_tensor(X, dtype=torch.float32, device=self.device_)
            self.history_: list[dict[str, Any]] = []

            def record(phase: str, loss: float) -> np.ndarray:
                proba = _predict_proba(net, data, batch_size)
                labels = proba.argmax(axis=1)
                entry = {
                    "epoch": len(self.history_) + 1,
                    "phase": phase,
                    "loss": loss,
                    "balance": count_ratio_balance(labels, sensitive_features=codes),
                }
                entry.update(monitor(labels))
                self.history_.append(entry)
                return proba

            n_snap = int(self.snapshots)
            self.snapshots_: list[Any] = []
            self.snapshot_index_ = (
                np.sort(np.random.default_rng(seed).choice(X.shape[0], min(X.shape[0], 500), replace=False))
                if n_snap
                else np.empty(0, dtype=np.int64)
            )
            snap_at = (
                set(np.linspace(0, int(self.epochs), n_snap).round().astype(int)[1:-1].tolist())
                if n_snap > 2
                else set()
            )

            def snapshot(phase: str, epoch: int) -> None:
                if n_snap:
                    sample = data[torch.as_tensor(self.snapshot_index_, device=self.device_)]
                    self.snapshots_.append(
                        {
                            "epoch": epoch,
                            "phase": phase,
                            "embedding": _embed(net, sample, batch_size),
                            "labels": _predict_proba(net, sample, batch_size).argmax(axis=1),
                        }
                    )

            fixed_sizes: list[np.ndarray] = []  # size_rule "pretrain": the pre-trained model's counts

            def fair_assignment(proba: np.ndarray):
                sizes = None  # the counts of argmax(proba), eq. 8
                if size_rule == "soft":
                    sizes = _soft_sizes(proba)
                elif size_rule == "pretrain":
                    if not fixed_sizes:
                        fixed_sizes.append(np.bincount(proba.argmax(axis=1), minlength=k))
                    sizes = fixed_sizes[0]
                return solve_dfdc_assignment(proba, groups, rho=self.rho, eps=self.fairness_eps, cluster_sizes=sizes)

            for _ in range(int(self.pretrain_epochs)):  # Algorithm 1, lines 1-8
                loss = self._epoch(net, optimizer, data, None, batch_size, generator)
                record("pretrain", loss)
            proba = _predict_proba(net, data, batch_size)
            snapshot("pretrain", 0)
            # the model without fairness (Table 2's "Ours w/o fairness") and the first fair
            # assignment of its predictions (Table 1's "Initial ILP Results")
            self.pretrain_labels_ = proba.argmax(axis=1).astype(np.int64)
            self.initial_fair_labels_ = fair_assignment(proba).labels

            def violation(proba: np.ndarray, fair) -> int:
                """Samples by which the predictions miss the fairness rules' count bounds."""
                counts = np.bincount(
                    proba.argmax(axis=1) * fair.counts.shape[1] + codes, minlength=fair.counts.size
                ).reshape(fair.counts.shape)
                return int(np.maximum(fair.lower - counts, 0).sum() + np.maximum(counts - fair.upper, 0).sum())

            self.n_iter_ = 0
            self.best_epoch_ = 0
            best: tuple[int, dict, np.ndarray] | None = None
            for epoch in range(int(self.epochs) + 1):  # lines 9-21 (the extra pass only checks)
                fair = fair_assignment(proba)
                missed = violation(proba, fair)
                if self.n_iter_ > 0 and (best is None or missed <= best[0]):
                    best = (missed, copy.deepcopy(net.state_dict()), proba)
                    self.best_epoch_ = self.n_iter_
                if self.n_iter_ > 0 and missed == 0:
                    break  # line 21: the predictions already meet the fairness rules
                if epoch == int(self.epochs):
                    break
                if schedule == "cosine":
                    # anneal the step size over the refinement so the predictions settle on
                    # the fair pseudo-labels instead of oscillating around them
                    for param_group in optimizer.param_groups:
                        param_group["lr"] = self.lr * (0.55 + 0.45 * math.cos(math.pi * epoch / int(self.epochs)))
                targets = torch.as_tensor(fair.labels, device=self.device_)
                loss = self._epoch(net, optimizer, data, targets, batch_size, generator)
                proba = record("fair", loss)
                self.n_iter_ += 1
                if self.n_iter_ in snap_at:
                    snapshot("fair", self.n_iter_)
            if best is not None and self.best_epoch_ != self.n_iter_:
                # The refinement can oscillate (Bank's 3-state PSV): keep the epoch whose
                # predictions came closest to the fairness rules, the latest on ties.
                net.load_state_dict(best[1])
                proba = best[2]
            if n_snap > 1:
                snapshot("final", self.best_epoch_ or self.n_iter_)
            self.network_ = net.eval()
        self.labels_ = proba.argmax(axis=1).astype(np.int64)
        self.fair_labels_ = fair_assignment(proba).labels
        return self

    @staticmethod
    def _monitor(y: Any, n_samples: int):
        """``labels -> {"acc", "nmi"}`` against ``y``, or ``labels -> {}`` without ``y``."""
        if y is None:
            return lambda labels: {}
        from .._validation import check_consistent_length, check_labels
        from ..metrics import clustering_accuracy, normalized_mutual_info

        y = check_labels(y, "y")
        check_consistent_length(np.empty(n_samples), y, names=("X", "y"))
        return lambda labels: {"acc": clustering_accuracy(y, labels), "nmi": normalized_mutual_info(y, labels)}

    def _epoch(self, net, optimizer, data, targets, batch_size: int, generator) -> float:
        """One pass over shuffled mini-batches; the mean loss."""
        import torch
        import torch.nn.functional as F

        net.train()
        order = torch.randperm(data.shape[0], generator=generator).to(data.device)
        total, n_batches = 0.0, 0
        for start in range(0, data.shape[0], batch_size):
            idx = order[start : start + batch_size]
            if idx.numel() < 2:  # batch norm needs two samples
                continue
            x = data[idx]
            logits = net(x)
            proba = logits.softmax(dim=1)
            # eq. 5: conditional entropy minus marginal entropy, plus weight decay
            cond = -(proba * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
            mean = proba.mean(dim=0)
            marginal = -(mean * torch.log(mean.clamp_min(1e-12))).sum()
            decay = sum((p**2).sum() for p in net.parameters() if p.dim() > 1)
            loss = cond - marginal + self.alpha * decay
            if self.gamma > 0:
                loss = loss + self.gamma * self._vat_loss(net, x, logits.detach(), generator)
            if targets is not None and self.beta > 0:
                # eq. 10 as a cross-entropy (the paper's sign is a typo: it is minimized)
                loss = loss + self.beta * F.cross_entropy(logits, targets[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
            n_batches += 1
        return total / max(n_batches, 1)

    def _vat_loss(self, net, x, logits, generator):
        """eqs. 11-12: KL between predictions at x and at x + t_adv, ||t_adv|| = vat_eps."""
        import torch
        import torch.nn.functional as F

        target = logits.softmax(dim=1)
        d = torch.randn(x.shape, generator=generator).to(x.device)
        d = self.vat_xi * _unit(d)
        d.requires_grad_(True)
        kl = F.kl_div(F.log_softmax(net(x + d), dim=1), target, reduction="batchmean")
        (grad,) = torch.autograd.grad(kl, d)
        t_adv = self.vat_eps * _unit(grad.detach())
        return F.kl_div(F.log_softmax(net(x + t_adv), dim=1), target, reduction="batchmean")

    # ------------------------------------------------------------------ predict

    def predict_proba(self, X: Any) -> np.ndarray:
        """Cluster probabilities ``softmax(f_theta(X))``; no protected attribute needed."""
        import torch

        X = self._validate_predict_input(X)
        data = torch.as_tensor(X, dtype=torch.float32, device=self.device_)
        return _predict_proba(self.network_, data, int(self.batch_size))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable cluster of each row of ``X`` (predictive clustering, Table 3)."""
        return self.predict_proba(X).argmax(axis=1).astype(np.int64)

    def _resolve_backbone(self, n_features: int) -> tuple[str, tuple[int, int, int] | None]:
        backbone = self.backbone
        if backbone == "auto":
            backbone = "conv" if self.image_shape is not None else "mlp"
        if backbone == "mlp":
            return backbone, None
        shape = self.image_shape
        if shape is None:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ValueError(
                    f"image_shape is required for backbone='conv' when X's {n_features} features "
                    "are not a square image."
                )
            shape = (side, side)
        shape = tuple(int(s) for s in shape)
        shape = (1, *shape) if len(shape) == 2 else shape
        if len(shape) != 3 or math.prod(shape) != n_features:
            raise ValueError(f"image_shape {self.image_shape} does not match X's {n_features} features.")
        return backbone, shape


def _soft_sizes(proba: np.ndarray) -> np.ndarray:
    """Column sums of ``proba`` rounded to integers that add up to n (largest remainders)."""
    totals = proba.sum(axis=0) * (proba.shape[0] / proba.sum())
    sizes = np.floor(totals).astype(np.int64)
    short = proba.shape[0] - int(sizes.sum())
    sizes[np.argsort(sizes - totals, kind="stable")[:short]] += 1
    return sizes


def _even_sizes(n: int, k: int) -> np.ndarray:
    sizes = np.full(k, n // k, dtype=np.int64)
    sizes[: n % k] += 1
    return sizes


@register_method("dfdc", fair=True, description="deep fair discriminative clustering (Zhang & Davidson 2021)")
def _make_dfdc(n_clusters: int, random_state: int | None, **params: Any) -> DeepFairDiscriminativeClustering:
    return DeepFairDiscriminativeClustering(n_clusters=n_clusters, random_state=random_state, **params)
