"""Figures drawn from results: one module per area, each function returns a matplotlib ``Figure``.

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot state, no backend
chosen here), so drawing one never changes the caller's matplotlib setup.
"""

from .audit import plot_attack_survival, plot_grouped_metrics

__all__ = ["plot_attack_survival", "plot_grouped_metrics"]
