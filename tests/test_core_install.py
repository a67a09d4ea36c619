"""The core install: a clean venv holding only the core dependencies imports every subpackage.

The venv is built without network: `python -m venv --without-pip`, then the distributions
that `pyproject.toml`'s core `dependencies` need (transitively) are linked in from this
interpreter's site-packages, and the repository's `src/` is put on its path. The optional
packages (torch, cvxpy, ortools, zoopt, h5py, dask, fairlearn, ...) are therefore absent,
and using a method that needs one must raise an ImportError naming its extra.
"""

import importlib.metadata as md
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = ["metrics", "datasets", "cluster", "attacks", "defenses", "antidote", "influence", "summarize",
               "optim", "experiments", "report", "report.figures", "deep", "depth", "cli"]
OPTIONAL = ["torch", "cvxpy", "ortools", "kmedoids", "zoopt", "cma", "h5py", "dask", "distributed", "fairlearn",
            "pyarrow"]


def _core_distributions() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    todo = [Requirement(d).name for d in deps]
    seen: set[str] = set()
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        for req in md.requires(name) or []:
            r = Requirement(req)
            if r.marker is None or r.marker.evaluate({"extra": ""}):
                todo.append(r.name)
    return seen


def _link_distribution(name: str, site: Path) -> None:
    dist = md.distribution(name)
    base = Path(dist.locate_file(""))
    for top in {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
        source = base / top
        target = site / top
        if source.exists() and not target.exists() and top != "__pycache__":
            target.symlink_to(source)


@pytest.fixture(scope="module")
def core_python(tmp_path_factory):
    venv = tmp_path_factory.mktemp("core-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    core = _core_distributions()
    assert not core & {"torch", "cvxpy", "ortools", "zoopt", "h5py", "fairlearn"}, core
    for name in core:
        _link_distribution(name, site)
    (site / "robustfair-src.pth").write_text(str(ROOT / "src") + "\n")
    return venv / "bin" / "python"


def run(python: Path, code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONNOUSERSITE"] = "1"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env, timeout=300)


def test_core_venv_has_no_optional_package(core_python):
    code = "import importlib.util as u; print([m for m in %r if u.find_spec(m) is not None])" % (OPTIONAL,)
    out = run(core_python, code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_every_public_subpackage_imports_with_the_core_only(core_python):
    code = "\n".join([
        "import importlib",
        f"for name in {SUBPACKAGES!r}:",
        "    mod = importlib.import_module('robustfair.' + name)",
        "    for attr in getattr(mod, '__all__', []):",
        "        try:",
        "            getattr(mod, attr)",
        "        except ImportError as exc:",  # a lazily imported method whose extra is missing
        "            assert 'robustfair[' in str(exc), (name, attr, exc)",
        "from robustfair.experiments import list_experiments",
        "print(len(list_experiments()))",
        "from robustfair.datasets import load_dataset",
        "from robustfair.cluster import make_clusterer",
        "from robustfair.metrics import balance",
        "d = load_dataset('inverted-digits')",
        "m = make_clusterer('kfc', 10, random_state=0).fit(d.X, sensitive_features=d.sensitive)",
        "print(round(balance(m.labels_, sensitive_features=d.sensitive), 3))",
    ])
    out = run(core_python, code)
    assert out.returncode == 0, out.stderr
    n_experiments, fair_balance = out.stdout.split()
    assert int(n_experiments) > 10 and float(fair_balance) > 0.5


@pytest.mark.parametrize(
    "code, extra",
    [
        ("from robustfair.antidote import ConvexAntidote\nimport numpy as np\n"
         "ConvexAntidote().fit(np.random.rand(20, 2), sensitive_features=[0, 1] * 10)", "solvers"),
        ("from robustfair.influence import MLPInfluence", "deep"),
        ("from robustfair.optim import Box, minimize\nminimize(lambda x: float(x.sum()), Box([0], [1]), "
         "method='racos', budget=5, random_state=0)", "search"),
        ("from robustfair.summarize import read_h5\nread_h5('x.h5')", "video"),
        ("from robustfair.metrics import classification_by_group\n"
         "classification_by_group([0, 1], [0, 1], sensitive_features=['a', 'b'])", "fairlearn"),
        ("from robustfair.cluster import make_clusterer\nimport numpy as np\n"
         "make_clusterer('cfc', 2, random_state=0).fit(np.random.rand(20, 2), sensitive_features=[0, 1] * 10)",
         "deep"),
    ],
)
def test_a_missing_extra_is_named(core_python, code, extra):
    out = run(core_python, code)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError") and f"robustfair[{extra}]" in last, out.stderr
