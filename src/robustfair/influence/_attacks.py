"""The adversary of the robustness objective: :func:`linear_evasion_attack` moves each point
across a linear decision boundary (influence paper, Section 2; thesis eq. 4.8, after Megyeri
et al. 2019). :class:`RobustnessObjective` builds its perturbed validation set with it.

The anchoring poisoning attack (RAA / NRAA) that used to live here is
:class:`robustfair.attacks.AnchoringAttack`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import (
    check_array,
    check_positive,
)

__all__ = ["linear_evasion_attack"]


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
