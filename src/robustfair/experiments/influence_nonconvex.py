"""Influence-based trimming with a non-convex model: ``influence-mlp-trim``.

Influence paper Appendix D.1, Figure 8 (thesis Figure 4.9): the trimming curves of
``influence-trim`` with a two-hidden-layer ReLU MLP as the learner. Influence comes from a
logistic-regression surrogate on the MLP's last hidden layer (the paper's strategy 1,
:class:`~robustfair.influence.MLPInfluence` with ``strategy="surrogate"``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from ._registry import ExperimentConfig, Record, register
from .influence import binary_groups, evaluate, trim_records
from .influence_trimming import _trim_splits

# InfDataSel NNLastLayerIF(l2_reg=1e-4): SGD weight decay 1e-4 on the mean loss and the
# surrogate sklearn LogisticRegression(C=1/l2_reg, fit_intercept=False) on the summed loss.
UPSTREAM_MLP_L2 = 1e-4


class InfluenceMLPTrimConfig(ExperimentConfig):
    datasets: list[str] = Field(default_factory=lambda: ["adult", "bank"], min_length=1)
    objectives: list[str] = Field(
        default_factory=lambda: ["utility", "dp"],
        min_length=1,
        description="utility, dp and/or eop (robust is left out: its attack is on the surrogate's embedding space)",
    )
    budgets: list[float] = Field(
        default_factory=lambda: [0.0, 0.02, 0.05], description="fractions of the training set trimmed (paper: to 5%)"
    )
    methods: list[str] = Field(default_factory=lambda: ["influence", "random"], min_length=1)
    protocol: Literal["paper", "ours"] = Field(
        default="paper",
        description=(
            "paper: InfDataSel APPENDIX-D (surrogate without intercept, l2_reg 1e-4 on the summed loss; the whole "
            "MLP retrained from the same seed on the kept points); ours: the network kept, only the surrogate "
            "(with an intercept, l2 = weight_decay) refit on the kept embeddings, which is what influence predicts"
        ),
    )
    hidden: list[int] | None = Field(
        default=None, description="hidden widths; default: two layers as wide as the input (upstream MLPClassifier)"
    )
    weight_decay: float = Field(default=UPSTREAM_MLP_L2, ge=0, description="MLP weight decay (mean-loss units)")
    surrogate_l2_sum: float = Field(
        default=UPSTREAM_MLP_L2, gt=0, description="paper protocol: the surrogate's l2_reg on the summed loss"
    )
    epochs: int = Field(default=300, ge=1, description="full-batch Adam steps (upstream: 10000 SGD steps on a GPU)")
    lr: float = Field(default=1e-2, gt=0)
    n_samples: int | None = Field(default=4000, ge=10, description="subsample each dataset to this many rows")


class _Deployed:
    """An MLP's network with the surrogate that predicts on its last hidden layer."""

    def __init__(self, mlp: Any, surrogate: Any) -> None:
        self.mlp, self.surrogate = mlp, surrogate
        self.classes_ = surrogate.classes_

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self.surrogate.decision_function(self.mlp.embed(X))


class _Run:
    """How one cell trains its networks and surrogates (protocol, widths, seed)."""

    def __init__(self, config: InfluenceMLPTrimConfig, hidden: tuple[int, ...], seed: int, n_train: int) -> None:
        self.config, self.hidden, self.seed, self.n_train = config, hidden, seed, n_train
        self.paper = config.protocol == "paper"

    def network(self, X: np.ndarray, y: np.ndarray) -> Any:
        from ..influence import MLPInfluence

        # Same seed for every refit, as upstream's fix_seed(42) before each training run.
        c = self.config
        return MLPInfluence(
            self.hidden, l2=c.weight_decay, epochs=c.epochs, lr=c.lr, device="cpu", random_state=self.seed
        ).fit(X, y)

    def surrogate(self, mlp: Any, X: np.ndarray, y: np.ndarray, init: Any = None) -> Any:
        from ..influence import InfluenceLogisticRegression

        if self.paper:  # upstream: LogisticRegression(C=1/l2_reg, fit_intercept=False) on the embeddings
            l2 = self.config.surrogate_l2_sum / X.shape[0]
            return InfluenceLogisticRegression(l2=l2, fit_intercept=False).fit(mlp.embed(X), y, init=init)
        if init is None:
            return mlp.surrogate_
        # Same C (the summed loss's weight) on fewer rows.
        l2 = max(self.config.weight_decay, 1e-8) * self.n_train / X.shape[0]
        return InfluenceLogisticRegression(l2=l2).fit(mlp.embed(X), y, init=init)

    def refit(self, base: _Deployed, X: np.ndarray, y: np.ndarray) -> _Deployed:
        """The deployed model after trimming, trained on the kept rows ``X, y``."""
        if self.paper:  # the whole network retrained on the kept points
            retrained = self.network(X, y)
            return _Deployed(retrained, self.surrogate(retrained, X, y))
        # the network kept; only the surrogate refit on the kept embeddings
        return _Deployed(base.mlp, self.surrogate(base.mlp, X, y, init=base.surrogate.theta_))


def _check_objectives(objectives: list[str]) -> None:
    for name in objectives:
        if name not in ("utility", "dp", "eop"):
            raise ValueError(f"objectives: {name!r} is not available here; choose from utility, dp, eop.")


@register(
    "influence-mlp-trim",
    config=InfluenceMLPTrimConfig,
    description="MLP learner: test accuracy, DP, EOP vs trimming budget, surrogate-influence vs random trimming",
    cites="influence paper Appendix D.1, Figure 8 / thesis Figure 4.9 (figure only: no published numbers)",
    published=(
        {
            "method": "influence",
            "metric": "accuracy",
            "objective": "utility",
            "budget": 0.05,
            "value": "not below random",
            "source": "Fig 8, no number",
        },
        {
            "method": "influence",
            "metric": "dp",
            "objective": "dp",
            "budget": 0.05,
            "value": "|DP| lowered, random not",
            "source": "Fig 8, no number",
        },
    ),
)
def influence_mlp_trim(config: InfluenceMLPTrimConfig, seed: int) -> list[Record]:
    from ..influence import trim

    _check_objectives(config.objectives)
    records: list[Record] = []
    for name in config.datasets:
        tr, va, te = _trim_splits(config, name, seed)
        s_val, s_test = binary_groups(va.sensitive), binary_groups(te.sensitive)
        hidden = tuple(config.hidden) if config.hidden else (tr.n_features, tr.n_features)
        n = tr.n_samples

        run = _Run(config, hidden, seed, n)
        mlp = run.network(tr.X, tr.y)
        base = _Deployed(mlp, run.surrogate(mlp, tr.X, tr.y))
        scores = base.surrogate.influence(
            mlp.embed(tr.X), tr.y, mlp.embed(va.X), va.y, objectives=config.objectives, sensitive_features=s_val
        )
        order = np.random.default_rng(seed).permutation(n)
        fitted_random: dict[int, Any] = {}

        for objective in config.objectives:
            for method in config.methods:
                if method not in ("influence", "random"):
                    raise ValueError(f"methods: unknown method {method!r}; choose influence or random.")
                for fraction in sorted(config.budgets):
                    b = int(round(fraction * n))
                    if method == "influence":
                        keep = trim(scores[objective], b)
                    else:
                        keep = np.ones(n, dtype=bool)
                        keep[order[:b]] = False
                    if b == 0 or not (~keep).any():
                        model = base
                    elif method == "random":  # the same removal for every objective: fit once
                        model = fitted_random.get(b) or run.refit(base, tr.X[keep], tr.y[keep])
                        fitted_random[b] = model
                    else:
                        model = run.refit(base, tr.X[keep], tr.y[keep])
                    keys = {"objective": objective, "budget": fraction}
                    values = evaluate(model, te.X, te.y, s_test, te.X)
                    values.pop("robust_accuracy")  # no attack on the MLP itself
                    records += trim_records(tr.name, method, keys, values, scores[objective], keep)
                    records.append(Record(tr.name, method, "n_trimmed", float((~keep).sum()), keys))
    return records
