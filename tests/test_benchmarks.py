"""Every benchmark records its machine, date and command; every committed result file has them.

Issue 20, item 3: each ``benchmarks/*.py`` writes ``benchmarks/results/NAME.json`` through
``benchmarks/_common.write``, which records the cores, BLAS, torch device, date and command.
"""

import ast
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))
RESULTS = sorted((BENCH / "results").glob("*.json"))

# Result files written before machine() recorded the torch device (2026-12-03, issue 20). Their
# benchmarks never import torch, but the field is missing; rerunning one removes it from here.
WITHOUT_TORCH_DEVICE = {
    "bench_bera_adult",
    "bench_fair_lloyd",
    "bench_fairlet_flow",
    "bench_fsc_50k",
    "bench_scaling",
    "bench_sfd_kmeans",
    "influence_baselines",  # written (CPU) before write() recorded the torch device
    "influence_trimming",
}


def _common():
    spec = importlib.util.spec_from_file_location("_bench_common", BENCH / "_common.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _calls_common_write(tree: ast.Module) -> bool:
    imported = any(
        isinstance(node, ast.ImportFrom) and node.module == "_common" and any(a.name == "write" for a in node.names)
        for node in ast.walk(tree)
    )
    called = any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "write"
        for node in ast.walk(tree)
    )
    return imported and called


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_every_benchmark_writes_through_common_write(script):
    tree = ast.parse(script.read_text())
    assert _calls_common_write(tree), f"{script.name} does not write its results with _common.write"
    # The record's own fields are set by write(); a payload key of the same name would clash.
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            own = keys & {"benchmark", "machine", "command"}
            assert not own, f"{script.name} sets {own} itself"


def test_write_records_cores_blas_torch_device_date_and_command(tmp_path):
    common = _common()
    out = common.write("probe", {"value": 1.5}, out=tmp_path / "probe.json", device="cuda:0")
    record = json.loads(out.read_text())
    assert record["benchmark"] == "probe" and record["value"] == 1.5
    assert record["command"]
    m = record["machine"]
    assert m["cpu_count"] >= 1 and m["date_utc"].startswith("20")
    assert m["blas"] and all(isinstance(b, str) for b in m["blas"])
    assert m["torch_device"] == "cuda:0"
    listed = common.write("probe", [1, 2], out=tmp_path / "list.json")
    assert json.loads(listed.read_text())["results"] == [1, 2]
    with pytest.raises(ValueError, match="machine"):
        common.write("probe", {"machine": "x86_64"}, out=tmp_path / "bad.json")


@pytest.mark.parametrize("path", RESULTS, ids=[p.stem for p in RESULTS])
def test_committed_results_record_machine_date_and_command(path):
    record = json.loads(path.read_text())
    assert record["benchmark"] == path.stem
    # the command names its script (run from the repository root or from benchmarks/)
    words = record["command"].split()
    assert words[0].startswith("python"), record["command"]
    scripts = [w for w in words if w.endswith(".py")]
    assert scripts and (ROOT / "benchmarks" / Path(scripts[0]).name).exists(), record["command"]
    m = record["machine"]
    assert isinstance(m["cpu_count"], int) and m["date_utc"][:4].isdigit()
    blas = m.get("blas") or [p for p in m["threadpools"] if p["user_api"] == "blas"]
    assert blas, f"{path.name} records no BLAS"
    if path.stem in WITHOUT_TORCH_DEVICE:
        assert "torch_device" not in m, f"{path.name} now records its torch device: drop it from WITHOUT_TORCH_DEVICE"
    else:
        assert "torch_device" in m, f"{path.name} records no torch device"
