"""The one attack contract: every attack exported by robustfair.attacks is a BaseAttack with
``attack(self, X, *, y=None, sensitive_features=None) -> AttackResult``, deterministic for a
fixed random_state, and rejects NaN in X with a ValueError naming X.

Discovery is by behaviour (every exported class with an ``attack`` method), not by base
class, so an attack that skips the base class fails here; one without a fixture below fails
too, so a new attack cannot dodge the contract.
"""

import inspect

import numpy as np
import pytest

import robustfair.attacks as attacks
from robustfair.attacks import AttackResult, BaseAttack, EvasionAttack, PoisoningAttack


def _tabular():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-2, 0.6, size=(20, 2)), rng.normal(2, 0.6, size=(20, 2))])
    s = np.tile([0, 1], 20)
    y = (X[:, 0] + 0.5 * s > 0).astype(int)
    return X, y, s


def _images():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(24, 64))
    X[12:, :32] = np.clip(X[12:, :32] + 0.5, 0, 1)  # two visible groups of 8x8 images
    y = np.repeat([0, 1], 12)
    return X, y


def _kmeans():
    from sklearn.cluster import KMeans

    return KMeans(2, n_init=1, random_state=0)


def _group_aware(X, sensitive_features):
    """A toy fair clusterer: the cluster split moves with the group labels."""
    shift = np.where(np.asarray(sensitive_features) == 1, 0.8, -0.8)
    return (X[:, 0] + shift > 0).astype(int)


def _soft_victim(X):
    logits = np.stack([X[:, :32].mean(1), X[:, 32:].mean(1)], axis=1) * 8.0
    e = np.exp(logits - logits.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def _spillover():
    return attacks.SpillOverPoisoning(_kmeans(), method="random", max_queries=6, random_state=0)


def _fairness():
    return attacks.FairnessAttack(_group_aware, attacker_fraction=0.3, budget=6, random_state=0)


def _random_fairness():
    return attacks.RandomFairnessAttack(_group_aware, attacker_fraction=0.3, random_state=0)


def _anchoring():
    return attacks.AnchoringAttack(0.1, n_targets=3, random_state=0)


def _gan():
    pytest.importorskip("torch")
    return attacks.GANEvasionAttack(_soft_victim, eps=0.1, epochs=1, batch_size=12, n_directions=2,
                                    device="cpu", random_state=0)


def _transfer():
    pytest.importorskip("torch")
    return attacks.TransferAttack(lambda X: _soft_victim(X).argmax(1), eps=0.1, n_clusters=2, surrogate="dec",
                                  surrogate_options={"pretrain_epochs": 1, "epochs": 1, "hidden": (8,),
                                                     "embedding_dim": 2, "batch_size": 12},
                                  attack_options={"epochs": 1, "batch_size": 12}, device="cpu", random_state=0)


def _tab_inputs(**keys):
    X, y, s = _tabular()
    values = {"y": y, "sensitive_features": s}
    return X, {k: values[k] for k in keys}


# name -> (factory, (X, the keyword inputs the attack gets))
FIXTURES = {
    "SpillOverPoisoning": (_spillover, lambda: _tab_inputs()),
    "FairnessAttack": (_fairness, lambda: _tab_inputs(y=True, sensitive_features=True)),
    "RandomFairnessAttack": (_random_fairness, lambda: _tab_inputs(y=True, sensitive_features=True)),
    "AnchoringAttack": (_anchoring, lambda: _tab_inputs(y=True, sensitive_features=True)),
    "GANEvasionAttack": (_gan, lambda: (_images()[0], {"y": _images()[1]})),
    "TransferAttack": (_transfer, lambda: (_images()[0], {"y": _images()[1]})),
}


def _exported_attack_classes():
    out = {}
    for name in attacks.__all__:
        obj = getattr(attacks, name)
        if inspect.isclass(obj) and callable(getattr(obj, "attack", None)) and not inspect.isabstract(obj):
            if obj not in (BaseAttack, PoisoningAttack, EvasionAttack):
                out[name] = obj
    return out


def test_every_exported_attack_has_a_fixture_here():
    found = _exported_attack_classes()
    assert set(found) == set(FIXTURES), "add the new attack to FIXTURES (or remove a stale entry)"


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_attack_is_a_base_attack_of_one_family_with_the_one_signature(name):
    cls = getattr(attacks, name)
    assert issubclass(cls, BaseAttack)
    assert issubclass(cls, PoisoningAttack) != issubclass(cls, EvasionAttack)  # exactly one family
    params = list(inspect.signature(cls.attack).parameters.values())
    got = [(p.name, p.kind, p.default) for p in params]
    P = inspect.Parameter
    assert got == [
        ("self", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("X", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("y", P.KEYWORD_ONLY, None),
        ("sensitive_features", P.KEYWORD_ONLY, None),
    ]
    assert cls.uses_y in ("required", "optional", "unused")
    assert cls.uses_sensitive_features in ("required", "optional", "unused")


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and (np.array_equal(a, b) or (a.dtype.kind == "f" and np.allclose(a, b, equal_nan=True)))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_attack_returns_an_attack_result_and_is_deterministic(name):
    factory, inputs = FIXTURES[name]
    X, kwargs = inputs()
    first = factory().attack(X, **kwargs)
    second = factory().attack(X, **kwargs)
    assert type(first) is AttackResult
    assert first.X_adv.shape[0] >= X.shape[0] and first.n_queries >= 0
    for field in ("X_adv", "changed", "history", "y_adv", "sensitive_features_adv"):
        assert _same(getattr(first, field), getattr(second, field)), field
    assert first.metrics_after.keys() == second.metrics_after.keys()
    assert all(_same(first.metrics_after[k], second.metrics_after[k]) for k in first.metrics_after)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_nan_in_X_raises_a_value_error_naming_X(name):
    factory, inputs = FIXTURES[name]
    X, kwargs = inputs()
    X = X.copy()
    X[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"\bX\b.*NaN"):
        factory().attack(X, **kwargs)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_required_inputs_are_enforced_and_unused_ones_rejected(name):
    factory, inputs = FIXTURES[name]
    cls = getattr(attacks, name)
    X, kwargs = inputs()
    _, _, s = _tabular()
    n = X.shape[0]
    extra = {"y": np.zeros(n, dtype=int), "sensitive_features": np.resize(s, n)}
    for arg in ("y", "sensitive_features"):
        use = getattr(cls, "uses_y" if arg == "y" else "uses_sensitive_features")
        if use == "required":
            with pytest.raises(ValueError, match=f"needs {arg}="):
                factory().attack(X, **{k: v for k, v in kwargs.items() if k != arg})
            with pytest.raises(ValueError, match=arg):
                factory().attack(X, **{**kwargs, arg: np.asarray(kwargs[arg])[:-1]})  # one entry short
        elif use == "unused":
            with pytest.raises(ValueError, match=f"does not use {arg}"):
                factory().attack(X, **{**kwargs, arg: extra[arg]})
