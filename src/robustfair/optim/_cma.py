"""CMA-ES (Hansen's ``cma`` package) on a Box, with IPOP restarts until the budget is spent."""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

import numpy as np

from .._validation import check_array, check_fraction, check_positive, seed_from
from ._result import Evaluator
from ._spaces import Box


def cma(
    evaluator: Evaluator,
    space: Box,
    rng: np.random.Generator,
    *,
    sigma0: float = 0.3,
    popsize: int | None = None,
    x0: Any = None,
    restarts: bool = True,
    popsize_factor: float = 2.0,
) -> str:
    """CMA-ES in the unit cube of the free coordinates, bounds handled by ``cma``.

    Options
    -------
    sigma0 : float, default=0.3
        Initial step size as a fraction of each coordinate's range (the search runs on the
        box rescaled to ``[0, 1]``, so one step size fits every coordinate).
    popsize : int, optional
        Population size; default ``cma``'s ``4 + floor(3 ln dim)``. Each population is
        evaluated as one batch (in parallel with ``n_jobs``).
    x0 : array-like of shape (dim,), optional
        Start point; default the centre of the box. Restarts start at uniform random points.
    restarts : bool, default=True
        When CMA-ES stops before the budget is spent (converged, or flat fitness on a
        plateau), restart with the population multiplied by ``popsize_factor`` (IPOP-CMA-ES,
        Auger & Hansen 2005).
    """
    from .._optional import require

    cma_package = require("cma", "minimize(method='cma')")

    sigma0 = check_fraction(sigma0, "sigma0", low=0.0, high=1.0, inclusive_low=False, inclusive_high=True)
    if popsize is not None:
        popsize = int(check_positive(popsize, "popsize", integer=True))
        if popsize < 2:
            raise ValueError(f"popsize must be at least 2; got {popsize}.")
    popsize_factor = check_positive(popsize_factor, "popsize_factor")
    k = int(space.free.sum())
    if x0 is None:
        start = np.full(k, 0.5)
    else:
        x0 = check_array(x0, "x0", ndim=1)
        if x0.shape[0] != space.dim:
            raise ValueError(f"x0 must have {space.dim} coordinates (the Box's dim); got {x0.shape[0]}.")
        start = np.clip(space._to_unit(x0), 0.0, 1.0)

    message = "budget exhausted"
    run = 0
    while evaluator.remaining > 0:
        opts = {
            "bounds": [0.0, 1.0],
            "seed": seed_from(rng) + 1,  # cma treats seed 0 as "seed from the clock"
            "verbose": -9,
            "verb_log": 0,
            "verb_disp": 0,
            "maxfevals": evaluator.remaining,
        }
        if popsize is not None:
            opts["popsize"] = int(round(popsize * popsize_factor**run))
        elif run > 0:
            opts["popsize"] = int(round((4 + int(3 * np.log(max(k, 1)))) * popsize_factor**run))
        with _quiet():
            es = cma_package.CMAEvolutionStrategy(start, sigma0, opts)
            while evaluator.remaining > 0 and not es.stop():
                U = np.asarray(es.ask())
                values = evaluator.evaluate_batch(space._from_unit(U))
                if values.shape[0] < U.shape[0]:
                    break  # budget ran out inside a population: nothing left to tell
                es.tell(list(U), values.tolist())
            stop = dict(es.stop())
        if evaluator.remaining <= 0:
            break
        if not restarts:
            message = f"CMA-ES stopped: {', '.join(stop) or 'unknown reason'}"
            break
        run += 1
        start = rng.random(k)
    return message


@contextlib.contextmanager
def _quiet():
    """Silence cma's prints and warnings; restore numpy's global generator, which cma reseeds."""
    numpy_state = np.random.get_state()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        np.random.set_state(numpy_state)
