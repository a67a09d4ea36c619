"""Helpers shared by experiment modules."""

from __future__ import annotations

from typing import Any

from ._registry import ExperimentConfig


def load_config_dataset(config: ExperimentConfig, *, dataset: str | None = None, **overrides: Any):
    """Load ``config.dataset`` with the dataset options the config carries.

    Fields listed in ``config.dataset_option_fields`` are passed to ``load_dataset`` when
    they are not None and the dataset accepts them; ``overrides`` are passed as given.
    """
    from ..datasets import list_datasets, load_dataset

    name = dataset or getattr(config, "dataset")
    accepted: set[str] = set()
    for info in list_datasets():
        if info.name == name:
            accepted = set(info.options)
            break
    options = {}
    for field in config.dataset_option_fields:
        value = getattr(config, field, None)
        if value is not None and field in accepted:
            options[field] = value
    options.update(overrides)
    return load_dataset(name, **options)
