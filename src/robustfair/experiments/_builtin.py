"""Import every public experiment module so its ``@register`` decorators run.

A module whose optional dependency is missing (torch for the deep experiments, say) is
recorded in ``UNAVAILABLE`` instead of breaking every other experiment; asking for one
of its experiments then says which package to install.
"""

import importlib
import pkgutil

from .. import experiments as _pkg

UNAVAILABLE: dict[str, str] = {}

for _mod in pkgutil.iter_modules(_pkg.__path__):
    if not _mod.name.startswith("_"):
        try:
            importlib.import_module(f"{_pkg.__name__}.{_mod.name}")
        except ImportError as _exc:  # optional dependency missing: report, don't break the rest
            UNAVAILABLE[_mod.name] = f"{type(_exc).__name__}: {_exc}"
