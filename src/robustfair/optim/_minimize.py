"""``minimize``: one entry point for every zeroth-order method."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from .._validation import check_choice, check_positive, check_random_state
from ._result import BudgetExhausted, Evaluator, OptimizeResult
from ._spaces import Box, Categorical

__all__ = ["minimize", "METHODS"]

Method = Literal["racos", "sre", "rbf", "cma", "random"]

# method -> (module, function name, space types it accepts)
METHODS: dict[str, tuple[str, str, tuple[type, ...]]] = {
    "racos": ("._zoopt", "racos", (Box, Categorical)),
    "sre": ("._zoopt", "sre", (Box,)),
    "rbf": ("._rbf", "rbf", (Box,)),
    "cma": ("._cma", "cma", (Box,)),
    "random": ("._random", "random_search", (Box, Categorical)),
}


def minimize(
    fun: Callable[[np.ndarray], float],
    space: Box | Categorical,
    method: Method | str = "racos",
    budget: int = 100,
    random_state: int | np.random.Generator | None = None,
    n_jobs: int | None = 1,
    **method_options: Any,
) -> OptimizeResult:
    """Minimize a black-box function over a ``Box`` or ``Categorical`` space.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float`` with ``x`` a 1-D array (the values, for a ``Categorical``).
        It must return a finite number; NaN or infinity raises ``ValueError`` naming the
        method and the query index. Exceptions raised by ``fun`` propagate unchanged.
    space : Box or Categorical
        Where to search.
    method : {"racos", "sre", "rbf", "cma", "random"}, default="racos"
        ``"racos"``: RACOS (SRacos) from zoopt, Box or Categorical.
        ``"sre"``: Sequential Random Embedding around RACOS, for high-dimensional boxes.
        ``"rbf"``: cubic radial basis function surrogate with a Latin hypercube start
        (the CORS variant of the thesis, section 2.2.4). Box only.
        ``"cma"``: CMA-ES from the ``cma`` package, with bounds and restarts. Box only.
        ``"random"``: uniform random search. Box or Categorical.
    budget : int, default=100
        Maximum number of calls to ``fun``; every method respects it exactly.
    random_state : int, Generator or None
        Same value, same result (x, fun and history) for every method.
    n_jobs : int or None, default=1
        Workers for joblib where a method evaluates a batch of points (random search,
        the RBF initial design, CMA-ES populations). ``1`` never starts processes.
    **method_options
        Options of the chosen method; see :doc:`/optim` (docs/optim.md). An option the
        method does not know raises ``ValueError``.

    Returns
    -------
    OptimizeResult
        ``x``, ``fun``, ``n_queries``, ``history``, ``x_history``, ``method``, ``message``.

    Examples
    --------
    >>> import numpy as np
    >>> res = minimize(lambda x: float(np.sum((x - 0.3) ** 2)), Box(-1, 1, dim=2),
    ...                method="random", budget=50, random_state=0)
    >>> res.n_queries
    50
    """
    if not callable(fun):
        raise ValueError(f"fun must be callable; got {type(fun).__name__}.")
    if not isinstance(space, (Box, Categorical)):
        raise ValueError(f"space must be a Box or a Categorical; got {type(space).__name__}.")
    method = check_choice(method, METHODS, "method")
    module_name, function_name, accepted = METHODS[method]
    if not isinstance(space, accepted):
        ok = " or ".join(t.__name__ for t in accepted)
        allowed = [m for m, spec in METHODS.items() if isinstance(space, spec[2])]
        raise ValueError(
            f"method {method!r} works on a {ok} space, not a {type(space).__name__}; "
            f"for a {type(space).__name__} choose one of: {', '.join(allowed)}."
        )
    budget = int(check_positive(budget, "budget", integer=True))
    if n_jobs is not None and (not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0):
        raise ValueError(f"n_jobs must be None or a non-zero int (-1 for all cores); got {n_jobs!r}.")
    rng = check_random_state(random_state)

    decode = space.decode if isinstance(space, Categorical) else None
    evaluator = Evaluator(fun, budget, method, n_jobs=n_jobs, decode=decode)

    if isinstance(space, Box) and not space.free.any():
        # every coordinate is fixed: there is one point to query
        evaluator.evaluate(space.lower.copy())
        return evaluator.result("every coordinate of the Box is fixed; evaluated the single point")

    import importlib
    import inspect

    module = importlib.import_module(module_name, __package__)
    run = getattr(module, function_name)
    known = [name for name, prm in inspect.signature(run).parameters.items() if prm.kind is prm.KEYWORD_ONLY]
    unknown = sorted(set(method_options) - set(known))
    if unknown:
        raise ValueError(
            f"Unknown option(s) {', '.join(map(repr, unknown))} for method {method!r}; "
            f"its options are: {', '.join(known) or 'none'}."
        )
    try:
        message = run(evaluator, space, rng, **method_options)
    except BudgetExhausted:
        message = "budget exhausted"
    return evaluator.result(message)
