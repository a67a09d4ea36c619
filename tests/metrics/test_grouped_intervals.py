"""GroupedMetrics: every reported number against its definition, and its bootstrap interval around it.

Mutation testing (docs/testing.md) found the bootstrap replicates of the aggregates
(``difference``, ``ratio``, ``group_min``/``group_max``, ``summary``) and the table outputs
unchecked: ``gmax + gmin`` for the difference, or a misnamed key, passed every test.
"""

import numpy as np
import pandas as pd
import pytest

from robustfair.metrics import (
    balance,
    classification_by_group,
    clustering_by_group,
    fairness_entropy,
    social_fairness_cost,
)

N = 800
KEYS = ["by_group", "difference:between_groups", "difference:to_overall", "group_max", "group_min", "overall",
        "ratio:between_groups", "ratio:to_overall", "summary"]


@pytest.fixture(scope="module")
def reports():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 2))
    s = rng.integers(0, 3, N)
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5 * s - 0.5).astype(int)
    y = (X[:, 0] + 0.3 * rng.normal(size=N) > 0).astype(int)
    centers = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    clu = clustering_by_group(labels, sensitive_features=s, X=X, centers=centers, y_true=y, n_boot=60, ci=0.95,
                              random_state=0)
    cls = classification_by_group(y, (X[:, 0] + 0.2 * s > 0).astype(int), sensitive_features=s, n_boot=60,
                                  random_state=0)
    return {"clustering": (clu, labels, s, X, centers), "classification": (cls, None, s, None, None)}


@pytest.mark.parametrize("kind", ["clustering", "classification"])
def test_every_interval_holds_its_point_estimate_and_is_named_like_it(reports, kind):
    r = reports[kind][0]
    assert r.kind == kind and r.n_boot == 60 and r.ci == 0.95
    assert sorted(r.intervals) == KEYS
    points = {
        "overall": r.overall, "summary": r.summary, "group_min": r.group_min(), "group_max": r.group_max(),
        "difference:between_groups": r.difference(), "difference:to_overall": r.difference("to_overall"),
        "ratio:between_groups": r.ratio(), "ratio:to_overall": r.ratio("to_overall"),
    }
    for key, point in points.items():
        lo, hi = r.intervals[key]
        assert list(lo.index) == list(point.index) == list(hi.index), key
        assert ((lo <= point + 1e-9) & (point <= hi + 1e-9)).all(), (key, lo, point, hi)
    lo, hi = r.intervals["by_group"]
    assert lo.shape == hi.shape == r.by_group.shape
    assert ((lo <= r.by_group + 1e-9) & (r.by_group <= hi + 1e-9)).all().all()


@pytest.mark.parametrize("kind", ["clustering", "classification"])
def test_aggregates_follow_their_definitions(reports, kind):
    r = reports[kind][0]
    g, o = r.by_group, r.overall
    pd.testing.assert_series_equal(r.difference(), g.max() - g.min())
    pd.testing.assert_series_equal(r.ratio(), g.min() / g.max())
    np.testing.assert_allclose(r.difference("to_overall"), (g - o).abs().max())
    np.testing.assert_allclose(r.ratio("to_overall"), np.minimum(g / o, o / g).min())
    with pytest.raises(ValueError, match=r"\bmethod\b"):
        r.difference("largest")
    with pytest.raises(ValueError, match=r"\bmethod\b"):
        r.ratio("largest")


def test_clustering_report_equals_the_library_metrics(reports):
    r, labels, s, X, centers = reports["clustering"]
    assert r.summary["balance"] == balance(labels, sensitive_features=s)
    assert r.summary["fairness_entropy"] == pytest.approx(fairness_entropy(labels, sensitive_features=s))
    assert r.summary["social_fairness_cost"] == pytest.approx(social_fairness_cost(X, centers, sensitive_features=s))
    assert list(r.by_group.index.astype(str)) == ["0", "1", "2"] and r.by_group.index.name == "group"
    assert {"size", "share", "balance", "entropy", "cost", "accuracy", "nmi"} <= set(r.by_group.columns)
    assert {"accuracy", "nmi"} <= set(r.overall.index)
    assert r.by_group["size"].sum() == N


@pytest.mark.parametrize("kind", ["clustering", "classification"])
def test_tables_carry_every_number_with_its_interval(reports, kind):
    r = reports[kind][0]
    f = r.to_frame()
    assert list(f.columns) == ["row", "metric", "value", "ci_low", "ci_high"]
    m = len(r.by_group.columns)
    assert len(f) == len(r.by_group) * m + 5 * m + len(r.summary)
    sources = {"overall": ("overall", r.overall), "difference": ("difference:between_groups", r.difference()),
               "ratio": ("ratio:between_groups", r.ratio()), "min": ("group_min", r.group_min()),
               "max": ("group_max", r.group_max()), "summary": ("summary", r.summary)}
    for row, (key, values) in sources.items():
        part = f[f.row == row].set_index("metric")
        np.testing.assert_allclose(part["value"], values.to_numpy(dtype=float))
        np.testing.assert_allclose(part["ci_low"], r.intervals[key][0].to_numpy(dtype=float))
        np.testing.assert_allclose(part["ci_high"], r.intervals[key][1].to_numpy(dtype=float))
    lo, hi = r.intervals["by_group"]
    for group in r.by_group.index:
        part = f[f.row == str(group)].set_index("metric")
        np.testing.assert_allclose(part["value"], r.by_group.loc[group].to_numpy(dtype=float))
        np.testing.assert_allclose(part["ci_low"], lo.loc[group].to_numpy(dtype=float))
        np.testing.assert_allclose(part["ci_high"], hi.loc[group].to_numpy(dtype=float))
    records = r.to_dict()
    assert len(records) == len(f) and set(records[0]) == set(f.columns)
    text = str(r)
    assert text.startswith(f"{kind} metrics by group (95% bootstrap intervals, 60 replicates)")
    for word in ("overall", "difference", "ratio", *map(str, r.summary.index)):
        assert word in text


def test_without_bootstrap_the_tables_have_no_intervals():
    labels, s = np.tile([0, 1], 10), np.repeat([0, 1], 10)
    r = clustering_by_group(labels, sensitive_features=s)
    assert r.n_boot == 0 and r.ci is None and dict(r.intervals) == {}
    f = r.to_frame()
    assert f["ci_low"].isna().all() and f["ci_high"].isna().all()
    assert all(rec["ci_low"] is None for rec in r.to_dict())
    assert "bootstrap" not in str(r)


@pytest.mark.parametrize("n_boot, ci, name", [(1, 0.95, "n_boot"), (-2, 0.95, "n_boot"), (2.5, 0.95, "n_boot"),
                                              (10, 0.0, "ci"), (10, 1.5, "ci")])
@pytest.mark.parametrize("fn", ["clustering", "classification"])
def test_bad_bootstrap_settings_name_the_argument(fn, n_boot, ci, name):
    labels, s = np.tile([0, 1], 10), np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        if fn == "clustering":
            clustering_by_group(labels, sensitive_features=s, n_boot=n_boot, ci=ci)
        else:
            classification_by_group(labels, labels, sensitive_features=s, n_boot=n_boot, ci=ci)


def test_two_replicates_are_enough_and_seeded_intervals_repeat():
    labels, s = np.tile([0, 1, 2], 20), np.repeat([0, 1], 30)
    a = clustering_by_group(labels, sensitive_features=s, n_boot=2, random_state=3)
    b = clustering_by_group(labels, sensitive_features=s, n_boot=2, random_state=3)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
