"""Hostile inputs to the public API raise only ValueError or TypeError, and never hang.

Hypothesis draws, for each public function or estimator, one argument to corrupt and how:
NaN, infinity, empty, the wrong number of dimensions or columns, non-numeric values,
missing values, a single protected group or class, one entry too few. Every other argument
is a small valid input. The call must raise ``ValueError`` or ``TypeError`` (what the
library documents for bad input): returning a result would be a silent wrong answer, and
any other exception (``IndexError``, ``LinAlgError``, ``ZeroDivisionError``...) is a
traceback from inside numpy, scikit-learn or a solver. A call that runs past
``HANG_SECONDS`` fails as hung.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import robustfair.antidote as antidote
import robustfair.attacks as attacks
import robustfair.depth as depth
import robustfair.influence as influence
import robustfair.metrics as metrics
import robustfair.summarize as summarize
from robustfair.cluster import fit_labels, list_methods

HANG_SECONDS = 30  # generous: bad input should fail in validation, long before any fitting
FUZZ = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hung(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` in library code hides it."""


# -- valid inputs ---------------------------------------------------------------------------
def _base(n: int, d: int, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    s = rng.permutation(np.arange(n) % 2)
    y = rng.permutation(np.arange(n) % 2)
    labels = rng.permutation(np.arange(n) % 3)
    n_frames = 3 * n
    cps = np.column_stack([np.arange(0, n_frames, 3), np.arange(2, n_frames, 3)])
    summary = np.zeros(n_frames, dtype=int)
    summary[: n_frames // 4] = 1
    return {
        "n": n, "X0": X.copy(), "y0": y.copy(), "X": X, "centers": X[:2].copy(), "s": s, "y": y, "labels": labels,
        "proba": rng.uniform(0.05, 0.95, size=n), "influence": rng.normal(size=n),
        "frame_scores": rng.uniform(size=n_frames), "change_points": cps, "summary": rng.permutation(summary),
        "user_summary": np.stack([rng.permutation(summary) for _ in range(3)]),
        "group_labels": np.column_stack([np.arange(n_frames) % 2, 1 - np.arange(n_frames) % 2]),
        "ratings": rng.integers(1, 6, size=(4, n_frames)).astype(float),
        "values": rng.uniform(1, 5, size=n), "weights": rng.integers(1, 5, size=n), "capacity": 6,
    }


# -- corruptions ----------------------------------------------------------------------------
def _with_one(arr: np.ndarray, value: Any) -> np.ndarray:
    out = np.array(arr, dtype=object if value is None or isinstance(value, str) else float)
    out.flat[len(out.flat) // 2] = value
    return out


MATRIX = {
    "nan": lambda a: _with_one(a, np.nan),
    "inf": lambda a: _with_one(a, np.inf),
    "empty": lambda a: a[:0],
    "one-dimensional": lambda a: a[:, 0],
    "three-dimensional": lambda a: a[:, :, None],
    "strings": lambda a: np.full(a.shape, "abc"),
    "missing": lambda a: _with_one(a, None).astype(object),
    "complex": lambda a: a + 1j,
    "ragged": lambda a: [list(row) for row in a[:-1]] + [list(a[-1][:-1])] if a.shape[1] > 1 else [[1.0], [1.0, 2.0]],
}
ROWS = {**MATRIX, "one row too few": lambda a: a[:-1]}  # must match another argument's length
COLS = {**MATRIX, "one column too many": lambda a: np.hstack([a, a[:, :1]])}  # must match another's width
ROWS_AND_COLS = {**ROWS, **COLS}
VECTOR = {
    "nan": lambda v: _with_one(v, np.nan),
    "inf": lambda v: _with_one(v, np.inf),
    "empty": lambda v: v[:0],
    "missing": lambda v: _with_one(v, None).astype(object),
    "one entry too few": lambda v: v[:-1],
    "a matrix": lambda v: np.column_stack([v, v, v]),
}
GROUPS = {**{k: f for k, f in VECTOR.items() if k != "a matrix"},  # several columns may mean intersections
          "one group": lambda v: np.zeros_like(v)}
BINARY = {**VECTOR, "one class": lambda v: np.zeros_like(v), "strings": lambda v: np.full(v.shape, "abc")}
SCORES = {k: f for k, f in VECTOR.items()}
MASK = {**{k: f for k, f in VECTOR.items() if k != "missing"}, "not 0/1": lambda v: np.full(v.shape, 2)}
GROUP_MATRIX = {k: f for k, f in ROWS.items() if k != "one-dimensional"}  # 1-D group ids are valid
RANDOM_STATE = {"negative": lambda v: -1, "a string": lambda v: "seed", "fractional": lambda v: 1.5}
FRACTION = {"negative": lambda v: -0.1, "above one": lambda v: 1.5, "nan": lambda v: float("nan"),
            "a string": lambda v: "half"}
MODEL = {"none": lambda v: None, "unfitted": lambda v: influence.InfluenceLogisticRegression(),
         "a string": lambda v: "logistic"}
COUNT = {"zero": lambda v: 0, "negative": lambda v: -3, "fractional": lambda v: 2.5, "a string": lambda v: "two",
         "nan": lambda v: float("nan"), "none": lambda v: None}


@dataclass(frozen=True)
class Target:
    name: str
    call: Callable[[dict[str, Any]], Any]
    slots: dict[str, dict[str, Callable]]  # input name -> corruptions to draw from

    def __repr__(self) -> str:  # shown in the pytest id
        return self.name


def _kmeans_target():
    from sklearn.cluster import KMeans

    return KMeans(2, n_init=1, random_state=0)


# -- the public API -------------------------------------------------------------------------
def _estimators() -> list[Target]:
    out = []
    for method in list_methods():
        def call(d, name=method.name):
            return fit_labels(name, d["X"], d["s"], d.get("n_clusters", 2), random_state=d.get("random_state", 0))

        slots = {"X": ROWS if method.fair else MATRIX, "n_clusters": COUNT}
        if method.fair:
            slots["s"] = GROUPS
            slots["random_state"] = RANDOM_STATE
        out.append(Target(f"cluster:{method.name}", call, slots))
    return out


LABELS_AND_GROUPS = {"labels": VECTOR, "s": GROUPS}
TARGETS: list[Target] = _estimators() + [
    Target("balance", lambda d: metrics.balance(d["labels"], sensitive_features=d["s"]), LABELS_AND_GROUPS),
    Target("count_ratio_balance", lambda d: metrics.count_ratio_balance(d["labels"], sensitive_features=d["s"]),
           LABELS_AND_GROUPS),
    Target("optimal_count_ratio_balance", lambda d: metrics.optimal_count_ratio_balance(d["s"]),
           {"s": {k: f for k, f in GROUPS.items() if k != "one entry too few"}}),
    Target("fairness_entropy", lambda d: metrics.fairness_entropy(d["labels"], sensitive_features=d["s"]),
           LABELS_AND_GROUPS),
    Target("group_breakdown", lambda d: metrics.group_breakdown(d["labels"], sensitive_features=d["s"]),
           LABELS_AND_GROUPS),
    Target("social_fairness_cost", lambda d: metrics.social_fairness_cost(d["X"], d["centers"],
                                                                          sensitive_features=d["s"]),
           {"X": ROWS, "centers": COLS, "s": GROUPS}),
    Target("balance_cost", lambda d: metrics.balance_cost(d["X"], d["centers"], sensitive_features=d["s"]),
           {"X": ROWS, "centers": COLS, "s": GROUPS}),
    Target("demographic_parity_difference", lambda d: metrics.demographic_parity_difference(
        d["y"], d["labels"] % 2, sensitive_features=d["s"]), {"y": VECTOR, "labels": VECTOR, "s": GROUPS}),
    Target("demographic_parity_ratio", lambda d: metrics.demographic_parity_ratio(
        d["y"], d["labels"] % 2, sensitive_features=d["s"]), {"y": VECTOR, "labels": VECTOR, "s": GROUPS}),
    Target("equal_opportunity_difference", lambda d: metrics.equal_opportunity_difference(
        d["y"], d["labels"] % 2, sensitive_features=d["s"]), {"y": VECTOR, "labels": VECTOR, "s": GROUPS}),
    Target("soft_demographic_parity", lambda d: metrics.soft_demographic_parity(d["proba"], sensitive_features=d["s"]),
           {"proba": SCORES, "s": GROUPS}),
    Target("soft_equal_opportunity", lambda d: metrics.soft_equal_opportunity(d["y"], d["proba"],
                                                                              sensitive_features=d["s"]),
           {"y": VECTOR, "proba": SCORES, "s": GROUPS}),
    Target("clustering_accuracy", lambda d: metrics.clustering_accuracy(d["y"], d["labels"]),
           {"y": VECTOR, "labels": VECTOR}),
    Target("normalized_mutual_info", lambda d: metrics.normalized_mutual_info(d["y"], d["labels"]),
           {"y": VECTOR, "labels": VECTOR}),
    Target("adjusted_rand", lambda d: metrics.adjusted_rand(d["y"], d["labels"]), {"y": VECTOR, "labels": VECTOR}),
    Target("silhouette", lambda d: metrics.silhouette(d["X"], d["labels"]), {"X": ROWS, "labels": VECTOR}),
    Target("calinski_harabasz", lambda d: metrics.calinski_harabasz(d["X"], d["labels"]),
           {"X": ROWS, "labels": VECTOR}),
    Target("davies_bouldin", lambda d: metrics.davies_bouldin(d["X"], d["labels"]),
           {"X": ROWS, "labels": VECTOR}),
    Target("mahalanobis_depth", lambda d: depth.mahalanobis_depth(d["centers"], d["X"]),
           {"X": MATRIX, "centers": {k: f for k, f in COLS.items() if k != "one-dimensional"}}),  # 1-D: one point
    Target("cluster_depth", lambda d: depth.cluster_depth(d["centers"], d["X"], d["labels"]),
           {"X": ROWS, "labels": VECTOR}),
    Target("coordinatewise_min_depth", lambda d: depth.coordinatewise_min_depth(d["centers"], d["X"], d["labels"]),
           {"X": ROWS, "labels": VECTOR}),
    Target("attack:FairnessAttack", lambda d: attacks.FairnessAttack(
        _kmeans_target(), budget=3, random_state=0).attack(d["X"], sensitive_features=d["s"]), {"X": ROWS, "s": GROUPS}),
    Target("attack:RandomFairnessAttack", lambda d: attacks.RandomFairnessAttack(
        _kmeans_target(), random_state=0).attack(d["X"], sensitive_features=d["s"]), {"X": ROWS, "s": GROUPS}),
    Target("attack:SpillOverPoisoning", lambda d: attacks.SpillOverPoisoning(
        _kmeans_target(), max_queries=5, random_state=0).attack(d["X"]), {"X": MATRIX}),
    Target("antidote:AntidoteData", lambda d: antidote.AntidoteData(
        n_clusters=2, initial_size=1, max_size=2, budget=3, random_state=0).fit(d["X"], sensitive_features=d["s"]),
        {"X": ROWS, "s": GROUPS}),
    Target("antidote:fairness_cost", lambda d: antidote.fairness_cost("balance", d["X"], d["centers"], d["s"]),
           {"X": ROWS, "centers": COLS, "s": GROUPS}),
    Target("antidote:antidote_for_centers", lambda d: antidote.antidote_for_centers(
        d["X"], d["centers"], 4, -3.0, 3.0), {"X": MATRIX, "centers": COLS}),
    Target("antidote:UnnormalizedSpectralClustering", lambda d: antidote.UnnormalizedSpectralClustering(
        2, n_neighbors=3, random_state=0).fit(d["X"]), {"X": MATRIX}),
    Target("influence:InfluenceLogisticRegression", lambda d: influence.InfluenceLogisticRegression().fit(
        d["X"], d["y"]), {"X": ROWS, "y": BINARY}),
    Target("influence:influence_scores", lambda d: influence.influence_scores(
        None, d["X"], d["y"], d.get("X_val", d["X"]), d["y"], objectives=("utility", "dp"),
        sensitive_features=d["s"]), {"X": ROWS, "X_val": ROWS_AND_COLS, "y": BINARY, "s": GROUPS}),
    Target("influence:InfluenceTree", lambda d: influence.InfluenceTree(max_depth=2).fit(
        d["X"], d["y"], influence=d["influence"]), {"X": ROWS, "y": VECTOR, "influence": SCORES}),
    Target("influence:linear_evasion_attack", lambda d: influence.linear_evasion_attack(
        d["X"], d["centers"][0]), {"X": COLS}),
    Target("influence:trim", lambda d: influence.trim(d["influence"], 2),
           {"influence": {k: f for k, f in SCORES.items() if k != "one entry too few"}}),
    Target("attack:AnchoringAttack", lambda d: attacks.AnchoringAttack(n_targets=2, random_state=0).attack(
        d["X"], y=d["y"], sensitive_features=d["s"]), {"X": ROWS, "y": BINARY, "s": GROUPS}),
    Target("summarize:knapsack", lambda d: summarize.knapsack(d["values"], d["weights"], 6),
           {"values": SCORES, "weights": SCORES}),
    Target("summarize:f1_score", lambda d: summarize.f1_score(d["summary"], d["user_summary"]),
           {"summary": MASK, "user_summary": {k: f for k, f in COLS.items() if k != "one-dimensional"}}),
    Target("summarize:sumbal", lambda d: summarize.sumbal(d["summary"], group_labels=d["group_labels"]),
           {"summary": MASK, "group_labels": GROUP_MATRIX}),
    Target("summarize:group_balance", lambda d: summarize.group_balance(d["summary"], group_labels=d["group_labels"]),
           {"summary": MASK, "group_labels": GROUP_MATRIX}),
    Target("summarize:shot_scores", lambda d: summarize.shot_scores(d["frame_scores"], change_points=d["change_points"]),
           {"frame_scores": SCORES, "change_points": MATRIX}),
    Target("summarize:generate_summary", lambda d: summarize.generate_summary(
        d["frame_scores"], change_points=d["change_points"], n_frames=d.get("n_frames", d["frame_scores"].shape[0])),
        {"frame_scores": SCORES, "change_points": MATRIX, "n_frames": COUNT}),
    Target("summarize:random_summary", lambda d: summarize.random_summary(d["n_frames"], random_state=0),
           {"n_frames": COUNT}),
    Target("summarize:cronbach_alpha", lambda d: summarize.cronbach_alpha(d["ratings"]), {"ratings": MATRIX}),
    Target("summarize:annotator_agreement", lambda d: summarize.annotator_agreement(d["user_summary"]),
           {"user_summary": {k: f for k, f in MATRIX.items() if k not in ("one-dimensional",)}}),
    Target("summarize:FVSLP", lambda d: summarize.FVSLP().fit(d["group_labels"]), {"group_labels": {k: f for k, f in MATRIX.items() if k != "one-dimensional"}}),
    Target("summarize:FairSummarizer", lambda d: summarize.FairSummarizer(tau=0.5).fit(
        d["frame_scores"], group_labels=d["group_labels"], change_points=d["change_points"]),
        {"frame_scores": SCORES, "group_labels": GROUP_MATRIX, "change_points": MATRIX}),
    Target("summarize:upsample_scores", lambda d: summarize.upsample_scores(
        d["influence"], picks=d.get("picks", np.arange(d["n"]) * 3), n_frames=d.get("n_frames", 3 * d["n"])),
        {"influence": SCORES, "picks": VECTOR, "n_frames": COUNT}),
    Target("summarize:knapsack capacity", lambda d: summarize.knapsack(d["values"], d["weights"], d["capacity"]),
           {"capacity": {k: f for k, f in COUNT.items() if k != "zero"}}),
    Target("summarize:summary_capacity", lambda d: summarize.summary_capacity(d.get("n_frames", 100),
                                                                              d.get("budget", 0.15)),
           {"n_frames": COUNT, "budget": FRACTION}),
    Target("summarize:uniform_change_points", lambda d: summarize.uniform_change_points(
        d.get("n_frames", 100), shot_length=d.get("shot_length", 10)), {"n_frames": COUNT, "shot_length": COUNT}),
    Target("summarize:user_summaries_from_ratings", lambda d: summarize.user_summaries_from_ratings(
        d["ratings"], change_points=d["change_points"]), {"ratings": MATRIX, "change_points": MATRIX}),
    Target("summarize:human_summary", lambda d: summarize.human_summary(d["ratings"], change_points=d["change_points"]),
           {"ratings": MATRIX, "change_points": MATRIX}),
    Target("summarize:generate_summary budget", lambda d: summarize.generate_summary(
        d["frame_scores"], change_points=d["change_points"], n_frames=d["frame_scores"].shape[0],
        budget=d["budget"]), {"budget": FRACTION}),
    Target("depth_quantile", lambda d: depth.depth_quantile(0.5, d["influence"]),
           {"influence": {k: f for k, f in SCORES.items() if k not in ("one entry too few",)}}),
    Target("antidote:SumOfNormsClustering", lambda d: antidote.SumOfNormsClustering().fit(d["X"]), {"X": MATRIX}),
    Target("antidote:ConvexAntidote", lambda d: antidote.ConvexAntidote(max_size=1).fit(
        d["X"], sensitive_features=d["s"]), {"X": ROWS, "s": GROUPS}),
    Target("influence:active_learning_round", lambda d: influence.active_learning_round(
        d["X"], d["y"], d.get("X_pool", d["X"]), d["X"], d["y"], k=2),
        {"X": ROWS, "y": BINARY, "X_pool": COLS}),
    Target("influence:trim_sweep", lambda d: influence.trim_sweep(
        d["model"] if "model" in d else influence.InfluenceLogisticRegression(l2=0.1).fit(d["X0"], d["y0"]),
        d["X"], d["y"], d["influence"], [1, 2]),
        {"X": ROWS_AND_COLS, "y": BINARY, "influence": SCORES, "model": MODEL}),
    Target("influence:MLPInfluence", lambda d: influence.MLPInfluence(hidden=(4,), epochs=2, device="cpu",
                                                                      random_state=0).fit(d["X"], d["y"]),
           {"X": ROWS, "y": BINARY}),
    Target("attack:GANEvasionAttack", lambda d: attacks.GANEvasionAttack(
        _kmeans_target(), eps=0.1, epochs=1, device="cpu", random_state=0).attack(d["X"]), {"X": MATRIX}),
    Target("summarize:VASNetSummarizer", lambda d: summarize.VASNetSummarizer(n_epochs=1, device="cpu",
                                                                              random_state=0).fit(
        [d["X"]], [d["influence"]]), {"X": ROWS, "influence": SCORES}),
]


def _alarm(signum, frame):
    raise Hung(f"no answer within {HANG_SECONDS} s")


def _outcome(target: Target, inputs: dict[str, Any], slot: str, how: str) -> str | None:
    """``None`` when the call raised ValueError or TypeError; else what went wrong."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        target.call(inputs)
    except (ValueError, TypeError):
        return None
    except Hung:
        return f"{slot} {how}: hung for {HANG_SECONDS} s"
    except Exception as exc:  # noqa: BLE001 - the point of the test: name the undocumented exception
        return f"{slot} {how}: raised {type(exc).__name__}: {exc}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return f"{slot} {how}: accepted without an error"


@pytest.mark.parametrize("target", TARGETS, ids=repr)
@FUZZ
@given(n=st.integers(8, 20), d=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_bad_input_raises_only_value_or_type_error(target, n, d, seed):
    # every corruption of every argument, on data of a drawn size
    problems = []
    for slot in sorted(target.slots):
        for how, corrupt in sorted(target.slots[slot].items()):
            inputs = _base(n, d, seed)
            inputs[slot] = corrupt(inputs.get(slot, inputs["X"]))
            problem = _outcome(target, inputs, slot, how)
            if problem is not None:
                problems.append(problem)
    assert not problems, f"{target.name} (n={n}, d={d}): " + "; ".join(problems)
