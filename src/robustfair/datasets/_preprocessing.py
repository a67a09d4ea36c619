"""Small readers and encoders shared by the file loaders (stdlib ``csv`` + numpy only)."""

from __future__ import annotations

import csv
import gzip
import numbers
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_choice, check_random_state
from ._base import Dataset

PREPROCESSING = ("numeric", "onehot")


def read_table(
    path: Path,
    *,
    delimiter: str = ",",
    header: bool = True,
    skipinitialspace: bool = False,
    names: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """Read a delimited text file into ``{column name: array of str}``.

    Blank lines are skipped. A column name that appears twice (COMPAS) keeps its first
    occurrence. ``names`` names the columns of a file without a header row.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=delimiter, skipinitialspace=skipinitialspace)
        rows = [row for row in reader if row and any(cell.strip() for cell in row)]
    if header:
        columns, rows = [c.strip() for c in rows[0]], rows[1:]
    else:
        columns = list(names) if names is not None else [str(i) for i in range(len(rows[0]))]
    width = len(columns)
    bad = [i for i, row in enumerate(rows) if len(row) != width]
    if bad:
        raise ValueError(f"{path}: row {bad[0] + 1 + int(header)} has {len(rows[bad[0]])} fields, expected {width}.")
    table = np.array(rows, dtype=str).reshape(len(rows), width)
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(columns):
        out.setdefault(name, np.char.strip(table[:, j]))
    return out


def as_float(table: dict[str, np.ndarray], names: Sequence[str], path: Path) -> np.ndarray:
    """Stack the named columns as a float64 matrix, naming the column that fails."""
    cols = []
    for name in names:
        if name not in table:
            raise ValueError(f"{path}: column {name!r} is missing.")
        try:
            cols.append(table[name].astype(np.float64))
        except ValueError:
            raise ValueError(f"{path}: column {name!r} holds non-numeric values.") from None
    return np.column_stack(cols) if cols else np.empty((len(next(iter(table.values()))), 0))


def one_hot(values: np.ndarray, name: str) -> tuple[np.ndarray, list[str]]:
    """Indicator columns for the sorted distinct values, named ``name=value``."""
    categories, codes = np.unique(values, return_inverse=True)
    matrix = np.zeros((values.shape[0], categories.shape[0]))
    matrix[np.arange(values.shape[0]), codes.ravel()] = 1.0
    return matrix, [f"{name}={c}" for c in categories]


def standardize(X: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance per column; constant columns are only centred."""
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - X.mean(axis=0)) / scale


def encode_groups(values: np.ndarray, order: Sequence[str] | None = None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Group ids 0..m-1 for string values, in ``order`` (default: sorted)."""
    names = list(order) if order is not None else sorted(set(values.tolist()))
    lookup = {v: i for i, v in enumerate(names)}
    missing = sorted(set(values.tolist()) - set(lookup))
    if missing:
        raise ValueError(f"unexpected group value(s) {missing}; expected one of {names}.")
    return np.array([lookup[v] for v in values.tolist()], dtype=np.int64), tuple(names)


def numeric_and_onehot(
    table: dict[str, np.ndarray], numeric: Sequence[str], categorical: Sequence[str], path: Path
) -> tuple[np.ndarray, list[str]]:
    """Standardized numeric columns followed by one-hot categorical columns."""
    blocks = [standardize(as_float(table, numeric, path))]
    names = list(numeric)
    for col in categorical:
        matrix, col_names = one_hot(table[col], col)
        blocks.append(matrix)
        names += col_names
    return np.hstack(blocks), names


def check_n_samples(n_samples: Any, available: int, dataset: str) -> int | None:
    if n_samples is None:
        return None
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or int(n_samples) < 1:
        raise ValueError(f"n_samples must be None or a positive int; got {n_samples!r}.")
    n = int(n_samples)
    if n > available:
        raise ValueError(f"n_samples={n} is larger than the {available} rows of {dataset}.")
    return n


def subsample_index(n_total: int, n_samples: int | None, random_state: Any, dataset: str) -> np.ndarray:
    """Rows kept: all, or ``n_samples`` drawn without replacement, in file order."""
    n_samples = check_n_samples(n_samples, n_total, dataset)
    if n_samples is None:
        return np.arange(n_total)
    rng = check_random_state(random_state)
    return np.sort(rng.choice(n_total, size=n_samples, replace=False))


def check_preprocessing(preprocessing: Any) -> str:
    return check_choice(preprocessing, PREPROCESSING, "preprocessing")


def parse_int_tuple(value: Any, name: str) -> tuple[int, ...]:
    """``"1,4"``, ``(1, 4)`` or ``[1, 4]`` -> ``(1, 4)``; a single int -> ``(int,)``."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        try:
            return tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(f"{name} must be comma-separated ints like '1,4'; got {value!r}.") from None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),)
    try:
        items = tuple(value)
    except TypeError:
        raise ValueError(f"{name} must be ints as 'a,b' or a tuple; got {value!r}.") from None
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
        raise ValueError(f"{name} must hold ints; got {value!r}.")
    return tuple(int(v) for v in items)


def finish(
    name: str,
    X: np.ndarray,
    y: np.ndarray | None,
    sensitive: np.ndarray | None,
    *,
    feature_names: Sequence[str],
    group_names: Sequence[str],
    description: str,
    n_samples: Any = None,
    random_state: Any = 0,
) -> Dataset:
    """Subsample (if asked) and build the ``Dataset``."""
    index = subsample_index(X.shape[0], n_samples, random_state, name)
    if index.shape[0] != X.shape[0]:
        X = X[index]
        y = None if y is None else y[index]
        sensitive = None if sensitive is None else sensitive[index]
        description += f" Subsampled to {index.shape[0]} rows (random_state={random_state!r})."
    return Dataset(
        X=X,
        y=y,
        sensitive=sensitive,
        name=name,
        feature_names=tuple(feature_names),
        group_names=tuple(group_names),
        description=description,
    )
