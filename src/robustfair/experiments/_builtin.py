"""Import every public experiment module so its ``@register`` decorators run."""

import importlib
import pkgutil

from .. import experiments as _pkg

for _mod in pkgutil.iter_modules(_pkg.__path__):
    if not _mod.name.startswith("_"):
        importlib.import_module(f"{_pkg.__name__}.{_mod.name}")
