"""Helpers shared by the deep estimators: input checks, batching, augmentation, state I/O."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._validation import check_images
from ._device import import_torch

__all__ = ["as_image_tensor", "iterate_batches", "augment", "save_state", "load_state", "DeepClusterer"]


def as_image_tensor(X: Any, device: Any, *, image_shape: Any = None, name: str = "X") -> tuple[Any, tuple[int, int]]:
    """Validate images in [0, 1] and return a float32 ``(n, 1, H, W)`` tensor on ``device``."""
    torch = import_torch()
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    arr, shape = check_images(X, name, image_shape=image_shape)
    return torch.from_numpy(arr).to(device), shape


def iterate_batches(
    n: int, batch_size: int, rng: np.random.Generator, *, shuffle: bool = True, drop_last: bool = False
):
    """Yield index arrays covering ``range(n)`` in batches."""
    order = rng.permutation(n) if shuffle else np.arange(n)
    stop = n - (n % batch_size) if drop_last and n >= batch_size else n
    for start in range(0, stop, batch_size):
        yield order[start : start + batch_size]


def augment(
    x: Any, *, max_shift: int = 2, noise: float = 0.05, flip: bool = False, cutout: int = 0, contrast: float = 0.2
) -> Any:
    """Random shift (pad + crop), contrast/brightness jitter, Gaussian noise, optional flip and cutout.

    Plain-torch stand-ins for the torchvision transforms of CC (Li et al. 2021): crops become
    integer shifts, colour jitter becomes a per-image affine intensity change.
    """
    torch = import_torch()
    n, c, h, w = x.shape
    if max_shift > 0:
        # Vectorized shifted crop: index a padded batch with per-image offsets.
        pad = torch.nn.functional.pad(x, (max_shift,) * 4, mode="replicate")
        dy = torch.randint(0, 2 * max_shift + 1, (n,), device=x.device)
        dx = torch.randint(0, 2 * max_shift + 1, (n,), device=x.device)
        rows = dy[:, None] + torch.arange(h, device=x.device)[None, :]  # (n, h)
        cols = dx[:, None] + torch.arange(w, device=x.device)[None, :]  # (n, w)
        idx_n = torch.arange(n, device=x.device)[:, None, None]
        x = pad[idx_n, 0, rows[:, :, None], cols[:, None, :]].unsqueeze(1)
    if flip:
        mask = torch.rand(n, device=x.device) < 0.5
        x = torch.where(mask[:, None, None, None], x.flip(-1), x)
    if contrast > 0:
        scale = 1 + contrast * (2 * torch.rand(n, 1, 1, 1, device=x.device) - 1)
        shift = 0.5 * contrast * (2 * torch.rand(n, 1, 1, 1, device=x.device) - 1)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * scale + mean + shift
    if noise > 0:
        x = x + noise * torch.randn_like(x)
    if cutout > 0:
        cy = torch.randint(0, h, (n,), device=x.device)
        cx = torch.randint(0, w, (n,), device=x.device)
        yy = torch.arange(h, device=x.device)[None, :, None]
        xx = torch.arange(w, device=x.device)[None, None, :]
        hole = ((yy - cy[:, None, None]).abs() <= cutout // 2) & ((xx - cx[:, None, None]).abs() <= cutout // 2)
        x = x.masked_fill(hole[:, None] & (torch.rand(n, 1, 1, 1, device=x.device) < 0.5), 0.0)
    return x.clamp(0.0, 1.0)


def save_state(module: Any, path: str | os.PathLike, meta: dict[str, Any]) -> None:
    """Save weights and plain metadata as tensors only (loadable with ``weights_only=True``)."""
    torch = import_torch()
    state = {f"module.{k}": v.detach().cpu() for k, v in module.state_dict().items()}
    for key, value in meta.items():
        state[f"meta.{key}"] = torch.as_tensor(np.asarray(value))
    torch.save(state, os.fspath(path))


def load_state(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, Any]]:
    torch = import_torch()
    state = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
    weights = {k[len("module.") :]: v for k, v in state.items() if k.startswith("module.")}
    meta = {k[len("meta.") :]: v.numpy() for k, v in state.items() if k.startswith("meta.")}
    return weights, meta


class DeepClusterer:
    """What ContrastiveClustering and DEC share: prediction, features, the differentiable module."""

    module_: Any
    device_: Any
    image_shape_: tuple[int, int]

    def fit(self, X: Any, y: Any = None) -> Any:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "module_"):
            raise ValueError(f"This {type(self).__name__} is not fitted yet; call fit(X) first.")

    def _batched(self, X: Any, fn: Any, batch_size: int = 512) -> np.ndarray:
        torch = import_torch()
        self._check_fitted()
        x, _ = as_image_tensor(X, self.device_, image_shape=self.image_shape_)
        self.module_.eval()
        out = []
        with torch.no_grad():
            for start in range(0, x.shape[0], batch_size):
                out.append(fn(x[start : start + batch_size]).cpu().numpy())
        return np.concatenate(out).astype(np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Soft cluster memberships ``M`` of shape ``(n, n_clusters)``; rows sum to 1."""
        self._check_fitted()
        return self._batched(X, self.module_.proba)

    def predict(self, X: Any) -> np.ndarray:
        """Cluster ids ``argmax_j M_ij``."""
        return self.predict_proba(X).argmax(axis=1)

    def transform(self, X: Any) -> np.ndarray:
        """Features of the victim's representation space (used by the Mahalanobis detector)."""
        self._check_fitted()
        return self._batched(X, self.module_.features)

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        return self.fit(X).labels_

    def membership_module(self) -> Any:
        """The differentiable ``(n, 1, H, W) -> (n, k)`` membership network (white-box access)."""
        self._check_fitted()
        return self.module_
