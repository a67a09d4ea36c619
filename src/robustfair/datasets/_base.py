"""The ``Dataset`` record shared by every loader and experiment."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .._validation import check_array, check_consistent_length, check_labels


@dataclass(frozen=True)
class Dataset:
    """A dataset as every robustfair component sees it.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        Numeric features (float64).
    y : ndarray of shape (n_samples,) or None
        Class labels where known (used by accuracy/NMI and by classifiers).
    sensitive : ndarray of shape (n_samples,) or None
        The protected attribute: one group id per sample.
    name : str
        Registry name, e.g. ``"inverted-digits"``.
    feature_names : tuple of str
    group_names : tuple of str
        Human-readable name of each group id, in sorted-id order.
    description : str
        Where the data comes from and how it was preprocessed.
    """

    X: np.ndarray
    y: np.ndarray | None
    sensitive: np.ndarray | None
    name: str
    feature_names: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()
    description: str = ""
    extras: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        X = check_array(self.X, f"{self.name}.X")
        object.__setattr__(self, "X", X)
        if self.y is not None:
            object.__setattr__(self, "y", check_labels(self.y, f"{self.name}.y"))
        if self.sensitive is not None:
            object.__setattr__(self, "sensitive", check_labels(self.sensitive, f"{self.name}.sensitive"))
        check_consistent_length(X, self.y, self.sensitive, names=["X", "y", "sensitive"])
        if self.feature_names and len(self.feature_names) != X.shape[1]:
            raise ValueError(f"{self.name}: {len(self.feature_names)} feature_names for {X.shape[1]} columns.")

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int | None:
        return None if self.y is None else int(np.unique(self.y).shape[0])

    @property
    def n_groups(self) -> int | None:
        return None if self.sensitive is None else int(np.unique(self.sensitive).shape[0])

    def subset(self, index: np.ndarray, name: str | None = None) -> Dataset:
        """Rows ``index`` of this dataset as a new ``Dataset``."""
        index = np.asarray(index)
        return Dataset(
            X=self.X[index],
            y=None if self.y is None else self.y[index],
            sensitive=None if self.sensitive is None else self.sensitive[index],
            name=name or self.name,
            feature_names=self.feature_names,
            group_names=self.group_names,
            description=self.description,
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        target: str | None = None,
        sensitive: str | Sequence[str],
        features: Sequence[str] | None = None,
        missing: Literal["error", "drop"] = "error",
        name: str = "frame",
        description: str = "",
    ) -> Dataset:
        """A dataset from a pandas DataFrame, one row per person.

        Parameters
        ----------
        frame : pandas.DataFrame
        target : str, optional
            Column of class labels (kept as they are, strings included), for accuracy and NMI.
        sensitive : str or list of str
            Protected column(s). Several columns give their intersection as groups
            (``"sex=F|race=B"``); a comma-separated string names several columns.
        features : list of str, optional
            Columns clustered on. Default: every column that is neither ``target`` nor
            protected (the protected attribute is not a feature unless listed here).
        missing : {"error", "drop"}, default="error"
            A missing value (NaN, None, empty cell) in a used column raises ``ValueError``
            naming the column, or, with ``"drop"``, drops its row.
        name, description : str

        Returns
        -------
        Dataset
            ``X`` encoded by :func:`robustfair.datasets.make_preprocessor` (a fitted
            ``ColumnTransformer``, kept in ``extras["preprocessor"]``), ``feature_names`` its
            output names, ``sensitive`` the group id of every row (``0..G-1``) and
            ``group_names`` the group of each id. ``extras`` also holds
            ``"sensitive_columns"``, ``"target"`` and ``"n_dropped"``.

        Raises
        ------
        ValueError
            For a column that does not exist, a missing value (with ``missing="error"``), a
            protected column with one value, an empty table or no feature column left.
        """
        from ._frame import frame_fields

        return cls(
            **frame_fields(
                frame,
                target=target,
                sensitive=sensitive,
                features=features,
                missing=missing,
                name=name,
                description=description,
            )
        )

    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike,
        *,
        target: str | None = None,
        sensitive: str | Sequence[str],
        features: Sequence[str] | None = None,
        missing: Literal["error", "drop"] = "error",
        sep: str | None = None,
        na_values: Sequence[str] | None = None,
        name: str | None = None,
    ) -> Dataset:
        """A dataset from a CSV file (``pandas.read_csv``), as :meth:`from_frame`.

        ``sep=None`` detects the delimiter; ``na_values`` adds markers of missing values
        (``"?"`` in UCI files) to pandas' defaults. ``name`` defaults to the file's stem.
        An absent or empty file raises ``ValueError`` naming the path.
        """
        from ._frame import read_csv

        frame, stem = read_csv(path, sep=sep, na_values=na_values)
        return cls.from_frame(
            frame, target=target, sensitive=sensitive, features=features, missing=missing, name=name or stem
        )

    @classmethod
    def from_parquet(
        cls,
        path: str | os.PathLike,
        *,
        target: str | None = None,
        sensitive: str | Sequence[str],
        features: Sequence[str] | None = None,
        missing: Literal["error", "drop"] = "error",
        name: str | None = None,
    ) -> Dataset:
        """A dataset from a Parquet file (needs pyarrow: ``robustfair[parquet]``), as :meth:`from_frame`."""
        from ._frame import read_parquet

        frame, stem = read_parquet(path)
        return cls.from_frame(
            frame, target=target, sensitive=sensitive, features=features, missing=missing, name=name or stem
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike, **kwargs: Any) -> Dataset:
        """:meth:`from_parquet` for ``.parquet``/``.pq`` files, :meth:`from_csv` for the rest."""
        if Path(path).suffix.lower() in (".parquet", ".pq"):
            kwargs.pop("sep", None)
            kwargs.pop("na_values", None)
            return cls.from_parquet(path, **kwargs)
        return cls.from_csv(path, **kwargs)

    @property
    def groups(self) -> np.ndarray | None:
        """The group name of every sample (``group_names[sensitive]``), or ``sensitive`` itself."""
        if self.sensitive is None:
            return None
        if self.group_names and self.sensitive.dtype.kind in "iu" and len(self.group_names) > int(self.sensitive.max()):
            return np.asarray(self.group_names, dtype=object)[self.sensitive].astype(str)
        return self.sensitive

    def to_frame(self) -> Any:
        """The encoded features as a pandas DataFrame, with ``target`` and ``group`` columns."""
        import pandas as pd

        names = list(self.feature_names) or [f"x{j}" for j in range(self.n_features)]
        out = pd.DataFrame(self.X, columns=names)
        if self.y is not None:
            out["target"] = self.y
        if self.sensitive is not None:
            out["group"] = self.groups
        return out

    def summary(self) -> str:
        parts = [f"{self.name}: {self.n_samples} x {self.n_features}"]
        if self.y is not None:
            parts.append(f"{self.n_classes} classes")
        if self.sensitive is not None:
            parts.append(f"{self.n_groups} groups")
        return ", ".join(parts)
