"""Fairness attack on fair clustering: poison protected-group labels (thesis section 4.1.2).

The attacker controls the group memberships of a small index set :math:`G_A` and queries
the black-box fair clusterer :math:`F` to lower the fairness of the clusters on the
remaining (defender) samples :math:`G_D`, eq. 4.1:

.. math:: \\min_{G_A} \\phi(\\theta(O, G_D), G_D) \\quad \\text{s.t.} \\quad
          O = F(X, K, \\eta(G_A, G_D)).

The search over :math:`G_A` is zeroth order (RACOS by default, thesis 4.1.2.3) through
:func:`robustfair.optim.minimize` on a :class:`~robustfair.optim.Categorical` space with
one coordinate per attacked sample and the dataset's group values as its choices.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np

from .._validation import (
    Interval,
    StrOptions,
    check_choice,
    check_fraction,
    check_indices,
    check_random_state,
    seed_from,
)
from ._base import AttackResult, PoisoningAttack, QueryCounter

__all__ = ["FairnessAttack", "RandomFairnessAttack", "ks_compare", "defender_metrics"]

Objective = Literal["balance", "entropy", "auto"]

# Added to the Balance objective so that, among equally unbalanced solutions, the one with the
# lower Entropy wins (Balance is piecewise constant and often 0 on real data, thesis 4.1.3.3).
_ENTROPY_TIE_BREAK = 1e-6


def defender_metrics(
    labels: np.ndarray,
    sensitive_features: np.ndarray,
    defender_idx: np.ndarray,
    y: np.ndarray | None = None,
) -> dict[str, float]:
    """Balance, entropy (and NMI, ACC when ``y`` is given) of ``labels`` on the defender set.

    Balance uses the group proportions of :math:`G_D` itself as reference (thesis 4.1.3.4,
    applied to :math:`\\theta(O, G_D)`). A defender set with a single group has no defined
    balance or entropy; both are reported as NaN.
    """
    from ..metrics import balance, clustering_accuracy, fairness_entropy, normalized_mutual_info

    lab, grp = np.asarray(labels)[defender_idx], np.asarray(sensitive_features)[defender_idx]
    out: dict[str, float] = {}
    if np.unique(grp).shape[0] >= 2:
        out["balance"] = balance(lab, sensitive_features=grp)
        out["fairness_entropy"] = fairness_entropy(lab, sensitive_features=grp)
    else:
        out["balance"] = out["fairness_entropy"] = float("nan")
    if y is not None:
        yd = np.asarray(y)[defender_idx]
        out["nmi"] = normalized_mutual_info(yd, lab)
        out["acc"] = clustering_accuracy(yd, lab)
    return out


class _GroupLabelAttack(PoisoningAttack):
    """Shared set-up of the group-label attacks: index sets, queries, metrics and the result."""

    uses_sensitive_features = "required"
    uses_y = "optional"
    _legacy_positional = ("sensitive_features",)

    _parameter_constraints: ClassVar[dict] = {
        "target": "no_validation",  # a fair clusterer or a callable: checked by _target
        "attacker_fraction": [Interval(Real, 0, 1, closed="left")],
        "attacker_idx": "no_validation",  # indices or a mask: checked against n
        "defender_idx": "no_validation",
        "random_state": "no_validation",  # check_random_state: also a numpy Generator
    }

    def __init__(
        self,
        target: Any,
        *,
        attacker_fraction: float = 0.15,
        attacker_idx: Any = None,
        defender_idx: Any = None,
        random_state: Any = None,
    ) -> None:
        self.target = target
        self.attacker_fraction = attacker_fraction
        self.attacker_idx = attacker_idx
        self.defender_idx = defender_idx
        self.random_state = random_state

    # -- validation -------------------------------------------------------------------
    def _target(self) -> QueryCounter:
        target = self.target
        if not isinstance(target, QueryCounter) and not callable(target) and not hasattr(target, "fit"):
            raise ValueError(
                "target must be a fair clusterer with fit(X, sensitive_features=...) and labels_, or a "
                f"callable target(X, sensitive_features=...) returning labels; got {type(target).__name__}."
            )
        return QueryCounter(target, "target")

    def _index_sets(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        if self.attacker_idx is not None:
            attacker = check_indices(self.attacker_idx, n, "attacker_idx")
            if attacker.size == 0:
                raise ValueError(
                    "attacker_idx is empty: the attacker must control at least one sample "
                    "(use attacker_fraction=0 for the unattacked result)."
                )
        else:
            fraction = check_fraction(self.attacker_fraction, "attacker_fraction")
            n_attack = int(round(fraction * n))
            if n_attack >= n:
                raise ValueError(
                    f"attacker_fraction={fraction} gives the attacker all {n} samples; "
                    "no defender samples would be left to measure."
                )
            attacker = np.sort(rng.choice(n, size=n_attack, replace=False)) if n_attack else np.empty(0, np.int64)
        if self.defender_idx is not None:
            defender = check_indices(self.defender_idx, n, "defender_idx")
            if np.intersect1d(attacker, defender).size:
                raise ValueError("attacker_idx and defender_idx overlap; G_A and G_D must be disjoint.")
        else:
            defender = np.setdiff1d(np.arange(n), attacker)
        if defender.size == 0:
            raise ValueError(f"G_A covers all {n} samples; no defender samples would be left to measure.")
        return attacker, defender

    # -- the attack ---------------------------------------------------------------------
    def _attack(self, X: np.ndarray, *, y: np.ndarray | None, sensitive_features: np.ndarray | None) -> AttackResult:
        """Attack the target on ``X`` with protected attribute ``sensitive_features``.

        Called by ``attack(X, *, y=None, sensitive_features)`` (:class:`BaseAttack`), which
        validates the inputs; ``sensitive_features`` is required (group ids, any hashable
        values, two or more groups). ``y`` (class labels) is optional: with it, NMI and ACC
        on :math:`G_D` are reported as well. The previous form ``attack(X, s)`` still works
        for one release, with a ``DeprecationWarning``.

        Returns
        -------
        AttackResult
            ``sensitive_features_adv`` is the poisoned protected attribute, ``X_adv`` is ``X``
            (the features are not changed), ``changed`` the indices of :math:`G_A` whose
            group was switched, ``metrics_before``/``metrics_after`` are measured on
            :math:`G_D` (``balance``, ``fairness_entropy``, and ``nmi``, ``acc`` with ``y``),
            ``n_queries`` counts every fit of the target including the unattacked one.
            ``info`` holds ``attacker_idx``, ``defender_idx``, ``attacker_labels``,
            ``labels_before``, ``labels_after`` and ``objective``.
        """
        start = time.perf_counter()
        assert sensitive_features is not None  # uses_sensitive_features = "required"
        n = X.shape[0]
        s = sensitive_features
        rng = check_random_state(self.random_state)
        attacker, defender = self._index_sets(n, rng)
        has_budget = self._has_budget()  # validates the search settings before any query
        query = self._target()
        labels_before = np.asarray(query(X, sensitive_features=s))
        before = defender_metrics(labels_before, s, defender, y)
        groups = np.unique(s)
        if attacker.size == 0 or not has_budget:
            return self._result(
                X,
                s,
                s.copy(),
                attacker,
                defender,
                labels_before,
                labels_before,
                before,
                before,
                query,
                start,
                np.empty(0),
                "none",
            )
        s_adv, labels_after, history, objective = self._search(X, s, y, groups, attacker, defender, query, before, rng)
        if labels_after is None:
            labels_after = labels_before
        after = defender_metrics(labels_after, s_adv, defender, y)
        return self._result(
            X,
            s,
            s_adv,
            attacker,
            defender,
            labels_before,
            labels_after,
            before,
            after,
            query,
            start,
            history,
            objective,
        )

    def _has_budget(self) -> bool:
        return True

    def _search(self, X, s, y, groups, attacker, defender, query, before, rng):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _result(
        X, s, s_adv, attacker, defender, labels_before, labels_after, before, after, query, start, history, objective
    ) -> AttackResult:
        changed = attacker[s_adv[attacker] != s[attacker]]
        return AttackResult(
            X_adv=X.copy(),
            sensitive_features_adv=s_adv,
            changed=changed,
            metrics_before=before,
            metrics_after=after,
            n_queries=query.n_queries,
            seconds=time.perf_counter() - start,
            history=np.asarray(history, dtype=float),
            info={
                "attacker_idx": attacker,
                "defender_idx": defender,
                "attacker_labels": s_adv[attacker],
                "labels_before": labels_before,
                "labels_after": labels_after,
                "objective": objective,
            },
        )


class FairnessAttack(_GroupLabelAttack):
    """Black-box fairness attack on a fair clusterer by switching protected-group labels.

    Thesis section 4.1.2 (Definition 4.1.1, eq. 4.1): the attacker sets the group labels of
    the samples it controls, :math:`G_A`, and queries the fair clusterer to minimize the
    fairness of the clustering measured on the other samples, :math:`G_D`. The search is
    zeroth order over a :class:`~robustfair.optim.Categorical` space (one coordinate per
    sample of :math:`G_A`, the dataset's group values as choices; more than two groups work).

    Parameters
    ----------
    target : estimator or callable
        The victim: a fair clusterer with ``fit(X, sensitive_features=...)`` and
        ``labels_`` (any estimator of :func:`robustfair.cluster.make_clusterer`), or a
        callable ``target(X, sensitive_features=...)`` returning labels. It is wrapped in a
        :class:`~robustfair.attacks.QueryCounter`.
    attacker_fraction : float in [0, 1), default=0.15
        Size of :math:`G_A` as a fraction of the samples, drawn uniformly at random with
        ``random_state``. 0 returns the unattacked result. Ignored with ``attacker_idx``.
    attacker_idx : array-like of int or bool mask, optional
        The samples the attacker controls (non-empty, not all of the data).
    defender_idx : array-like of int or bool mask, optional
        The samples fairness is measured on; default every sample outside :math:`G_A`. The
        thesis protocol keeps it fixed while :math:`G_A` grows (CFC code: ``V_idx``).
    objective : {"auto", "balance", "entropy"}, default="auto"
        What to minimize on :math:`G_D`. ``"auto"`` (thesis 4.1.3.3) attacks Balance (ties
        broken by Entropy) unless the unattacked Balance on :math:`G_D` is already 0, then
        Entropy.
    method : str, default="racos"
        Zeroth-order method of :func:`robustfair.optim.minimize` that accepts a Categorical
        space (``"racos"`` or ``"random"``).
    budget : int, default=30
        Queries the search may spend (the thesis code uses 10 to 50). 0 returns the
        unattacked result. One more query measures the unattacked clustering.
    random_state : int, Generator or None
        :math:`G_A` (with ``attacker_fraction``) and the search.

    Examples
    --------
    >>> import numpy as np
    >>> from robustfair.attacks import FairnessAttack
    >>> from robustfair.cluster import make_clusterer
    >>> rng = np.random.default_rng(0)
    >>> X, s = rng.normal(size=(60, 2)), np.repeat([0, 1], 30)
    >>> res = FairnessAttack(make_clusterer("sfd", 2, random_state=0, p=1, q=2),
    ...                      budget=5, random_state=0).attack(X, sensitive_features=s)  # doctest: +SKIP
    >>> res.metrics_after["balance"] <= res.metrics_before["balance"]  # doctest: +SKIP
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **_GroupLabelAttack._parameter_constraints,
        "objective": [StrOptions({"auto", "balance", "entropy"})],
        "method": "no_validation",  # a robustfair.optim method name: checked by minimize
        "budget": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        target: Any,
        *,
        attacker_fraction: float = 0.15,
        attacker_idx: Any = None,
        defender_idx: Any = None,
        objective: Objective = "auto",
        method: str = "racos",
        budget: int = 30,
        random_state: Any = None,
    ) -> None:
        super().__init__(
            target,
            attacker_fraction=attacker_fraction,
            attacker_idx=attacker_idx,
            defender_idx=defender_idx,
            random_state=random_state,
        )
        self.objective = objective
        self.method = method
        self.budget = budget

    def _has_budget(self) -> bool:
        return int(self.budget) > 0  # objective and budget were checked by attack()

    def _search(self, X, s, y, groups, attacker, defender, query, before, rng):
        from ..optim import Categorical, minimize

        objective = self.objective
        if objective == "auto":
            balance_before = before["balance"]
            objective = "entropy" if not (balance_before > 0) else "balance"
        # The unchanged labels are a point of the search space too: the attack never reports a
        # poisoned assignment that is fairer on G_D than doing nothing.
        if objective == "balance":
            unattacked = before["balance"] + _ENTROPY_TIE_BREAK * before["fairness_entropy"]
        else:
            unattacked = before["fairness_entropy"]
        best: dict[str, Any] = {"value": float(unattacked) if np.isfinite(unattacked) else np.inf}

        def fun(values: np.ndarray) -> float:
            s_adv = s.copy()
            s_adv[attacker] = values
            try:
                labels = np.asarray(query(X, sensitive_features=s_adv))
            except ValueError:
                # The victim rejects this group assignment (e.g. SFD when a group becomes too
                # small for (p, q)-fairlets): no clustering, the worst value for the attacker.
                return 1e6
            m = defender_metrics(labels, s_adv, defender)
            if objective == "balance":
                value = m["balance"] + _ENTROPY_TIE_BREAK * m["fairness_entropy"]
            else:
                value = m["fairness_entropy"]
            value = float(value) if np.isfinite(value) else 1e6
            if value < best["value"]:
                best.update(value=value, s_adv=s_adv, labels=labels)
            return value

        budget = int(self.budget)
        res = minimize(
            fun,
            Categorical.uniform(groups.tolist(), attacker.size),
            method=self.method,
            budget=budget,
            random_state=seed_from(rng),
        )
        if "s_adv" not in best:  # nothing beat the unattacked clustering (or every query was rejected)
            return s.copy(), None, res.history, objective
        return best["s_adv"], best["labels"], res.history, objective


class RandomFairnessAttack(_GroupLabelAttack):
    """Random baseline of the fairness attack: uniform group labels on :math:`G_A` (thesis 4.1.3.3).

    Parameters are those of :class:`FairnessAttack` without the search: one query for the
    unattacked clustering and one for the poisoned one. When the victim rejects a draw (it
    raises ``ValueError``, as SFD does when a group becomes too small for its fairlets), a
    new one is drawn, up to ``max_draws`` times; then the unattacked result is returned.
    """

    #: Draws tried when the victim rejects a random assignment (e.g. SFD with too small a group).
    max_draws = 10

    def _search(self, X, s, y, groups, attacker, defender, query, before, rng):
        for _ in range(self.max_draws):  # a loop over draws: each is one query of the victim
            s_adv = s.copy()
            s_adv[attacker] = groups[rng.integers(0, groups.shape[0], size=attacker.size)]
            try:
                labels = np.asarray(query(X, sensitive_features=s_adv))
            except ValueError:
                continue
            m = defender_metrics(labels, s_adv, defender)
            return s_adv, labels, np.array([m["balance"]]), "random"
        return s.copy(), None, np.empty(0), "random"


def ks_compare(
    results_a: Sequence[Any],
    results_b: Sequence[Any],
    metric: str = "balance",
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
):
    """Kolmogorov-Smirnov test between two attacks' post-attack ``metric`` over seeds (thesis Table 4.2).

    Parameters
    ----------
    results_a, results_b : sequences of AttackResult, mappings or numbers
        One entry per seed: an :class:`AttackResult` (its ``metrics_after[metric]``), a
        mapping holding ``metric``, or the value itself.
    metric : str, default="balance"
    alternative : {"two-sided", "less", "greater"}, default="two-sided"
        As in :func:`scipy.stats.ks_2samp`. ``"greater"`` tests whether the distribution of
        ``a`` lies below (its CDF above) that of ``b``: ``a`` = our attack, ``b`` = random.

    Returns
    -------
    scipy.stats KstestResult
        ``statistic`` and ``pvalue`` (the thesis marks p < 0.01 as significant).
    """
    from scipy.stats import ks_2samp

    check_choice(alternative, ["two-sided", "less", "greater"], "alternative")
    a = _values(results_a, metric, "results_a")
    b = _values(results_b, metric, "results_b")
    return ks_2samp(a, b, alternative=alternative)


def _values(results: Sequence[Any], metric: str, name: str) -> np.ndarray:
    if isinstance(results, (str, bytes)) or not hasattr(results, "__len__") or len(results) == 0:
        raise ValueError(f"{name} must be a non-empty sequence of AttackResult, mappings or numbers.")
    out = []
    for i, r in enumerate(results):
        if isinstance(r, AttackResult):
            m = r.metrics_after
        elif isinstance(r, Mapping):
            m = r
        elif isinstance(r, numbers.Real) and not isinstance(r, bool):
            out.append(float(r))
            continue
        else:
            raise ValueError(f"{name}[{i}] must be an AttackResult, a mapping or a number; got {type(r).__name__}.")
        if metric not in m:
            raise ValueError(f"{name}[{i}] has no metric {metric!r}; it has: {', '.join(map(str, m))}.")
        out.append(float(m[metric]))
    arr = np.asarray(out)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} holds NaN or infinite {metric} values.")
    return arr
