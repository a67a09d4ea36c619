"""The deep-evasion and label-only-transfer experiments are registered and validate their configs."""

import pytest

from robustfair.experiments import get_experiment


def test_deep_evasion_is_registered_with_gpu_resources_and_figures():
    exp = get_experiment("deep-evasion")
    assert exp.resources == {"GPU": 1}
    assert exp.figures is not None
    config = exp.make_config({"dataset": "digits", "victim": "dec", "eps": "0.1", "modes": ["white-box"]})
    assert config.victim == "dec" and config.eps == [0.1]
    assert exp.figures([]) == []


@pytest.mark.parametrize("values", [{"victim": "resnet"}, {"eps": "0"}, {"eps": "2"}, {"modes": ["grey-box"]}])
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
                "adversarial_training": True}
    return run_experiment("deep-evasion", settings, seeds=1).records


def test_eps_list_sweeps_one_victim_and_records_every_budget(tiny_run):
    post = [r for r in tiny_run if r["metric"] == "nmi" and r["phase"] == "post" and r["mode"] == "black-box"]
    assert sorted(r["eps"] for r in post) == [0.1, 0.3]
    assert len([r for r in tiny_run if r["metric"] == "victim_seconds"]) == 1  # one victim for the sweep
    assert {r["eps"] for r in tiny_run if r["metric"] == "detection_rate"} == {0.1, 0.3}


def test_transfer_and_adversarial_training_records(tiny_run):
    transfer = [r for r in tiny_run if r.get("mode") == "transfer" and r["metric"] == "nmi"]
    assert {(r["source"], r["target"], r["eps"], r["phase"]) for r in transfer} == {
        ("dec", "cc", e, p) for e in (0.1, 0.3) for p in ("pre", "post")}
    robust = [r for r in tiny_run if r.get("mode") == "adv-trained" and r["metric"] == "nmi"]
    assert {(r["eps"], r["phase"]) for r in robust} == {(e, p) for e in (0.1, 0.3) for p in ("pre", "post")}
    assert all(0 <= r["value"] <= 1 for r in transfer + robust)


def test_sweep_and_transfer_figures(tiny_run):
    titles = [t for t, _ in get_experiment("deep-evasion").figures(tiny_run)]
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
    figs = get_experiment("label-only-transfer").figures(records)
    assert len(figs) == 1 and "label-only service" in figs[0][0]
    assert get_experiment("label-only-transfer").figures([]) == []


def test_eigenface_spectral_service_clusters_an_album_and_has_no_predict():
    import numpy as np
    from sklearn.metrics import normalized_mutual_info_score

    from robustfair.experiments.deep_evasion import eigenface_spectral

    rng = np.random.default_rng(0)
    faces = rng.standard_normal((4, 100))
    lighting = 5 * rng.standard_normal((3, 100))  # strong nuisance directions, as illumination on Yale
    y = np.repeat(np.arange(4), 15)
    album = faces[y] + rng.standard_normal((60, 3)) @ lighting + 0.05 * rng.standard_normal((60, 100))
    service = eigenface_spectral(4, n_components=3, n_neighbors=5, random_state=0)
    assert not hasattr(service, "predict")  # the server then clusters each posted album (fit_predict)
    assert normalized_mutual_info_score(y, service.fit_predict(album)) > 0.9
    config = get_experiment("label-only-transfer").make_config({"service": "eigenface-spectral"})
    assert config.service == "eigenface-spectral"
