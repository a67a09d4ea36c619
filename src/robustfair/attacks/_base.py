"""What every attack shares: the query-counting target wrapper and ``AttackResult``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["AttackResult", "QueryCounter", "as_target"]


@dataclass(frozen=True)
class AttackResult:
    """The outcome of ``SomeAttack(...).attack(...)``.

    Attributes
    ----------
    X_adv : ndarray
        The adversarial input (poisoned data, perturbed images, ...).
    changed : ndarray
        What the attacker changed: indices of modified samples, flipped labels, ...
    metrics_before, metrics_after : dict of str to float
        Victim metrics without and with the attack.
    n_queries : int
        Number of victim queries the attack spent.
    seconds : float
        Wall time of the attack.
    history : ndarray
        The optimizer's objective value per query (empty when not applicable).
    info : dict
        Attack-specific extras (target index, perturbation, depth, ...).
    """

    X_adv: np.ndarray
    changed: np.ndarray
    metrics_before: Mapping[str, float]
    metrics_after: Mapping[str, float]
    n_queries: int
    seconds: float
    history: np.ndarray = field(default_factory=lambda: np.empty(0))
    info: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> Any:
        """The victim's metrics as a pandas DataFrame: one row per metric, ``before``, ``after``
        and ``change`` (after - before) columns."""
        import pandas as pd

        names = list(dict.fromkeys([*self.metrics_before, *self.metrics_after]))
        before = [float(self.metrics_before.get(m, np.nan)) for m in names]
        after = [float(self.metrics_after.get(m, np.nan)) for m in names]
        frame = pd.DataFrame({"before": before, "after": after}, index=pd.Index(names, name="metric"))
        frame["change"] = frame["after"] - frame["before"]
        return frame


class QueryCounter:
    """Wrap a black-box victim so every query is counted.

    ``target`` is an object with ``fit_predict(X)``, or with ``fit(X, sensitive_features=...)``
    and ``labels_`` (fair clusterers), or a callable returning labels. Calling the wrapper
    runs one query and returns the labels as a 1-D array.
    """

    def __init__(self, target: Any, name: str = "target") -> None:
        if isinstance(target, QueryCounter):
            target = target.target  # unwrap: count on one wrapper only
        if not (callable(target) or hasattr(target, "fit_predict") or hasattr(target, "fit")):
            raise ValueError(
                f"{name} must have fit_predict(X), fit(X, sensitive_features=...) with labels_, "
                f"or be a callable returning labels; got {type(target).__name__}."
            )
        self.target: Any = target
        self.name = name
        self.n_queries = 0

    def __call__(self, X: np.ndarray, **fit_params: Any) -> np.ndarray:
        """Run one query: fit the victim on ``X`` and return its labels.

        A ``ValueError`` or ``TypeError`` from the victim is its input validation refusing
        the query (bad input, e.g. too small a group for SFD) and reaches the caller as it
        is, which attacks may score as a rejected query. Any other exception is a failure
        of the victim, not of the input, and propagates unchanged.
        """
        self.n_queries += 1
        target = self.target
        if hasattr(target, "fit_predict") and not fit_params:
            labels = target.fit_predict(X)
        elif hasattr(target, "fit"):
            target.fit(X, **fit_params)
            if not hasattr(target, "labels_"):
                raise ValueError(f"{self.name} has no labels_ after fit; it cannot be queried for labels.")
            labels = target.labels_
        else:
            labels = target(X, **fit_params)
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.shape[0] != np.shape(X)[0]:
            raise ValueError(f"{self.name} returned labels of shape {labels.shape} for {np.shape(X)[0]} samples.")
        return labels


def as_target(target: Any, name: str = "target") -> QueryCounter:
    """Wrap ``target`` in a fresh :class:`QueryCounter`."""
    return QueryCounter(target, name)
