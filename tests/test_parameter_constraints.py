"""Declarative parameter constraints: an out-of-range or wrongly typed parameter raises a
ValueError naming it and the class, before any work on the data."""

import numpy as np
import pytest
from sklearn.base import clone

from robustfair._validation import InvalidParameterError, check_params
from robustfair.antidote import AntidoteData, ConvexAntidote
from robustfair.cluster import (
    ConsensusFairClustering,
    DeepFairDiscriminativeClustering,
    FairAssignment,
    FairKCenter,
    FairletDecomposition,
    FairLloyd,
    FairSpectralClustering,
    ScalableFairletDecomposition,
)

X = np.random.default_rng(0).normal(size=(40, 2))
S = np.arange(40) % 2

# (class, one bad parameter, its bad value)
CASES = [
    (FairletDecomposition, "t", 0),
    (FairletDecomposition, "method", "kmeans"),
    (ScalableFairletDecomposition, "q", 2.5),
    (FairKCenter, "delta", 1.0),
    (FairKCenter, "n_rounding_trials", 0),
    (FairLloyd, "tol", -1e-3),
    (FairLloyd, "n_init", "ten"),
    (FairSpectralClustering, "variant", "sym"),
    (FairSpectralClustering, "n_neighbors", True + 0.5),
    (FairAssignment, "p", 0.5),
    (FairAssignment, "delta", float("nan")),
    (ConsensusFairClustering, "hops", 5),
    (ConsensusFairClustering, "group_repair", True),
    (DeepFairDiscriminativeClustering, "lr_schedule", "step"),
    (DeepFairDiscriminativeClustering, "vat_eps", 0.0),
    (AntidoteData, "box_quantile", 0.5),
    (AntidoteData, "max_size", 0),
    (ConvexAntidote, "lam", -1.0),
    (ConvexAntidote, "alpha", float("inf")),
]


@pytest.mark.parametrize("cls, name, value", CASES, ids=[f"{c.__name__}-{n}" for c, n, _ in CASES])
def test_a_bad_parameter_raises_a_value_error_naming_it(cls, name, value):
    est = cls(n_clusters=2) if "n_clusters" in cls().get_params() else cls()
    est.set_params(**{name: value})
    with pytest.raises(ValueError, match=rf"'{name}' parameter of {cls.__name__} must be") as info:
        est.fit(X, sensitive_features=S)
    assert isinstance(info.value, InvalidParameterError)  # raised by check_params, not deep in fit


@pytest.mark.parametrize("cls", sorted({c for c, _, _ in CASES}, key=lambda c: c.__name__))
def test_every_parameter_has_a_constraint_and_the_defaults_satisfy_them(cls):
    est = cls()
    assert set(cls._parameter_constraints) == set(est.get_params(deep=False))
    check_params(clone(est))  # the defaults are valid


# -- attacks: the same declarative constraints, checked by attack() before the victim is queried
import inspect  # noqa: E402

from robustfair.attacks import (  # noqa: E402
    AnchoringAttack,
    FairnessAttack,
    GANEvasionAttack,
    RandomFairnessAttack,
    SpillOverPoisoning,
    TransferAttack,
)


def _never_called(*args, **kwargs):
    raise AssertionError("the victim was queried before the parameters were checked")


_ATTACKS = {
    SpillOverPoisoning: lambda: SpillOverPoisoning(_never_called),
    FairnessAttack: lambda: FairnessAttack(_never_called),
    RandomFairnessAttack: lambda: RandomFairnessAttack(_never_called),
    GANEvasionAttack: lambda: GANEvasionAttack(_never_called, eps=0.1, device="cpu"),
    TransferAttack: lambda: TransferAttack(_never_called, eps=0.1, n_clusters=2, device="cpu"),
    AnchoringAttack: lambda: AnchoringAttack(),
}
ATTACK_CASES = [
    (SpillOverPoisoning, "method", "adam"),
    (SpillOverPoisoning, "max_queries", 1),
    (SpillOverPoisoning, "depth_quantile", 1.5),
    (SpillOverPoisoning, "search_scale", "yes"),
    (FairnessAttack, "budget", -1),
    (FairnessAttack, "objective", "accuracy"),
    (FairnessAttack, "attacker_fraction", 1.0),
    (RandomFairnessAttack, "attacker_fraction", -0.1),
    (GANEvasionAttack, "lr", 0.0),
    (GANEvasionAttack, "norm", "l3"),
    (GANEvasionAttack, "epochs", 0),
    (GANEvasionAttack, "target_cluster", -1),
    (TransferAttack, "surrogate", "vit"),
    (TransferAttack, "n_clusters", 1),
    (AnchoringAttack, "epsilon", 0.0),
    (AnchoringAttack, "n_targets", 0),
]


@pytest.mark.parametrize("cls, name, value", ATTACK_CASES, ids=[f"{c.__name__}-{n}" for c, n, _ in ATTACK_CASES])
def test_a_bad_attack_parameter_raises_before_any_query(cls, name, value):
    attack = _ATTACKS[cls]()
    setattr(attack, name, value)
    images = np.random.default_rng(0).uniform(size=(8, 64))
    y = np.arange(8) % 2
    with pytest.raises(ValueError, match=rf"'{name}' parameter of {cls.__name__} must be") as info:
        if cls is TransferAttack:
            attack.fit(images)
        elif cls is GANEvasionAttack:
            attack.attack(images)
        elif cls is AnchoringAttack:
            attack.attack(X, y=S, sensitive_features=S)
        elif cls is SpillOverPoisoning:
            attack.attack(X)
        else:
            attack.attack(X, y=y.repeat(5), sensitive_features=S)
    assert isinstance(info.value, InvalidParameterError)


@pytest.mark.parametrize("cls", list(_ATTACKS), ids=lambda c: c.__name__)
def test_every_attack_parameter_has_a_constraint_and_the_defaults_satisfy_them(cls):
    params = set(inspect.signature(cls.__init__).parameters) - {"self"}
    assert set(cls._parameter_constraints) == params
    check_params(_ATTACKS[cls]())
