"""Loaders for image and plain-clustering datasets under the data root.

``.npz`` files are read with ``allow_pickle=False``; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_choice, check_positive
from ._base import Dataset
from ._preprocessing import as_float, finish, parse_int_tuple, read_table
from ._registry import register_dataset, require_file

_SAMPLING = {"n_samples": None, "random_state": 0}


def _load_npz(path: Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        missing = [k for k in keys if k not in archive.files]
        if missing:
            raise ValueError(f"{path}: array(s) {missing} missing; found {archive.files}.")
        return {k: archive[k] for k in keys}


@register_dataset(
    "mnist-usps",
    files=("mnist-usps/mnist_usps_jpda.npz",),
    description="MNIST + USPS digits, sensitive = source; jpda: 3800 x 256 (16x16), dfc: 67291 x 784 (28x28).",
    options={"variant": "jpda", **_SAMPLING},
)
def load_mnist_usps(
    root: Path | None,
    *,
    variant: str = "jpda",
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    check_choice(variant, ("jpda", "dfc"), "variant")
    if variant == "jpda":
        path = require_file(root, "mnist-usps/mnist_usps_jpda.npz", "mnist-usps")
        arrays = _load_npz(path, ("X", "y", "s"))
        X = arrays["X"].astype(np.float64).reshape(arrays["X"].shape[0], -1)
        y, s, side = arrays["y"].astype(np.int64), arrays["s"].astype(np.int64), 16
        how = "JPDA MNIST_vs_USPS: 2000 MNIST + 1800 USPS images, 16x16, values in [0, 1]"
    else:
        from scipy.ndimage import zoom

        path = require_file(root, "mnist-usps/mnist_usps_dfc.npz", "mnist-usps")
        arrays = _load_npz(path, ("mnist_X", "mnist_y", "usps_X", "usps_y"))
        mnist = arrays["mnist_X"].astype(np.float64)
        usps = arrays["usps_X"].astype(np.float64)
        side = mnist.shape[1]
        if usps.shape[1:] != mnist.shape[1:]:
            # DFC layout: USPS 16x16 upsampled to MNIST's 28x28 (bilinear spline, order 1).
            factors = (1.0, mnist.shape[1] / usps.shape[1], mnist.shape[2] / usps.shape[2])
            usps = np.clip(zoom(usps, factors, order=1), 0.0, 255.0)
        X = np.vstack([mnist.reshape(mnist.shape[0], -1), usps.reshape(usps.shape[0], -1)]) / 255.0
        y = np.concatenate([arrays["mnist_y"], arrays["usps_y"]]).astype(np.int64)
        s = np.repeat(np.array([0, 1], dtype=np.int64), [mnist.shape[0], usps.shape[0]])
        how = (
            f"DFC layout: {mnist.shape[0]} MNIST train images then {usps.shape[0]} USPS train images "
            f"resized to {side}x{side} (scipy.ndimage.zoom, order 1), flattened, scaled to [0, 1]"
        )
    names = tuple(f"pixel_{r}_{c}" for r in range(side) for c in range(side))
    if len(names) != X.shape[1]:
        names = tuple(f"pixel_{j}" for j in range(X.shape[1]))
    return finish(
        "mnist-usps",
        X,
        y,
        s,
        feature_names=names,
        group_names=("MNIST", "USPS"),
        description=f"MNIST-USPS ({path.name}): {how}; sensitive = source (0 MNIST, 1 USPS); y = digit.",
        n_samples=n_samples,
        random_state=random_state,
    )


@register_dataset(
    "yale",
    files=("yale/yale_cropped_24x24.npz",),
    description="Extended Yale B, 2414 faces 24x24 (576 features), y = subject, sensitive = oblique light.",
    options={"threshold": 45, **_SAMPLING},
)
def load_yale(
    root: Path | None,
    *,
    threshold: float = 45,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    threshold = check_positive(threshold, "threshold")
    path = require_file(root, "yale/yale_cropped_24x24.npz", "yale")
    arrays = _load_npz(path, ("X", "subject", "azimuth", "elevation"))
    X = arrays["X"].astype(np.float64).reshape(arrays["X"].shape[0], -1) / 255.0
    # Groups by illumination angle of the light source (data README): oblique when
    # |azimuth| >= 45 deg or |elevation| >= 45 deg (1354 of 2414 rows).
    oblique = (np.abs(arrays["azimuth"]) >= threshold) | (np.abs(arrays["elevation"]) >= threshold)
    side = arrays["X"].shape[1]
    return finish(
        "yale",
        X,
        arrays["subject"].astype(np.int64),
        oblique.astype(np.int64),
        feature_names=[f"pixel_{r}_{c}" for r in range(side) for c in range(side)],
        group_names=("near-frontal-light", "oblique-light"),
        description=(
            f"Extended Yale B cropped faces ({path.name}): {side}x{side} pixels scaled to [0, 1]; "
            f"y = subject id; sensitive = 1 if |azimuth| or |elevation| >= {threshold:g} degrees."
        ),
        n_samples=n_samples,
        random_state=random_state,
    )


def _select_classes(y: np.ndarray, classes: Any, available: tuple[int, ...]) -> np.ndarray:
    if classes is None:
        return np.ones(y.shape[0], dtype=bool)
    wanted = parse_int_tuple(classes, "classes")
    unknown = [c for c in wanted if c not in available]
    if not wanted or unknown:
        raise ValueError(f"classes must be drawn from {list(available)}; got {classes!r}.")
    return np.isin(y, wanted)


SEEDS_FEATURES = (
    "area",
    "perimeter",
    "compactness",
    "kernel_length",
    "kernel_width",
    "asymmetry_coefficient",
    "kernel_groove_length",
)


@register_dataset(
    "seeds",
    files=("seeds/seeds_dataset.txt",),
    description="UCI Seeds: 210 wheat kernels x 7 features, y = variety (1 Kama, 2 Rosa, 3 Canadian).",
    options={"classes": None},
)
def load_seeds(root: Path | None, *, classes: Any = None) -> Dataset:
    path = require_file(root, "seeds/seeds_dataset.txt", "seeds")
    try:
        data = np.loadtxt(path, ndmin=2)  # whitespace-separated; tolerant of doubled tabs
    except ValueError as exc:
        raise ValueError(f"{path}: could not parse as numbers ({exc}).") from None
    if data.shape[1] != 8:
        raise ValueError(f"{path}: expected 8 columns (7 features + class); got {data.shape[1]}.")
    y = data[:, 7].astype(np.int64)
    keep = _select_classes(y, classes, (1, 2, 3))
    picked = "" if classes is None else f" classes {parse_int_tuple(classes, 'classes')};"
    return Dataset(
        X=data[keep, :7],
        y=y[keep],
        sensitive=None,
        name="seeds",
        feature_names=SEEDS_FEATURES,
        description=f"UCI Seeds ({path.name}):{picked} 7 raw geometric features; y = variety 1-3.",
    )


@register_dataset(
    "hand-postures",
    files=("hand-postures/Postures.csv.gz",),
    description="UCI MoCap Hand Postures (partial copy: classes 1-3, users 0-2); markers 0-2 (9 features).",
    options={"n_markers": 3, "classes": None, "sensitive": None, **_SAMPLING},
)
def load_hand_postures(
    root: Path | None,
    *,
    n_markers: int = 3,
    classes: Any = None,
    sensitive: str | None = None,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    n_markers = int(check_positive(n_markers, "n_markers", integer=True))
    if n_markers > 12:
        raise ValueError(f"n_markers must be at most 12; got {n_markers}.")
    if sensitive is not None:
        check_choice(sensitive, ("user",), "sensitive")
    path = require_file(root, "hand-postures/Postures.csv.gz", "hand-postures")
    table = read_table(path)
    columns = [f"{axis}{m}" for m in range(n_markers) for axis in "XYZ"]
    # '?' = marker not recorded: drop rows missing any chosen coordinate; class 0 is the
    # all-zero placeholder row of the UCI file.
    keep = ~np.any(np.stack([table[c] == "?" for c in columns]), axis=0)
    y_all = table["Class"].astype(np.int64)
    keep &= y_all != 0
    keep &= _select_classes(y_all, classes, (1, 2, 3, 4, 5))
    table = {k: v[keep] for k, v in table.items()}
    X = as_float(table, columns, path)
    user = table["User"].astype(np.int64)
    groups: tuple[str, ...] = ()
    s = None
    if sensitive == "user":
        values = np.unique(user)
        s = np.searchsorted(values, user).astype(np.int64)
        groups = tuple(f"user {u}" for u in values)
    return finish(
        "hand-postures",
        X,
        y_all[keep],
        s,
        feature_names=columns,
        group_names=groups,
        description=(
            f"UCI Motion Capture Hand Postures ({path.name}, partial copy): X, Y, Z of markers "
            f"0-{n_markers - 1}, rows with a missing coordinate dropped; y = posture class"
            f"{'; sensitive = user' if s is not None else ''}."
        ),
        n_samples=n_samples,
        random_state=random_state,
    )
