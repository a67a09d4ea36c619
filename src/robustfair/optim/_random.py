"""Uniform random search: the baseline every other method should beat."""

from __future__ import annotations

import numpy as np

from .._validation import check_positive
from ._result import Evaluator
from ._spaces import Box, Categorical


def random_search(
    evaluator: Evaluator, space: Box | Categorical, rng: np.random.Generator, *, batch_size: int | None = None
) -> str:
    """Evaluate ``budget`` points drawn uniformly from ``space``.

    Options
    -------
    batch_size : int, optional
        Points drawn and evaluated per batch (default: the whole budget at once, which is
        what lets ``n_jobs`` spread the work).
    """
    size = evaluator.budget if batch_size is None else int(check_positive(batch_size, "batch_size", integer=True))
    while evaluator.remaining > 0:
        n = min(size, evaluator.remaining)
        X = space._sample_codes(rng, n) if isinstance(space, Categorical) else space.sample(rng, n)
        evaluator.evaluate_batch(X)
    return "budget exhausted"
