"""Label-only transfer attack on a clustering service against sign noise of the same budget.

Runs the ``label-only-transfer`` experiment (thesis 2.4, the Face++ protocol: the attacker
posts images to a label-only clustering service over HTTP, trains a surrogate on the labels
it gets back and attacks the surrogate) for a few services and budgets, and records the
service's NMI per draw before the attack (``pre``), on the transferred images (``post``) and
on images moved by uniform sign noise of the same L-inf budget (``random-noise``). The
attack beats the control in a cell when its post-attack NMI is below the noise's.

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/bench_label_only_transfer.py \
        [--cells mnist-usps:dec:0.1,0.2;yale:eigenface-spectral:0.1,0.2,0.3;yale:dec:0.3] [--seed 0]

Resumable: cells already in ``benchmarks/results/label_only_transfer.json`` with the same
settings are kept (``--fresh`` reruns them). Writes that file.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from _common import RESULTS, write

NAME = "label_only_transfer"
CELLS = "mnist-usps:dec:0.1,0.2;yale:eigenface-spectral:0.1,0.2,0.3;yale:dec:0.3"


def run_cell(dataset: str, service: str, eps: list[float], seed: int) -> dict:
    import torch

    from robustfair.experiments import get_experiment

    torch.set_num_threads(1)
    exp = get_experiment("label-only-transfer")
    config = exp.make_config({"dataset": dataset, "service": service, "eps": eps})
    start = time.perf_counter()
    records = exp.func(config, seed)
    nmi: dict[str, dict[str, list[float]]] = {}
    queries: dict[str, list[float]] = {}
    for r in records:
        if r.metric == "nmi":
            nmi.setdefault(str(r.keys["eps"]), {}).setdefault(r.keys["phase"], []).append(float(r.value))
        elif r.metric == "queries":
            queries.setdefault(str(r.keys["eps"]), []).append(float(r.value))
    per_eps = {
        e: {
            **{f"{phase}_mean": float(np.mean(v)) for phase, v in phases.items()},
            "values": phases,
            "queries_mean": float(np.mean(queries.get(e, [np.nan]))),
            "attack_beats_noise": bool(np.mean(phases["post"]) < np.mean(phases["random-noise"])),
        }
        for e, phases in nmi.items()
    }
    return {"dataset": dataset, "service": service, "eps": per_eps, "seconds": time.perf_counter() - start,
            "config": config.model_dump()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default=CELLS, help="dataset:service:eps,eps;...")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    path = RESULTS / f"{NAME}.json"
    previous = json.loads(path.read_text()) if path.exists() and not args.fresh else {}
    cells = previous.get("cells", {}) if previous.get("seed") == args.seed else {}
    for spec in args.cells.split(";"):
        dataset, service, eps = spec.split(":")
        if spec in cells:
            continue
        cells[spec] = run_cell(dataset, service, [float(e) for e in eps.split(",")], args.seed)
        print(spec, {e: (round(v["pre_mean"], 3), round(v["post_mean"], 3), round(v["random-noise_mean"], 3))
                     for e, v in cells[spec]["eps"].items()}, flush=True)
        write(NAME, {"seed": args.seed, "cells": cells})
    write(NAME, {"seed": args.seed, "cells": cells})


if __name__ == "__main__":
    main()
