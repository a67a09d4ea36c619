"""The figure registry: which figures the report draws for which experiment.

An experiment holds a protocol and produces records; the report finds the experiment's
figures here, by experiment name. A figure function takes the experiment's stored flat
records (:meth:`robustfair.experiments.Record.flat`: ``dataset``, ``method``, ``seed``,
``metric``, ``value`` plus the experiment's own keys) and returns ``[(title, Figure), ...]``,
``[]`` when the records hold nothing it can draw. It never reruns the protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["FigureFunction", "draw_figures", "figure_for", "figures_for", "registered_figures", "subplots"]

FigureFunction = Callable[[list[dict[str, Any]]], list[tuple[str, Any]]]

_FIGURES: dict[str, list[FigureFunction]] = {}


def figure_for(*experiments: str) -> Callable[[FigureFunction], FigureFunction]:
    """Register ``fn(records) -> [(title, Figure), ...]`` as figures of the named experiments.

    Several functions may be registered for one experiment; the report draws them in
    registration order. Registering the same function twice for a name is a no-op.

    Examples
    --------
    >>> from robustfair.report.figures import figure_for
    >>> @figure_for("my-experiment")
    ... def my_figures(records):
    ...     return []
    """
    if not experiments or not all(isinstance(e, str) and e for e in experiments):
        raise ValueError("figure_for needs one or more experiment names (non-empty strings).")

    def decorator(fn: FigureFunction) -> FigureFunction:
        for name in experiments:
            registered = _FIGURES.setdefault(name, [])
            if fn not in registered:
                registered.append(fn)
        return fn

    return decorator


def figures_for(name: str) -> list[FigureFunction]:
    """The figure functions registered for experiment ``name`` (``[]`` when none)."""
    return list(_FIGURES.get(name, ()))


def registered_figures() -> dict[str, list[FigureFunction]]:
    """Every experiment name with registered figures, and its figure functions."""
    return {name: list(fns) for name, fns in sorted(_FIGURES.items())}


def draw_figures(name: str, records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Every figure of experiment ``name`` drawn from its flat ``records``.

    The functions registered with :func:`figure_for`; for an experiment registered with the
    deprecated ``register(..., figures=fn)`` and nothing here, ``fn``.
    """
    figures: list[tuple[str, Any]] = []
    for fn in _FIGURES.get(name, ()):
        figures.extend(fn(records))
    if name not in _FIGURES:
        legacy = _legacy_figures(name)
        if legacy is not None:
            figures.extend(legacy(records))
    return figures


def _legacy_figures(name: str) -> FigureFunction | None:
    from ...experiments import get_experiment

    try:
        experiment = get_experiment(name)
    except ValueError:  # stored by an experiment this version no longer has
        return None
    return experiment.figures


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None, layout: Any = None, **kwargs: Any
) -> tuple[Any, Any]:
    """``(Figure, axes)`` like ``pyplot.subplots``, on a bare ``matplotlib.figure.Figure``.

    No pyplot state and no backend: drawing a figure never changes the caller's matplotlib
    setup, and the figure is freed with its last reference.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout=layout)
    return fig, fig.subplots(nrows, ncols, **kwargs)
