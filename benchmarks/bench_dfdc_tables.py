"""The measured tables of docs/dfdc.md: every cell is one run of the ``dfdc`` experiment.

Runs, in sequence and on the CPU with one torch / BLAS thread, each cell of the five tables
of docs/dfdc.md (Table 1 images, Table 3 predictive clustering, Table 2 tabular, Table 4
flexible constraints, Figure 2 beta) and writes ``benchmarks/results/dfdc_tables.json``:
per cell its settings, the non-epoch records of the run (``method|metric[|split]``), the wall
seconds of the DFDC fit and seconds per training epoch (pre-training plus refinement).

    ROBUSTFAIR_DATA=/path/to/data python benchmarks/bench_dfdc_tables.py [--only ID ...]
                                     [--verify ID ...] [--fresh]

The file is rewritten after every cell, and a rerun skips the cells already in it with the
same settings (``--fresh`` starts over), so an interrupted run resumes. ``--verify ID`` reruns
those cells and records whether the second run gave the same numbers (``reproduced``).
``--print`` only prints the Markdown tables from the committed file (``render``), the text
docs/dfdc.md shows; ``tests/test_docs_numbers_dfdc.py`` checks it is there.

Not run here: Table 1 on all 67,291 MNIST-USPS images (``--set variant=dfc``, the paper's
size): each epoch costs about 6.7 times the 10,000-image cell's, so run it on a GPU with
``robustfair run dfdc --set dataset=mnist-usps --set variant=dfc``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from _common import RESULTS, write

NAME = "dfdc_tables"
SEED = 0
# settings shared by every cell: no per-epoch records, no t-SNE snapshots (figures only)
COMMON = {"history": False, "tsne_snapshots": 0, "device": "cpu"}
DFC10K = {"dataset": "mnist-usps", "variant": "dfc", "n_samples": 10000, "epochs": 30}
TABULAR = {"hidden": [128, 64], "batch_size": 512, "pretrain_epochs": 10}
TABLE4_EPS = (0.01, 0.02, 0.03, 0.04)
INVERTED_EPS = (0.01, 0.02, 0.05, 0.1)
BETAS = (0.0, 1.0, 2.0, 8.0)  # beta 4 is Table 1's inverted-digits cell


def _cells() -> dict[str, dict[str, Any]]:
    """Cell id -> experiment settings, cheapest tables first, the 10,000-image dfc cells last."""
    cells: dict[str, dict[str, Any]] = {
        "t1/inverted-digits": {"dataset": "inverted-digits"},
        "t1/mnist-usps-jpda": {"dataset": "mnist-usps"},
        "t1/reverse-mnist-2000": {"dataset": "reverse-mnist", "n_samples": 2000},
    }
    for dataset in ("adult", "bank", "creditcard"):
        cells[f"t2/{dataset}"] = {"dataset": dataset, **TABULAR}
    for beta in BETAS:
        cells[f"beta/{beta:g}"] = {"dataset": "inverted-digits", "beta": beta, "methods": ["dfdc"]}
    for eps in INVERTED_EPS:
        cells[f"t4/inverted-digits/{eps:g}"] = {"dataset": "inverted-digits", "eps": eps, "methods": ["dfdc"]}
    for eps in TABLE4_EPS:
        cells[f"t4/mnist-usps-jpda/{eps:g}"] = {"dataset": "mnist-usps", "eps": eps, "methods": ["dfdc"]}
    cells["t3/mnist-usps-jpda"] = {"dataset": "mnist-usps", "test_fraction": 0.2, "methods": ["dfdc"]}
    cells["t3/reverse-mnist-2000"] = {"dataset": "reverse-mnist", "n_samples": 2000, "test_fraction": 0.2,
                                      "methods": ["dfdc"]}
    cells["t1/mnist-usps-dfc-10000"] = dict(DFC10K)
    cells["t3/mnist-usps-dfc-10000"] = {**DFC10K, "test_fraction": 0.2, "methods": ["dfdc"]}
    for eps in TABLE4_EPS:
        cells[f"t4/mnist-usps-dfc-10000/{eps:g}"] = {**DFC10K, "eps": eps, "methods": ["dfdc"]}
    # the paper's per-epoch argmax cluster sizes on Bank (the tabular default holds the pre-trained sizes)
    cells["t2/bank-argmax"] = {"dataset": "bank", **TABULAR, "cluster_sizes": "argmax", "methods": ["dfdc"]}
    return {cell: {**COMMON, **settings} for cell, settings in cells.items()}


CELLS = _cells()

# Zhang & Davidson (2021), quoted: Table 1 (acc, NMI, balance of ground truth, IMSAT, the
# initial fair assignment, DFDC), Table 2 (acc, balance of k-means, DFDC w/o fairness, DFDC;
# optimal balance), Table 3 (DFDC train and test acc, NMI, balance; test optimal balance),
# Table 4 (MNIST-USPS acc, NMI, balance per eps). tests/test_docs_numbers_dfdc.py checks
# them against the experiment's own copy (robustfair.experiments.dfdc._published).
PUBLISHED: dict[str, Any] = {
    "table1": {
        "mnist-usps": {"n": 67291, "ground-truth": [1.0, 1.0, 0.120], "imsat": [0.804, 0.787, 0.000],
                       "fair-assignment-init": [0.779, 0.746, 0.120], "dfdc": [0.936, 0.876, 0.119]},
        "reverse-mnist": {"n": 120000, "ground-truth": [1.0, 1.0, 1.000], "imsat": [0.525, 0.630, 0.000],
                          "fair-assignment-init": [0.485, 0.577, 1.000], "dfdc": [0.589, 0.690, 0.946]},
    },
    "table2": {
        "adult": {"kmeans": [0.647, 0.406], "dfdc-nofair": [0.649, 0.401], "dfdc": [0.620, 0.489], "optimal": 0.492},
        "bank": {"kmeans": [0.656, 0.144], "dfdc-nofair": [0.664, 0.144], "dfdc": [0.645, 0.186], "optimal": 0.189},
        "creditcard": {"kmeans": [0.694, 0.835], "dfdc-nofair": [0.697, 0.828], "dfdc": [0.690, 0.855],
                       "optimal": 0.856},
    },
    "table3": {
        "mnist-usps": {"train": [0.936, 0.876, 0.119], "test": [0.930, 0.865, 0.164], "test_optimal": 0.200},
        "reverse-mnist": {"train": [0.589, 0.690, 0.946], "test": [0.562, 0.645, 0.890], "test_optimal": 1.000},
        "har": {"train": [0.862, 0.845, 0.468], "test": [0.831, 0.795, 0.167], "test_optimal": 1.000},
    },
    "table4": {"0.01": [0.903, 0.847, 0.103], "0.02": [0.892, 0.835, 0.095], "0.03": [0.869, 0.818, 0.081],
               "0.04": [0.847, 0.798, 0.069]},
}


# ------------------------------------------------------------------ running
def run_cell(settings: dict[str, Any]) -> dict[str, Any]:
    """One ``dfdc`` run: its non-epoch records and the timing of the DFDC fit."""
    from robustfair.experiments import get_experiment

    experiment = get_experiment("dfdc")
    config = experiment.make_config(settings)
    start = time.perf_counter()
    records = experiment.func(config, SEED)
    wall = time.perf_counter() - start
    values: dict[str, float] = {}
    for r in records:
        if "epoch" in r.keys or r.keys.get("role") == "figure":
            continue
        key = f"{r.method}|{r.metric}" + (f"|{r.keys['split']}" if "split" in r.keys else "")
        values[key] = r.value
    train = "|train" if config.test_fraction > 0 else ""
    epochs_run = int(values[f"dfdc|epochs_run{train}"])
    seconds = values[f"dfdc|seconds{train}"]
    return {
        "settings": settings,
        "config": config.model_dump(mode="json"),
        "values": values,
        "epochs_run": epochs_run,
        "stopped_early": epochs_run < config.epochs,
        "fit_seconds": seconds,
        "seconds_per_epoch": seconds / (config.pretrain_epochs + epochs_run),
        "cell_wall_seconds": wall,
    }


def _untimed(values: dict[str, float]) -> dict[str, float]:
    return {key: value for key, value in values.items() if "|seconds" not in key}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="run only these cell ids")
    parser.add_argument("--verify", nargs="*", default=[], help="rerun these cells and record whether they agree")
    parser.add_argument("--fresh", action="store_true", help="ignore cells already in the result file")
    parser.add_argument("--print", action="store_true", help="only print the docs tables from the result file")
    args = parser.parse_args()
    path = RESULTS / f"{NAME}.json"
    if args.print:
        print("\n\n".join(render(json.loads(path.read_text())).values()))
        return

    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(1)
    old = {} if args.fresh or not path.exists() else json.loads(path.read_text())
    cells: dict[str, Any] = dict(old.get("cells", {}))
    reproduced: dict[str, bool] = dict(old.get("reproduced", {}))

    def save() -> None:
        payload = {"seed": SEED, "torch_threads": 1, "published": PUBLISHED, "cells": cells, "reproduced": reproduced,
                   "not_run": {"t1/mnist-usps-dfc-all": "67,291 images: about 20 min of CPU; needs a GPU or a long run"}}
        write(NAME, payload)

    for cell, settings in CELLS.items():
        if args.only is not None and cell not in args.only:
            continue
        if cells.get(cell, {}).get("settings") == settings:
            print("have", cell)
            continue
        cells[cell] = run_cell(settings)
        print(f"{cell}: {cells[cell]['fit_seconds']:.0f} s, {cells[cell]['epochs_run']} refinement epochs", flush=True)
        save()
    for cell in args.verify:
        again = run_cell(CELLS[cell])
        reproduced[cell] = _untimed(again["values"]) == _untimed(cells[cell]["values"])
        print(cell, "reproduced:", reproduced[cell], flush=True)
        save()
    cells = {cell: cells[cell] for cell in CELLS if cell in cells}
    save()


# ------------------------------------------------------------------ the docs tables
def _f(x: float) -> str:
    return f"{x:.3f}"


def _triple(v: dict[str, float], method: str, split: str = "") -> str:
    return " / ".join(_f(v[f"{method}|{m}{split}"]) for m in ("acc", "nmi", "balance"))


def _time(cell: dict[str, Any]) -> str:
    return f"{cell['fit_seconds']:.0f} s ({cell['seconds_per_epoch']:.2f} s/epoch)"


def _source(result: dict[str, Any], prefix: str) -> str:
    m = result["machine"]
    return (f"Source: `benchmarks/results/{NAME}.json`, cells `{prefix}*`; machine: {m['cpu_count']} cores, "
            f"{m['date_utc']} {result['command']}")


def _table1(result: dict[str, Any]) -> str:
    cells, pub = result["cells"], result["published"]["table1"]
    lines = ["| dataset (ours) | optimal bal. | k-means | dfdc-nofair | fair-assignment-init | dfdc | dfdc time |",
             "|---|---|---|---|---|---|---|"]
    names = {"t1/inverted-digits": "inverted-digits (3,594 x 64)", "t1/mnist-usps-jpda": "mnist-usps jpda (3,800 x 256)",
             "t1/reverse-mnist-2000": "reverse-mnist, 2 x 2,000",
             "t1/mnist-usps-dfc-10000": "mnist-usps dfc, 10,000 of 67,291 (30 epochs)"}
    for cell, name in names.items():
        c = cells[cell]
        v = c["values"]
        acc, nmi, bal = (_f(v[f"dfdc|{m}"]) for m in ("acc", "nmi", "balance"))
        stop = f" (stops at {c['epochs_run']})" if c["stopped_early"] else ""
        lines.append(f"| {name} | {_f(v['dfdc|optimal_balance'])} | {_triple(v, 'kmeans')} | "
                     f"{_triple(v, 'dfdc-nofair')} | {_triple(v, 'fair-assignment-init')} | "
                     f"{acc} / {nmi} / **{bal}**{stop} | {_time(c)} |")
    for dataset, label in (("mnist-usps", "MNIST-USPS"), ("reverse-mnist", "Reverse-MNIST")):
        p = pub[dataset]
        gt = f"{_f(p['ground-truth'][2])} (GT)" if dataset == "mnist-usps" else _f(p["ground-truth"][2])
        lines.append(f"| paper {label} ({p['n']:,}) | {gt} | – | IMSAT {' / '.join(map(_f, p['imsat']))} | "
                     f"{' / '.join(map(_f, p['fair-assignment-init']))} | {' / '.join(map(_f, p['dfdc']))} | – |")
    return "\n".join(lines) + "\n\n" + _source(result, "t1/")


def _table3(result: dict[str, Any]) -> str:
    cells, pub = result["cells"], result["published"]["table3"]
    lines = ["| dataset | train | test | test optimal bal. | time |", "|---|---|---|---|---|"]
    names = {"t3/mnist-usps-dfc-10000": "mnist-usps dfc, 10,000 of 67,291, 30 epochs "
                                        "(`--set variant=dfc --set n_samples=10000 --set epochs=30`)",
             "t3/mnist-usps-jpda": "mnist-usps jpda (3,800)",
             "t3/reverse-mnist-2000": "reverse-mnist, 2 x 2,000 (`--set n_samples=2000`)"}
    for cell, name in names.items():
        c = cells[cell]
        v = c["values"]
        lines.append(f"| {name} | {_triple(v, 'dfdc', '|train')} | {_triple(v, 'dfdc', '|test')} | "
                     f"{_f(v['dfdc|optimal_balance|test'])} | {_time(c)} |")
    for dataset, label in (("mnist-usps", "MNIST-USPS"), ("reverse-mnist", "Reverse-MNIST")):
        p = pub[dataset]
        lines.append(f"| paper {label} | {' / '.join(map(_f, p['train']))} | {' / '.join(map(_f, p['test']))} | "
                     f"{_f(p['test_optimal'])} | – |")
    return "\n".join(lines) + "\n\n" + _source(result, "t3/")


def _table2(result: dict[str, Any]) -> str:
    cells, pub = result["cells"], result["published"]["table2"]
    lines = ["| dataset | k-means (ours / paper) | w/o fairness (ours / paper) | dfdc (ours / paper) "
             "| optimal (ours / paper) | dfdc time |", "|---|---|---|---|---|---|"]
    names = {"adult": "adult, sex", "bank": "bank, marital (3 states)", "creditcard": "creditcard, married/single"}
    for dataset, name in names.items():
        c, p = cells[f"t2/{dataset}"], pub[dataset]
        v = c["values"]
        row = [name]
        for method in ("kmeans", "dfdc-nofair", "dfdc"):
            ours_bal = _f(v[f"{method}|balance"])
            ours_bal = f"**{ours_bal}**" if method == "dfdc" else ours_bal
            row.append(f"{_f(v[f'{method}|acc'])} / {ours_bal} — {_f(p[method][0])} / {_f(p[method][1])}")
        row += [f"{_f(v['dfdc|optimal_balance'])} — {_f(p['optimal'])}", _time(c)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n\n" + _source(result, "t2/")


def _table4(result: dict[str, Any]) -> str:
    cells, pub = result["cells"], result["published"]["table4"]
    lines = ["| eps | paper MNIST-USPS | mnist-usps dfc, 10,000 | mnist-usps jpda | inverted-digits "
             f"(eps {', '.join(f'{e:g}' for e in INVERTED_EPS)}) |", "|---|---|---|---|---|"]
    for eps, inv in zip(TABLE4_EPS, INVERTED_EPS):
        label = f"{eps:.2f}" if eps == inv else f"{eps:.2f} / {inv:g}"
        ours = [_triple(cells[f"t4/{d}/{e:g}"]["values"], "dfdc")
                for d, e in (("mnist-usps-dfc-10000", eps), ("mnist-usps-jpda", eps), ("inverted-digits", inv))]
        lines.append(f"| {label} | {' / '.join(map(_f, pub[f'{eps:.2f}']))} | " + " | ".join(ours) + " |")
    return "\n".join(lines) + "\n\n" + _source(result, "t4/")


def _beta(result: dict[str, Any]) -> str:
    cells = result["cells"]
    runs = {b: cells[f"beta/{b:g}"] for b in BETAS} | {4.0: cells["t1/inverted-digits"]}
    order = sorted(runs)
    lines = ["| beta | " + " | ".join(f"{b:g}" for b in order) + " |", "|---|" + "---|" * len(order)]
    for metric in ("acc", "balance"):
        lines.append(f"| {metric} | " + " | ".join(_f(runs[b]["values"][f"dfdc|{metric}"]) for b in order) + " |")
    return "\n".join(lines) + "\n\n" + _source(result, "beta/") + " (beta 4: `t1/inverted-digits`)"


def claims(result: dict[str, Any]) -> list[str]:
    """The numbers the prose of docs/dfdc.md quotes, as the page words them."""
    cells = result["cells"]

    def v(cell: str, key: str) -> float:
        return cells[cell]["values"][key]

    of_optimal = [v(c, "dfdc|balance") / v(c, "dfdc|optimal_balance")
                  for c in ("t1/inverted-digits", "t1/mnist-usps-jpda", "t1/reverse-mnist-2000")]
    dfc = "t1/mnist-usps-dfc-10000"
    gain_acc = 100 * (v(dfc, "dfdc|acc") - v(dfc, "dfdc-nofair|acc"))
    gain_nmi = 100 * (v(dfc, "dfdc|nmi") - v(dfc, "dfdc-nofair|nmi"))
    har = result["published"]["table3"]["har"]
    pub4 = result["published"]["table4"]
    t4 = [v(f"t4/mnist-usps-dfc-10000/{eps:g}", "dfdc|balance") for eps in TABLE4_EPS]
    return [
        f"(balance {min(of_optimal):.2f}-{max(of_optimal):.2f} of optimal)",
        f"{gain_acc:+.1f} points acc, {gain_nmi:+.1f} NMI at "
        f"{v(dfc, 'dfdc|balance') / v(dfc, 'dfdc|optimal_balance'):.2f} of the optimal balance",
        f"The paper's HAR shows the same drop ({har['train'][2]:.3f} to {har['test'][2]:.3f})",
        f"{t4[0]:.3f} -> {t4[-1]:.3f} against {pub4['0.01'][2]:.3f} -> {pub4['0.04'][2]:.3f}",
        f"(acc {v('t2/bank-argmax', 'dfdc|acc'):.3f}, NMI {v('t2/bank-argmax', 'dfdc|nmi'):.3f}, "
        f"balance {v('t2/bank-argmax', 'dfdc|balance'):.3f})",
        f"deep models' accuracy is {v('t2/creditcard', 'dfdc-nofair|acc'):.3f} and {v('t2/creditcard', 'dfdc|acc'):.3f}",
    ]


def render(result: dict[str, Any]) -> dict[str, str]:
    """The five docs/dfdc.md tables (each with its source line) from the result file."""
    return {"table1": _table1(result), "table3": _table3(result), "table2": _table2(result),
            "table4": _table4(result), "beta": _beta(result)}


if __name__ == "__main__":
    main()
