"""Named experiments, sweeps and the SQLite results store.

Register an experiment::

    from robustfair.experiments import ExperimentConfig, Record, register

    class MyConfig(ExperimentConfig):
        dataset: str = "inverted-digits"
        k: int = 10

    @register("my-experiment", config=MyConfig, description="what it measures")
    def my_experiment(config: MyConfig, seed: int) -> list[Record]:
        ...

Every public module in this package is imported when the registry is first used, so
an experiment module only needs to live here to be found.
"""

from ._common import load_config_dataset
from ._registry import (
    Experiment,
    ExperimentConfig,
    Record,
    config_hash,
    get_experiment,
    list_experiments,
    register,
)
from ._runner import RunResult, expand_sweep, parse_settings, run_experiment
from ._store import ResultsStore

__all__ = [
    "Experiment",
    "ExperimentConfig",
    "Record",
    "ResultsStore",
    "RunResult",
    "config_hash",
    "expand_sweep",
    "get_experiment",
    "list_experiments",
    "load_config_dataset",
    "parse_settings",
    "register",
    "run_experiment",
]
