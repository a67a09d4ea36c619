"""Reverse-MNIST (Li et al. 2020; DFDC sec. 5.1): MNIST plus an inverted copy of every image.

Read from the MNIST part of ``mnist-usps/mnist_usps_dfc.npz`` under the data root; nothing
is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ._base import Dataset
from ._preprocessing import finish, subsample_index
from ._registry import register_dataset, require_file


@register_dataset(
    "reverse-mnist",
    files=("mnist-usps/mnist_usps_dfc.npz",),
    description="Reverse-MNIST: MNIST train images plus inverted copies (120000 x 784), sensitive = inverted.",
    options={"n_samples": None, "random_state": 0},
)
def load_reverse_mnist(root: Path | None, *, n_samples: int | None = None, random_state: Any = 0) -> Dataset:
    """MNIST images ``x`` and their inversions ``1 - x`` (values in [0, 1]).

    ``n_samples`` draws that many MNIST images (seeded, without replacement) *before*
    inverting, so the dataset has ``2 * n_samples`` rows and every image keeps its
    inverted twin: the two groups are always the same size (optimal balance 1).
    """
    path = require_file(root, "mnist-usps/mnist_usps_dfc.npz", "reverse-mnist")
    with np.load(path, allow_pickle=False) as archive:
        missing = [k for k in ("mnist_X", "mnist_y") if k not in archive.files]
        if missing:
            raise ValueError(f"{path}: array(s) {missing} missing; found {archive.files}.")
        images, labels = archive["mnist_X"], archive["mnist_y"].astype(np.int64)
    index = subsample_index(images.shape[0], n_samples, random_state, "reverse-mnist")
    side = images.shape[1]
    # float32 halves the memory of the full 120000 x 784 matrix (about 376 MB)
    X = images[index].reshape(index.shape[0], -1).astype(np.float32) / np.float32(255.0)
    X = np.vstack([X, np.float32(1.0) - X])
    y = np.concatenate([labels[index], labels[index]])
    s = np.repeat(np.array([0, 1], dtype=np.int64), index.shape[0])
    how = f"{index.shape[0]} MNIST train images" + (
        "" if index.shape[0] == images.shape[0] else f" (drawn with random_state={random_state!r})"
    )
    return finish(
        "reverse-mnist",
        X,
        y,
        s,
        feature_names=[f"pixel_{r}_{c}" for r in range(side) for c in range(side)],
        group_names=("original", "inverted"),
        description=(
            f"Reverse-MNIST ({path.name}): {how} scaled to [0, 1], then their inverted copies "
            "1 - x; sensitive = inverted (0 original, 1 inverted); y = digit."
        ),
    )
