"""Influence trimming against the published numbers: toy regions and trimming by objective.

Runs the registered experiments ``influence-regions`` (Figure 1 / thesis 4.7) and
``influence-trim`` (Figure 2, Figure 9 / thesis 4.8-4.9) under both protocols, ``paper``
(InfDataSel's model: z-scored features, no intercept, its ``l2_reg`` on the summed loss)
and ``ours`` (an intercept, ``l2`` on the mean loss), for ``--seeds`` seeds, with a
random-removal control of the same size. Every summary is a mean and a 95% t-interval
over seeds.

* toy regions: robust accuracy on the validation set moved across the untrimmed model's
  boundary, before and after trimming b = 10 points, on ``toy-influence`` (a new draw of
  the paper's two Gaussians per seed) and on ``toy-influence-infdatasel`` (the authors'
  own draw; deterministic, so one run), plus ``--draws`` generated draws under the paper
  protocol for the figure;
* trimming by objective: test accuracy after utility trimming and signed / absolute EOP
  after EOP trimming, at 1% and 5% of the training set, on Adult and Bank;
* adaptive evasion (Section 5.3 / thesis Figure 4.11): test accuracy before the attack,
  under it, and after trimming 2.5% (mean of ``--adaptive-runs`` attacks per seed).

    cd benchmarks && ROBUSTFAIR_DATA=/path/to/data python bench_influence_trimming.py [--seeds 5] [--parts toy,trim,adaptive]

``--parts`` reruns only the parts named and keeps the others from the existing file; the
command (``part_command``) and time of each part are in ``part_runs``.

Writes ``benchmarks/results/influence_trimming.json`` (read by ``docs/influence.md``'s
table, checked by ``tests/influence/test_trimming_results.py``) and
``benchmarks/results/influence_trimming_toy.png``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy import stats

from _common import RESULTS, write

PUBLISHED = {
    "toy_robust_before": 0.01,
    "toy_robust_after": 0.42,
}


def interval(values: list[float]) -> dict:
    """Mean and the half-width of a 95% t-interval (0 for a single value)."""
    arr = np.asarray(values, dtype=float)
    half = float(stats.t.ppf(0.975, arr.size - 1) * arr.std(ddof=1) / np.sqrt(arr.size)) if arr.size > 1 else 0.0
    return {"mean": float(arr.mean()), "half_width": half, "n": int(arr.size), "values": arr.tolist()}


def toy_runs(dataset: str, protocol: str, seeds: list[int], objectives: list[str], n_random: int) -> dict:
    from robustfair.experiments import get_experiment

    exp = get_experiment("influence-regions")
    out: dict[str, list[float]] = {"before": [], "after": [], "random": [], "n_trimmed": []}
    for seed in seeds:
        config = exp.make_config(
            {"dataset": dataset, "protocol": protocol, "objectives": objectives, "n_random": n_random}
        )
        for r in exp.func(config, seed):
            objective = r.keys.get("objective")
            if objective not in ("robust", "dp"):
                continue
            prefix = "" if objective == "robust" else "dp_"  # robust: robust accuracy; dp: |DP| of predictions
            if r.metric in ("robust_accuracy", "dp"):
                stage = "random" if r.method == "random" else r.keys["stage"]
                out.setdefault(prefix + stage, []).append(r.value)
            elif r.metric == "n_trimmed":
                out.setdefault(prefix + "n_trimmed", []).append(r.value)
    return out


def trim_runs(dataset: str, protocol: str, seeds: list[int], budgets: list[float], n_samples: int | None) -> dict:
    from robustfair.experiments import get_experiment

    exp = get_experiment("influence-trim")
    rows: dict[str, list[float]] = {}
    for seed in seeds:
        config = exp.make_config(
            {
                "datasets": [dataset],
                "objectives": ["utility", "eop"],
                "budgets": [0.0, *budgets],
                "protocol": protocol,
                "n_samples": n_samples,
            }
        )
        for r in exp.func(config, seed):
            if r.metric not in ("accuracy", "eop"):
                continue
            if (r.keys["objective"], r.metric) not in (("utility", "accuracy"), ("eop", "eop")):
                continue
            key = f"{r.keys['objective']}|{r.metric}|{r.method}|{r.keys['budget']:g}"
            rows.setdefault(key, []).append(r.value)
            if r.metric == "eop":
                rows.setdefault(key.replace("|eop|", "|abs_eop|"), []).append(abs(r.value))
    return rows


def adaptive_runs(dataset: str, protocol: str, seeds: list[int], n_runs: int, n_samples: int | None) -> dict:
    from robustfair.experiments import get_experiment

    exp = get_experiment("adaptive-evasion")
    rows: dict[str, list[float]] = {"no-attack": [], "attack": [], "attack+trim": [], "attack+random": []}
    for seed in seeds:
        config = exp.make_config(
            {"datasets": [dataset], "protocol": protocol, "n_runs": n_runs, "n_samples": n_samples}
        )
        per_seed: dict[str, list[float]] = {k: [] for k in rows}
        for r in exp.func(config, seed):
            per_seed[r.method].append(r.value)
        for key, values in per_seed.items():  # one number per seed: the mean over its runs
            rows[key].append(float(np.mean(values)))
    return rows


def figure(draws_after: list[float], draws_random: list[float], upstream_after: float | None, path: Path) -> None:
    from robustfair.report.figures.influence_trimming import plot_toy_draws

    fig = plot_toy_draws(
        draws_after, draws_random, published=PUBLISHED["toy_robust_after"], authors_draw=upstream_after
    )
    fig.savefig(path, dpi=110)


def _cell(stat: dict | None) -> str:
    if not stat or "mean" not in stat:
        return "n/a"
    if stat["n"] == 1:
        return f"{stat['mean']:.2f}"
    return f"{stat['mean']:.3f} ± {stat['half_width']:.3f}"


def markdown_table(payload: dict) -> str:
    """The side-by-side table of ``docs/influence.md`` (published vs both protocols), from the results."""
    toy, trimming, adaptive = payload["toy_regions"], payload["trimming"], payload.get("adaptive_evasion", {})
    head = "| experiment | data | quantity | published | paper protocol | ours |\n|---|---|---|---|---|---|\n"
    rows = []

    def arrow(stats: dict, before: str, after: str, control: str | None) -> str:
        text = f"{_cell(stats.get(before))} → {_cell(stats.get(after))}"
        return text + (f" (random {_cell(stats.get(control))})" if control else "")

    for dataset, label in (("toy-influence-infdatasel", "authors' toy draw"), ("toy-influence", "generated toy draws")):
        paper, ours = toy.get(f"{dataset}|paper", {}), toy.get(f"{dataset}|ours", {})
        rows.append(
            f"| Fig 1 I / 4.7 | {label} | robust accuracy, b = 10 | 0.01 → 0.42 | "
            f"{arrow(paper, 'before', 'after', 'random')} | {arrow(ours, 'before', 'after', 'random')} |"
        )
    for dataset, label in (("toy-influence-infdatasel", "authors' toy draw"), ("toy-influence", "generated toy draws")):
        paper, ours = toy.get(f"{dataset}|paper", {}), toy.get(f"{dataset}|ours", {})
        rows.append(
            f"| Fig 1 F / 4.7 | {label} | abs DP of predictions, b = 10 | lowered (no number) | "
            f"{arrow(paper, 'dp_before', 'dp_after', 'dp_random')} | {arrow(ours, 'dp_before', 'dp_after', 'dp_random')} |"
        )
    claims = {
        ("utility", "adult"): "no gain",
        ("utility", "bank"): "+10%",
        ("eop", "adult"): "EOP lowered",
        ("eop", "bank"): "EOP lowered",
    }
    for objective, metric, quantity in (
        ("utility", "accuracy", "test accuracy"),
        ("eop", "eop", "signed EOP"),
        ("eop", "abs_eop", "abs EOP"),
    ):
        for dataset in ("adult", "bank"):
            cells = []
            for protocol in ("paper", "ours"):
                stats = trimming.get(f"{dataset}|{protocol}", {})
                key = f"{objective}|{metric}"
                cells.append(
                    f"{_cell(stats.get(key + '|influence|0'))} → 1%: {_cell(stats.get(key + '|influence|0.01'))}, "
                    f"5%: {_cell(stats.get(key + '|influence|0.05'))} (random 5%: "
                    f"{_cell(stats.get(key + '|random|0.05'))})"
                )
            claim = claims[(objective, dataset)] if metric != "abs_eop" else "n/a"
            rows.append(
                f"| Fig 2 / 9, {objective} trimming | {dataset} | {quantity} | {claim} | {cells[0]} | {cells[1]} |"
            )
    for dataset in ("adult", "bank"):
        cells = []
        for protocol in ("paper", "ours"):
            stats = adaptive.get(f"{dataset}|{protocol}", {})
            cells.append(
                f"pre {_cell(stats.get('no-attack'))}, attacked {_cell(stats.get('attack'))}, "
                f"trimmed {_cell(stats.get('attack+trim'))} (random {_cell(stats.get('attack+random'))})"
            )
        rows.append(
            f"| Fig 5 / 4.11, adaptive evasion | {dataset} | test accuracy | trimmed beyond pre-attack | "
            f"{cells[0]} | {cells[1]} |"
        )
    return head + "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--draws", type=int, default=30, help="generated toy draws for the figure")
    parser.add_argument("--datasets", default="adult,bank")
    parser.add_argument("--parts", default="toy,trim,adaptive", help="which parts to (re)run; the others are kept")
    parser.add_argument("--adaptive-runs", type=int, default=3, help="attack-and-trim runs per seed")
    parser.add_argument("--n-samples", type=int, default=None, help="subsample (smoke runs only)")
    parser.add_argument("--table", action="store_true", help="print the docs table from the results file and stop")
    args = parser.parse_args()
    if args.table:
        print(markdown_table(json.loads((RESULTS / "influence_trimming.json").read_text())), end="")
        return
    seeds = list(range(args.seeds))
    parts = args.parts.split(",")
    path = RESULTS / "influence_trimming.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    payload = {k: previous.get(k, {}) for k in ("toy_regions", "trimming", "adaptive_evasion", "part_runs")}
    if previous and not payload["part_runs"]:  # a file from before part_runs: its parts ran under its command
        payload["part_runs"] = {
            part: {"part_command": previous["command"], "seconds": previous.get("seconds")}
            for part in ("toy", "trim", "adaptive")
            if previous.get({"toy": "toy_regions", "trim": "trimming", "adaptive": "adaptive_evasion"}[part])
        }
    start = time.perf_counter()

    if "toy" in parts:
        toy: dict = {}
        for dataset in ("toy-influence", "toy-influence-infdatasel"):
            for protocol in ("paper", "ours"):
                try:
                    runs = toy_runs(
                        dataset, protocol, seeds if dataset == "toy-influence" else [0], ["robust", "dp"], 20
                    )
                except Exception as err:  # the authors' draw needs the data root
                    toy[f"{dataset}|{protocol}"] = {"status": f"skipped: {err}"}
                    continue
                toy[f"{dataset}|{protocol}"] = {k: interval(v) for k, v in runs.items()}
                print(dataset, protocol, {k: round(np.mean(v), 3) for k, v in runs.items()}, flush=True)
        draws = toy_runs("toy-influence", "paper", list(range(args.draws)), ["robust"], 20)
        toy["draws|paper"] = {k: interval(v) for k, v in draws.items()}
        payload["toy_regions"] = toy
    toy = payload["toy_regions"]
    if "draws|paper" in toy:  # redrawn from the stored values on every run
        upstream = toy.get("toy-influence-infdatasel|paper", {}).get("after")
        figure(
            toy["draws|paper"]["after"]["values"],
            toy["draws|paper"]["random"]["values"],
            upstream["mean"] if upstream else None,
            RESULTS / "influence_trimming_toy.png",
        )

    if "trim" in parts:
        trimming: dict = {}
        for dataset in args.datasets.split(","):
            for protocol in ("paper", "ours"):
                rows = trim_runs(dataset, protocol, seeds, [0.01, 0.05], args.n_samples)
                trimming[f"{dataset}|{protocol}"] = {k: interval(v) for k, v in rows.items()}
                print(dataset, protocol, {k: round(np.mean(v), 3) for k, v in rows.items()}, flush=True)
        payload["trimming"] = trimming

    if "adaptive" in parts:
        adaptive: dict = {}
        for dataset in args.datasets.split(","):
            for protocol in ("paper", "ours"):
                rows = adaptive_runs(dataset, protocol, seeds, args.adaptive_runs, args.n_samples)
                adaptive[f"{dataset}|{protocol}"] = {k: interval(v) for k, v in rows.items()}
                print(dataset, protocol, {k: round(np.mean(v), 3) for k, v in rows.items()}, flush=True)
        payload["adaptive_evasion"] = adaptive

    from _common import command

    for part in parts:
        payload["part_runs"][part] = {"part_command": command(), "seconds": time.perf_counter() - start}
    write("influence_trimming", {"published": PUBLISHED, "seeds": seeds, **payload})


if __name__ == "__main__":
    main()
