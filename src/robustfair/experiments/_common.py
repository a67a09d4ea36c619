"""Helpers shared by experiment modules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import ExperimentConfig


def load_config_dataset(config: ExperimentConfig, *, seed: int = 0, dataset: str | None = None, **overrides: Any):
    """Load ``config.dataset`` with the dataset options the config carries.

    Fields listed in ``config.dataset_option_fields`` that are not None are passed to
    ``load_dataset`` when the dataset accepts them. ``n_samples`` is applied here, as a
    seeded subsample without replacement, for datasets that do not subsample themselves;
    any other option the dataset does not take is a ``ValueError`` naming it.
    ``overrides`` are passed to the loader as given (when it accepts them).
    """
    from ..datasets import list_datasets, load_dataset

    name = dataset or config.dataset  # type: ignore[attr-defined]  # every dataset experiment declares it
    accepted: set[str] | None = None
    for info in list_datasets():
        if info.name == name:
            accepted = set(info.options)
            break
    if accepted is None:
        return load_dataset(name)  # raises the unknown-name ValueError listing the choices
    options: dict[str, Any] = {}
    subsample: int | None = None
    for field in config.dataset_option_fields:
        value = getattr(config, field, None)
        if value is None:
            continue
        if field in accepted:
            options[field] = value
        elif field == "n_samples":
            subsample = int(value)
        else:
            raise ValueError(
                f"{field}: dataset {name!r} does not take this option (it takes: "
                f"{', '.join(sorted(accepted)) or 'none'})."
            )
    if "random_state" in accepted:
        options.setdefault("random_state", seed)
    options.update({k: v for k, v in overrides.items() if k in accepted})
    data = load_dataset(name, **options)
    if subsample is not None and subsample < data.n_samples:
        index = np.sort(np.random.default_rng(seed).choice(data.n_samples, subsample, replace=False))
        data = data.subset(index)
    return data


def check_known(values: list[str], choices: list[str], what: str) -> list[str]:
    """Config validator: every entry of ``values`` is one of ``choices``; otherwise a
    ``ValueError`` "unknown {what}(s) [...]; choose from [...]"."""
    unknown = [v for v in values if v not in choices]
    if unknown:
        raise ValueError(f"unknown {what}(s) {unknown}; choose from {list(choices)}")
    return values


def known_clustering_methods(methods: list[str], *, fair_only: bool = False) -> list[str]:
    """Config validator: every name in ``methods`` is a registered (fair) clustering method."""
    from ..cluster import list_methods

    known = sorted(m.name for m in list_methods() if m.fair or not fair_only)
    return check_known(methods, known, "fair clustering method" if fair_only else "clustering method")
