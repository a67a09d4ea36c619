"""Time the fairlet and fair k-center estimators; write benchmarks/results/bench_sfd.json.

* ScalableFairletDecomposition (SFD, Backurs et al. 2019) on 1,000,000 points, d = 5, two
  groups mixed 70/30, p = 2, q = 5, k = 10. Target: under 60 s on 2 cores, memory O(n).
  Peak memory is measured in a second run under tracemalloc (numpy reports its buffers
  to it), so the timing run is not slowed down.
* FairKCenter (KFC, Harb & Lam 2020) on 10,000 points and FairletDecomposition
  (Chierichetti et al. 2017, min-cost flow) on 2,000 points, the modest sizes these
  methods are meant for.

Run: ``python benchmarks/bench_sfd.py [--n 1000000]``.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np

from _common import write
from robustfair.cluster import FairKCenter, FairletDecomposition, ScalableFairletDecomposition

TARGET_SECONDS = 60.0  # the target for SFD at 1,000,000 points


def balance(labels: np.ndarray, s: np.ndarray) -> float:
    """min over clusters of min(N_a / N_b, N_b / N_a), two groups 0/1."""
    k = int(labels.max()) + 1
    a = np.bincount(labels[s == 0], minlength=k)
    b = np.bincount(labels[s == 1], minlength=k)
    used = (a + b) > 0
    a, b = a[used], b[used]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where((a > 0) & (b > 0), np.minimum(a / np.maximum(b, 1), b / np.maximum(a, 1)), 0.0)
    return float(r.min())


def data(n: int, d: int, minority: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 5, size=(10, d))
    X = centers[rng.integers(10, size=n)] + rng.normal(size=(n, d))
    s = (rng.random(n) < minority).astype(np.int64)
    return X, s


def run(est, X, s, *, memory: bool = False) -> dict:
    t0 = time.perf_counter()
    est.fit(X, sensitive_features=s)
    seconds = time.perf_counter() - t0
    out = {"seconds": round(seconds, 3), "balance": round(balance(est.labels_, s), 4)}
    if memory:
        tracemalloc.start()
        est.fit(X, sensitive_features=s)
        out["peak_tracemalloc_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "bench_sfd.json"))
    args = ap.parse_args()

    results: dict = {}

    X, s = data(args.n, 5, 0.3, 0)
    input_mib = (X.nbytes + s.nbytes) / 2**20
    sfd = ScalableFairletDecomposition(n_clusters=10, p=2, q=5, random_state=0)
    r = run(sfd, X, s, memory=True)
    r.update(
        n=args.n, d=5, groups="70/30", p=2, q=5, k=10, guarantee=2 / 5, n_fairlets=sfd.n_fairlets_,
        input_mib=round(input_mib, 1), target_seconds=TARGET_SECONDS,
        ratio_to_target=round(r["seconds"] / TARGET_SECONDS, 3),
    )
    results["sfd"] = r
    print("SFD", r)
    del X, s

    X, s = data(10_000, 5, 0.3, 1)
    kfc = FairKCenter(n_clusters=10, delta=0.1, random_state=0)
    r = run(kfc, X, s)
    r.update(n=10_000, d=5, k=10, delta=0.1, radius=round(kfc.radius_, 4),
             max_additive_violation=kfc.max_additive_violation_)
    results["kfc"] = r
    print("KFC", r)

    X, s = data(2_000, 5, 0.3, 2)
    for method in ("kmedian", "kcenter"):
        fd = FairletDecomposition(n_clusters=10, t=3, method=method, random_state=0)
        r = run(fd, X, s)
        r.update(n=2_000, d=5, k=10, t=3, guarantee=1 / 3, n_fairlets=fd.n_fairlets_, flow_cost=round(fd.flow_cost_, 3))
        results[f"fairlet_{method}"] = r
        print("Fairlet", method, r)

    results["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write("bench_sfd", results, out=args.out)


if __name__ == "__main__":
    main()
