"""CFC (Consensus Fair Clustering) cost on CPU: seconds per epoch before and after the training shortcuts.

Cases: inverted DIGITS (n = 3,594, built in) with the thesis' CFC settings (``CFC_THESIS_PARAMS``:
r = 100, hidden 36, dropout 0.6, R = 2, mini-batches of 1,024) and with ours (``METHOD_PARAMS``);
MNIST-USPS 3,800 x 256 (jpda, needs ``$ROBUSTFAIR_DATA``) with the thesis' settings; and,
with ``--cases mnist-usps-dfc``, the 67,291 x 784 DFC layout. Each case runs in its own process
(torch and BLAS on one thread) and trains the same seed twice, alternately, ``--repeat`` times:
``before`` with the previous shortcuts (``benchmarks/_cfc_previous.py``: each batch's gamma
block recomputed from the sparse factor, F-ordered, autograd's element-wise contrastive loss)
and ``after`` with the library's (the n x n gamma cached and gathered, the fused loss). It
records the best wall and process-CPU seconds per epoch of each, their ratio, and how far
the loss curves, soft assignments and labels of the two runs lie apart. The thesis trains 3,000
epochs on a GPU and reports no timings, so there is no published figure to compare with.

Usage::

    python benchmarks/bench_cfc.py [--epochs 20] [--repeat 2] [--cases inverted-digits-thesis,...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _common import peak_rss_mib, write

CASES = {
    "inverted-digits-thesis": {"dataset": "inverted-digits", "options": {}, "k": 10, "params": "thesis"},
    "inverted-digits-ours": {"dataset": "inverted-digits", "options": {}, "k": 10, "params": "ours"},
    "mnist-usps-thesis": {"dataset": "mnist-usps", "options": {}, "k": 10, "params": "thesis"},
    # 60,000 MNIST vs 7,291 USPS: SFD needs p/q below 0.12 to find fairlets
    "mnist-usps-dfc": {"dataset": "mnist-usps", "options": {"variant": "dfc"}, "k": 10, "params": "thesis",
                       "extra": {"fair_reference_params": {"p": 1, "q": 9}}},
}
DEFAULT_CASES = "inverted-digits-thesis,inverted-digits-ours,mnist-usps-thesis"


def run_case(name: str, epochs: int, repeat: int) -> dict:
    import numpy as np
    import torch

    import _cfc_previous
    from robustfair.cluster import ConsensusFairClustering
    from robustfair.datasets import load_dataset
    from robustfair.experiments.fairness_attack import CFC_THESIS_PARAMS, METHOD_PARAMS

    torch.set_num_threads(1)
    case = CASES[name]
    data = load_dataset(case["dataset"], **case["options"])
    table = CFC_THESIS_PARAMS if case["params"] == "thesis" else {k: v["cfc"] for k, v in METHOD_PARAMS.items()}
    params = {**table[case["dataset"]], **case.get("extra", {})}

    def fit() -> tuple[dict, object]:
        model = ConsensusFairClustering(case["k"], epochs=epochs, device="cpu", random_state=0, **params)
        clock = {}
        orig = _train_module()._train

        def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            out = orig(*args, **kwargs)
            clock.update(cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
            return out

        _train_module()._train = timed
        try:
            model.fit(data.X, sensitive_features=data.sensitive)
        finally:
            _train_module()._train = orig
        clock["loop"] = model.fit_seconds_["training"]  # the epochs only, without the set-up
        return clock, model

    runs: dict[str, list] = {"before": [], "after": []}
    models = {}
    for _ in range(repeat):  # alternate, so both see the same load on the shared machine
        with _cfc_previous.patch():
            clock, models["before"] = fit()
        runs["before"].append(clock)
        clock, models["after"] = fit()
        runs["after"].append(clock)
    out: dict = {"n_samples": int(data.n_samples), "n_features": int(data.n_features), "epochs": epochs,
                 "params": {k: v for k, v in params.items() if not isinstance(v, np.ndarray)}, "repeat": repeat}
    for when, clocks in runs.items():  # the whole of training (graph set-up included) over the epochs
        out[f"{when}_wall_seconds_per_epoch"] = min(c["wall"] for c in clocks) / epochs
        out[f"{when}_cpu_seconds_per_epoch"] = min(c["cpu"] for c in clocks) / epochs
        out[f"{when}_loop_wall_seconds_per_epoch"] = min(c["loop"] for c in clocks) / epochs
    out["speedup_wall"] = out["before_wall_seconds_per_epoch"] / out["after_wall_seconds_per_epoch"]
    out["speedup_cpu"] = out["before_cpu_seconds_per_epoch"] / out["after_cpu_seconds_per_epoch"]
    before, after = models["before"], models["after"]
    scale = np.abs(before.history_).max(axis=0)
    out["history_max_rel_diff"] = float((np.abs(before.history_ - after.history_) / scale).max())
    out["soft_labels_max_abs_diff"] = float(np.abs(before.soft_labels_ - after.soft_labels_).max())
    out["labels_agreement"] = float((before.labels_ == after.labels_).mean())
    out["projected_minutes_3000_epochs_cpu"] = 3000 * out["after_cpu_seconds_per_epoch"] / 60
    out["peak_rss_mib"] = peak_rss_mib()
    out["torch_threads"] = torch.get_num_threads()
    return out


def _train_module():
    import robustfair.cluster._consensus_net as net

    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_cfc.json"))
    parser.add_argument("--case", help=argparse.SUPPRESS)  # child process: run one case, print JSON
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.epochs, args.repeat)))
        return
    results: dict = {}
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for name in args.cases.split(","):
        cmd = [sys.executable, __file__, "--case", name, "--epochs", str(args.epochs), "--repeat", str(args.repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            results[name] = {"error": last}
            print(f"{name}: skipped ({last})")
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        r = results[name]
        print(f"{name}: n={r['n_samples']} before {r['before_cpu_seconds_per_epoch'] * 1e3:.1f} ms/epoch CPU, "
              f"after {r['after_cpu_seconds_per_epoch'] * 1e3:.1f} (x{r['speedup_cpu']:.2f}); "
              f"loss curves within {r['history_max_rel_diff']:.1e}")
    payload = {
        "device": "cpu",
        "reference": "thesis 4.1.5 reports no CFC timings (3000 GPU epochs); before/after are timed in the same run",
        "results": results,
    }
    write("bench_cfc", payload, out=args.out)


if __name__ == "__main__":
    main()
