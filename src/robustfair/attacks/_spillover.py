"""Spill-over poisoning: perturb one sample so that other, untouched samples change cluster.

Thesis "Towards robust and fair machine learning", section 2.2 (Algorithm 1; AAAI 2020
"Black-box adversarial attacks against clustering"): the attacker sees the victim only
through ``fit_predict``, picks the sample of cluster ``k1`` nearest to the centroid of
``k2``, and searches an additive perturbation ``eps`` with ``eps_j`` in
``[-Delta_j, Delta_j]`` minimizing ``f(eps) = -||Y Y^T - Y' Y'^T||_F`` with a zeroth-order
optimizer (a cubic RBF surrogate in the thesis). ``Delta`` is the attack budget, or is
chosen so that the perturbed sample keeps its depth above a quantile of the data's depths
(not an outlier).
"""

from __future__ import annotations

import time
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np

from .._validation import (
    Interval,
    StrOptions,
    check_random_state,
    seed_from,
)
from ._base import AttackResult, PoisoningAttack, QueryCounter

__all__ = ["SpillOverPoisoning", "coassociation_distance", "misclustered"]

DEPTHS = ("mahalanobis", "mdc", "comd")
METHODS = ("rbf", "racos", "sre", "cma", "random")


def _contingency(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Contingency table m[k, k'] = #{i : a_i = k, b_i = k'} of two labelings (any values)."""
    _, ca = np.unique(a, return_inverse=True)
    _, cb = np.unique(b, return_inverse=True)
    ca, cb = ca.ravel(), cb.ravel()
    table = np.zeros((ca.max() + 1, cb.max() + 1), dtype=np.int64)
    np.add.at(table, (ca, cb), 1)
    return table


def coassociation_distance(labels_a: Any, labels_b: Any) -> float:
    """``||Y Y^T - Y' Y'^T||_F`` of two hard clusterings without forming n x n matrices.

    ``Y Y^T`` is the 0/1 co-association matrix, so the squared norm counts the pairs on
    which the clusterings disagree:

    .. math:: \\|YY^T - Y'Y'^T\\|_F^2 = \\sum_k n_k^2 + \\sum_{k'} n_{k'}'^2 - 2 \\sum_{k,k'} m_{kk'}^2

    with ``n_k, n'_k'`` the cluster sizes and ``m`` the contingency table (thesis eq. 2.1).
    """
    table = _contingency(np.asarray(labels_a), np.asarray(labels_b))
    sq = (table.sum(axis=1) ** 2).sum() + (table.sum(axis=0) ** 2).sum() - 2 * (table**2).sum()
    return float(np.sqrt(max(int(sq), 0)))


def misclustered(labels_before: Any, labels_after: Any) -> np.ndarray:
    """Indices whose cluster changed, after matching clusters (Hungarian) to undo label swaps."""
    from scipy.optimize import linear_sum_assignment

    a, b = np.asarray(labels_before), np.asarray(labels_after)
    va, ca = np.unique(a, return_inverse=True)
    vb, cb = np.unique(b, return_inverse=True)
    table = _contingency(ca.ravel(), cb.ravel())
    rows, cols = linear_sum_assignment(-table)
    mapping = np.full(table.shape[1], -1, dtype=np.int64)
    mapping[cols] = rows
    return np.flatnonzero(mapping[cb.ravel()] != ca.ravel())


class SpillOverPoisoning(PoisoningAttack):
    """Black-box spill-over poisoning of any clusterer (thesis Algorithm 1).

    ``attack(X)`` returns the poisoned data as ``X_adv`` (one row moved); it takes neither
    ``y`` nor ``sensitive_features``.

    Parameters
    ----------
    target : clusterer or callable
        Queried only through ``fit_predict(X)`` (or ``fit`` + ``labels_``, or a callable
        returning labels); every fit on a perturbed dataset is one counted query.
    budget : float or array-like of shape (m,), optional
        The noise threshold ``Delta``: ``eps_j`` in ``[-Delta_j, Delta_j]``. A scalar is
        used for every feature. When omitted, ``Delta`` is derived from the depth (below).
    depth : {"mahalanobis", "mdc", "comd"}, default="comd"
        Outlyingness measure (Definitions 2.2.1-2.2.3), computed with respect to the clean
        data and its clean clusters ("mdc", "comd"). "comd" works in any dimension.
    depth_quantile : float in [0, 1) or None, default=0.1
        The perturbed sample must keep a depth at least the ``depth_quantile`` quantile
        of the data's depths (thesis: "at least above 0.1 quantile"). Without ``budget``,
        ``Delta_j`` is the largest half-width along feature ``j`` that keeps that depth
        (exact for "comd", whose constraint is separable per feature); perturbations
        that violate the constraint (possible for "mahalanobis"/"mdc" box corners) are
        rejected without querying the victim. ``None`` disables the constraint (then
        ``budget`` is required).
    method : {"rbf", "racos", "sre", "cma", "random"}, default="rbf"
        Zeroth-order optimizer (:func:`robustfair.optim.minimize`); "rbf" is the thesis'
        cubic RBF surrogate with a Latin hypercube start.
    max_queries : int, default=500
        Victim queries in all, the clean clustering included (so the optimizer gets
        ``max_queries - 1``); perturbations rejected by the depth constraint cost none.
    victim_cluster, target_cluster : label, optional
        ``k1`` (samples spill over from it; the target sample is taken from it) and ``k2``
        (its centroid attracts them), as label values of the clean clustering. Default:
        the ordered pair whose candidate target lies nearest to the other centroid.
    search_scale : bool, default=True
        Search ``eps = s * Delta * u`` over ``u`` in ``[-1, 1]^m`` and one more coordinate,
        the scale ``s`` in ``[0, 1]``: the same box, reparametrized. ``f`` is piecewise
        constant; in many dimensions almost all of the box lies on one plateau (the
        target alone becomes an isolated point and switches cluster), so a search over
        ``eps`` directly sees no signal. The scale coordinate lets every optimizer reach
        the small perturbations where spill-over happens. ``False`` searches ``eps``
        directly, exactly as Algorithm 1 states it.
    n_features : int, optional
        Perturb only the ``n_features`` features with the largest ``Delta_j`` (the others
        stay fixed): a sparse attack, like the published reference perturbations (14 of
        64 pixels on digits 1 & 4). Needed by "rbf" when ``m + 1`` exceeds the query
        budget, since its surrogate needs ``m + 1`` points before it can be fitted.
    method_options : dict, optional
        Passed to :func:`robustfair.optim.minimize` (e.g. ``{"n_initial": 20}`` for "rbf").
        For "rbf" the default is ``{"polish": False}``: SLSQP-polishing every surrogate
        step (finite-difference gradients of the surrogate) costs about 0.6 s per query
        in 65 dimensions, far more than a Ward or k-means fit, and the candidate search
        alone already minimizes the surrogate (as in DYCORS); pass ``{"polish": True}``
        for the full CORS step.
    pairs : {"nearest", "all"}, default="nearest"
        "all" attacks every ordered (victim, target) pair of clusters (multi-cluster
        case of Cina et al., 2022) with an equal share of ``max_queries`` and keeps the
        best; it applies only when the clusters are not given.
    random_state : int, Generator or None
    """

    uses_y = "unused"
    uses_sensitive_features = "unused"
    _min_samples = 3

    _parameter_constraints: ClassVar[dict] = {
        "target": "no_validation",  # as_target: a clusterer or a callable
        "budget": "no_validation",  # a scalar or one entry per feature: checked against X
        "depth": [StrOptions(set(DEPTHS))],
        "depth_quantile": [Interval(Real, 0, 1, closed="left"), None],
        "method": [StrOptions(set(METHODS))],
        "max_queries": [Interval(Integral, 2, None, closed="left")],  # the clean clustering and one attack
        "victim_cluster": "no_validation",  # a cluster of the clean clustering: checked against it
        "target_cluster": "no_validation",
        "pairs": [StrOptions({"nearest", "all"})],
        "search_scale": ["boolean"],
        "n_features": [Interval(Integral, 1, None, closed="left"), None],
        "method_options": [dict, None],
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self,
        target: Any,
        *,
        budget: Any = None,
        depth: Literal["mahalanobis", "mdc", "comd"] = "comd",
        depth_quantile: float | None = 0.1,
        method: str = "rbf",
        max_queries: int = 500,
        victim_cluster: Any = None,
        target_cluster: Any = None,
        pairs: Literal["nearest", "all"] = "nearest",
        search_scale: bool = True,
        n_features: int | None = None,
        method_options: dict | None = None,
        random_state: Any = None,
    ) -> None:
        self.target = target
        self.budget = budget
        self.depth = depth
        self.depth_quantile = depth_quantile
        self.method = method
        self.max_queries = max_queries
        self.victim_cluster = victim_cluster
        self.target_cluster = target_cluster
        self.pairs = pairs
        self.search_scale = search_scale
        self.n_features = n_features
        self.method_options = method_options
        self.random_state = random_state

    # -- validation -------------------------------------------------------------------
    def _check_params(self, m: int) -> np.ndarray | None:
        # The parameters alone were checked by attack() (_parameter_constraints); what is
        # left needs the data: the budget's length, or a budget from the depth quantile.
        if self.budget is None:
            if self.depth_quantile is None:
                raise ValueError("budget: pass a budget (Delta) or a depth_quantile to derive it from; both are None.")
            return None
        delta = np.asarray(self.budget, dtype=float)
        if delta.ndim == 0:
            delta = np.full(m, float(delta))
        if delta.ndim != 1 or delta.shape[0] != m:
            raise ValueError(f"budget must be a scalar or have one entry per feature ({m}); got shape {delta.shape}.")
        if not np.isfinite(delta).all() or (delta < 0).any():
            raise ValueError("budget (Delta) must be finite and non-negative on every feature.")
        if not (delta > 0).any():
            raise ValueError("budget (Delta) is zero on every feature: there is nothing to search.")
        return delta

    # -- depth ------------------------------------------------------------------------
    def _depth_function(self, X: np.ndarray, labels: np.ndarray):
        from .. import depth as _depth

        if self.depth == "mahalanobis":
            return lambda P: _depth.mahalanobis_depth(P, X)
        if self.depth == "mdc":
            return lambda P: _depth.cluster_depth(P, X, labels)
        return lambda P: _depth.coordinatewise_min_depth(P, X, labels)

    def _depth_box(
        self, x_t: np.ndarray, X: np.ndarray, depth_of, threshold: float, labels: np.ndarray | None = None
    ) -> np.ndarray:
        """Half-widths Delta_j: how far x_t may move along feature j keeping depth >= threshold.

        Scans 2000 steps per side up to twice the feature's range. When x_t satisfies the
        constraint the half-width is the distance to the nearest violation (for COMD the
        whole box then satisfies it); otherwise the farthest feasible reach, and the
        constraint is enforced point by point during the search.
        """
        m = x_t.shape[0]
        span = 2.0 * (X.max(axis=0) - X.min(axis=0))
        span[span <= 0] = 1.0
        steps = np.linspace(0.0, 1.0, 2001)[1:]
        offsets = np.concatenate([steps, -steps])[:, None] * span[None, :]  # (4000, m)
        if self.depth == "comd" and labels is not None:
            from ..depth import _coordinate_depths

            # COMD is a min over features: moving feature j changes only its own term
            codes = np.unique(labels, return_inverse=True)[1].ravel()
            n_clusters = int(codes.max()) + 1
            own = _coordinate_depths(x_t[None, :], X, codes, n_clusters)[0]
            others = np.array([np.delete(own, j).min() if m > 1 else np.inf for j in range(m)])
            moved = _coordinate_depths(x_t[None, :] + offsets, X, codes, n_clusters)
            ok = np.minimum(moved, others[None, :]) >= threshold
        else:
            ok = np.empty(offsets.shape, dtype=bool)
            for j in range(m):  # one feature at a time bounds memory at O(steps * m)
                P = np.repeat(x_t[None, :], offsets.shape[0], axis=0)
                P[:, j] += offsets[:, j]
                ok[:, j] = depth_of(P) >= threshold
        n_steps = steps.shape[0]
        if depth_of(x_t[None, :])[0] >= threshold:
            reach = np.full((2, m), np.inf)
            for side, block in enumerate((ok[:n_steps], ok[n_steps:])):
                bad = ~block
                first = np.where(bad.any(axis=0), bad.argmax(axis=0), n_steps)  # first violation
                reach[side] = np.where(first == 0, 0.0, steps[np.maximum(first - 1, 0)]) * span
                reach[side][first == n_steps] = span[first == n_steps]
            return reach.min(axis=0)
        return np.where(ok, np.abs(offsets), 0.0).max(axis=0)

    # -- the attack -------------------------------------------------------------------
    def _attack(self, X: np.ndarray, *, y: np.ndarray | None, sensitive_features: np.ndarray | None) -> AttackResult:
        """Run Algorithm 1 on ``X`` and return the poisoned data and what it did.

        Called by ``attack(X)`` (:class:`BaseAttack`; ``X`` needs at least 3 samples). The
        attack uses neither ``y`` nor ``sensitive_features``; passing them raises.

        ``result.info`` holds: ``target_index``, ``victim_cluster``, ``target_cluster``,
        ``perturbation`` (eps), ``budget`` (Delta), ``spillover_indices`` (untouched samples
        that changed cluster), ``misclustered_indices`` and ``n_misclustered`` (changed
        samples after Hungarian matching, the target included when it changed: the
        thesis' "# misclustered samples"), ``depth`` of the perturbed sample,
        ``depth_quantile`` (its quantile among the data's depths), ``depth_threshold``,
        ``objective`` (best ``f``), ``queries_to_best`` (victim queries, the clean one
        included, until the best perturbation was first found), ``method``.
        """
        start = time.perf_counter()
        n, m = X.shape
        delta_given = self._check_params(m)
        counter = QueryCounter(self.target, "target")
        labels = counter(X)
        clusters = np.unique(labels)
        if clusters.shape[0] < 2:
            raise ValueError(
                f"target put all {n} samples in one cluster; the spill-over attack needs a clustering "
                "with at least two clusters."
            )
        centroids = np.stack([X[labels == c].mean(axis=0) for c in clusters])
        order = self._pairs(X, labels, clusters, centroids)
        rng = check_random_state(self.random_state)
        depth_of = self._depth_function(X, labels)
        data_depths = depth_of(X)
        threshold = float(np.quantile(data_depths, self.depth_quantile)) if self.depth_quantile is not None else -np.inf
        share = max(1, (int(self.max_queries) - 1) // len(order))
        best = None
        for k1, k2 in order:
            run = self._attack_pair(
                X, labels, clusters, centroids, k1, k2, counter, depth_of, threshold, delta_given, share, seed_from(rng)
            )
            if best is None or run["objective"] < best["objective"]:
                best = run
        assert best is not None
        X_adv = X.copy()
        t = best["target_index"]
        X_adv[t] = X[t] + best["perturbation"]
        labels_adv = best["labels_adv"]
        moved = misclustered(labels, labels_adv)
        depth_adv = float(depth_of(X_adv[t][None, :])[0])
        quantile = float(np.mean(data_depths <= depth_adv))
        info = {
            "target_index": int(t),
            "victim_cluster": best["k1"],
            "target_cluster": best["k2"],
            "perturbation": best["perturbation"],
            "budget": best["delta"],
            "misclustered_indices": moved,
            "spillover_indices": moved[moved != t],
            "n_misclustered": int(moved.shape[0]),
            "depth": depth_adv,
            "depth_quantile": quantile,
            "depth_threshold": threshold,
            "depth_measure": self.depth,
            "objective": best["objective"],
            "queries_to_best": best["queries_to_best"],
            "method": self.method,
            "labels_before": labels,
            "labels_after": labels_adv,
        }
        return AttackResult(
            X_adv=X_adv,
            changed=np.array([t]),
            metrics_before={"n_misclustered": 0.0, "coassociation_distance": 0.0},
            metrics_after={
                "n_misclustered": float(moved.shape[0]),
                "coassociation_distance": coassociation_distance(labels, labels_adv),
                "depth": depth_adv,
                "depth_quantile": quantile,
            },
            n_queries=counter.n_queries,
            seconds=time.perf_counter() - start,
            history=best["history"],
            info=info,
        )

    def _pairs(self, X, labels, clusters, centroids) -> list[tuple[Any, Any]]:
        known = set(clusters.tolist())
        for name, value in (("victim_cluster", self.victim_cluster), ("target_cluster", self.target_cluster)):
            if value is not None and value not in known:
                raise ValueError(
                    f"{name}={value!r} is not a cluster of the clean clustering; clusters: {sorted(known)}."
                )
        if self.victim_cluster is not None and self.target_cluster is not None:
            if self.victim_cluster == self.target_cluster:
                raise ValueError("victim_cluster and target_cluster must differ.")
            return [(self.victim_cluster, self.target_cluster)]
        candidates = [
            (a, b)
            for a in clusters.tolist()
            for b in clusters.tolist()
            if a != b
            and (self.victim_cluster is None or a == self.victim_cluster)
            and (self.target_cluster is None or b == self.target_cluster)
        ]
        if self.pairs == "all":
            return candidates
        index = {c: i for i, c in enumerate(clusters.tolist())}

        def gap(pair):  # Algorithm 1 line 2: distance of k1's nearest sample to c2
            a, b = pair
            return np.linalg.norm(X[labels == a] - centroids[index[b]], axis=1).min()

        return [min(candidates, key=gap)]

    def _attack_pair(
        self, X, labels, clusters, centroids, k1, k2, counter, depth_of, threshold, delta_given, budget, seed
    ) -> dict[str, Any]:
        from ..optim import Box, minimize

        members = np.flatnonzero(labels == k1)
        c2 = centroids[int(np.flatnonzero(clusters == k2)[0])]
        # Algorithm 1, lines 1-2: the sample of k1 nearest to the centroid of k2
        t = int(members[np.argmin(np.linalg.norm(X[members] - c2, axis=1))])
        x_t = X[t]
        constrained = np.isfinite(threshold)
        delta = delta_given if delta_given is not None else self._depth_box(x_t, X, depth_of, threshold, labels)
        if not (delta > 0).any():
            raise ValueError(
                f"depth_quantile={self.depth_quantile}: no perturbation of the target sample {t} keeps its "
                f"{self.depth} depth above the quantile; lower depth_quantile or pass a budget."
            )
        if self.n_features is not None and self.n_features < int((delta > 0).sum()):
            keep = np.argsort(-delta, kind="stable")[: self.n_features]
            sparse = np.zeros_like(delta)
            sparse[keep] = delta[keep]
            delta = sparse
        X_work = X.copy()
        state: dict[str, Any] = {
            "best": 0.0,
            "labels": labels,
            "eps": np.zeros_like(x_t),
            "at": counter.n_queries,
        }

        def objective(eps: np.ndarray) -> float:
            x_new = x_t + eps
            if constrained:
                d = float(depth_of(x_new[None, :])[0])
                if d < threshold:
                    # an outlier: rejected without a victim query; the penalty grows with
                    # the violation so surrogates learn where the feasible region is
                    return 1.0 + (threshold - d) / max(threshold, 1e-12)
            X_work[t] = x_new
            labels_new = counter(X_work)
            value = -coassociation_distance(labels, labels_new)  # eq. 2.1
            if value < state["best"]:
                state.update(best=value, labels=labels_new, eps=eps.copy(), at=counter.n_queries)
            return value

        options = dict(self.method_options or {})
        if self.method == "rbf":
            options.setdefault("polish", False)
        if self.search_scale:
            free = delta > 0
            space = Box(np.append(-free.astype(float), 0.0), np.append(free.astype(float), 1.0))

            def search(z: np.ndarray) -> float:
                return objective(z[-1] * delta * z[:-1])

            res = minimize(search, space, method=self.method, budget=budget, random_state=seed, **options)
        else:
            res = minimize(
                objective, Box(-delta, delta), method=self.method, budget=budget, random_state=seed, **options
            )
        return {
            "k1": k1.item() if hasattr(k1, "item") else k1,
            "k2": k2.item() if hasattr(k2, "item") else k2,
            "target_index": t,
            "perturbation": state["eps"],
            "delta": delta,
            "objective": float(state["best"]),
            "queries_to_best": int(state["at"]),
            "labels_adv": state["labels"],
            "history": np.asarray(res.history, dtype=float),
        }
