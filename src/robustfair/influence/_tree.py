"""Influence estimation via trees (influence paper Algorithm 1; thesis Algorithm 4).

A CART regression tree maps ``[x, y]`` (the label appended: influence depends on it) to
the influence of the training point, then hierarchical shrinkage (Agarwal et al., 2022)
regularises it: with the leaf-to-root path ``t_w ... t_0`` of a sample, ``xi(t)`` the mean
response in node ``t`` and ``phi(t)`` its sample count,

    h^(q) = xi(t_0) + sum_{j=1..w} (xi(t_j) - xi(t_{j-1})) / (1 + lambda / phi(t_{j-1})).

Fitting the same tree, the predictions equal ``imodels.HSTreeRegressor`` (node-based
scheme) to floating-point precision. The fitted tree gives readable rules
(:meth:`InfluenceTree.rules`), a node table to store it as records
(:meth:`InfluenceTree.node_table`) and a figure (:meth:`InfluenceTree.plot`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.tree import DecisionTreeRegressor

from .._validation import check_array, check_consistent_length, check_labels, check_positive

__all__ = ["InfluenceTree"]


class InfluenceTree(RegressorMixin, BaseEstimator):
    """Regression tree from ``[x, y]`` to influence, with hierarchical shrinkage.

    Parameters
    ----------
    reg_param : float >= 0, default=1.0
        ``lambda`` of hierarchical shrinkage; 0 leaves the CART tree unchanged.
    max_depth, max_leaf_nodes, min_samples_leaf : CART size limits (scikit-learn's).
    use_labels : bool, default=True
        Append the label to the features (Algorithm 1). ``False`` fits on ``x`` only,
        for predicting the influence of unlabeled points (active learning, Section 5.5).
    random_state : int or None

    Attributes
    ----------
    tree_ : sklearn.tree._tree.Tree
        The unshrunk CART tree.
    node_values_ : ndarray of shape (n_nodes,)
        Shrunk prediction of every node (the leaves' are the model's predictions).
    feature_names_ : tuple of str
    """

    def __init__(
        self,
        reg_param: float = 1.0,
        *,
        max_depth: int | None = None,
        max_leaf_nodes: int | None = None,
        min_samples_leaf: int = 1,
        use_labels: bool = True,
        random_state: Any = None,
    ) -> None:
        self.reg_param = reg_param
        self.max_depth = max_depth
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.use_labels = use_labels
        self.random_state = random_state

    def _design(self, X: Any, y: Any) -> np.ndarray:
        X = check_array(X, "X")
        if not self.use_labels:
            return X
        if y is None:
            raise ValueError(
                "y is required when use_labels=True (Algorithm 1 appends the label); "
                "set use_labels=False to work without labels."
            )
        y = check_array(check_labels(y, "y"), "y", ndim=1)  # numeric labels: they become a column
        check_consistent_length(X, y, names=["X", "y"])
        return np.column_stack([X, y])

    def fit(
        self, X: Any, y: Any = None, *, influence: Any, feature_names: Sequence[str] | None = None
    ) -> InfluenceTree:
        """Fit on training rows ``X`` with labels ``y`` and their ``influence`` values."""
        Q = self._design(X, y)
        target = check_array(influence, "influence", ndim=1)
        check_consistent_length(Q, target, names=["X", "influence"])
        lam = check_positive(self.reg_param, "reg_param", strict=False)
        self.estimator_ = DecisionTreeRegressor(
            max_depth=self.max_depth,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state,
        ).fit(Q, target)
        tree = self.estimator_.tree_
        self.tree_ = tree
        raw = tree.value[:, 0, 0]
        counts = tree.weighted_n_node_samples
        parent = np.full(tree.node_count, -1)
        children = np.flatnonzero(tree.children_left >= 0)
        parent[tree.children_left[children]] = children
        parent[tree.children_right[children]] = children
        shrunk = np.empty(tree.node_count)
        shrunk[0] = raw[0]
        # Node ids are a preorder: every parent precedes its children, so one pass works.
        # The loop is over tree nodes (at most 2n - 1), not samples; each step needs its
        # parent's finished value.
        for node in range(1, tree.node_count):
            par = parent[node]
            shrunk[node] = shrunk[par] + (raw[node] - raw[par]) / (1.0 + lam / counts[par])
        self.node_values_ = shrunk
        d = Q.shape[1] - int(self.use_labels)
        names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(d)]
        if len(names) != d:
            raise ValueError(f"feature_names has {len(names)} names for {d} features.")
        self.feature_names_ = tuple(names) + (("y",) if self.use_labels else ())
        self.n_features_in_ = Q.shape[1]
        return self

    def predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Shrunk influence estimate for rows ``X`` (with labels ``y`` when ``use_labels``)."""
        if not hasattr(self, "node_values_"):
            raise ValueError("this InfluenceTree is not fitted; call fit(X, y, influence=...) first.")
        Q = self._design(X, y)
        if Q.shape[1] != self.n_features_in_:
            k = int(self.use_labels)
            raise ValueError(f"expected {self.n_features_in_ - k} features; got {Q.shape[1] - k}.")
        return self.node_values_[self.estimator_.apply(Q)]

    def score(self, X: Any, y: Any = None, sample_weight: Any = None, *, influence: Any = None) -> float:
        from sklearn.metrics import r2_score

        if influence is None:
            raise ValueError("score needs influence= (the true influence values of X).")
        return float(r2_score(influence, self.predict(X, y), sample_weight=sample_weight))

    def rules(self, *, decimals: int = 4) -> list[tuple[str, float, int]]:
        """Every leaf as ``(rule, shrunk influence, n_samples)``, most negative influence first.

        A rule reads ``"x1 <= 0.5 and y > 0.5"``.
        """
        if not hasattr(self, "node_values_"):
            raise ValueError("this InfluenceTree is not fitted; call fit first.")
        tree = self.tree_
        out: list[tuple[str, float, int]] = []
        stack: list[tuple[int, list[str]]] = [(0, [])]
        # Depth-first walk over nodes (not samples) collecting each leaf's conditions.
        while stack:
            node, conds = stack.pop()
            left, right = tree.children_left[node], tree.children_right[node]
            if left < 0:
                out.append(
                    (" and ".join(conds) or "(all)", float(self.node_values_[node]), int(tree.n_node_samples[node]))
                )
                continue
            name = self.feature_names_[tree.feature[node]]
            thr = round(float(tree.threshold[node]), decimals)
            stack.append((right, conds + [f"{name} > {thr}"]))
            stack.append((left, conds + [f"{name} <= {thr}"]))
        return sorted(out, key=lambda item: item[1])

    def node_table(self) -> list[dict[str, float]]:
        """The nodes of the fitted tree as plain numbers, one dict per node id (preorder).

        ``feature`` is the column of ``[x, y]`` split on (``-1`` at a leaf), ``threshold``
        its split value (``0`` at a leaf), ``left``/``right`` the child ids (``-1`` at a
        leaf), ``node_value`` the shrunk influence estimate and ``n_samples`` the node's
        training count: enough to store the tree as records and redraw it, or its regions,
        without the estimator.
        """
        if not hasattr(self, "node_values_"):
            raise ValueError("this InfluenceTree is not fitted; call fit first.")
        t = self.tree_
        return [
            {
                "feature": float(t.feature[i]) if t.children_left[i] >= 0 else -1.0,
                "threshold": float(t.threshold[i]) if t.children_left[i] >= 0 else 0.0,
                "left": float(t.children_left[i]),
                "right": float(t.children_right[i]),
                "node_value": float(self.node_values_[i]),
                "n_samples": float(t.n_node_samples[i]),
            }
            for i in range(t.node_count)
        ]

    def export_text(self, *, decimals: int = 4) -> str:
        """One line per leaf: ``influence (n=...) : rule``."""
        return "\n".join(f"{v:+.{decimals}g} (n={n}) : {rule}" for rule, v, n in self.rules(decimals=decimals))

    def plot(self, ax: Any = None, *, max_depth: int | None = 3, fontsize: int = 8):
        """Deprecated: use :func:`robustfair.report.figures.influence.plot_influence_tree`.

        Draws the tree with its shrunk node values; removed in the next release (figures
        live in the report layer).
        """
        import warnings
        from importlib import import_module

        warnings.warn(
            "InfluenceTree.plot is deprecated and will be removed in the next release; use "
            "robustfair.report.figures.influence.plot_influence_tree(tree).",
            DeprecationWarning,
            stacklevel=2,
        )
        figures = import_module("robustfair.report.figures.influence")  # the one upward arrow, for one release
        return figures.plot_influence_tree(self, ax=ax, max_depth=max_depth, fontsize=fontsize)
