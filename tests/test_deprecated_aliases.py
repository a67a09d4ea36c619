"""The previous release's names and call forms still work for one release, with a DeprecationWarning.

Each alias must both warn and give the same object or result as the new name; remove a test
here together with its alias.
"""

import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from robustfair.attacks import AnchoringAttack, FairnessAttack


def _data():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(-2, 0.6, size=(20, 2)), rng.normal(2, 0.6, size=(20, 2))])
    s = np.tile([0, 1], 20)
    y = (X[:, 0] + 0.5 * s > 0).astype(int)
    return X, y, s


def _target(X, sensitive_features):
    return (X[:, 0] + np.where(np.asarray(sensitive_features) == 1, 0.8, -0.8) > 0).astype(int)


def test_positional_sensitive_features_warns_and_matches_the_keyword_form():
    X, y, s = _data()
    new = FairnessAttack(_target, budget=5, random_state=0).attack(X, sensitive_features=s, y=y)
    with pytest.warns(DeprecationWarning, match="sensitive_features=..."):
        old = FairnessAttack(_target, budget=5, random_state=0).attack(X, s, y=y)
    np.testing.assert_array_equal(old.sensitive_features_adv, new.sensitive_features_adv)
    assert old.metrics_after == new.metrics_after


def test_positional_y_of_the_anchoring_attack_warns_and_matches():
    X, y, s = _data()
    new = AnchoringAttack(0.1, random_state=0).attack(X, y=y, sensitive_features=s)
    with pytest.warns(DeprecationWarning, match="y=..."):
        old = AnchoringAttack(0.1, random_state=0).attack(X, y, sensitive_features=s)
    np.testing.assert_array_equal(old.X_adv, new.X_adv)


def test_wrong_call_forms_are_type_errors_not_silently_mapped():
    X, y, s = _data()
    attack = FairnessAttack(_target, budget=2, random_state=0)
    with pytest.raises(TypeError, match="only positional"):
        attack.attack(X, s, y)
    with pytest.raises(TypeError, match="multiple values"):
        attack.attack(X, s, sensitive_features=s)
    with pytest.raises(TypeError, match="unexpected keyword argument 'groups'"):
        attack.attack(X, groups=s)


def test_anchoring_attack_moved_from_influence_to_attacks():
    import robustfair.influence as influence

    with pytest.warns(DeprecationWarning, match="robustfair.attacks"):
        old = influence.AnchoringAttack
    assert old is AnchoringAttack
    assert "AnchoringAttack" not in influence.__all__  # star-imports do not warn


def test_dfdc_solver_module_has_its_own_name_and_the_old_one_warns():
    from robustfair.cluster import dfdc_assignment

    sys.modules.pop("robustfair.cluster.fair_assignment", None)
    with pytest.warns(DeprecationWarning, match="dfdc_assignment"):
        old = importlib.import_module("robustfair.cluster.fair_assignment")
    assert old.solve_fair_assignment is dfdc_assignment.solve_dfdc_assignment
    assert old.fair_assignment_lp is dfdc_assignment.dfdc_assignment_lp
    assert old.fair_assignment_objective is dfdc_assignment.dfdc_assignment_objective
    assert old.FairAssignmentResult is dfdc_assignment.DFDCAssignmentResult


def test_the_library_itself_imports_no_deprecated_name():
    import robustfair

    old = re.compile(r"from \.+(cluster\.)?fair_assignment import|cluster\.fair_assignment import"
                     r"|influence import [^\n]*\bAnchoringAttack\b")
    root = Path(robustfair.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py") if old.search(p.read_text())]
    assert offenders == ["cluster/fair_assignment.py"] or not offenders, offenders


def test_loading_the_clusterer_registry_does_not_touch_the_deprecated_module():
    import warnings

    from robustfair.cluster import list_methods

    sys.modules.pop("robustfair.cluster.fair_assignment", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert list_methods()
    assert "robustfair.cluster.fair_assignment" not in sys.modules
