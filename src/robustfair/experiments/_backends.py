"""Where cells run: in this process, in joblib workers, or on a Dask cluster.

Every backend yields ``(index, (records, seconds))`` as cells finish, in the client
process; only the client writes to the results store.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["execute_cells", "parse_cluster"]

Task = tuple[Any, Any, int]  # (experiment function, config, seed)


def run_task(index: int, func: Any, config: Any, seed: int, data_dir: str | None) -> tuple[int, tuple[list, float]]:
    from ._runner import run_cell

    return index, run_cell(func, config, seed, data_dir)


def parse_cluster(spec: str) -> int:
    """``"local:N"`` -> N (the number of LocalCluster workers)."""
    match = re.fullmatch(r"local:(\d+)", spec.strip())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"--cluster must look like local:N with N >= 1; got {spec!r}.")
    return int(match.group(1))


def execute_cells(
    tasks: Sequence[Task],
    *,
    jobs: int = 1,
    data_dir: str | None = None,
    scheduler: str | None = None,
    cluster: str | None = None,
    resources: Mapping[str, float] | None = None,
) -> Iterator[tuple[int, tuple[list, float]]]:
    """Run ``tasks`` and yield ``(index, result)`` in completion order."""
    if not tasks:
        return
    if scheduler is not None or cluster is not None:
        yield from _dask(tasks, data_dir, scheduler, cluster, resources)
    elif jobs == 1 or len(tasks) == 1:
        for i, (func, config, seed) in enumerate(tasks):
            yield run_task(i, func, config, seed, data_dir)
    else:
        from joblib import Parallel, delayed

        calls = (delayed(run_task)(i, f, c, s, data_dir) for i, (f, c, s) in enumerate(tasks))
        yield from Parallel(n_jobs=jobs, return_as="generator_unordered")(calls)


def _dask(tasks: Sequence[Task], data_dir: str | None, scheduler: str | None, cluster: str | None,
          resources: Mapping[str, float] | None) -> Iterator[tuple[int, tuple[list, float]]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ValueError("--scheduler/--cluster need dask.distributed: pip install 'robustfair[dist]'.") from None
    if scheduler is not None and cluster is not None:
        raise ValueError("give either --scheduler ADDRESS or --cluster local:N, not both.")
    local = None
    if cluster is not None:
        n_workers = parse_cluster(cluster)
        local = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                             dashboard_address=None, silence_logs=40)
        address: Any = local
    else:
        address = scheduler
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        if local is not None:
            local.close()
        raise ValueError(f"--scheduler {scheduler}: cannot connect ({exc}).") from None
    try:
        submit_kw: dict[str, Any] = {"pure": False}
        if resources:
            offered = [w.get("resources", {}) for w in client.scheduler_info().get("workers", {}).values()]
            if any(all(r.get(k, 0) >= v for k, v in resources.items()) for r in offered):
                submit_kw["resources"] = dict(resources)
            else:
                warnings.warn(f"no Dask worker offers resources {dict(resources)}; running cells on any worker.",
                              stacklevel=3)
        env_dir = data_dir if data_dir is not None else os.environ.get("ROBUSTFAIR_DATA")
        futures = [client.submit(run_task, i, f, c, s, env_dir, **submit_kw) for i, (f, c, s) in enumerate(tasks)]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if local is not None:
            local.close()
