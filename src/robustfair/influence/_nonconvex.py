"""Influence for a non-convex model: an MLP (thesis 4.2.2, "Extension to Non-Convex Models").

Two strategies:

* ``strategy="surrogate"`` (strategy 1, the paper's choice; Li & Liu 2022): train the MLP,
  then fit an L2-regularized logistic regression on its last hidden layer; influence is
  the surrogate's closed form (:class:`InfluenceLogisticRegression`) on the embeddings,
  and predictions come from the surrogate, so the influence describes the deployed model.
* ``strategy="damped"`` (strategy 2; Han et al. 2020): influence with respect to every
  MLP weight, ``(1/n) grad f^T (H + damping I)^{-1} grad l_j``, with the exact Hessian of the
  training objective; the damping makes the (possibly indefinite) Hessian positive
  definite. The Hessian is ``P x P`` for ``P`` weights: meant for small networks.

torch is imported when this module is (lazily, from ``robustfair.influence``); the
device is CUDA when available (``device="auto"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .._optional import require
from .._validation import (
    check_array,
    check_choice,
    check_consistent_length,
    check_positive,
    check_random_state,
    record_feature_names,
)
from ..deep._device import resolve_device
from ._logistic import InfluenceLogisticRegression, check_binary_target
from ._objectives import _two_groups

torch = require("torch", "MLPInfluence")

__all__ = ["MLPInfluence"]


class _single_thread:
    """Run small CPU work on one torch thread, restoring the setting afterwards.

    The MLPs here are small: intra-op threads gain nothing on them, and on a busy machine
    their spin-waiting costs tens of times the work itself.
    """

    def __init__(self, device: torch.device) -> None:
        self.active = device.type == "cpu"

    def __enter__(self) -> None:
        if self.active:
            self.saved = torch.get_num_threads()
            torch.set_num_threads(1)

    def __exit__(self, *exc: Any) -> None:
        if self.active:
            torch.set_num_threads(self.saved)


class MLPInfluence(ClassifierMixin, BaseEstimator):
    """A ReLU MLP classifier with influence of its training points (surrogate or damped).

    Parameters
    ----------
    hidden : tuple of int, default=(32, 32)
        Hidden layer widths (paper Appendix D.1: two hidden layers with ReLU).
    strategy : {"surrogate", "damped"}
    l2 : float, default=1e-3
        Weight decay of the MLP (mean-loss units) and ``l2`` of the surrogate.
    damping : float, default=0.01
        Added to the Hessian's diagonal in the damped strategy.
    epochs, lr : full-batch Adam training.
    device : "auto", "cpu" or "cuda"
    random_state : int or None

    Attributes
    ----------
    network_ : torch.nn.Sequential (hidden layers), head_ : torch.nn.Linear
    surrogate_ : InfluenceLogisticRegression (surrogate strategy)
    classes_ : ndarray of shape (2,)
    """

    def __init__(
        self,
        hidden: Sequence[int] = (32, 32),
        *,
        strategy: str = "surrogate",
        l2: float = 1e-3,
        damping: float = 0.01,
        epochs: int = 300,
        lr: float = 1e-2,
        device: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.hidden = hidden
        self.strategy = strategy
        self.l2 = l2
        self.damping = damping
        self.epochs = epochs
        self.lr = lr
        self.device = device
        self.random_state = random_state

    # ------------------------------------------------------------------ training
    def fit(self, X: Any, y: Any) -> MLPInfluence:
        check_choice(self.strategy, ("surrogate", "damped"), "strategy")
        X_in = X
        X = check_array(X, "X")
        y01, self.classes_ = check_binary_target(y)
        check_consistent_length(X, y01, names=["X", "y"])
        l2 = check_positive(self.l2, "l2", strict=False)
        seed = int(check_random_state(self.random_state).integers(0, 2**31 - 1))
        torch.manual_seed(seed)
        self.device_ = resolve_device(self.device)
        layers: list[torch.nn.Module] = []
        width = X.shape[1]
        for h in self.hidden:
            layers += [torch.nn.Linear(width, int(h)), torch.nn.ReLU()]
            width = int(h)
        self.network_ = torch.nn.Sequential(*layers).to(self.device_, torch.float64)
        self.head_ = torch.nn.Linear(width, 1).to(self.device_, torch.float64)
        params = list(self.network_.parameters()) + list(self.head_.parameters())
        optimizer = torch.optim.Adam(params, lr=float(self.lr))
        Xt, yt = self._tensor(X), self._tensor(y01)
        with _single_thread(self.device_):
            for _ in range(int(self.epochs)):
                optimizer.zero_grad()
                loss = self._loss(self._flat(), Xt, yt, l2)
                loss.backward()
                optimizer.step()
        record_feature_names(self, X_in, reset=True)  # n_features_in_, feature_names_in_ for a DataFrame
        if self.strategy == "surrogate":
            self.surrogate_ = InfluenceLogisticRegression(l2=max(l2, 1e-8)).fit(self.embed(X), y01)
        return self

    def _tensor(self, a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float64, device=self.device_)

    def _modules(self) -> dict[str, torch.nn.Parameter]:
        named = {f"net.{k}": v for k, v in self.network_.named_parameters()}
        named.update({f"head.{k}": v for k, v in self.head_.named_parameters()})
        return named

    def _flat(self) -> torch.Tensor:
        # Parameters live in the modules; the flat view is only used to index them.
        return torch.cat([p.reshape(-1) for p in self._modules().values()])

    def _logits(self, flat: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        """Forward pass with parameters taken from ``flat`` (differentiable in ``flat``)."""
        from torch.func import functional_call

        params, offset = {}, 0
        for name, p in self._modules().items():
            params[name] = flat[offset : offset + p.numel()].reshape(p.shape)
            offset += p.numel()
        net = {k[4:]: v for k, v in params.items() if k.startswith("net.")}
        head = {k[5:]: v for k, v in params.items() if k.startswith("head.")}
        hidden = functional_call(self.network_, net, (X,))
        return functional_call(self.head_, head, (hidden,)).reshape(-1)

    def _loss(self, flat: torch.Tensor, X: torch.Tensor, y: torch.Tensor, l2: float) -> torch.Tensor:
        logits = self._logits(flat, X)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(logits, y)
        return bce + 0.5 * l2 * (flat * flat).sum()

    # ------------------------------------------------------------------ prediction
    def embed(self, X: Any) -> np.ndarray:
        """Last hidden layer activations (the surrogate's features)."""
        X_in = X
        X = check_array(X, "X")
        record_feature_names(self, X_in, reset=False)  # names and width as seen in fit
        with torch.no_grad():
            return self.network_(self._tensor(X)).cpu().numpy()

    def decision_function(self, X: Any) -> np.ndarray:
        if self.strategy == "surrogate":
            return self.surrogate_.decision_function(self.embed(X))
        X_in = X
        X = check_array(X, "X")
        record_feature_names(self, X_in, reset=False)
        with torch.no_grad():
            return self.head_(self.network_(self._tensor(X))).reshape(-1).cpu().numpy()

    def predict_proba(self, X: Any) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    # ------------------------------------------------------------------ influence
    def influence(
        self,
        X: Any,
        y: Any,
        X_val: Any = None,
        y_val: Any = None,
        *,
        objectives: Any = "utility",
        sensitive_features: Any = None,
        gamma: float = 1.3,
    ) -> dict[str, np.ndarray]:
        """Influence of removing each training point (same conventions as the logistic model).

        Surrogate strategy: every objective of :meth:`InfluenceLogisticRegression.influence`
        on the embeddings (``robust`` attacks the surrogate's boundary in embedding space).
        Damped strategy: ``utility``, ``dp`` and ``eop`` with respect to all weights.
        """
        if not hasattr(self, "network_"):
            raise ValueError("this MLPInfluence is not fitted; call fit(X, y) first.")
        if self.strategy == "surrogate":
            return self.surrogate_.influence(
                self.embed(X),
                y,
                None if X_val is None else self.embed(X_val),
                y_val,
                objectives=objectives,
                sensitive_features=sensitive_features,
                gamma=gamma,
            )
        with _single_thread(self.device_):
            return self._damped_influence(X, y, X_val, y_val, objectives, sensitive_features)

    def _damped_influence(self, X, y, X_val, y_val, objectives, sensitive_features) -> dict[str, np.ndarray]:
        from torch.func import grad, hessian, vmap

        names = [objectives] if isinstance(objectives, str) else list(objectives)
        for name in names:
            if name not in ("utility", "dp", "eop"):
                hint = " (robust needs a linear boundary: use strategy='surrogate')" if name == "robust" else ""
                raise ValueError(
                    f"objective {name!r} is not available with strategy='damped'{hint}; choose from utility, dp, eop."
                )
        damping = check_positive(self.damping, "damping", strict=False)
        l2 = float(self.l2)
        X = check_array(X, "X")
        y01, _ = check_binary_target(y, "y", self.classes_)
        Xt, yt = self._tensor(X), self._tensor(y01)
        Xv = self._tensor(check_array(X_val, "X_val"))
        yv = self._tensor(check_binary_target(y_val, "y_val", self.classes_)[0])
        theta = self._flat().detach()
        H = hessian(lambda t: self._loss(t, Xt, yt, l2))(theta)
        H = H + damping * torch.eye(H.shape[0], dtype=H.dtype, device=H.device)
        L, info = torch.linalg.cholesky_ex(0.5 * (H + H.T))
        if int(info) != 0:
            raise ValueError(f"The damped Hessian is not positive definite; increase damping (now {damping:g}).")
        grads = []
        g = None if sensitive_features is None else self._tensor(_two_groups(sensitive_features, Xv.shape[0], "dp"))
        for name in names:
            if name == "utility":

                def f(t):
                    logits = self._logits(t, Xv)
                    return torch.nn.functional.binary_cross_entropy_with_logits(logits, yv, reduction="sum")
            elif name == "dp":
                if g is None:
                    _two_groups(None, Xv.shape[0], "dp")  # raises the missing-groups ValueError
                assert g is not None
                weights = g / g.sum() - (1 - g) / (1 - g).sum()

                def f(t, weights=weights):
                    return torch.abs((torch.sigmoid(self._logits(t, Xv)) * weights).sum())
            else:
                if g is None:
                    _two_groups(None, Xv.shape[0], "eop")
                assert g is not None
                pos = yv == 1
                w = torch.where(g[pos] == 1, 1 / (g[pos] == 1).sum(), -1 / (g[pos] == 0).sum())

                def f(t, w=w, pos=pos):
                    return torch.abs((w * torch.nn.functional.softplus(-self._logits(t, Xv[pos]))).sum())

            grads.append(torch.func.grad(f)(theta))
        G = torch.stack(grads, dim=1)
        S = torch.cholesky_solve(G, L)

        def sample_loss(t, x, target):
            return torch.nn.functional.binary_cross_entropy_with_logits(self._logits(t, x[None]), target[None])

        per_sample = vmap(grad(sample_loss), in_dims=(None, 0, 0))(theta, Xt, yt)  # (n, P)
        scores = (per_sample @ S / X.shape[0]).cpu().numpy()
        return {name: scores[:, k].copy() for k, name in enumerate(names)}
