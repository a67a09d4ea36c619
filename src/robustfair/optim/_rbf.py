"""Cubic RBF response-surface search: the optimizer of the spill-over attack.

Thesis "Towards robust and fair machine learning", section 2.2.4: "a cubic radial basis
function (RBF) based surface response methodology [...] a modified iterative version of the
CORS algorithm [Regis & Shoemaker 2005], and [...] the Latin hypercube approach for the
initial uniform sampling of search points". That is the scheme of Knysh & Korkolis's
``blackbox`` (2016), which we follow:

1. Rescale the free coordinates to the unit cube; evaluate a Latin hypercube of
   ``n_initial`` points (one batch, parallel with ``n_jobs``).
2. For each of the remaining ``m`` queries ``t = 0..m-1``: fit the cubic RBF
   ``s(x) = sum_i w_i ||x - x_i||^3 + c^T x + c_0`` to every point so far, then query
   the minimizer of ``s`` subject to staying at least ``r_t`` from every evaluated point
   (CORS), with the radius shrinking from exploration to pure exploitation:
   ``r_t = (rho0 * ((m - 1 - t) / (m - 1))^p / (v_d * (n_initial + t)))^(1/d)``,
   ``v_d`` the volume of the unit d-ball, so ``r_t`` is about the radius of a ball with
   ``rho0 / (n_initial + t)`` of the cube's volume and ``r_{m-1} = 0``.

The constrained minimization of ``s`` is done by scoring random candidates (uniform in
the cube, and Gaussian perturbations of the best point at several scales), keeping the
best one that satisfies the distance constraint, then polishing it with SLSQP.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._validation import check_fraction, check_positive, seed_from
from ._result import Evaluator
from ._spaces import Box


def rbf(
    evaluator: Evaluator,
    space: Box,
    rng: np.random.Generator,
    *,
    n_initial: int | None = None,
    rho0: float = 0.5,
    p: float = 1.0,
    n_candidates: int | None = None,
    polish: bool = True,
) -> str:
    """Cubic-RBF surrogate search (CORS with a Latin hypercube start).

    Options
    -------
    n_initial : int, optional
        Size of the Latin hypercube design; default ``2 * (dim + 1)`` (dim counts the free
        coordinates), at least ``dim + 1`` so the linear tail of the RBF can be fitted.
    rho0 : float, default=0.5
        Initial fraction of the cube's volume excluded around evaluated points (CORS's
        ``rho0`` as in ``blackbox``); larger explores more.
    p : float, default=1.0
        How fast the exclusion radius shrinks to zero over the budget (1 is linear).
    n_candidates : int, optional
        Random candidates scored on the surrogate per query; default ``min(2000, 200 * dim)``.
    polish : bool, default=True
        Refine the best candidate with SLSQP on the surrogate under the distance constraint.
    """
    from scipy.interpolate import RBFInterpolator
    from scipy.stats import qmc

    d = int(space.free.sum())
    budget = evaluator.remaining
    if n_initial is None:
        n_initial = 2 * (d + 1)
    n_initial = int(check_positive(n_initial, "n_initial", integer=True))
    if n_initial < d + 1:
        raise ValueError(
            f"n_initial must be at least dim + 1 = {d + 1} (free coordinates + 1) to fit the "
            f"RBF's linear tail; got {n_initial}."
        )
    rho0 = check_fraction(rho0, "rho0", low=0.0, high=1.0, inclusive_low=False, inclusive_high=True)
    p = check_positive(p, "p")
    n_candidates = (
        min(2000, 200 * d) if n_candidates is None else int(check_positive(n_candidates, "n_candidates", integer=True))
    )

    # 1. Latin hypercube design; space-filling optimization needs d >= 2
    n0 = min(n_initial, budget)
    sampler = qmc.LatinHypercube(d=d, optimization="random-cd" if d >= 2 else None, rng=seed_from(rng))
    U = sampler.random(n0)
    evaluator.evaluate_batch(space._from_unit(U))

    m = budget - n0
    if m <= 0:
        return "budget spent on the Latin hypercube design"
    unit_ball = math.pi ** (d / 2) / math.gamma(d / 2 + 1)
    points = list(U)
    values = list(evaluator.values[-n0:])
    for t in range(m):
        X = np.asarray(points)
        y = np.asarray(values)
        # values standardized for conditioning; the minimizer is unchanged
        scale = y.std()
        y = (y - y.mean()) / (scale if scale > 0 else 1.0)
        surrogate = _fit(RBFInterpolator, X, y)
        remaining_fraction = (m - 1 - t) / (m - 1) if m > 1 else 0.0
        radius = (rho0 * remaining_fraction**p / (unit_ball * (n0 + t))) ** (1.0 / d)
        radius = max(radius, 1e-9)  # never re-query a point: duplicates make the RBF singular
        best = X[int(np.argmin(y))]
        x_next = _next_point(surrogate, X, best, radius, rng, n_candidates, polish)
        value = evaluator.evaluate(space._from_unit(x_next))
        points.append(x_next)
        values.append(value)
    return "budget exhausted"


def _fit(RBFInterpolator, X: np.ndarray, y: np.ndarray):  # noqa: N803 - the scipy class
    try:
        return RBFInterpolator(X, y, kernel="cubic", degree=1)
    except np.linalg.LinAlgError:
        # points nearly coplanar or clustered: a touch of smoothing makes the system solvable
        return RBFInterpolator(X, y, kernel="cubic", degree=1, smoothing=1e-8)


def _min_distance(C: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Distance from each row of C to its nearest row of X (blocked to bound memory)."""
    from scipy.spatial.distance import cdist

    out = np.empty(C.shape[0])
    for start in range(0, C.shape[0], 4096):  # blocks of candidates: memory O(4096 * n)
        out[start : start + 4096] = cdist(C[start : start + 4096], X).min(axis=1)
    return out


def _next_point(surrogate, X, best, radius, rng, n_candidates, polish):
    """Approximately minimize the surrogate over the cube at distance >= radius from X."""
    d = X.shape[1]
    n_global = n_candidates // 2
    n_local = n_candidates - n_global
    # local candidates at scales from 0.2 down to 0.001 of the cube, as in DYCORS/SRBF
    scales = 10.0 ** rng.uniform(-3.0, np.log10(0.2), size=(n_local, 1))
    C = np.vstack([rng.random((n_global, d)), np.clip(best + scales * rng.standard_normal((n_local, d)), 0.0, 1.0)])
    dist = _min_distance(C, X)
    feasible = dist >= radius
    if not feasible.any():
        return C[int(np.argmax(dist))]
    C = C[feasible]
    s = surrogate(C)
    x0 = C[int(np.argmin(s))]
    if not polish:
        return x0
    from scipy.optimize import minimize as scipy_minimize

    # SLSQP's cost grows with the number of constraints: keep the points near x0, which are
    # the only ones the polish can reach; the full constraint is re-checked afterwards
    near = X[np.argsort(((X - x0) ** 2).sum(axis=1))[: 4 * d + 4]]

    def constraint(x):
        return np.sqrt(((near - x) ** 2).sum(axis=1)) - radius

    def constraint_jacobian(x):
        diff = x - near
        norm = np.sqrt((diff**2).sum(axis=1))
        return diff / np.maximum(norm, 1e-12)[:, None]

    step = 1e-6 * np.eye(d)

    def value_and_gradient(x):
        # one vectorized surrogate call for the value and a central-difference gradient
        # (the cubic RBF is twice differentiable); per-point calls would dominate the run time
        s = surrogate(np.vstack([x[None, :], x + step, x - step]))
        return float(s[0]), (s[1 : d + 1] - s[d + 1 :]) / 2e-6

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = scipy_minimize(
            value_and_gradient,
            x0,
            jac=True,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * d,
            constraints=[{"type": "ineq", "fun": constraint, "jac": constraint_jacobian}],
            options={"maxiter": 50},
        )
    x1 = np.clip(res.x, 0.0, 1.0)
    if (
        np.all(np.isfinite(x1))
        and _min_distance(x1[None, :], X)[0] >= radius * (1 - 1e-6)
        and surrogate(x1[None, :])[0] < surrogate(x0[None, :])[0]
    ):
        return x1
    return x0
