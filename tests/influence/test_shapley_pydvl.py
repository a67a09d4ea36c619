"""pyDVL's TMC-Shapley as ``influence-shapley`` calls it (``tmc_shapley_values``).

pyDVL 0.10 needs numpy < 2, so these run in ``make test-shapley`` (its own numpy < 2
environment, built from the registry; ``make test`` runs it first) and are skipped in the
main numpy 2 environment, where ``test_shapley_experiment.py`` tests the rest of the
experiment with fake valuations.
"""

import numpy as np
import pytest

pytest.importorskip("pydvl", reason="pyDVL needs numpy < 2: these run in `make test-shapley`")

from robustfair.experiments.influence_shapley import tmc_shapley_values  # noqa: E402

N, FLIPPED = 30, [3, 17]


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2)) + 2.0 * y[:, None]
    return X, y


def test_values_add_up_to_the_full_set_utility_and_flag_the_flipped_labels():
    X, y = blobs(N, 0)
    y[FLIPPED] = 1 - y[FLIPPED]
    X_val, y_val = blobs(200, 1)
    values, info = tmc_shapley_values(X, y, X_val, y_val, C=1.0, fit_intercept=True, seed=0, max_permutations=30)
    assert values.shape == (N,) and np.isfinite(values).all()
    assert info["permutations"] == 30
    # Efficiency: along every permutation the marginals add up to u(D) - u(empty set), where
    # u(empty) is the majority-class default; truncation leaves at most rtol * u(D) out.
    from sklearn.linear_model import LogisticRegression

    full = LogisticRegression(C=1.0).fit(X, y).score(X_val, y_val)
    empty = np.mean(y_val == 0)  # the classes are balanced: the majority is the first
    assert values.sum() == pytest.approx(full - empty, abs=0.02 * full)
    # The two points with flipped labels hurt: both among the five lowest values.
    assert set(FLIPPED) <= set(np.argsort(values)[:5])


def test_same_seed_same_values():
    X, y = blobs(N, 2)
    X_val, y_val = blobs(100, 3)
    a, _ = tmc_shapley_values(X, y, X_val, y_val, C=1.0, fit_intercept=False, seed=4, max_permutations=5)
    b, _ = tmc_shapley_values(X, y, X_val, y_val, C=1.0, fit_intercept=False, seed=4, max_permutations=5)
    np.testing.assert_array_equal(a, b)
