"""Antidote data: seconds per cell, and the speedup from evaluating candidate batches in parallel.

One fixed-size antidote search (paper Algorithm 2, one size, no early stop) on a real data
set, run with ``n_jobs=1`` and with ``n_jobs=N``. Parallel batches pay for worker start-up
and for shipping the data to the workers. On bank, k-means queries take about 30 ms each
and the parallel run is slower. Spectral queries (``--combination 3``) take about 0.3 s and
gain. The batch methods of
``robustfair.optim`` (``cma``: one CMA-ES population per step; ``random``) hand a whole
batch of candidate antidote sets to joblib, so each k-means query of the batch runs in its
own worker. Both runs use the same seed and must return the same antidote set and cost
(checked). ``alpha`` is set below any reachable cost so every query of the budget is made.

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/bench_antidote.py \
        [--dataset bank] [--combination 1] [--method cma] [--size 3] [--budget 64] [--jobs 2]

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="bank", choices=["adult", "bank", "creditcard"])
    parser.add_argument("--combination", type=int, default=1, choices=[1, 2, 3],
                        help="3: unnormalized spectral on 1000 sampled points (about 0.3 s a query)")
    parser.add_argument("--method", default="cma", choices=["cma", "random"])
    parser.add_argument("--size", type=int, default=3, help="|V|, fixed")
    parser.add_argument("--budget", type=int, default=64, help="k-means queries")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="threading", choices=["loky", "threading"],
                        help="joblib backend of the batches; scikit-learn's k-means releases the GIL")
    args = parser.parse_args()

    data = load_dataset(args.dataset, standardize=True)
    X, s = data.X, data.sensitive
    n_keep = 1000 if args.combination == 3 else (10000 if args.dataset == "adult" else None)
    if n_keep is not None and n_keep < X.shape[0]:
        keep = np.sort(np.random.default_rng(args.seed).choice(X.shape[0], n_keep, replace=False))
        X, s = X[keep], s[keep]
    runs = {}
    for n_jobs in (1, args.jobs):
        with warnings.catch_warnings(), joblib.parallel_config(backend=args.backend):
            warnings.simplefilter("ignore", UserWarning)
            start = time.perf_counter()
            ad = AntidoteData(_CLUSTERER[args.combination], 2, fairness=_FAIRNESS[args.combination], alpha=-1e9,
                              initial_size=args.size, max_size=args.size, budget_per_size=args.budget,
                              method=args.method, n_jobs=n_jobs, random_state=args.seed).fit(X, sensitive_features=s)
            seconds = time.perf_counter() - start
        runs[n_jobs] = {"seconds": seconds, "queries": ad.n_queries_, "cost_before": ad.cost_before_,
                        "cost_after": ad.cost_after_, "antidote": ad.antidote_}
    one, many = runs[1], runs[args.jobs]
    same = bool(np.allclose(one["antidote"], many["antidote"]) and one["cost_after"] == many["cost_after"])
    result = {
        "dataset": args.dataset,
        "n": int(X.shape[0]),
        "combination": args.combination,
        "method": args.method,
        "size": args.size,
        "budget": args.budget,
        "jobs": args.jobs,
        "backend": args.backend,
        "seconds_1_job": one["seconds"],
        f"seconds_{args.jobs}_jobs": many["seconds"],
        "speedup": one["seconds"] / many["seconds"],
        "seconds_per_query_1_job": one["seconds"] / one["queries"],
        "queries": one["queries"],
        "cost_vanilla": one["cost_before"],
        "cost_antidote": one["cost_after"],
        "same_result": same,
    }
    write("bench_antidote", result)
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    if not same:
        raise SystemExit("parallel and sequential runs differ: the batch evaluation is not deterministic")


if __name__ == "__main__":
    main()
