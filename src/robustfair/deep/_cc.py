"""Contrastive Clustering (CC; Li et al., AAAI 2021), the deep clustering victim of thesis 2.3.

Two augmented views of each image go through a shared backbone. An instance head is
trained with the NT-Xent loss over rows (instances) and a cluster head, ending in a
softmax over ``k`` clusters, with NT-Xent over columns (clusters) minus the entropy of the
cluster marginal, which keeps every cluster in use.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from .._validation import check_n_clusters, check_positive, check_random_state, seed_from
from ._device import import_torch, resolve_device, seed_torch
from ._training import DeepClusterer, as_image_tensor, augment, iterate_batches, load_state, save_state

__all__ = ["ContrastiveClustering"]


def _cc_module(image_shape: tuple[int, int], n_clusters: int, width: int, feature_dim: int) -> Any:
    torch = import_torch()
    nn = torch.nn
    from ._backbones import conv_backbone

    class _CCNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = conv_backbone(image_shape, width=width, out_dim=128)
            self.instance_head = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, feature_dim))
            self.cluster_head = nn.Sequential(nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, n_clusters))

        def features(self, x: Any) -> Any:
            return self.backbone(x)

        def logits(self, x: Any) -> Any:
            return self.cluster_head(self.backbone(x))

        def proba(self, x: Any) -> Any:
            return torch.softmax(self.logits(x), dim=1)

        def forward(self, x: Any) -> Any:
            return self.proba(x)

    return _CCNet()


def _nt_xent(a: Any, b: Any, temperature: float) -> Any:
    """NT-Xent over the rows of ``a`` and ``b`` (positives: row i of a with row i of b)."""
    torch = import_torch()
    z = torch.nn.functional.normalize(torch.cat([a, b]), dim=1)
    n = a.shape[0]
    sim = z @ z.T / temperature
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool, device=z.device), float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return torch.nn.functional.cross_entropy(sim, target)


def cc_loss(net: Any, x: Any, *, instance_temperature: float, cluster_temperature: float, aug: dict) -> Any:
    """CC's loss on one batch: instance NT-Xent + cluster NT-Xent - H(cluster marginal) of both views."""
    torch = import_torch()
    va, vb = augment(x, **aug), augment(x, **aug)
    ha, hb = net.backbone(va), net.backbone(vb)
    za, zb = net.instance_head(ha), net.instance_head(hb)
    pa, pb = torch.softmax(net.cluster_head(ha), 1), torch.softmax(net.cluster_head(hb), 1)
    loss = _nt_xent(za, zb, instance_temperature) + _nt_xent(pa.T, pb.T, cluster_temperature)
    k = pa.shape[1]
    for p in (pa, pb):
        marginal = p.mean(0)
        # CC's cluster loss subtracts the entropy of the cluster marginal (log k - H >= 0 here).
        loss = loss + np.log(k) + (marginal * torch.log(marginal + 1e-8)).sum()
    return loss


class ContrastiveClustering(DeepClusterer):
    """Contrastive Clustering (Li et al. 2021) on small grayscale images.

    Parameters
    ----------
    n_clusters : int
    epochs : int, default=30
    batch_size : int, default=256
    lr : float, default=3e-3
    width : int, default=16
        Channels of the first conv layer (doubled twice).
    feature_dim : int, default=64
        Output size of the instance head.
    instance_temperature, cluster_temperature : float, default=0.5, 1.0
        Temperatures of the two NT-Xent losses (CC's defaults).
    max_shift, noise, flip, cutout : augmentation strengths (flip only for faces, not digits).
    image_shape : (H, W), optional
        Needed when flattened images are not square.
    device : "auto", "cpu", "cuda", ...
    random_state : int, Generator or None

    Attributes
    ----------
    labels_ : ndarray (n,)
        Cluster ids of the training images.
    loss_history_ : ndarray (epochs,)
    fit_seconds_ : float
    """

    def __init__(
        self,
        n_clusters: int = 10,
        *,
        epochs: int = 30,
        batch_size: int = 256,
        lr: float = 3e-3,
        width: int = 16,
        feature_dim: int = 64,
        instance_temperature: float = 0.5,
        cluster_temperature: float = 1.0,
        max_shift: int = 2,
        noise: float = 0.05,
        flip: bool = False,
        cutout: int = 0,
        image_shape: Any = None,
        device: Any = "auto",
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.width = width
        self.feature_dim = feature_dim
        self.instance_temperature = instance_temperature
        self.cluster_temperature = cluster_temperature
        self.max_shift = max_shift
        self.noise = noise
        self.flip = flip
        self.cutout = cutout
        self.image_shape = image_shape
        self.device = device
        self.random_state = random_state

    def _aug(self) -> dict:
        return {
            "max_shift": int(self.max_shift),
            "noise": float(self.noise),
            "flip": bool(self.flip),
            "cutout": int(self.cutout),
        }

    def fit(self, X: Any, y: Any = None) -> ContrastiveClustering:
        torch = import_torch()
        check_positive(self.epochs, "epochs", integer=True)
        check_positive(self.batch_size, "batch_size", integer=True)
        check_positive(self.lr, "lr")
        rng = check_random_state(self.random_state)
        self.device_ = resolve_device(self.device)
        x, shape = as_image_tensor(X, self.device_, image_shape=self.image_shape)
        k = check_n_clusters(self.n_clusters, x.shape[0])
        if x.shape[0] < 4:
            raise ValueError(f"X needs at least 4 images to train CC; got {x.shape[0]}.")
        seed_torch(seed_from(rng))
        self.image_shape_ = shape
        self.module_ = _cc_module(shape, k, int(self.width), int(self.feature_dim)).to(self.device_)
        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=1e-5)
        start = time.perf_counter()
        history = []
        for _ in range(int(self.epochs)):
            self.module_.train()
            total, count = 0.0, 0
            for idx in iterate_batches(x.shape[0], int(self.batch_size), rng, drop_last=True):
                if len(idx) < 2:
                    continue
                loss = cc_loss(
                    self.module_,
                    x[idx],
                    instance_temperature=self.instance_temperature,
                    cluster_temperature=self.cluster_temperature,
                    aug=self._aug(),
                )
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total, count = total + loss.item() * len(idx), count + len(idx)
            history.append(total / max(count, 1))
        self.fit_seconds_ = time.perf_counter() - start
        self.loss_history_ = np.asarray(history)
        self.labels_ = self.predict(x.cpu().numpy())
        return self

    def training_loss(self, x: Any) -> Any:
        """CC's own loss on a batch tensor (used by adversarial training)."""
        return cc_loss(
            self.module_,
            x,
            instance_temperature=self.instance_temperature,
            cluster_temperature=self.cluster_temperature,
            aug=self._aug(),
        )

    def save(self, path: str | os.PathLike) -> None:
        """Save weights and shape metadata (tensors only; ``torch.load(weights_only=True)`` reads it)."""
        self._check_fitted()
        save_state(
            self.module_,
            path,
            {
                "n_clusters": self.module_.cluster_head[-1].out_features,
                "image_shape": self.image_shape_,
                "width": self.width,
                "feature_dim": self.feature_dim,
            },
        )

    @classmethod
    def load(cls, path: str | os.PathLike, *, device: Any = "auto") -> ContrastiveClustering:
        weights, meta = load_state(path)
        model = cls(
            int(meta["n_clusters"]), width=int(meta["width"]), feature_dim=int(meta["feature_dim"]), device=device
        )
        model.device_ = resolve_device(device)
        model.image_shape_ = (int(meta["image_shape"][0]), int(meta["image_shape"][1]))
        model.module_ = _cc_module(model.image_shape_, model.n_clusters, model.width, model.feature_dim)
        model.module_.load_state_dict(weights)
        model.module_.to(model.device_).eval()
        return model
