"""Sweep expansion and execution: cells are claimed in the store, run, and committed on finish.

Each cell is claimed (a lease row in the store: owner and expiry) just before it starts, so
sweeps sharing one database split the work and never compute a cell twice. A heartbeat
thread renews this sweep's leases while it runs; a sweep that dies stops renewing, and
once its leases expire (or at once, when its process is gone from this host) another
sweep takes those cells over.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._validation import check_positive
from ._backends import Task, execute_cells, run_cell
from ._registry import Experiment, ExperimentConfig, config_hash, get_experiment
from ._store import ResultsStore, new_owner

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
            raise ValueError(f"a setting must look like key=value; got {item!r}.")
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


class _ClaimingSource:
    """Hands cells to a backend one at a time, each claimed in the store first."""

    def __init__(
        self,
        store: ResultsStore,
        experiment: Experiment,
        cells: list[Cell],
        owner: str,
        lease: float,
        version: str | None = None,
    ) -> None:
        self.store, self.experiment, self.owner, self.lease = store, experiment, owner, lease
        self.version = version  # a cell stored by another version is not done (None: any version is)
        self.cells = cells
        self.pending = deque(range(len(cells)))  # keys not yet claimed by us, in sweep order
        self.running: dict[int, Cell] = {}
        self.done_elsewhere: list[int] = []  # stored by another sweep while this one ran
        self.poll_seconds = min(1.0, lease / 4)
        self._recheck_at: dict[int, float] = {}  # held by another sweep: look again after this time

    def next_task(self) -> tuple[int, Task] | None:
        now = time.monotonic()
        for _ in range(len(self.pending)):  # each pending cell at most once per call
            key = self.pending.popleft()
            cell = self.cells[key]
            if self._recheck_at.get(key, 0.0) > now:
                self.pending.append(key)
                continue
            state = self.store.claim(
                cell.experiment, cell.config_hash, cell.seed, self.owner, lease=self.lease, version=self.version
            )
            if state == "held":
                self._recheck_at[key] = now + self.poll_seconds
                self.pending.append(key)
            elif state == "done":
                self.done_elsewhere.append(key)
            else:
                self.running[key] = cell
                return key, (self.experiment.func, cell.config, cell.seed)
        return None

    def exhausted(self) -> bool:
        return not self.pending


def _heartbeat(store: ResultsStore, owner: str, lease: float) -> tuple[threading.Event, threading.Thread | None]:
    """Renew ``owner``'s leases every ``lease / 3`` seconds on a connection of its own."""
    stop = threading.Event()
    if store.path == ":memory:":  # no other process can see this store: nothing to defend
        return stop, None

    def beat() -> None:
        with ResultsStore(store.path, timeout=store.timeout) as own:
            while not stop.wait(lease / 3):
                own.renew(owner, lease=lease)

    thread = threading.Thread(target=beat, name="robustfair-lease-heartbeat", daemon=True)
    thread.start()
    return stop, thread


def _seeds_setting(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"seeds must be a whole number of seeds; got {value!r}.") from None


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
    lease: float = 60.0,
    reuse: bool = False,
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
    lease : float, default=60.0
        Seconds a claim on a cell lasts unless renewed. This sweep renews its claims every
        ``lease / 3`` seconds while it runs; the claims of a sweep that died expire after
        at most ``lease`` seconds (at once when its process is known gone on this host),
        and then another sweep recomputes those cells.
    reuse : bool, default=False
        Count a cell as done whatever code version stored it. By default a cell stored by
        another version (:func:`robustfair._version.code_version`: package version, git
        commit and a hash of uncommitted changes) is recomputed and replaced.

    Notes
    -----
    Results do not depend on where cells run: each cell is seeded by its seed only.
    The store is written by this (the client) process alone, one transaction per cell.
    Sweeps sharing one database compute each cell once: a cell is claimed in the store
    just before it runs, and a cell claimed by another live sweep is waited for.
    """
    experiment = get_experiment(name)
    if data_dir is None:
        from ..datasets import configured_data_root

        root = configured_data_root()  # resolved here once, handed to worker processes explicitly
        data_dir = None if root is None else str(root)
    settings = dict(settings or {})
    if "seeds" in settings and "seeds" not in experiment.config_cls.model_fields:
        seeds = int(check_positive(_seeds_setting(settings.pop("seeds")), "seeds", integer=True))
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seed_list = list(range(int(check_positive(seeds, "seeds", integer=True))))
    else:
        seed_list = [int(s) for s in seeds]  # type: ignore[union-attr]  # a sequence of ints here
        if not seed_list:
            raise ValueError("seeds: give at least one seed.")
    jobs = int(check_positive(jobs, "jobs", integer=True))
    lease = check_positive(lease, "lease")
    configs = expand_sweep(experiment, settings)

    own_store = not isinstance(db, ResultsStore)
    store: ResultsStore = db if isinstance(db, ResultsStore) else ResultsStore(":memory:" if db is None else db)
    start = time.perf_counter()
    try:
        from .._version import code_version

        version = code_version()
        wanted = None if reuse else version

        cells: list[Cell] = []
        n_skipped = 0
        for cfg in configs:
            chash = config_hash(name, cfg)
            done = store.done_seeds(name, chash, wanted)
            for seed in seed_list:
                if seed in done:
                    n_skipped += 1
                else:
                    cells.append(Cell(name, cfg, chash, seed))

        owner = new_owner()
        source = _ClaimingSource(store, experiment, cells, owner, lease, version=wanted)
        stop_heartbeat, heartbeat = _heartbeat(store, owner, lease)
        bar = _progress(len(cells), name, progress and bool(cells))
        n_run = 0
        try:
            for key, (records, seconds) in execute_cells(
                source,
                jobs=max(1, min(jobs, len(cells))),
                data_dir=data_dir,
                scheduler=scheduler,
                cluster=cluster,
                resources=experiment.resources,
            ):
                cell = source.running.pop(key)
                store.write_cell(
                    name,
                    cell.config_hash,
                    cell.seed,
                    cell.config.model_dump(mode="json"),
                    records,
                    seconds=seconds,
                    version=version,
                    replace_other_versions=not reuse,
                )
                n_run += 1
                bar.update(1 + len(source.done_elsewhere))
                source.done_elsewhere.clear()
        finally:
            stop_heartbeat.set()
            if heartbeat is not None:
                heartbeat.join(timeout=store.timeout)
            store.release(owner)  # an interrupted sweep hands its unfinished cells back at once
        bar.close()
        n_skipped += len(cells) - n_run

        out: list[dict[str, Any]] = []
        for cfg in configs:
            for rec in store.records(name, config_hash(name, cfg), seed_list):
                rec.pop("experiment", None)
                rec.pop("config_hash", None)
                out.append(rec)
    finally:
        if own_store:
            store.close()
    return RunResult(
        experiment=name,
        configs=[c.model_dump(mode="json") for c in configs],
        records=out,
        n_cells=len(configs) * len(seed_list),
        n_run=n_run,
        n_skipped=n_skipped,
        seconds=time.perf_counter() - start,
    )
