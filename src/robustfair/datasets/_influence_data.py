"""Datasets of the influence-based data selection paper (InfDataSel).

* ``toy-influence`` (generated): 150 train + 100 validation rows from two isotropic 2-D
  Gaussians, group membership correlated with the class (paper Section 4, Figure 1).
* ``toy-influence-infdatasel`` (file): the authors' own toy draw, InfDataSel
  ``data/toy/{train,test}.csv`` (train and validation), the data behind Figure 1's numbers.
* ``raa-german``, ``raa-compas``, ``raa-drug``, ``nraa-german``, ``nraa-compas``,
  ``nraa-drug``: the anchoring-attack sets of Mehrabi et al. as shipped by InfDataSel
  (``infdatasel/{raa,nraa}-attack-*/``), read from the ``.npy`` arrays.
* ``dist-shift-adult``, ``dist-shift-adult-loc``, ``dist-shift-adult-time``: ACS income
  train (California 2014) and time-and-location (Michigan 2018; upstream ``dist_shift_adult``,
  per its ``acs_data_generator.py``), location (Michigan 2014) and time (California 2018)
  shifted test sets.
* ``diabetic-retinopathy``: the active-learning split (pool / init / validation / test).
* ``celeba-attributes``: CelebA's 40 binary attributes; y = Smiling, sensitive = Male.

Datasets with several parts hold all rows; ``extras["split"]`` names each row's part
(``"train"``, ``"validation"``, ``"test"``, ...). :func:`split_parts` returns them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_bool, check_choice, check_random_state
from ._base import Dataset
from ._preprocessing import one_hot, read_table
from ._registry import register_dataset, require_file

__all__ = ["split_parts"]


def split_parts(data: Dataset) -> dict[str, Dataset]:
    """``{part name: Dataset}`` for a dataset whose ``extras["split"]`` labels its rows."""
    split = data.extras.get("split")
    if split is None:
        raise ValueError(f"dataset {data.name!r} has no train/validation/test split (extras['split']).")
    return {part: data.subset(np.flatnonzero(split == part)) for part in dict.fromkeys(split.tolist())}


def _with_split(data: Dataset, split: np.ndarray) -> Dataset:
    data.extras["split"] = np.asarray(split)
    return data


@register_dataset(
    "toy-influence",
    description="Influence paper toy data: two 2-D Gaussians, 150 train + 100 validation, group tied to class.",
    options={"n_train": 150, "n_validation": 100, "random_state": 0},
)
def load_toy_influence(
    root: Any = None, *, n_train: int = 150, n_validation: int = 100, random_state: Any = 0
) -> Dataset:
    # Section 4: "150 train and 100 validation samples using two isotropic 2D-Gaussian
    # distributions". Means, spread and group mix follow InfDataSel's toy/train.csv:
    # class 1 around (1, 2), class 0 around (3, -3), std ~1.4; the majority group makes up
    # ~87% of class 1 and ~12% of class 0, so the classifier is unfair by construction.
    rng = check_random_state(random_state)
    n = int(n_train) + int(n_validation)
    if int(n_train) < 4 or int(n_validation) < 4:
        raise ValueError("n_train and n_validation must each be at least 4.")
    y = rng.permutation(np.arange(n) % 2)
    means = np.where(y[:, None] == 1, [1.0, 2.0], [3.0, -3.0])
    X = means + np.sqrt(2.0) * rng.normal(size=(n, 2))
    s = (rng.uniform(size=n) < np.where(y == 1, 0.87, 0.12)).astype(np.int64)
    split = np.array(["train"] * int(n_train) + ["validation"] * int(n_validation))
    data = Dataset(
        X=X,
        y=y.astype(np.int64),
        sensitive=s,
        name="toy-influence",
        feature_names=("x1", "x2"),
        group_names=("minority", "majority"),
        description=(
            "Two isotropic 2-D Gaussians (class 1 at (1, 2), class 0 at (3, -3), std sqrt(2)); "
            "group 1 is 87% of class 1 and 12% of class 0; extras['split'] = train/validation."
        ),
    )
    return _with_split(data, split)


@register_dataset(
    "toy-influence-infdatasel",
    files=("infdatasel/toy/train.csv", "infdatasel/toy/test.csv"),
    description="The influence paper's own toy draw (InfDataSel toy/): 150 train + 100 validation rows.",
)
def load_toy_influence_infdatasel(root: Path | None) -> Dataset:
    # InfDataSel data/toy: FEATURE1, FEATURE2, SEX (Male/Female), TARGET (Y/N), no header.
    # Upstream trains on train.csv and uses test.csv as the validation set (dataset.py,
    # name == "Toy"); SEX is the group, not a feature.
    columns = ("FEATURE1", "FEATURE2", "SEX", "TARGET")
    tables = [
        read_table(
            require_file(root, f"infdatasel/toy/{part}.csv", "toy-influence-infdatasel"), header=False, names=columns
        )
        for part in ("train", "test")
    ]
    table = {c: np.concatenate([t[c] for t in tables]) for c in columns}
    n_train = tables[0]["FEATURE1"].shape[0]
    split = np.array(["train"] * n_train + ["validation"] * (table["FEATURE1"].shape[0] - n_train))
    data = Dataset(
        X=np.column_stack([table["FEATURE1"].astype(np.float64), table["FEATURE2"].astype(np.float64)]),
        y=(table["TARGET"] == "Y").astype(np.int64),
        sensitive=(table["SEX"] == "Male").astype(np.int64),
        name="toy-influence-infdatasel",
        feature_names=("x1", "x2"),
        group_names=("Female", "Male"),
        description="InfDataSel toy/train.csv (train) and toy/test.csv (validation); sensitive = SEX; y = TARGET.",
    )
    return _with_split(data, split)


def _attack_loader(kind: str, name: str):
    folder = f"infdatasel/{kind}-attack-{name}"
    arrays = f"{folder}/{kind}-attack-data"

    @register_dataset(
        f"{kind}-{name}",
        files=(f"{arrays}/X_train_adv.npy",),
        description=(
            f"{kind.upper()} anchoring-attack set ({name}, InfDataSel): clean or poisoned train "
            "+ test; sensitive = advantage (1 = advantaged)."
        ),
        options={"train": "poisoned", "include_sensitive": True, "standardize": True},
    )
    def loader(
        root: Path | None, *, train: str = "poisoned", include_sensitive: bool = True, standardize: bool = True
    ) -> Dataset:
        check_choice(train, ("poisoned", "clean"), "train")
        suffix = "adv" if train == "poisoned" else "clean"
        load = {}
        for part in (f"X_train_{suffix}", f"y_train_{suffix}", f"s_train_{suffix}", "X_test", "y_test", "s_test"):
            path = require_file(root, f"{arrays}/{part}.npy", f"{kind}-{name}")
            load[part] = np.load(path, allow_pickle=False)
        # The s arrays are used, never the CSV 'advantage' column: in the RAA
        # train_poisoned.csv files that column is inverted (data README, known upstream bug).
        X = np.vstack([load[f"X_train_{suffix}"], load["X_test"]]).astype(np.float64)
        y = np.concatenate([load[f"y_train_{suffix}"], load["y_test"]]).astype(np.int64)
        s = np.concatenate([load[f"s_train_{suffix}"], load["s_test"]]).astype(np.int64)
        n_train = load[f"X_train_{suffix}"].shape[0]
        names = [str(j + 1) for j in range(X.shape[1])]
        if check_bool(include_sensitive, "include_sensitive"):
            # InfDataSel keeps the group column among the features ("sensitive feature is
            # not excluded from data").
            X = np.column_stack([X, s.astype(np.float64)])
            names.append("advantage")
        if check_bool(standardize, "standardize"):
            # Train statistics only, as upstream's StandardScaler.
            mean, scale = X[:n_train].mean(axis=0), X[:n_train].std(axis=0)
            scale[scale == 0] = 1.0
            X = (X - mean) / scale
        split = np.array(["train"] * n_train + ["test"] * (X.shape[0] - n_train))
        data = Dataset(
            X=X,
            y=y,
            sensitive=s,
            name=f"{kind}-{name}",
            feature_names=tuple(names),
            group_names=("disadvantaged", "advantaged"),
            description=(
                f"InfDataSel {kind.upper()} attack data for {name}: {train} training set "
                f"({n_train} rows) + test set; X from the .npy arrays"
                f"{', advantage appended' if include_sensitive else ''}"
                f"{', standardized with train statistics' if standardize else ''}."
            ),
        )
        return _with_split(data, split)

    loader.__name__ = loader.__qualname__ = f"load_{kind}_{name}"
    return loader


for _kind in ("raa", "nraa"):
    for _name in ("german", "compas", "drug"):
        _attack_loader(_kind, _name)

ACS_COLUMNS = ("AGEP", "COW", "SCHL", "MAR", "OCCP", "POBP", "RELP", "WKHP", "SEX", "RAC1P", "PINCP")
ACS_NUMERIC = ("AGEP", "WKHP")
ACS_CATEGORICAL = ("COW", "SCHL", "MAR", "OCCP", "POBP", "RELP", "RAC1P")


def _dist_shift_loader(folder: str, what: str):
    @register_dataset(
        folder,
        files=(f"infdatasel/{folder}/train.csv", f"infdatasel/{folder}/test.csv"),
        description=f"ACS income (InfDataSel): California 2014 train (18000) + {what} test (12000); sensitive = SEX.",
        options={"random_state": 0},
    )
    def loader(root: Path | None, *, random_state: Any = 0) -> Dataset:
        tables = [
            read_table(require_file(root, f"infdatasel/{folder}/{part}.csv", folder), header=False, names=ACS_COLUMNS)
            for part in ("train", "test")
        ]
        n_train = tables[0]["AGEP"].shape[0]
        table = {c: np.concatenate([t[c] for t in tables]) for c in ACS_COLUMNS}
        numeric = np.column_stack([table[c].astype(np.float64) for c in ACS_NUMERIC])
        mean, scale = numeric[:n_train].mean(axis=0), numeric[:n_train].std(axis=0)
        blocks, names = [(numeric - mean) / np.where(scale == 0, 1.0, scale)], list(ACS_NUMERIC)
        for col in ACS_CATEGORICAL:
            matrix, col_names = one_hot(table[col], col)
            blocks.append(matrix)
            names += col_names
        y = (table["PINCP"] == "Y").astype(np.int64)
        s = (table["SEX"] == "Male").astype(np.int64)
        # The paper splits the 12000 test rows in half: validation (known to the defender) and test.
        rng = check_random_state(random_state)
        n_test = table["AGEP"].shape[0] - n_train
        test_part = np.where(rng.permutation(n_test) < n_test // 2, "validation", "test")
        split = np.concatenate([np.full(n_train, "train"), test_part])
        data = Dataset(
            X=np.hstack(blocks),
            y=y,
            sensitive=s,
            name=folder,
            feature_names=tuple(names),
            group_names=("Female", "Male"),
            description=(
                f"ACS income, InfDataSel {folder}: AGEP, WKHP standardized (train statistics), "
                f"{', '.join(ACS_CATEGORICAL)} one-hot; SEX is the sensitive attribute (not a "
                f"feature); y = PINCP. Test ({what}) split half validation, half test."
            ),
        )
        return _with_split(data, split)

    loader.__name__ = loader.__qualname__ = "load_" + folder.replace("-", "_")
    return loader


for _folder, _what in (
    ("dist-shift-adult", "time-and-location-shifted (Michigan 2018)"),
    ("dist-shift-adult-loc", "location-shifted (Michigan 2014)"),
    ("dist-shift-adult-time", "time-shifted (California 2018)"),
):
    _dist_shift_loader(_folder, _what)


@register_dataset(
    "diabetic-retinopathy",
    files=("infdatasel/al-data/diabetic_retinopathy.npz",),
    description="Diabetic Retinopathy Debrecen, InfDataSel active-learning split (pool, init, validation, test).",
)
def load_diabetic_retinopathy(root: Path | None) -> Dataset:
    path = require_file(root, "infdatasel/al-data/diabetic_retinopathy.npz", "diabetic-retinopathy")
    with np.load(path, allow_pickle=False) as npz:
        parts = [
            ("pool", "X_pool", "y_pool"),
            ("init", "X_init", "y_init"),
            ("validation", "X_val", "y_val"),
            ("test", "X_test", "y_test"),
        ]
        X = np.vstack([npz[x] for _, x, _ in parts]).astype(np.float64)
        y = np.concatenate([npz[t] for _, _, t in parts]).astype(np.int64)
        split = np.concatenate([np.full(npz[x].shape[0], part) for part, x, _ in parts])
    data = Dataset(
        X=X,
        y=y,
        sensitive=None,
        name="diabetic-retinopathy",
        feature_names=tuple(f"f{j}" for j in range(X.shape[1])),
        description=(
            "UCI Diabetic Retinopathy Debrecen (Messidor features), InfDataSel active-learning "
            "split; extras['split'] = pool / init / validation / test; y = signs of DR."
        ),
    )
    return _with_split(data, split)


@register_dataset(
    "celeba-attributes",
    files=("celeba-attributes/list_attr_celeba.txt.gz",),
    description="CelebA attribute annotations: 38 binary attributes -> Smiling; sensitive = Male.",
    options={"n_samples": None, "random_state": 0},
)
def load_celeba_attributes(root: Path | None, *, n_samples: int | None = None, random_state: Any = 0) -> Dataset:
    path = require_file(root, "celeba-attributes/list_attr_celeba.txt.gz", "celeba-attributes")
    import gzip

    with gzip.open(path, "rt") as handle:
        header = handle.readline().split()
        values = np.loadtxt(handle, usecols=range(1, len(header) + 1), dtype=np.int8)
    if values.shape[1] != len(header):
        raise ValueError(f"{path}: expected {len(header)} attribute columns, got {values.shape[1]}.")
    col = {name: j for j, name in enumerate(header)}
    features = [h for h in header if h not in ("Smiling", "Male")]
    X = (values[:, [col[h] for h in features]] > 0).astype(np.float64)
    y = (values[:, col["Smiling"]] > 0).astype(np.int64)
    s = (values[:, col["Male"]] > 0).astype(np.int64)
    if n_samples is not None:
        rng = check_random_state(random_state)
        keep = np.sort(rng.choice(X.shape[0], size=int(n_samples), replace=False))
        X, y, s = X[keep], y[keep], s[keep]
    return Dataset(
        X=X,
        y=y,
        sensitive=s,
        name="celeba-attributes",
        feature_names=tuple(features),
        group_names=("female", "male"),
        description=(
            "CelebA attribute annotations (list_attr_celeba): the 38 attributes other than Smiling "
            "and Male as 0/1 features; y = Smiling; sensitive = Male. A stand-in for the paper's "
            "extracted CelebA features."
        ),
    )
