"""Mutation testing of the metrics, the exact fair assignment and the fairness attack (mutmut).

Runs ``mutmut run`` with the ``[tool.mutmut]`` settings of ``pyproject.toml`` (it mutates
``src/robustfair/metrics/``, ``src/robustfair/cluster/dfdc_assignment.py`` and
``src/robustfair/attacks/_fairness_attack.py``; each mutant runs only the selected tests that
reach the mutated function), then counts the outcome of every mutant per target and writes
``benchmarks/results/mutation.json``. ``--stage`` names the run (``before`` the tests written
against the survivors, ``after`` them); the other stage already in the file is kept.
docs/testing.md shows the counts (tests/test_docs_numbers.py checks them)::

    pip install -e '.[mutation]'
    python benchmarks/mutation.py --stage after     # about 25 min on two shared cores

``--no-run`` only counts the results mutmut already holds in ``mutants/``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from _common import RESULTS, write

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "metrics": "robustfair.metrics.",
    "cluster/dfdc_assignment.py": "robustfair.cluster.dfdc_assignment.",
    "attacks/_fairness_attack.py": "robustfair.attacks._fairness_attack.",
}
# Survivors by the kind of change, a heuristic on the mutated line (``mutmut show``); the
# first match wins. docs/testing.md says which kinds are accepted and why.
KINDS = [
    ("string constants", r'"XX|XX"|\'XX|[A-Z]{4,}[^a-z]*"|f"[^"]*\{[^}]*\}[^"]*"\)?$|raise ValueError\(None\)'),
    ("argument dropped or defaulted", r"dtype=None|astype\(None\)|view\(None\)|, \)$|, \)\[|dtype=np\.\w+, \)"),
    ("warning and error-state settings", r"errstate|simplefilter|catch_warnings"),
    ("chunk, block and threshold sizes", r"_CHUNK|_BOOT_BLOCK|<<|>>|limit|rows = |block = |2\.0\s*\*\*|\*\* ?\d|_MAX_"),
]
STATUSES = ("killed", "survived", "no tests", "timeout", "suspicious", "segfault", "not checked")


def _mutmut() -> list[str]:
    exe = Path(sys.executable).with_name("mutmut")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mutmut"]


def count(results_text: str) -> dict:
    """Per-target counts and survivors from the lines of ``mutmut results --all true``."""
    per: dict[str, Counter] = {t: Counter() for t in TARGETS}
    survivors: dict[str, list[str]] = {t: [] for t in TARGETS}
    for line in results_text.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if not sep:
            continue
        target = next((t for t, prefix in TARGETS.items() if name.startswith(prefix)), None)
        if target is None:
            continue
        per[target][status] += 1
        if status == "survived":
            survivors[target].append(name)
    out = {}
    for t, c in per.items():
        row = {s.replace(" ", "_"): c.get(s, 0) for s in STATUSES}
        row["mutants"] = sum(c.values())
        tested = row["mutants"] - row["no_tests"] - row["not_checked"]
        row["score_percent"] = round(100 * (row["killed"] + row["timeout"]) / tested, 1) if tested else None
        row["survivors"] = sorted(survivors[t])
        out[t] = row
    return out


def kind_of(mutant: str) -> str:
    """The kind of change a surviving mutant makes (KINDS), from its diff (as ``mutmut show``)."""
    import os
    import re

    from mutmut.__main__ import find_mutant, get_diff_for_mutant

    os.chdir(ROOT)
    diff = get_diff_for_mutant(mutant, path=find_mutant(mutant).path)
    added = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    line = added[0] if added else ""
    for name, pattern in KINDS:
        if re.search(pattern, line):
            return name
    return "other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="after", help="name of this run in the JSON (before / after)")
    parser.add_argument("--no-run", action="store_true", help="count the results already in mutants/")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="delete mutants/ first (a full rerun)")
    parser.add_argument("--wall-seconds", type=float, default=None, help="with --no-run: how long the run took")
    args = parser.parse_args()

    run_command = ["mutmut", "run", "--max-children", str(args.max_children)]
    seconds = args.wall_seconds
    if not args.no_run:
        if args.fresh:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        start = time.perf_counter()
        subprocess.run([*_mutmut(), *run_command[1:]], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
        seconds = round(time.perf_counter() - start, 1)
    text = subprocess.run([*_mutmut(), "results", "--all", "true"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    targets = count(text)
    for row in targets.values():
        kinds = Counter(kind_of(m) for m in row["survivors"])
        row["survivor_kinds"] = {name: kinds.get(name, 0) for name, _ in [*KINDS, ("other", "")]}
    previous = RESULTS / "mutation.json"
    stages = json.loads(previous.read_text()).get("stages", {}) if previous.exists() else {}
    stages[args.stage] = {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "mutmut_command": " ".join(run_command),
        "wall_seconds": seconds,
        "targets": targets,
        "total": {k: sum(t[k] for t in targets.values()) for k in ("mutants", "killed", "survived", "no_tests",
                                                                       "timeout", "suspicious", "not_checked")},
    }
    for t, row in targets.items():
        print(f"{args.stage:7s} {t:28s} {row['mutants']:5d} mutants: {row['killed']:5d} killed, "
              f"{row['survived']:4d} survived, {row['no_tests']:3d} no tests, {row['timeout']:2d} timeout")
    write("mutation", {"tool": f"mutmut {version('mutmut')}", "stages": stages})


if __name__ == "__main__":
    main()
