"""A VASNet-style frame-importance regressor (Fajtl et al., 2018; thesis ref. [194]).

Soft self-attention over all frames of a video, a residual connection, layer norm and a
small regression head with a sigmoid output, trained with mean squared error against the
annotated importance (``gtscore``), one video per step. PyTorch is imported only when a
model is fitted or used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import check_array, check_positive, check_random_state, seed_from
from ._protocol import generate_summary

__all__ = ["VASNetSummarizer"]


def _build(n_features: int, hidden: int, dropout: float, scale: float) -> Any:
    import torch
    from torch import nn

    class _VASNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.key = nn.Linear(n_features, hidden, bias=False)
            self.query = nn.Linear(n_features, hidden, bias=False)
            self.value = nn.Linear(n_features, hidden, bias=False)
            self.out = nn.Linear(hidden, n_features, bias=False)
            self.drop = nn.Dropout(dropout)
            self.norm_y = nn.LayerNorm(n_features)
            self.ka = nn.Linear(n_features, hidden)
            self.norm_ka = nn.LayerNorm(hidden)
            self.kd = nn.Linear(hidden, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (n_steps, n_features)
            logits = scale * (self.query(x) @ self.key(x).T)  # VASNet scales logits by 0.06
            attention = self.drop(torch.softmax(logits, dim=-1))
            y = self.out(attention @ self.value(x)) + x  # residual
            y = self.norm_y(self.drop(y))
            y = self.norm_ka(self.drop(torch.relu(self.ka(y))))
            return torch.sigmoid(self.kd(y)).squeeze(-1)

    return _VASNet()


def _as_sequences(features: Any, scores: Any) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    if isinstance(features, Mapping):
        features = list(features.values())
    if isinstance(features, np.ndarray) and features.ndim == 2:
        features = [features]
    feats, targets = [], []
    for i, item in enumerate(features):
        if hasattr(item, "features") and hasattr(item, "gtscore"):  # a Video record
            feats.append(check_array(item.features, f"features[{i}]"))
            targets.append(check_array(item.gtscore, f"gtscore of video {i}", ndim=1))
        else:
            feats.append(check_array(item, f"features[{i}]"))
    if not feats:
        raise ValueError("features is empty; pass at least one video.")
    if scores is not None:
        if isinstance(scores, np.ndarray) and scores.ndim == 1:
            scores = [scores]
        targets = [check_array(s, f"scores[{i}]", ndim=1) for i, s in enumerate(scores)]
    if targets and len(targets) != len(feats):
        raise ValueError(f"scores has {len(targets)} videos but features has {len(feats)}; they must match.")
    for i, (f, t) in enumerate(zip(feats, targets)):
        if f.shape[0] != t.shape[0]:
            raise ValueError(f"scores[{i}] has {t.shape[0]} steps but features[{i}] has {f.shape[0]}.")
    d = {f.shape[1] for f in feats}
    if len(d) > 1:
        raise ValueError(f"features: videos have different feature sizes {sorted(d)}.")
    return feats, (targets or None)


class VASNetSummarizer:
    """Attention-based frame-importance regressor in the style of VASNet.

    Parameters
    ----------
    hidden_size : int, optional
        Width of the attention and head; default: the feature size.
    n_epochs : int, default=50
    learning_rate : float, default=5e-5
        VASNet's Adam step.
    weight_decay : float, default=1e-5
    dropout : float, default=0.5
    attention_scale : float, default=0.06
        Scale of the attention logits (VASNet's).
    device : str, default="auto"
        ``"auto"`` uses CUDA when present.
    random_state : int, Generator or None

    Attributes
    ----------
    model_ : torch.nn.Module
    n_features_ : int
    loss_curve_ : list of float
        Mean training loss per epoch.
    target_range_ : (float, float)
        Training targets are scaled by this range into [0, 1]; predictions are scaled back.
    device_ : torch.device
    """

    def __init__(
        self,
        hidden_size: int | None = None,
        n_epochs: int = 50,
        learning_rate: float = 5e-5,
        weight_decay: float = 1e-5,
        dropout: float = 0.5,
        attention_scale: float = 0.06,
        device: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.hidden_size = hidden_size
        self.n_epochs = n_epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.attention_scale = attention_scale
        self.device = device
        self.random_state = random_state

    def fit(self, features: Sequence[Any] | Mapping[str, Any], scores: Sequence[Any] | None = None) -> VASNetSummarizer:
        """Train on videos.

        Parameters
        ----------
        features : list of arrays (n_steps, n_features), or of :class:`Video`, or a dict of them
            (then ``scores`` defaults to each video's ``gtscore``).
        scores : list of arrays (n_steps,), optional
            Target importance per sub-sampled frame.
        """
        import torch

        feats, targets = _as_sequences(features, scores)
        if targets is None:
            raise ValueError("scores is required unless features holds Video records with gtscore.")
        n_epochs = check_positive(self.n_epochs, "n_epochs", integer=True)
        lr = check_positive(self.learning_rate, "learning_rate")
        check_positive(self.weight_decay, "weight_decay", strict=False)
        rng = check_random_state(self.random_state)
        torch.manual_seed(seed_from(rng))
        from ..deep._device import resolve_device

        device = resolve_device(self.device)
        n_features = feats[0].shape[1]
        hidden = int(self.hidden_size or n_features)
        low = min(float(t.min()) for t in targets)
        high = max(float(t.max()) for t in targets)
        span = high - low if high > low else 1.0
        model = _build(n_features, hidden, float(self.dropout), float(self.attention_scale)).to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=float(self.weight_decay))
        xs = [torch.as_tensor(f, dtype=torch.float32, device=device) for f in feats]
        ys = [torch.as_tensor((t - low) / span, dtype=torch.float32, device=device) for t in targets]
        curve = []
        model.train()
        for _ in range(n_epochs):
            total = 0.0
            for i in rng.permutation(len(xs)):  # one video per step, as VASNet trains
                optimizer.zero_grad()
                loss = torch.mean((model(xs[i]) - ys[i]) ** 2)
                loss.backward()
                optimizer.step()
                total += float(loss.detach())
            curve.append(total / len(xs))
        model.eval()
        self.model_ = model
        self.n_features_ = n_features
        self.loss_curve_ = curve
        self.target_range_ = (low, low + span)
        self.device_ = device
        return self

    def predict(self, features: Any) -> np.ndarray | list[np.ndarray]:
        """Predicted importance per sub-sampled frame: one array, or a list for several videos."""
        import torch

        if not hasattr(self, "model_"):
            raise ValueError("This VASNetSummarizer is not fitted; call fit first.")
        single = isinstance(features, np.ndarray) and features.ndim == 2 or hasattr(features, "gtscore")
        feats, _ = _as_sequences([features] if hasattr(features, "gtscore") else features, None)
        out = []
        low, high = self.target_range_
        with torch.no_grad():
            for i, f in enumerate(feats):
                if f.shape[1] != self.n_features_:
                    raise ValueError(
                        f"features[{i}] has {f.shape[1]} features; the model was fitted on {self.n_features_}."
                    )
                x = torch.as_tensor(f, dtype=torch.float32, device=self.device_)
                out.append(self.model_(x).cpu().numpy().astype(np.float64) * (high - low) + low)
        return out[0] if single else out

    def summarize(self, video: Any, *, budget: float = 0.15) -> np.ndarray:
        """Frame mask of a :class:`Video` by the standard protocol (upsample, shots, knapsack)."""
        scores = self.predict(video.features)
        return generate_summary(
            scores, change_points=video.change_points, n_frames=int(video.n_frames), picks=video.picks, budget=budget
        )
