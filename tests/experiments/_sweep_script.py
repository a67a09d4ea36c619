"""A sweep run in a subprocess by the crash-safety tests (not collected by pytest).

``python _sweep_script.py DB N_SEEDS DELAY [JOBS] [LEASE]`` runs the ``slow-cells`` sweep and
prints its ``n_run`` on stdout. When ``$ROBUSTFAIR_TEST_LOG`` is set, every computed cell
appends ``seed pid`` to that file, so a test can count computations and find the workers.
"""

import os
import sys
import time

from robustfair.experiments import ExperimentConfig, Record, register, run_experiment


class SlowConfig(ExperimentConfig):
    dataset: str = "none"
    delay: float = 0.3


@register("slow-cells", config=SlowConfig, description="sleeps, then records its seed")
def slow_cells(config: SlowConfig, seed: int) -> list[Record]:
    log = os.environ.get("ROBUSTFAIR_TEST_LOG")
    if log:
        with open(log, "a") as fh:  # one short append per started cell
            fh.write(f"{seed} {os.getpid()}\n")
    time.sleep(config.delay)
    return [Record("none", "sleep", "seed", float(seed)), Record("none", "sleep", "square", float(seed) ** 2)]


if __name__ == "__main__":
    db, n_seeds, delay = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    jobs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    lease = float(sys.argv[5]) if len(sys.argv) > 5 else 60.0
    result = run_experiment("slow-cells", {"delay": delay}, seeds=n_seeds, db=db, jobs=jobs, lease=lease)
    print(result.n_run, flush=True)
