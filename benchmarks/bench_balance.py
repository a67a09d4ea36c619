"""Time ``balance`` over 10 million labels against one ``np.bincount`` over them.

Balance needs every cluster-by-group count, so one pass of ``np.bincount`` over the
labels is its natural floor. Target: balance within 2x of that bincount.

    python benchmarks/bench_balance.py [--n 10000000] [--repeat 7]

Writes ``benchmarks/results/bench_balance.json``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from _common import write
from robustfair.metrics import balance

TARGET_RATIO = 2.0


def wall(fun) -> float:
    start = time.perf_counter()
    fun()
    return time.perf_counter() - start


def interleaved(fun_a, fun_b, repeat: int) -> tuple[np.ndarray, np.ndarray]:
    """Wall times of ``repeat`` alternating calls, so both see the same background load."""
    times = np.array([(wall(fun_a), wall(fun_b)) for _ in range(repeat)])
    return times[:, 0], times[:, 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="number of labels")
    parser.add_argument("--n-clusters", type=int, default=10)
    parser.add_argument("--n-groups", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    labels = rng.integers(0, args.n_clusters, args.n)  # int64, numpy's default
    groups = rng.integers(0, args.n_groups, args.n)

    value = balance(labels, sensitive_features=groups)  # warm-up and the figure itself
    runs_balance, runs_bincount = interleaved(
        lambda: balance(labels, sensitive_features=groups), lambda: np.bincount(labels), args.repeat
    )
    # best of the repeats: the run least disturbed by other processes
    t_balance, t_bincount = float(runs_balance.min()), float(runs_bincount.min())
    ratio = t_balance / t_bincount
    median_ratio = float(np.median(runs_balance / runs_bincount))

    result = {
        "n_samples": args.n,
        "n_clusters": args.n_clusters,
        "n_groups": args.n_groups,
        "dtype": str(labels.dtype),
        "balance": value,
        "balance_seconds": t_balance,
        "bincount_seconds": t_bincount,
        "ratio": ratio,
        "median_paired_ratio": median_ratio,
        "target_ratio": TARGET_RATIO,
        "meets_target": bool(ratio < TARGET_RATIO),
        "repeat": args.repeat,
    }
    print(f"balance  over {args.n:,} labels: {t_balance * 1e3:8.2f} ms  (value {value:.6f})")
    print(f"bincount over {args.n:,} labels: {t_bincount * 1e3:8.2f} ms")
    verdict = "met" if ratio < TARGET_RATIO else "NOT met"
    print(f"ratio: {ratio:.2f}x best-to-best, {median_ratio:.2f}x median of paired runs")
    print(f"target < {TARGET_RATIO:g}x (best-to-best): {verdict}")

    write("bench_balance", result)


if __name__ == "__main__":
    main()
