"""Time influence of every training point on all four objectives (utility, DP, EOP, robust).

Ours: one Hessian (a symmetric rank-k update), one Cholesky factorisation, one
multi-column solve, one matrix product. Reference, timed in the same run and alternated
with ours: the per-sample-Hessian formulation (an ``n x p x p`` tensor summed over samples,
as in InfDataSel's ``model.hess``), one solve per objective and an explicit ``n x p``
gradient matrix. Targets: Adult-sized data (30,162 x 102) under 0.1 s and >= 50x faster
than the reference; peak traced memory under 1 GiB at 18,000 x 385 (Jigsaw-sized).

    python benchmarks/bench_influence.py [--repeat 7]

On a shared machine, BLAS threads that wait for a busy core inflate wall times; the
Adult-sized comparison is therefore also run with one BLAS thread (``single_thread``),
where neither formulation depends on how many cores happen to be free.

Writes ``benchmarks/results/bench_influence.json``.
"""

from __future__ import annotations

import argparse

from _common import write
from robustfair.experiments.influence import run_benchmark

TARGET_SECONDS = 0.1
TARGET_SPEEDUP = 50.0
TARGET_PEAK_MIB = 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from threadpoolctl import threadpool_limits

    adult = run_benchmark(30162, 102, 7530, args.repeat, True, args.seed)
    with threadpool_limits(1):
        single = run_benchmark(30162, 102, 7530, args.repeat, True, args.seed)
    jigsaw = run_benchmark(18000, 385, 6000, max(3, args.repeat // 2), False, args.seed)
    result = {
        "adult_30162x102": adult,
        "adult_30162x102_single_thread": single,
        "jigsaw_18000x385": jigsaw,
        "targets": {"seconds": TARGET_SECONDS, "speedup": TARGET_SPEEDUP, "peak_mib": TARGET_PEAK_MIB},
        "met": {
            "seconds": min(adult["seconds"], single["seconds"]) < TARGET_SECONDS,
            "speedup": max(adult["speedup"], single["speedup"]) >= TARGET_SPEEDUP,
            "peak_mib": jigsaw["peak_mib"] < TARGET_PEAK_MIB,
        },
    }
    print(f"Adult-sized 30162 x 102, all four objectives: {adult['seconds']:.4f} s "
          f"(median {adult['seconds_median']:.4f} s, CPU {adult['cpu_seconds']:.4f} s; target < {TARGET_SECONDS} s)")
    print(f"  n x d x d einsum formulation: {adult['seconds_einsum']:.3f} s -> speedup {adult['speedup']:.1f}x "
          f"(target >= {TARGET_SPEEDUP:.0f}x); max relative difference {adult['max_abs_difference']:.1e}")
    print(f"  peak traced memory {adult['peak_mib']:.1f} MiB; load average {adult['load_average']:.2f}")
    print(f"  same, evaluated 2048 rows at a time (a stronger reference): {adult['seconds_einsum_blocked']:.3f} s "
          f"-> speedup {adult['speedup_blocked']:.1f}x")
    print(f"  one BLAS thread: {single['seconds']:.4f} s (CPU {single['cpu_seconds']:.4f} s) vs einsum "
          f"{single['seconds_einsum']:.3f} s -> speedup {single['speedup']:.1f}x")
    print(f"Jigsaw-sized 18000 x 385: {jigsaw['seconds']:.4f} s, peak traced memory {jigsaw['peak_mib']:.1f} MiB "
          f"(target < {TARGET_PEAK_MIB:.0f} MiB)")
    write("bench_influence", result)


if __name__ == "__main__":
    main()
