"""DEC (Xie et al., ICML 2016) and IDEC (Guo et al., IJCAI 2017).

An autoencoder is pretrained on reconstruction; k-means on its embedding initialises the
cluster centres; then the encoder and centres minimise KL(P || Q) between the Student-t
soft assignment Q and its sharpened target P (plus ``gamma`` x reconstruction for IDEC).
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from .._validation import check_fraction, check_n_clusters, check_positive, check_random_state, seed_from
from ._device import import_torch, resolve_device, seed_torch
from ._training import DeepClusterer, as_image_tensor, iterate_batches, load_state, save_state

__all__ = ["DEC"]


def _dec_module(
    image_shape: tuple[int, int], n_clusters: int, hidden: tuple[int, ...], embedding_dim: int, alpha: float
) -> Any:
    torch = import_torch()
    nn = torch.nn
    from ._backbones import mlp

    d = image_shape[0] * image_shape[1]

    class _DECNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = nn.Sequential(nn.Flatten(), mlp([d, *hidden, embedding_dim]))
            self.decoder = nn.Sequential(mlp([embedding_dim, *hidden[::-1], d]), nn.Sigmoid())
            self.centers = nn.Parameter(torch.zeros(n_clusters, embedding_dim))

        def features(self, x: Any) -> Any:
            return self.encoder(x)

        def soft_assign(self, z: Any) -> Any:
            # DEC eq. 1: Student-t kernel with alpha degrees of freedom.
            dist2 = torch.cdist(z, self.centers).pow(2)
            q = (1.0 + dist2 / alpha).pow(-(alpha + 1.0) / 2.0)
            return q / q.sum(1, keepdim=True)

        def proba(self, x: Any) -> Any:
            return self.soft_assign(self.encoder(x))

        def forward(self, x: Any) -> Any:
            return self.proba(x)

    return _DECNet()


def _target_distribution(q: Any) -> Any:
    # DEC eq. 3: p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j'), f_j = sum_i q_ij.
    weight = q.pow(2) / q.sum(0)
    return weight / weight.sum(1, keepdim=True)


class DEC(DeepClusterer):
    """Deep Embedded Clustering; ``gamma > 0`` keeps the decoder's loss (IDEC).

    Parameters
    ----------
    n_clusters : int
    pretrain_epochs : int, default=30
        Autoencoder epochs before k-means initialisation.
    epochs : int, default=20
        Clustering (KL) epochs; the target P is recomputed at the start of each.
    hidden : tuple of int, default=(256, 128)
    embedding_dim : int, default=10
    gamma : float, default=0.1
        Reconstruction weight (0: DEC, 0.1: IDEC's default).
    alpha : float, default=1.0
        Student-t degrees of freedom.
    tol : float, default=0.001
        Stop when fewer than this fraction of labels change between epochs.
    batch_size, lr, image_shape, device, random_state : as usual.
    """

    def __init__(
        self,
        n_clusters: int = 10,
        *,
        pretrain_epochs: int = 30,
        epochs: int = 20,
        hidden: tuple[int, ...] = (256, 128),
        embedding_dim: int = 10,
        gamma: float = 0.1,
        alpha: float = 1.0,
        tol: float = 0.001,
        batch_size: int = 256,
        lr: float = 1e-3,
        image_shape: Any = None,
        device: Any = "auto",
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.pretrain_epochs = pretrain_epochs
        self.epochs = epochs
        self.hidden = hidden
        self.embedding_dim = embedding_dim
        self.gamma = gamma
        self.alpha = alpha
        self.tol = tol
        self.batch_size = batch_size
        self.lr = lr
        self.image_shape = image_shape
        self.device = device
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> DEC:
        torch = import_torch()
        from sklearn.cluster import KMeans

        check_positive(self.pretrain_epochs, "pretrain_epochs", integer=True, strict=False)
        check_positive(self.epochs, "epochs", integer=True, strict=False)
        check_positive(self.batch_size, "batch_size", integer=True)
        check_positive(self.gamma, "gamma", strict=False)
        check_positive(self.alpha, "alpha")
        check_fraction(self.tol, "tol", inclusive_high=True)
        rng = check_random_state(self.random_state)
        self.device_ = resolve_device(self.device)
        x, shape = as_image_tensor(X, self.device_, image_shape=self.image_shape)
        k = check_n_clusters(self.n_clusters, x.shape[0])
        seed_torch(seed_from(rng))
        self.image_shape_ = shape
        net = _dec_module(shape, k, tuple(int(h) for h in self.hidden), int(self.embedding_dim), float(self.alpha))
        self.module_ = net.to(self.device_)
        start = time.perf_counter()
        flat = x.flatten(1)
        optimizer = torch.optim.Adam(list(net.encoder.parameters()) + list(net.decoder.parameters()), lr=self.lr)
        history = []
        for _ in range(int(self.pretrain_epochs)):
            net.train()
            for idx in iterate_batches(x.shape[0], int(self.batch_size), rng):
                loss = torch.nn.functional.mse_loss(net.decoder(net.encoder(x[idx])), flat[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            history.append(loss.item())
        net.eval()
        z = self._batched(x.cpu().numpy(), net.features)
        km = KMeans(k, n_init=10, random_state=seed_from(rng)).fit(z)
        with torch.no_grad():
            net.centers.copy_(torch.as_tensor(km.cluster_centers_, dtype=torch.float32))
        labels = km.labels_
        optimizer = torch.optim.Adam(net.parameters(), lr=self.lr)
        for _ in range(int(self.epochs)):
            q_all = torch.as_tensor(self._batched(x.cpu().numpy(), net.proba), dtype=torch.float32, device=self.device_)
            p_all = _target_distribution(q_all)
            new_labels = q_all.argmax(1).cpu().numpy()
            changed = float(np.mean(new_labels != labels))
            labels = new_labels
            if history and changed < self.tol and len(history) > int(self.pretrain_epochs) + 1:
                break
            net.train()
            for idx in iterate_batches(x.shape[0], int(self.batch_size), rng):
                z_b = net.encoder(x[idx])
                q = net.soft_assign(z_b)
                loss = torch.nn.functional.kl_div(torch.log(q + 1e-10), p_all[idx], reduction="batchmean")
                if self.gamma > 0:
                    loss = loss + self.gamma * torch.nn.functional.mse_loss(net.decoder(z_b), flat[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            history.append(loss.item())
        net.eval()
        self.fit_seconds_ = time.perf_counter() - start
        self.loss_history_ = np.asarray(history)
        self.labels_ = self.predict(x.cpu().numpy())
        return self

    def training_loss(self, x: Any) -> Any:
        """IDEC's loss on a batch with the target P computed from the batch itself."""
        torch = import_torch()
        net = self.module_
        z = net.encoder(x)
        q = net.soft_assign(z)
        p = _target_distribution(q.detach())
        loss = torch.nn.functional.kl_div(torch.log(q + 1e-10), p, reduction="batchmean")
        # Keep some reconstruction even for plain DEC (gamma=0): without it fine-tuning can drift freely.
        return loss + max(float(self.gamma), 0.1) * torch.nn.functional.mse_loss(net.decoder(z), x.flatten(1))

    def save(self, path: str | os.PathLike) -> None:
        """Save weights and shape metadata (tensors only; ``torch.load(weights_only=True)`` reads it)."""
        self._check_fitted()
        save_state(
            self.module_,
            path,
            {
                "n_clusters": self.module_.centers.shape[0],
                "image_shape": self.image_shape_,
                "hidden": list(self.hidden),
                "embedding_dim": self.embedding_dim,
                "alpha": self.alpha,
            },
        )

    @classmethod
    def load(cls, path: str | os.PathLike, *, device: Any = "auto") -> DEC:
        weights, meta = load_state(path)
        model = cls(
            int(meta["n_clusters"]),
            hidden=tuple(int(h) for h in meta["hidden"]),
            embedding_dim=int(meta["embedding_dim"]),
            alpha=float(meta["alpha"]),
            device=device,
        )
        model.device_ = resolve_device(device)
        model.image_shape_ = (int(meta["image_shape"][0]), int(meta["image_shape"][1]))
        model.module_ = _dec_module(
            model.image_shape_, model.n_clusters, model.hidden, model.embedding_dim, model.alpha
        )
        model.module_.load_state_dict(weights)
        model.module_.to(model.device_).eval()
        return model
