"""CPU (or CUDA, when present) timings of deep clustering victims and of the GAN attack.

Times one epoch of ContrastiveClustering and DEC training and one epoch of the GAN
attack's generator training per gradient mode (white-box, surrogate, NES), on MNIST-USPS
(3800 x 16x16) when ``ROBUSTFAIR_DATA`` holds it, else on scikit-learn digits (8x8). The
thesis trains on GPUs with CIFAR/STL-10 and reports no timings; the reference here is the
query cost of Table 2.4 (CC on CIFAR-10: 5148 batches of 256 images), printed beside ours.

    python benchmarks/bench_deep_evasion.py [--dataset mnist-usps|digits] [--threads 1]

Writes ``benchmarks/results/bench_deep_evasion.json``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from _common import write

THESIS_QUERIES_CC_CIFAR10 = 5148 * 256


def load(dataset: str) -> tuple[np.ndarray, np.ndarray, str]:
    from robustfair.datasets import load_dataset

    if dataset == "mnist-usps" and os.environ.get("ROBUSTFAIR_DATA"):
        data = load_dataset("mnist-usps")
        return data.X, data.y, "mnist-usps"
    data = load_dataset("digits")
    return data.X / 16.0, data.y, "digits"


def main() -> None:
    import torch

    from robustfair.attacks import GANEvasionAttack
    from robustfair.deep import DEC, ContrastiveClustering, resolve_device

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist-usps")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, y, name = load(args.dataset)
    k = int(np.unique(y).shape[0])
    device = str(resolve_device("auto"))
    timings: dict[str, float] = {}

    start = time.perf_counter()
    cc = ContrastiveClustering(k, epochs=2, random_state=0).fit(X)
    timings["cc_seconds_per_epoch"] = (time.perf_counter() - start) / 2
    start = time.perf_counter()
    dec = DEC(k, pretrain_epochs=2, epochs=2, hidden=(500, 500), random_state=0).fit(X)
    timings["dec_seconds_per_epoch"] = (time.perf_counter() - start) / 4
    queries = {}
    for label, kwargs in (("white_box", {"white_box": True}), ("surrogate", {"gradient": "surrogate",
                                                                             "distill_epochs": 1}),
                          ("nes", {"gradient": "nes", "n_directions": 5})):
        start = time.perf_counter()
        result = GANEvasionAttack(cc, eps=0.3, epochs=1, batch_size=64, lr=3e-3, random_state=0,
                                  **kwargs).attack(X)
        timings[f"attack_{label}_seconds_per_epoch_cc"] = time.perf_counter() - start
        queries[f"attack_{label}_queries_per_epoch_cc"] = int(result.n_queries)
    result = {
        "dataset": name,
        "n_images": int(X.shape[0]),
        "device": device,
        "torch_threads": args.threads,
        "timings": timings,
        "queries": queries,
        "thesis_queries_cc_cifar10": THESIS_QUERIES_CC_CIFAR10,
    }
    for key, value in {**timings, **queries}.items():
        print(f"{key:45s} {value:12.2f}")
    print(f"{'thesis CC/CIFAR-10 queries (Table 2.4 x 256)':45s} {THESIS_QUERIES_CC_CIFAR10:12d}")
    write("bench_deep_evasion", result, device=device)


if __name__ == "__main__":
    main()
