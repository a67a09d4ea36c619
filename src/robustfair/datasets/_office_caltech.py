"""Office-Caltech-10 (SURF bag-of-words) loader: the attack paper's domain-as-group image data.

The thesis attacks fair clustering on Office-31 with the DSLR and Webcam domains as the
protected groups (section 4.1.3.1). Office-31 features are not in the data folder; the
Office-Caltech-10 SURF features of the same DSLR and Webcam images (10 shared classes) are,
and stand in for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ._base import Dataset
from ._preprocessing import finish
from ._registry import register_dataset, require_file

DOMAINS = ("amazon", "caltech", "dslr", "webcam")


def _parse_domains(domains: Any) -> tuple[str, ...]:
    if isinstance(domains, str):
        domains = [d.strip() for d in domains.split(",") if d.strip()]
    try:
        chosen = tuple(str(d) for d in domains)
    except TypeError:
        raise ValueError(f"domains must be a list of {', '.join(DOMAINS)}; got {domains!r}.") from None
    unknown = [d for d in chosen if d not in DOMAINS]
    if len(chosen) < 2 or unknown or len(set(chosen)) != len(chosen):
        raise ValueError(f"domains must name two or more distinct domains of {', '.join(DOMAINS)}; got {domains!r}.")
    return chosen


@register_dataset(
    "office-caltech",
    files=("office-caltech/dslr_SURF_L10.mat", "office-caltech/webcam_SURF_L10.mat"),
    description="Office-Caltech-10 SURF (800-d); default DSLR + Webcam (452 images), sensitive = domain.",
    options={"domains": ("dslr", "webcam"), "n_samples": None, "random_state": 0},
)
def load_office_caltech(
    root: Path | None,
    *,
    domains: Any = ("dslr", "webcam"),
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    from scipy.io import loadmat

    chosen = _parse_domains(domains)
    Xs, ys, ss = [], [], []
    for g, domain in enumerate(chosen):
        path = require_file(root, f"office-caltech/{domain}_SURF_L10.mat", "office-caltech")
        mat = loadmat(path)
        counts = np.asarray(mat["fts"], dtype=np.float64)
        # SURF histograms of different images hold different numbers of words: compare
        # word frequencies (L1 rows), then z-score each feature over the chosen domains.
        counts /= np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
        Xs.append(counts)
        ys.append(np.asarray(mat["labels"]).ravel().astype(np.int64) - 1)
        ss.append(np.full(counts.shape[0], g, dtype=np.int64))
    X = np.vstack(Xs)
    sd = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return finish(
        "office-caltech",
        X,
        np.concatenate(ys),
        np.concatenate(ss),
        feature_names=[f"surf_{j}" for j in range(X.shape[1])],
        group_names=chosen,
        description=(
            f"Office-Caltech-10 SURF bag-of-words, domains {', '.join(chosen)}: word frequencies "
            "(L1-normalized rows) z-scored per feature; y = class 0-9; sensitive = domain."
        ),
        n_samples=n_samples,
        random_state=random_state,
    )
