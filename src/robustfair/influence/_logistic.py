"""Closed-form influence of training points for L2-regularized logistic regression.

The model minimises the mean loss plus a ridge on the coefficients,

    L(theta) = (1/n) sum_i l(x_i, y_i; theta) + (lambda / 2) ||w||^2,   theta = [w, b],

with the intercept ``b`` *not* regularized (as in scikit-learn). scikit-learn's
``LogisticRegression`` minimises ``C sum_i l_i + ||w||^2 / 2``, the same optimum for
``lambda = 1 / (C n)``.

Influence of removing training point j on a validation objective f (influence paper eq.
1-3; thesis eq. 4.5-4.8), in the units of f:

    I_f(-x_j) = (1/n) grad f(theta)^T H^{-1} grad l(x_j, y_j; theta),
    H = X~^T diag(p (1 - p)) X~ / n + lambda diag(1, ..., 1, 0),     X~ = [X, 1],

the first-order estimate of ``f(theta_{-j}) - f(theta)`` where ``theta_{-j}`` is the model
refit without point j at the same ``C``. Every objective is lower-is-better, so a
**negative influence means removing the point helps** (lowers the loss or unfairness): the
points :func:`trim` removes. This is the paper's convention (its trimming deletes the most
negative influences); the paper writes the sum-Hessian without the 1/n, which is the same
number.

Cost: one Hessian ``(X * w[:, None]).T @ X`` (O(n d^2)), one Cholesky factorisation, one
multi-column solve for all objectives, and one ``n x d`` by ``d x m`` product. Per-sample
gradients are ``r_i [x_i, 1]`` with ``r = p - y``, so the product is ``r * ([X, 1] S)`` and no
``n x d x d`` tensor (nor even the ``n x d`` gradient matrix) is ever formed. Memory
O(n d + d^2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, ClassifierMixin

from .._validation import (
    check_array,
    check_consistent_length,
    check_labels,
    check_n_features,
    check_positive,
    record_feature_names,
)
from ._objectives import Objective, _log_loss, _sigmoid, build_objectives

__all__ = ["InfluenceLogisticRegression", "influence_scores", "check_binary_target"]


def check_binary_target(y: Any, name: str = "y", classes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Encode a binary target as 0/1 floats; ``ValueError`` for any other number of classes.

    Returns ``(y01, classes)``; ``classes[1]`` is the positive class (the larger value).
    With ``classes`` given, ``y`` may hold only those values.
    """
    arr = check_labels(y, name)
    if classes is None:
        classes = np.unique(arr)
        if classes.shape[0] != 2:
            shown = ", ".join(map(str, classes[:5])) + (", ..." if classes.shape[0] > 5 else "")
            raise ValueError(
                f"{name} must be a binary target (exactly 2 classes); got {classes.shape[0]} class(es): "
                f"{shown}. Binarize it first, e.g. y = (y == positive_class).astype(int)."
            )
    unknown = ~np.isin(arr, classes)
    if unknown.any():
        raise ValueError(f"{name} holds value {arr[unknown][0]!r}, not one of the training classes {list(classes)}.")
    return (arr == classes[1]).astype(np.float64), classes


class InfluenceLogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary L2-regularized logistic regression that knows its training points' influence.

    Fitted by Newton's method with a Cholesky solve per step (to a gradient norm of
    ``tol``), so leave-one-out refits match the influence estimate's assumptions.

    Parameters
    ----------
    l2 : float >= 0, default=1e-3
        ``lambda`` of the mean-loss objective (module docstring). ``l2=0`` is allowed when
        the Hessian is non-singular; otherwise fitting and influence raise ``ValueError``.
    fit_intercept : bool, default=True
        Append a constant column; its coefficient is not regularized.
    tol : float, default=1e-10
        Stop when the max-norm of the objective's gradient falls below this.
    max_iter : int, default=100

    Attributes
    ----------
    coef_ : ndarray of shape (d,)
    intercept_ : float
    theta_ : ndarray of shape (d + fit_intercept,)
        ``[coef_, intercept_]``: the parameter vector influence is taken with respect to.
    classes_ : ndarray of shape (2,)
    n_iter_ : int
    n_train_ : int
    """

    def __init__(
        self, l2: float = 1e-3, *, fit_intercept: bool = True, tol: float = 1e-10, max_iter: int = 100
    ) -> None:
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter

    # ------------------------------------------------------------------ fitting
    @classmethod
    def from_sklearn(cls, model: Any, X: Any, y: Any) -> InfluenceLogisticRegression:
        """Wrap a fitted ``sklearn.linear_model.LogisticRegression`` (no refit).

        ``X, y`` are the data it was fitted on (needed for ``n``): ``l2 = 1 / (C n)``, or 0
        for ``penalty=None``. Only binary models with an L2 (or no) penalty qualify.
        """
        if not hasattr(model, "coef_"):
            raise ValueError("model must be a fitted sklearn LogisticRegression (it has no coef_); call fit first.")
        penalty = getattr(model, "penalty", "l2")
        l1_ratio = getattr(model, "l1_ratio", None)
        l1_mix = penalty in ("elasticnet", "deprecated") and l1_ratio not in (None, 0, 0.0)
        if penalty not in ("l2", None, "none", "deprecated") or l1_mix:
            raise ValueError(f"model uses penalty={penalty!r}; influence needs an L2 penalty (or none).")
        coef = np.asarray(model.coef_, dtype=np.float64)
        if coef.shape[0] != 1:
            raise ValueError(f"model has {coef.shape[0]} coefficient rows; influence supports binary models only.")
        X = check_array(X, "X")
        y01, classes = check_binary_target(y)
        if not np.array_equal(np.asarray(model.classes_), classes):
            raise ValueError(f"y has classes {list(classes)} but the model was fitted on {list(model.classes_)}.")
        check_consistent_length(X, y01, names=["X", "y"])
        no_penalty = penalty in (None, "none") or not np.isfinite(getattr(model, "C", 1.0))
        out = cls(
            l2=0.0 if no_penalty else 1.0 / (float(model.C) * X.shape[0]), fit_intercept=bool(model.fit_intercept)
        )
        out.coef_ = coef.ravel().copy()
        out.intercept_ = float(np.ravel(model.intercept_)[0]) if model.fit_intercept else 0.0
        out.classes_ = classes
        out.n_iter_ = 0
        out.n_train_ = X.shape[0]
        out.n_features_in_ = X.shape[1]
        return out

    def fit(self, X: Any, y: Any, *, init: Any = None) -> InfluenceLogisticRegression:
        """Fit by Newton's method; ``init`` (a ``theta_`` vector) warm-starts it."""
        X_in = X
        X = check_array(X, "X")
        y01, classes = check_binary_target(y)
        check_consistent_length(X, y01, names=["X", "y"])
        l2 = check_positive(self.l2, "l2", strict=False)
        n, d = X.shape
        p_dim = d + int(bool(self.fit_intercept))
        theta = np.zeros(p_dim) if init is None else check_array(init, "init", ndim=1).copy()
        if theta.shape[0] != p_dim:
            raise ValueError(f"init has {theta.shape[0]} entries; expected {p_dim}.")
        reg = np.full(p_dim, l2)
        if self.fit_intercept:
            reg[-1] = 0.0
        obj = self._objective(X, y01, theta, reg)
        converged = False
        for it in range(1, int(self.max_iter) + 1):  # noqa: B007 - the count is kept after the loop
            p = _sigmoid(self._logit(X, theta))
            grad = self._grad_sum(X, p - y01) / n + reg * theta
            if np.max(np.abs(grad)) < self.tol:
                converged = True
                break
            factor = _cholesky(self._hessian_sum(X, p * (1.0 - p)) / n + np.diag(reg), l2)
            step = scipy.linalg.cho_solve(factor, grad)
            # Backtracking (Armijo) keeps Newton monotone far from the optimum.
            t, decrease = 1.0, float(grad @ step)
            if decrease < 1e-13 * (1.0 + abs(obj)):
                # The Newton decrement is below what the objective can resolve in floating
                # point: inside the quadratic region, so take the full step and stop.
                theta = theta - step
                converged = True
                break
            while t >= 1e-12:
                candidate = theta - t * step
                new_obj = self._objective(X, y01, candidate, reg)
                if new_obj <= obj - 1e-4 * t * decrease:
                    break
                t *= 0.5
            if t < 1e-12:
                # No step lowers the objective any more: optimal to floating-point precision.
                converged = True
                break
            theta, obj = candidate, new_obj
        if not converged:
            import warnings

            from sklearn.exceptions import ConvergenceWarning

            warnings.warn(
                f"Newton's method did not reach tol={self.tol:g} in {self.max_iter} iterations "
                "(separable data with a small l2?); increase l2 or max_iter.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.n_iter_ = it
        self.classes_ = classes
        self.n_train_ = n
        record_feature_names(self, X_in, reset=True)  # n_features_in_, feature_names_in_ for a DataFrame
        self.coef_ = theta[:d].copy()
        self.intercept_ = float(theta[d]) if self.fit_intercept else 0.0
        return self

    @property
    def theta_(self) -> np.ndarray:
        return np.append(self.coef_, self.intercept_) if self.fit_intercept else self.coef_.copy()

    def decision_function(self, X: Any) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError("this InfluenceLogisticRegression is not fitted; call fit(X, y) or from_sklearn first.")
        X_in = X
        X = check_n_features(check_array(X, "X"), self.coef_.shape[0], "X")
        record_feature_names(self, X_in, reset=False)  # names as seen in fit
        return X @ self.coef_ + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    # ------------------------------------------------------------------ influence
    def influence(
        self,
        X: Any,
        y: Any,
        X_val: Any = None,
        y_val: Any = None,
        *,
        objectives: str | Objective | Callable | Sequence[str | Objective | Callable] = "utility",
        sensitive_features: Any = None,
        gamma: float = 1.3,
    ) -> dict[str, np.ndarray]:
        """Influence of removing each training point on each objective.

        Parameters
        ----------
        X, y : the training data the model was fitted on.
        X_val, y_val : the validation set the objectives are measured on.
        objectives : name, Objective, callable, or a sequence of them
            ``"utility"`` (summed validation log-loss), ``"dp"`` (soft demographic parity
            gap), ``"eop"`` (equal-opportunity loss gap on positives), ``"robust"``
            (summed log-loss on the validation set moved across the boundary by
            :func:`linear_evasion_attack` with ``gamma``), or a callable
            ``theta -> gradient`` (``theta = [coef, intercept]``).
        sensitive_features : validation-set group ids, needed by ``dp`` and ``eop``.
        gamma : float, default=1.3
            Overshoot of the evasion attack for ``robust``.

        Returns
        -------
        dict of str to ndarray of shape (n,)
            Predicted ``f(theta without x_j) - f(theta)``; negative = removing x_j helps.
        """
        X, r, p = self._train_residuals(X, y)
        theta = self.theta_
        if X_val is not None:  # one column too many would be read as the intercept: refuse it
            X_val = check_n_features(check_array(X_val, "X_val"), self.coef_.shape[0], "X_val")
        objs = build_objectives(
            objectives,
            theta=theta,
            X_val=X_val,
            y_val=None if y_val is None else check_binary_target(y_val, "y_val", self.classes_)[0],
            sensitive_features=sensitive_features,
            gamma=gamma,
        )
        G = np.column_stack([o.gradient(theta) for o in objs])  # (p, m)
        H = self._hessian_sum(X, p * (1.0 - p)) / X.shape[0] + np.diag(self._reg())
        S = scipy.linalg.cho_solve(_cholesky(H, float(self.l2)), G)  # all objectives in one solve
        # Per-sample gradient of point i is r_i [x_i, 1]: fold r in after one product.
        proj = X @ S[: X.shape[1]]
        if self.fit_intercept:
            proj += S[X.shape[1]]
        proj *= (r / X.shape[0])[:, None]
        return {o.name: proj[:, k].copy() for k, o in enumerate(objs)}

    def hessian(self, X: Any) -> np.ndarray:
        """``X~^T diag(p(1-p)) X~ / n + lambda diag(1,...,1,0)`` at the fitted parameters."""
        X = check_n_features(check_array(X, "X"), self.coef_.shape[0], "X")
        p = _sigmoid(self._logit(X, self.theta_))
        H = self._hessian_sum(X, p * (1.0 - p)) / X.shape[0] + np.diag(self._reg())
        return np.triu(H) + np.triu(H, 1).T

    def inverse_hvp(self, X: Any, G: np.ndarray) -> np.ndarray:
        """Solve ``H S = G`` for all columns of ``G`` with one Cholesky factorisation."""
        return scipy.linalg.cho_solve(_cholesky(self.hessian(X), float(self.l2)), G)

    def loss_gradients(self, X: Any, y: Any) -> np.ndarray:
        """Per-sample gradients ``(p_i - y_i) [x_i, 1]`` as an ``n x p`` matrix."""
        X, r, _ = self._train_residuals(X, y)
        G = X * r[:, None]
        return np.column_stack([G, r]) if self.fit_intercept else G

    # ------------------------------------------------------------------ helpers
    def _reg(self) -> np.ndarray:
        reg = np.full(self.coef_.shape[0] + int(bool(self.fit_intercept)), float(self.l2))
        if self.fit_intercept:
            reg[-1] = 0.0
        return reg

    def _train_residuals(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if not hasattr(self, "coef_"):
            raise ValueError("this InfluenceLogisticRegression is not fitted; call fit(X, y) or from_sklearn first.")
        X = check_n_features(check_array(X, "X"), self.coef_.shape[0], "X")
        y01, _ = check_binary_target(y, "y", self.classes_)
        check_consistent_length(X, y01, names=["X", "y"])
        p = _sigmoid(X @ self.coef_ + self.intercept_)
        return X, p - y01, p

    def _logit(self, X: np.ndarray, theta: np.ndarray) -> np.ndarray:
        d = X.shape[1]
        return X @ theta[:d] + (theta[d] if self.fit_intercept else 0.0)

    def _objective(self, X: np.ndarray, y01: np.ndarray, theta: np.ndarray, reg: np.ndarray) -> float:
        return float(_log_loss(y01, self._logit(X, theta)).mean() + 0.5 * (reg * theta * theta).sum())

    def _grad_sum(self, X: np.ndarray, r: np.ndarray) -> np.ndarray:
        g = r @ X
        return np.append(g, r.sum()) if self.fit_intercept else g

    def _hessian_sum(self, X: np.ndarray, w: np.ndarray) -> np.ndarray:
        """``X~^T diag(w) X~``; only the upper triangle is filled (what Cholesky reads).

        The same matrix as ``(X * w[:, None]).T @ X``, computed as a symmetric rank-k update
        of ``sqrt(w) X`` (BLAS syrk: half the flops, no transposed copy).
        """
        d = X.shape[1]
        Xs = X * np.sqrt(w)[:, None]
        syrk = scipy.linalg.blas.get_blas_funcs("syrk", (Xs,))
        # Xs.T is Fortran-ordered (d x n): syrk(trans=0) forms Xs.T @ Xs without copying.
        core = syrk(1.0, Xs.T, trans=0, lower=0)
        if not self.fit_intercept:
            return core
        H = np.zeros((d + 1, d + 1))
        H[:d, :d] = core
        H[:d, d] = w @ X
        H[d, d] = w.sum()
        return H


def _cholesky(H: np.ndarray, l2: float):
    """Cholesky factor of the (upper triangle of the) Hessian; ``ValueError`` when singular."""
    hint = "set l2 > 0 (e.g. l2=1e-3)" if l2 == 0 else f"increase l2 (now {l2:g})"
    message = (
        f"The Hessian is singular (not positive definite), so influence is undefined: {hint}, or "
        "remove constant, duplicate or collinear features."
    )
    try:
        factor = scipy.linalg.cho_factor(H, lower=False, check_finite=False)
    except np.linalg.LinAlgError:
        raise ValueError(message) from None
    # Rounding can let a singular matrix through with a tiny pivot: compare the squared
    # pivot ratio (a cheap reciprocal condition estimate) with machine precision.
    pivots = np.abs(np.diag(factor[0]))
    if not np.isfinite(pivots).all() or (pivots.min() / pivots.max()) ** 2 < 1e2 * np.finfo(float).eps * H.shape[0]:
        raise ValueError(message)
    return factor


def influence_scores(
    model: Any,
    X: Any,
    y: Any,
    X_val: Any = None,
    y_val: Any = None,
    *,
    objectives: str | Objective | Callable | Sequence[str | Objective | Callable] = ("utility", "dp", "eop", "robust"),
    sensitive_features: Any = None,
    gamma: float = 1.3,
    l2: float = 1e-3,
) -> dict[str, np.ndarray]:
    """Influence of removing each training point, for a fitted or a fresh model.

    ``model`` is an :class:`InfluenceLogisticRegression`, a fitted scikit-learn
    ``LogisticRegression`` (its ``C`` is mapped to ``l2 = 1/(C n)``), or ``None`` to fit an
    :class:`InfluenceLogisticRegression` with ``l2`` here. See
    :meth:`InfluenceLogisticRegression.influence` for the rest.
    """
    if model is None:
        model = InfluenceLogisticRegression(l2=l2).fit(X, y)
    elif not isinstance(model, InfluenceLogisticRegression):
        model = InfluenceLogisticRegression.from_sklearn(model, X, y)
    return model.influence(
        X, y, X_val, y_val, objectives=objectives, sensitive_features=sensitive_features, gamma=gamma
    )
