"""Networks and tensor helpers of Deep Fair Discriminative Clustering (sec. 5.1).

torch is imported inside the functions, so importing this module does not import it.
"""

from __future__ import annotations

import numpy as np


def _unit(v):
    flat = v.reshape(v.shape[0], -1)
    return (flat / flat.norm(dim=1, keepdim=True).clamp_min(1e-12)).reshape(v.shape)


def _predict_proba(net, data, batch_size: int) -> np.ndarray:
    import torch

    was_training = net.training
    net.eval()
    with torch.no_grad():
        step = 4 * batch_size
        out = torch.cat([net(data[s : s + step]).softmax(dim=1) for s in range(0, data.shape[0], step)])
    net.train(was_training)
    return out.double().cpu().numpy()


def _embed(net, data, batch_size: int) -> np.ndarray:
    """The penultimate layer's output (the representation the clustering layer reads)."""
    import torch

    was_training = net.training
    net.eval()
    body = net[:-1]
    with torch.no_grad():
        step = 4 * batch_size
        out = torch.cat([body(data[s : s + step]) for s in range(0, data.shape[0], step)])
    net.train(was_training)
    return out.double().cpu().numpy()


def _build_network(backbone: str, n_features: int, n_clusters: int, shape, hidden: tuple[int, ...]):
    import torch
    from torch import nn

    if backbone == "mlp":
        layers: list[nn.Module] = []
        width = n_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.BatchNorm1d(h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, n_clusters))
        return nn.Sequential(*layers)
    # sec. 5.1: two convolutional layers, each followed by batch norm and pooling
    channels = shape[0]
    features = nn.Sequential(
        nn.Unflatten(1, shape),
        nn.Conv2d(channels, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(2, ceil_mode=True),
        nn.Flatten(),
    )
    with torch.no_grad():
        width = features(torch.zeros(2, n_features)).shape[1]
    return nn.Sequential(features, nn.Linear(width, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, n_clusters))
