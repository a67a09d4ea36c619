"""The shared low-layer helpers: one lazy-import mechanism, one squared-distance function."""

import importlib
import subprocess
import sys

import numpy as np
import pytest

from robustfair._lazy import attach

PACKAGES = ["antidote", "attacks", "cluster", "deep", "defenses", "influence"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_uses_the_one_helper(package):
    mod = importlib.import_module(f"robustfair.{package}")
    assert mod.__getattr__.__module__ == "robustfair._lazy"  # no hand-written copy left
    assert mod.__dir__() == sorted(mod.__all__)
    with pytest.raises(AttributeError, match=f"robustfair.{package}' has no attribute 'nope'"):
        mod.nope  # noqa: B018


def test_a_lazy_name_is_the_defining_modules_object_and_is_cached():
    code = (
        "import sys, robustfair.cluster as c\n"
        "assert 'robustfair.cluster._fair_lloyd' not in sys.modules\n"
        "from robustfair.cluster._fair_lloyd import FairLloyd\n"
        "assert c.FairLloyd is FairLloyd and 'FairLloyd' in vars(c)\n"
        "assert c.fair_assignment is sys.modules['robustfair.cluster.fair_assignment']\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_attach_rejects_names_it_was_not_given():
    getattr_, dir_ = attach("robustfair.cluster", {"FairLloyd": "._fair_lloyd"}, ["FairLloyd", "b"])
    assert dir_() == ["FairLloyd", "b"]
    with pytest.raises(AttributeError):
        getattr_("FairKCenter")


def test_the_one_distance_helper_equals_sklearns_squared_euclidean_distances():
    from sklearn.metrics.pairwise import euclidean_distances

    from robustfair._distances import sq_distances

    rng = np.random.default_rng(0)
    X, C = rng.normal(size=(50, 4)) * 10, rng.normal(size=(7, 4))
    np.testing.assert_allclose(sq_distances(X, C), euclidean_distances(X, C, squared=True), rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(sq_distances(X, C, (X * X).sum(1)), euclidean_distances(X, C, squared=True),
                               rtol=1e-10, atol=1e-9)
    assert (sq_distances(X, X) >= 0).all() and np.allclose(np.diag(sq_distances(X, X)), 0, atol=1e-9)


def test_check_indices_takes_integers_or_a_mask_and_refuses_the_rest():
    import numpy as np
    import pytest

    from robustfair._validation import check_bool, check_indices

    assert check_indices([3, 0], 5, "idx").tolist() == [3, 0]
    assert check_indices(np.array([True, False, True, False, False]), 5, "idx").tolist() == [0, 2]
    for bad, message in [([5], "outside"), ([-1], "outside"), ([1, 1], "repeated"),
                         (np.ones(4, bool), "boolean mask"), ([0.5], "integer"), ([[0]], "1-D")]:
        with pytest.raises(ValueError, match=rf"^idx .*{message}"):
            check_indices(bad, 5, "idx")
    assert check_bool(np.bool_(True), "flag") is True
    with pytest.raises(ValueError, match="flag must be True or False"):
        check_bool(1, "flag")
