"""The audit of a user's own data (``robustfair audit``): fit, measure by group, attack.

:func:`audit_dataset` fits each clustering method on a :class:`~robustfair.datasets.Dataset`
(usually from :meth:`Dataset.from_csv`), measures balance, entropy and social cost (and,
with a target, accuracy and NMI), builds a grouped report per method
(:func:`robustfair.metrics.clustering_by_group`) and, with ``attack=True``, runs the
fairness attack of thesis 4.1.2 and its random baseline of the same number of flipped
labels against each fair method at a few attacker fractions: how much of the fairness
survives. The protocol is the ``fairness-attack`` experiment's: a fixed defender set
:math:`G_D`, attackers drawn from a pool in one order, so fractions are nested.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = ["AuditConfig", "AuditResult", "audit_dataset"]


class AuditConfig(BaseModel):
    """Settings of an audit; the command line's flags map one to one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    methods: list[str] = Field(
        default_factory=lambda: ["kmeans", "sfd", "bera", "kfc"],
        min_length=1,
        description="clustering methods (see `robustfair.cluster.list_methods`)",
    )
    k: int | None = Field(default=None, ge=2, description="clusters; default the target's classes, else 5")
    attack: bool = Field(default=False, description="run the fairness attack against every fair method")
    fractions: list[float] = Field(
        default_factory=lambda: [0.05, 0.15, 0.3],
        min_length=1,
        description="fractions of samples whose group label the attacker sets",
    )
    budget: int = Field(default=20, ge=1, description="queries of the attack's search per fraction")
    pool_fraction: float = Field(
        default=0.5, gt=0, lt=1, description="share of samples the attacker may draw from; the rest is G_D"
    )
    n_boot: int = Field(default=200, ge=0, description="bootstrap replicates of the grouped intervals")
    seed: int = Field(default=0, ge=0, description="random_state of every method, the attack and the bootstrap")

    @field_validator("methods")
    @classmethod
    def _known(cls, methods: list[str]) -> list[str]:
        from ..cluster import list_methods
        from ._common import check_known

        return check_known(methods, [m.name for m in list_methods()], "method")

    @field_validator("fractions")
    @classmethod
    def _fractions(cls, fractions: list[float]) -> list[float]:
        bad = [f for f in fractions if not 0 < f < 1]
        if bad:
            raise ValueError(f"fractions must lie in (0, 1); got {bad}")
        return sorted(fractions)


@dataclass(frozen=True)
class AuditResult:
    """What an audit measured.

    Attributes
    ----------
    dataset : Dataset
    config : AuditConfig
    records : list of dict
        Flat records in the shape of ``robustfair run --json`` (``dataset``, ``method``,
        ``seed``, ``metric``, ``value`` and keys such as ``attack`` and ``fraction``).
    grouped : dict of str to GroupedMetrics
        The per-group report of each fitted method.
    skipped : dict of str to str
        Methods that could not run on this data, with the reason (e.g. a method that
        needs exactly two groups).
    seconds : float
    """

    dataset: Any
    config: AuditConfig
    records: list[dict[str, Any]]
    grouped: dict[str, Any] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame, one row per record (keys as columns)."""
        import pandas as pd

        return pd.DataFrame(self.records)

    def to_json(self) -> dict[str, Any]:
        """One JSON object: ``experiment``, ``config`` and ``records`` as ``run --json``, plus the
        grouped tables and the skipped methods."""
        return {
            "experiment": "audit",
            "config": {"dataset": self.dataset.name, **self.config.model_dump()},
            "records": self.records,
            "grouped": {m: g.to_dict() for m, g in self.grouped.items()},
            "skipped": dict(self.skipped),
        }


def _check_config(config: AuditConfig | dict[str, Any] | None) -> AuditConfig:
    if isinstance(config, AuditConfig):
        return config
    try:
        return AuditConfig(**(config or {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "config"
        raise ValueError(f"{where}: {err['msg']}") from None


def audit_dataset(
    data: Any, config: AuditConfig | dict[str, Any] | None = None, *, progress: Callable[[str], None] | None = None
) -> AuditResult:
    """Audit ``data`` with the settings of ``config`` (an :class:`AuditConfig` or its fields).

    Parameters
    ----------
    data : Dataset
        Must have a protected attribute (``sensitive``) with two or more groups.
    config : AuditConfig or dict, optional
    progress : callable, optional
        Called with a short label after each step (the CLI advances a progress bar).

    Returns
    -------
    AuditResult

    Raises
    ------
    ValueError
        For data without a protected attribute, bad settings or a ``k`` larger than the
        number of samples.
    """
    from ..attacks._fairness_attack import FairnessAttack, RandomFairnessAttack
    from ..cluster import list_methods, make_clusterer
    from ..metrics import (
        balance,
        clustering_accuracy,
        clustering_by_group,
        fairness_entropy,
        normalized_mutual_info,
    )
    from .fairness_attack import index_sets

    config = _check_config(config)
    if getattr(data, "sensitive", None) is None:
        raise ValueError("data has no protected attribute; pass sensitive= to name it.")
    groups = data.groups
    if np.unique(groups).shape[0] < 2:
        raise ValueError("sensitive: the protected attribute holds a single group; fairness needs two or more.")
    k = config.k or (data.n_classes if data.y is not None else 5)
    if k > data.n_samples:
        raise ValueError(f"k={k} is larger than the number of samples ({data.n_samples}).")
    fair = {m.name: m.fair for m in list_methods()}
    seed = config.seed
    tick = progress or (lambda label: None)
    start = time.perf_counter()
    records: list[dict[str, Any]] = []
    grouped: dict[str, Any] = {}
    skipped: dict[str, str] = {}

    def add(method: str, metric: str, value: float, **keys: Any) -> None:
        records.append(
            {
                "dataset": data.name,
                "method": method,
                "seed": seed,
                "metric": metric,
                "value": None if not np.isfinite(value) else float(value),
                "k": int(k),
                **keys,
            }
        )

    fitted: list[str] = []
    for method in config.methods:
        model = make_clusterer(method, k, random_state=seed)
        t0 = time.perf_counter()
        try:
            if fair[method]:
                model.fit(data.X, sensitive_features=groups)
                labels = np.asarray(model.labels_)
            else:
                labels = np.asarray(model.fit_predict(data.X))
        except ValueError as exc:  # the method's own documented refusal (e.g. it needs two groups)
            skipped[method] = " ".join(str(exc).split())
            tick(method)
            continue
        seconds = time.perf_counter() - t0
        report = clustering_by_group(
            labels, sensitive_features=groups, X=data.X, y_true=data.y, n_boot=config.n_boot, random_state=seed
        )
        grouped[method] = report
        add(method, "balance", balance(labels, sensitive_features=groups))
        add(method, "fairness_entropy", fairness_entropy(labels, sensitive_features=groups))
        add(method, "social_fairness_cost", float(report.summary["social_fairness_cost"]))
        if data.y is not None:
            add(method, "acc", clustering_accuracy(data.y, labels))
            add(method, "nmi", normalized_mutual_info(data.y, labels))
        add(method, "fit_seconds", seconds)
        fitted.append(method)
        tick(method)

    if config.attack:
        pool, defender = index_sets(data, config.pool_fraction, seed)
        for method in [m for m in fitted if fair[m]]:
            for fraction in config.fractions:
                n_attack = min(int(round(fraction * data.n_samples)), pool.shape[0])
                if n_attack == 0:
                    tick(f"{method} {fraction:g}")
                    continue
                common: dict[str, Any] = {
                    "attacker_idx": pool[:n_attack],
                    "defender_idx": defender,
                    "random_state": seed,
                }
                target = make_clusterer(method, k, random_state=seed)
                try:
                    ours = FairnessAttack(target, budget=config.budget, **common).attack(
                        data.X, sensitive_features=groups, y=data.y
                    )
                    rand = RandomFairnessAttack(make_clusterer(method, k, random_state=seed), **common).attack(
                        data.X, sensitive_features=groups, y=data.y
                    )
                except ValueError as exc:
                    skipped[f"{method} attack at {fraction:g}"] = " ".join(str(exc).split())
                    tick(f"{method} {fraction:g}")
                    continue
                for attack, metrics in (
                    ("none", ours.metrics_before),
                    ("ours", ours.metrics_after),
                    ("random", rand.metrics_after),
                ):
                    for metric in ("balance", "fairness_entropy", "nmi", "acc"):
                        if metric in metrics:
                            add(method, metric, metrics[metric], attack=attack, fraction=float(fraction))
                add(method, "n_flipped", float(ours.changed.shape[0]), attack="ours", fraction=float(fraction))
                add(method, "n_flipped", float(rand.changed.shape[0]), attack="random", fraction=float(fraction))
                tick(f"{method} {fraction:g}")
    return AuditResult(
        dataset=data,
        config=config,
        records=records,
        grouped=grouped,
        skipped=skipped,
        seconds=time.perf_counter() - start,
    )


def n_steps(config: AuditConfig | dict[str, Any] | None) -> int:
    """How many times :func:`audit_dataset` calls ``progress`` at most (for a progress bar)."""
    from ..cluster import list_methods

    config = _check_config(config)
    fair = {m.name: m.fair for m in list_methods()}
    n_fair = sum(fair[m] for m in config.methods)
    return len(config.methods) + (n_fair * len(config.fractions) if config.attack else 0)
