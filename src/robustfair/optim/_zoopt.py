"""RACOS and Sequential Random Embedding, both from zoopt (Liu et al. 2017, "ZOOpt").

zoopt prints to stdout and seeds Python's ``random`` and numpy's global generator. Each run
here silences stdout, seeds zoopt from the caller's ``random_state``, and restores both
global generators afterwards, so the caller's global random state is untouched.
"""

from __future__ import annotations

import contextlib
import io
import random as _random
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import check_fraction, check_positive, seed_from
from ._result import Evaluator
from ._spaces import Box, Categorical


def _zoopt() -> Any:
    from .._optional import require

    return require("zoopt", "minimize(method='racos' or 'sre')")


def racos(
    evaluator: Evaluator,
    space: Box | Categorical,
    rng: np.random.Generator,
    *,
    sequential: bool = True,
    exploration_rate: float = 0.01,
) -> str:
    """RACOS (Yu, Qian & Hu 2016): classification-based search over boxes and categories.

    Options
    -------
    sequential : bool, default=True
        ``True`` runs sequential RACOS (SRacos, zoopt's default), ``False`` batch RACOS.
    exploration_rate : float, default=0.01
        Probability of a uniform sample instead of one from the learned region.

    A Box is searched on its free coordinates rescaled to ``[0, 1]``; a Categorical on the
    integer codes ``0..len(choices[j])-1``.
    """
    Dimension = _zoopt().Dimension

    exploration_rate = check_fraction(exploration_rate, "exploration_rate", inclusive_high=True)
    if isinstance(space, Categorical):
        sizes = space.sizes
        dimension = Dimension(space.dim, [[0, int(s) - 1] for s in sizes], [False] * space.dim)

        def to_point(z: np.ndarray) -> np.ndarray:
            return np.clip(np.rint(z).astype(np.int64), 0, sizes - 1)

    else:
        k = int(space.free.sum())
        dimension = Dimension(k, [[0.0, 1.0]] * k, [True] * k)

        def to_point(z: np.ndarray) -> np.ndarray:
            return space._from_unit(z)

    parameter_options = {"sequential": bool(sequential), "exploration_rate": exploration_rate}
    return _run(evaluator, dimension, to_point, rng, parameter_options)


def sre(
    evaluator: Evaluator,
    space: Box,
    rng: np.random.Generator,
    *,
    low_dimension: int | None = None,
    num_sre: int = 5,
    withdraw_alpha: tuple[float, float] = (-1.0, 1.0),
    variance_A: float | None = None,
    sequential: bool = True,
    exploration_rate: float = 0.01,
) -> str:
    """Sequential Random Embedding (Qian, Hu & Yu 2016) with RACOS in the low-dimensional space.

    Each of ``num_sre`` rounds draws a Gaussian matrix ``A`` (dim x low_dimension) and
    searches ``x = alpha * x_prev + A y`` over ``alpha`` in ``withdraw_alpha`` and ``y`` in
    ``[-1, 1]^low_dimension``, with ``budget // num_sre`` queries per round. The Box is
    rescaled to ``[-1, 1]`` per free coordinate and points outside it are clipped onto it.

    Options (zoopt's names; the antidote-data paper's symbols in brackets)
    -------
    low_dimension : int, optional
        Dimension of the embedding [n']; default ``min(10, dim)``. The antidote paper uses 100.
    num_sre : int, default=5
        Number of sequential embeddings.
    withdraw_alpha : (float, float), default=(-1, 1)
        Range of the weight ``alpha`` on the previous round's best point.
    variance_A : float, optional
        Variance of the entries of ``A``; default ``1 / low_dimension``.
    sequential, exploration_rate
        As for ``racos``.
    """
    Dimension = _zoopt().Dimension

    k = int(space.free.sum())
    low = min(10, k) if low_dimension is None else int(check_positive(low_dimension, "low_dimension", integer=True))
    num_sre = int(check_positive(num_sre, "num_sre", integer=True))
    try:
        a_lo, a_hi = (float(v) for v in withdraw_alpha)
    except (TypeError, ValueError):
        raise ValueError(f"withdraw_alpha must be a pair (low, high); got {withdraw_alpha!r}.") from None
    if not (np.isfinite([a_lo, a_hi]).all() and a_lo < a_hi):
        raise ValueError(f"withdraw_alpha must be a finite pair with low < high; got {withdraw_alpha!r}.")
    variance = 1.0 / low if variance_A is None else check_positive(variance_A, "variance_A")
    exploration_rate = check_fraction(exploration_rate, "exploration_rate", inclusive_high=True)
    dimension = Dimension(k, [[-1.0, 1.0]] * k, [True] * k)

    def to_point(z: np.ndarray) -> np.ndarray:
        return space._from_unit((np.clip(z, -1.0, 1.0) + 1.0) / 2.0)

    parameter_options = {
        "sequential": bool(sequential),
        "exploration_rate": exploration_rate,
        "high_dim_handling": True,
        "reducedim": True,
        "num_sre": num_sre,
        "low_dimension": Dimension(low, [[-1.0, 1.0]] * low, [True] * low),
        "withdraw_alpha": Dimension(1, [[a_lo, a_hi]], [True]),
        "variance_A": variance,
    }
    return _run(evaluator, dimension, to_point, rng, parameter_options)


def _run(
    evaluator: Evaluator,
    dimension: Any,
    to_point: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    parameter_options: dict[str, Any],
) -> str:
    zoopt = _zoopt()
    Objective, Opt, Parameter = zoopt.Objective, zoopt.Opt, zoopt.Parameter

    # A closure, not a bound method: zoopt deep-copies the Objective for SRE, and a copied
    # bound method would count queries on a copy of the evaluator.
    def objective_function(solution: Any) -> float:
        return evaluator.evaluate(to_point(np.asarray(solution.get_x(), dtype=float)))

    # zoopt exits the interpreter for a budget below 3 (Parameter.auto_set): ask for at least 4
    # and let the evaluator stop it at the real budget. zoopt ignores seed 0 ("if seed:").
    parameter = Parameter(budget=max(evaluator.remaining, 4), seed=seed_from(rng) + 1, **parameter_options)
    objective = Objective(objective_function, dimension)
    python_state, numpy_state = _random.getstate(), np.random.get_state()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            Opt.min(objective, parameter)
    finally:
        _random.setstate(python_state)
        np.random.set_state(numpy_state)
    if evaluator.remaining > 0:
        return "zoopt stopped before the budget was spent (no new distinct point to sample)"
    return "budget exhausted"
