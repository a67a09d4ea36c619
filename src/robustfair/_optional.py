"""Optional dependencies: one place that imports them and says which extra to install.

``pip install robustfair`` brings only the core (numpy, scipy, scikit-learn, pandas,
pydantic, joblib, tqdm, matplotlib, pooch). Everything else is an extra, and a method that
needs one imports it through :func:`require`, which raises an ``ImportError`` naming the
extra (``pip install 'robustfair[solvers]'``) instead of a bare ``No module named ...``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["EXTRAS", "require"]

#: top-level module -> (PyPI package, robustfair extra that installs it)
EXTRAS: dict[str, tuple[str, str]] = {
    "torch": ("torch", "deep"),
    "cvxpy": ("cvxpy", "solvers"),
    "ortools": ("ortools", "solvers"),
    "kmedoids": ("kmedoids", "solvers"),
    "h5py": ("h5py", "video"),
    "zoopt": ("zoopt", "search"),
    "cma": ("cma", "search"),
    "dask": ("dask[distributed]", "dist"),
    "distributed": ("dask[distributed]", "dist"),
    "fairlearn": ("fairlearn", "fairlearn"),
    "pyarrow": ("pyarrow", "parquet"),
    "pydvl": ("pydvl", "shapley"),
}


def require(module: str, what: str) -> ModuleType:
    """Import ``module`` (``"ortools.graph.python.min_cost_flow"`` works too) or raise.

    Parameters
    ----------
    module : str
        Dotted module name; its first component must be a key of :data:`EXTRAS`.
    what : str
        What needs it, for the message (``"ConvexAntidote"``).

    Raises
    ------
    ImportError
        ``"{what} needs {package}: pip install 'robustfair[{extra}]'"``.
    """
    top = module.split(".")[0]
    package, extra = EXTRAS[top]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        if missing and missing.split(".")[0] != top:
            raise  # the package is there but one of its own imports failed: not ours to rename
        raise ImportError(
            f"{what} needs {package}, which is not installed: pip install 'robustfair[{extra}]'"
            f" (or pip install {package})"
        ) from exc
