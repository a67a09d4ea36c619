"""The deep-evasion and label-only-transfer experiments are registered and validate their configs."""

import pytest

from robustfair.experiments import get_experiment


def test_deep_evasion_is_registered_with_gpu_resources_and_figures():
    exp = get_experiment("deep-evasion")
    assert exp.resources == {"GPU": 1}
    assert exp.figures is not None
    config = exp.make_config({"dataset": "digits", "victim": "dec", "eps": "0.1", "modes": ["white-box"]})
    assert config.victim == "dec" and config.eps == 0.1
    assert exp.figures([]) == []


@pytest.mark.parametrize("values", [{"victim": "resnet"}, {"eps": "0"}, {"eps": "2"}, {"modes": ["grey-box"]}])
def test_deep_evasion_rejects_bad_settings(values):
    with pytest.raises(ValueError):
        get_experiment("deep-evasion").make_config(values)


def test_label_only_transfer_defaults_follow_the_face_plus_plus_protocol():
    config = get_experiment("label-only-transfer").default_config()
    assert config.dataset == "yale" and config.per_class == 10 and config.draws == 10
