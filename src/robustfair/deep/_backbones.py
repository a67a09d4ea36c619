"""Small conv and MLP backbones sized for CPU training on 8x8 to 28x28 grayscale images."""

from __future__ import annotations

from typing import Any

from ._device import import_torch

__all__ = ["conv_backbone", "mlp", "ConvGenerator", "ConvDiscriminator"]

torch = import_torch()
nn = torch.nn


def conv_backbone(image_shape: tuple[int, int], width: int = 32, out_dim: int = 128) -> Any:
    """Conv -> conv (stride 2) -> conv (stride 2) -> global average pool -> linear.

    Returns an ``nn.Module`` mapping ``(n, 1, H, W)`` to ``(n, out_dim)`` features.
    """
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1),
        nn.BatchNorm2d(width),
        nn.ReLU(),
        nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
        nn.BatchNorm2d(2 * width),
        nn.ReLU(),
        nn.Conv2d(2 * width, 4 * width, 3, stride=2, padding=1),
        nn.BatchNorm2d(4 * width),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * width, out_dim),
        nn.BatchNorm1d(out_dim),
        nn.ReLU(),
    )


def mlp(sizes: list[int], *, last_activation: bool = False, batch_norm: bool = False) -> Any:
    """Fully connected layers ``sizes[0] -> ... -> sizes[-1]`` with ReLU between them."""
    layers: list[Any] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_activation:
            if batch_norm:
                layers.append(nn.BatchNorm1d(b))
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ConvGenerator(nn.Module):
    """AdvGAN-style generator: image -> unbounded perturbation map of the same size.

    A learned per-pixel bias map is added to the conv output, so the generator can also
    express an image-agnostic (universal) perturbation, which is what pushes many images
    into the same few clusters (the "clustering breakdown" of thesis 2.3.6.1).
    """

    def __init__(self, width: int = 32, image_shape: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.bias_map = nn.Parameter(torch.zeros(1, 1, *image_shape)) if image_shape is not None else None
        # Dilated convs: a receptive field of 15 px covers a whole 16x16 digit at full resolution.
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=2, dilation=2),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=4, dilation=4),
            nn.ReLU(),
            nn.Conv2d(width, 1, 3, padding=1),
        )

    def forward(self, x: Any) -> Any:
        out = self.net(x)
        return out if self.bias_map is None else out + self.bias_map


class ConvDiscriminator(nn.Module):
    """Real/fake logit of an image (vanilla GAN discriminator)."""

    def __init__(self, image_shape: tuple[int, int], width: int = 16) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(2),
            nn.Flatten(),
            nn.Linear(8 * width, 1),
        )

    def forward(self, x: Any) -> Any:
        return self.net(x).squeeze(1)
