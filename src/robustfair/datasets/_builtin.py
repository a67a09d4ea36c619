"""Built-in datasets: need no files (scikit-learn's bundled digits, or generated)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_random_state
from ._base import Dataset
from ._preprocessing import parse_int_tuple
from ._registry import register_dataset

_PIXELS = tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8))


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


@register_dataset(
    "digits",
    description="UCI optical digits bundled with scikit-learn: 1797 x 64 (8x8, values 0-16), y = digit.",
)
def load_digits_dataset(root: Any = None) -> Dataset:
    X, y = _digits()
    return Dataset(
        X=X,
        y=y,
        sensitive=None,
        name="digits",
        feature_names=_PIXELS,
        description="UCI optical digits (scikit-learn load_digits): 8x8 images, values 0-16, y = digit.",
    )


@register_dataset(
    "digits-pair",
    description="Two classes of the UCI digits (default 1 and 4, as in the spill-over attack), y = digit.",
    options={"digits": (1, 4)},
)
def load_digits_pair(root: Any = None, *, digits: Any = (1, 4)) -> Dataset:
    pair = parse_int_tuple(digits, "digits")
    if len(pair) != 2 or pair[0] == pair[1] or not all(0 <= d <= 9 for d in pair):
        raise ValueError(f"digits must be two different digits 0-9 such as '1,4'; got {digits!r}.")
    X, y = _digits()
    keep = np.isin(y, pair)
    return Dataset(
        X=X[keep],
        y=y[keep],
        sensitive=None,
        name="digits-pair",
        feature_names=_PIXELS,
        description=f"UCI optical digits {pair[0]} and {pair[1]} (scikit-learn load_digits), in original order.",
    )


@register_dataset(
    "inverted-digits",
    description="UCI digits plus their inverted copies (16 - x): 3594 x 64, sensitive = inverted.",
)
def load_inverted_digits(root: Any = None) -> Dataset:
    X, y = _digits()
    # Originals first, then 16 - x copies in the same order, so row i + 1797 inverts row i.
    return Dataset(
        X=np.vstack([X, 16.0 - X]),
        y=np.concatenate([y, y]),
        sensitive=np.repeat(np.array([0, 1], dtype=np.int64), X.shape[0]),
        name="inverted-digits",
        feature_names=_PIXELS,
        group_names=("original", "inverted"),
        description=(
            "Inverted UCI digits: the 1797 scikit-learn digits (s = 0) followed by 16 - x copies "
            "(s = 1) in the same order; y = digit."
        ),
    )


def _check_sizes(n_samples: Any) -> tuple[int, int]:
    sizes = parse_int_tuple(n_samples, "n_samples")
    if len(sizes) == 1:
        sizes = sizes * 2
    if len(sizes) != 2 or min(sizes) < 1:
        raise ValueError(f"n_samples must be one or two positive ints (per Gaussian); got {n_samples!r}.")
    return sizes[0], sizes[1]


@register_dataset(
    "toy-spillover",
    description="Two 2-D Gaussians (sd 1.45 at (1,0), sd 0.75 at (5,0)) of the spill-over toy example.",
    options={"n_samples": (100, 100), "random_state": 0},
)
def load_toy_spillover(root: Any = None, *, n_samples: Any = (100, 100), random_state: Any = 0) -> Dataset:
    # Thesis 2.2.6.1: isotropic Gaussians, sd 1.45 and 0.75, centroids (1, 0) and (5, 0).
    # The thesis does not state the sizes; 100 points per Gaussian is our default.
    n0, n1 = _check_sizes(n_samples)
    rng = check_random_state(random_state)
    X = np.vstack(
        [
            rng.normal(loc=(1.0, 0.0), scale=1.45, size=(n0, 2)),
            rng.normal(loc=(5.0, 0.0), scale=0.75, size=(n1, 2)),
        ]
    )
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n1])
    return Dataset(
        X=X,
        y=y,
        sensitive=None,
        name="toy-spillover",
        feature_names=("x1", "x2"),
        description=(
            f"Spill-over toy data (thesis 2.2.6.1): {n0} points N((1,0), 1.45^2 I) then {n1} points "
            f"N((5,0), 0.75^2 I); y = Gaussian; random_state={random_state!r}."
        ),
    )


@register_dataset(
    "toy-fairness",
    description="20 2-D points (sd 0.12 at (4,0) and (4.5,0)); 14 defender + 6 attacker samples, 2 groups.",
    options={"random_state": 0},
)
def load_toy_fairness(root: Any = None, *, random_state: Any = 0) -> Dataset:
    # Thesis 4.1.3.5: 20 samples, isotropic sd 0.12, centres (4, 0) and (4.5, 0); 14 belong to
    # the defender G_D and 6 to the attacker G_A. Balance 1.0 before the attack needs the
    # defender's 14 points split 7/7 between the two protected groups; the attacker's 6 start
    # 3/3 (the attack then optimizes them), as in the CFC code's s_TOY / U_idx_TOY.
    rng = check_random_state(random_state)
    X = np.vstack(
        [
            rng.normal(loc=(4.0, 0.0), scale=0.12, size=(10, 2)),
            rng.normal(loc=(4.5, 0.0), scale=0.12, size=(10, 2)),
        ]
    )
    y = np.repeat(np.array([0, 1], dtype=np.int64), 10)
    attacker_idx = np.sort(rng.choice(20, size=6, replace=False))
    defender_idx = np.setdiff1d(np.arange(20), attacker_idx)
    sensitive = np.empty(20, dtype=np.int64)
    sensitive[defender_idx] = rng.permutation(np.repeat([0, 1], 7))
    sensitive[attacker_idx] = rng.permutation(np.repeat([0, 1], 3))
    return Dataset(
        X=X,
        y=y,
        sensitive=sensitive,
        name="toy-fairness",
        feature_names=("x1", "x2"),
        group_names=("group 0", "group 1"),
        description=(
            "Fair-clustering attack toy data (thesis 4.1.3.5): 10 points each around (4,0) and (4.5,0), "
            "sd 0.12; y = Gaussian; 14 defender points (groups 7/7) and 6 attacker points (groups 3/3), "
            f"indices in extras; random_state={random_state!r}."
        ),
        extras={"defender_idx": defender_idx, "attacker_idx": attacker_idx},
    )
