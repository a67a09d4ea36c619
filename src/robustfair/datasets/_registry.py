"""Registry of named datasets: built-in ones and loaders for files under the data root.

A dataset is a function ``loader(root, **options) -> Dataset`` registered under a name
with :func:`register_dataset`. ``root`` is the resolved data root (a ``Path``) or
``None``; built-ins ignore it. File loaders find their files with :func:`require_file`,
which raises :class:`DatasetNotFoundError` when a file is missing. Nothing is downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._base import Dataset

__all__ = [
    "DATA_ENV_VAR",
    "DatasetInfo",
    "DatasetNotFoundError",
    "data_root",
    "list_datasets",
    "load_dataset",
    "register_dataset",
    "require_file",
]

DATA_ENV_VAR = "ROBUSTFAIR_DATA"


class DatasetNotFoundError(ValueError, FileNotFoundError):
    """A file a dataset needs is not under the data root.

    Subclasses both ``ValueError`` (bad input, so the CLI exits with code 2) and
    ``FileNotFoundError``. The message is one line naming the exact path expected.
    """


@dataclass(frozen=True)
class DatasetInfo:
    """What :func:`list_datasets` reports for one registered name.

    Attributes
    ----------
    name : str
    kind : {"built-in", "file"}
    description : str
    path : Path or None
        The main file the dataset is read from (``None`` for built-ins, or for a file
        dataset when no data root is set: then ``files`` still gives the relative path).
    present : bool
        Whether every default file exists (always ``True`` for built-ins).
    options : dict
        Accepted options and their defaults.
    files : tuple of str
        The default files, relative to the data root.
    """

    name: str
    kind: str
    description: str
    path: Path | None
    present: bool
    options: dict = field(default_factory=dict)
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    name: str
    loader: Callable[..., Dataset]
    files: tuple[str, ...]
    description: str
    options: dict


_REGISTRY: dict[str, _Entry] = {}


def register_dataset(
    name: str,
    *,
    files: tuple[str, ...] = (),
    description: str = "",
    options: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Dataset]], Callable[..., Dataset]]:
    """Register ``loader(root, **options) -> Dataset`` under ``name``.

    Parameters
    ----------
    name : str
        Registry name (lowercase with dashes).
    files : tuple of str
        Files the default options read, relative to the data root (``"adult/adult.data"``).
        Empty for built-in datasets.
    description : str
        One line for ``robustfair datasets``.
    options : mapping
        Accepted keyword options and their defaults. Any other keyword given to
        :func:`load_dataset` raises ``ValueError``.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string; got {name!r}.")

    def decorator(loader: Callable[..., Dataset]) -> Callable[..., Dataset]:
        previous = _REGISTRY.get(name)
        if previous is not None and not _same_function(previous.loader, loader):
            raise ValueError(f"A dataset named {name!r} is already registered.")
        _REGISTRY[name] = _Entry(name, loader, tuple(files), description, dict(options or {}))
        return loader

    return decorator


def _same_function(a: Callable, b: Callable) -> bool:
    # A module re-executed (importlib.reload) registers an equal function again.
    return a is b or (
        getattr(a, "__module__", None) == getattr(b, "__module__", None)
        and getattr(a, "__qualname__", None) == getattr(b, "__qualname__", None)
    )


#: The data root of the code running now, set by :func:`use_data_root` (an experiment
#: cell run with ``data_dir=``); a context variable, so threads and tasks do not share it.
_DATA_ROOT: ContextVar[Path | None] = ContextVar("robustfair_data_root", default=None)


@contextmanager
def use_data_root(data_dir: str | os.PathLike | None) -> Iterator[None]:
    """Within the block, :func:`data_root` (and so :func:`load_dataset`) defaults to ``data_dir``.

    How a data root given as an argument (``run_experiment(..., data_dir=)``, the CLI's
    option) reaches the ``load_dataset(name)`` calls inside experiment code without going
    through the process environment. ``None`` leaves the default unchanged.
    """
    if data_dir is None:
        yield
        return
    token = _DATA_ROOT.set(Path(data_dir).expanduser())
    try:
        yield
    finally:
        _DATA_ROOT.reset(token)


def configured_data_root() -> Path | None:
    """The data root set for this code: :func:`use_data_root`, else ``$ROBUSTFAIR_DATA``.

    The one place the ``ROBUSTFAIR_DATA`` environment variable is read. ``None`` when
    neither is set.
    """
    root = _DATA_ROOT.get()
    if root is not None:
        return root
    env = os.environ.get(DATA_ENV_VAR, "").strip()
    return Path(env).expanduser() if env else None


def data_root(data_dir: str | os.PathLike | None = None) -> Path | None:
    """The folder file datasets are read from.

    ``data_dir`` when given, else the root set by :func:`use_data_root` or the
    ``ROBUSTFAIR_DATA`` environment variable (:func:`configured_data_root`), else the
    cache folder :func:`robustfair.datasets.fetch` downloads into
    (``pooch.os_cache("robustfair")``) if it exists, else ``None``.
    """
    if data_dir is not None:
        return Path(data_dir).expanduser()
    configured = configured_data_root()
    if configured is not None:
        return configured
    cache = _cache_home()
    return cache if cache is not None and cache.is_dir() else None


def _cache_home() -> Path | None:
    """The platform cache folder of fetched datasets (None when pooch is not installed)."""
    try:
        import pooch
    except ImportError:  # pragma: no cover - pooch is a core dependency
        return None
    return Path(pooch.os_cache("robustfair"))


def require_file(root: Path | None, relative: str, dataset: str) -> Path:
    """Return ``root / relative`` if it is a file; else raise :class:`DatasetNotFoundError`."""
    hint = f"pass data_dir= or set {DATA_ENV_VAR} to the folder that holds {relative}"
    if root is None:
        raise DatasetNotFoundError(f"Dataset {dataset!r} reads <data root>/{relative} but no data root is set; {hint}.")
    path = Path(root) / relative
    if not path.is_file():
        raise DatasetNotFoundError(f"Dataset {dataset!r} needs the file {path}, which does not exist; {hint}.")
    return path


def _get(name: str) -> _Entry:
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"Unknown dataset {name!r}; known datasets: {known}.")
    return _REGISTRY[name]


def load_dataset(name: str, *, data_dir: str | os.PathLike | None = None, **options: Any) -> Dataset:
    """Load the dataset registered as ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`list_datasets`.
    data_dir : path, optional
        Data root for file datasets; defaults to ``$ROBUSTFAIR_DATA``.
    **options
        Dataset-specific options (see ``list_datasets()[i].options``).

    Raises
    ------
    ValueError
        For an unknown name, an unknown option or a bad option value.
    DatasetNotFoundError
        When a file the dataset needs is missing (never downloaded).
    """
    entry = _get(name)
    unknown = [key for key in options if key not in entry.options]
    if unknown:
        accepted = ", ".join(entry.options) if entry.options else "none"
        raise ValueError(f"Unknown option {unknown[0]!r} for dataset {name!r}; accepted options: {accepted}.")
    merged = {**entry.options, **options}
    return entry.loader(data_root(data_dir), **merged)


def list_datasets(data_dir: str | os.PathLike | None = None) -> list[DatasetInfo]:
    """Every registered dataset, sorted by name, with where it is read from."""
    root = data_root(data_dir)
    infos = []
    for name in sorted(_REGISTRY):
        entry = _REGISTRY[name]
        if not entry.files:
            infos.append(DatasetInfo(name, "built-in", entry.description, None, True, dict(entry.options)))
            continue
        path = None if root is None else root / entry.files[0]
        present = root is not None and all((root / f).is_file() for f in entry.files)
        infos.append(DatasetInfo(name, "file", entry.description, path, present, dict(entry.options), entry.files))
    return infos
