"""Dataset.from_frame / from_csv / from_parquet: a user's own table in, named groups out."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer

from robustfair.datasets import Dataset, from_file, make_preprocessor


def people(n=120, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 80, n).astype(float),
        "hours": rng.normal(40, 5, n),
        "job": rng.choice(["clerk", "sales", "manager"], n),
        "sex": rng.choice(["F", "M"], n),
        "race": rng.choice(["A", "B"], n),
        "income": rng.choice(["<=50K", ">50K"], n),
    })


def test_from_frame_encodes_with_column_transformer_and_keeps_names():
    df = people()
    data = Dataset.from_frame(df, sensitive="sex", target="income")
    pre = data.extras["preprocessor"]
    assert isinstance(pre, ColumnTransformer)
    assert data.feature_names == ("age", "hours", "job_clerk", "job_manager", "job_sales", "race_A", "race_B")
    np.testing.assert_allclose(pre.transform(df[["age", "hours", "job", "race"]]), data.X)  # reusable on new rows
    np.testing.assert_allclose(data.X[:, :2].mean(axis=0), 0, atol=1e-12)  # numeric standardized
    np.testing.assert_allclose(data.X[:, :2].std(axis=0), 1, atol=1e-12)
    assert set(np.unique(data.X[:, 2:])) == {0.0, 1.0}  # one-hot
    assert data.group_names == ("F", "M")
    np.testing.assert_array_equal(data.groups, df["sex"].to_numpy())
    np.testing.assert_array_equal(data.y, df["income"].to_numpy())
    assert "sex" not in "".join(data.feature_names)  # the protected column is not a feature by default


def test_two_sensitive_columns_give_named_intersections():
    df = people()
    data = Dataset.from_frame(df, sensitive=["sex", "race"])
    expected = ("sex=" + df["sex"] + "|race=" + df["race"]).to_numpy()
    np.testing.assert_array_equal(data.groups, expected)
    assert data.group_names == ("sex=F|race=A", "sex=F|race=B", "sex=M|race=A", "sex=M|race=B")
    assert data.n_groups == 4


def test_comma_separated_sensitive_and_explicit_features():
    data = Dataset.from_frame(people(), sensitive="sex,race", features=["age", "job"])
    assert data.feature_names == ("age", "job_clerk", "job_manager", "job_sales")
    assert data.n_groups == 4


def write_csv_with_missing(tmp_path):
    df = people()
    df.loc[[2, 5], "job"] = None
    df.loc[7, "age"] = np.nan
    path = tmp_path / "people.csv"
    df.to_csv(path, index=False)
    return path


def test_csv_with_strings_and_missing_values_names_the_column(tmp_path):
    path = write_csv_with_missing(tmp_path)
    with pytest.raises(ValueError, match="column 'age' has 1 missing value"):
        Dataset.from_csv(path, sensitive="sex", target="income")
    data = Dataset.from_csv(path, sensitive="sex", target="income", missing="drop")
    assert data.n_samples == 117 and data.extras["n_dropped"] == 3
    assert "3 with missing values dropped" in data.description


def test_na_values_marker_is_missing(tmp_path):
    path = tmp_path / "uci.csv"
    path.write_text("a, job, sex\n1, ?, F\n2, x, M\n3, y, F\n")
    with pytest.raises(ValueError, match="'job'"):
        Dataset.from_csv(path, sensitive="sex", na_values=["?"])
    assert Dataset.from_csv(path, sensitive="sex", na_values=["?"], missing="drop").n_samples == 2


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"sensitive": "gender"}, "column 'gender' does not exist"),
        ({"sensitive": "sex", "target": "salary"}, "target: column 'salary'"),
        ({"sensitive": "sex", "features": ["age", "nope"]}, "features: column 'nope'"),
        ({"sensitive": "sex", "target": "sex"}, "also a protected column"),
        ({"sensitive": "const"}, "sensitive column 'const' has a single value"),
        ({"sensitive": []}, "at least one protected column"),
        ({"sensitive": "sex", "missing": "impute"}, "missing"),
    ],
)
def test_bad_input_is_a_value_error_naming_it(kwargs, needle):
    df = people().assign(const="x")
    with pytest.raises(ValueError, match=needle):
        Dataset.from_frame(df, **kwargs)


def test_empty_and_absent_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty file"):
        Dataset.from_csv(empty, sensitive="sex")
    header_only = tmp_path / "header.csv"
    header_only.write_text("a,sex\n")
    with pytest.raises(ValueError, match="frame is empty"):
        Dataset.from_csv(header_only, sensitive="sex")
    with pytest.raises(ValueError, match="does not exist"):
        Dataset.from_csv(tmp_path / "nope.csv", sensitive="sex")
    with pytest.raises(ValueError, match="DataFrame"):
        Dataset.from_frame(np.zeros((3, 2)), sensitive="a")


def test_parquet_round_trip_matches_csv(tmp_path):
    pytest.importorskip("pyarrow")
    df = people()
    df.to_parquet(tmp_path / "p.parquet")
    df.to_csv(tmp_path / "p.csv", index=False)
    a = from_file(tmp_path / "p.parquet", sensitive=["sex", "race"], target="income")
    b = from_file(tmp_path / "p.csv", sensitive=["sex", "race"], target="income")
    np.testing.assert_allclose(a.X, b.X)
    np.testing.assert_array_equal(a.groups, b.groups)
    assert a.name == "p"


def test_make_preprocessor_treats_booleans_as_categories():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "flag": [True, False, True]})
    pre = make_preprocessor(df, ["x", "flag"]).fit(df)
    assert list(pre.get_feature_names_out()) == ["x", "flag_False", "flag_True"]


def test_to_frame_round_trips_the_encoded_table():
    data = Dataset.from_frame(people(), sensitive=["sex", "race"], target="income")
    frame = data.to_frame()
    assert list(frame.columns) == [*data.feature_names, "target", "group"]
    np.testing.assert_allclose(frame[list(data.feature_names)].to_numpy(), data.X)
    assert frame["group"].iloc[0].startswith("sex=")
