import numpy as np
import pytest
from sklearn.cluster import AgglomerativeClustering, KMeans

from robustfair.attacks import QueryCounter, SpillOverPoisoning
from robustfair.attacks._spillover import coassociation_distance, misclustered
from robustfair.datasets import load_dataset
from robustfair.depth import coordinatewise_min_depth


def _dense_distance(a, b):
    Y = (a[:, None] == np.unique(a)[None, :]).astype(float)
    Z = (b[:, None] == np.unique(b)[None, :]).astype(float)
    return np.linalg.norm(Y @ Y.T - Z @ Z.T)


@pytest.mark.parametrize("seed", range(5))
def test_coassociation_distance_equals_dense_frobenius_norm(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, 40)
    b = rng.choice(["x", "y", "z", "w"], 40)
    assert coassociation_distance(a, b) == pytest.approx(_dense_distance(a, b))
    assert coassociation_distance(a, a) == 0.0


def test_coassociation_distance_is_invariant_to_label_swap_and_counts_one_move():
    a = np.array([0, 0, 0, 1, 1, 1])
    assert coassociation_distance(a, 1 - a) == 0.0
    moved = a.copy()
    moved[0] = 1
    # one sample changing cluster: it disagrees with 2 old and 3 new partners, both orders
    assert coassociation_distance(a, moved) == pytest.approx(np.sqrt(2 * 5))


def test_misclustered_matches_clusters_before_counting():
    before = np.array([0, 0, 0, 1, 1, 1, 1])
    after = np.array([5, 5, 7, 7, 7, 7, 7])  # labels renamed and sample 2 moved
    np.testing.assert_array_equal(misclustered(before, after), [2])


@pytest.fixture(scope="module")
def toy():
    return load_dataset("toy-spillover", n_samples=(40, 40), random_state=0).X


@pytest.fixture(scope="module")
def toy_result(toy):
    attack = SpillOverPoisoning(AgglomerativeClustering(2), method="random", max_queries=150,
                                depth="mdc", random_state=0)
    return attack.attack(toy)


def test_attack_moves_other_samples_on_toy_data(toy, toy_result):
    info = toy_result.info
    assert info["n_misclustered"] >= 2
    assert info["spillover_indices"].size >= 1
    assert info["target_index"] not in set(info["spillover_indices"].tolist())


def test_attack_beats_random_points_of_the_same_depth(toy, toy_result):
    """The control moves the same target to a random point of the same budget box that keeps
    the same depth (one draw per trial); the search must spill over far more than that."""
    from robustfair.depth import cluster_depth

    info = toy_result.info
    before, t = info["labels_before"], info["target_index"]
    rng = np.random.default_rng(0)
    control = []
    while len(control) < 30:
        x = toy[t] + rng.uniform(-1, 1, size=toy.shape[1]) * info["budget"]
        if float(np.ravel(cluster_depth(x[None, :], toy, before))[0]) < info["depth_threshold"]:
            continue  # not of the same depth: not an allowed poison
        X = toy.copy()
        X[t] = x
        control.append(misclustered(before, AgglomerativeClustering(2).fit_predict(X)).size)
    # measured: 7 moved by the attack; the control moves 0.8 on average
    assert info["n_misclustered"] >= 3 * np.mean(control)
    assert info["n_misclustered"] >= np.median(control) + 3


def test_attack_perturbs_only_the_target_within_budget(toy, toy_result):
    info = toy_result.info
    changed_rows = np.flatnonzero((toy_result.X_adv != toy).any(axis=1))
    np.testing.assert_array_equal(changed_rows, [info["target_index"]])
    np.testing.assert_array_equal(toy_result.changed, [info["target_index"]])
    assert np.all(np.abs(info["perturbation"]) <= info["budget"] + 1e-9)


def test_target_is_the_victim_cluster_sample_nearest_the_other_centroid(toy, toy_result):
    info = toy_result.info
    labels = info["labels_before"]
    k1, k2 = info["victim_cluster"], info["target_cluster"]
    c2 = toy[labels == k2].mean(axis=0)
    members = np.flatnonzero(labels == k1)
    assert info["target_index"] == members[np.argmin(np.linalg.norm(toy[members] - c2, axis=1))]


def test_perturbed_sample_keeps_depth_above_the_quantile(toy_result):
    info = toy_result.info
    assert info["depth"] >= info["depth_threshold"]
    assert info["depth_quantile"] >= 0.1


def test_reported_count_matches_the_victim_on_the_poisoned_data(toy, toy_result):
    after = AgglomerativeClustering(2).fit_predict(toy_result.X_adv)
    before = AgglomerativeClustering(2).fit_predict(toy)
    assert misclustered(before, after).size == toy_result.info["n_misclustered"]
    assert toy_result.metrics_after["coassociation_distance"] == pytest.approx(coassociation_distance(before, after))


def test_queries_are_counted_and_bounded(toy_result):
    # the clean clustering counts against max_queries too
    assert toy_result.n_queries > 1 and toy_result.n_queries <= 150
    assert toy_result.history.shape[0] <= 149
    assert toy_result.info["queries_to_best"] > 1 and toy_result.info["queries_to_best"] <= toy_result.n_queries


def test_comd_box_keeps_every_point_above_the_threshold():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (30, 6)), rng.normal(4, 1, (30, 6))])
    attack = SpillOverPoisoning(AgglomerativeClustering(2), depth="comd", method="random", max_queries=20,
                                random_state=0)
    result = attack.attack(X)
    info = result.info
    labels = info["labels_before"]
    t, delta = info["target_index"], info["budget"]
    corners = X[t] + delta * rng.choice([-1.0, 1.0], size=(200, 6))
    assert np.all(coordinatewise_min_depth(corners, X, labels) >= info["depth_threshold"] - 1e-9)


def test_given_budget_bounds_the_perturbation(toy):
    attack = SpillOverPoisoning(AgglomerativeClustering(2), budget=[0.5, 0.0], depth_quantile=None,
                                method="random", max_queries=30, random_state=1)
    info = attack.attack(toy).info
    assert abs(info["perturbation"][0]) <= 0.5 and info["perturbation"][1] == 0.0


def test_same_random_state_same_attack(toy):
    runs = [SpillOverPoisoning(AgglomerativeClustering(2), depth="mdc", method="random", max_queries=25,
                               random_state=3).attack(toy) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].X_adv, runs[1].X_adv)


def test_multi_cluster_attack_uses_the_chosen_clusters():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.8, (25, 2)) for c in ((0, 0), (4, 0), (2, 4))])
    victim = AgglomerativeClustering(3)
    labels = victim.fit_predict(X)
    k1, k2 = int(labels[0]), int(labels[30])
    info = SpillOverPoisoning(victim, victim_cluster=k1, target_cluster=k2, depth="mdc", method="random",
                              max_queries=30, random_state=0).attack(X).info
    assert (info["victim_cluster"], info["target_cluster"]) == (k1, k2)
    assert labels[info["target_index"]] == k1
    result = SpillOverPoisoning(victim, pairs="all", depth="mdc", method="random", max_queries=60,
                                random_state=0).attack(X)
    assert result.n_queries <= 60  # six ordered pairs share the budget


def test_any_callable_target_is_queried_through_the_counter(toy):
    calls = []

    def victim(X):
        calls.append(1)
        return KMeans(2, n_init=1, random_state=0).fit_predict(X)

    result = SpillOverPoisoning(victim, depth="mdc", method="random", max_queries=10, random_state=0).attack(toy)
    assert result.n_queries == len(calls)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": [1.0, 1.0, 1.0]}, "one entry per feature"),
        ({"budget": [-1.0, 1.0]}, "non-negative"),
        ({"budget": None, "depth_quantile": None}, "budget"),
        ({"depth": "tukey"}, "depth"),
        ({"method": "adam"}, "method"),
        ({"victim_cluster": 7}, "victim_cluster"),
        ({"max_queries": 1}, "max_queries"),
    ],
)
def test_bad_parameters_raise_clear_errors(toy, kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpillOverPoisoning(AgglomerativeClustering(2), **kwargs).attack(toy)


def test_a_single_cluster_is_rejected(toy):
    with pytest.raises(ValueError, match="at least two clusters"):
        SpillOverPoisoning(lambda X: np.zeros(len(X), int)).attack(toy)


def test_a_failing_target_propagates_its_own_error(toy):
    class Broken:
        def fit_predict(self, X):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):  # a bug in the victim is not bad input
        SpillOverPoisoning(Broken()).attack(toy)


def test_a_query_counter_target_is_unwrapped_and_counted_afresh(toy):
    counter = QueryCounter(AgglomerativeClustering(2))
    result = SpillOverPoisoning(counter, depth="mdc", method="random", max_queries=5, random_state=0).attack(toy)
    assert result.n_queries == 5


def test_figures_render(toy, toy_result):
    from robustfair.report.figures import plot_spillover_images, plot_spillover_toy

    fig = plot_spillover_toy(toy, toy_result, grid=40)
    assert len(fig.axes) >= 4
    fig2 = plot_spillover_images(toy_result, (1, 2), max_images=4)
    assert fig2.axes
    with pytest.raises(ValueError, match="image_shape"):
        plot_spillover_images(toy_result, (3, 3))


def test_the_old_figure_names_in_attacks_still_work_with_a_deprecation_warning():
    import robustfair.attacks as attacks
    from robustfair.report.figures import plot_spillover_images, plot_spillover_toy

    with pytest.warns(DeprecationWarning, match="robustfair.report.figures"):
        assert attacks.plot_spillover_toy is plot_spillover_toy
    with pytest.warns(DeprecationWarning, match="robustfair.report.figures"):
        assert attacks.plot_spillover_images is plot_spillover_images
    assert "plot_spillover_toy" not in attacks.__all__


def _fake_reference(root, case_folder, org_name, adv_name, shape):
    rng = np.random.default_rng(0)
    org = rng.normal(size=shape)
    adv = org.copy()
    adv[3] += 1.0
    folder = root / "spillover-reference" / case_folder
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / org_name, org)
    np.save(folder / adv_name, adv)
    return org, adv


def test_spillover_reference_loader_reads_original_and_adversarial(tmp_path):
    from robustfair.datasets._spillover_data import load_spillover_reference

    org, adv = _fake_reference(tmp_path, "seeds", "kme_X_org.npy", "kme_X_adv.npy", (12, 7))
    data = load_spillover_reference(tmp_path, case="seeds")
    np.testing.assert_array_equal(data.X, org)
    np.testing.assert_array_equal(data.extras["perturbed_index"], [3])
    assert data.extras["clusterer"] == "kmeans"
    np.testing.assert_array_equal(load_spillover_reference(tmp_path, case="seeds", adversarial=True).X, adv)
    with pytest.raises(ValueError, match="case"):
        load_spillover_reference(tmp_path, case="nosuch")
    with pytest.raises(ValueError, match="does not exist"):
        load_spillover_reference(tmp_path, case="digits-14")


def test_mnist_pair_loader_takes_n_images_per_digit(tmp_path):
    from robustfair.datasets._spillover_data import load_mnist_pair

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 30)
    (tmp_path / "mnist-usps").mkdir()
    images = rng.integers(0, 256, (300, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "mnist-usps" / "mnist_usps_dfc.npz", mnist_X=images, mnist_y=labels,
             usps_X=np.zeros((1, 16, 16), np.uint8), usps_y=np.zeros(1, np.int64))
    data = load_mnist_pair(tmp_path, digits=(2, 3), n_per_digit=20)
    assert data.X.shape == (40, 784)
    assert np.bincount(data.y).tolist()[2:4] == [20, 20]
    with pytest.raises(ValueError, match="only 30"):
        load_mnist_pair(tmp_path, digits=(2, 3), n_per_digit=31)
    with pytest.raises(ValueError, match="two different digits"):
        load_mnist_pair(tmp_path, digits=(2, 2))
