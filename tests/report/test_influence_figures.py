"""Every influence experiment's report figures draw data from its own stored records.

Each experiment runs at its smallest size on generated data (the toy set, random benchmark
data, a generated active-learning split) through ``run_experiment``, as the report does.
"""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from robustfair.datasets import Dataset, register_dataset  # noqa: E402
from robustfair.experiments import run_experiment  # noqa: E402
from robustfair.report.figures import draw_figures, figures_for  # noqa: E402
from robustfair.report.figures.influence import predict_from_nodes  # noqa: E402


@register_dataset("toy-active-learning-test", description="Generated pool / init / validation / test split.")
def _toy_active_learning(root=None):
    rng = np.random.default_rng(0)
    sizes = {"pool": 120, "init": 12, "validation": 40, "test": 40}
    n = sum(sizes.values())
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 3)) + y[:, None]
    data = Dataset(X=X, y=y, sensitive=(rng.uniform(size=n) < 0.5).astype(np.int64), name="toy-active-learning-test")
    data.extras["split"] = np.concatenate([np.full(k, part) for part, k in sizes.items()])
    return data


CASES = {
    "influence-regions": {"objectives": ["utility", "dp"], "budget": 5, "max_depth": 3},
    "influence-trim": {"datasets": ["toy-influence"], "objectives": ["utility", "dp"], "budgets": [0.0, 0.05]},
    "influence-mlp-trim": {"datasets": ["toy-influence"], "objectives": ["utility", "dp"], "budgets": [0.0, 0.05],
                           "hidden": [8, 8], "epochs": 50, "protocol": "ours", "n_samples": None},
    "online-learning": {"datasets": ["toy-influence"], "models": ["logistic"], "n_batches": 2, "n_samples": None},
    "active-learning": {"dataset": "toy-active-learning-test", "strategies": ["influence", "random"],
                        "n_rounds": 2, "per_round": 5, "max_depth": 3},
    "distribution-shift": {"datasets": ["toy-influence"], "budget": 5},
    "bench-influence": {"n": 200, "d": 5, "n_val": 50, "repeats": 1},
}


def _has_data(ax) -> bool:
    return bool(ax.lines or ax.collections or ax.patches or ax.images or ax.texts)


@pytest.mark.parametrize("name", sorted(CASES))
def test_experiment_figures_draw_data_from_stored_records(name):
    import matplotlib.pyplot as plt

    assert figures_for(name)
    records = run_experiment(name, CASES[name], seeds=1).records
    figures = draw_figures(name, records)
    assert figures, f"{name}: no figures"
    try:
        for title, fig in figures:
            assert isinstance(title, str) and title
            axes = fig.get_axes()
            assert axes and any(_has_data(ax) for ax in axes), title
    finally:
        for _, fig in figures:
            plt.close(fig)


@pytest.mark.parametrize("name", sorted(CASES))
def test_experiment_figures_are_empty_without_their_metrics(name):
    unrelated = [{"dataset": "d", "method": "m", "seed": 0, "metric": "balance", "value": 0.5}]
    assert draw_figures(name, unrelated) == []


def test_node_table_reproduces_influence_tree_predictions():
    from robustfair.influence import InfluenceTree

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(80, 2)), rng.integers(0, 2, 80)
    tree = InfluenceTree(0.5, max_depth=4, random_state=0).fit(X, y, influence=X[:, 0] - y)
    nodes = dict(enumerate(tree.node_table()))
    Xq, yq = rng.normal(size=(50, 2)), rng.integers(0, 2, 50)
    np.testing.assert_allclose(predict_from_nodes(nodes, np.column_stack([Xq, yq])), tree.predict(Xq, yq))
