"""FVS-LP (thesis eq. 3.8), the fair summarizer and its utility-fairness front."""

import numpy as np
import pytest

from robustfair.summarize import (
    FVSLP,
    FairSummarizer,
    fairness_utility_front,
    generate_summary,
    shot_scores,
    sumbal,
    uniform_change_points,
)


def _synthetic_video(n=3000, n_groups=3, seed=0, run=40):
    """Groups appear in runs of ``run`` frames; importance is a smooth random curve."""
    rng = np.random.default_rng(seed)
    n_runs = -(-n // run)
    present = rng.random((n_runs, n_groups)) < rng.uniform(0.3, 0.6, n_groups)
    g = np.repeat(present, run, axis=0)[:n].astype(float)
    scores = np.repeat(rng.random(n_runs), run)[:n] + 0.05 * rng.random(n)
    return scores, g


def test_fvslp_keeps_exactly_k_frames_and_is_fair():
    _, g = _synthetic_video(n=4000, seed=1)
    model = FVSLP(budget=0.15).fit(g)
    assert model.summary_.sum() == model.k_ == 600
    assert model.sumbal_ >= 0.99
    assert sumbal(model.summary_, group_labels=g) == pytest.approx(model.sumbal_)


def test_fvslp_rejects_bad_budget():
    with pytest.raises(ValueError, match="budget"):
        FVSLP(budget=1.0).fit(np.ones((10, 2)))
    with pytest.raises(ValueError, match="budget"):
        FVSLP(budget=0).fit(np.ones((10, 2)))


@pytest.mark.parametrize("unit", ["frame", "shot"])
@pytest.mark.parametrize("tau", [0.8, 0.95])
def test_fair_summarizer_reaches_sumbal_tau(unit, tau):
    scores, g = _synthetic_video(n=1500, seed=2)
    cp = uniform_change_points(1500, shot_length=20)
    model = FairSummarizer(budget=0.15, tau=tau, unit=unit).fit(scores, group_labels=g, change_points=cp)
    assert model.sumbal_ >= tau
    assert 0 < model.summary_.sum() <= 225
    assert sumbal(model.summary_, group_labels=g) >= tau


def test_tau_zero_is_the_knapsack():
    scores, g = _synthetic_video(n=1200, seed=3)
    cp = uniform_change_points(1200, shot_length=30)
    knap = generate_summary(scores, change_points=cp, n_frames=1200)
    model = FairSummarizer(tau=0.0, unit="shot").fit(scores, group_labels=g, change_points=cp)
    values = shot_scores(scores, change_points=cp)
    chosen_knap = knap[cp[:, 0]] == 1
    assert model.objective_ == pytest.approx(values[chosen_knap].sum(), rel=1e-6)


def test_share_tolerance_mode_keeps_shares_within_eps():
    scores, g = _synthetic_video(n=800, seed=4)
    model = FairSummarizer(eps=0.01, unit="frame").fit(scores, group_labels=g)
    s = model.summary_.astype(bool)
    assert np.all(np.abs(g[s].mean(axis=0) - g.mean(axis=0)) <= 0.01 + 1e-9)


def test_infeasible_tau_raises_or_relaxes():
    # One 100-frame shot holds the only frames of group 1: any shot summary misses or overshoots it.
    n = 1000
    g = np.zeros((n, 2))
    g[:, 0] = 1
    g[0:100, 1] = 1
    cp = uniform_change_points(n, shot_length=100)
    scores = np.linspace(0, 1, n)
    with pytest.raises(ValueError, match="tau"):
        FairSummarizer(budget=0.15, tau=0.95, unit="shot").fit(scores, group_labels=g, change_points=cp)
    relaxed = FairSummarizer(budget=0.15, tau=0.95, unit="shot", on_infeasible="relax").fit(
        scores, group_labels=g, change_points=cp)
    assert relaxed.tau_ < 0.95
    assert relaxed.sumbal_ >= relaxed.tau_ - 1e-9


def test_front_trades_importance_for_fairness():
    scores, g = _synthetic_video(n=1200, seed=5)
    cp = uniform_change_points(1200, shot_length=10)
    front = fairness_utility_front(scores, group_labels=g, change_points=cp, taus=[0.0, 0.5, 0.9, 0.97],
                                   unit="shot")
    ok = front.feasible
    assert ok[:3].all()
    assert np.all(np.diff(front.objective[ok]) <= 1e-6)
    assert np.all(front.sumbal[ok] >= front.taus[ok])
    assert np.isnan(front.objective[~ok]).all()


def test_scores_and_labels_of_different_lengths_name_group_labels():
    with pytest.raises(ValueError, match="group_labels"):
        FairSummarizer(unit="frame").fit(np.ones(50), group_labels=np.ones((60, 2)))
    with pytest.raises(ValueError, match="change_points"):
        FairSummarizer(unit="shot").fit(np.ones(50), group_labels=np.ones((50, 2)))


def test_tau_one_asks_for_exact_proportions():
    g = np.zeros((200, 2))
    g[:100, 0] = 1
    g[100:, 1] = 1
    model = FairSummarizer(budget=0.1, tau=1.0, unit="frame").fit(np.linspace(0, 1, 200), group_labels=g)
    assert model.sumbal_ == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(5))
def test_agreement_importance_gives_the_best_f1_among_fair_summaries(seed):
    # Brute force over every 3-frame summary of a 10-frame video: with users of one common
    # length, the fair summarizer on annotator agreement is exactly the fair summary of best F1.
    from itertools import combinations

    from robustfair.summarize import annotator_agreement, f1_score

    rng = np.random.default_rng(seed)
    n, k = 10, 3
    users = np.zeros((4, n), dtype=np.uint8)
    for u in users:
        u[rng.choice(n, size=k, replace=False)] = 1
    groups = (rng.random((n, 2)) < 0.5).astype(float)
    groups[0] = 1.0  # both groups present
    tau = 0.5
    best = -1.0
    for sel in combinations(range(n), k):
        s = np.zeros(n, dtype=np.uint8)
        s[list(sel)] = 1
        if (groups[list(sel)].sum(axis=0) > 0).all() and sumbal(s, group_labels=groups) >= tau:
            best = max(best, f1_score(s, users))
    model = FairSummarizer(budget=0.3, tau=tau, unit="frame", on_infeasible="relax")
    summary = model.fit(annotator_agreement(users), group_labels=groups).summary_
    if model.tau_ == tau and summary.sum() == k:
        assert f1_score(summary, users) == pytest.approx(best)
    assert annotator_agreement(users) == pytest.approx(users.mean(axis=0))


def test_annotator_agreement_rejects_bad_input():
    from robustfair.summarize import annotator_agreement

    with pytest.raises(ValueError, match="user_summary"):
        annotator_agreement(np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="user_summary"):
        annotator_agreement(np.array([[0, 2, 1]]))
