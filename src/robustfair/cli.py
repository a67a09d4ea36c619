"""``robustfair`` command line: a thin shell over :mod:`robustfair.experiments`.

Exit codes: 0 on success, 2 on bad input (one line on stderr), 1 on an unexpected error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from .experiments._tables import summary_table

__all__ = ["main", "summary_table", "experiment_help"]

DEFAULT_DB = "robustfair-results.db"


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="robustfair",
        description="Fairness and robustness under attack for clustering and classification.",
    )
    parser.add_argument("--version", action="version", version=f"robustfair {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def data_dir_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", metavar="PATH", help="data root for file datasets (default: $ROBUSTFAIR_DATA)")

    p = sub.add_parser("demo", help="the main job on built-in data: run, store, print")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default: {DEFAULT_DB})")
    p.add_argument("--seeds", type=int, default=None, help="seeds per step (default: each step's own)")
    p.add_argument("--jobs", type=int, default=1, help="parallel worker processes")
    p.add_argument("--steps", metavar="N,N", help="run only these demo steps (1-5; default: all)")
    p.add_argument(
        "--report",
        metavar="PATH",
        default="robustfair-report.html",
        help="where to write the HTML report (default: robustfair-report.html)",
    )

    p = sub.add_parser("datasets", help="list datasets, where they are read from and whether present")
    data_dir_option(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--fetch",
        metavar="NAME",
        action="append",
        default=[],
        help="download NAME from its public source into the data home, SHA-256 checked (repeatable)",
    )
    p.add_argument("--mirror", metavar="URL", help="with --fetch: base URL of a mirror serving the files by name")

    p = sub.add_parser("list", help="registered experiments, one line each")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser("audit", help="audit your own CSV/Parquet file: fairness by group, and under attack")
    p.add_argument("path", help="a CSV (or Parquet) file, one row per person, with a header row")
    p.add_argument(
        "--sensitive",
        required=True,
        metavar="COL[,COL...]",
        help="protected column(s); several give their intersection as groups",
    )
    p.add_argument("--target", metavar="COL", help="class column, for accuracy and NMI (optional)")
    p.add_argument(
        "--features", metavar="COL[,COL...]", help="columns to cluster on (default: all but target and sensitive)"
    )
    p.add_argument(
        "--methods",
        default="kmeans,sfd,bera,kfc",
        metavar="M[,M...]",
        help="clustering methods (default: kmeans,sfd,bera,kfc; sfd and fairlet need exactly two "
        "groups; see `robustfair.cluster.list_methods`)",
    )
    p.add_argument("--k", type=int, default=None, help="clusters (default: the target's classes, else 5)")
    p.add_argument(
        "--attack", action="store_true", help="run the fairness attack and its random control against each fair method"
    )
    p.add_argument(
        "--fractions",
        default="0.05,0.15,0.3",
        metavar="F[,F...]",
        help="attacked fractions of group labels (default: 0.05,0.15,0.3)",
    )
    p.add_argument("--budget", type=int, default=20, help="queries of the attack's search per fraction (default: 20)")
    p.add_argument("--n-boot", type=int, default=200, help="bootstrap replicates for the intervals (default: 200)")
    p.add_argument("--seed", type=int, default=0, help="random_state of methods, attack and bootstrap (default: 0)")
    p.add_argument("--dropna", action="store_true", help="drop rows with a missing value instead of failing")
    p.add_argument("--na-values", metavar="S[,S...]", help="extra markers of missing values, e.g. '?'")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    p.add_argument("-o", "--output", metavar="PATH", help="write the HTML report with grouped tables and plots")

    p = sub.add_parser(
        "run", help="run (or resume) a named experiment's sweep (`run NAME --help`: its settings)", add_help=False
    )
    p.add_argument(
        "-h",
        "--help",
        action="store_true",
        dest="show_help",
        help="show this help, and with NAME every setting of that experiment",
    )
    p.add_argument("name", nargs="?", help="experiment name (see `robustfair list`)")
    parser.set_defaults(run_parser=p)
    p.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="config value; comma-separated values sweep scalar keys (repeatable)",
    )
    p.add_argument("--seeds", type=int, default=None, help="number of seeds, 0..N-1 (default: 1)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default: {DEFAULT_DB})")
    p.add_argument("--jobs", type=int, default=1, help="parallel worker processes (joblib)")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run cells on a running Dask scheduler")
    p.add_argument("--cluster", metavar="local:N", help="start a Dask LocalCluster of N workers for the sweep")
    p.add_argument(
        "--reuse", action="store_true", help="keep cells another code version stored (default: recompute them)"
    )
    data_dir_option(p)

    p = sub.add_parser("report", help="write the HTML report of a results database")
    p.add_argument("--db", default=DEFAULT_DB, help=f"results database (default: {DEFAULT_DB})")
    p.add_argument("-o", "--output", default="robustfair-report.html", help="output HTML file")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _dispatch(args)
    except ValueError as exc:
        from .datasets import DatasetNotFoundError

        message = _one_line(exc)
        if isinstance(exc, DatasetNotFoundError):  # the library names its argument; the CLI, its option
            message = message.replace("pass data_dir=", "pass --data-dir")
        print(f"robustfair {args.command}: error: {message}", file=sys.stderr)
        return 2
    except ImportError as exc:  # an optional extra the command needs is not installed
        print(f"robustfair {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `robustfair datasets | head`: the reader left; not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep Python's exit flush quiet
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        print("robustfair: interrupted; finished cells are saved, rerun to resume.", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _dispatch(args: argparse.Namespace) -> int:
    data_dir = getattr(args, "data_dir", None)
    if data_dir:  # handed down as an argument (list_datasets, run_experiment), not through os.environ
        if not os.path.isdir(data_dir):
            raise ValueError(f"--data-dir {data_dir} is not a folder.")
        args.data_dir = os.path.abspath(data_dir)
    if args.command == "list":
        return _cmd_list(args)
    if args.command == "datasets":
        return _cmd_datasets(args)
    if args.command == "run":
        return _cmd_run(args)
    if args.command == "audit":
        return _cmd_audit(args)
    if args.command == "demo":
        return _cmd_demo(args)
    if args.command == "report":
        return _cmd_report(args)
    raise ValueError(f"unknown command {args.command!r}")


def _cmd_list(args: argparse.Namespace) -> int:
    from .experiments import list_experiments

    exps = list_experiments()
    if args.json:
        print(json.dumps([{"name": e.name, "description": e.description, "cites": e.cites} for e in exps]))
        return 0
    width = max(len(e.name) for e in exps)
    for e in exps:
        print(f"{e.name:<{width}}  {e.description}")
    return 0


def _cmd_datasets(args: argparse.Namespace) -> int:
    from .datasets import list_datasets

    if args.fetch:
        from .datasets import fetch

        for name in args.fetch:
            home = fetch(name, data_home=args.data_dir, mirror=args.mirror, progress=not args.json)
            if not args.json:
                print(f"{name}: verified in {home}", file=sys.stderr)
        if args.json:
            print(json.dumps({"fetched": list(args.fetch), "data_home": str(home)}))
            return 0
    infos = list_datasets(args.data_dir)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "name": i.name,
                        "kind": i.kind,
                        "path": None if i.path is None else str(i.path),
                        "present": i.present,
                        "description": i.description,
                    }
                    for i in infos
                ]
            )
        )
        return 0
    width = max(len(i.name) for i in infos)
    for i in infos:
        if i.kind == "built-in":
            where = "built-in"
        else:  # a file dataset: where it is read from, or would be once a data root is set
            where = str(i.path) if i.path is not None else f"<data root>/{i.files[0]}"
        status = "present" if i.present else "MISSING"
        print(f"{i.name:<{width}}  {status:<8} {where}")
    from .datasets import configured_data_root

    if args.data_dir is None and configured_data_root() is None:
        print(
            "\nfile datasets are read from --data-dir, $ROBUSTFAIR_DATA (not set) or the fetch cache; "
            "`robustfair datasets --fetch NAME` downloads one",
            file=sys.stderr,
        )
    return 0


def experiment_help(name: str) -> str:
    """Every setting of experiment ``name``: its type, default and one-line meaning."""
    from .experiments import get_experiment
    from .experiments._registry import describe_settings

    experiment = get_experiment(name)
    lines = [
        f"robustfair run {name} [--set KEY=VALUE ...] [--seeds N] [--db PATH] [--jobs N] [--json]",
        "",
        experiment.description,
    ]
    if experiment.cites:
        lines.append(f"reproduces: {experiment.cites}")
    lines += ["", "settings (--set KEY=VALUE; a comma-separated value sweeps a scalar setting):"]
    rows = describe_settings(experiment.config_cls)
    width = max(len(r["name"]) for r in rows)
    type_width = max(len(r["type"]) for r in rows)
    default_width = min(24, max(len(r["default"]) for r in rows))
    for r in rows:
        lines.append(
            f"  {r['name']:<{width}}  {r['type']:<{type_width}}  default {r['default']:<{default_width}}  {r['help']}"
        )
    return "\n".join(lines)


def _cmd_run(args: argparse.Namespace) -> int:
    from .experiments import parse_settings, run_experiment

    if args.show_help:
        if args.name is None:
            args.run_parser.print_help()
        else:
            print(experiment_help(args.name))
        return 0
    if args.name is None:
        raise ValueError("run needs an experiment name; see `robustfair list`.")
    settings = parse_settings(args.settings)
    seeds: Any = args.seeds if args.seeds is not None else 1
    if args.seeds is not None and "seeds" in settings:
        raise ValueError("give the number of seeds once: --seeds or --set seeds=, not both.")
    result = run_experiment(
        args.name,
        settings,
        seeds=seeds,
        data_dir=args.data_dir,
        db=args.db,
        jobs=args.jobs,
        progress=not args.json,
        scheduler=args.scheduler,
        cluster=args.cluster,
        reuse=args.reuse,
    )
    if args.json:
        print(json.dumps(result.to_json(), allow_nan=False))
    else:
        print(summary_table(result.records))
        print(f"\n{result.n_run} cell(s) run, {result.n_skipped} already stored; results in {args.db}")
    return 0


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def _cmd_audit(args: argparse.Namespace) -> int:
    from .datasets import from_file
    from .experiments._audit import AuditConfig, _check_config, audit_dataset, n_steps

    try:
        fractions = [float(f) for f in _split(args.fractions) or []]
    except ValueError:
        raise ValueError(f"--fractions expects numbers like 0.05,0.15; got {args.fractions!r}.") from None
    config = _check_config(
        {
            "methods": _split(args.methods),
            "k": args.k,
            "attack": args.attack,
            "fractions": fractions,
            "budget": args.budget,
            "n_boot": args.n_boot,
            "seed": args.seed,
        }
    )
    assert isinstance(config, AuditConfig)
    data = from_file(
        args.path,
        target=args.target,
        sensitive=_split(args.sensitive) or [],
        features=_split(args.features),
        missing="drop" if args.dropna else "error",
        na_values=_split(args.na_values),
    )
    bar = None
    if not args.json:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_steps(config), desc="audit", unit="step", file=sys.stderr, leave=False, delay=1.0)

    def tick(label: str) -> None:
        if bar is not None:
            bar.set_postfix_str(label)
            bar.update(1)

    try:
        result = audit_dataset(data, config, progress=tick)
    finally:
        if bar is not None:
            bar.close()
    path = None
    if args.output:
        from .report import write_audit_report

        path = write_audit_report(result, args.output)
    if args.json:
        print(json.dumps(result.to_json(), allow_nan=False))
        return 0
    print(data.description)
    print(f"groups: {', '.join(data.group_names)}\n")
    print(summary_table([r for r in result.records if "attack" not in r]))
    for method, why in result.skipped.items():
        print(f"skipped {method}: {why}", file=sys.stderr)
    attacked = [r for r in result.records if "attack" in r and r["metric"] == "balance"]
    if attacked:
        print("\nbalance on the defender set under attack (ours vs random flips of the same samples):")
        print(summary_table(attacked))
    for method, grouped in result.grouped.items():
        print(f"\n{method}: by group")
        print(grouped.by_group.to_string(float_format=lambda v: f"{v:.3f}"))
    if path is not None:
        print(f"\nreport written to {path}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .experiments._demo import DEMO_STEPS, run_demo
    from .report import write_report

    steps = DEMO_STEPS
    if args.steps:
        try:
            chosen = [int(x) for x in args.steps.split(",")]
        except ValueError:
            raise ValueError(f"--steps expects numbers like 1,4; got {args.steps!r}.") from None
        if not chosen or any(not 1 <= c <= len(DEMO_STEPS) for c in chosen):
            raise ValueError(f"--steps must name steps between 1 and {len(DEMO_STEPS)}; got {args.steps!r}.")
        steps = tuple(DEMO_STEPS[c - 1] for c in chosen)

    print("robustfair demo: fairness and robustness of clustering and classification, end to end on built-in data.")
    run_demo(args.db, seeds=args.seeds, jobs=args.jobs, steps=steps)
    print(f"\nresults stored in {args.db}")
    path = write_report(args.db, args.report)
    print(f"report written to {path}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    if not os.path.exists(args.db):
        raise ValueError(f"--db {args.db} does not exist; run an experiment first.")
    try:
        path = write_report(args.db, args.output)  # the store is opened read-only
    except OSError as exc:
        raise ValueError(f"-o {args.output}: cannot write the report ({exc.strerror or exc}).") from None
    print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
