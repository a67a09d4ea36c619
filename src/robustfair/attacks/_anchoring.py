"""Anchoring fairness poisoning (Mehrabi et al., AAAI 2021): RAA and NRAA.

The attack of influence paper Section 5.2 / thesis Table 4.5, which influence-based
trimming defends against (``robustfair.influence``). It lived in ``robustfair.influence``
until this release; the name there is a deprecated alias.
"""

from __future__ import annotations

import time
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np

from .._validation import Interval, StrOptions, check_positive, check_random_state
from ._base import AttackResult, PoisoningAttack

__all__ = ["AnchoringAttack"]


class AnchoringAttack(PoisoningAttack):
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

    ``attack(X, *, y, sensitive_features)`` needs both: the clean training set's binary
    labels and protected attribute. ``attack(X, y, sensitive_features=s)`` with ``y``
    positional still works for one release, with a ``DeprecationWarning``.
    """

    uses_y = "required"
    uses_sensitive_features = "required"
    _legacy_positional = ("y",)

    _parameter_constraints: ClassVar[dict] = {
        "epsilon": [Interval(Real, 0, 1, closed="right")],
        "tau": [Interval(Real, 0, None, closed="neither"), None],  # None: from the data's spread
        "method": [StrOptions({"random", "non-random"})],
        "advantaged": "no_validation",  # a group of sensitive_features: checked against it
        "n_targets": [Interval(Integral, 1, None, closed="left")],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

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

    def _attack(self, X: np.ndarray, *, y: np.ndarray | None, sensitive_features: np.ndarray | None) -> AttackResult:
        """Return an ``AttackResult`` whose ``X_adv`` is the clean data followed by the anchors.

        ``y_adv`` and ``sensitive_features_adv`` are the labels and groups of the poisoned
        set (also in ``info`` as ``y`` and ``sensitive``, the previous release's keys);
        ``info["targets"]`` the target indices; ``changed`` the row indices of the anchors.
        """
        start = time.perf_counter()
        assert y is not None and sensitive_features is not None  # both "required"
        s = sensitive_features
        n_targets = int(self.n_targets)  # the parameters were checked by attack()
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
        y_adv, s_adv = np.concatenate([y, *anchor_y]), np.concatenate([s, *anchor_s])
        return AttackResult(
            X_adv=X_adv,
            changed=np.arange(X.shape[0], X_adv.shape[0]),
            metrics_before={},
            metrics_after={},
            n_queries=0,
            seconds=time.perf_counter() - start,
            y_adv=y_adv,
            sensitive_features_adv=s_adv,
            info={
                "y": y_adv,
                "sensitive": s_adv,
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
