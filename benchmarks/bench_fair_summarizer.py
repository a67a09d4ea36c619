"""How close can a fair summary get to Human's F1? The fair summarizer against its ceiling.

On the FairVidSum videos that come from TVSum (the only ones with public importance
annotations), for each group type: Human's F1 (knapsack on the mean rating), the fair
summarizer's F1 at ``SumBal >= tau`` (exact ILP over frames, importance = annotator
agreement; and with importance = TVSum's mean rating, shots as in Human's summary), and a
ceiling. The ceiling is the best F1 any summary with ``SumBal >= tau`` can
reach, over lengths 80-100% of the budget. For a fixed length ``L``, the mean F1 against
users of lengths ``m_u`` is linear in the chosen frames, with weights
``mean_u 2 O_uj / (L + m_u)``, so the same exact ILP solves it.

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/bench_fair_summarizer.py [--tau 0.95]

Writes ``benchmarks/results/bench_fair_summarizer.json``.
"""

from __future__ import annotations

import argparse

import numpy as np

from _common import write
from robustfair.datasets import data_root, require_file
from robustfair.summarize import (
    FairSummarizer,
    annotator_agreement,
    f1_score,
    human_summary,
    load_group_labels,
    load_tvsum,
    summary_capacity,
    tvsum_user_summaries,
)

GROUP_TYPES = ("sex", "ethnicity", "individual")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tau", type=float, default=0.95)
    parser.add_argument("--budget", type=float, default=0.15)
    args = parser.parse_args()

    root = data_root()
    mat = require_file(root, "fairvidsum/tvsum/ydata-tvsum50.mat", "fairvidsum")
    labels_dir = require_file(root, "fairvidsum/fair-npy-data/sex/video_1.npy", "fairvidsum").parent.parent
    tvsum = {v.n_frames: v for v in load_tvsum(mat)}
    rows = []
    for i in range(1, 35):
        video = f"video_{i}"
        n = load_group_labels(labels_dir, video, "sex").shape[0]
        tv = tvsum.get(n) or tvsum.get(n - 1)  # video_30: the labels have one extra frame
        if tv is None:
            continue
        users, cp = tvsum_user_summaries(tv, budget=args.budget)
        human = f1_score(human_summary(tv.ratings, change_points=cp, budget=args.budget), users)
        k = summary_capacity(tv.n_frames, args.budget)
        lengths = users.sum(axis=1, keepdims=True).astype(float)
        for gt in GROUP_TYPES:
            g = load_group_labels(labels_dir, video, gt)[: tv.n_frames]
            fair = FairSummarizer(args.budget, args.tau, unit="frame").fit(annotator_agreement(users), group_labels=g)
            # the same summarizer on TVSum's mean rating (gt_score), what Human's summary ranks by
            rated = FairSummarizer(args.budget, args.tau, unit="frame").fit(tv.gt_score, group_labels=g, change_points=cp)
            ceiling = 0.0
            for length in sorted({k, int(0.95 * k), int(0.9 * k), int(0.8 * k)}):
                weights = (2 * users / (length + lengths)).mean(axis=0)
                best = FairSummarizer(length / tv.n_frames + 1e-9, args.tau, unit="frame").fit(weights, group_labels=g)
                ceiling = max(ceiling, f1_score(best.summary_, users))
            rows.append({"video": video, "group_type": gt, "human_f1": human, "fair_f1": f1_score(fair.summary_, users),
                         "fair_f1_mean_rating": f1_score(rated.summary_, users),
                         "ceiling_f1": ceiling, "sumbal": fair.sumbal_, "optimal": bool(fair.optimal_)})
    summary = {}
    for gt in GROUP_TYPES:
        sel = [r for r in rows if r["group_type"] == gt]
        human = np.array([r["human_f1"] for r in sel])
        fair = np.array([r["fair_f1"] for r in sel])
        rated = np.array([r["fair_f1_mean_rating"] for r in sel])
        ceiling = np.array([r["ceiling_f1"] for r in sel])
        summary[gt] = {"videos": len(sel), "fair_over_human": float(fair.mean() / human.mean()),
                       "fair_over_human_per_video_mean": float(np.mean(fair / human)),
                       "fair_over_human_mean_rating": float(rated.mean() / human.mean()),
                       "fair_over_human_mean_rating_per_video_mean": float(np.mean(rated / human)),
                       "ceiling_over_human": float(ceiling.mean() / human.mean()),
                       "min_sumbal": float(min(r["sumbal"] for r in sel)),
                       "all_optimal": all(r["optimal"] for r in sel)}
        print(f"{gt:>10}: fair/Human {summary[gt]['fair_over_human']:.4f} "
              f"(per-video mean {summary[gt]['fair_over_human_per_video_mean']:.4f}), "
              f"ceiling/Human {summary[gt]['ceiling_over_human']:.4f}, min SumBal {summary[gt]['min_sumbal']:.4f}")
    write("bench_fair_summarizer", {"tau": args.tau, "budget": args.budget, "summary": summary, "videos": rows})


if __name__ == "__main__":
    main()
