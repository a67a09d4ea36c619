"""Loaders for the tabular fairness datasets under the data root (never downloaded).

Each reads its file with the stdlib ``csv`` module and numpy, so pandas is not needed.
Feature presets:

* ``preprocessing="numeric"`` keeps the raw numeric columns the papers use (optionally
  z-scored with ``standardize=True``);
* ``preprocessing="onehot"`` (adult, bank, german) follows the influence-based data
  selection paper, Appendix C: every column except the target and the column the sensitive
  attribute comes from, categoricals one-hot encoded, numerics standardized.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_bool, check_choice
from ._base import Dataset
from ._preprocessing import (
    as_float,
    check_preprocessing,
    encode_groups,
    finish,
    numeric_and_onehot,
    one_hot,
    read_table,
    standardize,
)
from ._registry import register_dataset, require_file

_COMMON = {"standardize": False, "n_samples": None, "random_state": 0}

ADULT_COLUMNS = (
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
)
# Antidote paper 4.1 (10000 x 5) and DFDC 5.1 (Census) use these five numeric columns.
ADULT_NUMERIC = ("age", "fnlwgt", "education-num", "capital-gain", "hours-per-week")
# InfDataSel (influence paper, Appendix C) drops fnlwgt and one-hot encodes the rest.
ADULT_ONEHOT_NUMERIC = ("age", "education-num", "capital-gain", "capital-loss", "hours-per-week")
ADULT_CATEGORICAL = (
    "workclass",
    "education",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native-country",
)


def _numeric_block(X: np.ndarray, standardize_: Any) -> np.ndarray:
    return standardize(X) if check_bool(standardize_, "standardize") else X


@register_dataset(
    "adult",
    files=("adult/adult.data",),
    description="UCI Adult (census income); numeric 5 columns or one-hot; sensitive race or sex; y = income > 50K.",
    options={"sensitive": "race", "preprocessing": "numeric", **_COMMON},
)
def load_adult(
    root: Path | None,
    *,
    sensitive: str = "race",
    preprocessing: str = "numeric",
    standardize: bool = False,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    check_choice(sensitive, ("race", "sex"), "sensitive")
    check_preprocessing(preprocessing)
    path = require_file(root, "adult/adult.data", "adult")
    table = read_table(path, header=False, skipinitialspace=True, names=ADULT_COLUMNS)
    if preprocessing == "onehot":
        # '?' marks missing workclass/occupation/native-country: drop those rows (32561 -> 30162).
        keep = ~np.any(np.stack([table[c] == "?" for c in ADULT_COLUMNS]), axis=0)
        table = {k: v[keep] for k, v in table.items()}
        categorical = [c for c in ADULT_CATEGORICAL if c != sensitive]
        X, names = numeric_and_onehot(table, ADULT_ONEHOT_NUMERIC, categorical, path)
        how = (
            "rows with '?' dropped; fnlwgt dropped; age, education-num, capital-gain, capital-loss, "
            f"hours-per-week standardized; other categoricals except {sensitive} one-hot"
        )
    else:
        X = _numeric_block(as_float(table, ADULT_NUMERIC, path), standardize)
        names = list(ADULT_NUMERIC)
        how = f"numeric columns {', '.join(ADULT_NUMERIC)}" + (" (standardized)" if standardize else " (raw)")
    y = np.char.startswith(table["income"], ">50K").astype(np.int64)
    s, groups = encode_groups(table[sensitive])
    return finish(
        "adult",
        X,
        y,
        s,
        feature_names=names,
        group_names=groups,
        description=f"UCI Adult ({path.name}): {how}; sensitive = {sensitive}; y = 1 if income > 50K.",
        n_samples=n_samples,
        random_state=random_state,
    )


BANK_NUMERIC = ("age", "balance", "duration")
BANK_ONEHOT_NUMERIC = ("age", "balance", "day", "duration", "campaign", "pdays", "previous")
BANK_CATEGORICAL = ("job", "education", "default", "housing", "loan", "contact", "month", "poutcome")


@register_dataset(
    "bank",
    files=("bank/bank-full.csv",),
    description="UCI Bank Marketing (bank-full, 45211 rows); age, balance, duration or one-hot; sensitive marital.",
    options={"sensitive": "marital", "preprocessing": "numeric", **_COMMON},
)
def load_bank(
    root: Path | None,
    *,
    sensitive: str = "marital",
    preprocessing: str = "numeric",
    standardize: bool = False,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    check_choice(sensitive, ("marital",), "sensitive")
    check_preprocessing(preprocessing)
    path = require_file(root, "bank/bank-full.csv", "bank")
    table = read_table(path)
    if preprocessing == "onehot":
        # 'unknown' is kept as its own category: dropping it would drop most rows (poutcome).
        X, names = numeric_and_onehot(table, BANK_ONEHOT_NUMERIC, BANK_CATEGORICAL, path)
        how = "numerics standardized, categoricals one-hot ('unknown' kept as a category)"
    else:
        X = _numeric_block(as_float(table, BANK_NUMERIC, path), standardize)
        names = list(BANK_NUMERIC)
        how = "numeric columns age, balance, duration" + (" (standardized)" if standardize else " (raw)")
    y = (table["subscription"] == "yes").astype(np.int64)
    s, groups = encode_groups(table["marital"])
    return finish(
        "bank",
        X,
        y,
        s,
        feature_names=names,
        group_names=groups,
        description=f"UCI Bank Marketing ({path.name}): {how}; sensitive = marital; y = 1 if subscribed.",
        n_samples=n_samples,
        random_state=random_state,
    )


CREDIT_FEATURES = (
    "LIMIT_BAL",
    "SEX",
    "EDUCATION",
    "MARRIAGE",
    "AGE",
    "PAY_0",
    "PAY_2",
    "PAY_3",
    "PAY_4",
    "PAY_5",
    "PAY_6",
    *(f"BILL_AMT{i}" for i in range(1, 7)),
    *(f"PAY_AMT{i}" for i in range(1, 7)),
)


@register_dataset(
    "creditcard",
    files=("creditcard/creditcard.csv",),
    description="UCI Default of Credit Card Clients: 30000 x 23; sensitive education higher/lower, sex or marriage.",
    options={"sensitive": "education", **_COMMON},
)
def load_creditcard(
    root: Path | None,
    *,
    sensitive: str = "education",
    standardize: bool = False,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    check_choice(sensitive, ("education", "sex", "marriage"), "sensitive")
    path = require_file(root, "creditcard/creditcard.csv", "creditcard")
    table = read_table(path)
    X = _numeric_block(as_float(table, CREDIT_FEATURES, path), standardize)
    code = table[{"education": "EDUCATION", "sex": "SEX", "marriage": "MARRIAGE"}[sensitive]].astype(int)
    if sensitive == "education":
        # Antidote 4.1: "higher and lower education". Higher = graduate school (1) or
        # university (2); lower = high school (3), others (4) and the undocumented 0, 5, 6.
        s = np.where(np.isin(code, (1, 2)), 0, 1).astype(np.int64)
        groups: tuple[str, ...] = ("higher", "lower")
    elif sensitive == "sex":
        s, groups = np.where(code == 1, 0, 1).astype(np.int64), ("male", "female")
    else:
        # 1 = married, 2 = single, 3 = others; the undocumented 0 joins "other".
        s = np.select([code == 1, code == 2], [0, 1], default=2).astype(np.int64)
        groups = ("married", "single", "other")
    y = table["default payment next month"].astype(np.int64)
    scaled = " (standardized)" if standardize else " (raw)"
    return finish(
        "creditcard",
        X,
        y,
        s,
        feature_names=CREDIT_FEATURES,
        group_names=groups,
        description=(
            f"UCI credit card default ({path.name}): the 23 columns except ID and the target{scaled}; "
            f"sensitive = {sensitive}; y = default payment next month."
        ),
        n_samples=n_samples,
        random_state=random_state,
    )


GERMAN_COLUMNS = (
    "status",
    "duration",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "present_employment",
    "installment_rate",
    "status_sex",
    "other_debtors",
    "residence_since",
    "property",
    "age",
    "installment_plans",
    "housing",
    "existing_credits",
    "job",
    "people_liable",
    "telephone",
    "foreign_worker",
    "credit",
)
GERMAN_NUMERIC = (
    "duration",
    "credit_amount",
    "installment_rate",
    "residence_since",
    "age",
    "existing_credits",
    "people_liable",
)
GERMAN_CATEGORICAL = tuple(c for c in GERMAN_COLUMNS[:-1] if c not in GERMAN_NUMERIC)


@register_dataset(
    "german",
    files=("german/german.data",),
    description="UCI German Credit (1000 rows); one-hot or numeric; sensitive sex or age >= 25; y = good credit.",
    options={"sensitive": "sex", "preprocessing": "onehot", **_COMMON},
)
def load_german(
    root: Path | None,
    *,
    sensitive: str = "sex",
    preprocessing: str = "onehot",
    standardize: bool = False,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    check_choice(sensitive, ("sex", "age"), "sensitive")
    check_preprocessing(preprocessing)
    path = require_file(root, "german/german.data", "german")
    table = read_table(path, delimiter=" ", header=False, names=GERMAN_COLUMNS, skipinitialspace=True)
    if sensitive == "sex":
        # Attribute 9: A91/A93/A94 male, A92/A95 female.
        s = np.isin(table["status_sex"], ("A91", "A93", "A94")).astype(np.int64)
        groups, source = ("female", "male"), "status_sex"
    else:
        s = (table["age"].astype(float) >= 25).astype(np.int64)
        groups, source = ("age<25", "age>=25"), "age"
    if preprocessing == "onehot":
        numeric = [c for c in GERMAN_NUMERIC if c != source]
        categorical = [c for c in GERMAN_CATEGORICAL if c != source]
        X, names = numeric_and_onehot(table, numeric, categorical, path)
        how = f"numerics standardized, categoricals one-hot, {source} left out"
    else:
        X = _numeric_block(as_float(table, GERMAN_NUMERIC, path), standardize)
        names = list(GERMAN_NUMERIC)
        how = "the 7 numeric attributes" + (" (standardized)" if standardize else " (raw)")
    y = (table["credit"] == "1").astype(np.int64)
    return finish(
        "german",
        X,
        y,
        s,
        feature_names=names,
        group_names=groups,
        description=f"UCI German Credit ({path.name}): {how}; sensitive = {sensitive}; y = 1 good, 0 bad.",
        n_samples=n_samples,
        random_state=random_state,
    )


COMPAS_NUMERIC = ("age", "priors_count", "juv_fel_count", "juv_misd_count", "juv_other_count")


@register_dataset(
    "compas",
    files=("compas/compas-scores-two-years.csv",),
    description="ProPublica COMPAS two-year; sensitive race (African-American vs Caucasian) or sex; y = two_year_recid.",
    options={"sensitive": "race", **_COMMON},
)
def load_compas(
    root: Path | None,
    *,
    sensitive: str = "race",
    standardize: bool = False,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    check_choice(sensitive, ("race", "sex"), "sensitive")
    path = require_file(root, "compas/compas-scores-two-years.csv", "compas")
    table = read_table(path)
    if sensitive == "race":
        # The usual comparison: keep only African-American and Caucasian defendants.
        keep = np.isin(table["race"], ("African-American", "Caucasian"))
        table = {k: v[keep] for k, v in table.items()}
    X = _numeric_block(as_float(table, COMPAS_NUMERIC, path), standardize)
    degree, degree_names = one_hot(table["c_charge_degree"], "c_charge_degree")
    blocks, names = [X, degree], [*COMPAS_NUMERIC, *degree_names]
    if sensitive != "sex":
        blocks.append((table["sex"] == "Male").astype(np.float64)[:, None])
        names.append("sex=Male")
    y = table["two_year_recid"].astype(np.int64)
    if sensitive == "race":
        s, groups = encode_groups(table["race"], ("African-American", "Caucasian"))
    else:
        s, groups = encode_groups(table["sex"], ("Female", "Male"))
    kept = "African-American and Caucasian rows; " if sensitive == "race" else ""
    return finish(
        "compas",
        np.hstack(blocks),
        y,
        s,
        feature_names=names,
        group_names=groups,
        description=(
            f"ProPublica COMPAS ({path.name}): {kept}features age, priors and juvenile counts"
            f"{' (standardized)' if standardize else ''}, charge degree one-hot"
            f"{', sex=Male' if sensitive != 'sex' else ''}; sensitive = {sensitive}; y = two_year_recid."
        ),
        n_samples=n_samples,
        random_state=random_state,
    )


DRUG_FEATURES = (
    "Age",
    "Gender",
    "Education",
    "Country",
    "Ethinicity",
    "Nscore",
    "Escore",
    "Oscore",
    "Ascore",
    "Cscore",
    "Impulsiveness",
    "SensationSeeking",
)
DRUGS = (
    "Alcohol",
    "Amphet",
    "Amyl",
    "Benzos",
    "Caff",
    "Cannabis",
    "Chocolate",
    "Coke",
    "Crack",
    "Ecstacy",
    "Heroin",
    "Ketamine",
    "LegalHigh",
    "LSD",
    "Meth",
    "Mushrooms",
    "Nicotine",
    "Semer",
    "VSA",
)


@register_dataset(
    "drug",
    files=("drug/drug_consumption.data",),
    description="UCI Drug Consumption (1885 x 12 quantified); sensitive ethnicity or gender; y = drug used (CL2+).",
    options={"sensitive": "ethnicity", "target": "Coke", **_COMMON},
)
def load_drug(
    root: Path | None,
    *,
    sensitive: str = "ethnicity",
    target: str = "Coke",
    standardize: bool = False,
    n_samples: int | None = None,
    random_state: Any = 0,
) -> Dataset:
    check_choice(sensitive, ("ethnicity", "gender"), "sensitive")
    check_choice(target, DRUGS, "target")
    path = require_file(root, "drug/drug_consumption.data", "drug")
    table = read_table(path)
    X = _numeric_block(as_float(table, DRUG_FEATURES, path), standardize)
    if sensitive == "ethnicity":
        # UCI quantification: White = -0.31685; every other value is a non-white group.
        white = np.isclose(table["Ethinicity"].astype(float), -0.31685, atol=1e-4)
        s, groups = white.astype(np.int64), ("non-white", "white")
    else:
        # UCI quantification: 0.48246 = female, -0.48246 = male.
        s, groups = (table["Gender"].astype(float) < 0).astype(np.int64), ("female", "male")
    # CL0 never used, CL1 used over a decade ago: "not a user"; CL2..CL6: used in the last decade.
    y = (~np.isin(table[target], ("CL0", "CL1"))).astype(np.int64)
    return finish(
        "drug",
        X,
        y,
        s,
        feature_names=DRUG_FEATURES,
        group_names=groups,
        description=(
            f"UCI Drug Consumption ({path.name}): the 12 quantified columns"
            f"{' (standardized)' if standardize else ''}; sensitive = {sensitive}; "
            f"y = 1 if {target} used in the last decade (not CL0/CL1)."
        ),
        n_samples=n_samples,
        random_state=random_state,
    )
