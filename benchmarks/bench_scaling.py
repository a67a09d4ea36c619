"""Issue 22, item 6: every fair clusterer at n = 1k, 10k, 100k against k-means, same run.

Each (method, n) is fitted once in a fresh process (so its peak memory is its own) on the
same data: ten Gaussian blobs in 5-d, two groups, group 1 = 30% overall and 39% / 21% by
blob (so vanilla k-means is unfair), k = 10, default parameters except where the table
says. Wall seconds of ``fit`` and the process's peak RSS above its RSS just before the fit
(MiB) are recorded; a method is not run at a larger n once it timed out at a smaller one.
The baseline curve is scikit-learn ``KMeans(n_init=1)``. Reference implementations: the CFC
repository ports and holisticai are not installed or downloadable here, so none is on
the curve (``references`` in the JSON says so).

    python benchmarks/bench_scaling.py [--sizes 1000 10000 100000] [--timeout 300]

Writes ``benchmarks/results/bench_scaling.json`` and ``benchmarks/results/bench_scaling.png``
(log-log: seconds and peak memory against n).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _common import RESULTS, blobs, peak_rss_mib, rss_mib, run_isolated, write

# method -> (label, how it is built); deep methods run on CPU
METHODS = {
    "kmeans": "scikit-learn KMeans(n_init=1) (baseline)",
    "sfd": "ScalableFairletDecomposition(p=2, q=5)",
    "fairlet": "FairletDecomposition(t=3)",
    "kfc": "FairKCenter(delta=0.1)",
    "bera": "FairAssignment(delta=0.2)",
    "fair-lloyd": "FairLloyd(n_init=10)",
    "fsc": "FairSpectralClustering(3-NN)",
    "cfc": "ConsensusFairClustering (CPU)",
    "dfdc": "DeepFairDiscriminativeClustering (CPU)",
}


def build(name: str):
    from sklearn.cluster import KMeans

    from robustfair.cluster import make_clusterer

    if name == "kmeans":
        return KMeans(10, n_init=1, random_state=0)
    params = {"sfd": {"p": 2, "q": 5}, "fairlet": {"t": 3}}.get(name, {})
    return make_clusterer(name, 10, random_state=0, **params)


def one(name: str, n: int) -> None:
    from robustfair.metrics import balance

    X, s = blobs(n, 5, seed=0, minority=0.3)
    est = build(name)
    before = rss_mib()
    t = time.perf_counter()
    if name == "kmeans":
        est.fit(X)
    else:
        est.fit(X, sensitive_features=s)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": round(seconds, 4), "peak_mib": round(max(peak_rss_mib() - before, 0.0), 1),
                      "balance": round(float(balance(est.labels_, sensitive_features=s)), 4), "status": "ok"}))


def plot(results: dict, sizes: list[int], path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, rows in results.items():
        ok = [r for r in rows if r.get("status") == "ok"]
        if not ok:
            continue
        ns = [r["n"] for r in ok]
        style = dict(color="black", ls="--", lw=2) if name == "kmeans" else dict(marker="o")
        axes[0].plot(ns, [max(r["seconds"], 1e-3) for r in ok], label=name, **style)
        axes[1].plot(ns, [max(r["peak_mib"], 0.1) for r in ok], label=name, **style)
    for ax, what in zip(axes, ("fit seconds", "peak memory above baseline (MiB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n (samples, d = 5, k = 10)")
        ax.set_ylabel(what)
        ax.set_xticks(sizes)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8, ncol=2)
    fig.suptitle("robustfair fair clusterers vs k-means, same run (2-core shared machine)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args.one[0], int(args.one[1]))
        return
    results: dict = {}
    for name in args.methods:
        rows, stopped = [], False
        for n in args.sizes:
            if stopped:
                rows.append({"n": n, "status": "skipped: timed out at a smaller n"})
                continue
            r = run_isolated([__file__, "--one", name, str(n)], timeout=args.timeout)
            r["n"] = n
            rows.append(r)
            print(name, r)
            stopped = r.get("status") != "ok"
        results[name] = rows
    km = {r["n"]: r["seconds"] for r in results.get("kmeans", []) if r.get("status") == "ok"}
    for name, rows in results.items():
        for r in rows:
            if r.get("status") == "ok" and r["n"] in km and km[r["n"]] > 0:
                r["ratio_to_kmeans"] = round(r["seconds"] / km[r["n"]], 2)
    png = RESULTS / "bench_scaling.png"
    RESULTS.mkdir(parents=True, exist_ok=True)
    plot(results, args.sizes, png)
    write("bench_scaling", {
        "sizes": args.sizes, "timeout_seconds": args.timeout, "methods": {m: METHODS[m] for m in args.methods},
        "data": "10 blobs, d = 5, group 1 = 30% (39% / 21% by blob), k = 10",
        "references": "none runnable here: the CFC repository's fair_clustering ports and holisticai are not "
                      "installed and cannot be downloaded on this machine",
        "results": results, "png": str(png.relative_to(RESULTS.parent)),
    })


if __name__ == "__main__":
    main()
