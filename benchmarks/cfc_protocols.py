"""CFC under the fairness attack: the thesis' settings against our robust default, 3 seeds (issue 25).

Thesis 4.1.5, Tables 4.3 and 4.4: 15% of the protected-group labels switched by the attacker,
Balance / Entropy / NMI / ACC of CFC on the defender set G_D before and after the attack. Every
cell is one ``fairness-attack`` run (``methods=cfc``, ``fractions=0.15``, ``cfc_budget=5``, the
clean reference J) of one data set, one CFC variant and one seed:

* ``ours``: ``cfc_protocol="ours"``, the default settings (``cfc_epochs`` 100, dropout 0.1,
  balanced rounding, no group repair), our attack and the random one;
* ``ours-repair-0.8`` / ``ours-repair-0.75``: the same with ``cfc_group_repair``;
* ``thesis``: ``cfc_protocol="thesis"`` (``CFC_THESIS_PARAMS``: r = 100, tau = 2, dropout 0.6,
  per-data-set R / alpha / beta, argmax labels, no repair) with the thesis' 3,000 epochs, our
  attack only (the thesis reports no random attack on CFC). With ``--thesis-epochs E`` below
  3,000 the variant is named ``thesis-settings-E-epochs``: the thesis' settings, *not* its
  protocol, which trains 3,000 epochs.

The file is resumable: a cell already in ``benchmarks/results/cfc_protocols.json`` is skipped,
and the file is rewritten after every cell. ``summary`` holds per data set and variant the
seed means, the balance ratio post/pre (ratio of the seed means) and the relative NMI change.

Usage (``$ROBUSTFAIR_DATA`` must hold the image data sets; inverted digits is built in)::

    python benchmarks/cfc_protocols.py --cells inverted-digits:ours,inverted-digits:thesis --seeds 3
    python benchmarks/cfc_protocols.py --cells inverted-digits:thesis --thesis-epochs 500 --seeds 3
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from _common import command, write

OUT = Path(__file__).resolve().parent / "results" / "cfc_protocols.json"
METRICS = ("balance", "fairness_entropy", "nmi", "acc")
VARIANTS = {
    "ours": {"settings": {}, "attacks": ["ours", "random"]},
    "ours-repair-0.8": {"settings": {"cfc_group_repair": 0.8}, "attacks": ["ours", "random"]},
    "ours-repair-0.75": {"settings": {"cfc_group_repair": 0.75}, "attacks": ["ours", "random"]},
    "thesis": {"settings": {"cfc_protocol": "thesis"}, "attacks": ["ours"]},
}
THESIS_EPOCHS = 3000


def variant_name(variant: str, thesis_epochs: int) -> str:
    if variant == "thesis" and thesis_epochs != THESIS_EPOCHS:
        return f"thesis-settings-{thesis_epochs}-epochs"
    return variant


def run_cell(dataset: str, variant: str, seed: int, thesis_epochs: int) -> dict:
    import torch

    from robustfair.experiments import get_experiment
    from robustfair.experiments.fairness_attack import fairness_attack

    torch.set_num_threads(1)
    spec = VARIANTS[variant]
    values = {"dataset": dataset, "methods": ["cfc"], "fractions": [0.15], "attacks": spec["attacks"],
              **spec["settings"]}
    if variant == "thesis" and thesis_epochs != THESIS_EPOCHS:
        values["cfc_epochs"] = thesis_epochs
    config = get_experiment("fairness-attack").make_config(values)
    start = time.perf_counter()
    records = fairness_attack(config, seed)
    seconds = time.perf_counter() - start
    metrics: dict[str, dict[str, float]] = {}
    n_queries = None
    for rec in records:
        if rec.keys.get("role") == "figure":
            continue
        if rec.metric in METRICS:
            metrics.setdefault(rec.keys["attack"], {})[rec.metric] = rec.value
        elif rec.metric == "n_queries":
            n_queries = int(rec.value)
    epochs = thesis_epochs if variant == "thesis" else config.cfc_epochs
    return {"dataset": dataset, "variant": variant_name(variant, thesis_epochs), "seed": seed, "epochs": epochs,
            "run_command": command(),
            "settings": values, "metrics": metrics, "n_queries": n_queries, "seconds": seconds}


def summarize(cells: dict) -> dict:
    import numpy as np

    groups: dict[str, list[dict]] = {}
    for cell in cells.values():
        groups.setdefault(f"{cell['dataset']}|{cell['variant']}", []).append(cell)
    out = {}
    for key, rows in sorted(groups.items()):
        rows = sorted(rows, key=lambda c: c["seed"])
        attacks = sorted({a for r in rows for a in r["metrics"]})
        mean = {a: {m: float(np.mean([r["metrics"][a][m] for r in rows])) for m in METRICS} for a in attacks}
        entry = {"seeds": [r["seed"] for r in rows], "n_seeds": len(rows), "epochs": rows[0]["epochs"], "mean": mean,
                 "balance_post_over_pre": mean["ours"]["balance"] / mean["none"]["balance"]
                 if mean["none"]["balance"] > 0 else None,
                 "nmi_change": mean["ours"]["nmi"] / mean["none"]["nmi"] - 1.0 if mean["none"]["nmi"] > 0 else None,
                 "per_seed_balance_ratio": [r["metrics"]["ours"]["balance"] / r["metrics"]["none"]["balance"]
                                            if r["metrics"]["none"]["balance"] > 0 else None for r in rows],
                 "seconds": float(sum(r["seconds"] for r in rows))}
        out[key] = entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="", help="comma-separated dataset:variant, run in this order")
    parser.add_argument("--merge", nargs="*", default=[],
                        help="result files of split runs (--out) whose cells to add to --out's file")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed-from", type=int, default=0, help="run seeds seed_from..seeds-1 (split a run in two)")
    parser.add_argument("--thesis-epochs", type=int, default=THESIS_EPOCHS)
    parser.add_argument("--deadline-minutes", type=float, default=None, help="start no cell after this long")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    out = Path(args.out)
    if not args.cells and not args.merge:
        raise SystemExit("give --cells to run or --merge files to add")
    for part in args.merge:  # split runs (e.g. --seed-from on two processes) written to their own files
        for key, cell in json.loads(Path(part).read_text())["cells"].items():
            _save(out, key, cell)
    cells: dict = json.loads(out.read_text())["cells"] if out.exists() else {}
    start = time.perf_counter()
    for item in filter(None, args.cells.split(",")):
        dataset, variant = item.split(":")
        if variant not in VARIANTS:
            raise SystemExit(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")
        for seed in range(args.seed_from, args.seeds):
            key = f"{dataset}|{variant_name(variant, args.thesis_epochs)}|{seed}"
            if key in cells:
                continue
            if args.deadline_minutes is not None and time.perf_counter() - start > 60 * args.deadline_minutes:
                print("deadline reached; stopping before", key, flush=True)
                break
            cell = run_cell(dataset, variant, seed, args.thesis_epochs)
            m = cell["metrics"]
            print(f"{key}: balance {m['none']['balance']:.3f} -> {m['ours']['balance']:.3f}, "
                  f"nmi {m['none']['nmi']:.3f} -> {m['ours']['nmi']:.3f}, {cell['seconds']:.0f} s", flush=True)
            cells = _save(out, key, cell)


def _save(out: Path, key: str, cell: dict) -> dict:
    """Add one cell to the file, under a lock, re-reading it first (two runs may share the file)."""
    import fcntl
    import tempfile

    with open(Path(tempfile.gettempdir()) / f"{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cells = json.loads(out.read_text())["cells"] if out.exists() else {}
        cells[key] = cell
        payload = {"protocol": "fairness-attack, methods=cfc, fractions=0.15, cfc_budget=5, cfc_reference=clean",
                   "thesis_epochs": THESIS_EPOCHS, "cells": dict(sorted(cells.items())), "summary": summarize(cells)}
        write("cfc_protocols", payload, out=out)
    return cells


if __name__ == "__main__":
    main()
