"""The one lazy-import mechanism of the subpackages (module ``__getattr__``, PEP 562).

A subpackage whose names pull in optional or heavy dependencies (torch, cvxpy, OR-Tools)
lists them with the private module that defines each, keeps its literal ``__all__`` (for
linters, type checkers and ``from ... import *``) and gets ``__getattr__`` and ``__dir__``
from :func:`attach`::

    _LAZY = {"DEC": "._dec"}
    __all__ = ["resolve_device", *_LAZY]
    __getattr__, __dir__ = attach(__name__, _LAZY, __all__)

The first access to a lazy name imports its module and caches the value in the package's
namespace, so later lookups never reach ``__getattr__`` again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["attach"]


def attach(
    package: str,
    lazy: Mapping[str, str],
    public: Iterable[str],
    *,
    submodules: Iterable[str] = (),
    moved: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    lazy : mapping of str to str
        Public name -> relative module that defines it (``"._dec"``), imported on first use.
    public : iterable of str
        The package's ``__all__``: what ``dir(package)`` lists.
    submodules : iterable of str
        Public submodules reachable as attributes (``package.fair_assignment``) without
        being listed in ``__all__``.
    moved : mapping of str to (str, str), optional
        Deprecated names: old name -> (absolute module that now defines it, where users
        should import it from). Asking for one warns (``DeprecationWarning``) on every
        access and is never cached, so each old use is reported.
    """
    lazy = dict(lazy)
    subs = frozenset(submodules)
    names = sorted(public)
    old = dict(moved or {})

    def __getattr__(name: str) -> Any:
        if name in old:
            module, new_home = old[name]
            import warnings

            warnings.warn(
                f"{package}.{name} is deprecated and will be removed in the next release; import it from {new_home}.",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(import_module(module), name)
        if name in lazy:
            value = getattr(import_module(lazy[name], package), name)
        elif name in subs:
            value = import_module(f".{name}", package)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return list(names)

    return __getattr__, __dir__
