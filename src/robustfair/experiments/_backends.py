"""Where cells run: in this process, in worker processes, or on a Dask cluster.

Every backend pulls its work from a :class:`TaskSource` in the client process, one cell at a
time as a slot frees (so a cell is claimed in the store only when it is about to run), and
yields ``(key, (records, seconds))`` as cells finish; only the client writes to the store.

Local worker processes (loky, the executor joblib uses) watch their parent: when it dies,
even by ``SIGKILL``, they exit within a second instead of living on as orphans.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

__all__ = ["execute_cells", "parse_cluster", "TaskSource"]

Task = tuple[Any, Any, int]  # (experiment function, config, seed)


class TaskSource(Protocol):
    """What a backend pulls work from."""

    poll_seconds: float

    def next_task(self) -> tuple[Any, Task] | None:
        """The next ``(key, task)`` to run now, or ``None`` when none can start yet."""

    def exhausted(self) -> bool:
        """True when no task will ever come again (the rest is done, or running here)."""


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: a daemon thread that ends this process once its parent is gone.

    A parent killed with ``SIGKILL`` cannot tell its workers to stop; they are re-parented,
    so ``os.getppid()`` changes, and that is what the thread watches.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="robustfair-parent-watch", daemon=True).start()


def run_cell(func: Any, config: Any, seed: int, data_dir: str | None = None) -> tuple[list[dict[str, Any]], float]:
    """Run one cell and return its flat records and seconds.

    ``func`` and ``config`` are pickled by reference for worker processes, so an
    experiment must be defined at module level in an importable module.
    """
    from ..datasets import use_data_root

    with use_data_root(data_dir):  # the cell's load_dataset calls read from data_dir
        start = time.perf_counter()
        records = func(config, int(seed))
        seconds = time.perf_counter() - start
    return [r.flat(seed) for r in records], seconds


def run_task(key: Any, func: Any, config: Any, seed: int, data_dir: str | None) -> tuple[Any, tuple[list, float]]:
    return key, run_cell(func, config, seed, data_dir)


def parse_cluster(spec: str) -> int:
    """``"local:N"`` -> N (the number of LocalCluster workers)."""
    match = re.fullmatch(r"local:(\d+)", spec.strip())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"cluster must look like local:N with N >= 1; got {spec!r}.")
    return int(match.group(1))


def execute_cells(
    source: TaskSource,
    *,
    jobs: int = 1,
    data_dir: str | None = None,
    scheduler: str | None = None,
    cluster: str | None = None,
    resources: Mapping[str, float] | None = None,
) -> Iterator[tuple[Any, tuple[list, float]]]:
    """Run the tasks of ``source`` and yield ``(key, result)`` in completion order."""
    if scheduler is not None or cluster is not None:
        yield from _dask(source, data_dir, scheduler, cluster, resources)
    elif jobs == 1:
        yield from _serial(source, data_dir)
    else:
        yield from _local_processes(source, jobs, data_dir)


def _serial(source: TaskSource, data_dir: str | None) -> Iterator[tuple[Any, tuple[list, float]]]:
    while True:
        item = source.next_task()
        if item is None:
            if source.exhausted():
                return
            time.sleep(source.poll_seconds)  # another sweep holds the rest: wait for it to finish or expire
            continue
        key, (func, config, seed) = item
        yield run_task(key, func, config, seed, data_dir)


def _pump(source: TaskSource, submit: Any, in_flight: dict, slots: int) -> None:
    """Start tasks from ``source`` until ``slots`` run or none can start now."""
    while len(in_flight) < slots:
        item = source.next_task()
        if item is None:
            return
        key, (func, config, seed) = item
        in_flight[submit(key, func, config, seed)] = key


def _local_processes(source: TaskSource, jobs: int, data_dir: str | None) -> Iterator[tuple[Any, tuple[list, float]]]:
    # A pool of our own, not loky's process-wide reusable one: joblib's Parallel (used by
    # estimators inside cells and by optim) reuses that singleton and expects its own setup.
    from joblib.externals.loky import ProcessPoolExecutor

    executor = ProcessPoolExecutor(max_workers=jobs, initializer=_exit_with_parent, initargs=(os.getpid(),))
    in_flight: dict[Any, Any] = {}

    def submit(key: Any, func: Any, config: Any, seed: int) -> Any:
        return executor.submit(run_task, key, func, config, seed, data_dir)

    try:
        while True:
            _pump(source, submit, in_flight, jobs)
            if not in_flight:
                if source.exhausted():
                    return
                time.sleep(source.poll_seconds)
                continue
            done, _ = concurrent.futures.wait(
                in_flight, timeout=source.poll_seconds, return_when=concurrent.futures.FIRST_COMPLETED
            )
            for future in done:
                del in_flight[future]
                yield future.result()
    finally:
        for future in in_flight:
            future.cancel()
        # a sweep that stops early (an error, Ctrl-C) must not wait for cells it will never store
        executor.shutdown(wait=not in_flight, kill_workers=bool(in_flight))


def _dask(
    source: TaskSource,
    data_dir: str | None,
    scheduler: str | None,
    cluster: str | None,
    resources: Mapping[str, float] | None,
) -> Iterator[tuple[Any, tuple[list, float]]]:
    try:
        from distributed import Client, LocalCluster, wait
    except ImportError:
        raise ValueError("scheduler and cluster need dask.distributed: pip install 'robustfair[dist]'.") from None
    if scheduler is not None and cluster is not None:
        raise ValueError("give either scheduler (an address) or cluster ('local:N'), not both.")
    local = None
    if cluster is not None:
        n_workers = parse_cluster(cluster)
        local = LocalCluster(
            n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
        address: Any = local
    else:
        address = scheduler
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        if local is not None:
            local.close()
        raise ValueError(f"scheduler {scheduler!r}: cannot connect ({exc}).") from None
    try:
        submit_kw: dict[str, Any] = {"pure": False}
        if resources:
            offered = [w.get("resources", {}) for w in client.scheduler_info().get("workers", {}).values()]
            if any(all(r.get(k, 0) >= v for k, v in resources.items()) for r in offered):
                submit_kw["resources"] = dict(resources)
            else:
                warnings.warn(
                    f"no Dask worker offers resources {dict(resources)}; running cells on any worker.", stacklevel=3
                )
        env_dir = data_dir  # resolved by the caller (run_experiment), handed to every worker
        n_slots = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()))
        in_flight: dict[Any, Any] = {}

        def submit(key: Any, func: Any, config: Any, seed: int) -> Any:
            return client.submit(run_task, key, func, config, seed, env_dir, **submit_kw)

        while True:
            _pump(source, submit, in_flight, n_slots)
            if not in_flight:
                if source.exhausted():
                    return
                time.sleep(source.poll_seconds)
                continue
            try:
                done = wait(list(in_flight), timeout=source.poll_seconds, return_when="FIRST_COMPLETED").done
            except TimeoutError:  # distributed's wait raises where concurrent.futures' returns
                done = {f for f in in_flight if f.done()}
            for future in done:
                del in_flight[future]
                yield future.result()
    finally:
        client.close()
        if local is not None:
            local.close()
