"""Antidote data: seconds per cell, and the speedup from evaluating candidate batches in parallel.

One fixed-size antidote search (paper Algorithm 2, one size, no early stop) per cell (a real
data set and a combination), run with ``n_jobs=1``, with ``n_jobs=N`` threads and with
``n_jobs=N`` processes (loky). Parallel batches pay for worker start-up
and, with processes, for shipping the data to the workers (docs/antidote.md shows the
committed ratios). The batch methods of
``robustfair.optim`` (``cma``: one CMA-ES population per step; ``random``) hand a whole
batch of candidate antidote sets to joblib, so each k-means query of the batch runs in its
own worker. All three runs use the same seed and must return the same antidote set and cost
(checked). ``alpha`` is set below any reachable cost so every query of the budget is made.

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/bench_antidote.py \
        [--cells bank:1,creditcard:1,bank:3] [--method cma] [--size 3] [--budget 96] [--jobs 2]

Writes ``benchmarks/results/bench_antidote.json``. Run it on an otherwise idle machine:
the speedup is bounded by the free cores.
"""

from __future__ import annotations

import argparse
import time
import warnings

import joblib
import numpy as np

from _common import write
from robustfair.antidote import AntidoteData
from robustfair.datasets import load_dataset

_FAIRNESS = {1: "balance", 2: "social", 3: "balance"}
_CLUSTERER = {1: "kmeans", 2: "kmeans", 3: "spectral"}


CELLS = ("bank:1", "creditcard:1", "bank:3")


def run_cell(dataset: str, combination: int, args: argparse.Namespace) -> dict:
    """One cell: the same fixed-size search with one job, ``--jobs`` threads and ``--jobs`` processes."""
    data = load_dataset(dataset, standardize=True)
    X, s = data.X, data.sensitive
    n_keep = 1000 if combination == 3 else (10000 if dataset == "adult" else None)
    if n_keep is not None and n_keep < X.shape[0]:
        keep = np.sort(np.random.default_rng(args.seed).choice(X.shape[0], n_keep, replace=False))
        X, s = X[keep], s[keep]
    runs = {}
    for mode, n_jobs, backend in (("one_job", 1, "threading"), ("threads", args.jobs, "threading"),
                                  ("processes", args.jobs, "loky")):
        with warnings.catch_warnings(), joblib.parallel_config(backend=backend):
            warnings.simplefilter("ignore", UserWarning)
            start = time.perf_counter()
            ad = AntidoteData(_CLUSTERER[combination], 2, fairness=_FAIRNESS[combination], alpha=-1e9,
                              initial_size=args.size, max_size=args.size, budget_per_size=args.budget,
                              method=args.method, n_jobs=n_jobs, random_state=args.seed).fit(X, sensitive_features=s)
            seconds = time.perf_counter() - start
        runs[mode] = {"seconds": seconds, "queries": ad.n_queries_, "cost_before": ad.cost_before_,
                      "cost_after": ad.cost_after_, "antidote": ad.antidote_}
    one = runs["one_job"]
    same = all(np.allclose(one["antidote"], r["antidote"]) and one["cost_after"] == r["cost_after"]
               for r in runs.values())
    return {
        "dataset": dataset,
        "combination": combination,
        "clusterer": _CLUSTERER[combination],
        "n": int(X.shape[0]),
        "d": int(X.shape[1]),
        "queries": one["queries"],
        "seconds": {mode: r["seconds"] for mode, r in runs.items()},
        "speedup": {mode: one["seconds"] / r["seconds"] for mode, r in runs.items() if mode != "one_job"},
        "seconds_per_query_1_job": one["seconds"] / one["queries"],
        "cost_vanilla": one["cost_before"],
        "cost_antidote": one["cost_after"],
        "same_result": bool(same),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default=",".join(CELLS),
                        help="dataset:combination pairs; combination 3 is unnormalized spectral on 1000 sampled "
                             "points (about 0.3 s a query)")
    parser.add_argument("--method", default="cma", choices=["cma", "random"])
    parser.add_argument("--size", type=int, default=3, help="|V|, fixed")
    parser.add_argument("--budget", type=int, default=96, help="queries")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    cells = []
    for spec in args.cells.split(","):
        dataset, combination = spec.split(":")
        if dataset not in ("adult", "bank", "creditcard") or combination not in ("1", "2", "3"):
            raise SystemExit(f"--cells: {spec!r} is not dataset:combination (adult|bank|creditcard : 1|2|3)")
        cell = run_cell(dataset, int(combination), args)
        print(f"{spec:>14}: " + ", ".join(f"{m} {s:.2f} s" for m, s in cell["seconds"].items()))
        cells.append(cell)
    result = {"method": args.method, "size": args.size, "budget": args.budget, "jobs": args.jobs,
              "seed": args.seed, "cells": cells}
    write("bench_antidote", result)
    if not all(c["same_result"] for c in cells):
        raise SystemExit("parallel and sequential runs differ: the batch evaluation is not deterministic")


if __name__ == "__main__":
    main()
