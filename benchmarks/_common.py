"""Shared parts of the speed benchmarks: machine record, timing, peak memory, data.

Not a benchmark itself. Every benchmark writes ``benchmarks/results/NAME.json`` through
:func:`write`, holding ``machine()`` (cores, BLAS and OpenMP pools via threadpoolctl, the
torch device, platform), the date, the exact command, and its figures
(``tests/test_benchmarks.py`` checks every script and every committed file). The machine is shared, so targets are stated as
ratios to a baseline timed in the same run (best of ``repeat``), not absolute seconds.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def torch_device() -> str | None:
    """The torch device a benchmark ran on: None when it never imported torch.

    A benchmark that moves work to a GPU passes its device to :func:`write`; otherwise a
    benchmark that imported torch ran on the CPU.
    """
    if "torch" not in sys.modules:
        return None
    return "cpu"


def machine(device: str | None = None) -> dict:
    """Cores, BLAS, thread pools (threadpoolctl), torch device, platform, library versions, date."""
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    pools = [
        {k: p.get(k) for k in ("user_api", "internal_api", "num_threads", "version", "threading_layer")}
        for p in threadpool_info()
    ]
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "blas": sorted({f"{p['internal_api']} {p['version']}" for p in pools if p["user_api"] == "blas"}),
        "torch_device": device if device is not None else torch_device(),
        "torch": sys.modules["torch"].__version__ if "torch" in sys.modules else None,
        "threadpools": pools,
    }


def command() -> str:
    """The command line that ran this script."""
    return " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])


def best_time(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Least wall time of ``repeat`` calls (the run least disturbed by other load) and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def rss_mib() -> float:
    """Current resident set size of this process, MiB (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (VmHWM), MiB.

    Read from /proc rather than ``getrusage``: ``ru_maxrss`` survives ``exec`` and would
    report the parent's peak in a freshly started child.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(args: list[str], timeout: float) -> dict:
    """Run ``python <args>`` in a fresh process (clean peak memory); parse its last JSON line."""
    try:
        proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"timeout after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"status": "error", "stderr_tail": proc.stderr[-600:]}
    return json.loads(lines[-1])


def write(name: str, payload: Any, *, out: str | Path | None = None, device: str | None = None) -> Path:
    """Write ``benchmarks/results/NAME.json`` (or ``out``): benchmark, command, machine, then ``payload``.

    ``payload`` is a mapping (its keys join the top level) or any other JSON value (kept
    under ``"results"``). ``device`` names the torch device when it is not the CPU.
    """
    path = Path(out) if out is not None else RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = dict(payload) if isinstance(payload, dict) else {"results": payload}
    clash = {"benchmark", "command", "machine"} & set(body)
    if clash:
        raise ValueError(f"payload must not set {sorted(clash)}: write() records them itself")
    record = {"benchmark": name, "command": command(), "machine": machine(device), **body}
    path.write_text(json.dumps(record, indent=2, default=str) + "\n")
    print("wrote", path)
    return path


def blobs(n: int, d: int = 5, seed: int = 0, minority: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """Ten Gaussian blobs; group 1 makes up ``minority`` of the data, unevenly per blob."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 5, size=(10, d))
    blob = rng.integers(10, size=n)
    X = centers[blob] + rng.normal(size=(n, d))
    share = minority * np.where(blob < 5, 1.3, 0.7)
    s = (rng.random(n) < share).astype(np.int64)
    return X, s
