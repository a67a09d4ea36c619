"""Registry of named experiments, their configs and the records they produce."""

from __future__ import annotations

import hashlib
import json
import math
import types
import typing
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pydantic
from pydantic import BaseModel, ConfigDict

__all__ = [
    "ExperimentConfig",
    "Record",
    "Experiment",
    "register",
    "get_experiment",
    "list_experiments",
    "config_hash",
    "describe_settings",
]


class ExperimentConfig(BaseModel):
    """Base class of every experiment's config.

    Subclasses declare fields with defaults that reproduce the paper. Fields typed as a
    list or tuple take comma-separated values on the command line (``--set
    methods=kmeans,ward``) and stay one cell; a comma-separated value for a scalar field
    is a sweep: one cell per value (``--set k=2,5,10``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Fields passed on to ``load_dataset`` when the dataset accepts them.
    dataset_option_fields: ClassVar[tuple[str, ...]] = ()


# One-line meanings of settings that many experiments share; a field's own
# ``description=`` wins over these.
COMMON_SETTING_HELP: dict[str, str] = {
    "dataset": "dataset name (see `robustfair datasets`)",
    "datasets": "dataset names, comma-separated (see `robustfair datasets`)",
    "methods": "methods to run, comma-separated",
    "method": "the method to run",
    "n_samples": "subsample the dataset to this many rows (seeded)",
    "sensitive": "which column of the dataset is the protected attribute (dataset option)",
    "preprocessing": "feature encoding of a file dataset: numeric or onehot (dataset option)",
    "digits": "the two digit classes of a digit-pair dataset, e.g. 1,4 (dataset option)",
    "k": "number of clusters",
    "l2": "L2 regularization strength of the logistic model (lambda of the influence papers)",
    "gamma": "trimming budget: the fraction of training points removed or re-weighted",
    "objective": "what the search optimizes (see the experiment's docs page)",
    "objectives": "influence objectives to select by: utility, fairness (dp/eop), robustness",
    "max_depth": "maximum depth of the influence tree",
    "attack_epochs": "optimization epochs of the attack's generator or search",
    "fractions": "attacked fractions of the samples (each a row of the result)",
    "attacks": "attacks to run: ours (the search) and/or random (same budget)",
    "hidden": "width of the hidden layers",
    "batch_size": "mini-batch size of training",
    "lr": "learning rate of training",
    "device": "torch device: auto (CUDA when present), cpu or cuda",
    "budget": "queries the black-box search may spend",
    "n_jobs": "parallel workers of the search",
    "time_budget": "seconds the search may spend per size (0: no limit)",
    "seeds": "number of seeds 0..N-1 (or --seeds N)",
}


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "|".join(str(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return "|".join(_type_name(a) for a in typing.get_args(annotation))
    if origin in (list, tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        inner = _type_name(args[0]) if args else "any"
        return f"{origin.__name__}[{inner}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))


def _default_text(info: Any) -> str:
    value = info.get_default(call_default_factory=True)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value) or "(empty)"
    return str(value)


def describe_settings(config_cls: type[ExperimentConfig]) -> list[dict[str, str]]:
    """Every setting of an experiment config: ``name``, ``type``, ``default`` and ``help``.

    ``help`` is the field's ``description`` or, for a shared name, the line in
    :data:`COMMON_SETTING_HELP`; a field with neither gets an empty string (a test keeps
    every registered experiment free of those).
    """
    rows = []
    for name, info in config_cls.model_fields.items():
        rows.append(
            {
                "name": name,
                "type": _type_name(info.annotation),
                "default": _default_text(info),
                "help": info.description or COMMON_SETTING_HELP.get(name, ""),
            }
        )
    return rows


@dataclass(frozen=True)
class Record:
    """One measured number: ``metric`` of ``method`` on ``dataset``.

    ``keys`` holds extra dimensions (e.g. ``{"attack": "ours", "fraction": 0.15}``); they
    become top-level keys of the flat record in ``--json`` output and in the store. The
    key ``role="figure"`` marks data stored only for the experiment's figures (tree
    nodes, per-point coordinates): kept in the store, left out of tables.
    """

    dataset: str
    method: str
    metric: str
    value: float
    keys: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            value = float(self.value)
        except (TypeError, ValueError):
            raise ValueError(f"Record value for metric {self.metric!r} must be a number; got {self.value!r}.") from None
        object.__setattr__(self, "value", value)
        reserved = {"dataset", "method", "metric", "value", "seed", "experiment"}
        clash = reserved.intersection(self.keys)
        if clash:
            raise ValueError(f"Record keys may not use reserved names: {sorted(clash)}.")

    def flat(self, seed: int) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset,
            "method": self.method,
            "seed": int(seed),
            "metric": self.metric,
            "value": None if math.isnan(self.value) else self.value,
        }
        out.update(self.keys)
        return out


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: ``func(config, seed) -> list[Record]``.

    Its figures are not part of it: :mod:`robustfair.report.figures` files them by name.
    ``figures`` holds only what the deprecated ``register(..., figures=fn)`` passed.
    """

    name: str
    func: Callable[[Any, int], list[Record]]
    config_cls: type[ExperimentConfig]
    description: str
    cites: str = ""
    published: tuple[Mapping[str, Any], ...] = ()
    resources: Mapping[str, float] = field(default_factory=dict)
    figures: Callable[[list[dict[str, Any]]], list[Any]] | None = None

    def default_config(self) -> ExperimentConfig:
        return self.config_cls()

    def make_config(self, values: Mapping[str, Any]) -> ExperimentConfig:
        """Validate ``values`` into this experiment's config; ``ValueError`` names the key."""
        unknown = set(values) - set(self.config_cls.model_fields)
        if unknown:
            raise ValueError(
                f"Unknown setting(s) {', '.join(sorted(unknown))} for experiment {self.name!r}; "
                f"known: {', '.join(self.config_cls.model_fields)}."
            )
        # "none" from the command line means None for a field that accepts None (e.g. k)
        values = {
            key: None if isinstance(v, str) and v.strip().lower() == "none" and self._accepts_none(key) else v
            for key, v in values.items()
        }
        try:
            return self.config_cls(**values)
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err.get("loc", ())) or "config"
            raise ValueError(f"Bad value for {loc!r} in experiment {self.name!r}: {err.get('msg')}.") from None

    def _accepts_none(self, name: str) -> bool:
        annotation = self.config_cls.model_fields[name].annotation
        return annotation is type(None) or (
            typing.get_origin(annotation) in (typing.Union, types.UnionType)
            and type(None) in typing.get_args(annotation)
        )

    def is_list_field(self, name: str) -> bool:
        return _is_sequence_annotation(self.config_cls.model_fields[name].annotation)


def _is_sequence_annotation(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_sequence_annotation(a) for a in typing.get_args(annotation) if a is not type(None))
    return False


_REGISTRY: dict[str, Experiment] = {}


def register(
    name: str,
    *,
    config: type[ExperimentConfig],
    description: str,
    cites: str = "",
    published: tuple[Mapping[str, Any], ...] = (),
    resources: Mapping[str, float] | None = None,
    figures: Callable[[list[dict[str, Any]]], list[Any]] | None = None,
) -> Callable[[Callable[[Any, int], list[Record]]], Callable[[Any, int], list[Record]]]:
    """Register ``func(config, seed) -> list[Record]`` under ``name``.

    Parameters
    ----------
    config : subclass of ExperimentConfig
        Its defaults reproduce the paper.
    description : str
        One line: what the experiment measures (shown by ``robustfair list``).
    cites : str
        The paper table or figure it reproduces, e.g. ``"thesis Table 4.1"``.
    published : tuple of dict
        Published numbers to show beside ours in the report; each dict has the record
        keys it matches (``dataset``, ``method``, ``metric``, ...) and ``value``.
    resources : dict, optional
        Dask worker resources a cell needs, e.g. ``{"GPU": 1}`` for deep models; used
        when some worker offers them.
    figures : callable, optional
        Deprecated: register figures on the report side with
        ``@robustfair.report.figures.figure_for(name)``, which the report looks up by the
        experiment's name. Still drawn by the report for one release, with a
        ``DeprecationWarning`` here.
    """
    if not issubclass(config, ExperimentConfig):
        raise TypeError("config must subclass robustfair.experiments.ExperimentConfig")
    if figures is not None:
        warnings.warn(
            "register(..., figures=fn) is deprecated: decorate fn with "
            f"@robustfair.report.figures.figure_for({name!r}) instead (the report finds it by name).",
            DeprecationWarning,
            stacklevel=2,
        )

    def decorator(func: Callable[[Any, int], list[Record]]) -> Callable[[Any, int], list[Record]]:
        if name in _REGISTRY and _REGISTRY[name].func is not func:
            raise ValueError(f"An experiment named {name!r} is already registered.")
        _REGISTRY[name] = Experiment(
            name, func, config, description, cites, tuple(published), dict(resources or {}), figures
        )
        return func

    return decorator


def _ensure_builtin_experiments() -> None:
    # Importing the modules runs their @register decorators.
    from . import _builtin  # noqa: F401


def get_experiment(name: str) -> Experiment:
    """The registered experiment ``name``; ``ValueError`` listing the names otherwise."""
    _ensure_builtin_experiments()
    if name not in _REGISTRY:
        from ._builtin import UNAVAILABLE

        hint = ""
        if UNAVAILABLE:
            hint = (
                " Not loaded (missing optional dependency): "
                + "; ".join(f"{mod} ({why})" for mod, why in sorted(UNAVAILABLE.items()))
                + "."
            )
        raise ValueError(f"Unknown experiment {name!r}; choose one of: {', '.join(sorted(_REGISTRY))}.{hint}")
    return _REGISTRY[name]


def list_experiments() -> list[Experiment]:
    """All registered experiments, sorted by name."""
    _ensure_builtin_experiments()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def config_hash(experiment: str, config: ExperimentConfig) -> str:
    """Stable hash of an experiment's config (sorted-key JSON), the store's key."""
    payload = json.dumps({"experiment": experiment, "config": config.model_dump(mode="json")}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
