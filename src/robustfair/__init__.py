"""robustfair: fairness and robustness under attack, for clustering and classification.

Subpackages (import them explicitly; optional dependencies are imported lazily):

- :mod:`robustfair.metrics` -- group fairness and clustering quality metrics
- :mod:`robustfair.datasets` -- the ``Dataset`` record, built-in and on-disk datasets
- :mod:`robustfair.optim` -- zeroth-order search used by attacks and repairs
- :mod:`robustfair.experiments` -- named experiments, sweeps and the SQLite results store
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("robustfair")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
