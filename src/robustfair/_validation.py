"""Shared input checks: the one place that raises robustfair's ``ValueError``\\ s.

Every public function and estimator validates its inputs through these helpers, so a
user who passes NaN, a wrong shape, mismatched lengths, a single protected group or an
unknown name gets one clear message naming the argument, never a traceback from deep
inside numpy, scikit-learn or a solver.

Estimators with many parameters declare them as scikit-learn does, in a class attribute
``_parameter_constraints`` built from :class:`Interval`, :class:`StrOptions`, ... (re-exported
here from scikit-learn's ``sklearn.utils._param_validation``, the one place that imports it),
and call :func:`check_params` at the start of ``fit``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeVar, cast, overload

import numpy as np

# scikit-learn's declarative parameter validation (what scikit-learn-contrib packages use).
# It is a private module of scikit-learn: if it moves, this import is the one line to change.
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    RealNotInt,
    StrOptions,
    validate_parameter_constraints,
)

_T = TypeVar("_T")

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "RealNotInt",
    "StrOptions",
    "check_array",
    "check_bool",
    "check_choice",
    "check_consistent_length",
    "check_fit_array",
    "check_fraction",
    "check_group_labels",
    "check_indices",
    "check_labels",
    "check_n_clusters",
    "check_n_groups",
    "check_params",
    "check_positive",
    "check_random_state",
    "check_sensitive_features",
    "check_two_groups",
    "encode_labels",
    "record_feature_names",
]


def check_params(obj: Any) -> None:
    """Check ``obj``'s parameters against its class's ``_parameter_constraints``.

    ``_parameter_constraints`` maps each parameter name to a list of constraints in
    scikit-learn's format (an :class:`Interval`, a :class:`StrOptions`, a type, ``None``
    for "may be None", ...) or to ``"no_validation"`` for a parameter checked elsewhere
    (``random_state`` by :func:`check_random_state`, which also takes a ``Generator``).
    Data-dependent limits (``n_clusters`` at most the number of samples) stay with the
    data checks.

    Raises
    ------
    InvalidParameterError
        A subclass of both ``ValueError`` and ``TypeError`` whose message names the
        parameter and the class: ``The 'tau' parameter of X must be a float in the range
        (0.0, inf). Got -1 instead.``
    """
    constraints = type(obj)._parameter_constraints
    params = {name: getattr(obj, name) for name in constraints}
    validate_parameter_constraints(constraints, params, caller_name=type(obj).__name__)


def _describe(x: Any) -> str:
    shape = getattr(x, "shape", None)
    if shape is not None:
        return f"an array of shape {tuple(shape)}"
    return f"{type(x).__name__}"


def check_array(
    X: Any,
    name: str = "X",
    *,
    ndim: int = 2,
    dtype: Any = np.float64,
    allow_nan: bool = False,
    min_samples: int = 1,
    min_features: int = 1,
    copy: bool = False,
) -> np.ndarray:
    """Return ``X`` as a finite numeric numpy array of ``ndim`` dimensions.

    Raises
    ------
    ValueError
        Naming ``name`` when ``X`` is not numeric, has the wrong number of dimensions,
        too few samples or features, or contains NaN or infinity.
    """
    if hasattr(X, "toarray") and not isinstance(X, np.ndarray):
        raise ValueError(f"{name}: sparse input is not supported here; pass a dense array.")
    if getattr(getattr(X, "dtype", None), "kind", None) == "c":  # numpy would drop the imaginary part
        raise ValueError(f"{name} must be real; got complex values (dtype {X.dtype}).")
    try:
        arr = np.array(X, dtype=dtype, copy=copy) if copy else np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric; could not convert {_describe(X)} ({exc}).") from None
    if arr.ndim != ndim:
        want = {1: "a 1-D array", 2: "a 2-D array (n_samples, n_features)"}.get(ndim, f"a {ndim}-D array")
        hint = " Reshape a single feature with X.reshape(-1, 1)." if ndim == 2 and arr.ndim == 1 else ""
        raise ValueError(f"{name} must be {want}; got {arr.ndim} dimension(s), shape {arr.shape}.{hint}")
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} sample(s); got {arr.shape[0]}.")
    if ndim >= 2 and arr.shape[1] < min_features:
        raise ValueError(f"{name} needs at least {min_features} feature(s); got {arr.shape[1]}.")
    if not allow_nan and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        raise ValueError(f"{name} contains NaN or infinity ({bad} value(s)); remove or impute them first.")
    return arr


def check_fit_array(X: Any, name: str = "X", *, min_samples: int = 1) -> np.ndarray:
    """:func:`check_array` with scikit-learn's wording on top, for estimators' ``fit``.

    Complex data, object arrays of non-numbers, 1-D input and empty input get the
    messages (and, for non-numbers, the ``TypeError``) that scikit-learn's
    ``check_estimator`` expects; everything else (NaN, sparse, ...) is left to
    ``check_array``.
    """
    if not hasattr(X, "toarray"):
        raw = np.asarray(X)
        if np.iscomplexobj(raw):
            raise ValueError(f"Complex data not supported: {name} has a complex dtype; pass real numbers.")
        if raw.dtype.kind == "O":
            try:
                raw.astype(np.float64)
            except TypeError as exc:
                raise TypeError(f"{name} must be numeric: {exc}") from None
            except ValueError:
                pass  # strings that do not parse: check_array's ValueError names them
        if raw.ndim == 1:
            raise ValueError(
                f"{name} must be a 2-D array (n_samples, n_features); got shape {raw.shape}. Reshape your "
                "data either using X.reshape(-1, 1) if your data has a single feature or X.reshape(1, -1) "
                "if it contains a single sample."
            )
        if raw.ndim == 2 and raw.shape[1] == 0:
            raise ValueError(f"{name} has 0 feature(s) (shape={raw.shape}) while a minimum of 1 is required.")
        if raw.ndim == 2 and raw.shape[0] < min_samples:
            raise ValueError(
                f"n_samples={raw.shape[0]}: {name} has {raw.shape[0]} sample(s) (shape={raw.shape}) while a "
                f"minimum of {min_samples} is required."
            )
    return check_array(X, name, min_samples=min_samples)


def check_labels(labels: Any, name: str = "labels") -> np.ndarray:
    """Return a 1-D array of labels of any hashable values (ints, strings, ...).

    Raises ``ValueError`` for empty or multi-dimensional input and for float labels that
    are NaN.
    """
    arr = np.asarray(labels)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of labels; got shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    if arr.dtype.kind == "O":
        if any(v is None or (isinstance(v, float) and not np.isfinite(v)) for v in arr.tolist()):
            raise ValueError(f"{name} contains missing values (None or NaN).")
    return arr


def encode_labels(labels: Any, name: str = "labels") -> tuple[np.ndarray, np.ndarray]:
    """Map arbitrary label values to ``0..m-1``.

    Returns
    -------
    codes : ndarray of int64, shape (n,)
    values : ndarray, shape (m,)
        The sorted distinct values; ``values[codes]`` recovers the labels.
    """
    arr = check_labels(labels, name)
    try:
        values, codes = np.unique(arr, return_inverse=True)
    except TypeError:  # mixed types that do not sort: fall back to string order
        values, codes = np.unique(arr.astype(str), return_inverse=True)
    return codes.astype(np.int64, copy=False).ravel(), values


def check_sensitive_features(
    sensitive_features: Any,
    n_samples: int | None = None,
    *,
    name: str = "sensitive_features",
    min_groups: int = 2,
) -> np.ndarray:
    """Validate a 1-D protected attribute of group ids.

    Parameters
    ----------
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_columns)
        Group ids; any hashable values. A pandas Series, a list of strings, or several
        columns (a DataFrame or a 2-D array) whose intersection forms the groups (see
        :func:`check_group_labels`).
    n_samples : int, optional
        Expected length (the number of rows of ``X``).
    min_groups : int, default=2
        Fewer distinct groups than this raise: fairness is undefined with one group.
    """
    if sensitive_features is None:
        raise ValueError(f"{name} is required: pass the protected attribute, one group id per sample.")
    arr = check_group_labels(sensitive_features, name)
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ValueError(f"{name} has {arr.shape[0]} entries but X has {n_samples} samples; they must match.")
    n_groups = np.unique(arr).shape[0]
    if n_groups < min_groups:
        raise ValueError(
            f"{name} holds {n_groups} distinct group(s); at least {min_groups} are needed "
            "for group fairness to be defined."
        )
    return arr


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas"


def check_group_labels(sensitive_features: Any, name: str = "sensitive_features") -> np.ndarray:
    """Return the protected attribute as one 1-D array of group labels.

    Accepts what Fairlearn accepts for ``sensitive_features``: a 1-D array or list (ints,
    strings, ...), a pandas ``Series``, or several columns, as a ``DataFrame`` or a 2-D
    array of shape ``(n_samples, n_columns)``. Several columns give their intersection as
    groups, named ``"col=value|col=value"`` (``"sex=F|race=B"``); the columns of a 2-D
    array are named ``sf0``, ``sf1``, ... A single column is used as it is.

    Raises
    ------
    ValueError
        Naming the argument (and the column) for missing values, an empty input or a
        shape that is not 1-D or (n_samples, n_columns).
    """
    if _is_pandas(sensitive_features) and hasattr(sensitive_features, "columns"):
        frame = sensitive_features
        if frame.shape[1] == 0:
            raise ValueError(f"{name} is a DataFrame with no columns; pass at least one protected column.")
        missing = [str(c) for c in frame.columns if frame[c].isna().any()]
        if missing:
            raise ValueError(f"{name} column {missing[0]!r} contains missing values; drop or fill those rows first.")
        if frame.shape[1] == 1:
            return check_labels(frame.iloc[:, 0].to_numpy(), f"{name}[{str(frame.columns[0])!r}]")
        columns = [frame[c].to_numpy() for c in frame.columns]
        return _intersection([str(c) for c in frame.columns], columns, name)
    if _is_pandas(sensitive_features) and hasattr(sensitive_features, "isna"):
        if sensitive_features.isna().any():
            raise ValueError(f"{name} contains missing values; drop or fill those rows first.")
        return check_labels(sensitive_features.to_numpy(), name)
    arr = np.asarray(sensitive_features)
    if arr.ndim == 2 and arr.shape[0] > 1 and arr.shape[1] > 1:
        return _intersection([f"sf{j}" for j in range(arr.shape[1])], list(arr.T), name)
    return check_labels(arr, name)


def _intersection(names: list[str], columns: list[np.ndarray], name: str) -> np.ndarray:
    """``"a=x|b=y"`` per row: the intersection of the protected columns as string labels."""
    out: np.ndarray | None = None
    for col_name, col in zip(names, columns):
        col = check_labels(col, f"{name}[{col_name!r}]")
        part = np.char.add(f"{col_name}=", col.astype(str))  # vectorized over rows
        out = part if out is None else np.char.add(np.char.add(out, "|"), part)
    assert out is not None
    return out.astype(object).astype(str)


def record_feature_names(estimator: Any, X: Any, *, reset: bool) -> None:
    """Set (``reset=True``) or check (``reset=False``) ``feature_names_in_`` as scikit-learn does.

    Call it with the caller's original ``X`` after :func:`check_array` accepted it. A
    DataFrame with string column names sets ``feature_names_in_``; other input removes
    it. At predict time, names that differ from those seen in ``fit`` raise, and a missing
    or extra name set warns, exactly as in scikit-learn (``validate_data``). It also sets
    or checks ``n_features_in_``.
    """
    from sklearn.utils.validation import validate_data

    validate_data(estimator, X, reset=reset, skip_check_array=True)


def check_consistent_length(*arrays: Any, names: Sequence[str] | None = None) -> None:
    """Raise ``ValueError`` naming the arguments when the arrays differ in length."""
    lengths = [len(a) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        if names is None:
            names = [f"argument {i}" for i in range(len(arrays))]
        detail = ", ".join(f"{n}={len(a)}" for n, a in zip(names, arrays) if a is not None)
        raise ValueError(f"Inputs have inconsistent lengths: {detail}.")


def check_random_state(random_state: Any, name: str = "random_state") -> np.random.Generator:
    """Turn ``None``, an int, a ``Generator`` or a ``RandomState`` into a ``Generator``."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"{name} must be a non-negative int; got {random_state}.")
        return np.random.default_rng(int(random_state))
    raise ValueError(f"{name} must be None, an int or a numpy Generator; got {type(random_state).__name__}.")


def seed_from(rng: np.random.Generator) -> int:
    """Draw an int seed for a library that wants one (scikit-learn, zoopt, cma)."""
    return int(rng.integers(0, 2**31 - 1))


def check_n_clusters(n_clusters: Any, n_samples: int | None = None, name: str = "n_clusters") -> int:
    """Validate a number of clusters: an int >= 1 and at most ``n_samples``."""
    if not isinstance(n_clusters, numbers.Integral) or isinstance(n_clusters, bool):
        raise ValueError(f"{name} must be an int; got {n_clusters!r}.")
    k = int(n_clusters)
    if k < 1:
        raise ValueError(f"{name} must be at least 1; got {k}.")
    if n_samples is not None and k > n_samples:
        raise ValueError(f"{name}={k} is larger than the number of samples ({n_samples}).")
    return k


def check_choice(value: _T, choices: Iterable[Any], name: str) -> _T:
    """Return ``value`` if it is one of ``choices``; else raise listing them."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"Unknown {name} {value!r}; choose one of: {', '.join(map(str, choices))}.")
    return value


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool; anything but ``True``/``False`` (numpy's too) is refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def check_indices(indices: Any, n: int, name: str) -> np.ndarray:
    """Row indices into ``n`` samples, given as integers or a boolean mask of length ``n``.

    Returns the sorted-as-given ``int64`` indices; refuses indices outside ``[0, n)``,
    repeated indices, and a mask of another length.
    """
    arr = np.asarray(indices)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ValueError(f"{name} as a boolean mask must have {n} entries; got shape {arr.shape}.")
        arr = np.flatnonzero(arr)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(f"{name} must be a 1-D array of integer row indices; got {arr.dtype} of shape {arr.shape}.")
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ValueError(f"{name} holds indices outside [0, {n}); got min {arr.min()}, max {arr.max()}.")
    if np.unique(arr).shape[0] != arr.shape[0]:
        raise ValueError(f"{name} contains repeated indices.")
    return arr


def check_fraction(
    value: Any,
    name: str,
    *,
    low: float = 0.0,
    high: float = 1.0,
    inclusive_low: bool = True,
    inclusive_high: bool = False,
) -> float:
    """Validate a number in [low, high) (bounds' inclusiveness selectable)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    v = float(value)
    lo_ok = v >= low if inclusive_low else v > low
    hi_ok = v <= high if inclusive_high else v < high
    if not (lo_ok and hi_ok):
        lb = "[" if inclusive_low else "("
        hb = "]" if inclusive_high else ")"
        raise ValueError(f"{name} must lie in {lb}{low}, {high}{hb}; got {value}.")
    return v


@overload
def check_positive(value: Any, name: str, *, strict: bool = ..., integer: Literal[True]) -> int: ...
@overload
def check_positive(value: Any, name: str, *, strict: bool = ..., integer: Literal[False] = ...) -> float: ...
@overload
def check_positive(value: Any, name: str, *, strict: bool = ..., integer: bool) -> float | int: ...
def check_positive(value: Any, name: str, *, strict: bool = True, integer: bool = False) -> float | int:
    """Validate a positive (or non-negative, ``strict=False``) number."""
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind) or isinstance(value, bool) or not np.isfinite(float(value)):
        what = "an int" if integer else "a finite number"
        raise ValueError(f"{name} must be {what}; got {value!r}.")
    v = float(value)
    if (strict and v <= 0) or (not strict and v < 0):
        raise ValueError(f"{name} must be {'> 0' if strict else '>= 0'}; got {value}.")
    return int(cast(numbers.Integral, value)) if integer else v


def check_n_groups(n_groups: int, name: str = "sensitive_features", min_groups: int = 2) -> None:
    """Raise the ``check_sensitive_features`` message when fewer than ``min_groups`` groups exist.

    For callers that have already counted the distinct groups (for example with
    ``np.bincount`` on integer ids) and want to skip the ``np.unique`` of
    :func:`check_sensitive_features` on large inputs.
    """
    if n_groups < min_groups:
        raise ValueError(
            f"{name} holds {n_groups} distinct group(s); at least {min_groups} are needed "
            "for group fairness to be defined."
        )


def check_two_groups(groups: Any, what: str, name: str = "sensitive_features", *, hint: str = "") -> None:
    """Raise ``ValueError`` unless ``groups`` (the distinct group values) holds exactly two.

    The one check for methods and metrics defined for a binary protected attribute (SFD
    and fairlets, the soft fairness metrics, the influence fairness objectives). ``what``
    names the method; ``hint`` is appended to the message.
    """
    groups = np.asarray(groups)
    if groups.shape[0] != 2:
        shown = ", ".join(map(str, groups[:5].tolist())) + (", ..." if groups.shape[0] > 5 else "")
        raise ValueError(f"{what} needs exactly 2 protected groups; {name} holds {groups.shape[0]} ({shown}).{hint}")


def check_binary_mask(
    mask: Any, name: str = "summary", *, n_frames: int | None = None, length_name: str = "the video"
) -> np.ndarray:
    """Return a 1-D 0/1 selection mask as ``uint8``; ``ValueError`` naming ``name`` otherwise.

    Booleans and numbers equal to 0 or 1 are accepted. ``n_frames``, when given, is the
    length the mask must have (``length_name`` says where that length comes from).
    """
    arr = np.asarray(mask)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D 0/1 array, one entry per frame; got shape {arr.shape}.")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold 0/1 values; got dtype {arr.dtype}.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{name} must hold only 0/1 values (1 = frame selected).")
    if n_frames is not None and arr.shape[0] != n_frames:
        raise ValueError(f"{name} has {arr.shape[0]} frames but {length_name} has {n_frames}; they must match.")
    return arr.astype(np.uint8, copy=False)


def check_group_matrix(
    group_labels: Any, name: str = "group_labels", *, n_frames: int | None = None, length_name: str = "the summary"
) -> np.ndarray:
    """Return a frames-by-groups 0/1 membership matrix as ``float64``.

    A 2-D array ``(n_frames, n_groups)`` with 0/1 entries (a frame may hold several groups
    or none). A 1-D array of group ids (one group per frame) is one-hot encoded.
    """
    arr = np.asarray(group_labels)
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be 0/1 or group ids; got complex values.")
    if arr.ndim == 1:
        codes, _ = encode_labels(arr, name)
        arr = np.eye(int(codes.max()) + 1)[codes]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D 0/1 array (n_frames, n_groups); got shape {arr.shape}.")
    if arr.shape[1] == 0 or arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one frame and one group; got shape {arr.shape}.")
    try:
        arr = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric 0/1; got dtype {arr.dtype}.") from None
    if not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError(f"{name} must hold only 0/1 values (1 = the group appears in the frame).")
    if n_frames is not None and arr.shape[0] != n_frames:
        raise ValueError(f"{name} has {arr.shape[0]} frames but {length_name} has {n_frames}; they must match.")
    return arr


def check_images(
    X: Any,
    name: str = "X",
    *,
    image_shape: Any = None,
    value_range: tuple[float, float] = (0.0, 1.0),
    tol: float = 1e-6,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Return grayscale images as a float32 ``(n, 1, H, W)`` array and their ``(H, W)``.

    ``X`` is ``(n, H*W)`` (square images unless ``image_shape`` is given), ``(n, H, W)`` or
    ``(n, 1, H, W)``; values must lie in ``value_range`` (default [0, 1]).
    """
    arr = np.asarray(X) if hasattr(X, "shape") else X
    arr = check_array(arr, name, ndim=int(np.ndim(arr)) if np.ndim(arr) in (2, 3, 4) else 2)
    if arr.ndim == 2:
        d = arr.shape[1]
        if image_shape is None:
            side = int(round(np.sqrt(d)))
            if side * side != d:
                raise ValueError(f"{name} has {d} features, not a square image; pass image_shape=(H, W).")
            image_shape = (side, side)
        h, w = (int(v) for v in image_shape)
        if h * w != d:
            raise ValueError(f"{name} has {d} features but image_shape={tuple(image_shape)} needs {h * w}.")
        arr = arr.reshape(arr.shape[0], 1, h, w)
    elif arr.ndim == 3:
        arr = arr[:, None]
    if arr.shape[1] != 1:
        raise ValueError(f"{name} must hold grayscale images (n, 1, H, W); got shape {arr.shape}.")
    if image_shape is not None and tuple(arr.shape[2:]) != tuple(int(v) for v in image_shape):
        raise ValueError(f"{name} has images of shape {arr.shape[2:]}; expected {tuple(image_shape)}.")
    low, high = value_range
    if arr.min() < low - tol or arr.max() > high + tol:
        raise ValueError(
            f"{name} values must lie in [{low}, {high}]; got [{arr.min():.4g}, {arr.max():.4g}]. "
            "Scale the images first (e.g. X / 16 for scikit-learn digits, X / 255 for 8-bit images)."
        )
    return np.clip(arr, low, high).astype(np.float32), (int(arr.shape[2]), int(arr.shape[3]))


def check_n_features(
    X: np.ndarray, n_features: int, name: str = "X", *, fitted_on: str = "the model was fitted on"
) -> np.ndarray:
    """Raise ``ValueError`` naming ``name`` unless ``X`` has ``n_features`` columns.

    For arrays already through :func:`check_array`; returns ``X`` unchanged. Without it a
    validation set one column wider than a linear model can be read as its intercept
    column and give silently wrong numbers.
    """
    if X.ndim != 2 or X.shape[1] != n_features:
        got = X.shape[1] if X.ndim == 2 else f"shape {X.shape}"
        raise ValueError(f"{name} has {got} features but {fitted_on} {n_features}; they must match.")
    return X


def check_bounds(
    lower: Any, upper: Any, n_features: int, *, names: tuple[str, str] = ("lower", "upper")
) -> tuple[np.ndarray, np.ndarray]:
    """Return a box ``[lower, upper]`` as two float arrays of shape ``(n_features,)``.

    Scalars broadcast to every feature. Raises ``ValueError`` naming the argument for a
    wrong length, NaN, or any coordinate with ``lower > upper`` (an empty box would clip
    every point to one corner without a word).
    """
    out = []
    for value, name in zip((lower, upper), names):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number or one number per feature; got {_describe(value)}.") from None
        if arr.ndim == 0:
            arr = np.full(n_features, float(arr))
        if arr.shape != (n_features,):
            raise ValueError(
                f"{name} must be a number or hold one bound per feature ({n_features}); got shape {arr.shape}."
            )
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN.")
        out.append(arr)
    bad = np.flatnonzero(out[0] > out[1])
    if bad.size:
        j = int(bad[0])
        raise ValueError(
            f"{names[0]} must not exceed {names[1]}: feature {j} has {names[0]}={out[0][j]:g} > "
            f"{names[1]}={out[1][j]:g} ({bad.size} feature(s) in all)."
        )
    return out[0], out[1]
