"""Estimators take DataFrames (feature_names_in_) and sensitive_features as Series, DataFrames or strings."""

import numpy as np
import pandas as pd
import pytest

from robustfair.cluster import FairLloyd, make_clusterer
from robustfair.influence import InfluenceLogisticRegression


def frame(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"age": rng.normal(size=n), "hours": rng.normal(size=n)})
    sf = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "race": rng.choice(["A", "B"], n)})
    return X, sf


@pytest.mark.parametrize("name", ["kfc", "bera", "fair-lloyd", "fsc"])
def test_dataframe_in_sets_feature_names_and_intersections_are_groups(name):
    X, sf = frame()
    model = make_clusterer(name, 3, random_state=0).fit(X, sensitive_features=sf)
    assert list(model.feature_names_in_) == ["age", "hours"]
    assert model.n_features_in_ == 2
    # the same fit with the intersection spelled out by hand
    groups = ("sex=" + sf["sex"] + "|race=" + sf["race"]).to_numpy()
    again = make_clusterer(name, 3, random_state=0).fit(X.to_numpy(), sensitive_features=groups)
    np.testing.assert_array_equal(model.labels_, again.labels_)
    assert not hasattr(again, "feature_names_in_")


def test_series_and_string_groups_are_accepted():
    X, sf = frame()
    a = make_clusterer("sfd", 2, random_state=0, p=1, q=3).fit(X, sensitive_features=sf["sex"]).labels_
    b = make_clusterer("sfd", 2, random_state=0, p=1, q=3).fit(X, sensitive_features=list(sf["sex"])).labels_
    np.testing.assert_array_equal(a, b)


def test_predict_checks_column_names_as_scikit_learn_does():
    X, sf = frame()
    model = FairLloyd(n_clusters=2, random_state=0).fit(X, sensitive_features=sf["sex"])
    model.predict(X)  # same names: fine
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X.rename(columns={"age": "AGE"}))
    with pytest.warns(UserWarning, match="feature names"):
        model.predict(X.to_numpy())


def test_missing_group_in_a_dataframe_names_the_column():
    X, sf = frame()
    sf.loc[3, "race"] = None
    with pytest.raises(ValueError, match="'race'"):
        make_clusterer("kfc", 2, random_state=0).fit(X, sensitive_features=sf)


def test_influence_model_keeps_feature_names():
    X, _ = frame()
    y = (X["age"] > 0).astype(int)
    model = InfluenceLogisticRegression(l2=0.1).fit(X, y)
    assert list(model.feature_names_in_) == ["age", "hours"]
    with pytest.raises(ValueError, match="unseen at fit time"):
        model.predict(pd.DataFrame(np.zeros((2, 2)), columns=["age", "extra"]))
    with pytest.raises(ValueError, match="3 features"):
        model.predict(np.zeros((2, 3)))


def test_table_results_have_to_frame():
    from robustfair.attacks import RandomFairnessAttack
    from robustfair.metrics import group_breakdown

    X, sf = frame(n=60)
    labels = np.arange(60) % 3
    breakdown = group_breakdown(labels, sensitive_features=sf["sex"]).to_frame()
    assert list(breakdown.columns) == ["F", "M", "size", "balance"]
    assert breakdown["size"].sum() == 60 and breakdown.index.name == "cluster"
    np.testing.assert_allclose(breakdown["balance"].min(), group_breakdown(labels, sensitive_features=sf["sex"]).balance)
    res = RandomFairnessAttack(make_clusterer("kfc", 2, random_state=0), attacker_fraction=0.3,
                               random_state=0).attack(X.to_numpy(), sensitive_features=sf["sex"])
    table = res.to_frame()
    assert {"balance", "fairness_entropy"} <= set(table.index)
    np.testing.assert_allclose(table.loc["balance", "change"],
                               res.metrics_after["balance"] - res.metrics_before["balance"])


def test_mlp_influence_keeps_feature_names():
    pytest.importorskip("torch")
    from robustfair.influence import MLPInfluence

    X, _ = frame()
    y = (X["age"] > 0).astype(int)
    model = MLPInfluence(hidden=(4,), epochs=5, random_state=0).fit(X, y)
    assert list(model.feature_names_in_) == ["age", "hours"]
    with pytest.raises(ValueError, match="unseen at fit time"):
        model.predict(X.rename(columns={"hours": "HOURS"}))


@pytest.mark.parametrize("name", ["kmedian", "kcenter", "sfd"])
def test_vanilla_and_fairlet_estimators_keep_feature_names(name):
    X, sf = frame()
    params = {"p": 1, "q": 3} if name == "sfd" else {}
    model = make_clusterer(name, 2, random_state=0, **params)
    model.fit(X, sensitive_features=sf["sex"]) if name == "sfd" else model.fit(X)
    assert list(model.feature_names_in_) == ["age", "hours"]
    with pytest.raises(ValueError, match="feature names"):
        model.predict(X.rename(columns={"age": "AGE"}))
