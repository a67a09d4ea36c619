"""A cell that asks for a GPU worker (used by the Dask backend test)."""

from robustfair.experiments import ExperimentConfig, Record, register


class GpuCellConfig(ExperimentConfig):
    dataset: str = "none"


@register("_test-gpu-cell", config=GpuCellConfig, description="asks for a GPU", resources={"GPU": 1})
def gpu_cell(config: GpuCellConfig, seed: int) -> list[Record]:
    return [Record("none", "gpu", "seed", float(seed))]
