"""A sweep run in a subprocess by the crash-safety tests (not collected by pytest)."""

import sys
import time

from robustfair.experiments import ExperimentConfig, Record, register, run_experiment


class SlowConfig(ExperimentConfig):
    dataset: str = "none"
    delay: float = 0.3


@register("slow-cells", config=SlowConfig, description="sleeps, then records its seed")
def slow_cells(config: SlowConfig, seed: int) -> list[Record]:
    time.sleep(config.delay)
    return [Record("none", "sleep", "seed", float(seed)), Record("none", "sleep", "square", float(seed) ** 2)]


if __name__ == "__main__":
    db, n_seeds, delay = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    run_experiment("slow-cells", {"delay": delay}, seeds=n_seeds, db=db)
