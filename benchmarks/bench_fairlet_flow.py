"""Issue 22, item 2: FairletDecomposition (min-cost flow) at n = 3,594 and n = 100,000.

* Inverted UCI DIGITS (n = 3,594, d = 64, two groups of 1,797, t = 2, k = 10): the new
  fit (complete bipartite graph, exact) against the previous dense implementation
  (``_fairlet_flow_previous.py``, verbatim) in the same run, and against the reference:
  the CFC repository's ``fair_clustering`` fairlet decomposition cannot run here (no
  repository download), so the reference is its figure measured on this machine in
  issue 22: 1.17 s (with the previous robustfair at 3.24 s, peak 3.4 GB, in that run).
  Also the cost of the sparse 10-neighbour candidate graph against the exact optimum.
* n = 100,000 (blobs, d = 5, group 1 = 30%, t = 3): the sparse candidate graph, in a
  fresh process, peak RSS; target under 2 GB.

    python benchmarks/bench_fairlet_flow.py [--n-large 100000]

Writes ``benchmarks/results/bench_fairlet_flow.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from _common import best_time, blobs, peak_rss_mib, rss_mib, run_isolated, write

REFERENCE_SECONDS_DIGITS = 1.17  # CFC repo fair_clustering fairlets, DIGITS n=3594, issue 22 (this machine)
PREVIOUS_SECONDS_DIGITS_ISSUE = 3.24
TARGET_MIB = 2048


def one_large(n: int) -> None:
    from robustfair.cluster import FairletDecomposition
    from robustfair.metrics import balance

    X, s = blobs(n, 5, seed=1, minority=0.3)
    before = rss_mib()
    t = time.perf_counter()
    est = FairletDecomposition(n_clusters=10, t=3, random_state=0).fit(X, sensitive_features=s)
    seconds = time.perf_counter() - t
    print(json.dumps({
        "n": n, "seconds": round(seconds, 3), "peak_rss_mib": round(peak_rss_mib(), 1),
        "rss_before_fit_mib": round(before, 1), "n_fairlets": est.n_fairlets_, "flow_cost": est.flow_cost_,
        "balance": round(balance(est.labels_, sensitive_features=s), 4), "guarantee": 1 / 3,
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-large", type=int, default=100_000)
    ap.add_argument("--one-large", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_large:
        one_large(args.one_large)
        return

    import _fairlet_flow_previous as previous

    from robustfair.cluster import FairletDecomposition
    from robustfair.cluster._fairlet_flow import flow_fairlets
    from robustfair.datasets import load_dataset

    ds = load_dataset("inverted-digits")
    X, s = ds.X.astype(float), ds.sensitive
    t_fit, est = best_time(lambda: FairletDecomposition(n_clusters=10, t=2, random_state=0).fit(X, sensitive_features=s))
    t_flow, (_, _, cost) = best_time(lambda: flow_fairlets(X, s, 2))
    t_prev, (_, _, cost_prev) = best_time(lambda: previous.flow_fairlets(X, s, 2), repeat=1)
    t_sparse, (_, _, cost_sparse) = best_time(lambda: flow_fairlets(X, s, 2, n_neighbors=10))
    Xb, sb = blobs(4000, 5, seed=2, minority=0.4)
    _, _, blob_dense = flow_fairlets(Xb, sb, 2)
    _, _, blob_sparse = flow_fairlets(Xb, sb, 2, n_neighbors=10)

    large = run_isolated([__file__, "--one-large", str(args.n_large)], timeout=600)
    digits = {
        "dataset": "inverted-digits (3594 x 64, sensitive = inverted)", "t": 2, "k": 10,
        "fit_seconds": round(t_fit, 3), "flow_seconds": round(t_flow, 3),
        "previous_dense_flow_seconds": round(t_prev, 3),
        "speedup_flow_vs_previous": round(t_prev / t_flow, 2),
        "reference": "CFC repository fair_clustering fairlet decomposition: not runnable here (no download); "
                     "figure measured on this machine in issue 22",
        "reference_seconds": REFERENCE_SECONDS_DIGITS, "previous_fit_seconds_in_issue": PREVIOUS_SECONDS_DIGITS_ISSUE,
        "fit_over_reference": round(t_fit / REFERENCE_SECONDS_DIGITS, 3),
        "meets_reference": bool(t_fit <= REFERENCE_SECONDS_DIGITS),
        "flow_cost": cost, "flow_cost_previous": cost_prev, "same_optimum": bool(abs(cost - cost_prev) <= 1e-6 * cost),
        "sparse10_seconds": round(t_sparse, 3), "sparse10_cost_over_optimum": round(cost_sparse / cost, 4),
        "blobs4000_sparse10_cost_over_optimum": round(blob_sparse / blob_dense, 5),
        "blobs4000_note": "groups unevenly mixed (52%/28% by blob) with t = 2: the optimum needs long cross-blob "
                          "edges that the 10-nearest + quadtree-fairlet candidate graph lacks; there the sparse "
                          "flow is a feasible upper bound, not the optimum (the complete graph is used up to 4M arcs)",
        "n_fairlets": est.n_fairlets_,
    }
    large.update(target_peak_mib=TARGET_MIB, meets_memory=bool(large.get("peak_rss_mib", 1e9) < TARGET_MIB),
                 graph="sparse candidate graph, 10 nearest of the other group per point")
    print(json.dumps(digits, indent=1))
    print(json.dumps(large, indent=1))
    write("bench_fairlet_flow", {"digits": digits, "large": large})


if __name__ == "__main__":
    main()
