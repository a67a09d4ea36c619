"""The record every zeroth-order method returns, and the query counter that fills it."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["OptimizeResult"]


@dataclass(frozen=True)
class OptimizeResult:
    """Outcome of :func:`robustfair.optim.minimize`.

    Attributes
    ----------
    x : ndarray of shape (dim,)
        Best point queried: floats for a ``Box``, the chosen values for a ``Categorical``.
    fun : float
        ``fun(x)``, the lowest value seen.
    n_queries : int
        Number of calls made to ``fun`` (never more than the budget).
    history : ndarray of shape (n_queries,)
        ``fun`` values in query order; ``np.minimum.accumulate(history)`` is the
        best-so-far curve.
    x_history : ndarray of shape (n_queries, dim)
        The queried points in the same order (values for a ``Categorical``).
    method : str
        The method that ran.
    message : str
        Why the search stopped.
    """

    x: np.ndarray
    fun: float
    n_queries: int
    history: np.ndarray
    x_history: np.ndarray
    method: str
    message: str = ""
    best_index: int = field(default=0)

    def __repr__(self) -> str:
        return (
            f"OptimizeResult(method={self.method!r}, fun={self.fun:.6g}, n_queries={self.n_queries}, "
            f"x={np.array2string(np.asarray(self.x), threshold=8)}, message={self.message!r})"
        )


class BudgetExhausted(Exception):
    """Raised inside a wrapped objective when an optimizer asks for more than the budget."""


class Evaluator:
    """Count, check and record every call to the user's ``fun``.

    Optimizers call :meth:`evaluate` (one point) or :meth:`evaluate_batch` (rows, run in
    parallel with joblib when ``n_jobs != 1``). Both take points in the optimizer's own
    representation (floats for a Box, integer codes for a Categorical); ``decode`` turns
    them into what ``fun`` receives. The budget is enforced here, so no method can exceed
    it: a batch is cut to what is left, and a single call past the budget raises
    :class:`BudgetExhausted`.
    """

    def __init__(
        self,
        fun: Callable[[np.ndarray], Any],
        budget: int,
        method: str,
        n_jobs: int | None = 1,
        decode: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.fun = fun
        self.budget = budget
        self.method = method
        self.n_jobs = n_jobs
        self.decode = decode if decode is not None else (lambda X: X)
        self.points: list[np.ndarray] = []
        self.values: list[float] = []
        self.best_value = np.inf
        self.best_index = -1

    @property
    def n_queries(self) -> int:
        return len(self.values)

    @property
    def remaining(self) -> int:
        return self.budget - len(self.values)

    @property
    def best_point(self) -> np.ndarray:
        return self.points[self.best_index]

    def evaluate(self, x: np.ndarray) -> float:
        if self.remaining <= 0:
            raise BudgetExhausted
        x = np.asarray(x)
        value = self._check(self.fun(self.decode(x)), len(self.values))
        self._record(x, value)
        return value

    def evaluate_batch(self, X: np.ndarray) -> np.ndarray:
        """Evaluate the first ``min(len(X), remaining)`` rows; return their values."""
        X = np.asarray(X)[: max(self.remaining, 0)]
        if X.shape[0] == 0:
            return np.empty(0)
        decoded = self.decode(X)
        if self.n_jobs == 1 or X.shape[0] == 1:
            raw = [self.fun(row) for row in decoded]
        else:
            from joblib import Parallel, delayed

            raw = Parallel(n_jobs=self.n_jobs)(delayed(self.fun)(row) for row in decoded)
        start = len(self.values)
        values = np.array([self._check(v, start + i) for i, v in enumerate(raw)])
        for x, v in zip(X, values):
            self._record(x, float(v))
        return values

    def _check(self, value: Any, index: int) -> float:
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(())[()]
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise ValueError(
                f"fun must return a real number; query {index} of method {self.method!r} "
                f"returned {type(value).__name__} {value!r}."
            )
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(
                f"fun returned {value} at query {index} of method {self.method!r}; it must "
                "return a finite number (return a large finite penalty for infeasible points)."
            )
        return value

    def _record(self, x: np.ndarray, value: float) -> None:
        self.points.append(np.array(x, copy=True))
        self.values.append(value)
        if value < self.best_value:
            self.best_value = value
            self.best_index = len(self.values) - 1

    def result(self, message: str) -> OptimizeResult:
        if not self.values:  # every method makes at least one query; guard anyway
            raise RuntimeError(f"method {self.method!r} made no queries.")
        X = self.decode(np.stack(self.points))
        history = np.asarray(self.values, dtype=float)
        x = X[self.best_index].copy()
        x_history = X
        x_history.flags.writeable = False
        history.flags.writeable = False
        return OptimizeResult(
            x=x,
            fun=float(history[self.best_index]),
            n_queries=len(self.values),
            history=history,
            x_history=x_history,
            method=self.method,
            message=message,
            best_index=int(self.best_index),
        )
