"""A user's own table, read and encoded for :meth:`Dataset.from_frame` / ``from_csv`` / ``from_parquet``.

This module reads tables and encodes them into the fields of a :class:`Dataset`; the
constructors themselves are classmethods of ``Dataset`` (``datasets/_base.py``), so this
module does not depend on the record type and the two import in one direction only.

The one preprocessing step is :func:`make_preprocessor`, a scikit-learn
``ColumnTransformer`` that standardizes numeric columns and one-hot encodes the others.
It is fitted once by :func:`from_frame` and kept in ``Dataset.extras["preprocessor"]``,
so new rows of the same table are encoded the same way
(``data.extras["preprocessor"].transform(new_rows)``).

Several protected columns give their intersection as groups, named
``"sex=F|race=B"`` (see :func:`robustfair._validation.check_group_labels`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._validation import check_choice, check_group_labels

__all__ = ["make_preprocessor", "frame_fields", "read_csv", "read_parquet"]

_MISSING = ("error", "drop")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a core dependency
        raise ImportError("Dataset.from_frame needs pandas: pip install pandas") from None
    return pd


def _columns(value: str | Sequence[str] | None, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [c.strip() for c in value.split(",")] if "," in value else [value]
    out = list(value)
    if not all(isinstance(c, str) for c in out):
        raise ValueError(f"{name} must be a column name or a list of column names; got {value!r}.")
    return out


def _check_exist(frame: Any, columns: list[str], name: str) -> None:
    available = [str(c) for c in frame.columns]
    for col in columns:
        if col not in available:
            shown = ", ".join(available[:20]) + (", ..." if len(available) > 20 else "")
            raise ValueError(f"{name}: column {col!r} does not exist; the table has: {shown}.")


def make_preprocessor(frame: Any, features: Sequence[str]) -> Any:
    """The documented encoding of table features: an unfitted ``ColumnTransformer``.

    Numeric columns (ints and floats, not booleans) are standardized by
    ``StandardScaler``; every other column (strings, categories, booleans) is one-hot
    encoded by ``OneHotEncoder(handle_unknown="ignore")``. Output names are the numeric
    column names and ``column_value`` for the one-hot columns
    (``get_feature_names_out()``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table whose column types decide the encoding.
    features : sequence of str
        The columns to encode.

    Returns
    -------
    sklearn.compose.ColumnTransformer
    """
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    features = list(features)
    numeric = [c for c in features if is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c])]
    categorical = [c for c in features if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
        ],
        verbose_feature_names_out=False,
        sparse_threshold=0.0,
    )


def frame_fields(
    frame: Any,
    *,
    target: str | None = None,
    sensitive: str | Sequence[str],
    features: Sequence[str] | None = None,
    missing: Literal["error", "drop"] = "error",
    name: str = "frame",
    description: str = "",
) -> dict[str, Any]:
    """The fields of a :class:`Dataset` from a pandas DataFrame, for :meth:`Dataset.from_frame`.

    The arguments, the fields returned and the errors raised are documented there, once.
    """
    pd = _pandas()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame; got {type(frame).__name__}.")
    check_choice(missing, _MISSING, "missing")
    if frame.shape[0] == 0:
        raise ValueError("frame is empty: it has no rows.")
    frame = frame.rename(columns=str)
    sens_cols = _columns(sensitive, "sensitive")
    if not sens_cols:
        raise ValueError("sensitive must name at least one protected column.")
    _check_exist(frame, sens_cols, "sensitive")
    target_cols = _columns(target, "target")
    if len(target_cols) > 1:
        raise ValueError(f"target must be one column; got {target!r}.")
    _check_exist(frame, target_cols, "target")
    if target_cols and target_cols[0] in sens_cols:
        raise ValueError(f"target column {target_cols[0]!r} is also a protected column; pick one role for it.")
    if features is None:
        feat_cols = [c for c in frame.columns if c not in sens_cols and c not in target_cols]
    else:
        feat_cols = _columns(features, "features")
        _check_exist(frame, feat_cols, "features")
        if target_cols and target_cols[0] in feat_cols:
            raise ValueError(f"features include the target column {target_cols[0]!r}; leave it out.")
    if not feat_cols:
        raise ValueError("features: no feature column is left once target and sensitive are set aside.")

    used = list(dict.fromkeys([*feat_cols, *sens_cols, *target_cols]))
    na = frame[used].isna()
    n_dropped = 0
    if na.to_numpy().any():
        if missing == "error":
            col = str(na.any()[lambda v: v].index[0])
            raise ValueError(
                f"column {col!r} has {int(na[col].sum())} missing value(s); drop or impute them, or pass "
                "missing='drop' (--dropna on the command line) to drop those rows."
            )
        keep = ~na.any(axis=1).to_numpy()
        n_dropped = int((~keep).sum())
        frame = frame.loc[keep]
        if frame.shape[0] == 0:
            raise ValueError("every row has a missing value in a used column; nothing is left after dropping them.")
    for col in sens_cols:
        if frame[col].nunique() < 2:
            raise ValueError(
                f"sensitive column {col!r} has a single value ({frame[col].iloc[0]!r}); group fairness needs "
                "at least two groups."
            )
    groups = check_group_labels(frame[sens_cols], "sensitive")
    group_names, codes = np.unique(groups.astype(str), return_inverse=True)

    preprocessor = make_preprocessor(frame, feat_cols)
    X = np.asarray(preprocessor.fit_transform(frame[feat_cols]), dtype=np.float64)
    y = None if not target_cols else frame[target_cols[0]].to_numpy()
    if y is not None and y.dtype.kind == "O":
        y = y.astype(str)
    detail = f"{frame.shape[0]} rows" + (f" ({n_dropped} with missing values dropped)" if n_dropped else "")
    return dict(
        X=X,
        y=y,
        sensitive=codes.astype(np.int64).ravel(),
        name=name,
        feature_names=tuple(str(f) for f in preprocessor.get_feature_names_out()),
        group_names=tuple(str(g) for g in group_names),
        description=description
        or f"{name}: {detail}; protected {', '.join(sens_cols)}; numeric columns standardized, others one-hot encoded",
        extras={
            "preprocessor": preprocessor,
            "sensitive_columns": tuple(sens_cols),
            "target": target_cols[0] if target_cols else None,
            "n_dropped": n_dropped,
        },
    )


def _check_path(path: str | os.PathLike) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise ValueError(f"path {str(p)!r} does not exist or is not a file.")
    if p.stat().st_size == 0:
        raise ValueError(f"path {str(p)!r} is an empty file.")
    return p


def read_csv(
    path: str | os.PathLike, *, sep: str | None = None, na_values: Sequence[str] | None = None
) -> tuple[Any, str]:
    """The table of a CSV file (``pandas.read_csv``) and the file's stem.

    ``sep=None`` lets pandas detect the delimiter (comma, semicolon, tab). Leading spaces
    after a delimiter are skipped; ``na_values`` adds markers of missing values (``"?"``
    in UCI files) to pandas' defaults (empty cell, ``NA``, ``NaN``, ...).
    """
    pd = _pandas()
    p = _check_path(path)
    try:
        frame = pd.read_csv(
            p,
            sep=sep,
            engine="python" if sep is None else "c",
            skipinitialspace=True,
            na_values=list(na_values) if na_values else None,
        )
    except pd.errors.EmptyDataError:
        raise ValueError(f"path {str(p)!r} holds no table (no header row).") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"path {str(p)!r} could not be read as CSV: {' '.join(str(exc).split())}") from None
    return frame, p.stem


def read_parquet(path: str | os.PathLike) -> tuple[Any, str]:
    """The table of a Parquet file (needs pyarrow) and the file's stem."""
    pd = _pandas()
    p = _check_path(path)
    try:
        import pyarrow
    except ImportError:
        raise ImportError("reading Parquet needs pyarrow: pip install 'robustfair[parquet]'") from None
    try:
        frame = pd.read_parquet(p)
    except pyarrow.ArrowException as exc:
        raise ValueError(f"path {str(p)!r} could not be read as Parquet: {exc}") from None
    return frame, p.stem
