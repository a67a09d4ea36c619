"""Issue 22, item 1: SFD at n = 1,000,000, d = 5, k = 10 against scikit-learn KMeans(n_init=1).

Target: ScalableFairletDecomposition (p = 2, q = 5) at most 3x ``KMeans(n_init=1)`` on the
same data in the same run (best of 3 each, interleaved), memory O(n): the tracemalloc
peak of a fit is measured at n = 250k, 500k and 1M and reported per point. Also the
k-median objective (sum of point-to-center distances) of the new weighted
Lloyd-Weiszfeld k-median against the previous second stage (CLARA: FasterPAM on three
samples of 5000 fairlet medoids), on the same fairlets.

    python benchmarks/bench_sfd_kmeans.py [--n 1000000] [--repeat 3]

Writes ``benchmarks/results/bench_sfd_kmeans.json``.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
from _common import blobs, write
from sklearn.cluster import KMeans

from robustfair.cluster import ScalableFairletDecomposition
from robustfair.cluster._fairlets import kmedian
from robustfair.metrics import balance

TARGET_RATIO = 3.0


def point_cost(X, fairlet, fairlet_labels, centers):
    diff = X - centers[fairlet_labels[fairlet]]
    return float(np.sqrt(np.einsum("ij,ij->i", diff, diff)).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    X, s = blobs(args.n, 5, seed=0, minority=0.3)
    t_km, t_sfd = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same load
        t = time.perf_counter()
        km = KMeans(10, n_init=1, random_state=0).fit(X)
        t_km.append(time.perf_counter() - t)
        t = time.perf_counter()
        sfd = ScalableFairletDecomposition(10, p=2, q=5, random_state=0).fit(X, sensitive_features=s)
        t_sfd.append(time.perf_counter() - t)
    ratio = min(t_sfd) / min(t_km)

    # objective of the second stage: new weighted k-median vs the previous CLARA on the same fairlets
    new_cost = point_cost(X, sfd.fairlets_, sfd.fairlet_labels_, sfd.cluster_centers_)
    C = sfd.fairlet_centers_
    t = time.perf_counter()
    med = kmedian(C, 10, np.random.default_rng(0))
    t_clara = time.perf_counter() - t
    d2 = (C * C).sum(1)[:, None] - 2 * C @ C[med].T + (C[med] ** 2).sum(1)[None, :]
    clara_cost = point_cost(X, sfd.fairlets_, d2.argmin(1), C[med])

    memory = []
    for n in (args.n // 4, args.n // 2, args.n):
        Xn, sn = X[:n], s[:n]
        tracemalloc.start()
        ScalableFairletDecomposition(10, p=2, q=5, random_state=0).fit(Xn, sensitive_features=sn)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        memory.append({"n": n, "peak_tracemalloc_mib": round(peak / 2**20, 1),
                       "bytes_per_point": round(peak / n, 1), "input_bytes_per_point": (Xn.nbytes + sn.nbytes) / n})
    per_point = [m["bytes_per_point"] for m in memory]

    figures = {
        "n": args.n, "d": 5, "k": 10, "p": 2, "q": 5, "groups": "group 1 = 30% overall, 39%/21% by blob",
        "kmeans_seconds_all": [round(x, 4) for x in t_km], "sfd_seconds_all": [round(x, 4) for x in t_sfd],
        "kmeans_seconds": round(min(t_km), 4), "sfd_seconds": round(min(t_sfd), 4),
        "ratio_sfd_to_kmeans": round(ratio, 3), "target_ratio": TARGET_RATIO, "meets_ratio": bool(ratio <= TARGET_RATIO),
        "n_fairlets": sfd.n_fairlets_, "balance": round(balance(sfd.labels_, sensitive_features=s), 4),
        "balance_guarantee": 2 / 5, "kmeans_balance": round(balance(km.labels_, sensitive_features=s), 4),
        "kmedian_objective_new": round(new_cost, 1), "kmedian_objective_clara_previous": round(clara_cost, 1),
        "kmedian_objective_ratio_new_to_previous": round(new_cost / clara_cost, 4),
        "clara_second_stage_seconds": round(t_clara, 3),
        "memory": memory,
        "memory_O_n": bool(max(per_point) <= 1.25 * min(per_point)),
    }
    print(f"KMeans {min(t_km):.3f} s  SFD {min(t_sfd):.3f} s  ratio {ratio:.2f} (target <= {TARGET_RATIO})")
    print(f"objective new {new_cost:.1f} vs CLARA {clara_cost:.1f}; memory per point {per_point}")
    write("bench_sfd_kmeans", figures)


if __name__ == "__main__":
    main()
