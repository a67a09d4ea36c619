"""SCAN (Van Gansbeke et al., ECCV 2020): a pretext encoder, mined neighbours, a clustering head.

Step 1 (pretext) trains a :class:`SimCLR` encoder on the images. Step 2 mines each image's
``n_neighbors`` nearest neighbours in that feature space (cosine) and trains the backbone
plus a softmax clustering head with SCAN's loss,

    L = -1/|D| sum_x sum_{j in N_x} log <Phi(x), Phi(j)>  -  lambda H(mean_x Phi(x)),

(neighbour consistency, one sampled neighbour per anchor and step, both augmented, and an
entropy term that keeps every cluster in use; ``lambda = entropy_weight``). SCAN's third
step, self-labelling on confident samples, is left out: the victims here stay CPU-sized.
"""

from __future__ import annotations

import copy
import time
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np

from .._validation import Interval, check_n_clusters, check_params, check_random_state, seed_from
from ._device import import_torch, resolve_device, seed_torch
from ._training import DeepClusterer, as_image_tensor, augment, iterate_batches

__all__ = ["SCAN", "scan_loss"]


def _scan_module(backbone: Any, feature_dim: int, n_clusters: int, n_heads: int) -> Any:
    torch = import_torch()
    nn = torch.nn

    class _SCANNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = backbone
            self.heads = nn.ModuleList([nn.Linear(feature_dim, n_clusters) for _ in range(n_heads)])
            self.head = 0  # the head used for predictions: the one with the lowest loss after training

        def features(self, x: Any) -> Any:
            return self.backbone(x)

        def all_proba(self, x: Any) -> list[Any]:
            h = self.backbone(x)
            return [torch.softmax(head(h), dim=1) for head in self.heads]

        def logits(self, x: Any) -> Any:
            return self.heads[self.head](self.backbone(x))

        def proba(self, x: Any) -> Any:
            return torch.softmax(self.logits(x), dim=1)

        def forward(self, x: Any) -> Any:
            return self.proba(x)

    return _SCANNet()


def scan_loss(p_anchor: Any, p_neighbor: Any, entropy_weight: float) -> Any:
    """SCAN's loss on memberships of anchors and their neighbours: -mean log <p_a, p_n> - w H(mean p_a)."""
    torch = import_torch()
    consistency = -torch.log((p_anchor * p_neighbor).sum(1).clamp_min(1e-8)).mean()
    marginal = p_anchor.mean(0)
    entropy = -(marginal * torch.log(marginal.clamp_min(1e-8))).sum()
    return consistency - entropy_weight * entropy


class SCAN(DeepClusterer):
    """SCAN-style deep clustering (pretext SimCLR features + neighbour-consistency head).

    Parameters
    ----------
    n_clusters : int, default=10
    pretext_epochs : int, default=20
        SimCLR epochs (step 1).
    epochs : int, default=30
        Clustering epochs with SCAN's loss (step 2); the backbone is trained too.
    n_neighbors : int, default=10
        Neighbours mined per image in the pretext feature space.
    entropy_weight : float, default=5.0
        ``lambda`` of the entropy term (SCAN's default).
    n_heads : int, default=5
        Clustering heads trained together on the shared backbone; the one with the lowest
        SCAN loss in the last epoch predicts (SCAN trains 10 and keeps the best).
    batch_size : int, default=128
    lr : float, default=1e-3
    width, feature_dim : int, default=16, 64
        Size of the conv backbone shared by both steps.
    max_shift, noise : augmentation strengths (see ``deep.augment``).
    image_shape : (H, W), optional
    device : "auto", "cpu", "cuda", ...
    random_state : int, Generator or None

    Attributes
    ----------
    labels_ : ndarray (n,)
    neighbors_ : ndarray (n, n_neighbors)
        Indices of each training image's mined neighbours.
    pretext_ : the fitted :class:`SimCLR`
    loss_history_ : ndarray (epochs,)
    fit_seconds_ : float
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "pretext_epochs": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "entropy_weight": [Interval(Real, 0, None, closed="left")],
        "n_heads": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "width": [Interval(Integral, 1, None, closed="left")],
        "feature_dim": [Interval(Integral, 1, None, closed="left")],
        "max_shift": [Interval(Integral, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "image_shape": "no_validation",  # checked with X by as_image_tensor
        "device": "no_validation",  # resolve_device
        "random_state": "no_validation",  # check_random_state
    }

    def __init__(
        self,
        n_clusters: int = 10,
        *,
        pretext_epochs: int = 20,
        epochs: int = 30,
        n_neighbors: int = 10,
        entropy_weight: float = 5.0,
        n_heads: int = 5,
        batch_size: int = 128,
        lr: float = 1e-3,
        width: int = 16,
        feature_dim: int = 64,
        max_shift: int = 2,
        noise: float = 0.05,
        image_shape: Any = None,
        device: Any = "auto",
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.pretext_epochs = pretext_epochs
        self.epochs = epochs
        self.n_neighbors = n_neighbors
        self.entropy_weight = entropy_weight
        self.n_heads = n_heads
        self.batch_size = batch_size
        self.lr = lr
        self.width = width
        self.feature_dim = feature_dim
        self.max_shift = max_shift
        self.noise = noise
        self.image_shape = image_shape
        self.device = device
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> SCAN:
        """Pretext, neighbour mining and clustering on the images ``X`` (``y`` is ignored)."""
        torch = import_torch()
        from sklearn.neighbors import NearestNeighbors

        from ._simclr import SimCLR

        check_params(self)
        rng = check_random_state(self.random_state)
        self.device_ = resolve_device(self.device)
        x, shape = as_image_tensor(X, self.device_, image_shape=self.image_shape)
        n = x.shape[0]
        k = check_n_clusters(self.n_clusters, n)
        if self.n_neighbors >= n:
            raise ValueError(f"n_neighbors must be smaller than the number of images ({n}); got {self.n_neighbors}.")
        start = time.perf_counter()
        self.pretext_ = SimCLR(
            epochs=self.pretext_epochs,
            batch_size=self.batch_size,
            width=self.width,
            feature_dim=self.feature_dim,
            max_shift=self.max_shift,
            noise=self.noise,
            image_shape=shape,
            device=self.device_,
            random_state=seed_from(rng),
        ).fit(x.cpu().numpy())
        feats = self.pretext_.transform(x.cpu().numpy())
        feats /= np.linalg.norm(feats, axis=1, keepdims=True) + 1e-10
        nn_index = NearestNeighbors(n_neighbors=int(self.n_neighbors) + 1).fit(feats)
        self.neighbors_ = nn_index.kneighbors(feats, return_distance=False)[:, 1:]  # drop the image itself
        seed_torch(seed_from(rng))
        self.image_shape_ = shape
        backbone = copy.deepcopy(self.pretext_.module_.backbone)
        self.module_ = _scan_module(backbone, int(self.feature_dim), k, int(self.n_heads)).to(self.device_)
        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=1e-5)
        neighbors = torch.as_tensor(self.neighbors_, device=self.device_)
        history = []
        for _ in range(int(self.epochs)):
            self.module_.train()
            per_head, count = np.zeros(int(self.n_heads)), 0
            for idx in iterate_batches(n, min(int(self.batch_size), n), rng, drop_last=True):
                if len(idx) < 2:
                    continue
                pick = torch.as_tensor(rng.integers(0, neighbors.shape[1], len(idx)), device=self.device_)
                idx_t = torch.as_tensor(idx, device=self.device_)
                mate = neighbors[idx_t, pick]
                p_anchor = self.module_.all_proba(self._augment(x[idx_t]))
                p_mate = self.module_.all_proba(self._augment(x[mate]))
                losses = torch.stack(
                    [scan_loss(a, b, float(self.entropy_weight)) for a, b in zip(p_anchor, p_mate, strict=True)]
                )
                optimizer.zero_grad()
                losses.sum().backward()
                optimizer.step()
                per_head, count = per_head + losses.detach().cpu().numpy() * len(idx), count + len(idx)
            per_head /= max(count, 1)
            history.append(float(per_head.min()))
        self.module_.head = int(np.argmin(per_head)) if int(self.epochs) > 0 else 0
        self.head_losses_ = per_head
        self.fit_seconds_ = time.perf_counter() - start
        self.loss_history_ = np.asarray(history)
        self.labels_ = self.predict(x.cpu().numpy())
        return self

    def training_loss(self, x: Any) -> Any:
        """SCAN's loss on a batch tensor with each image's own augmented view as its neighbour
        (used by adversarial training, where mined neighbours of new images are unknown)."""
        return scan_loss(
            self.module_.proba(self._augment(x)), self.module_.proba(self._augment(x)), float(self.entropy_weight)
        )

    def _augment(self, x: Any) -> Any:
        return augment(x, max_shift=int(self.max_shift), noise=float(self.noise))
