"""Closed-form influence for L2-regularized logistic regression."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression

from robustfair.datasets._influence_data import load_toy_influence, split_parts
from robustfair.influence import InfluenceLogisticRegression, influence_scores, trim
from robustfair.influence._objectives import build_objectives

OBJECTIVES = ["utility", "dp", "eop", "robust"]


@pytest.fixture(scope="module")
def toy():
    parts = split_parts(load_toy_influence(random_state=0))
    return parts["train"], parts["validation"]


def _dense_reference(model, X, y, objs):
    """Explicit per-sample gradients, explicit Hessian inverse: the textbook formula."""
    n = X.shape[0]
    Xa = np.column_stack([X, np.ones(n)])
    p = 1 / (1 + np.exp(-(Xa @ model.theta_)))
    H = np.einsum("a,ai,aj->ij", p * (1 - p), Xa, Xa) / n + np.diag(np.append(np.full(X.shape[1], model.l2), 0))
    G = Xa * (p - y)[:, None]
    return np.column_stack([G @ np.linalg.solve(H, o.gradient(model.theta_)) / n for o in objs])


def test_leave_one_out_spearman_at_least_099_on_toy(toy):
    tr, va = toy
    l2 = 0.01
    model = InfluenceLogisticRegression(l2=l2).fit(tr.X, tr.y)
    scores = model.influence(tr.X, tr.y, va.X, va.y, objectives=OBJECTIVES, sensitive_features=va.sensitive)
    objs = build_objectives(OBJECTIVES, theta=model.theta_, X_val=va.X, y_val=va.y.astype(float),
                            sensitive_features=va.sensitive, gamma=1.3)
    base = np.array([o.value(model.theta_) for o in objs])
    n = tr.n_samples
    actual = np.empty((n, len(objs)))
    for j in range(n):
        keep = np.arange(n) != j
        refit = InfluenceLogisticRegression(l2=l2 * n / (n - 1)).fit(tr.X[keep], tr.y[keep], init=model.theta_)
        actual[j] = [o.value(refit.theta_) for o in objs] - base
    for k, name in enumerate(OBJECTIVES):
        rho = spearmanr(scores[name], actual[:, k])[0]
        assert rho >= 0.99, (name, rho)
        # Scale: the first-order estimate is in the units of the actual change.
        slope = np.polyfit(scores[name], actual[:, k], 1)[0]
        assert 0.5 < slope < 2.5, (name, slope)


def test_matches_dense_textbook_formula(toy):
    tr, va = toy
    model = InfluenceLogisticRegression(l2=1e-3).fit(tr.X, tr.y)
    scores = model.influence(tr.X, tr.y, va.X, va.y, objectives=OBJECTIVES, sensitive_features=va.sensitive)
    objs = build_objectives(OBJECTIVES, theta=model.theta_, X_val=va.X, y_val=va.y.astype(float),
                            sensitive_features=va.sensitive, gamma=1.3)
    ref = _dense_reference(model, tr.X, tr.y, objs)
    ours = np.column_stack([scores[o] for o in OBJECTIVES])
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())


def test_fit_agrees_with_sklearn_and_from_sklearn_maps_C(toy):
    tr, va = toy
    C = 2.0
    sk = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(tr.X, tr.y)
    ours = InfluenceLogisticRegression(l2=1 / (C * tr.n_samples)).fit(tr.X, tr.y)
    np.testing.assert_allclose(ours.coef_, sk.coef_.ravel(), atol=1e-6)
    assert abs(ours.intercept_ - sk.intercept_[0]) < 1e-6
    wrapped = InfluenceLogisticRegression.from_sklearn(sk, tr.X, tr.y)
    assert wrapped.l2 == pytest.approx(1 / (C * tr.n_samples))
    a = wrapped.influence(tr.X, tr.y, va.X, va.y)["utility"]
    b = influence_scores(sk, tr.X, tr.y, va.X, va.y, objectives="utility")["utility"]
    c = ours.influence(tr.X, tr.y, va.X, va.y)["utility"]
    np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-9)


def test_without_intercept_matches_reference(toy):
    tr, va = toy
    model = InfluenceLogisticRegression(l2=1e-2, fit_intercept=False).fit(tr.X, tr.y)
    assert model.theta_.shape == (2,) and model.intercept_ == 0.0
    scores = model.influence(tr.X, tr.y, va.X, va.y)["utility"]
    p = 1 / (1 + np.exp(-(tr.X @ model.coef_)))
    H = (tr.X * (p * (1 - p))[:, None]).T @ tr.X / tr.n_samples + 1e-2 * np.eye(2)
    pv = 1 / (1 + np.exp(-(va.X @ model.coef_)))
    g = (pv - va.y) @ va.X
    ref = (tr.X * (p - tr.y)[:, None]) @ np.linalg.solve(H, g) / tr.n_samples
    np.testing.assert_allclose(scores, ref, rtol=1e-9)


def test_negative_utility_influence_means_removal_lowers_validation_loss(toy):
    tr, va = toy
    model = InfluenceLogisticRegression(l2=1e-2).fit(tr.X, tr.y)
    scores = model.influence(tr.X, tr.y, va.X, va.y)["utility"]
    objective = build_objectives("utility", theta=model.theta_, X_val=va.X, y_val=va.y.astype(float),
                                 sensitive_features=None, gamma=1.3)[0]
    keep = trim(scores, 5)
    refit = InfluenceLogisticRegression(l2=1e-2 * tr.n_samples / keep.sum()).fit(tr.X[keep], tr.y[keep])
    assert objective.value(refit.theta_) < objective.value(model.theta_)


def test_callable_objective_equals_builtin(toy):
    tr, va = toy
    model = InfluenceLogisticRegression(l2=1e-2).fit(tr.X, tr.y)

    def validation_loss_gradient(theta):
        p = 1 / (1 + np.exp(-(va.X @ theta[:2] + theta[2])))
        return np.append((p - va.y) @ va.X, (p - va.y).sum())

    scores = model.influence(tr.X, tr.y, va.X, va.y, objectives=["utility", validation_loss_gradient])
    np.testing.assert_allclose(scores["validation_loss_gradient"], scores["utility"], rtol=1e-12)


def test_string_labels_are_accepted(toy):
    tr, va = toy
    labels = np.array(["bad", "good"])
    model = InfluenceLogisticRegression(l2=1e-2).fit(tr.X, labels[tr.y])
    numeric = InfluenceLogisticRegression(l2=1e-2).fit(tr.X, tr.y)
    np.testing.assert_allclose(model.influence(tr.X, labels[tr.y], va.X, labels[va.y])["utility"],
                               numeric.influence(tr.X, tr.y, va.X, va.y)["utility"])


def test_one_group_validation_set_raises(toy):
    tr, va = toy
    model = InfluenceLogisticRegression().fit(tr.X, tr.y)
    with pytest.raises(ValueError, match="exactly 2"):
        model.influence(tr.X, tr.y, va.X, va.y, objectives="dp", sensitive_features=np.zeros(va.n_samples))
    with pytest.raises(ValueError, match="sensitive_features is required"):
        model.influence(tr.X, tr.y, va.X, va.y, objectives="eop")


def test_non_binary_target_raises():
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match="binary target"):
        InfluenceLogisticRegression().fit(X, np.arange(30) % 3)


def test_singular_hessian_without_regularization_raises():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    X = np.column_stack([X, X[:, 0]])  # duplicate column: X^T W X is singular
    y = (rng.uniform(size=60) < 0.5).astype(int)
    with pytest.raises(ValueError, match="l2 > 0"):
        InfluenceLogisticRegression(l2=0.0).fit(X, y)


def test_unknown_objective_lists_choices(toy):
    tr, va = toy
    model = InfluenceLogisticRegression().fit(tr.X, tr.y)
    with pytest.raises(ValueError, match="utility, dp, eop, robust"):
        model.influence(tr.X, tr.y, va.X, va.y, objectives="accuracy")


def test_unfitted_model_raises(toy):
    tr, va = toy
    with pytest.raises(ValueError, match="not fitted"):
        InfluenceLogisticRegression().influence(tr.X, tr.y, va.X, va.y)


def test_a_validation_set_one_column_wider_than_the_model_is_refused():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(int)
    X_val = np.column_stack([X[:20], np.ones(20)])  # the extra column looks like an intercept
    model = InfluenceLogisticRegression(l2=1e-2).fit(X, y)
    with pytest.raises(ValueError, match="X_val has 4 features but the model was fitted on 3"):
        influence_scores(model, X, y, X_val, y[:20], objectives="utility")
    with pytest.raises(ValueError, match="X_val has 4 features"):
        influence_scores(None, X, y, X_val, y[:20], objectives=("utility", "robust"))
    with pytest.raises(ValueError, match="X has 4 features"):
        model.predict(X_val)
