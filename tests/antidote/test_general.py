"""AntidoteData (Algorithm 2) on small generated data."""

import warnings

import numpy as np
import pytest
from sklearn.cluster import KMeans

from robustfair.antidote import AntidoteData, UnnormalizedSpectralClustering, fairness_cost
from robustfair.metrics import balance_cost


def _biased_blobs(seed=0, n=60):
    rng = np.random.default_rng(seed)
    U = np.vstack([rng.normal(0, 1, (n, 2)), rng.normal(3, 1, (n, 2))])
    # group 1 is rare in the first blob and common in the second: k-means is unbalanced
    s = np.r_[np.zeros(n - 12), np.ones(12), np.zeros(12), np.ones(n - 12)].astype(int)
    return U, s


def test_antidote_improves_balance_cost_on_vanilla_kmeans():
    U, s = _biased_blobs()
    ad = AntidoteData(n_clusters=2, initial_size=6, max_size=6, budget_per_size=60, coincident_budget=60,
                      random_state=0).fit(U, sensitive_features=s)
    assert ad.met_ and ad.antidote_.shape == (6, 2)
    assert ad.cost_after_ < ad.cost_before_ - 0.02  # balance 0.475 -> 0.5 on this case
    assert ad.antidote_fraction_ == ad.antidote_.shape[0] / U.shape[0]
    assert ad.labels_.shape == (U.shape[0],)
    assert ad.n_queries_ > 1 and ad.seconds_ > 0
    assert set(ad.quality_after_) == {"silhouette", "calinski_harabasz", "davies_bouldin"}
    # the reported cost is F on U of the centers learned on U ∪ V
    assert np.isclose(ad.cost_after_, balance_cost(U, ad.cluster_centers_, sensitive_features=s))


def test_antidote_beats_random_antidote_points_of_the_same_size():
    U, s = _biased_blobs()
    ours = AntidoteData(n_clusters=2, initial_size=6, max_size=6, budget_per_size=60, coincident_budget=60,
                        random_state=0).fit(U, sensitive_features=s)
    # the control: 6 points drawn uniformly in the same box, one draw per seed (random search, budget 1)
    for seed in range(10):
        control = AntidoteData(n_clusters=2, initial_size=6, max_size=6, budget_per_size=1, method="random",
                               random_state=100 + seed).fit(U, sensitive_features=s)
        assert control.cost_after_ >= ours.cost_after_ + 0.02, seed


def test_antidote_stays_in_the_data_bounding_box_when_bounded():
    U, s = _biased_blobs(1)
    ad = AntidoteData(n_clusters=2, initial_size=2, max_size=2, budget_per_size=30, fairness="social",
                      random_state=0).fit(U, sensitive_features=s)
    if ad.antidote_.size:
        assert (ad.antidote_ >= U.min(0) - 1e-9).all() and (ad.antidote_ <= U.max(0) + 1e-9).all()


def test_antidote_is_reproducible_for_a_seed():
    U, s = _biased_blobs(2)
    kw = dict(n_clusters=2, initial_size=1, max_size=2, budget_per_size=20, fairness="social", random_state=3)
    a = AntidoteData(**kw).fit(U, sensitive_features=s)
    b = AntidoteData(**kw).fit(U, sensitive_features=s)
    np.testing.assert_array_equal(a.antidote_, b.antidote_)
    assert a.cost_after_ == b.cost_after_


def test_alpha_already_met_returns_empty_antidote_with_warning():
    U, s = _biased_blobs()
    with pytest.warns(UserWarning, match="already meets alpha"):
        ad = AntidoteData(n_clusters=2, alpha=0.0, budget_per_size=10, random_state=0).fit(U, sensitive_features=s)
    assert ad.antidote_.shape == (0, 2) and ad.antidote_fraction_ == 0.0 and ad.met_
    assert ad.cost_after_ == ad.cost_before_


def test_sre_path_and_growth_of_the_antidote_set():
    # |V| * d = 3 * 2 > low_dimension = 4 only from size 3: sizes 1-2 use RACOS, 3 uses SRE
    U, s = _biased_blobs(3)
    ad = AntidoteData(n_clusters=2, alpha=-1.0, initial_size=1, step=1, max_size=3, low_dimension=4, num_sre=2,
                      budget_per_size=12, random_state=0).fit(U, sensitive_features=s)
    assert [h["size"] for h in ad.history_] == [1, 2, 3]
    assert not ad.met_


def test_estimator_clusterer_with_labels_only_uses_cluster_means():
    from sklearn.cluster import AgglomerativeClustering

    U, s = _biased_blobs()
    ad = AntidoteData(AgglomerativeClustering(n_clusters=2), initial_size=1, max_size=1, budget_per_size=8,
                      random_state=0).fit(U, sensitive_features=s)
    assert ad.cluster_centers_.shape == (2, 2)


def test_spectral_clusterer_runs():
    U, s = _biased_blobs(n=40)
    ad = AntidoteData("spectral", 2, initial_size=1, max_size=1, budget_per_size=6,
                      random_state=0).fit(U, sensitive_features=s)
    assert ad.cluster_centers_.shape[1] == 2
    labels = UnnormalizedSpectralClustering(2, random_state=0).fit_predict(U)
    assert np.unique(labels).shape[0] == 2


def test_callable_fairness_is_used():
    U, s = _biased_blobs()
    calls = []

    def worst_group_distance(centers, X, sensitive):
        calls.append(1)
        d = ((X[:, None] - centers[None]) ** 2).sum(-1).min(1)
        return max(d[sensitive == g].mean() for g in np.unique(sensitive))

    ad = AntidoteData(n_clusters=2, fairness=worst_group_distance, initial_size=1, max_size=1, budget_per_size=5,
                      random_state=0).fit(U, sensitive_features=s)
    assert len(calls) >= 5 and np.isfinite(ad.cost_after_)


def test_fairness_callable_returning_nan_raises():
    U, s = _biased_blobs()
    with pytest.raises(ValueError, match="fairness callable returned nan"):
        AntidoteData(n_clusters=2, fairness=lambda c, X, g: float("nan"), budget_per_size=4).fit(
            U, sensitive_features=s)


def test_clusterer_without_centers_or_labels_raises():
    class NoOutput:
        def fit(self, X, y=None):
            return self

        def get_params(self, deep=True):
            return {}

        def set_params(self, **p):
            return self

    U, s = _biased_blobs()
    with pytest.raises(ValueError, match="neither cluster_centers_ nor labels_"):
        AntidoteData(NoOutput(), budget_per_size=4, random_state=0).fit(U, sensitive_features=s)


@pytest.mark.parametrize("kwargs, match", [
    ({"fairness": "entropy"}, "Unknown fairness"),
    ({"clusterer": "dbscan"}, "Unknown clusterer"),
    ({"initial_size": 0}, "initial_size"),
    ({"alpha": float("nan")}, "alpha"),
    ({"box_quantile": 0.7}, "box_quantile"),
    ({"coincident_budget": -1}, "coincident_budget"),
    ({"center_budget": -2}, "center_budget"),
])
def test_bad_parameters_raise_value_errors(kwargs, match):
    U, s = _biased_blobs()
    with pytest.raises(ValueError, match=match):
        AntidoteData(**{"n_clusters": 2, "budget_per_size": 4, **kwargs}).fit(U, sensitive_features=s)


def test_one_group_or_missing_groups_raise():
    U, _ = _biased_blobs()
    with pytest.raises(ValueError, match="sensitive_features"):
        AntidoteData(n_clusters=2).fit(U, sensitive_features=np.zeros(len(U)))
    with pytest.raises(ValueError, match="sensitive_features"):
        AntidoteData(n_clusters=2).fit(U)


def test_fairness_cost_by_name_matches_metrics():
    U, s = _biased_blobs()
    centers = KMeans(2, n_init=3, random_state=0).fit(U).cluster_centers_
    assert fairness_cost("balance", U, centers, s) == balance_cost(U, centers, sensitive_features=s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fairness_cost("social", U, centers, s) > 0


def test_antidote_experiment_is_registered_with_published_tables():
    from robustfair.experiments import get_experiment

    exp = get_experiment("antidote")
    cfg = exp.make_config({"dataset": "bank", "combination": "2", "alpha_from": "baseline"})
    assert cfg.combination == 2 and cfg.k == 2
    pub = {(p["dataset"], p["combination"], p["alpha_from"], p["metric"]): p["value"] for p in exp.published}
    assert pub[("bank", 1, "vanilla", "cost_vanilla")] == -0.3054  # Table 1
    assert pub[("adult", 2, "baseline", "cost_antidote")] == 4.2104  # Table 2
    with pytest.raises(ValueError, match="alpha_from"):
        exp.make_config({"alpha_from": "other"})
    assert exp.make_config({"box_quantile": "0.02"}).box_quantile == 0.02
    with pytest.raises(ValueError, match="box_quantile"):
        exp.make_config({"box_quantile": "0.5"})


def test_antidote_figure_has_one_panel_per_combination():
    from robustfair.report.figures import draw_figures

    recs = [{"dataset": d, "method": "antidote", "metric": m, "value": v, "combination": c}
            for c in (1, 3) for d in ("adult", "bank")
            for m, v in (("silhouette_antidote", 0.4), ("silhouette_baseline", 0.3))]
    figs = draw_figures("antidote", recs)
    assert len(figs) == 2
    # cold-started records of the same cells do not enter the bars of the default ones
    cold = [{**r, "value": -0.9, "warm_start": False} for r in recs]
    (_, fig), _ = draw_figures("antidote", recs + cold)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights and min(heights) > 0
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("combination", [1, 2, 3])
def test_antidote_experiment_runs_end_to_end_on_builtin_toy_data(combination):
    from robustfair.experiments import get_experiment

    exp = get_experiment("antidote")
    cfg = exp.make_config({"dataset": "toy-fairness", "combination": combination, "budget_per_size": 6,
                           "time_budget": 5})
    recs = {r.metric: r for r in exp.func(cfg, 0)}
    for metric in ("alpha", "antidote_fraction", "cost_vanilla", "cost_antidote", "cost_baseline",
                   "silhouette_antidote", "silhouette_baseline", "queries", "seconds"):
        assert metric in recs
    assert recs["cost_antidote"].value <= recs["cost_vanilla"].value
    assert recs["alpha"].keys["combination"] == combination


def test_warm_started_query_reproduces_vanilla_centers_exactly():
    # Points placed on the vanilla centers leave every cluster mean where it is, so the
    # warm-started query must return the vanilla centers and cost: vanilla is a Lloyd
    # fixed point (tol=0), not a point the queries keep iterating away from.
    rng = np.random.default_rng(0)
    # heavily overlapping clusters: Lloyd converges slowly, so a tolerance stops it early
    U = np.vstack([rng.normal(0, 1, (3000, 2)), rng.normal(0.8, 1, (3000, 2))])
    s = rng.integers(0, 2, U.shape[0])
    ad = AntidoteData(n_clusters=2, random_state=0)
    run = ad._make_centers_fn(U, seed=0)
    centers0, labels0 = run(U)
    centers1, labels1 = run(np.vstack([U, centers0]))
    assert np.array_equal(labels0, labels1)
    np.testing.assert_allclose(centers1, centers0, rtol=0, atol=1e-12)
    assert fairness_cost("balance", U, centers1, s) == fairness_cost("balance", U, centers0, s)


def test_cold_started_query_ends_at_a_lloyd_fixed_point():
    # warm_start=False: 10 k-means++ restarts, then Lloyd to a fixed point as for vanilla,
    # so every center is exactly the mean of its points (no tolerance jitter between queries)
    rng = np.random.default_rng(0)
    U = np.vstack([rng.normal(0, 1, (3000, 2)), rng.normal(0.8, 1, (3000, 2))])
    run = AntidoteData(n_clusters=2, warm_start=False, random_state=0)._make_centers_fn(U, seed=0)
    UV = np.vstack([U, rng.uniform(-3, 3, (5, 2))])
    centers, labels_U = run(UV)
    labels = ((UV[:, None] - centers[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(labels[: U.shape[0]], labels_U)
    for j in range(2):
        np.testing.assert_allclose(UV[labels == j].mean(0), centers[j], rtol=0, atol=1e-12)


@pytest.mark.parametrize("backend", [None, "loky"])
def test_parallel_batches_give_the_sequential_result(backend):
    import joblib

    rng = np.random.default_rng(1)
    U = np.vstack([rng.normal(0, 1, (80, 2)), rng.normal(3, 1, (80, 2))])
    s = np.r_[np.zeros(60), np.ones(20), np.zeros(20), np.ones(60)].astype(int)
    params = dict(n_clusters=2, initial_size=2, max_size=2, budget_per_size=24, method="cma", alpha=-1.0,
                  random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        one = AntidoteData(**params).fit(U, sensitive_features=s)
        with joblib.parallel_config(backend=backend) if backend else joblib.parallel_config():
            two = AntidoteData(**params, n_jobs=2).fit(U, sensitive_features=s)
    np.testing.assert_array_equal(one.antidote_, two.antidote_)
    assert one.cost_after_ == two.cost_after_ and one.n_queries_ == two.n_queries_


def test_coincident_phase_searches_stacked_copies_of_one_point():
    # a 4-query search of the 6 coordinates of 3 points finds nothing; 40 queries on the
    # 2 coordinates of one point copied 3 times do, and the kept antidote is that stack
    U, s = _biased_blobs(2)
    kw = dict(n_clusters=2, initial_size=3, max_size=3, budget_per_size=4, random_state=0)
    full = AntidoteData(**kw).fit(U, sensitive_features=s)
    both = AntidoteData(**kw, coincident_budget=40).fit(U, sensitive_features=s)
    assert both.cost_after_ < full.cost_after_
    assert both.antidote_.shape == (3, 2)
    np.testing.assert_array_equal(both.antidote_, np.repeat(both.antidote_[:1], 3, axis=0))
    assert both.n_queries_ - full.n_queries_ == 40
    assert both.history_[0]["queries"] == 44
    # with the phase off, nothing about the search changes
    again = AntidoteData(**kw, coincident_budget=0).fit(U, sensitive_features=s)
    np.testing.assert_array_equal(again.antidote_, full.antidote_)


def test_antidote_for_centers_makes_the_centers_the_cluster_means():
    from robustfair.antidote import antidote_for_centers

    rng = np.random.default_rng(1)
    U, _ = _biased_blobs()
    centers = np.array([[0.3, -0.2], [2.6, 3.3]]) + rng.normal(0, 0.05, (2, 2))
    lo, hi = U.min(0) - 10, U.max(0) + 10   # room enough: nothing is clipped
    V = antidote_for_centers(U, centers, 41, lo, hi)
    assert V.shape == (41, 2)
    np.testing.assert_array_equal(V[:21], np.repeat(V[:1], 21, axis=0))    # 21 + 20 copies
    np.testing.assert_array_equal(V[21:], np.repeat(V[21:22], 20, axis=0))
    UV = np.vstack([U, V])
    nearest = ((UV[:, None] - centers[None]) ** 2).sum(-1).argmin(1)
    for j in range(2):
        np.testing.assert_allclose(UV[nearest == j].mean(0), centers[j], atol=1e-9)
    # the pull of the stacks is what a warm-started Lloyd run settles at
    from sklearn.cluster import KMeans
    km = KMeans(2, init=centers, n_init=1, tol=0.0).fit(UV)
    np.testing.assert_allclose(np.sort(km.cluster_centers_, 0), np.sort(centers, 0), atol=1e-9)
    # a tight box clips the stacks
    tight = antidote_for_centers(U, centers, 3, U.min(0), U.max(0))
    assert (tight >= U.min(0)).all() and (tight <= U.max(0)).all()


def test_center_phase_searches_candidate_centers_for_large_antidote_sets():
    # group 1 sits apart from the two blobs of group 0, so vanilla k-means serves it badly
    # (social cost). With 40 antidote points (80 coordinates) a 4-query search of the box
    # gains little; 60 queries over the 4 coordinates of the centers gain much more.
    rng = np.random.default_rng(0)
    U = np.vstack([rng.normal(0, 0.5, (100, 2)), rng.normal(0, 0.5, (100, 2)) + [4, 0],
                   rng.normal(0, 0.5, (30, 2)) + [2, 5]])
    s = np.r_[np.zeros(200), np.ones(30)].astype(int)
    kw = dict(n_clusters=2, fairness="social", initial_size=40, max_size=40, budget_per_size=4,
              random_state=0)
    full = AntidoteData(**kw).fit(U, sensitive_features=s)
    both = AntidoteData(**kw, center_budget=60).fit(U, sensitive_features=s)
    assert both.cost_after_ < full.cost_after_ - 1.0 < both.cost_before_ - 1.0
    assert both.antidote_.shape == (40, 2)
    assert both.n_queries_ - full.n_queries_ == 60
    again = AntidoteData(**kw, center_budget=60).fit(U, sensitive_features=s)
    np.testing.assert_array_equal(again.antidote_, both.antidote_)


def test_antidote_experiment_passes_warm_start_and_center_budget(monkeypatch):
    from robustfair.experiments import get_experiment

    seen = []
    original = AntidoteData.fit

    def spy(self, X, y=None, *, sensitive_features=None):
        seen.append((self.warm_start, self.center_budget))
        return original(self, X, y, sensitive_features=sensitive_features)

    monkeypatch.setattr(AntidoteData, "fit", spy)
    exp = get_experiment("antidote")
    assert exp.default_config().warm_start is True and exp.default_config().center_budget == 0
    cfg = exp.make_config({"dataset": "toy-fairness", "combination": 1, "budget_per_size": 4, "time_budget": 5,
                           "coincident_budget": 4, "warm_start": "false", "center_budget": 5})
    recs = exp.func(cfg, 0)
    assert seen == [(False, 5)]
    assert all(r.keys["warm_start"] is False for r in recs)  # cold-start records are kept apart
    default = exp.func(exp.make_config({"dataset": "toy-fairness", "combination": 1, "budget_per_size": 4,
                                        "time_budget": 5, "coincident_budget": 4}), 0)
    assert all("warm_start" not in r.keys for r in default)


def test_antidote_for_centers_refuses_an_empty_box_and_bad_shapes():
    from robustfair.antidote import antidote_for_centers

    rng = np.random.default_rng(0)
    U = rng.normal(size=(30, 2))
    centers = np.array([[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="lower must not exceed upper: feature 0"):
        antidote_for_centers(U, centers, 10, np.array([1.0, -5.0]), np.array([-1.0, 5.0]))
    with pytest.raises(ValueError, match="lower must not exceed upper"):
        antidote_for_centers(U, centers, 10, 3.0, -3.0)
    with pytest.raises(ValueError, match="centers has 3 features but U has 2"):
        antidote_for_centers(U, np.zeros((2, 3)), 10, -3.0, 3.0)
    with pytest.raises(ValueError, match="upper must be a number or hold one bound per feature"):
        antidote_for_centers(U, centers, 10, -3.0, np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="size"):
        antidote_for_centers(U, centers, 0, -3.0, 3.0)
    with pytest.raises(ValueError, match="U contains NaN"):
        antidote_for_centers(np.full((3, 2), np.nan), centers, 4, -3.0, 3.0)
