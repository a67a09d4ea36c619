"""Grouped reports: Fairlearn's numbers for classifiers, ours for clusterings, both checked."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import normalized_mutual_info_score

from robustfair.metrics import (
    balance,
    classification_by_group,
    clustering_accuracy,
    clustering_by_group,
    fairness_entropy,
    normalized_mutual_info,
    social_fairness_cost,
)
from robustfair.metrics._grouped import _table_nmi


def classifier_case(n=600, seed=0):
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], n)
    race = rng.choice(["A", "B", "W"], n)
    X = rng.normal(size=(n, 3)) + (sex == "M")[:, None] * 0.8
    y = (X[:, 0] + rng.normal(size=n) > 0.4).astype(int)
    pred = LogisticRegression().fit(X, y).predict(X)
    return y, pred, pd.DataFrame({"sex": sex, "race": race})


def test_classification_matches_fairlearn_metricframe_to_1e12():
    from fairlearn.metrics import MetricFrame, count, false_positive_rate, selection_rate, true_positive_rate
    from sklearn.metrics import accuracy_score

    y, pred, sf = classifier_case()
    ours = classification_by_group(y, pred, sensitive_features=sf, n_boot=40, random_state=3)
    groups = ("sex=" + sf["sex"] + "|race=" + sf["race"]).rename("group")
    ref = MetricFrame(metrics={"count": count, "accuracy": accuracy_score, "selection_rate": selection_rate,
                               "true_positive_rate": true_positive_rate, "false_positive_rate": false_positive_rate},
                      y_true=y, y_pred=pred, sensitive_features=groups, n_boot=40, ci_quantiles=[0.025, 0.975],
                      random_state=3)
    assert list(ours.by_group.index) == sorted(groups.unique())
    np.testing.assert_allclose(ours.by_group.to_numpy(), ref.by_group.to_numpy(dtype=float), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.overall.to_numpy(), ref.overall.to_numpy(dtype=float), atol=1e-12)
    for method in ("between_groups", "to_overall"):
        np.testing.assert_allclose(ours.difference(method).to_numpy(), ref.difference(method=method).to_numpy(dtype=float),
                                   atol=1e-12)
        np.testing.assert_allclose(ours.ratio(method).to_numpy(), ref.ratio(method=method).to_numpy(dtype=float),
                                   atol=1e-12)
    np.testing.assert_allclose(ours.group_min().to_numpy(), ref.group_min().to_numpy(dtype=float), atol=1e-12)
    np.testing.assert_allclose(ours.group_max().to_numpy(), ref.group_max().to_numpy(dtype=float), atol=1e-12)
    lo, hi = ours.intervals["by_group"]
    np.testing.assert_allclose(lo.to_numpy(), ref.by_group_ci[0].to_numpy(dtype=float), atol=1e-12)
    np.testing.assert_allclose(hi.to_numpy(), ref.by_group_ci[1].to_numpy(dtype=float), atol=1e-12)
    assert ours.summary["demographic_parity_difference"] == pytest.approx(
        float(ref.difference()["selection_rate"]), abs=1e-12)


def test_classification_summary_equals_our_parity_metrics():
    from robustfair.metrics import demographic_parity_difference, equal_opportunity_difference

    y, pred, sf = classifier_case(seed=1)
    ours = classification_by_group(y, pred, sensitive_features=sf["sex"])
    assert ours.summary["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=sf["sex"]), abs=1e-12)
    assert ours.summary["equal_opportunity_difference"] == pytest.approx(
        abs(equal_opportunity_difference(y, pred, sensitive_features=sf["sex"])), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(12, 80),
    k=st.integers(1, 4),
    g=st.integers(2, 3),
    seed=st.integers(0, 10_000),
)
def test_clustering_aggregates_equal_the_library_metrics(n, k, g, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n) * 7 - 3  # arbitrary label values
    groups = np.array(["a", "b", "c"])[rng.integers(0, g, n)]
    if np.unique(groups).shape[0] < 2:
        groups[:2] = ["a", "b"]
    X = rng.normal(size=(n, 2))
    y = rng.integers(0, 3, n)
    rep = clustering_by_group(labels, sensitive_features=groups, X=X, y_true=y)
    assert rep.by_group["balance"].min() == pytest.approx(balance(labels, sensitive_features=groups), abs=1e-12)
    assert rep.summary["balance"] == pytest.approx(balance(labels, sensitive_features=groups), abs=1e-12)
    assert rep.by_group["entropy"].mean() == pytest.approx(fairness_entropy(labels, sensitive_features=groups),
                                                           abs=1e-12)
    ids = np.unique(labels)
    centers = np.stack([X[labels == c].mean(axis=0) for c in ids])
    assert rep.summary["social_fairness_cost"] == pytest.approx(
        social_fairness_cost(X, centers, sensitive_features=groups), rel=1e-9)
    assert rep.overall["accuracy"] == pytest.approx(clustering_accuracy(y, labels), abs=1e-12)
    for name in rep.by_group.index:
        mask = groups == name
        assert rep.by_group.loc[name, "nmi"] == pytest.approx(normalized_mutual_info(y[mask], labels[mask]), abs=1e-12)
        assert rep.by_group.loc[name, "size"] == mask.sum()
    # per-group accuracy uses the one global matching: sizes weight it back to the overall
    weighted = (rep.by_group["accuracy"] * rep.by_group["size"]).sum() / n
    assert weighted == pytest.approx(rep.overall["accuracy"], abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), c=st.integers(1, 4), k=st.integers(1, 4), n=st.integers(5, 60))
def test_table_nmi_equals_scikit_learn(seed, c, k, n):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, c, n), rng.integers(0, k, n)
    table = np.zeros((c, k))
    np.add.at(table, (a, b), 1)
    assert _table_nmi(table[None])[0] == pytest.approx(normalized_mutual_info_score(a, b), abs=1e-10)


def unfair_clustering(n, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 2, n)
    labels = np.where(rng.random(n) < 0.8, s, 1 - s)  # cluster follows the group 80% of the time
    return labels, s


def test_bootstrap_intervals_cover_the_point_and_shrink_with_n():
    labels, s = unfair_clustering(200)
    small = clustering_by_group(labels, sensitive_features=s, n_boot=300, random_state=0)
    labels, s = unfair_clustering(20_000)
    large = clustering_by_group(labels, sensitive_features=s, n_boot=300, random_state=0)
    for rep in (small, large):
        lo, hi = rep.intervals["summary"]
        assert lo["balance"] <= rep.summary["balance"] <= hi["balance"]
    width = lambda rep: float(np.subtract(*rep.intervals["summary"][::-1])["balance"])  # noqa: E731
    assert width(large) < width(small) / 4  # about sqrt(100) = 10x narrower
    assert large.summary["balance"] == pytest.approx(0.4, abs=0.02)  # share 0.2 in a cluster vs 0.5 overall


def test_bootstrap_is_deterministic_and_seed_dependent():
    labels, s = unfair_clustering(500)
    a = clustering_by_group(labels, sensitive_features=s, n_boot=50, random_state=1)
    b = clustering_by_group(labels, sensitive_features=s, n_boot=50, random_state=1)
    c = clustering_by_group(labels, sensitive_features=s, n_boot=50, random_state=2)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert not a.to_frame()["ci_low"].equals(c.to_frame()["ci_low"])


def test_to_frame_rows_and_dict_are_json_ready():
    import json

    labels, s = unfair_clustering(300)
    rep = clustering_by_group(labels, sensitive_features=s, n_boot=20, random_state=0)
    frame = rep.to_frame()
    assert {"0", "1", "overall", "difference", "ratio", "min", "max", "summary"} == set(frame["row"])
    json.dumps(rep.to_dict(), allow_nan=False)
    assert "bootstrap intervals" in str(rep)


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"n_boot": 1}, "n_boot"),
        ({"n_boot": -2}, "n_boot"),
        ({"ci": 1.5}, "ci"),
        ({"X": np.zeros((3, 2))}, "inconsistent lengths"),
    ],
)
def test_bad_arguments_name_themselves(kwargs, needle):
    labels, s = unfair_clustering(50)
    with pytest.raises(ValueError, match=needle):
        clustering_by_group(labels, sensitive_features=s, **kwargs)


def test_one_group_is_rejected():
    with pytest.raises(ValueError, match="sensitive_features"):
        clustering_by_group([0, 1, 0], sensitive_features=["a", "a", "a"])
    with pytest.raises(ValueError, match="sensitive_features"):
        classification_by_group([0, 1, 0], [0, 1, 1], sensitive_features=["a", "a", "a"])


def test_plot_draws_one_panel_per_metric_with_whiskers():
    from robustfair.report.figures import plot_grouped_metrics

    labels, s = unfair_clustering(400)
    rep = clustering_by_group(labels, sensitive_features=s, X=np.random.default_rng(0).normal(size=(400, 2)),
                              n_boot=30, random_state=0)
    fig = plot_grouped_metrics(rep)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["balance", "entropy", "cost"]
    bars = fig.axes[0].patches
    np.testing.assert_allclose([b.get_height() for b in bars], rep.by_group["balance"].to_numpy())
    from matplotlib.container import ErrorbarContainer

    assert any(isinstance(c, ErrorbarContainer) for c in fig.axes[0].containers)  # intervals as whiskers
    with pytest.raises(ValueError, match="'nope'"):
        plot_grouped_metrics(rep, ["nope"])
