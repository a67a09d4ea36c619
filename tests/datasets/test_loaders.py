"""Tabular file loaders, each on a tiny fake file in the real file's exact format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from robustfair.datasets import load_dataset


def _write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- adult: ", "-separated, no header, '?' for missing, ends with a blank line --------------
ADULT_ROWS = [
    "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K",
    "50, Self-emp-not-inc, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, White, Male, 0, 0, 13, United-States, <=50K",
    "38, Private, 215646, HS-grad, 9, Divorced, Handlers-cleaners, Not-in-family, Black, Female, 0, 0, 40, United-States, <=50K",
    "52, ?, 209642, HS-grad, 9, Married-civ-spouse, ?, Husband, White, Male, 0, 0, 45, United-States, >50K",
    "31, Private, 45781, Masters, 14, Never-married, Prof-specialty, Not-in-family, Asian-Pac-Islander, Female, 14084, 0, 50, ?, >50K",
    "42, Private, 159449, Bachelors, 13, Married-civ-spouse, Exec-managerial, Wife, Black, Female, 5178, 0, 40, Cuba, >50K",
]


@pytest.fixture
def adult_root(tmp_path):
    _write(tmp_path, "adult/adult.data", "\n".join(ADULT_ROWS) + "\n\n")
    return tmp_path


def test_adult_numeric_default_is_five_columns_with_race_groups(adult_root):
    data = load_dataset("adult", data_dir=adult_root)
    assert data.X.shape == (6, 5)
    assert data.feature_names == ("age", "fnlwgt", "education-num", "capital-gain", "hours-per-week")
    np.testing.assert_array_equal(data.X[0], [39, 77516, 13, 2174, 40])
    assert data.y.tolist() == [0, 0, 0, 1, 1, 1]
    assert data.group_names == ("Asian-Pac-Islander", "Black", "White")
    assert data.sensitive.tolist() == [2, 2, 1, 2, 0, 1]


def test_adult_sex_groups_and_standardize(adult_root):
    data = load_dataset("adult", data_dir=adult_root, sensitive="sex", standardize=True)
    assert data.group_names == ("Female", "Male") and data.sensitive.tolist() == [1, 1, 0, 1, 0, 0]
    np.testing.assert_allclose(data.X.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X.std(0), 1)


def test_adult_onehot_drops_missing_rows_fnlwgt_and_sensitive_column(adult_root):
    data = load_dataset("adult", data_dir=adult_root, preprocessing="onehot", sensitive="sex")
    assert data.n_samples == 4  # the two rows with '?' are dropped
    names = data.feature_names
    assert "fnlwgt" not in names and not any(n.startswith("sex=") for n in names)
    assert "race=Black" in names and "native-country=Cuba" in names and "capital-loss" in names
    onehot = data.X[:, [i for i, n in enumerate(names) if n.startswith("workclass=")]]
    np.testing.assert_array_equal(onehot.sum(1), 1)
    np.testing.assert_allclose(data.X[:, names.index("age")].mean(), 0, atol=1e-12)
    assert data.y.tolist() == [0, 0, 0, 1]


def test_adult_subsample_is_deterministic(adult_root):
    a = load_dataset("adult", data_dir=adult_root, n_samples=3, random_state=1)
    b = load_dataset("adult", data_dir=adult_root, n_samples=3, random_state=1)
    assert a.n_samples == 3
    np.testing.assert_array_equal(a.X, b.X)
    with pytest.raises(ValueError, match="n_samples"):
        load_dataset("adult", data_dir=adult_root, n_samples=100)
    with pytest.raises(ValueError, match="n_samples"):
        load_dataset("adult", data_dir=adult_root, n_samples=0)


# --- bank-full.csv: comma-separated, header, target 'subscription' ---------------------------
BANK = """age,job,marital,education,default,balance,housing,loan,contact,day,month,duration,campaign,pdays,previous,poutcome,subscription
58,management,married,tertiary,no,2143,yes,no,unknown,5,may,261,1,-1,0,unknown,no
44,technician,single,secondary,no,29,yes,no,unknown,5,may,151,1,-1,0,unknown,no
33,entrepreneur,married,secondary,no,2,yes,yes,unknown,5,may,76,1,-1,0,unknown,yes
47,blue-collar,divorced,unknown,no,1506,yes,no,cellular,5,may,92,1,-1,0,failure,no
"""


def test_bank_numeric_three_columns_marital_groups(tmp_path):
    _write(tmp_path, "bank/bank-full.csv", BANK)
    data = load_dataset("bank", data_dir=tmp_path)
    assert data.feature_names == ("age", "balance", "duration")
    np.testing.assert_array_equal(data.X[0], [58, 2143, 261])
    assert data.group_names == ("divorced", "married", "single")
    assert data.sensitive.tolist() == [1, 2, 1, 0]
    assert data.y.tolist() == [0, 0, 1, 0]


def test_bank_onehot_keeps_unknown_as_category(tmp_path):
    _write(tmp_path, "bank/bank-full.csv", BANK)
    data = load_dataset("bank", data_dir=tmp_path, preprocessing="onehot")
    assert data.n_samples == 4
    assert "education=unknown" in data.feature_names and "poutcome=failure" in data.feature_names
    assert not any(n.startswith("marital") for n in data.feature_names)
    assert data.n_features == 7 + 4 + 3 + 1 + 1 + 2 + 2 + 1 + 2


# --- creditcard.csv: comma-separated, header, integers ----------------------------------------
CREDIT_HEADER = (
    "ID,LIMIT_BAL,SEX,EDUCATION,MARRIAGE,AGE,PAY_0,PAY_2,PAY_3,PAY_4,PAY_5,PAY_6,BILL_AMT1,BILL_AMT2,"
    "BILL_AMT3,BILL_AMT4,BILL_AMT5,BILL_AMT6,PAY_AMT1,PAY_AMT2,PAY_AMT3,PAY_AMT4,PAY_AMT5,PAY_AMT6,"
    "default payment next month"
)


def _credit_row(i, sex, education, marriage, target):
    return ",".join(map(str, [i, 20000 * i, sex, education, marriage, 24 + i, *range(6), *range(12), target]))


def test_creditcard_education_binarized_higher_lower(tmp_path):
    rows = [_credit_row(1, 2, 1, 1, 1), _credit_row(2, 1, 2, 2, 0), _credit_row(3, 2, 3, 3, 0),
            _credit_row(4, 1, 5, 0, 1), _credit_row(5, 1, 0, 2, 0)]
    _write(tmp_path, "creditcard/creditcard.csv", CREDIT_HEADER + "\n" + "\n".join(rows) + "\n")
    data = load_dataset("creditcard", data_dir=tmp_path)
    assert data.X.shape == (5, 23) and "ID" not in data.feature_names
    assert data.feature_names[0] == "LIMIT_BAL" and data.X[1, 0] == 40000
    assert data.group_names == ("higher", "lower") and data.sensitive.tolist() == [0, 0, 1, 1, 1]
    assert data.y.tolist() == [1, 0, 0, 1, 0]
    sex = load_dataset("creditcard", data_dir=tmp_path, sensitive="sex")
    assert sex.group_names == ("male", "female") and sex.sensitive.tolist() == [1, 0, 1, 0, 0]
    marriage = load_dataset("creditcard", data_dir=tmp_path, sensitive="marriage")
    assert marriage.sensitive.tolist() == [0, 1, 2, 2, 1]


# --- german.data: single spaces, no header, label 1 good / 2 bad ------------------------------
GERMAN = """A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 1
A12 48 A32 A43 5951 A61 A73 2 A92 A101 2 A121 22 A143 A152 1 A173 1 A191 A201 2
A14 12 A34 A46 2096 A61 A74 2 A93 A101 3 A121 49 A143 A152 1 A172 2 A191 A201 1
A11 42 A32 A42 7882 A61 A74 2 A95 A103 4 A122 45 A143 A153 1 A173 2 A191 A201 1
"""


def test_german_onehot_default_sex_groups(tmp_path):
    _write(tmp_path, "german/german.data", GERMAN)
    data = load_dataset("german", data_dir=tmp_path)
    assert data.group_names == ("female", "male") and data.sensitive.tolist() == [1, 0, 1, 0]
    assert data.y.tolist() == [1, 0, 1, 1]
    assert not any(n.startswith("status_sex") for n in data.feature_names)
    assert "purpose=A46" in data.feature_names and "age" in data.feature_names
    np.testing.assert_allclose(data.X[:, data.feature_names.index("duration")].mean(), 0, atol=1e-12)


def test_german_numeric_and_age_groups(tmp_path):
    _write(tmp_path, "german/german.data", GERMAN)
    data = load_dataset("german", data_dir=tmp_path, preprocessing="numeric", sensitive="age")
    assert data.X.shape == (4, 7)
    np.testing.assert_array_equal(data.X[0], [6, 1169, 4, 4, 67, 2, 1])
    assert data.group_names == ("age<25", "age>=25") and data.sensitive.tolist() == [1, 0, 1, 1]
    onehot = load_dataset("german", data_dir=tmp_path, sensitive="age")
    assert "age" not in onehot.feature_names and "status_sex=A92" in onehot.feature_names


# --- compas: header with duplicated decile_score / priors_count, empty fields -----------------
COMPAS_HEADER = (
    "id,name,first,last,compas_screening_date,sex,dob,age,age_cat,race,juv_fel_count,decile_score,"
    "juv_misd_count,juv_other_count,priors_count,days_b_screening_arrest,c_jail_in,c_jail_out,c_case_number,"
    "c_offense_date,c_arrest_date,c_days_from_compas,c_charge_degree,c_charge_desc,is_recid,r_case_number,"
    "r_charge_degree,r_days_from_arrest,r_offense_date,r_charge_desc,r_jail_in,r_jail_out,violent_recid,"
    "is_violent_recid,vr_case_number,vr_charge_degree,vr_offense_date,vr_charge_desc,type_of_assessment,"
    "decile_score,score_text,screening_date,v_type_of_assessment,v_decile_score,v_score_text,v_screening_date,"
    "in_custody,out_custody,priors_count,start,end,event,two_year_recid"
)


def _compas_row(i, sex, age, race, juv, priors, degree, recid):
    row = [""] * 53
    row[0], row[1], row[5], row[7], row[9] = str(i), "a b", sex, str(age), race
    row[10], row[12], row[13], row[14] = str(juv), "0", "1", str(priors)
    row[22], row[23], row[48], row[52] = degree, '"Battery, Simple"', "99", str(recid)
    return ",".join(row)


def test_compas_race_filter_features_and_sex_option(tmp_path):
    rows = [_compas_row(1, "Male", 69, "Other", 0, 0, "F", 0),
            _compas_row(2, "Male", 34, "African-American", 0, 0, "F", 1),
            _compas_row(3, "Female", 24, "African-American", 1, 4, "M", 1),
            _compas_row(4, "Male", 41, "Caucasian", 0, 14, "F", 0)]
    _write(tmp_path, "compas/compas-scores-two-years.csv", COMPAS_HEADER + "\n" + "\n".join(rows) + "\n")
    data = load_dataset("compas", data_dir=tmp_path)
    assert data.n_samples == 3  # "Other" dropped
    assert data.group_names == ("African-American", "Caucasian") and data.sensitive.tolist() == [0, 0, 1]
    assert data.feature_names == (
        "age", "priors_count", "juv_fel_count", "juv_misd_count", "juv_other_count",
        "c_charge_degree=F", "c_charge_degree=M", "sex=Male",
    )
    # priors_count is read from its first column, not the duplicate (99).
    np.testing.assert_array_equal(data.X[1], [24, 4, 1, 0, 1, 0, 1, 0])
    assert data.y.tolist() == [1, 1, 0]
    by_sex = load_dataset("compas", data_dir=tmp_path, sensitive="sex")
    assert by_sex.n_samples == 4 and "sex=Male" not in by_sex.feature_names
    assert by_sex.group_names == ("Female", "Male") and by_sex.sensitive.tolist() == [1, 1, 0, 1]


# --- drug_consumption.data: header row, quantified reals, CL0-CL6 -----------------------------
DRUG_HEADER = (
    "ID,Age,Gender,Education,Country,Ethinicity,Nscore,Escore,Oscore,Ascore,Cscore,Impulsiveness,"
    "SensationSeeking,Alcohol,Amphet,Amyl,Benzos,Caff,Cannabis,Chocolate,Coke,Crack,Ecstacy,Heroin,Ketamine,"
    "LegalHigh,LSD,Meth,Mushrooms,Nicotine,Semer,VSA"
)
DRUG_ROWS = [
    "1,0.49788,0.48246,-0.05921,0.96082,0.12600,0.31287,-0.57545,-0.58331,-0.91699,-0.00665,-0.21712,-1.18084,"
    "CL5,CL2,CL0,CL2,CL6,CL0,CL5,CL0,CL0,CL0,CL0,CL0,CL0,CL0,CL0,CL0,CL2,CL0,CL0",
    "2,-0.07854,-0.48246,1.98437,0.96082,-0.31685,-0.67825,1.93886,1.43533,0.76096,-0.14277,-0.71126,-0.21575,"
    "CL5,CL2,CL2,CL0,CL6,CL4,CL6,CL3,CL0,CL4,CL0,CL2,CL0,CL2,CL3,CL0,CL4,CL0,CL0",
    "3,0.49788,-0.48246,-0.05921,0.96082,-0.31685,-0.46725,0.80523,-0.84732,-1.62090,-1.01450,-1.37983,0.40148,"
    "CL6,CL0,CL0,CL0,CL6,CL3,CL4,CL1,CL0,CL0,CL0,CL0,CL0,CL0,CL0,CL1,CL0,CL0,CL0",
]


def test_drug_groups_target_and_features(tmp_path):
    _write(tmp_path, "drug/drug_consumption.data", DRUG_HEADER + "\n" + "\n".join(DRUG_ROWS) + "\n")
    data = load_dataset("drug", data_dir=tmp_path)
    assert data.X.shape == (3, 12) and data.feature_names[0] == "Age"
    assert data.group_names == ("non-white", "white") and data.sensitive.tolist() == [0, 1, 1]
    assert data.y.tolist() == [0, 1, 0]  # Coke: CL0, CL3, CL1
    gender = load_dataset("drug", data_dir=tmp_path, sensitive="gender", target="Cannabis")
    assert gender.group_names == ("female", "male") and gender.sensitive.tolist() == [0, 1, 1]
    assert gender.y.tolist() == [0, 1, 1]
    with pytest.raises(ValueError, match="target"):
        load_dataset("drug", data_dir=tmp_path, target="Tea")


def test_malformed_row_names_the_file(tmp_path):
    _write(tmp_path, "bank/bank-full.csv", BANK + "1,2,3\n")
    with pytest.raises(ValueError, match="bank-full.csv"):
        load_dataset("bank", data_dir=tmp_path)
