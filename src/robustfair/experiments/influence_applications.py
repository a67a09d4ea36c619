"""Influence-based selection beyond a fixed training set: ``distribution-shift``,
``online-learning`` and ``active-learning`` (influence paper Sections 5.1, 5.4, 5.5;
thesis 4.2.5)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from pydantic import Field

from ._registry import ExperimentConfig, Record, register
from .influence import _load, evaluate, split_train_val_test, standardize_parts
from .influence_trimming import _refit, _trim_splits

# ---------------------------------------------------------------------------- distribution-shift
DIST_SHIFT_METHODS = ("vanilla", "reweighing", "exponentiated-gradient")


def reweighing_weights(y: np.ndarray, sensitive: np.ndarray) -> np.ndarray:
    """Kamiran & Calders (2012) reweighing: ``w(s, y) = P(s) P(y) / P(s, y)`` per row.

    Each (group, label) cell gets the weight that makes group and label independent in
    the weighted training set; the weights average to 1.
    """
    _, yi = np.unique(np.asarray(y), return_inverse=True)
    _, si = np.unique(np.asarray(sensitive), return_inverse=True)
    joint = np.zeros((si.max() + 1, yi.max() + 1))
    np.add.at(joint, (si, yi), 1.0)
    joint /= yi.shape[0]
    return joint.sum(axis=1)[si] * joint.sum(axis=0)[yi] / joint[si, yi]


class _HardPredictions:
    """``decision_function`` (+1 / -1) of a classifier that only predicts labels."""

    def __init__(self, predict: Any, classes: np.ndarray) -> None:
        self._predict, self.classes_ = predict, classes

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.where(self._predict(X) == self.classes_[1], 1.0, -1.0)


def _fit_baseline(method: str, X: np.ndarray, y: np.ndarray, s: np.ndarray, config: Any, seed: int) -> Any:
    """A fairness intervention on the logistic regression of ``distribution-shift``.

    The same model throughout: scikit-learn ``C = 1 / l2_sum`` on the summed loss with an
    intercept, which is ``InfluenceLogisticRegression(l2=l2_sum / n)``.
    """
    from sklearn.linear_model import LogisticRegression

    # l2_sum = 0: no penalty, as InfluenceLogisticRegression(l2=0)
    base = LogisticRegression(C=1.0 / config.l2_sum if config.l2_sum > 0 else np.inf, max_iter=2000)
    if method == "reweighing":
        return base.fit(X, y, sample_weight=reweighing_weights(y, s))
    if method == "exponentiated-gradient":
        from .._optional import require

        reductions = require("fairlearn.reductions", "distribution-shift method exponentiated-gradient")
        eg = reductions.ExponentiatedGradient(
            base, reductions.DemographicParity(), eps=config.eg_eps, max_iter=config.eg_max_iter
        )
        with warnings.catch_warnings():  # fairlearn 0.15's own pandas deprecation warnings
            warnings.filterwarnings("ignore", module="fairlearn")
            eg.fit(X, y, sensitive_features=s)
        rng = np.random.RandomState(seed)  # fairlearn draws its randomized predictions from a RandomState
        return _HardPredictions(lambda Z: eg.predict(Z, random_state=rng), np.unique(y))
    raise ValueError(f"methods: unknown method {method!r}; choose from {', '.join(DIST_SHIFT_METHODS)}.")


class DistributionShiftConfig(ExperimentConfig):
    datasets: list[str] = Field(
        default_factory=lambda: ["dist-shift-adult", "dist-shift-adult-loc", "dist-shift-adult-time"], min_length=1
    )
    budget: int = Field(default=600, ge=0, description="points trimmed (paper: 600 = 3.33% of 18000)")
    objective: str = "dp"
    l2_sum: float = Field(default=1.5, ge=0, description="upstream l2_reg on the summed loss; lambda = l2_sum / n")
    methods: list[str] = Field(
        default_factory=lambda: list(DIST_SHIFT_METHODS),
        min_length=1,
        description=(
            "vanilla (logistic regression), reweighing (Kamiran & Calders sample weights), "
            "exponentiated-gradient (fairlearn's reductions with DemographicParity); each also refit on the "
            "points the vanilla model's influence keeps (+trim)"
        ),
    )
    random_control: bool = Field(default=True, description="also refit vanilla without as many random points")
    eg_eps: float = Field(default=0.01, gt=0, description="exponentiated-gradient: allowed DP violation")
    eg_max_iter: int = Field(default=50, ge=1, description="exponentiated-gradient: iterations")


@register(
    "distribution-shift",
    config=DistributionShiftConfig,
    description="ACS income under time / location shift: test accuracy and DP before/after DP trimming, with baselines",
    cites=(
        "influence paper Section 5.1, Figure 4 (figure only; reweighing and fairlearn's exponentiated gradient "
        "stand in for its baselines: FairBatch, RLL, correlation shift and influence reweighing not included)"
    ),
    published=(
        {"method": "vanilla+trim", "metric": "dp", "value": "|DP| lowered", "source": "Fig 4, no number"},
        {"method": "reweighing+trim", "metric": "accuracy", "value": "raised", "source": "Fig 4, other baselines"},
        {
            "method": "exponentiated-gradient+trim",
            "metric": "accuracy",
            "value": "raised",
            "source": "Fig 4, other baselines",
        },
    ),
)
def distribution_shift(config: DistributionShiftConfig, seed: int) -> list[Record]:
    from ..influence import InfluenceLogisticRegression, linear_evasion_attack, trim

    for method in config.methods:
        if method not in DIST_SHIFT_METHODS:
            raise ValueError(f"methods: unknown method {method!r}; choose from {', '.join(DIST_SHIFT_METHODS)}.")
    records: list[Record] = []
    for name in config.datasets:
        parts = standardize_parts(split_train_val_test(_load(config, name, seed, random_state=seed), seed))
        tr, va, te = parts["train"], parts["validation"], parts["test"]
        l2 = config.l2_sum / tr.n_samples
        model = InfluenceLogisticRegression(l2=l2).fit(tr.X, tr.y)
        X_adv = linear_evasion_attack(te.X, model.coef_, model.intercept_)
        scores = model.influence(tr.X, tr.y, va.X, va.y, objectives=config.objective, sensitive_features=va.sensitive)[
            config.objective
        ]
        # Appendix C.2: the points the vanilla model's influence trims are removed for every
        # intervention alike.
        keep = trim(scores, config.budget)
        fits: list[tuple[str, Any]] = []
        for method in config.methods:
            if method == "vanilla":
                fits.append(("vanilla", model))
                fits.append(("vanilla+trim", _refit(l2, tr.n_samples, tr.X[keep], tr.y[keep], model.theta_)))
                if config.random_control:
                    kept = np.ones(tr.n_samples, dtype=bool)
                    kept[np.random.default_rng(seed).choice(tr.n_samples, int((~keep).sum()), replace=False)] = False
                    fits.append(("vanilla+random", _refit(l2, tr.n_samples, tr.X[kept], tr.y[kept], model.theta_)))
            else:
                fits.append((method, _fit_baseline(method, tr.X, tr.y, tr.sensitive, config, seed)))
                fits.append(
                    (f"{method}+trim", _fit_baseline(method, tr.X[keep], tr.y[keep], tr.sensitive[keep], config, seed))
                )
        for method, fitted in fits:
            for metric, value in evaluate(fitted, te.X, te.y, te.sensitive, X_adv).items():
                records.append(Record(name, method, metric, value))
        records.append(Record(name, "vanilla+trim", "n_trimmed", float((~keep).sum())))
    return records


# ---------------------------------------------------------------------------- online-learning
class OnlineLearningConfig(ExperimentConfig):
    datasets: list[str] = Field(default_factory=lambda: ["adult", "bank", "celeba-attributes"], min_length=1)
    models: list[str] = Field(
        default_factory=lambda: ["logistic", "svm"], min_length=1, description="online learners: logistic and/or svm"
    )
    n_batches: int = Field(default=10, ge=1, description="batches the training stream arrives in")
    noise: float = Field(default=1 / 3, ge=0, le=1, description="fraction of labels flipped in each batch")
    budget: float = Field(default=0.1, gt=0, lt=1, description="fraction of each batch trimmed")
    l2: float = Field(default=1e-3, ge=0)
    n_samples: int | None = Field(default=20000, ge=100, description="subsample each dataset to this many rows")


@register(
    "online-learning",
    config=OnlineLearningConfig,
    description="test accuracy of SGD logistic regression / linear SVM on noisy batches, with and without trimming",
    cites="influence paper Section 5.4, Figure 6 A-D",
)
def online_learning(config: OnlineLearningConfig, seed: int) -> list[Record]:
    from sklearn.linear_model import SGDClassifier

    from ..influence import online_trimming

    records: list[Record] = []
    for name in config.datasets:
        tr, va, te = _trim_splits(config, name, seed)
        rng = np.random.default_rng(seed)
        order = rng.permutation(tr.n_samples)
        classes = np.unique(tr.y)
        batches = []
        for chunk in np.array_split(order, config.n_batches):
            y_noisy = tr.y[chunk].copy()
            # One third of each arriving batch has its label flipped (Section 5.4).
            flip = rng.choice(chunk.shape[0], int(round(config.noise * chunk.shape[0])), replace=False)
            y_noisy[flip] = np.where(y_noisy[flip] == classes[1], classes[0], classes[1])
            batches.append((tr.X[chunk], y_noisy))
        for model_name in config.models:
            loss = {"logistic": "log_loss", "svm": "hinge"}.get(model_name)
            if loss is None:
                raise ValueError(f"models: unknown model {model_name!r}; choose logistic or svm.")
            for method, do_trim in (("sgd", False), ("sgd+trim", True)):
                model = SGDClassifier(loss=loss, random_state=seed)
                for step, batch in enumerate(batches):
                    online_trimming(
                        model,
                        [batch],
                        va.X,
                        va.y,
                        budget=config.budget,
                        l2=config.l2,
                        classes=classes,
                        trim_batches=do_trim,
                    )
                    acc = float((model.predict(te.X) == te.y).mean())
                    records.append(Record(tr.name, method, "accuracy", acc, {"model": model_name, "batch": step + 1}))
    return records


# ---------------------------------------------------------------------------- active-learning
class ActiveLearningConfig(ExperimentConfig):
    dataset: str = "diabetic-retinopathy"
    strategies: list[str] = Field(
        default_factory=lambda: ["influence", "random", "uncertainty"],
        min_length=1,
        description="selection strategies compared: influence, random, uncertainty",
    )
    n_rounds: int = Field(default=10, ge=1, description="active-learning rounds")
    per_round: int = Field(default=10, ge=1, description="points labelled per round")
    l2: float = Field(default=1e-2, ge=0, description="surrogate logistic regression for influence")
    tree_reg_param: float = Field(default=1.0, ge=0, description="regularization of the influence tree's leaf values")
    max_depth: int = Field(default=6, ge=1)


@register(
    "active-learning",
    config=ActiveLearningConfig,
    description="linear-SVM test accuracy per active-learning round: influence-tree sampling vs random / uncertainty",
    cites="influence paper Section 5.5, Figure 6 E (entropy and margin sampling rank as uncertainty for a binary SVM)",
)
def active_learning(config: ActiveLearningConfig, seed: int) -> list[Record]:
    from sklearn.svm import LinearSVC

    from ..influence import active_learning_round

    data = _load(config, config.dataset, seed)
    parts = split_train_val_test(data, seed)
    if "pool" not in parts:
        raise ValueError(f"dataset: {data.name!r} has no pool/init split; use diabetic-retinopathy.")
    pool, init, va, te = parts["pool"], parts["init"], parts["validation"], parts["test"]
    # Standardize with the statistics of the data the learner may see (init + pool).
    seen = np.vstack([init.X, pool.X])
    mean, scale = seen.mean(axis=0), seen.std(axis=0)
    scale[scale == 0] = 1.0
    Xp, Xi, Xv, Xt = ((X - mean) / scale for X in (pool.X, init.X, va.X, te.X))
    rng = np.random.default_rng(seed)
    records: list[Record] = []
    for strategy in config.strategies:
        available = np.ones(pool.n_samples, dtype=bool)
        X_lab, y_lab = Xi, init.y
        for round_ in range(config.n_rounds + 1):
            svm = LinearSVC(random_state=seed).fit(X_lab, y_lab)
            records.append(
                Record(
                    data.name,
                    strategy,
                    "accuracy",
                    float((svm.predict(Xt) == te.y).mean()),
                    {"round": round_, "n_labeled": int(y_lab.shape[0])},
                )
            )
            if round_ == config.n_rounds:
                break
            candidates = np.flatnonzero(available)
            if strategy == "influence":
                picked = active_learning_round(
                    X_lab,
                    y_lab,
                    Xp,
                    Xv,
                    va.y,
                    k=config.per_round,
                    l2=config.l2,
                    tree_reg_param=config.tree_reg_param,
                    max_depth=config.max_depth,
                    available=available,
                )
            elif strategy == "random":
                picked = rng.choice(candidates, config.per_round, replace=False)
            elif strategy == "uncertainty":
                margin = np.abs(svm.decision_function(Xp[candidates]))
                picked = candidates[np.argsort(margin, kind="stable")[: config.per_round]]
            else:
                raise ValueError(f"strategies: unknown strategy {strategy!r}; choose influence, random or uncertainty.")
            available[picked] = False
            X_lab = np.vstack([X_lab, Xp[picked]])
            y_lab = np.concatenate([y_lab, pool.y[picked]])
    return records
