"""Shared fixtures of the committed-results tests: a module names its benchmark (``BENCHMARK``,
the script in ``benchmarks/``) and its result file (``RESULT``, in ``benchmarks/results/``)."""

import importlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def payload(request):
    return json.loads((ROOT / "benchmarks" / "results" / f"{request.module.RESULT}.json").read_text())


@pytest.fixture(scope="module")
def bench(request):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        yield importlib.import_module(request.module.BENCHMARK)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
