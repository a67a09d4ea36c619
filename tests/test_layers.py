"""The layer picture holds: no import from a higher layer, no import cycle between modules."""

import ast
import collections
from pathlib import Path

from robustfair._layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent / "src" / "robustfair"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every robustfair module each module imports, at module level or inside functions."""
    modules = {_module(p) for p in ROOT.rglob("*.py")}
    found: dict[str, set[str]] = collections.defaultdict(set)
    for path in ROOT.rglob("*.py"):
        name = _module(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                targets = [f"{stem}.{a.name}" for a in node.names] + [stem]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for target in targets:
                while target and target not in modules:  # `from x import name`: the module x
                    target = target.rsplit(".", 1)[0] if "." in target else ""
                if target and target != name and not target.startswith(name + "."):
                    found[name].add(target)  # (a package re-exporting its own submodules is not an edge)
    return found


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "robustfair"


def test_every_module_is_in_a_layer():
    rank = {area for layer in LAYERS for area in layer}
    missing = sorted({_area(_module(p)) for p in ROOT.rglob("*.py")} - rank)
    assert not missing, f"add these to robustfair._layers.LAYERS: {missing}"


def test_no_import_from_a_higher_layer():
    rank = {area: i for i, layer in enumerate(LAYERS) for area in layer}
    upward = sorted(f"{src} -> {dst}" for src, dsts in _imports().items() for dst in dsts
                    if rank[_area(dst)] > rank[_area(src)])
    assert not upward, "imports that point up the layers:\n" + "\n".join(upward)


def test_no_import_cycle_between_modules():
    graph = _imports()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    assert not cycles, f"import cycles: {cycles}"


def test_no_library_module_sets_the_matplotlib_backend():
    offenders = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py") if "matplotlib.use(" in p.read_text()]
    assert not offenders, offenders
