"""Can any antidote set of size m move a single point of U under warm-started Lloyd? A bound.

The antidote experiment's k-means queries run Lloyd from the vanilla centers. While every
point of ``U`` keeps its vanilla cluster, each center is ``(n_a c_a + m_a vbar_a) /
(n_a + m_a)``: the vanilla center ``c_a`` of its ``n_a`` points of ``U`` pulled by the
mean ``vbar_a`` of the ``m_a`` antidote points it holds, with ``vbar_a`` inside the
bounding box and ``sum_a m_a <= m``. A point ``x`` of cluster ``a`` can only change to
``b`` if, for some such centers, ``||x - c_a'||^2 > ||x - c_b'||^2``. The largest possible
value of that difference (the *margin*) is separable per coordinate: ``vbar_b`` is the box
point nearest to the pull that brings ``c_b'`` onto ``x`` (a clip), ``vbar_a`` the box corner
farthest from ``x``. If the margin is negative for every ``x``, every split of ``m``
and every placement, no point of ``U`` ever changes cluster, so the balance or social cost
of ``U`` under the final centers is the vanilla one: no antidote set of size ``m`` in the
box can improve that cell. (k = 2, the paper's setting.)

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/antidote_lloyd_margin.py \
        [--dataset adult] [--seeds 0 1 2 3 4] [--sizes 1 5 10 20 50 100]

Writes ``benchmarks/results/antidote_lloyd_margin.json`` and ``.png`` (margin against m per
seed; the dashed line at 0 separates "provably stuck" from "a point may move").
"""

from __future__ import annotations

import argparse

import numpy as np

from _common import write
from robustfair._validation import check_random_state, seed_from
from robustfair.antidote import AntidoteData
from robustfair.datasets import load_dataset


def best_margin(U: np.ndarray, labels: np.ndarray, centers: np.ndarray, m: int) -> float:
    """Largest ``||x - c_a'||^2 - ||x - c_b'||^2`` over points x, clusters b != a(x), splits and placements."""
    lo, hi = U.min(0), U.max(0)
    counts = np.bincount(labels, minlength=centers.shape[0]).astype(float)
    best = -np.inf
    for a in range(centers.shape[0]):
        X = U[labels == a]
        for b in range(centers.shape[0]):
            if b == a:
                continue
            for m_b in range(0, m + 1):
                m_a = m - m_b
                # c_b' as close to x as m_b box points can pull it (per coordinate: a clip)
                if m_b:
                    vb = np.clip(((counts[b] + m_b) * X - counts[b] * centers[b]) / m_b, lo, hi)
                    cb = (counts[b] * centers[b] + m_b * vb) / (counts[b] + m_b)
                else:
                    cb = np.broadcast_to(centers[b], X.shape)
                # c_a' as far from x as m_a box points can push it: per coordinate the distance
                # is convex in the pull, so one of the two box faces is the farthest
                if m_a:
                    pulled = [(counts[a] * centers[a] + m_a * v) / (counts[a] + m_a) for v in (lo, hi)]
                    ca = np.where(np.abs(X - pulled[0]) > np.abs(X - pulled[1]), pulled[0], pulled[1])
                else:
                    ca = np.broadcast_to(centers[a], X.shape)
                margin = ((X - ca) ** 2).sum(1) - ((X - cb) ** 2).sum(1)
                best = max(best, float(margin.max()))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="adult", choices=["adult", "bank", "creditcard"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10, 20, 50, 100])
    args = parser.parse_args()

    data = load_dataset(args.dataset, standardize=True)
    out: dict = {"dataset": args.dataset, "k": 2, "seeds": {}}
    for seed in args.seeds:
        X, s = data.X, data.sensitive
        if args.dataset == "adult":  # the experiment's seeded 10,000-row subsample
            keep = np.sort(np.random.default_rng(seed).choice(X.shape[0], 10000, replace=False))
            X, s = X[keep], s[keep]
        # the vanilla clustering of AntidoteData(random_state=seed), as the experiment runs it
        run = AntidoteData("kmeans", 2, random_state=seed)._make_centers_fn(X, seed_from(check_random_state(seed)))
        centers, labels = run(X)
        sizes = np.bincount(labels, minlength=2)
        row = {"cluster_sizes": sizes.tolist(),
               "margin": {int(m): best_margin(X, labels, centers, m) for m in args.sizes}}
        out["seeds"][int(seed)] = row
        print(seed, row)

    results = write("antidote_lloyd_margin", out).parent

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2), layout="constrained")
    for seed, row in out["seeds"].items():
        ms = sorted(row["margin"])
        ax.plot(ms, [row["margin"][m] for m in ms], "-o", ms=3,
                label=f"seed {seed} (clusters {row['cluster_sizes'][0]}/{row['cluster_sizes'][1]})")
    ax.axhline(0, color="k", ls="--", lw=0.8)
    ax.axvline(0.001 * (10000 if args.dataset == "adult" else data.X.shape[0]), color="C7", ls=":", lw=1,
               label="|V| = 0.1% of |U|")
    ax.set_xscale("log")
    ax.set_xlabel("antidote points m")
    ax.set_ylabel("largest first-move margin")
    ax.set_title(f"{args.dataset}, k-means + warm start: can V move any point of U?", fontsize=9)
    ax.legend(fontsize=6)
    fig.savefig(results / "antidote_lloyd_margin.png", dpi=110)


if __name__ == "__main__":
    main()
