"""Zeroth-order search: minimize a black-box function with a fixed query budget.

Attacks and repairs call only :func:`minimize`; switching RACOS for CMA-ES or the RBF
surrogate of the spill-over attack is one argument::

    from robustfair.optim import minimize, Box
    res = minimize(fun, Box(-1, 1, dim=5), method="rbf", budget=200, random_state=0)

zoopt and cma are imported only when their methods run.
"""

from ._minimize import METHODS, minimize
from ._result import OptimizeResult
from ._spaces import Box, Categorical

__all__ = ["minimize", "Box", "Categorical", "OptimizeResult", "METHODS"]
