"""MLP trimming and the distribution-shift baselines against the published claims.

Runs the registered experiments ``influence-mlp-trim`` (Appendix D.1 Figure 8 / thesis
Figure 4.9: a two-hidden-layer ReLU MLP, influence from a logistic surrogate on its last
hidden layer, influence vs random trimming) on Adult and Bank under both protocols, and
``distribution-shift`` (Section 5.1 Figure 4 / thesis Figure 4.10: ACS income, 600 points
trimmed by DP influence; vanilla logistic regression, Kamiran-Calders reweighing and
fairlearn's exponentiated gradient with DemographicParity, each before and after the
trim, plus vanilla without 600 random points). Both figures are published without
numbers, so the "published" column holds the paper's claim. Summaries are means and 95%
t-intervals over seeds.

    cd benchmarks && ROBUSTFAIR_DATA=/path/to/data python bench_influence_baselines.py [--mlp-seeds 2] [--shift-seeds 1]

Writes ``benchmarks/results/influence_baselines.json`` (read by ``docs/influence.md``'s
table, checked by ``tests/influence/test_baselines_results.py``).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from _common import RESULTS, write
from bench_influence_trimming import interval

CLAIMS = {
    "mlp|utility": "accuracy not below random",
    "mlp|dp": "abs DP lowered, random not",
    "shift|vanilla": "trim lowers abs DP",
    "shift|baseline": "trim raises accuracy",
}
SHIFT_LABELS = {
    "dist-shift-adult-time": "time (CA 2018)",
    "dist-shift-adult-loc": "location (MI 2014)",
    "dist-shift-adult": "time + location (MI 2018)",
}


def mlp_runs(dataset: str, protocol: str, seeds: list[int], budgets: list[float], n_samples: int) -> dict:
    from robustfair.experiments import get_experiment

    exp = get_experiment("influence-mlp-trim")
    rows: dict[str, list[float]] = {}
    for seed in seeds:
        config = exp.make_config(
            {"datasets": [dataset], "budgets": [0.0, *budgets], "protocol": protocol, "n_samples": n_samples}
        )
        for r in exp.func(config, seed):
            if (r.keys["objective"], r.metric) not in (("utility", "accuracy"), ("dp", "dp")):
                continue
            value = abs(r.value) if r.metric == "dp" else r.value
            rows.setdefault(f"{r.keys['objective']}|{r.method}|{r.keys['budget']:g}", []).append(value)
    return rows


def shift_runs(dataset: str, seeds: list[int]) -> dict:
    from robustfair.experiments import get_experiment

    exp = get_experiment("distribution-shift")
    rows: dict[str, list[float]] = {}
    for seed in seeds:
        for r in exp.func(exp.make_config({"datasets": [dataset]}), seed):
            if r.metric in ("accuracy", "dp"):
                rows.setdefault(f"{r.method}|{r.metric}", []).append(abs(r.value) if r.metric == "dp" else r.value)
    return rows


def _cell(stat: dict | None) -> str:
    """Mean over seeds, with the range of the seeds' values when there are several."""
    if not stat or "mean" not in stat:
        return "n/a"
    if stat["n"] == 1:
        return f"{stat['mean']:.3f}"
    return f"{stat['mean']:.3f} [{min(stat['values']):.3f}, {max(stat['values']):.3f}]"


def markdown_table(payload: dict) -> str:
    """The side-by-side table of ``docs/influence.md`` (published claim vs ours), from the results."""
    head = "| experiment | data | quantity | published | ours |\n|---|---|---|---|---|\n"
    rows = []
    for dataset in ("adult", "bank"):
        for objective, quantity in (("utility", "test accuracy"), ("dp", "abs DP")):
            cells = []
            for protocol in ("paper", "ours"):
                stats = payload["mlp_trim"].get(f"{dataset}|{protocol}", {})
                cells.append(
                    f"{protocol}: {_cell(stats.get(f'{objective}|influence|0'))} → 5%: "
                    f"{_cell(stats.get(f'{objective}|influence|0.05'))} (random 5%: "
                    f"{_cell(stats.get(f'{objective}|random|0.05'))})"
                )
            rows.append(
                f"| Fig 8 / 4.9, MLP, {objective} trimming | {dataset} | {quantity} | {CLAIMS['mlp|' + objective]} "
                f"| {'; '.join(cells)} |"
            )
    for dataset, label in SHIFT_LABELS.items():
        stats = payload["distribution_shift"].get(dataset, {})
        for method in ("vanilla", "reweighing", "exponentiated-gradient"):
            cell = (
                f"acc {_cell(stats.get(f'{method}|accuracy'))} → {_cell(stats.get(f'{method}+trim|accuracy'))}, "
                f"abs DP {_cell(stats.get(f'{method}|dp'))} → {_cell(stats.get(f'{method}+trim|dp'))}"
            )
            if method == "vanilla":
                cell += (
                    f" (random: acc {_cell(stats.get('vanilla+random|accuracy'))}, "
                    f"abs DP {_cell(stats.get('vanilla+random|dp'))})"
                )
            claim = CLAIMS["shift|vanilla" if method == "vanilla" else "shift|baseline"]
            rows.append(f"| Fig 4 / 4.10, {method} ± trim | {label} | test accuracy, abs DP | {claim} | {cell} |")
    return head + "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlp-seeds", type=int, default=2)
    parser.add_argument("--shift-seeds", type=int, default=1)
    parser.add_argument("--mlp-samples", type=int, default=4000, help="rows per MLP dataset (experiment default)")
    parser.add_argument("--table", action="store_true", help="print the docs table from the results file and stop")
    args = parser.parse_args()
    if args.table:
        print(markdown_table(json.loads((RESULTS / "influence_baselines.json").read_text())), end="")
        return
    start = time.perf_counter()
    mlp: dict = {}
    for dataset in ("adult", "bank"):
        for protocol in ("paper", "ours"):
            rows = mlp_runs(dataset, protocol, list(range(args.mlp_seeds)), [0.05], args.mlp_samples)
            mlp[f"{dataset}|{protocol}"] = {k: interval(v) for k, v in rows.items()}
            print(dataset, protocol, {k: round(float(np.mean(v)), 3) for k, v in rows.items()}, flush=True)
    mlp_seconds = time.perf_counter() - start
    shift: dict = {}
    for dataset in SHIFT_LABELS:
        rows = shift_runs(dataset, list(range(args.shift_seeds)))
        shift[dataset] = {k: interval(v) for k, v in rows.items()}
        print(dataset, {k: round(float(np.mean(v)), 3) for k, v in rows.items()}, flush=True)
    write(
        "influence_baselines",
        {
            "claims": CLAIMS,
            "mlp_seeds": list(range(args.mlp_seeds)),
            "shift_seeds": list(range(args.shift_seeds)),
            "mlp_samples": args.mlp_samples,
            "mlp_trim": mlp,
            "distribution_shift": shift,
            "seconds": {"mlp": mlp_seconds, "total": time.perf_counter() - start},
        },
    )


if __name__ == "__main__":
    main()
