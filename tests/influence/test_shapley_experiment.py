"""``influence-shapley`` without pyDVL: selection, control and records with an injected valuation.

The experiment's own logic (which points each method removes, the random control, the
records, what it hands the valuation) is tested here with small fake valuation functions,
on the built-in toy data; pyDVL's TMC-Shapley itself is tested in
``test_shapley_pydvl.py``, in the numpy < 2 environment of ``make test-shapley``.
"""

import sys

import numpy as np
import pytest

from robustfair.experiments import get_experiment
from robustfair.experiments.influence_shapley import run_influence_shapley

EXP = get_experiment("influence-shapley")
N = 150  # toy-influence training points
BUDGETS = [0.0, 0.02, 0.1]


def config(**values):
    return EXP.make_config({"datasets": ["toy-influence"], "n_train": N, "budgets": BUDGETS, **values})


def table(records):
    return {(r.method, r.metric, r.keys.get("budget")): r.value for r in records}


def _influence(X, y, X_val, y_val, C, fit_intercept):
    """The utility influence the experiment ranks by, recomputed from what the valuation is given."""
    from robustfair.influence import InfluenceLogisticRegression

    model = InfluenceLogisticRegression(l2=1.0 / (C * X.shape[0]), fit_intercept=fit_intercept).fit(X, y)
    return model.influence(X, y, X_val, y_val, objectives="utility")["utility"]


def test_values_ranking_as_influence_select_what_influence_selects():
    # A valuation whose values are the influence itself: Algorithm 2 must then remove the same
    # points for both methods, so every refit, and every record, agrees.
    def same_as_influence(X, y, X_val, y_val, *, C, fit_intercept, seed, **_):
        return _influence(X, y, X_val, y_val, C, fit_intercept), {"permutations": 7.0}

    t = table(run_influence_shapley(config(), 0, valuate=same_as_influence))
    for b in BUDGETS:
        for metric in ("accuracy", "val_accuracy", "n_trimmed"):
            assert t[("tmc-shapley", metric, b)] == t[("influence", metric, b)]
    assert 0 < t[("tmc-shapley", "n_trimmed", 0.1)] <= 15
    assert t[("tmc-shapley", "permutations", None)] == 7.0  # the valuation's own numbers are recorded
    assert t[("tmc-shapley", "spearman_vs_influence", None)] == pytest.approx(1.0)


def test_lowest_values_go_first_and_only_negative_ones():
    # Three points of negative value: Algorithm 2 removes at most those three, whatever the budget.
    def three_bad(X, y, X_val, y_val, **_):
        values = np.ones(X.shape[0])
        values[[4, 40, 90]] = [-1.0, -3.0, -2.0]
        return values, {}

    t = table(run_influence_shapley(config(), 0, valuate=three_bad))
    assert [t[("tmc-shapley", "n_trimmed", b)] for b in BUDGETS] == [0, 3, 3]  # round(0.02 * 150) = 3
    assert [t[("random", "n_trimmed", b)] for b in BUDGETS] == [0, 3, 15]  # the control removes the budget
    # Budget 0 is the untrimmed model for every method.
    assert len({t[(m, "accuracy", 0.0)] for m in ("influence", "tmc-shapley", "random")}) == 1


def test_opposite_ranking_trims_the_points_influence_keeps():
    # Values that are minus the influence put the points whose removal helps most *last*:
    # the trimmed model must then do worse on the validation set than influence trimming.
    def reversed_influence(X, y, X_val, y_val, *, C, fit_intercept, **_):
        return -_influence(X, y, X_val, y_val, C, fit_intercept), {}

    t = table(run_influence_shapley(config(budgets=[0.0, 0.3]), 0, valuate=reversed_influence))
    assert t[("tmc-shapley", "n_trimmed", 0.3)] == 45 > t[("influence", "n_trimmed", 0.3)]
    assert t[("tmc-shapley", "val_accuracy", 0.3)] <= t[("influence", "val_accuracy", 0.3)] - 0.02
    assert t[("tmc-shapley", "spearman_vs_influence", None)] == pytest.approx(-1.0)


def test_the_valuation_gets_the_protocol_model_and_the_settings():
    seen = {}

    def spy(X, y, X_val, y_val, **kwargs):
        seen.update(kwargs, n=X.shape[0], n_val=X_val.shape[0])
        return np.zeros(X.shape[0]), {}

    run_influence_shapley(config(n_train=60, n_val=40, max_permutations=9), 3, valuate=spy)
    assert seen["n"] == 60 and seen["n_val"] == 40
    # paper protocol on a set without an upstream l2_reg: lambda = 1e-4 on the mean loss, no intercept
    assert seen["C"] == pytest.approx(1.0 / (1e-4 * 60)) and seen["fit_intercept"] is False
    assert seen["seed"] == 3 and seen["max_permutations"] == 9 and seen["truncation_rtol"] == 0.01
    run_influence_shapley(config(protocol="ours", l2=0.01), 0, valuate=spy)
    assert seen["C"] == pytest.approx(1.0 / (0.01 * N)) and seen["fit_intercept"] is True


def test_random_control_is_seeded_and_nested():
    def measured(seed):
        return {k: v for k, v in table(run_influence_shapley(config(methods=["random"]), seed)).items()
                if k[1] != "seconds"}

    t0 = measured(0)
    assert t0 == measured(0) and t0 != measured(1)
    t1 = table(run_influence_shapley(config(methods=["random"], budgets=[0.1, 0.3]), 1))
    assert t1[("random", "n_trimmed", 0.3)] == 45


def test_a_bad_valuation_is_refused():
    def short(X, y, X_val, y_val, **_):
        return np.zeros(3), {}

    with pytest.raises(ValueError, match="150 finite values"):
        run_influence_shapley(config(), 0, valuate=short)


def test_unknown_methods_and_budgets_are_refused_by_name():
    with pytest.raises(ValueError, match="methods"):
        EXP.make_config({"methods": "influence,knn-shapley"})
    with pytest.raises(ValueError, match="budgets"):
        EXP.make_config({"budgets": "0,1.0"})


def test_without_pydvl_tmc_shapley_names_the_shapley_extra(monkeypatch):
    for name in ["pydvl", "pydvl.valuation", *[m for m in sys.modules if m.startswith("pydvl.")]]:
        monkeypatch.setitem(sys.modules, name, None)  # an import of pydvl now fails as if missing
    with pytest.raises(ImportError, match=r"pip install 'robustfair\[shapley\]'"):
        EXP.func(config(), 0)
    # The other two methods need no pyDVL.
    t = table(EXP.func(config(methods=["influence", "random"]), 0))
    assert t[("influence", "n_trimmed", 0.1)] > 0 and ("tmc-shapley", "seconds", None) not in t


def test_figure_draws_one_curve_per_method():
    from robustfair.report.figures import draw_figures

    def three_bad(X, y, X_val, y_val, **_):
        values = np.ones(X.shape[0])
        values[:5] = -1.0
        return values, {}

    flat = [r.flat(seed) for seed in (0, 1) for r in run_influence_shapley(config(), seed, valuate=three_bad)]
    (title, fig), = draw_figures("influence-shapley", flat)
    assert title.startswith("toy-influence")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["influence", "tmc-shapley", "random"]
    assert all(list(line.get_xdata()) == BUDGETS for line in ax.get_lines())


def test_a_trim_that_removes_a_whole_class_predicts_the_other():
    from robustfair.experiments.influence_shapley import _splits

    cfg = config(budgets=[0.0, 0.6])
    tr, _, te = _splits(cfg, "toy-influence", 0)
    positive = tr.y == np.unique(tr.y)[1]

    def positives_hurt(X, y, X_val, y_val, **_):
        return np.where(positive, -1.0, 1.0), {}

    t = table(run_influence_shapley(cfg, 0, valuate=positives_hurt))
    assert t[("tmc-shapley", "n_trimmed", 0.6)] == positive.sum() and t[("tmc-shapley", "n_positive_kept", 0.6)] == 0
    assert t[("tmc-shapley", "accuracy", 0.6)] == pytest.approx(np.mean(te.y != np.unique(tr.y)[1]))
    assert t[("influence", "n_positive_kept", 0.0)] == positive.sum()
