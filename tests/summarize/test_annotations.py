"""Cronbach's alpha and the annotation figures (thesis 3.2.4)."""

import numpy as np
import pytest

from robustfair.report.figures.video import (
    plot_annotator_heatmap,
    plot_group_violins,
    plot_importance_with_groups,
)
from robustfair.summarize import cronbach_alpha


def test_cronbach_alpha_matches_hand_computation():
    # 4 frames x 3 annotators
    r = np.array([[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 5, 5]], dtype=float)
    item_vars = [np.var(r[:, j], ddof=1) for j in range(3)]  # 5/3, 9/4, 19/12 (sum 5.5)
    total_var = np.var(r.sum(axis=1), ddof=1)                # totals 5, 7, 10, 14 -> 46/3
    expected = 3 / 2 * (1 - sum(item_vars) / total_var)
    assert cronbach_alpha(r) == pytest.approx(expected)
    assert cronbach_alpha(r) == pytest.approx(1.5 * (1 - 5.5 / (46 / 3)))  # = 0.96196


def test_identical_annotators_give_alpha_one():
    col = np.array([1.0, 3.0, 2.0, 5.0])
    assert cronbach_alpha(np.stack([col] * 4, axis=1)) == pytest.approx(1.0)


def test_alpha_needs_two_annotators():
    with pytest.raises(ValueError, match="ratings"):
        cronbach_alpha(np.ones((5, 1)))


def test_the_old_figure_names_warn_and_give_the_moved_functions():
    import robustfair.summarize as summarize

    with pytest.warns(DeprecationWarning, match="robustfair.report.figures.video"):
        assert summarize.plot_group_violins is plot_group_violins
    assert "plot_group_violins" not in summarize.__all__


def test_figures_are_returned():
    from matplotlib.figure import Figure

    rng = np.random.default_rng(0)
    g = (rng.random((200, 2)) < 0.4).astype(float)
    figs = [plot_annotator_heatmap(rng.integers(1, 6, size=(200, 5))),
            plot_group_violins({"video_1": g, "video_2": g[:, :1]}, group_names={"video_1": ["F", "M"]}),
            plot_importance_with_groups(rng.random(200), g, group_names=["F", "M"])]
    assert all(isinstance(f, Figure) for f in figs)
    with pytest.raises(ValueError, match="group_labels"):
        plot_importance_with_groups(rng.random(100), g)
