"""Our fairness attack against random flips of the same count: one-sided two-sample KS tests.

For each data set and fair clusterer (SFD, KFC, FSC), the ``fairness-attack`` experiment runs
over ``--seeds`` seeds at one poisoned fraction and query budget, with our attack and with
random flips of the same count on the same samples (thesis 4.1, Tables 4.1/4.2: "ours" vs
"random"). Per pair the one-sided KS test asks whether our attack's post-attack fairness is
stochastically *lower* than the random attack's (``robustfair.attacks.ks_compare(ours, random,
alternative="greater")``, scipy's ``ks_2samp``: the alternative is that our empirical CDF lies
above random's).
The fairness metric is balance, or entropy where our attack leaves balance 0 in most seeds
(balance then no longer orders the runs).

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/bench_fairness_attack_ks.py \
        [--datasets inverted-digits,mnist-usps,office-caltech,yale] [--seeds 20] [--fraction 0.15] [--budget 30]

Resumable: data sets already in ``benchmarks/results/fairness_attack_ks.json`` with the same
settings are kept (``--fresh`` reruns them). Writes that file.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _common import RESULTS, write

METHODS = ("sfd", "kfc", "fsc")
NAME = "fairness_attack_ks"


def run_dataset(dataset: str, seeds: int, fraction: float, budget: int) -> dict:
    from robustfair.attacks import ks_compare
    from robustfair.experiments import get_experiment

    exp = get_experiment("fairness-attack")
    config = exp.make_config({"dataset": dataset, "methods": list(METHODS), "fractions": [fraction],
                              "budget": budget, "attacks": ["ours", "random"]})
    values: dict = {m: {a: {"balance": [], "fairness_entropy": []} for a in ("none", "ours", "random")}
                    for m in METHODS}
    start = time.perf_counter()
    for seed in range(seeds):
        for r in exp.func(config, seed):
            attack = r.keys.get("attack")
            if r.method in values and attack in values[r.method] and r.metric in ("balance", "fairness_entropy"):
                values[r.method][attack][r.metric].append(r.value)
        print(f"{dataset} seed {seed} done ({time.perf_counter() - start:.0f} s)", flush=True)
    pairs = {}
    for method in METHODS:
        v = values[method]
        zero = np.mean(np.asarray(v["ours"]["balance"]) == 0) > 0.5
        metric = "fairness_entropy" if zero else "balance"
        ours, rand = np.asarray(v["ours"][metric]), np.asarray(v["random"][metric])
        test = ks_compare(ours.tolist(), rand.tolist(), alternative="greater")
        pairs[method] = {
            "metric": metric,
            "p_value": float(test.pvalue),
            "statistic": float(test.statistic),
            "before_mean": float(np.mean(v["none"][metric])),
            "ours_mean": float(np.mean(ours)),
            "random_mean": float(np.mean(rand)),
            "values": {a: {m: list(map(float, x)) for m, x in d.items()} for a, d in v.items()},
        }
    return {"pairs": pairs, "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="inverted-digits,mnist-usps,office-caltech,yale")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--fraction", type=float, default=0.15)
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="rerun data sets already in the results file")
    args = parser.parse_args()
    settings = {"seeds": args.seeds, "fraction": args.fraction, "budget": args.budget, "methods": list(METHODS)}
    path = RESULTS / f"{NAME}.json"
    previous = json.loads(path.read_text()) if path.exists() and not args.fresh else {}
    datasets = previous.get("datasets", {}) if previous.get("settings") == settings else {}
    for dataset in args.datasets.split(","):
        if dataset in datasets:
            continue
        datasets[dataset] = run_dataset(dataset, args.seeds, args.fraction, args.budget)
        write(NAME, {"settings": settings, "datasets": datasets})  # after every data set: resumable
    write(NAME, {"settings": settings, "datasets": datasets})
    for dataset, d in datasets.items():
        print(dataset, {m: (p["metric"], round(p["p_value"], 6)) for m, p in d["pairs"].items()})


if __name__ == "__main__":
    main()
