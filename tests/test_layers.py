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


def _module_level_imports(tree: ast.Module) -> list[str]:
    """Modules imported when the module is imported: its top-level statements, not function bodies."""
    names: list[str] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.append(node.module or "")
        elif isinstance(node, (ast.If, ast.Try, ast.With)):  # still run at import time
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    todo.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])
    return names


def test_matplotlib_is_imported_at_module_level_only_in_report():
    """Drawing belongs to the report: elsewhere matplotlib may be imported only inside a function."""
    offenders = sorted(
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if _area(_module(p)) != "report"
        and any(n == "matplotlib" or n.startswith("matplotlib.")
                for n in _module_level_imports(ast.parse(p.read_text())))
    )
    assert not offenders, f"module-level matplotlib imports outside robustfair.report: {offenders}"


def test_module_level_imports_see_guarded_imports_and_skip_function_bodies():
    tree = ast.parse("import numpy\ntry:\n    import matplotlib.pyplot as plt\nexcept ImportError:\n    pass\n"
                     "def f():\n    from matplotlib import figure\n")
    assert sorted(_module_level_imports(tree)) == ["matplotlib.pyplot", "numpy"]


def test_experiments_hold_no_drawing_code():
    """Experiment modules hold protocols; their figures live in robustfair.report.figures."""
    drawing = ("matplotlib", "plt.", ".subplots(", "savefig(")
    offenders = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "experiments").rglob("*.py")
        if any(word in p.read_text() for word in drawing)
    )
    assert not offenders, offenders
