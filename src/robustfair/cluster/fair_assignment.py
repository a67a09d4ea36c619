"""Deprecated alias of :mod:`robustfair.cluster.dfdc_assignment` (removed in the next release).

``fair_assignment`` named two things: this module, the exact fair assignment of Deep Fair
Discriminative Clustering, and :class:`robustfair.cluster.FairAssignment`, Bera et al.'s
estimator. The DFDC solver is now :mod:`robustfair.cluster.dfdc_assignment`:

=============================  ===============================
old name (this module)         new name (``dfdc_assignment``)
=============================  ===============================
``solve_fair_assignment``      ``solve_dfdc_assignment``
``fair_assignment_lp``         ``dfdc_assignment_lp``
``fair_assignment_objective``  ``dfdc_assignment_objective``
``FairAssignmentResult``       ``DFDCAssignmentResult``
=============================  ===============================

Importing this module emits a ``DeprecationWarning``; the old names are the new objects.
"""

import warnings

from .dfdc_assignment import (
    DFDCAssignmentResult as FairAssignmentResult,
)
from .dfdc_assignment import (
    dfdc_assignment_lp as fair_assignment_lp,
)
from .dfdc_assignment import (
    dfdc_assignment_objective as fair_assignment_objective,
)
from .dfdc_assignment import (
    solve_dfdc_assignment as solve_fair_assignment,
)

__all__ = ["FairAssignmentResult", "solve_fair_assignment", "fair_assignment_lp", "fair_assignment_objective"]

warnings.warn(
    "robustfair.cluster.fair_assignment is deprecated and will be removed in the next release; use "
    "robustfair.cluster.dfdc_assignment (solve_dfdc_assignment, dfdc_assignment_lp, "
    "dfdc_assignment_objective, DFDCAssignmentResult).",
    DeprecationWarning,
    stacklevel=2,
)
