"""Fair summaries by linear and integer programs solved with HiGHS.

- :class:`FVSLP`: the fairness-only LP baseline of thesis eq. 3.8, rounded to exactly
  ``k`` frames.
- :class:`FairSummarizer`: the most important summary whose SumBal is at least ``tau``
  (or whose group shares lie within ``eps`` of the video's), as an exact 0/1 integer
  program over shots or frames.
- :func:`fairness_utility_front`: that summarizer's importance and SumBal as ``tau`` varies.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Literal

import numpy as np

from .._validation import check_array, check_choice, check_fraction, check_group_matrix, check_positive
from ._protocol import _check_budget, check_change_points, knapsack, summary_capacity
from ._sumbal import sumbal

__all__ = ["FVSLP", "FairSummarizer", "FairnessFront", "fairness_utility_front"]


class FVSLP:
    r"""Fair Video Summarization LP (FVS-LP, thesis eq. 3.8): fairness only, no importance.

    .. math::

        \min_x\ 0^\top x \quad \text{s.t.}\quad G^\top x = \frac{k}{n} \sum_i G_i,\quad
        1^\top x = k,\quad 0 \le x \le 1

    solved with the HiGHS dual simplex, which returns a vertex: at most ``n_groups + 1``
    entries of ``x`` are fractional. The summary keeps the ``k`` frames with the largest
    ``x`` (the thesis rounds ``x``; keeping the top ``k`` makes the length exactly ``k``),
    so its SumBal is 1 up to the few rounded frames.

    Parameters
    ----------
    budget : float in (0, 1), default=0.15
        ``k = floor(budget * n_frames)``.

    Attributes
    ----------
    x_ : ndarray of shape (n_frames,)
        The LP solution.
    summary_ : ndarray of uint8, shape (n_frames,)
        Exactly ``k_`` ones.
    k_ : int
    sumbal_ : float
    violating_ : int
        Column of ``group_labels`` reaching the minimum balance.
    """

    def __init__(self, budget: float = 0.15) -> None:
        self.budget = budget

    def fit(self, group_labels: Any) -> FVSLP:
        from scipy.optimize import linprog

        budget = _check_budget(self.budget)
        g = check_group_matrix(group_labels, "group_labels")
        n = g.shape[0]
        k = summary_capacity(n, budget)
        if k < 1:
            raise ValueError(f"budget={budget} keeps no frame of a {n}-frame video; raise budget.")
        present = g.sum(axis=0) > 0
        a_eq = np.vstack([g[:, present].T, np.ones((1, n))])
        b_eq = np.concatenate([k * g[:, present].mean(axis=0), [k]])
        res = linprog(np.zeros(n), A_eq=a_eq, b_eq=b_eq, bounds=(0.0, 1.0), method="highs-ds")
        if res.x is None:  # cannot happen: x = k/n is feasible
            raise RuntimeError(f"HiGHS found no solution to the FVS-LP: {res.message}")
        x = np.clip(res.x, 0.0, 1.0)
        summary = _round_exactly_k(x, k, g)
        self.x_ = x
        self.k_ = k
        self.summary_ = summary
        self.sumbal_, self.violating_ = sumbal(summary, group_labels=g, return_violating=True)
        return self

    def fit_predict(self, group_labels: Any) -> np.ndarray:
        """Fit and return ``summary_``."""
        return self.fit(group_labels).summary_


def _round_exactly_k(x: np.ndarray, k: int, g: np.ndarray, max_subsets: int = 20000) -> np.ndarray:
    """Keep exactly ``k`` frames: every ``x = 1`` frame, then the best fractional ones.

    A vertex of eq. 3.8 has at most ``n_groups + 1`` fractional entries; when few enough
    subsets of them complete the summary to ``k`` frames, all are tried and the one of
    highest SumBal is kept, else the largest ``x`` are kept.
    """
    from itertools import combinations
    from math import comb

    order = np.argsort(-x, kind="stable")
    summary = np.zeros(x.shape[0], dtype=np.uint8)
    summary[order[:k]] = 1
    tol = 1e-9
    ones = np.flatnonzero(x >= 1 - tol)
    frac = np.flatnonzero((x > tol) & (x < 1 - tol))
    need = k - ones.shape[0]
    if ones.shape[0] > k or need <= 0 or need > frac.shape[0] or comb(frac.shape[0], need) > max_subsets:
        return summary
    subsets = np.array(list(combinations(range(frac.shape[0]), need)), dtype=np.int64)
    base = g[ones].sum(axis=0)
    counts = base + g[frac][subsets].sum(axis=1)  # (n_subsets, n_groups) summary counts
    share = g.mean(axis=0)
    present = share > 0
    ratio = np.where(counts[:, present] > 0, share[present] * k / np.maximum(counts[:, present], 1e-300), np.inf)
    balance = np.minimum(ratio, 1.0 / ratio).min(axis=1)
    best = subsets[int(np.argmax(balance))]
    summary[:] = 0
    summary[ones] = 1
    summary[frac[best]] = 1
    return summary


def _units(scores: np.ndarray, g: np.ndarray, change_points: Any, unit: str) -> tuple[np.ndarray, ...]:
    """Per-unit value, length (frames), group counts and (start, end) frames."""
    n = scores.shape[0]
    if unit == "frame":
        idx = np.arange(n)
        values = scores
        if change_points is not None:  # a frame is worth its shot's mean score, as in the knapsack
            cp = check_change_points(change_points, n)
            csum = np.concatenate([[0.0], np.cumsum(scores)])
            shot_mean = (csum[cp[:, 1] + 1] - csum[cp[:, 0]]) / (cp[:, 1] - cp[:, 0] + 1)
            values = np.zeros(n)
            for (a, b), v in zip(cp, shot_mean):  # one slice per shot
                values[a : b + 1] = v
        return values, np.ones(n), g, np.stack([idx, idx], axis=1)
    if change_points is None:
        raise ValueError("change_points is required with unit='shot' (or use unit='frame').")
    cp = check_change_points(change_points, n)
    lengths = (cp[:, 1] - cp[:, 0] + 1).astype(np.float64)
    cs = np.vstack([np.zeros((1, g.shape[1])), np.cumsum(g, axis=0)])
    counts = cs[cp[:, 1] + 1] - cs[cp[:, 0]]
    csum = np.concatenate([[0.0], np.cumsum(scores)])
    values = (csum[cp[:, 1] + 1] - csum[cp[:, 0]]) / lengths  # the knapsack's shot value
    return values, lengths, counts, cp


def _solve(values, lengths, counts, shares, capacity, tau, eps, time_limit, mip_rel_gap):
    """0/1 program: max values.y s.t. length <= capacity, group shares fair. None if infeasible."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    m = values.shape[0]
    if eps is None and tau == 0:  # no group constraint: the protocol's exact knapsack, no MILP
        chosen = np.zeros(m, dtype=bool)
        chosen[knapsack(values, lengths, capacity)] = True
        if not chosen.any():  # every value <= 0: the best single unit that fits (length >= 1)
            fits = np.flatnonzero(lengths <= capacity)
            chosen[fits[np.argmax(values[fits])]] = True
        return chosen, SimpleNamespace(status=0, message="exact knapsack (tau = 0)")
    rows, lo, hi = [lengths[None, :]], [1.0], [float(capacity)]
    # Keeps the solver's feasibility tolerance on the safe side of tau / eps; none when the
    # window is a single point (tau = 1, eps = 0), where a margin would make it empty.
    margin = 1e-6 if (eps is not None and eps > 0) or (eps is None and tau < 1) else 0.0
    for gi in np.flatnonzero(shares > 0):
        c, p = counts[:, gi], shares[gi]
        if eps is not None:  # |c/L - p| <= eps, written linearly in y
            rows += [c - (p + eps) * lengths, c - max(p - eps, 0.0) * lengths]
            lo += [-np.inf, margin]
            hi += [-margin, np.inf]
            continue
        if tau > 0:  # tau <= R_g <= 1 / tau  <=>  tau p L <= c <= p L / tau
            rows += [c - tau * p * lengths, c - (p / tau) * lengths]
            lo += [margin, -np.inf]
            hi += [np.inf, -margin]
    cons = LinearConstraint(np.vstack(rows), np.array(lo), np.array(hi))
    options = {"disp": False, "mip_rel_gap": mip_rel_gap}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    res = milp(-values, constraints=cons, integrality=np.ones(m), bounds=Bounds(0, 1), options=options)
    if res.x is None:
        return None, res
    return np.round(res.x).astype(bool), res


class FairSummarizer:
    r"""Most important summary under a SumBal constraint, solved exactly by HiGHS.

    Over units ``u`` (shots from ``change_points``, or single frames) with 0/1 choice
    :math:`y_u`, length :math:`\ell_u`, value :math:`v_u` (mean frame score of the shot,
    the knapsack value of the standard protocol) and :math:`c_{ug}` frames showing group
    ``g``:

    .. math::

        \max_y\ v^\top y\quad\text{s.t.}\quad 1 \le \ell^\top y \le k,\qquad
        \tau\, p_g\, \ell^\top y \le c_g^\top y \le p_g\, \ell^\top y / \tau\ \ \forall g

    where :math:`p_g` is the share of frames of the video showing ``g``. The pair of group
    constraints is exactly :math:`\min(R_g, 1/R_g) \ge \tau` of eq. 3.7, so the result has
    ``SumBal >= tau``. With ``eps`` instead the constraints are :math:`|c_g^\top y /
    \ell^\top y - p_g| \le \varepsilon`. With ``tau=0`` the program is the knapsack of the
    standard protocol.

    Parameters
    ----------
    budget : float in (0, 1), default=0.15
    tau : float in [0, 1], default=0.95
    eps : float, optional
        Use share tolerance instead of ``tau``.
    unit : {"shot", "frame"}, default="shot"
    on_infeasible : {"raise", "relax"}, default="raise"
        When no summary reaches ``tau``: raise ``ValueError``, or bisect for the largest
        feasible ``tau`` (recorded in ``tau_``).
    time_limit : float, optional
        Seconds per HiGHS solve; the best summary found by then is kept.
    mip_rel_gap : float, default=1e-6

    Attributes
    ----------
    summary_ : ndarray of uint8, shape (n_frames,)
    sumbal_ : float
    violating_ : int
    objective_ : float
        Total value of the selected units.
    tau_ : float
        The tau the summary satisfies (the requested one unless relaxed).
    optimal_ : bool
        Whether HiGHS proved optimality.
    """

    def __init__(
        self,
        budget: float = 0.15,
        tau: float = 0.95,
        *,
        eps: float | None = None,
        unit: Literal["shot", "frame"] = "shot",
        on_infeasible: Literal["raise", "relax"] = "raise",
        time_limit: float | None = None,
        mip_rel_gap: float = 1e-6,
    ) -> None:
        self.budget = budget
        self.tau = tau
        self.eps = eps
        self.unit = unit
        self.on_infeasible = on_infeasible
        self.time_limit = time_limit
        self.mip_rel_gap = mip_rel_gap

    def _validate(self, scores: Any, group_labels: Any) -> tuple[np.ndarray, np.ndarray]:
        _check_budget(self.budget)
        check_fraction(self.tau, "tau", inclusive_high=True)
        if self.eps is not None:
            check_positive(self.eps, "eps", strict=False)
        check_choice(self.unit, ("shot", "frame"), "unit")
        check_choice(self.on_infeasible, ("raise", "relax"), "on_infeasible")
        if self.time_limit is not None:
            check_positive(self.time_limit, "time_limit")
        s = check_array(scores, "scores", ndim=1)
        g = check_group_matrix(group_labels, "group_labels", n_frames=s.shape[0], length_name="scores")
        return s, g

    def fit(self, scores: Any, *, group_labels: Any, change_points: Any = None) -> FairSummarizer:
        """Select the summary.

        Parameters
        ----------
        scores : array-like of shape (n_frames,)
            Importance of every frame (upsample sub-sampled scores first with
            :func:`upsample_scores`).
        group_labels : array-like of 0/1, shape (n_frames, n_groups)
        change_points : array-like of shape (n_shots, 2), optional
            Required with ``unit="shot"``.
        """
        s, g = self._validate(scores, group_labels)
        n = s.shape[0]
        capacity = summary_capacity(n, self.budget)
        if capacity < 1:
            raise ValueError(f"budget={self.budget} keeps no frame of a {n}-frame video; raise budget.")
        values, lengths, counts, spans = _units(s, g, change_points, self.unit)
        shares = g.mean(axis=0)
        tau = float(self.tau)
        chosen, res = _solve(
            values, lengths, counts, shares, capacity, tau, self.eps, self.time_limit, self.mip_rel_gap
        )
        if chosen is None:
            if self.on_infeasible == "raise" or self.eps is not None:
                raise ValueError(
                    f"tau: no {self.unit}-level summary within budget={self.budget} reaches "
                    f"{'the share tolerance eps' if self.eps is not None else f'SumBal >= {tau}'} "
                    f"({res.message}); lower tau, use unit='frame' or on_infeasible='relax'."
                )
            low, high, best = 0.0, tau, None
            for _ in range(12):  # bisection on tau; feasibility is monotone in tau
                mid = (low + high) / 2
                cand, r = _solve(
                    values, lengths, counts, shares, capacity, mid, None, self.time_limit, self.mip_rel_gap
                )
                if cand is None:
                    high = mid
                else:
                    low, best, res = mid, cand, r
            if best is None:
                best, res = _solve(
                    values, lengths, counts, shares, capacity, 0.0, None, self.time_limit, self.mip_rel_gap
                )
            chosen, tau = best, low
        summary = np.zeros(n, dtype=np.uint8)
        for a, b in spans[chosen]:  # one slice per selected unit
            summary[a : b + 1] = 1
        self.summary_ = summary
        self.tau_ = tau
        self.objective_ = float(values[chosen].sum())
        self.optimal_ = bool(res.status == 0)
        self.sumbal_, self.violating_ = sumbal(summary, group_labels=g, return_violating=True)
        return self

    def fit_predict(self, scores: Any, *, group_labels: Any, change_points: Any = None) -> np.ndarray:
        """Fit and return ``summary_``."""
        return self.fit(scores, group_labels=group_labels, change_points=change_points).summary_


@dataclass(frozen=True)
class FairnessFront:
    """Importance and fairness of the :class:`FairSummarizer` summary at each ``tau``.

    ``objective`` and ``sumbal`` are NaN where no summary reaches ``tau`` (``feasible``
    False); ``summaries`` holds ``None`` there.
    """

    taus: np.ndarray
    objective: np.ndarray
    sumbal: np.ndarray
    feasible: np.ndarray
    summaries: tuple


def fairness_utility_front(
    scores: Any,
    *,
    group_labels: Any,
    change_points: Any = None,
    taus: Any = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99),
    budget: float = 0.15,
    unit: Literal["shot", "frame"] = "shot",
    time_limit: float | None = None,
) -> FairnessFront:
    """Trace the utility-fairness front: the best importance reachable at each SumBal floor."""
    tau_arr = check_array(taus, "taus", ndim=1)
    if ((tau_arr < 0) | (tau_arr > 1)).any():
        raise ValueError("taus must lie in [0, 1].")
    objective: list[float] = []
    bal: list[float] = []
    feasible: list[bool] = []
    summaries: list[np.ndarray | None] = []
    for t in tau_arr:
        model = FairSummarizer(budget, float(t), unit=unit, time_limit=time_limit)
        try:
            model.fit(scores, group_labels=group_labels, change_points=change_points)
        except ValueError as exc:
            if not str(exc).startswith("tau:"):
                raise
            objective.append(np.nan)
            bal.append(np.nan)
            feasible.append(False)
            summaries.append(None)
            continue
        objective.append(model.objective_)
        bal.append(model.sumbal_)
        feasible.append(True)
        summaries.append(model.summary_)
    return FairnessFront(tau_arr, np.array(objective), np.array(bal), np.array(feasible), tuple(summaries))
