"""Griffe extension for the docs build: make lazily exported names visible.

Several subpackages (``robustfair.cluster``, ``robustfair.attacks``, ...) keep imports cheap
by exporting names through a module-level ``_LAZY = {"Name": "._private_module"}`` table and
``__getattr__``. Static analysis cannot follow ``__getattr__`` nor expand ``*_LAZY`` in
``__all__``, so for each module with a ``_LAZY`` literal this extension adds an alias
``package.Name -> package._private_module.Name`` and evaluates ``__all__`` against the
table. The API pages then document those names under their public path, in ``__all__``
order.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe


class LazyExports(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._visit(pkg)

    def _visit(self, module: griffe.Module) -> None:
        table = module.members.get("_LAZY")
        if table is not None and not table.is_alias and table.value is not None:
            lazy = ast.literal_eval(str(table.value))
            for name, target in lazy.items():
                if name not in module.members:
                    module.set_member(name, griffe.Alias(name, f"{module.path}{target}.{name}", parent=module))
            exports = module.members.get("__all__")
            if exports is not None and not exports.is_alias and exports.value is not None:
                # e.g. ["AttackResult", *_LAZY] or list(_LAZY): evaluate with the table only
                code = compile(ast.parse(str(exports.value), mode="eval"), f"{module.path}.__all__", "eval")
                names = eval(code, {"__builtins__": {"list": list, "sorted": sorted}}, {"_LAZY": lazy})
                module.exports = [str(n) for n in names]
        for member in list(module.members.values()):
            if not member.is_alias and member.is_module:
                self._visit(member)
