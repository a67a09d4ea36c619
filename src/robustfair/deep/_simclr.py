"""SimCLR (Chen et al. 2020): a self-supervised image encoder, the pretext of SSD and SCAN.

Two augmented views of each image go through a conv backbone and a projection head; the
NT-Xent loss pulls the two views of an image together and pushes other images apart. The
backbone's output (not the projection) is the feature used downstream (SSD's detector,
SCAN's neighbours), as in both papers.
"""

from __future__ import annotations

import time
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np

from .._validation import Interval, check_params, check_random_state, seed_from
from ._device import import_torch, resolve_device, seed_torch
from ._training import as_image_tensor, augment, iterate_batches

__all__ = ["SimCLR"]


def _simclr_module(image_shape: tuple[int, int], width: int, feature_dim: int, projection_dim: int) -> Any:
    torch = import_torch()
    nn = torch.nn
    from ._backbones import conv_backbone

    class _SimCLRNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = conv_backbone(image_shape, width=width, out_dim=feature_dim)
            self.projection = nn.Sequential(
                nn.Linear(feature_dim, feature_dim), nn.ReLU(), nn.Linear(feature_dim, projection_dim)
            )

        def features(self, x: Any) -> Any:
            return self.backbone(x)

        def forward(self, x: Any) -> Any:
            return self.projection(self.backbone(x))

    return _SimCLRNet()


class SimCLR:
    """SimCLR encoder for small grayscale images (``(n, H*W)`` or ``(n, 1, H, W)`` in [0, 1]).

    Parameters
    ----------
    epochs : int, default=20
    batch_size : int, default=128
    lr : float, default=3e-3
    width : int, default=16
        Channels of the first conv layer (doubled twice).
    feature_dim : int, default=64
        Size of the backbone's output, the features ``transform`` returns.
    projection_dim : int, default=32
        Output of the projection head the NT-Xent loss is computed on.
    temperature : float, default=0.5
    max_shift : int, default=2
    noise : float, default=0.05
        Augmentation strengths (shift crops, Gaussian pixel noise; see ``deep.augment``).
    image_shape : (H, W), optional
    device : "auto", "cpu", "cuda", ...
    random_state : int, Generator or None

    Attributes
    ----------
    module_ : torch module (backbone + projection)
    loss_history_ : ndarray (epochs,)
    fit_seconds_ : float
    """

    _parameter_constraints: ClassVar[dict] = {
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "width": [Interval(Integral, 1, None, closed="left")],
        "feature_dim": [Interval(Integral, 1, None, closed="left")],
        "projection_dim": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "max_shift": [Interval(Integral, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "image_shape": "no_validation",  # checked with X by as_image_tensor
        "device": "no_validation",  # resolve_device
        "random_state": "no_validation",  # check_random_state
    }

    def __init__(
        self,
        *,
        epochs: int = 20,
        batch_size: int = 128,
        lr: float = 3e-3,
        width: int = 16,
        feature_dim: int = 64,
        projection_dim: int = 32,
        temperature: float = 0.5,
        max_shift: int = 2,
        noise: float = 0.05,
        image_shape: Any = None,
        device: Any = "auto",
        random_state: Any = None,
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.width = width
        self.feature_dim = feature_dim
        self.projection_dim = projection_dim
        self.temperature = temperature
        self.max_shift = max_shift
        self.noise = noise
        self.image_shape = image_shape
        self.device = device
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> SimCLR:
        """Train the encoder on the images ``X`` (``y`` is ignored)."""
        torch = import_torch()
        from ._cc import _nt_xent

        check_params(self)
        rng = check_random_state(self.random_state)
        self.device_ = resolve_device(self.device)
        x, shape = as_image_tensor(X, self.device_, image_shape=self.image_shape)
        if x.shape[0] < 4:
            raise ValueError(f"X needs at least 4 images to train SimCLR; got {x.shape[0]}.")
        seed_torch(seed_from(rng))
        self.image_shape_ = shape
        self.module_ = _simclr_module(shape, int(self.width), int(self.feature_dim), int(self.projection_dim))
        self.module_.to(self.device_)
        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=1e-5)
        shift, noise = int(self.max_shift), float(self.noise)
        batch = min(int(self.batch_size), x.shape[0])
        start, history = time.perf_counter(), []
        for _ in range(int(self.epochs)):
            self.module_.train()
            total, count = 0.0, 0
            for idx in iterate_batches(x.shape[0], batch, rng, drop_last=True):
                if len(idx) < 2:
                    continue
                xb = x[idx]
                va = augment(xb, max_shift=shift, noise=noise)
                vb = augment(xb, max_shift=shift, noise=noise)
                loss = _nt_xent(self.module_(va), self.module_(vb), self.temperature)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total, count = total + loss.item() * len(idx), count + len(idx)
            history.append(total / max(count, 1))
        self.fit_seconds_ = time.perf_counter() - start
        self.loss_history_ = np.asarray(history)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Backbone features ``(n, feature_dim)`` of the images ``X``."""
        torch = import_torch()
        if not hasattr(self, "module_"):
            raise ValueError("This SimCLR is not fitted yet; call fit(X) first.")
        x, _ = as_image_tensor(X, self.device_, image_shape=self.image_shape_)
        self.module_.eval()
        with torch.no_grad():
            out = [self.module_.features(xb).cpu().numpy() for xb in x.split(512)]
        return np.concatenate(out).astype(np.float64)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X).transform(X)
