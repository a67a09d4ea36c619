"""RUC (Park et al., CVPR 2021): robust learning on top of a clustering (thesis 2.3.6.4).

S. Park, S. Han, S. Kim, D. Kim, S. Park, S. Hong and M. Cha, "Improving Unsupervised
Image Clustering With Robust Learning", CVPR 2021. RUC treats a clustering's labels as
noisy labels: it

1. splits the data into a *clean* set and an *unclean* set from the base clustering's
   pseudo-labels (``selection``): ``"confidence"`` keeps, per cluster, the samples the base
   model is most confident about; ``"metric"`` keeps the samples whose label agrees with
   most of their k nearest neighbours; ``"hybrid"`` keeps those both rules keep;
2. trains two networks on the clean set with label smoothing and, over several rounds,
   co-trains them: each network relabels the samples it is confident about
   (``relabel_threshold``), and those labels enter the *other* network's clean set;
3. predicts cluster labels with the two networks' averaged memberships.

Simplification (documented, as the issue allows): the paper's semi-supervised step
(MixMatch with augmentations on the unclean set) and its adversarially perturbed
consistency term are replaced by the confidence-based relabelling of step 2, and the
networks are MLPs on the flattened inputs rather than the base model's backbone. Written by
hand: the selection rules and the co-training schedule (no maintained package implements
RUC); the neighbours come from scikit-learn and the networks, label smoothing
(``CrossEntropyLoss(label_smoothing=)``) and optimiser from torch.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from .._validation import (
    Interval,
    StrOptions,
    check_array,
    check_params,
    check_random_state,
    encode_labels,
    seed_from,
)
from ..deep._device import import_torch, resolve_device, seed_torch

__all__ = ["RUC"]


def _flat(X: Any, *, min_samples: int = 1) -> np.ndarray:
    """``X`` (n, ...) as a finite float array (n, d): images are flattened."""
    if hasattr(X, "detach"):  # a torch tensor
        X = X.detach().cpu().numpy()
    shape = np.shape(X)
    if len(shape) < 2:
        raise ValueError(f"X must hold samples as rows (n, d) or images (n, ...); got shape {shape}.")
    return check_array(np.reshape(X, (shape[0], -1)), "X", min_samples=min_samples)


def _ruc_module(n_features: int, n_clusters: int, hidden: tuple[int, ...]) -> Any:
    torch = import_torch()
    nn = torch.nn
    from ..deep._backbones import mlp

    class _Pair(nn.Module):
        """Two classifiers; ``forward`` is their averaged softmax (the memberships)."""

        def __init__(self) -> None:
            super().__init__()
            self.nets = nn.ModuleList(
                nn.Sequential(nn.Flatten(), mlp([n_features, *hidden]), nn.ReLU(), nn.Linear(hidden[-1], n_clusters))
                for _ in range(2)
            )

        def logits(self, x: Any, j: int) -> Any:
            return self.nets[j](x)

        def forward(self, x: Any) -> Any:
            return 0.5 * (self.nets[0](x).softmax(1) + self.nets[1](x).softmax(1))

    return _Pair()


class RUC(BaseEstimator):
    """Robust learning on a clustering's pseudo-labels (RUC, Park et al. 2021).

    Parameters
    ----------
    estimator : object, optional
        A *fitted* clusterer with ``predict(X)`` (and ``predict_proba(X)`` for
        ``selection="confidence"`` / ``"hybrid"``). Not needed when ``fit`` gets
        ``base_labels``.
    selection : {"metric", "confidence", "hybrid"}, default="metric"
        Clean-set rule: kNN agreement, per-cluster top confidence, or both.
    n_neighbors : int, default=10
        Neighbours of the ``"metric"`` rule (Euclidean, on the flattened inputs).
    agreement : float, default=0.5
        ``"metric"`` keeps a sample when more than this share of its neighbours has its label.
    clean_fraction : float, default=0.5
        ``"confidence"`` keeps this share of each cluster.
    label_smoothing : float, default=0.1
        Label smoothing of the cross-entropy.
    relabel_threshold : float, default=0.8
        A network's confidence needed to relabel a sample for its peer.
    rounds : int, default=3
        Co-training rounds (each: ``epochs`` epochs per network, then relabelling).
    epochs : int, default=20
    hidden : tuple of int, default=(256,)
        Hidden layers of each network.
    lr : float, default=1e-3
    batch_size : int, default=128
    device : "auto", "cpu", "cuda" or "cuda:N", default="auto"
    random_state : int, Generator or None

    Attributes
    ----------
    labels_ : ndarray (n,)
        Cluster of each training sample (in the base clustering's label values).
    base_labels_ : ndarray (n,)
        The pseudo-labels RUC started from.
    clean_mask_ : ndarray of bool (n,)
        The initial clean set.
    classes_ : ndarray (k,)
    module_ : torch.nn.Module
        The two networks; ``module_(x)`` is the averaged membership.
    n_features_in_ : int
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": "no_validation",
        "selection": [StrOptions({"metric", "confidence", "hybrid"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "agreement": [Interval(Real, 0, 1, closed="left")],
        "clean_fraction": [Interval(Real, 0, 1, closed="right")],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "relabel_threshold": [Interval(Real, 0, 1, closed="right")],
        "rounds": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "hidden": [tuple],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": "no_validation",  # resolve_device checks it
        "random_state": "no_validation",
    }

    def __init__(
        self,
        estimator: Any = None,
        *,
        selection: str = "metric",
        n_neighbors: int = 10,
        agreement: float = 0.5,
        clean_fraction: float = 0.5,
        label_smoothing: float = 0.1,
        relabel_threshold: float = 0.8,
        rounds: int = 3,
        epochs: int = 20,
        hidden: tuple[int, ...] = (256,),
        lr: float = 1e-3,
        batch_size: int = 128,
        device: Any = "auto",
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.selection = selection
        self.n_neighbors = n_neighbors
        self.agreement = agreement
        self.clean_fraction = clean_fraction
        self.label_smoothing = label_smoothing
        self.relabel_threshold = relabel_threshold
        self.rounds = rounds
        self.epochs = epochs
        self.hidden = hidden
        self.lr = lr
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state

    # -- step 1: the clean set -------------------------------------------------------------
    def _metric_clean(self, flat: np.ndarray, codes: np.ndarray) -> np.ndarray:
        from sklearn.neighbors import NearestNeighbors

        m = min(self.n_neighbors, flat.shape[0] - 1)
        idx = NearestNeighbors(n_neighbors=m + 1).fit(flat).kneighbors(flat, return_distance=False)[:, 1:]
        return (codes[idx] == codes[:, None]).mean(1) > self.agreement

    def _confidence_clean(self, confidence: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
        # Per cluster: rank of each sample's confidence among its cluster (0 = most confident).
        order = np.lexsort((-confidence, codes))
        sizes = np.bincount(codes, minlength=k)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        rank = np.empty_like(codes)
        rank[order] = np.arange(codes.shape[0]) - starts[codes[order]]
        return rank < np.ceil(self.clean_fraction * sizes[codes])

    def select_clean(self, X: Any, base_labels: Any, confidence: Any = None) -> np.ndarray:
        """RUC's clean set of ``X`` under ``base_labels`` (boolean mask), by ``selection``."""
        check_params(self)
        flat = _flat(X)
        codes, _ = encode_labels(base_labels, "base_labels")
        if codes.shape[0] != flat.shape[0]:
            raise ValueError(f"base_labels has {codes.shape[0]} entries for {flat.shape[0]} samples of X.")
        k = int(codes.max()) + 1
        masks = []
        if self.selection in ("metric", "hybrid"):
            masks.append(self._metric_clean(flat, codes))
        if self.selection in ("confidence", "hybrid"):
            if confidence is None:
                raise ValueError(f"selection={self.selection!r} needs confidences: an estimator with predict_proba(X).")
            masks.append(self._confidence_clean(np.asarray(confidence, dtype=np.float64), codes, k))
        mask = np.logical_and.reduce(masks)
        # Keep every cluster represented: an emptied cluster keeps its single most confident /
        # most agreeing member (else the networks could never predict it).
        for c in np.flatnonzero(np.bincount(codes[mask], minlength=k) == 0):
            mask[np.flatnonzero(codes == c)[0]] = True
        return mask

    # -- step 2: co-training ----------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, *, base_labels: Any = None, clean_mask: Any = None) -> RUC:
        """Fit on ``X`` with the pseudo-labels of ``estimator`` (or ``base_labels``); ``y`` is ignored.

        Parameters
        ----------
        X : array-like (n, ...)
            Samples (images are flattened).
        base_labels : array-like (n,), optional
            Pseudo-labels to start from; default ``estimator.predict(X)``.
        clean_mask : array-like of bool (n,), optional
            A given clean set instead of ``selection``'s (e.g. an ablation control).
        """
        torch = import_torch()
        check_params(self)
        if not (isinstance(self.hidden, tuple) and self.hidden and all(int(h) >= 1 for h in self.hidden)):
            raise ValueError(f"hidden must be a non-empty tuple of positive ints; got {self.hidden!r}.")
        flat = _flat(X, min_samples=2)
        confidence = None
        if base_labels is None:
            if self.estimator is None or not hasattr(self.estimator, "predict"):
                raise ValueError("RUC needs estimator= (a fitted clusterer with predict) or fit(..., base_labels=).")
            base_labels = self.estimator.predict(X)
        if self.selection != "metric" and clean_mask is None:
            if not hasattr(self.estimator, "predict_proba"):
                raise ValueError(
                    f"selection={self.selection!r} needs estimator= with predict_proba(X); use selection='metric'."
                )
            confidence = np.asarray(self.estimator.predict_proba(X)).max(1)
        codes, self.classes_ = encode_labels(base_labels, "base_labels")
        if codes.shape[0] != flat.shape[0]:
            raise ValueError(f"base_labels has {codes.shape[0]} entries for {flat.shape[0]} samples of X.")
        if clean_mask is None:
            mask = self.select_clean(flat, codes, confidence)
        else:
            mask = np.asarray(clean_mask)
            if mask.shape != (flat.shape[0],) or mask.dtype != bool:
                raise ValueError(f"clean_mask must be a boolean array of shape ({flat.shape[0]},).")
            if not mask.any():
                raise ValueError("clean_mask selects no sample.")
        k = self.classes_.shape[0]
        rng = check_random_state(self.random_state)
        gen = seed_torch(seed_from(rng))
        device = resolve_device(self.device)
        module = _ruc_module(flat.shape[1], k, tuple(int(h) for h in self.hidden)).to(device)
        x = torch.as_tensor(flat, dtype=torch.float32, device=device)
        loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=float(self.label_smoothing))
        # Each network j trains on its own labelled set (labels[j], known[j]); both start from the clean set.
        labels = [codes.copy(), codes.copy()]
        known = [mask.copy(), mask.copy()]
        opts = [torch.optim.Adam(net.parameters(), lr=self.lr) for net in module.nets]
        for _ in range(self.rounds):
            for j in (0, 1):
                idx = np.flatnonzero(known[j])
                target = torch.as_tensor(labels[j], device=device)
                module.train()
                for _ in range(self.epochs):
                    perm = torch.randperm(idx.shape[0], generator=gen).numpy()
                    for start in range(0, idx.shape[0], self.batch_size):
                        b = torch.as_tensor(idx[perm[start : start + self.batch_size]], device=device)
                        opts[j].zero_grad()
                        loss_fn(module.logits(x[b], j), target[b]).backward()
                        opts[j].step()
            module.eval()
            with torch.no_grad():
                probs = [module.logits(x, j).softmax(1).cpu().numpy() for j in (0, 1)]
            for j in (0, 1):  # co-training: network 1 - j relabels the samples it is sure of for network j
                peer = probs[1 - j]
                sure = peer.max(1) >= self.relabel_threshold
                labels[j] = np.where(sure, peer.argmax(1), labels[j])
                known[j] = known[j] | sure
        self.module_ = module
        self.device_ = device
        self.base_labels_ = self.classes_[codes]
        self.clean_mask_ = mask
        self.n_features_in_ = int(flat.shape[1])
        self.labels_ = self.predict(flat)
        return self

    # -- step 3: prediction -----------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """The two networks' averaged memberships ``(n, k)`` (columns in ``classes_`` order)."""
        torch = import_torch()
        if not hasattr(self, "module_"):
            raise ValueError("This RUC is not fitted yet; call fit(X) first.")
        flat = _flat(X)
        if flat.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {flat.shape[1]} features per sample; RUC was fitted on {self.n_features_in_}.")
        self.module_.eval()
        with torch.no_grad():
            x = torch.as_tensor(flat, dtype=torch.float32, device=self.device_)
            out = torch.cat([self.module_(xb) for xb in x.split(1024)])
        return out.cpu().numpy().astype(np.float64)

    def predict(self, X: Any) -> np.ndarray:
        """Cluster labels (the base clustering's label values) from the robust classifiers."""
        proba = self.predict_proba(X)  # checks fitted first
        return self.classes_[proba.argmax(1)]

    def fit_predict(self, X: Any, y: Any = None, *, base_labels: Any = None) -> np.ndarray:
        return self.fit(X, base_labels=base_labels).labels_

    def membership_module(self) -> Any:
        """The differentiable ``x -> (n, k)`` membership network (white-box attacks)."""
        if not hasattr(self, "module_"):
            raise ValueError("This RUC is not fitted yet; call fit(X) first.")
        return self.module_
