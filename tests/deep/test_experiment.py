"""The deep-evasion and label-only-transfer experiments are registered and validate their configs."""

import pytest

from robustfair.experiments import get_experiment
from robustfair.report.figures import draw_figures, figures_for


def test_deep_evasion_is_registered_with_gpu_resources_and_figures():
    exp = get_experiment("deep-evasion")
    assert exp.resources == {"GPU": 1}
    assert figures_for("deep-evasion")
    config = exp.make_config({"dataset": "digits", "victim": "dec", "eps": "0.1", "modes": ["white-box"]})
    assert config.victim == "dec" and config.eps == [0.1]
    assert config.objective == "eq2.6"  # thesis eq. 2.6 is the default objective
    assert exp.make_config({"objective": "targeted-ce"}).objective == "targeted-ce"
    assert draw_figures("deep-evasion", []) == []


@pytest.mark.parametrize("values", [{"victim": "resnet"}, {"eps": "0"}, {"eps": "2"}, {"modes": ["grey-box"]},
                                    {"objective": "log"}])
def test_deep_evasion_rejects_bad_settings(values):
    with pytest.raises(ValueError):
        get_experiment("deep-evasion").make_config(values)


def test_label_only_transfer_defaults_follow_the_face_plus_plus_protocol():
    config = get_experiment("label-only-transfer").default_config()
    assert config.dataset == "yale" and config.per_class == 10 and config.draws == 10


@pytest.fixture(scope="module")
def tiny_run():
    pytest.importorskip("torch")
    from robustfair.experiments import run_experiment

    settings = {"dataset": "digits", "victim": "dec", "eps": "0.1,0.3", "modes": "black-box", "n_samples": 200,
                "victim_epochs": 1, "attack_epochs": 1, "n_directions": 1, "transfer": True,
                "adversarial_training": True, "ssd": True, "ssd_epochs": 1, "ruc": True, "ruc_epochs": 1}
    return run_experiment("deep-evasion", settings, seeds=1).records


def test_eps_list_sweeps_one_victim_and_records_every_budget(tiny_run):
    post = [r for r in tiny_run if r["metric"] == "nmi" and r["phase"] == "post" and r["mode"] == "black-box"]
    assert sorted(r["eps"] for r in post) == [0.1, 0.3]
    assert len([r for r in tiny_run if r["metric"] == "victim_seconds"]) == 1  # one victim for the sweep
    assert {r["eps"] for r in tiny_run if r["metric"] == "detection_rate"} == {0.1, 0.3}
    for metric in ("ssd_detection_rate", "ssd_noise_detection_rate", "ssd_false_positive_rate"):
        assert sorted(r["eps"] for r in tiny_run if r["metric"] == metric) == [0.1, 0.3]
    assert len([r for r in tiny_run if r["metric"] == "ssd_seconds"]) == 1  # one SSD for the sweep


def test_transfer_and_adversarial_training_records(tiny_run):
    transfer = [r for r in tiny_run if r.get("mode") == "transfer" and r["metric"] == "nmi"]
    assert {(r["source"], r["target"], r["eps"], r["phase"]) for r in transfer} == {
        ("dec", t, e, p) for t in ("cc", "scan") for e in (0.1, 0.3) for p in ("pre", "post")}  # every other victim
    robust = [r for r in tiny_run if r.get("mode") == "adv-trained" and r["metric"] == "nmi"]
    assert {(r["eps"], r["phase"]) for r in robust} == {(e, p) for e in (0.1, 0.3) for p in ("pre", "post")}
    assert all(0 <= r["value"] <= 1 for r in transfer + robust)


def test_ruc_defense_records_clean_and_attacked_scores_per_budget(tiny_run):
    ruc = [r for r in tiny_run if r.get("mode") == "ruc" and r["metric"] in ("nmi", "ari", "acc")]
    assert {(r["metric"], r["eps"], r["phase"]) for r in ruc} == {
        (m, e, p) for m in ("nmi", "ari", "acc") for e in (0.1, 0.3) for p in ("pre", "post")}
    assert all(0 <= r["value"] <= 1 for r in ruc)
    assert {r["eps"] for r in tiny_run if r.get("mode") == "ruc" and r["metric"] == "queries"} == {0.1, 0.3}
    (clean,) = [r["value"] for r in tiny_run if r["metric"] == "ruc_clean_fraction"]
    assert 0 < clean < 1  # the victim's confidence split the data


def test_sweep_and_transfer_figures(tiny_run):
    titles = [t for t, _ in draw_figures("deep-evasion", tiny_run)]
    assert any(t.startswith("perturbation-norm sweep") for t in titles)
    assert any(t.startswith("transferability") for t in titles)


def test_scalar_eps_is_a_one_budget_sweep():
    config = get_experiment("deep-evasion").make_config({"eps": 0.2})
    assert config.eps == [0.2]


def test_service_figure_from_draw_records():
    records = [{"dataset": "yale", "method": "dec-service", "metric": m, "phase": p, "draw": d, "eps": 0.1,
                "value": v, "seed": 0}
               for d in range(3) for m in ("nmi", "ari", "acc")
               for p, v in (("pre", 0.6), ("post", 0.3), ("random-noise", 0.55))]
    figs = draw_figures("label-only-transfer", records)
    assert len(figs) == 1 and "label-only service" in figs[0][0]
    assert draw_figures("label-only-transfer", []) == []


def test_label_only_transfer_offers_the_eigenface_spectral_service():
    config = get_experiment("label-only-transfer").make_config({"service": "eigenface-spectral"})
    assert config.service == "eigenface-spectral"
