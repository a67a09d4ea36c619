"""RUC as a defense (thesis 2.3.6.4, Table 2.3's RUC rows): the ``deep-evasion`` experiment with ``ruc=true``.

Trains the victim (DEC by default: the cheapest on 2 CPU cores), fits RUC on its
pseudo-labels and attacks both, black-box (distilled surrogate, eq. 2.6), at each budget;
on MNIST-USPS when ``ROBUSTFAIR_DATA`` holds it, else on scikit-learn digits. One seed,
torch and BLAS threads 1.

    ROBUSTFAIR_DATA=/work/shared/data python benchmarks/bench_deep_evasion_ruc.py

Writes ``benchmarks/results/deep_evasion_ruc.json``: per budget, NMI/ACC of the victim and
of RUC before and after the attack.
"""

from __future__ import annotations

import argparse
import os
import time

from threadpoolctl import threadpool_limits

from _common import write


def summarize(records: list[dict]) -> list[dict]:
    def one(metric: str, **keys: object) -> float | None:
        hits = [r["value"] for r in records if r["metric"] == metric and all(r.get(k) == v for k, v in keys.items())]
        return float(hits[0]) if len(hits) == 1 else None

    rows = []
    for eps in sorted({float(r["eps"]) for r in records if r.get("mode") == "ruc"}):
        row: dict = {"eps": eps}
        for model, mode in (("victim", "black-box"), ("ruc", "ruc")):
            for metric in ("nmi", "acc"):
                for phase in ("pre", "post"):
                    row[f"{model}_{metric}_{phase}"] = one(metric, mode=mode, eps=eps, phase=phase)
        rows.append(row)
    return rows


def main() -> None:
    import torch

    from robustfair.experiments import run_experiment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victim", default="dec")
    parser.add_argument("--eps", default="0.1,0.3")
    parser.add_argument("--attack-epochs", type=int, default=8)
    parser.add_argument("--dataset", default=None, help="default: mnist-usps when ROBUSTFAIR_DATA is set, else digits")
    args = parser.parse_args()
    torch.set_num_threads(1)
    dataset = args.dataset or ("mnist-usps" if os.environ.get("ROBUSTFAIR_DATA") else "digits")
    settings = {
        "dataset": dataset,
        "victim": args.victim,
        "eps": args.eps,
        "modes": "black-box",
        "gradient": "surrogate",
        "attack_epochs": args.attack_epochs,
        "detector": False,
        "ruc": True,
    }
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        run = run_experiment("deep-evasion", settings, seeds=1)
    records = [r for r in run.records if r.get("role") != "figure"]
    payload = {
        "dataset": dataset,
        "victim": args.victim,
        "settings": settings,
        "seed": 0,
        "torch_threads": 1,
        "wall_seconds": round(time.perf_counter() - start, 1),
        "rows": summarize(records),
        "records": records,
    }
    print(write("deep_evasion_ruc", payload))


if __name__ == "__main__":
    main()
