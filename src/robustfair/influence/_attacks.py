"""Attacks the influence experiments defend against.

* :func:`linear_evasion_attack`: move each point across a linear decision boundary
  (influence paper, Section 2; thesis eq. 4.8's adversary, after Megyeri et al. 2019).
* :class:`AnchoringAttack`: the random (RAA) and non-random (NRAA) anchoring fairness
  poisoning attacks of Mehrabi et al. (AAAI 2021), used in influence paper Section 5.2 /
  thesis Table 4.5.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import numpy as np

from .._validation import (
    check_array,
    check_choice,
    check_consistent_length,
    check_fraction,
    check_positive,
    check_random_state,
    check_sensitive_features,
)

__all__ = ["linear_evasion_attack", "AnchoringAttack"]


def linear_evasion_attack(X: Any, coef: Any, intercept: float = 0.0, *, gamma: float = 1.3) -> np.ndarray:
    """Move every row orthogonally across the hyperplane ``coef^T x + intercept = 0``.

    ``x' = x - gamma (coef^T x + b) / (coef^T coef) coef``. With ``gamma = 1`` the point lands
    on the boundary; ``gamma > 1`` pushes it past, to the other side, by ``gamma - 1`` times
    its original distance. Labels are unchanged, so accuracy on ``x'`` measures robustness.
    The default 1.3 is the upstream InfDataSel value.

    Parameters
    ----------
    X : array of shape (n, d)
    coef : array of shape (d,)
    intercept : float
    gamma : float > 0
    """
    X = check_array(X, "X")
    coef = check_array(coef, "coef", ndim=1)
    if coef.shape[0] != X.shape[1]:
        raise ValueError(f"coef has {coef.shape[0]} entries but X has {X.shape[1]} features.")
    gamma = check_positive(gamma, "gamma")
    norm2 = float(coef @ coef)
    if norm2 == 0.0:
        raise ValueError("coef is all zeros: the model has no decision boundary to attack; fit it first.")
    margin = X @ coef + float(intercept)
    return X - np.outer(gamma * margin / norm2, coef)


class AnchoringAttack:
    """Anchoring fairness poisoning (Mehrabi et al., 2021): RAA and NRAA.

    The attacker adds ``epsilon * n`` poisoned points. Each lies within distance ``tau`` of
    a target training point, in the target's group but with the *opposite* label: anchors
    with label 1 near negative points of the advantaged group and anchors with label 0 near
    positive points of the disadvantaged group drag the boundary so that the advantaged
    group gains positive predictions and the disadvantaged group loses them.

    ``method="random"`` (RAA) draws targets uniformly; ``method="non-random"`` (NRAA) picks
    "popular" targets, those with the most same-group same-label neighbours within ``tau``,
    so each anchor moves the predictions of as many points as possible.

    Parameters
    ----------
    epsilon : float in (0, 1]
        Poisoning budget as a fraction of the clean training set (paper: 0.1).
    tau : float
        Radius of the anchor neighbourhood; ``None`` uses 0.1 times the median distance
        of points to their group-and-label mean.
    method : {"random", "non-random"}
    advantaged : group id of the advantaged group; the other group is disadvantaged.
    n_targets : int
        Number of distinct targets per (group, label) side; anchors cycle over them.
    random_state : int, Generator or None
    """

    def __init__(
        self,
        epsilon: float = 0.1,
        *,
        tau: float | None = None,
        method: Literal["random", "non-random"] = "random",
        advantaged: Any = 1,
        n_targets: int = 10,
        random_state: Any = None,
    ) -> None:
        self.epsilon = epsilon
        self.tau = tau
        self.method = method
        self.advantaged = advantaged
        self.n_targets = n_targets
        self.random_state = random_state

    def attack(self, X: Any, y: Any, *, sensitive_features: Any):
        """Return an ``AttackResult`` whose ``X_adv`` is the clean data followed by the anchors.

        ``info`` holds ``y`` and ``sensitive`` of the poisoned set and the target indices;
        ``changed`` holds the row indices of the added anchors.
        """
        from ..attacks import AttackResult

        start = time.perf_counter()
        X = check_array(X, "X")
        y = np.asarray(y)
        check_consistent_length(X, y, names=["X", "y"])
        s = check_sensitive_features(sensitive_features, X.shape[0])
        check_fraction(self.epsilon, "epsilon", inclusive_low=False, inclusive_high=True)
        check_choice(self.method, ("random", "non-random"), "method")
        n_targets = int(check_positive(self.n_targets, "n_targets", integer=True))
        if self.advantaged not in set(s.tolist()):
            raise ValueError(f"advantaged={self.advantaged!r} is not a group in sensitive_features.")
        labels = np.unique(y)
        if labels.shape[0] != 2:
            raise ValueError(f"y must be binary; got {labels.shape[0]} classes.")
        low, high = labels
        rng = check_random_state(self.random_state)
        adv = s == self.advantaged
        # Side A: advantaged negatives get positive anchors; side D: disadvantaged positives
        # get negative anchors. Both widen the demographic-parity gap.
        sides = [(np.flatnonzero(adv & (y == low)), high), (np.flatnonzero(~adv & (y == high)), low)]
        sides = [(idx, label) for idx, label in sides if idx.shape[0] > 0]
        if not sides:
            raise ValueError("no advantaged negatives or disadvantaged positives to anchor on.")
        tau = self.tau
        if tau is None:
            spread = [np.linalg.norm(X[idx] - X[idx].mean(axis=0), axis=1) for idx, _ in sides]
            tau = 0.1 * float(np.median(np.concatenate(spread))) or 1e-3
        tau = check_positive(tau, "tau")
        n_poison = max(1, int(round(self.epsilon * X.shape[0])))
        rows, anchor_y, anchor_s, targets = [], [], [], []
        for k, (idx, label) in enumerate(sides):
            n_side = n_poison // len(sides) + (1 if k < n_poison % len(sides) else 0)
            chosen = self._targets(X, idx, tau, min(n_targets, idx.shape[0]), rng)
            picks = chosen[np.arange(n_side) % chosen.shape[0]]
            direction = rng.normal(size=(n_side, X.shape[1]))
            direction /= np.linalg.norm(direction, axis=1, keepdims=True)
            radius = tau * rng.uniform(size=(n_side, 1)) ** (1.0 / X.shape[1])
            rows.append(X[picks] + radius * direction)
            anchor_y.append(np.full(n_side, label, dtype=y.dtype))
            anchor_s.append(s[picks])
            targets.append(chosen)
        X_adv = np.vstack([X, *rows])
        return AttackResult(
            X_adv=X_adv,
            changed=np.arange(X.shape[0], X_adv.shape[0]),
            metrics_before={},
            metrics_after={},
            n_queries=0,
            seconds=time.perf_counter() - start,
            info={
                "y": np.concatenate([y, *anchor_y]),
                "sensitive": np.concatenate([s, *anchor_s]),
                "targets": np.concatenate(targets),
                "tau": tau,
                "method": self.method,
            },
        )

    def _targets(self, X: np.ndarray, idx: np.ndarray, tau: float, k: int, rng: np.random.Generator) -> np.ndarray:
        if self.method == "random":
            return rng.choice(idx, size=k, replace=False)
        # NRAA: popularity = neighbours within tau among the same group and label. Blocked
        # pairwise distances keep memory at O(block * m).
        Z = X[idx]
        sq = (Z * Z).sum(axis=1)
        counts = np.empty(idx.shape[0], dtype=np.int64)
        for start in range(0, Z.shape[0], 1024):
            block = Z[start : start + 1024]
            d2 = sq[start : start + 1024, None] + sq[None, :] - 2.0 * block @ Z.T
            counts[start : start + 1024] = (d2 <= tau * tau).sum(axis=1)
        order = np.lexsort((np.asarray(rng.uniform(size=idx.shape[0])), -counts))
        return idx[order[:k]]
