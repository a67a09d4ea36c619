"""The numbers of docs/deep-evasion.md's table: the ``deep-evasion`` experiment at CPU size.

Runs ``robustfair run deep-evasion`` cells -- victims CC and DEC with the attack objectives
thesis eq. 2.6 (the default) and the targeted cross-entropy, SCAN with eq. 2.6 -- black-box (distilled surrogate) and
white-box, with the same-eps sign-noise control, the Mahalanobis and SSD detectors, the
transfer to the other victim and an adversarially retrained copy -- on MNIST-USPS (3,800
16x16 digits) when ``ROBUSTFAIR_DATA`` holds it, else on scikit-learn digits. One seed,
torch and BLAS threads 1. Finished cells are kept in an SQLite store
(``benchmarks/results/deep_evasion_table.db``, not committed), so an interrupted run resumes
where it stopped; the JSON is rewritten after every cell.

    ROBUSTFAIR_DATA=/work/shared/data python benchmarks/bench_deep_evasion_table.py

Writes ``benchmarks/results/deep_evasion_table.json``: per (victim, objective) cell and
budget, NMI before and after each attack mode, queries, detection rates and transfer.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

from _common import RESULTS, write

STORE = RESULTS / "deep_evasion_table.db"


def summarize(records: list[dict]) -> list[dict]:
    """One row per (victim, objective, eps): the numbers the docs table shows."""

    def one(victim: str, objective: str, metric: str, **keys: object) -> float | None:
        hits = [
            r["value"]
            for r in records
            if r["method"] == victim
            and r.get("objective", objective) == objective
            and r["metric"] == metric
            and all(r.get(k) == v for k, v in keys.items())
        ]
        return float(hits[0]) if len(hits) == 1 else None

    rows = []
    cells = sorted({(r["method"], r["objective"]) for r in records})
    for victim, objective in cells:
        eps_values = sorted(
            {
                float(r["eps"])
                for r in records
                if r["method"] == victim and "eps" in r and r["eps"] is not None and r["objective"] == objective
            }
        )
        targets = sorted(
            {
                r["target"]
                for r in records
                if r["method"] == victim and r["objective"] == objective and r.get("mode") == "transfer"
            }
        )
        for eps in eps_values:
            bb = {"mode": "black-box", "eps": eps}
            rows.append(
                {
                    "victim": victim,
                    "objective": objective,
                    "eps": eps,
                    "nmi_pre": one(victim, objective, "nmi", phase="pre", **bb),
                    "nmi_black_box": one(victim, objective, "nmi", phase="post", **bb),
                    "nmi_white_box": one(victim, objective, "nmi", phase="post", mode="white-box", eps=eps),
                    "nmi_sign_noise": one(victim, objective, "nmi", phase="post", mode="random-noise", eps=eps),
                    "nmi_adv_trained_pre": one(victim, objective, "nmi", phase="pre", mode="adv-trained", eps=eps),
                    "nmi_adv_trained_post": one(victim, objective, "nmi", phase="post", mode="adv-trained", eps=eps),
                    "queries_black_box": one(victim, objective, "queries", **bb),
                    "queries_white_box": one(victim, objective, "queries", mode="white-box", eps=eps),
                    "label_change_black_box": one(victim, objective, "label_change", **bb),
                    "detection_rate": one(victim, objective, "detection_rate", **bb),
                    "ssd_detection_rate": one(victim, objective, "ssd_detection_rate", **bb),
                    "ssd_noise_detection_rate": one(victim, objective, "ssd_noise_detection_rate", **bb),
                    "ssd_false_positive_rate": one(victim, objective, "ssd_false_positive_rate", **bb),
                    "transfer": {
                        target: {
                            phase: one(victim, objective, "nmi", phase=phase, mode="transfer", eps=eps, target=target)
                            for phase in ("pre", "post")
                        }
                        for target in targets
                    },
                }
            )
    return rows


def main() -> None:
    import torch

    from robustfair.experiments import run_experiment

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cells",
        default="cc/eq2.6,cc/targeted-ce,dec/eq2.6,dec/targeted-ce,scan/eq2.6",
        help="victim/objective pairs, comma-separated",
    )
    parser.add_argument("--eps", default="0.1,0.3")
    parser.add_argument("--attack-epochs", type=int, default=8)
    parser.add_argument("--victim-epochs", type=int, default=None)
    parser.add_argument("--ssd-epochs", type=int, default=15)
    parser.add_argument("--dataset", default=None, help="default: mnist-usps when ROBUSTFAIR_DATA is set, else digits")
    parser.add_argument("--store", default=str(STORE))
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    dataset = args.dataset or ("mnist-usps" if os.environ.get("ROBUSTFAIR_DATA") else "digits")
    base = {
        "dataset": dataset,
        "eps": args.eps,
        "modes": "black-box,white-box",
        "gradient": "surrogate",
        "attack_epochs": args.attack_epochs,
        "transfer": True,
        "adversarial_training": True,
        "ssd": True,
        "ssd_epochs": args.ssd_epochs,
    }
    if args.victim_epochs is not None:
        base["victim_epochs"] = args.victim_epochs
    out = Path(args.out) if args.out else RESULTS / "deep_evasion_table.json"
    before = json.loads(out.read_text()) if out.exists() else {}
    previous = before.get("cell_wall_seconds") or before.get("wall_seconds_this_invocation") or {}
    records: list[dict] = []
    seconds: dict[str, float | None] = {}
    for cell_name in args.cells.split(","):
        victim, objective = cell_name.split("/")
        start = time.perf_counter()
        with threadpool_limits(limits=1):
            run = run_experiment(
                "deep-evasion",
                {**base, "victim": victim, "objective": objective},
                seeds=1,
                db=args.store,
                reuse=True,
            )
        # a cell reused from the store keeps the wall time of the invocation that computed it
        seconds[cell_name] = round(time.perf_counter() - start, 1) if run.n_run else previous.get(cell_name)
        cell = [{**r, "objective": objective} for r in run.records if r.get("role") != "figure"]
        records += cell
        payload = {
            "dataset": dataset,
            "settings": base,
            "seed": 0,
            "torch_threads": 1,
            "cell_wall_seconds": seconds,
            "rows": summarize(records),
            "records": records,
        }
        write("deep_evasion_table", payload, out=out)
        print(f"{cell_name}: {seconds[cell_name]} s", flush=True)


if __name__ == "__main__":
    main()
