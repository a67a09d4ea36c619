"""Search spaces for :func:`robustfair.optim.minimize`: a continuous ``Box`` and a ``Categorical``."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import check_positive

__all__ = ["Box", "Categorical"]


class Box:
    """Continuous bounds ``lower[j] <= x[j] <= upper[j]``.

    Parameters
    ----------
    lower, upper : float or array-like of shape (dim,)
        Finite bounds. Scalars are broadcast to ``dim`` coordinates. A coordinate with
        ``lower == upper`` is fixed: optimizers search only the free coordinates.
    dim : int, optional
        Number of coordinates; needed only when both bounds are scalars.

    Examples
    --------
    >>> Box(-1.0, 1.0, dim=3).dim
    3
    >>> Box([0, 0], [1, 2]).upper
    array([1., 2.])
    """

    def __init__(self, lower: Any, upper: Any, *, dim: int | None = None) -> None:
        lo = np.asarray(lower, dtype=float) if _is_numeric(lower) else None
        hi = np.asarray(upper, dtype=float) if _is_numeric(upper) else None
        if lo is None or lo.ndim > 1:
            raise ValueError(f"lower must be a number or a 1-D array of numbers; got {lower!r}.")
        if hi is None or hi.ndim > 1:
            raise ValueError(f"upper must be a number or a 1-D array of numbers; got {upper!r}.")
        if dim is not None:
            dim = int(check_positive(dim, "dim", integer=True))
        sizes = {a.shape[0] for a in (lo, hi) if a.ndim == 1}
        if len(sizes) > 1:
            raise ValueError(f"lower and upper must have the same length; got {lo.shape[0]} and {hi.shape[0]}.")
        n = sizes.pop() if sizes else dim
        if n is None:
            raise ValueError("Pass dim= when lower and upper are both scalars.")
        if dim is not None and n != dim:
            raise ValueError(f"dim={dim} does not match the length of the bounds ({n}).")
        if n == 0:
            raise ValueError("A Box needs at least one coordinate; got empty bounds.")
        lo, hi = np.broadcast_to(lo, (n,)).copy(), np.broadcast_to(hi, (n,)).copy()
        if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
            raise ValueError("Box bounds must be finite; got NaN or infinity in lower or upper.")
        bad = np.flatnonzero(lo > hi)
        if bad.size:
            j = int(bad[0])
            raise ValueError(
                f"Box needs lower <= upper on every coordinate; coordinate {j} has "
                f"lower={lo[j]} > upper={hi[j]} ({bad.size} coordinate(s) in all)."
            )
        lo.flags.writeable = False
        hi.flags.writeable = False
        self.lower = lo
        self.upper = hi

    @property
    def dim(self) -> int:
        """Number of coordinates (fixed ones included)."""
        return int(self.lower.shape[0])

    @property
    def free(self) -> np.ndarray:
        """Boolean mask of the coordinates with ``lower < upper``."""
        return self.lower < self.upper

    def sample(self, rng: Any, n: int) -> np.ndarray:
        """Draw ``n`` points uniformly from the box, shape ``(n, dim)``."""
        from .._validation import check_random_state

        rng = check_random_state(rng, "rng")
        n = int(check_positive(n, "n", integer=True, strict=False))
        return self.lower + (self.upper - self.lower) * rng.random((n, self.dim))

    def clip(self, X: np.ndarray) -> np.ndarray:
        """Project points onto the box (rounding can push an optimizer's point just outside)."""
        return np.clip(X, self.lower, self.upper)

    def _to_unit(self, X: np.ndarray) -> np.ndarray:
        """Free coordinates of ``X`` scaled to ``[0, 1]``."""
        f = self.free
        return (np.asarray(X)[..., f] - self.lower[f]) / (self.upper[f] - self.lower[f])

    def _from_unit(self, U: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`_to_unit`: full points with the fixed coordinates filled in."""
        U = np.clip(np.asarray(U, dtype=float), 0.0, 1.0)
        f = self.free
        out = np.broadcast_to(self.lower, U.shape[:-1] + (self.dim,)).copy()
        out[..., f] = self.lower[f] + U * (self.upper[f] - self.lower[f])
        return out

    def __repr__(self) -> str:
        return f"Box(lower={self.lower.tolist()}, upper={self.upper.tolist()})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Box)
            and np.array_equal(self.lower, other.lower)
            and np.array_equal(self.upper, other.upper)
        )

    __hash__ = None  # type: ignore[assignment]


class Categorical:
    """One finite set of allowed values per coordinate.

    Parameters
    ----------
    choices : sequence of sequences
        ``choices[j]`` lists the values coordinate ``j`` may take (at least one, no
        duplicates). Values may be numbers, strings or any hashable objects.

    Notes
    -----
    Optimizers work on integer codes ``0..len(choices[j])-1``; the objective function
    and :attr:`OptimizeResult.x` see the values. Values are returned as an ``int64``,
    ``float64`` or ``bool`` array when every value is of that kind, else as an ``object``
    array.

    Examples
    --------
    >>> space = Categorical([["a", "b"], [0, 1, 2]])
    >>> space.dim, space.sizes.tolist()
    (2, [2, 3])
    >>> Categorical.uniform("ACGT", 5).dim
    5
    """

    def __init__(self, choices: Sequence[Sequence[Any]]) -> None:
        if isinstance(choices, (str, bytes)) or not isinstance(choices, (Sequence, np.ndarray)):
            raise ValueError(
                "choices must be a sequence with one sequence of allowed values per coordinate; "
                f"got {type(choices).__name__}."
            )
        if len(choices) == 0:
            raise ValueError("A Categorical space needs at least one coordinate; got no choices.")
        table = []
        for j, c in enumerate(choices):
            if isinstance(c, (str, bytes)):
                c = list(c)  # "ACGT" -> ["A", "C", "G", "T"]
            try:
                c = list(c)
            except TypeError:
                raise ValueError(f"choices[{j}] must be a sequence of allowed values; got {c!r}.") from None
            if len(c) == 0:
                raise ValueError(f"choices[{j}] is empty; every coordinate needs at least one value.")
            try:
                distinct = len(set(c))
            except TypeError:
                raise ValueError(f"choices[{j}] holds unhashable values; use numbers, strings or tuples.") from None
            if distinct != len(c):
                raise ValueError(f"choices[{j}] contains duplicate values: {c!r}.")
            table.append(tuple(c))
        self.choices = tuple(table)
        self._dtype = _common_dtype([v for c in table for v in c])

    @classmethod
    def uniform(cls, values: Sequence[Any], dim: int) -> Categorical:
        """The same allowed ``values`` on each of ``dim`` coordinates."""
        dim = int(check_positive(dim, "dim", integer=True))
        return cls([values] * dim)

    @property
    def dim(self) -> int:
        """Number of coordinates."""
        return len(self.choices)

    @property
    def sizes(self) -> np.ndarray:
        """Number of allowed values per coordinate."""
        return np.array([len(c) for c in self.choices], dtype=np.int64)

    def decode(self, codes: Any) -> np.ndarray:
        """Values of integer ``codes`` of shape ``(dim,)`` or ``(n, dim)``."""
        codes = np.asarray(codes, dtype=np.int64)
        flat = codes.reshape(-1, self.dim)
        out = np.empty(flat.shape, dtype=self._dtype)
        for j, c in enumerate(self.choices):  # loop over coordinates: each has its own table
            col = _object_array(c) if self._dtype is object else np.asarray(c, dtype=self._dtype)
            out[:, j] = col[flat[:, j]]
        return out.reshape(codes.shape)

    def sample(self, rng: Any, n: int) -> np.ndarray:
        """Draw ``n`` points uniformly (values, shape ``(n, dim)``)."""
        return self.decode(self._sample_codes(rng, n))

    def _sample_codes(self, rng: Any, n: int) -> np.ndarray:
        from .._validation import check_random_state

        rng = check_random_state(rng, "rng")
        n = int(check_positive(n, "n", integer=True, strict=False))
        return np.floor(rng.random((n, self.dim)) * self.sizes).astype(np.int64)

    def __repr__(self) -> str:
        return f"Categorical({[list(c) for c in self.choices]!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Categorical) and self.choices == other.choices

    __hash__ = None  # type: ignore[assignment]


def _is_numeric(x: Any) -> bool:
    try:
        arr = np.asarray(x)
    except Exception:  # noqa: BLE001 - anything numpy cannot hold is not numeric
        return False
    return arr.dtype.kind in "biuf"


def _common_dtype(values: list[Any]) -> Any:
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return np.bool_
    if all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in values):
        return np.int64
    if all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in values):
        return np.float64
    return object


def _object_array(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):  # element-wise so tuples stay single values
        out[i] = v
    return out
