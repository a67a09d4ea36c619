"""Device choice, lazy torch import and seeding for the deep parts."""

from __future__ import annotations

from typing import Any

__all__ = ["import_torch", "resolve_device", "seed_torch"]


def import_torch() -> Any:
    """Import torch, or raise an ``ImportError`` saying how to get it."""
    from .._optional import require

    return require("torch", "the deep models (robustfair.deep, CFC, DFDC, GAN evasion, MLPInfluence)")


def resolve_device(device: Any = "auto") -> Any:
    """``"auto"`` -> CUDA when available else CPU; any other value is passed to ``torch.device``."""
    torch = import_torch()
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r} ({exc}).") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} asks for CUDA but torch sees no CUDA device; use device='auto'.")
    return dev


def seed_torch(seed: int) -> Any:
    """Seed torch's global generators (CPU and CUDA) and return a seeded ``torch.Generator``."""
    torch = import_torch()
    seed = int(seed) % (2**31 - 1)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen
