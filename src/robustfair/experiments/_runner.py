"""Sweep expansion and execution: cells run locally with joblib, each committed on finish."""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._validation import check_positive
from ._registry import Experiment, ExperimentConfig, config_hash, get_experiment
from ._backends import execute_cells
from ._store import ResultsStore

__all__ = ["Cell", "RunResult", "parse_settings", "expand_sweep", "run_experiment", "run_cell"]


@dataclass(frozen=True)
class Cell:
    """One unit of work: an experiment, one concrete config and one seed."""

    experiment: str
    config: ExperimentConfig
    config_hash: str
    seed: int


@dataclass
class RunResult:
    experiment: str
    configs: list[dict[str, Any]]
    records: list[dict[str, Any]]
    n_cells: int
    n_run: int
    n_skipped: int
    seconds: float

    def to_json(self) -> dict[str, Any]:
        config: Any = self.configs[0] if len(self.configs) == 1 else self.configs
        return {"experiment": self.experiment, "config": config, "records": self.records}

    def to_frame(self) -> Any:
        """The records as a pandas DataFrame, one row per record (keys as columns)."""
        import pandas as pd

        return pd.DataFrame(self.records)


def parse_settings(items: Sequence[str] | None) -> dict[str, str]:
    """Parse ``["k=v", ...]`` from ``--set``; ``ValueError`` on a malformed item."""
    out: dict[str, str] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--set expects key=value; got {item!r}.")
        out[key.replace("-", "_")] = value.strip()
    return out


def expand_sweep(experiment: Experiment, settings: Mapping[str, Any]) -> list[ExperimentConfig]:
    """Turn settings into concrete configs.

    String values for list-typed fields are split on commas (one config); comma-separated
    strings for scalar fields are swept (the Cartesian product of all swept fields).
    """
    fixed: dict[str, Any] = {}
    swept: dict[str, list[Any]] = {}
    fields = experiment.config_cls.model_fields
    for key, value in settings.items():
        if key not in fields:
            experiment.make_config({key: value})  # raises the unknown-key ValueError
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",")] if value else []
            if experiment.is_list_field(key):
                fixed[key] = [p for p in parts if p]
            elif len(parts) > 1:
                swept[key] = parts
            else:
                fixed[key] = value
        else:
            fixed[key] = value
    configs = []
    keys = list(swept)
    for combo in itertools.product(*(swept[k] for k in keys)) if keys else [()]:
        values = dict(fixed)
        values.update(zip(keys, combo))
        configs.append(experiment.make_config(values))
    return configs


def run_cell(func: Any, config: ExperimentConfig, seed: int,
             data_dir: str | None = None) -> tuple[list[dict[str, Any]], float]:
    """Run one cell and return its flat records and seconds.

    ``func`` and ``config`` are pickled by reference for worker processes, so an
    experiment must be defined at module level in an importable module.
    """
    if data_dir is not None and os.environ.get("ROBUSTFAIR_DATA") != data_dir:
        os.environ["ROBUSTFAIR_DATA"] = data_dir
    start = time.perf_counter()
    records = func(config, int(seed))
    seconds = time.perf_counter() - start
    return [r.flat(seed) for r in records], seconds


def _progress(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="cell", file=sys.stderr, disable=not enabled, leave=False)


def run_experiment(
    name: str,
    settings: Mapping[str, Any] | None = None,
    *,
    seeds: int | Sequence[int] = 1,
    db: str | Path | ResultsStore | None = None,
    jobs: int = 1,
    progress: bool = False,
    data_dir: str | None = None,
    scheduler: str | None = None,
    cluster: str | None = None,
) -> RunResult:
    """Run (or resume) the sweep of experiment ``name``.

    Parameters
    ----------
    settings : mapping
        Config values (strings from ``--set`` are parsed; see :func:`expand_sweep`).
    seeds : int or sequence of int
        ``N`` means seeds ``0..N-1``.
    db : path or ResultsStore, optional
        Where finished cells are committed; cells already there are skipped. ``None``
        keeps results in memory only.
    jobs : int
        Parallel worker processes (joblib); 1 runs in this process.
    progress : bool
        Show a progress bar (cells done / total, ETA) on stderr.
    data_dir : str, optional
        Data root handed to every worker (default: ``$ROBUSTFAIR_DATA``).
    scheduler : str, optional
        Address of a running Dask scheduler; cells run on its workers.
    cluster : str, optional
        ``"local:N"`` starts a ``distributed.LocalCluster`` of N worker processes.

    Notes
    -----
    Results do not depend on where cells run: each cell is seeded by its seed only.
    The store is written by this (the client) process alone, one transaction per cell.
    """
    experiment = get_experiment(name)
    if data_dir is None:
        data_dir = os.environ.get("ROBUSTFAIR_DATA")  # handed to worker processes explicitly
    settings = dict(settings or {})
    if "seeds" in settings and "seeds" not in experiment.config_cls.model_fields:
        seeds = int(check_positive(int(settings.pop("seeds")), "seeds", integer=True))
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seed_list = list(range(int(check_positive(seeds, "seeds", integer=True))))
    else:
        seed_list = [int(s) for s in seeds]
        if not seed_list:
            raise ValueError("seeds: give at least one seed.")
    jobs = int(check_positive(jobs, "jobs", integer=True))
    configs = expand_sweep(experiment, settings)

    own_store = not isinstance(db, ResultsStore)
    store = ResultsStore(":memory:" if db is None else db) if own_store else db
    start = time.perf_counter()
    try:
        from .. import __version__

        cells: list[Cell] = []
        n_skipped = 0
        for cfg in configs:
            chash = config_hash(name, cfg)
            done = store.done_seeds(name, chash)
            for seed in seed_list:
                if seed in done:
                    n_skipped += 1
                else:
                    cells.append(Cell(name, cfg, chash, seed))

        bar = _progress(len(cells), name, progress and bool(cells))
        tasks = [(experiment.func, c.config, c.seed) for c in cells]
        for index, (records, seconds) in execute_cells(tasks, jobs=jobs, data_dir=data_dir, scheduler=scheduler,
                                                       cluster=cluster, resources=experiment.resources):
            cell = cells[index]
            store.write_cell(name, cell.config_hash, cell.seed, cell.config.model_dump(mode="json"), records,
                             seconds=seconds, version=__version__)
            bar.update(1)
        bar.close()

        records: list[dict[str, Any]] = []
        for cfg in configs:
            for rec in store.records(name, config_hash(name, cfg), seed_list):
                rec.pop("experiment", None)
                rec.pop("config_hash", None)
                records.append(rec)
    finally:
        if own_store:
            store.close()
    return RunResult(
        experiment=name,
        configs=[c.model_dump(mode="json") for c in configs],
        records=records,
        n_cells=len(configs) * len(seed_list),
        n_run=len(cells),
        n_skipped=n_skipped,
        seconds=time.perf_counter() - start,
    )
