"""Functions of a validation set whose change under training-point removal we estimate.

Every objective is *lower is better* (a loss, an unfairness, a loss under attack), so one
sign convention serves all of them: a negative influence means removing the training
point lowers the objective, i.e. removing it helps.

Parameters are one vector ``theta`` = ``[coef, intercept]`` (the intercept last, present
only when the model fits one). Influence paper, eq. 1-3 and Appendix A (thesis eq.
4.5-4.8).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._validation import check_array, check_consistent_length, check_group_labels, check_two_groups

__all__ = [
    "Objective",
    "UtilityObjective",
    "DemographicParityObjective",
    "EqualOpportunityObjective",
    "RobustnessObjective",
    "CallableObjective",
    "OBJECTIVE_NAMES",
]

OBJECTIVE_NAMES = ("utility", "dp", "eop", "robust")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Split by sign so exp never overflows.
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _log_loss(y: np.ndarray | float, z: np.ndarray) -> np.ndarray:
    """Per-sample logistic loss from the logit ``z``: log(1 + e^z) - y z, overflow-free."""
    return np.logaddexp(0.0, z) - y * z


def _split(theta: np.ndarray, d: int) -> tuple[np.ndarray, float]:
    return theta[:d], (float(theta[d]) if theta.shape[0] > d else 0.0)


def _augment_rows(V: np.ndarray, weights: np.ndarray, with_intercept: bool) -> np.ndarray:
    """``sum_i weights_i [v_i, 1]``: a gradient summed over rows, intercept entry last."""
    grad = weights @ V
    if with_intercept:
        grad = np.append(grad, weights.sum())
    return grad


def _two_groups(sensitive_features: Any, n: int, name: str) -> np.ndarray:
    """0/1 group indicator (1 = the larger group id) of a binary protected attribute."""
    if sensitive_features is None:
        raise ValueError(
            f"{name}: sensitive_features is required for the fairness objectives; pass the "
            "validation set's protected attribute, one group id per row."
        )
    s = check_group_labels(sensitive_features, "sensitive_features")
    if s.shape[0] != n:
        raise ValueError(f"sensitive_features has {s.shape[0]} entries but X_val has {n} rows; they must match.")
    values = np.unique(s)
    check_two_groups(
        values,
        f"the {name} objective",
        "sensitive_features of the validation set",
        hint=" Use a validation set that contains both groups, or binarize the attribute.",
    )
    return (s == values[1]).astype(np.float64)


class Objective:
    """A differentiable function ``f(theta)`` of a validation set (lower is better).

    Subclasses implement :meth:`value` and :meth:`gradient`; ``name`` labels the result.
    """

    name: str = "objective"

    def value(self, theta: np.ndarray) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def gradient(self, theta: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class UtilityObjective(Objective):
    """Summed logistic loss on the validation set (eq. 1 / thesis eq. 4.5)."""

    name = "utility"

    def __init__(self, X_val: np.ndarray, y_val: np.ndarray) -> None:
        self.X = check_array(X_val, "X_val")
        self.y = np.asarray(y_val, dtype=np.float64)
        check_consistent_length(self.X, self.y, names=["X_val", "y_val"])

    def value(self, theta: np.ndarray) -> float:
        coef, b = _split(theta, self.X.shape[1])
        return float(_log_loss(self.y, self.X @ coef + b).sum())

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        coef, b = _split(theta, self.X.shape[1])
        r = _sigmoid(self.X @ coef + b) - self.y
        return _augment_rows(self.X, r, theta.shape[0] > self.X.shape[1])


class RobustnessObjective(UtilityObjective):
    """Summed logistic loss on an adversarial validation set ``V'`` (eq. 3 / thesis eq. 4.8).

    ``V'`` is crafted once, from the fitted model, by :func:`linear_evasion_attack`
    (``x' = x - gamma (theta^T x + b) / (theta^T theta) theta``) and then held fixed: the
    objective is the loss on those points, the labels unchanged.
    """

    name = "robust"


class DemographicParityObjective(Objective):
    """Soft demographic parity ``|E[p | g=1] - E[p | g=0]|`` of predicted probabilities (eq. 2).

    ``p = sigmoid(theta^T x + b)``; 0 means both groups receive the same mean score. The
    gradient is ``sign(gap) (mean_{g=1} p(1-p)[x,1] - mean_{g=0} p(1-p)[x,1])``.
    """

    name = "dp"

    def __init__(self, X_val: np.ndarray, sensitive_features: Any) -> None:
        self.X = check_array(X_val, "X_val")
        self.g = _two_groups(sensitive_features, self.X.shape[0], "dp")
        counts = np.array([(self.g == 0).sum(), (self.g == 1).sum()], dtype=np.float64)
        self.weights = np.where(self.g == 1, 1.0 / counts[1], -1.0 / counts[0])

    def _gap(self, p: np.ndarray) -> float:
        return float(self.weights @ p)

    def value(self, theta: np.ndarray) -> float:
        coef, b = _split(theta, self.X.shape[1])
        return abs(self._gap(_sigmoid(self.X @ coef + b)))

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        coef, b = _split(theta, self.X.shape[1])
        p = _sigmoid(self.X @ coef + b)
        sign = np.sign(self._gap(p))
        return sign * _augment_rows(self.X, self.weights * p * (1.0 - p), theta.shape[0] > self.X.shape[1])


class EqualOpportunityObjective(Objective):
    """Equal-opportunity loss gap on positives (Appendix A / thesis eq. 4.7).

    ``|E[l(x, y) | y=1, g=1] - E[l(x, y) | y=1, g=0]|`` with ``l`` the logistic loss; 0
    means the positive class is fitted equally well in both groups.
    """

    name = "eop"

    def __init__(self, X_val: np.ndarray, y_val: np.ndarray, sensitive_features: Any) -> None:
        X = check_array(X_val, "X_val")
        y = np.asarray(y_val, dtype=np.float64)
        check_consistent_length(X, y, names=["X_val", "y_val"])
        g = _two_groups(sensitive_features, X.shape[0], "eop")
        positive = y == 1
        self.X, g = X[positive], g[positive]
        counts = np.array([(g == 0).sum(), (g == 1).sum()], dtype=np.float64)
        if (counts == 0).any():
            raise ValueError(
                "eop: equal opportunity needs positive (y=1) validation rows in both groups; "
                f"got {int(counts[0])} and {int(counts[1])}. Use a larger or stratified validation set."
            )
        self.weights = np.where(g == 1, 1.0 / counts[1], -1.0 / counts[0])

    def value(self, theta: np.ndarray) -> float:
        coef, b = _split(theta, self.X.shape[1])
        return abs(float(self.weights @ _log_loss(1.0, self.X @ coef + b)))

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        coef, b = _split(theta, self.X.shape[1])
        z = self.X @ coef + b
        sign = np.sign(self.weights @ _log_loss(1.0, z))
        return sign * _augment_rows(self.X, self.weights * (_sigmoid(z) - 1.0), theta.shape[0] > self.X.shape[1])


class CallableObjective(Objective):
    """A user function given by its gradient: ``gradient(theta) -> array of len(theta)``.

    Optionally ``value(theta) -> float`` (needed only for leave-one-out checks).
    """

    def __init__(
        self,
        gradient: Callable[[np.ndarray], Any],
        name: str = "custom",
        value: Callable[[np.ndarray], float] | None = None,
    ) -> None:
        self._gradient = gradient
        self._value = value
        self.name = name

    def value(self, theta: np.ndarray) -> float:
        if self._value is None:
            raise ValueError(f"objective {self.name!r} was given without a value function; pass value=.")
        return float(self._value(theta))

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        grad = np.asarray(self._gradient(theta), dtype=np.float64).ravel()
        if grad.shape != theta.shape:
            raise ValueError(
                f"objective {self.name!r}: the gradient has shape {grad.shape}; expected {theta.shape} "
                "(one entry per coefficient, then the intercept when the model fits one)."
            )
        if not np.isfinite(grad).all():
            raise ValueError(f"objective {self.name!r}: the gradient contains NaN or infinity.")
        return grad


def build_objectives(
    objectives: str | Objective | Callable | Sequence[str | Objective | Callable],
    *,
    theta: np.ndarray,
    X_val: Any,
    y_val: Any,
    sensitive_features: Any,
    gamma: float,
) -> list[Objective]:
    """Turn names (``utility``, ``dp``, ``eop``, ``robust``), objects and callables into objectives."""
    from ._attacks import linear_evasion_attack

    if isinstance(objectives, (str, Objective)) or callable(objectives):
        objectives = [objectives]
    built: list[Objective] = []
    for k, item in enumerate(objectives):
        if isinstance(item, Objective):
            built.append(item)
            continue
        if callable(item):
            built.append(CallableObjective(item, name=getattr(item, "__name__", f"custom_{k}")))
            continue
        if item not in OBJECTIVE_NAMES:
            raise ValueError(
                f"Unknown objective {item!r}; choose one of: {', '.join(OBJECTIVE_NAMES)}, an Objective, "
                "or a callable theta -> gradient."
            )
        if X_val is None or (item != "dp" and y_val is None):
            raise ValueError(f"objective {item!r} needs the validation set: pass X_val and y_val.")
        if item == "utility":
            built.append(UtilityObjective(X_val, y_val))
        elif item == "dp":
            built.append(DemographicParityObjective(X_val, sensitive_features))
        elif item == "eop":
            built.append(EqualOpportunityObjective(X_val, y_val, sensitive_features))
        else:
            X_val_arr = check_array(X_val, "X_val")
            d = X_val_arr.shape[1]
            coef, b = _split(theta, d)
            built.append(RobustnessObjective(linear_evasion_attack(X_val_arr, coef, b, gamma=gamma), y_val))
    names = [o.name for o in built]
    if len(set(names)) != len(names):
        raise ValueError(f"objective names must be distinct; got {names}.")
    return built
