"""Figures drawn from results: one module per area, each function returns matplotlib ``Figure`` s.

Experiments hold protocols and produce records; every figure lives here and is drawn
from records (or, for the ``plot_*`` functions, from a result object). The report finds
an experiment's figures by its name, in one registry::

    from robustfair.report.figures import draw_figures, figure_for

    @figure_for("my-experiment")
    def my_figures(records):  # the experiment's stored flat records
        return [("title", fig), ...]

    draw_figures("my-experiment", records)  # what the report embeds

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot state, no backend
chosen here), so drawing one never changes the caller's matplotlib setup.

Areas: ``antidote``, ``audit`` (the audit and ``fairness-audit``), ``deep`` (deep
clustering attacks), ``dfdc``, ``fair_clustering``, ``fairness_attack``, ``influence``,
``spillover`` and ``video``.
"""

from . import antidote, audit, deep, dfdc, fair_clustering, fairness_attack, influence, spillover, video
from ._base import FigureFunction, draw_figures, figure_for, figures_for, registered_figures
from .audit import plot_attack_survival, plot_grouped_metrics
from .spillover import plot_spillover_images, plot_spillover_toy

__all__ = [
    "FigureFunction",
    "antidote",
    "audit",
    "deep",
    "dfdc",
    "draw_figures",
    "fair_clustering",
    "fairness_attack",
    "figure_for",
    "figures_for",
    "influence",
    "plot_attack_survival",
    "plot_grouped_metrics",
    "plot_spillover_images",
    "plot_spillover_toy",
    "registered_figures",
    "spillover",
    "video",
]
