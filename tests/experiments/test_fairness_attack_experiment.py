"""The ``fairness-attack`` experiment (thesis Tables 4.1, 4.3, 4.4)."""

import numpy as np
import pytest

from robustfair.experiments import get_experiment
from robustfair.report.figures import draw_figures


def test_registered_with_published_fifteen_percent_tables():
    exp = get_experiment("fairness-attack")
    cfg = exp.default_config()
    assert cfg.methods == ["sfd", "fsc", "kfc", "cfc"]
    assert cfg.fractions == [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]
    pub = {(p["dataset"], p["method"], p["metric"], p["attack"]): p["value"] for p in exp.published}
    assert pub[("mnist-usps", "sfd", "balance", "none")] == 0.286  # Table 4.1
    assert pub[("mnist-usps", "cfc", "balance", "ours")] == 0.373  # Table 4.3
    assert pub[("inverted-digits", "kfc", "balance", "ours")] == 0.188  # Table 4.4
    assert all(p["fraction"] == 0.15 for p in exp.published)


def test_toy_cell_records_none_ours_random_on_the_defender_set():
    exp = get_experiment("fairness-attack")
    cfg = exp.make_config({"dataset": "toy-fairness", "methods": ["sfd"], "fractions": [0.0, 0.3], "budget": 10})
    records = exp.func(cfg, 1)
    table = {(r.metric, r.keys["attack"], r.keys["fraction"]): r.value for r in records}
    for attack in ("none", "ours", "random"):
        for metric in ("balance", "fairness_entropy", "nmi", "acc"):
            assert (metric, attack, 0.3) in table
    # fraction 0: nothing is attacked
    for metric in ("balance", "fairness_entropy", "nmi", "acc"):
        assert table[(metric, "ours", 0.0)] == table[(metric, "none", 0.0)]
    assert table[("balance", "ours", 0.3)] <= table[("balance", "none", 0.3)]
    assert table[("n_queries", "ours", 0.3)] == 11
    assert table[("n_queries", "ours", 0.0)] == 1


@pytest.mark.parametrize("values, match", [
    ({"fractions": [1.2]}, "fractions"),
    ({"methods": ["kmeans"]}, "methods"),
    ({"attacks": ["gradient"]}, "attacks"),
    ({"objective": "nmi"}, "objective"),
    ({"budget": 0}, "budget"),
    ({"cfc_reference": "oracle"}, "cfc_reference"),
    ({"cfc_assignment": "hungarian"}, "cfc_assignment"),
])
def test_bad_settings_raise_value_errors(values, match):
    with pytest.raises(ValueError, match=match):
        get_experiment("fairness-attack").make_config(values)


def test_cfc_group_repair_and_assignment_reach_cfc_and_key_its_records(monkeypatch):
    from robustfair.cluster import ConsensusFairClustering

    seen = []
    original = ConsensusFairClustering.fit

    def spy(self, X, y=None, *, sensitive_features=None):
        seen.append((self.group_repair, self.assignment))
        return original(self, X, y, sensitive_features=sensitive_features)

    monkeypatch.setattr(ConsensusFairClustering, "fit", spy)
    exp = get_experiment("fairness-attack")
    cfg = exp.make_config({"dataset": "toy-fairness", "methods": ["sfd", "cfc"], "fractions": [0.3],
                           "attacks": ["ours"], "budget": 2, "cfc_budget": 1, "cfc_epochs": 2,
                           "cfc_group_repair": 0.75, "cfc_assignment": "argmax"})
    records = exp.func(cfg, 0)
    assert seen and set(seen) == {(0.75, "argmax")}
    assert {r.keys.get("group_repair") for r in records if r.method == "cfc"} == {0.75}
    assert {r.keys.get("assignment") for r in records if r.method == "cfc"} == {"argmax"}
    assert all("group_repair" not in r.keys and "assignment" not in r.keys for r in records if r.method == "sfd")


def test_cfc_cell_runs_with_the_clean_reference_of_the_published_protocol():
    exp = get_experiment("fairness-attack")
    cfg = exp.make_config({"dataset": "toy-fairness", "methods": ["cfc"], "fractions": [0.3], "attacks": ["ours"],
                           "cfc_budget": 2, "cfc_epochs": 2})
    assert cfg.cfc_reference == "clean"
    records = exp.func(cfg, 0)
    table = {(r.metric, r.keys["attack"]): r.value for r in records}
    assert table[("n_queries", "ours")] == 3
    assert table[("balance", "ours")] <= table[("balance", "none")]
    assert ("balance", "random") not in table
    # thesis Figure 4.5: balance of every basic partition (clean and poisoned groups) and the
    # co-association matrix as k x k cluster-block means before and after the attack
    from robustfair.datasets import load_dataset
    from robustfair.metrics import balance

    bp = {(r.keys["when"], r.keys["partition"]): r.value for r in records if r.metric == "bp_balance"}
    assert len(bp) == 2 * 20  # toy CFC uses 20 basic partitions
    assert all(r.keys["role"] == "figure" for r in records if r.metric in ("bp_balance", "coassociation_block"))
    toy = load_dataset("toy-fairness")
    from robustfair.cluster import make_clusterer
    from robustfair.experiments.fairness_attack import METHOD_PARAMS

    # the partitions of an actual CFC fit with the experiment's settings and seed
    params = {**METHOD_PARAMS["toy-fairness"]["cfc"], "epochs": 1}
    parts = make_clusterer("cfc", 2, random_state=0, **params).fit(toy.X, sensitive_features=toy.sensitive).partitions_
    for i in (0, 3, 19):
        assert bp[("before", i)] == pytest.approx(balance(parts[:, i], sensitive_features=toy.sensitive))
    blocks = {}
    for r in records:
        if r.metric == "coassociation_block":
            blocks.setdefault(r.keys["when"], {})[(r.keys["row"], r.keys["col"])] = r.value
    for when in ("before", "after"):
        B = np.array([[blocks[when][(a, b)] for b in range(2)] for a in range(2)])
        np.testing.assert_allclose(B, B.T)
        assert ((B >= 0) & (B <= 1)).all()
    figs = draw_figures("fairness-attack", [r.flat(0) for r in records])
    panel = next(f for t, f in figs if "basic partitions and co-association" in t)
    assert sum(len(ax.patches) for ax in panel.axes[:1]) == 40  # 20 bins per histogram, before and after
    assert len(panel.axes[1].images) == 1 and len(panel.axes[2].images) == 1
    import matplotlib.pyplot as plt

    plt.close("all")


def test_office_caltech_dataset_is_registered():
    from robustfair.datasets import list_datasets

    get_experiment("fairness-attack")
    info = {d.name: d for d in list_datasets()}["office-caltech"]
    assert info.kind == "file"
    assert info.options["domains"] == ("dslr", "webcam")


def test_index_sets_fix_the_defender_set_across_fractions():
    from robustfair.datasets import load_dataset
    from robustfair.experiments.fairness_attack import index_sets

    data = load_dataset("inverted-digits")
    pool, defender = index_sets(data, 0.3, seed=0)
    assert pool.size == round(0.3 * data.n_samples)
    assert np.intersect1d(pool, defender).size == 0 and pool.size + defender.size == data.n_samples
    toy = load_dataset("toy-fairness")
    pool, defender = index_sets(toy, 0.3, seed=0)
    np.testing.assert_array_equal(pool, toy.extras["attacker_idx"])


def test_figures_draw_attack_curves_and_ratios():
    exp = get_experiment("fairness-attack")
    cfg = exp.make_config({"dataset": "toy-fairness", "methods": ["sfd"], "fractions": [0.0, 0.3], "budget": 10})
    flat = [r.flat(1) for r in exp.func(cfg, 1)]
    figs = draw_figures("fairness-attack", flat)
    titles = [t for t, _ in figs]
    assert any("balance under attack" in t for t in titles)
    curve = next(f for t, f in figs if "balance under attack" in t)
    lines = curve.axes[0].get_lines()
    assert {ln.get_label() for ln in lines} >= {"none", "ours", "random"}
    assert all(len(ln.get_xdata()) == 2 for ln in lines)  # one point per fraction
    assert draw_figures("fairness-attack", [{"dataset": "d", "method": "m", "metric": "nmi", "value": 1.0, "seed": 0}]) == []


def test_toy_figure_shows_sfd_clusters_before_and_after_the_attack():
    exp = get_experiment("fairness-attack")
    cfg = exp.make_config({"dataset": "toy-fairness", "methods": ["sfd"], "fractions": [0.3], "budget": 40,
                           "attacks": ["ours"]})
    records = exp.func(cfg, 1)
    points = sorted((r for r in records if r.metric == "toy_point"), key=lambda r: r.keys["point"])
    assert len(points) == 20 and sum(r.keys["attacker"] for r in points) == 6
    # only attacker samples may carry a poisoned group
    assert all(r.keys["group"] == r.keys["group_adv"] for r in points if not r.keys["attacker"])
    changed = [r for r in points if r.keys["group"] != r.keys["group_adv"]]
    assert changed  # on the toy data the attack flips some attacker labels (thesis 4.1.3.5)
    figs = draw_figures("fairness-attack", [r.flat(1) for r in records])
    fig = next(f for t, f in figs if "SFD clusters before and after" in t)
    assert [len(ax.collections) for ax in fig.axes] == [20, 20]
    import matplotlib.pyplot as plt

    plt.close("all")


def test_cfc_thesis_protocol_passes_the_thesis_settings_exactly(monkeypatch):
    from robustfair.cluster import ConsensusFairClustering
    from robustfair.experiments.fairness_attack import cfc_thesis_params

    exp = get_experiment("fairness-attack")
    unset = exp.make_config({"dataset": "mnist-usps", "cfc_protocol": "thesis"})
    assert cfc_thesis_params("mnist-usps", unset) == {
        "n_partitions": 100, "tau": 2.0, "dropout": 0.6, "hidden": 256, "assignment": "argmax",
        "hops": 2, "alpha": 100.0, "beta": 25.0, "epochs": 3000, "group_repair": None,
    }
    assert cfc_thesis_params("office-caltech", unset)["hops"] == 1  # thesis: R = 1 on Office-31

    seen = []
    original = ConsensusFairClustering.fit

    def spy(self, X, y=None, *, sensitive_features=None):
        seen.append(self.get_params())
        return original(self, X, y, sensitive_features=sensitive_features)

    monkeypatch.setattr(ConsensusFairClustering, "fit", spy)
    cfg = exp.make_config({"dataset": "inverted-digits", "n_samples": 200, "methods": ["cfc"], "fractions": [0.3],
                           "attacks": ["ours"], "cfc_budget": 1, "cfc_epochs": 2, "cfc_protocol": "thesis"})
    records = exp.func(cfg, 0)
    assert seen
    for params in seen:
        assert (params["dropout"], params["assignment"], params["hidden"], params["n_partitions"]) == (0.6, "argmax", 36, 100)
        assert (params["alpha"], params["beta"], params["hops"], params["epochs"]) == (10.0, 50.0, 2, 2)
        assert params["group_repair"] is None
    assert {r.keys.get("protocol") for r in records} == {"thesis"}


@pytest.mark.parametrize("values, match", [
    ({"dataset": "toy-fairness", "cfc_protocol": "thesis"}, "cfc_protocol.*toy-fairness"),
    ({"dataset": "inverted-digits", "cfc_protocol": "thesis", "cfc_assignment": "balanced"}, "cfc_protocol"),
])
def test_cfc_thesis_protocol_refuses_settings_it_fixes(values, match):
    exp = get_experiment("fairness-attack")
    cfg = exp.make_config({"methods": ["cfc"], "fractions": [0.0], "attacks": ["ours"], "cfc_epochs": 1,
                           "n_samples": 100, **values})
    with pytest.raises(ValueError, match=match):
        exp.func(cfg, 0)
