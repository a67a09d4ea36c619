"""Datasets of the spill-over poisoning attack (thesis section 2.2.6).

* ``mnist-pair``: two MNIST digits, 200 images each, 784 raw pixels (thesis 2.2.6.3).
* ``spillover-reference``: the original and adversarial datasets published with the
  AAAI 2020 attack (Cinofix/poisoning-clustering ``comparison/``), one case at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_choice, check_positive, check_random_state
from ._base import Dataset
from ._preprocessing import parse_int_tuple
from ._registry import register_dataset, require_file

__all__ = ["REFERENCE_CASES", "load_mnist_pair", "load_spillover_reference"]

_MNIST = "mnist-usps/mnist_usps_dfc.npz"


@register_dataset(
    "mnist-pair",
    files=(_MNIST,),
    description="Two MNIST digits (default 1 and 4), 200 random images each, 784 raw pixels 0-255, y = digit.",
    options={"digits": (1, 4), "n_per_digit": 200, "random_state": 0},
)
def load_mnist_pair(
    root: Path | None, *, digits: Any = (1, 4), n_per_digit: Any = 200, random_state: Any = 0
) -> Dataset:
    # Thesis 2.2.6.3: "small subsets of the original digit images, 200 images for each digit",
    # 28 x 28 flattened to m = 784. The MNIST part of mnist_usps_dfc.npz is MNIST-train
    # decoded from JPEGs (lossy), so pixels differ slightly from the original files.
    pair = parse_int_tuple(digits, "digits")
    if len(pair) != 2 or pair[0] == pair[1] or not all(0 <= d <= 9 for d in pair):
        raise ValueError(f"digits must be two different digits 0-9 such as '1,4'; got {digits!r}.")
    n_per_digit = int(check_positive(n_per_digit, "n_per_digit", integer=True))
    path = require_file(root, _MNIST, "mnist-pair")
    with np.load(path, allow_pickle=False) as archive:
        images, labels = archive["mnist_X"], archive["mnist_y"]
    rng = check_random_state(random_state)
    chosen = []
    for digit in pair:
        pool = np.flatnonzero(labels == digit)
        if pool.shape[0] < n_per_digit:
            raise ValueError(f"n_per_digit={n_per_digit} but MNIST has only {pool.shape[0]} images of {digit}.")
        chosen.append(np.sort(rng.choice(pool, n_per_digit, replace=False)))
    rows = np.concatenate(chosen)
    return Dataset(
        X=images[rows].reshape(rows.shape[0], -1).astype(np.float64),
        y=labels[rows].astype(np.int64),
        sensitive=None,
        name="mnist-pair",
        feature_names=tuple(f"pixel_{r}_{c}" for r in range(28) for c in range(28)),
        description=(
            f"MNIST digits {pair[0]} and {pair[1]}: {n_per_digit} random images each "
            f"(random_state={random_state!r}) from {path.name}, 784 pixels 0-255; y = digit."
        ),
    )


# case -> (folder, original file, adversarial file, thesis section, clusterer of the thesis)
REFERENCE_CASES: dict[str, tuple[str, str, str, str, str]] = {
    "digits-14": ("digit", "X_org_14.npy", "X_adv_14.npy", "Table 2.1, digits 1 & 4", "ward"),
    "digits-89": ("digit", "X_org_89.npy", "X_adv_89.npy", "Table 2.1, digits 8 & 9", "ward"),
    "mnist-41": ("mnist", "wip_MNIST_X_org_41.npy", "wip_MNIST_X_adv_41.npy", "Table 2.2, digits 1 & 4", "ward"),
    "mnist-23": ("mnist", "wip_MNIST_X_org_23.npy", "wip_MNIST_X_adv_23.npy", "Table 2.2, digits 2 & 3", "ward"),
    "seeds": ("seeds", "kme_X_org.npy", "kme_X_adv.npy", "2.2.6.4, Kama & Rosa", "kmeans"),
    "hand-3-5": ("hand-3-5", "kme_X_org.npy", "kme_X_adv.npy", "2.2.6.5, Point1 & Grab", "kmeans"),
}


@register_dataset(
    "spillover-reference",
    files=tuple(f"spillover-reference/{f}/{o}" for f, o, _, _, _ in REFERENCE_CASES.values()),
    description="Original/adversarial data of the AAAI 2020 spill-over attack; case = "
    + ", ".join(REFERENCE_CASES)
    + ".",
    options={"case": "digits-14", "adversarial": False},
)
def load_spillover_reference(root: Path | None, *, case: str = "digits-14", adversarial: Any = False) -> Dataset:
    check_choice(case, REFERENCE_CASES, "case")
    if isinstance(adversarial, str):
        adversarial = adversarial.strip().lower() in ("1", "true", "yes", "adv", "adversarial")
    folder, org_name, adv_name, section, clusterer = REFERENCE_CASES[case]
    org = np.load(
        require_file(root, f"spillover-reference/{folder}/{org_name}", "spillover-reference"), allow_pickle=False
    ).astype(np.float64)
    adv = np.load(
        require_file(root, f"spillover-reference/{folder}/{adv_name}", "spillover-reference"), allow_pickle=False
    ).astype(np.float64)
    if org.shape != adv.shape:
        raise ValueError(
            f"spillover-reference {case}: original {org.shape} and adversarial {adv.shape} differ in shape."
        )
    perturbed = np.flatnonzero((org != adv).any(axis=1))
    y = None
    if case == "hand-3-5":
        # the upstream comparison script reads lo.csv as the ground-truth labels
        lo = require_file(root, f"spillover-reference/{folder}/lo.csv", "spillover-reference")
        y = np.loadtxt(lo, ndmin=1).astype(np.int64)
    X = adv if adversarial else org
    return Dataset(
        X=X,
        y=y,
        sensitive=None,
        name="spillover-reference",
        description=(
            f"Spill-over reference {case} ({section}; thesis clusterer {clusterer}): "
            f"{'adversarial' if adversarial else 'original'} data {X.shape[0]} x {X.shape[1]}; "
            f"perturbed row(s) {perturbed.tolist()}."
        ),
        extras={
            "case": case,
            "perturbed_index": perturbed,
            "clusterer": clusterer,
            "original": org,
            "adversarial": adv,
        },
    )
