"""``bench-fair-assignment``: exact fair assignment by min-cost flow vs one HiGHS LP.

Deep Fair Discriminative Clustering (Zhang & Davidson) solves its fair assignment
(eqs. 6-9) with an LP solver once per training epoch, on MNIST-USPS (n = 67,291, K = 10,
binary PSV, sec. 5.1). This experiment draws soft assignments of that size (softmax of
seeded Gaussian logits) and a seeded 60/40 protected attribute, solves the same problem
with :func:`~robustfair.cluster.dfdc_assignment.solve_dfdc_assignment` (min-cost flow) and
with one ``scipy.optimize.linprog(method="highs")`` call, and records both times, the
speed-up, the relative objective gap (both objectives computed in float on the returned
labels) and whether the flow solution meets every constraint.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from ._registry import ExperimentConfig, Record, register


class BenchFairAssignmentConfig(ExperimentConfig):
    n: int = Field(default=67_291, ge=4, description="points (MNIST-USPS size by default)")
    k: int = Field(default=10, ge=2, description="clusters")
    minority: float = Field(default=0.4, gt=0.0, lt=1.0, description="share of the second group")
    eps: float = Field(default=0.0, ge=0.0, le=1.0, description="flexible constraint (Table 4)")
    temperature: float = Field(default=1.0, gt=0.0, description="softmax temperature of the random logits")


def make_soft_assignments(n: int, k: int, minority: float, temperature: float, seed: int):
    """Seeded soft assignments (softmax of standard normal logits / temperature) and groups."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, k)) / temperature
    Y = np.exp(logits - logits.max(axis=1, keepdims=True))
    Y /= Y.sum(axis=1, keepdims=True)
    groups = (rng.random(n) < minority).astype(np.int64)
    return Y, groups


@register(
    "bench-fair-assignment",
    config=BenchFairAssignmentConfig,
    description="fair assignment (DFDC eqs. 6-9): min-cost flow vs one HiGHS linprog, time and objective gap",
    cites="Zhang & Davidson, Deep Fair Discriminative Clustering, sec. 4.2 (ILP solved by LP) and sec. 5.1",
)
def bench_fair_assignment(config: BenchFairAssignmentConfig, seed: int) -> list[Record]:
    from ..cluster.dfdc_assignment import dfdc_assignment_lp, solve_dfdc_assignment

    Y, groups = make_soft_assignments(config.n, config.k, config.minority, config.temperature, seed)
    flow = solve_dfdc_assignment(Y, groups, eps=config.eps, method="flow")
    lp = dfdc_assignment_lp(Y, groups, eps=config.eps)
    gap = (flow.objective - lp.objective) / max(abs(lp.objective), 1e-300)
    metrics = {
        "seconds": flow.seconds,
        "seconds_linprog": lp.seconds,
        "speedup": lp.seconds / max(flow.seconds, 1e-12),
        "objective_gap": gap,
        "feasible": 1.0 if flow.feasible else 0.0,
    }
    dataset = f"synthetic-softmax-n{config.n}"
    keys = {"k": config.k, "n": config.n, "eps": config.eps}
    return [Record(dataset, "min-cost-flow", name, float(value), keys) for name, value in metrics.items()]
