"""CFC (Consensus Fair Clustering) cost on CPU: seconds per epoch and peak memory.

Two sizes: inverted DIGITS (n = 3,594, built in) and MNIST-USPS in the DFC layout
(n = 67,291 x 784, needs ``$ROBUSTFAIR_DATA/mnist-usps/mnist_usps_dfc.npz``). Each size
runs in its own process so its peak resident memory (``ru_maxrss``) is its own. The
thesis trains 3,000 full-batch epochs on a GPU and reports no timings; there is no
reference figure to take a ratio against, so this prints our own numbers only.

Usage::

    python benchmarks/bench_cfc.py [--epochs 2] [--partitions 10] [--out benchmarks/results/bench_cfc.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from _common import write

CASES = {
    "inverted-digits": {"dataset": "inverted-digits", "options": {}, "k": 10, "hidden": 36, "reference": {}},
    # 60,000 MNIST vs 7,291 USPS: SFD needs p/q below 0.12 to find fairlets
    "mnist-usps-dfc": {"dataset": "mnist-usps", "options": {"variant": "dfc"}, "k": 10, "hidden": 256,
                       "reference": {"p": 1, "q": 9}},
}


def run_case(name: str, epochs: int, partitions: int, batch_size: int) -> dict:
    import numpy as np
    import torch

    from robustfair.cluster import ConsensusFairClustering
    from robustfair.datasets import load_dataset

    case = CASES[name]
    data = load_dataset(case["dataset"], **case["options"])
    model = ConsensusFairClustering(
        case["k"], n_partitions=partitions, hidden=case["hidden"], epochs=epochs, batch_size=batch_size,
        fair_reference="sfd", fair_reference_params=case["reference"], device="cpu", random_state=0,
    )
    start = time.perf_counter()
    model.fit(data.X, sensitive_features=data.sensitive)
    total = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {
        "n_samples": int(data.n_samples),
        "n_features": int(data.n_features),
        "n_partitions": partitions,
        "epochs": epochs,
        "batch_size": batch_size,
        "seconds_per_epoch": model.fit_seconds_["training"] / epochs,
        "seconds_per_basic_partition": model.fit_seconds_["partitions"] / partitions,
        "seconds_fair_reference": model.fit_seconds_["reference"],
        "seconds_total": total,
        "peak_rss_mib": peak_mib,
        "n_clusters_found": int(np.unique(model.labels_).shape[0]),
        "torch_threads": torch.get_num_threads(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_cfc.json"))
    parser.add_argument("--case", help=argparse.SUPPRESS)  # child process: run one case, print JSON
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.epochs, args.partitions, args.batch_size)))
        return
    results: dict = {}
    for name in args.cases.split(","):
        cmd = [sys.executable, __file__, "--case", name, "--epochs", str(args.epochs),
               "--partitions", str(args.partitions), "--batch-size", str(args.batch_size)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            results[name] = {"error": last}
            print(f"{name}: skipped ({last})")
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        r = results[name]
        print(f"{name}: n={r['n_samples']} {r['seconds_per_epoch']:.2f} s/epoch, "
              f"{r['seconds_per_basic_partition']:.2f} s/basic partition, peak {r['peak_rss_mib']:.0f} MiB")
    payload = {
        "device": "cpu (no GPU in this session)",
        "reference": "thesis 4.1.5 reports no CFC timings (3000 GPU epochs); no ratio is computed",
        "results": results,
    }
    write("bench_cfc", payload, out=args.out)


if __name__ == "__main__":
    main()
