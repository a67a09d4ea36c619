"""QueryCounter: a victim's own validation errors are bad input; every other failure propagates."""

import numpy as np
import pytest
from sklearn.cluster import KMeans

from robustfair.attacks import QueryCounter

X = np.random.default_rng(0).normal(size=(12, 2))


class _Broken:
    """A victim whose fit has a bug (not an input problem)."""

    def __init__(self, exc):
        self.exc = exc

    def fit(self, X, sensitive_features=None):
        raise self.exc


@pytest.mark.parametrize("exc", [ZeroDivisionError("division by zero"), RuntimeError("solver crashed"),
                                 KeyError("k"), ImportError("no module named torch")])
def test_a_bug_in_the_victim_propagates_unchanged(exc):
    counter = QueryCounter(_Broken(exc))
    with pytest.raises(type(exc)) as info:  # the old wrapper re-raised these as ValueError
        counter(X, sensitive_features=np.arange(12) % 2)
    assert info.value is exc and not isinstance(info.value, ValueError)
    assert counter.n_queries == 1


@pytest.mark.parametrize("exc", [ValueError("sensitive_features holds 1 distinct group(s)"), TypeError("X: bad")])
def test_validation_errors_reach_the_caller_as_they_are(exc):
    with pytest.raises(type(exc)) as info:
        QueryCounter(lambda X, **kw: (_ for _ in ()).throw(exc))(X)
    assert info.value is exc


def test_a_callable_target_that_divides_by_zero_is_not_bad_input():
    def victim(X):
        return (X[:, 0] / 0.0 > 1).astype(int) // np.zeros(len(X), int)

    with np.errstate(all="raise"), pytest.raises(FloatingPointError):
        QueryCounter(victim)(X)


def test_a_working_victim_is_counted():
    counter = QueryCounter(KMeans(2, n_init=1, random_state=0))
    assert counter(X).shape == (12,) and counter(X).shape == (12,) and counter.n_queries == 2
