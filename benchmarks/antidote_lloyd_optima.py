"""Social cost of the k-means local optima of U: what a small antidote set can start from.

A few antidote points cannot carry k-means far from a Lloyd fixed point of ``U``: each
center is the mean of its points of ``U`` pulled by the ``m_j`` antidote points it holds,
at most ``m_j / (n_j + m_j)`` of the way to the box. So with 5 or 10 points and clusters
of thousands, the antidote result is one of the Lloyd fixed points of ``U`` moved a little,
and its social cost (Definition 1) is close to that fixed point's. This script collects
the Lloyd fixed points that many restarts reach (k-means++ and random initializations,
each polished to ``tol=0``) and the social cost of each, next to Fair-Lloyd's cost for the
same sample. When Fair-Lloyd is far below every fixed point, a 0.05% antidote set cannot
reach it (adult #2 in docs/antidote.md).

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/antidote_lloyd_optima.py \
        [--dataset adult] [--seeds 0 1 2] [--restarts 400]

Writes ``benchmarks/results/antidote_lloyd_optima.json`` and ``.png`` (the distinct fixed
points' social costs per seed, with Fair-Lloyd's as a line).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from sklearn.cluster import KMeans

from _common import write
from robustfair.antidote import fairness_cost
from robustfair.cluster import fit_labels
from robustfair.datasets import load_dataset


def lloyd_optima(X: np.ndarray, s: np.ndarray, k: int, restarts: int) -> dict[float, int]:
    """Social cost (rounded to 4 digits) of each Lloyd fixed point reached -> how many restarts reached it."""
    found: dict[float, int] = {}
    for i in range(restarts):
        init = "random" if i % 2 else "k-means++"
        first = KMeans(k, n_init=1, init=init, random_state=i).fit(X)
        fixed = KMeans(k, init=first.cluster_centers_, n_init=1, tol=0.0).fit(X)
        cost = round(fairness_cost("social", X, fixed.cluster_centers_, s), 4)
        found[cost] = found.get(cost, 0) + 1
    return dict(sorted(found.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="adult")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--restarts", type=int, default=400)
    parser.add_argument("--n-samples", type=int, default=10000, help="subsample as the antidote experiment does")
    parser.add_argument("--k", type=int, default=2)
    args = parser.parse_args()

    data = load_dataset(args.dataset, standardize=True)
    rows = []
    for seed in args.seeds:
        X, s = data.X, data.sensitive
        if args.n_samples < X.shape[0]:
            index = np.sort(np.random.default_rng(seed).choice(X.shape[0], args.n_samples, replace=False))
            X, s = X[index], s[index]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model, _ = fit_labels("fair-lloyd", X, s, args.k, random_state=seed)
            optima = lloyd_optima(X, s, args.k, args.restarts)
        fair_lloyd = fairness_cost("social", X, np.asarray(model.cluster_centers_), s)
        rows.append({"seed": seed, "fair_lloyd": fair_lloyd, "optima": optima, "best_optimum": min(optima)})
        print(f"seed {seed}: Fair-Lloyd {fair_lloyd:.4f}; best Lloyd fixed point {min(optima):.4f} "
              f"of {len(optima)} distinct over {args.restarts} restarts")

    out = write("antidote_lloyd_optima", {"dataset": args.dataset, "restarts": args.restarts, "k": args.k,
                                          "rows": rows}).parent

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.4))
    for i, row in enumerate(rows):
        costs = np.array(list(row["optima"]))
        counts = np.array(list(row["optima"].values()))
        ax.scatter(np.full(costs.shape, i), costs, s=10 + 2 * counts, alpha=0.6,
                   label="Lloyd fixed points (size: restarts)" if i == 0 else None)
        ax.hlines(row["fair_lloyd"], i - 0.3, i + 0.3, colors="k", label="Fair-Lloyd" if i == 0 else None)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([f"seed {r['seed']}" for r in rows])
    ax.set_ylabel("social cost (lower is fairer)")
    ax.set_title(f"{args.dataset}: k-means local optima vs Fair-Lloyd", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "antidote_lloyd_optima.png", dpi=120)


if __name__ == "__main__":
    main()
