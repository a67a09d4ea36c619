"""The report finds every experiment's figures by name in one registry (robustfair.report.figures)."""

import warnings

import pytest

pytest.importorskip("matplotlib")

from robustfair.experiments import ExperimentConfig, Record, list_experiments, register, run_experiment  # noqa: E402
from robustfair.experiments import _registry  # noqa: E402
from robustfair.report import render_report  # noqa: E402
from robustfair.report.figures import draw_figures, figure_for, figures_for, registered_figures  # noqa: E402

# Every experiment that drew figures when the figures sat beside the protocols (register's
# figures=), with the functions that draw them now: dropping one fails here.
EXPECTED = {
    "active-learning": ["active_learning_figures"],
    "antidote": ["antidote_figures"],
    "bench-influence": ["bench_influence_figures"],
    "deep-evasion": ["deep_evasion_figures"],
    "dfdc": ["dfdc_figures"],
    "distribution-shift": ["distribution_shift_figures"],
    "fair-clustering": ["fair_clustering_figures"],
    "fairness-attack": ["fairness_attack_figures"],
    "fairness-audit": ["fairness_audit_figures"],
    "influence-regions": ["region_figures", "tree_figures"],
    "influence-mlp-trim": ["mlp_trim_curve_figures"],
    "influence-shapley": ["shapley_trim_figures"],
    "influence-trim": ["trim_curve_figures"],
    "label-only-transfer": ["label_only_transfer_figures"],
    "online-learning": ["online_learning_figures"],
    "spillover": ["spillover_figures"],
    "video-fairness": ["video_fairness_figures"],
}


def test_every_experiment_that_had_figures_still_gets_them_from_the_report():
    found = {name: [fn.__name__ for fn in fns] for name, fns in registered_figures().items()}
    assert found == EXPECTED


def test_figures_are_filed_under_registered_experiment_names_only():
    names = {e.name for e in list_experiments()}
    assert set(registered_figures()) <= names  # a misspelt name would never be drawn


def test_figure_functions_live_in_the_report_and_experiments_carry_none():
    for fns in registered_figures().values():
        assert all(fn.__module__.startswith("robustfair.report.figures.") for fn in fns)
    assert all(e.figures is None for e in list_experiments())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_figure_function_draws_nothing_from_records_it_cannot_use(name):
    unrelated = [{"dataset": "d", "method": "m", "seed": 0, "metric": "unrelated", "value": 0.5}]
    assert draw_figures(name, unrelated) == []


def test_drawing_leaves_pyplot_alone():
    import matplotlib.pyplot as plt

    records = [r for seed in (0, 1) for r in
               ({"dataset": "d", "method": m, "seed": seed, "metric": k, "value": v}
                for m in ("kmeans", "sfd") for k, v in (("nmi", 0.3), ("balance", 0.5)))]
    before = plt.get_fignums()
    figures = draw_figures("fair-clustering", records)
    assert len(figures) == 1 and figures[0][1].axes[0].has_data()
    assert plt.get_fignums() == before  # bare Figure objects: no pyplot state, no backend


def test_figure_for_files_a_function_once_and_rejects_no_name():
    @figure_for("fairness-audit-test-only")
    def extra(records):
        return [("extra", None)] if records else []

    try:
        figure_for("fairness-audit-test-only")(extra)
        assert figures_for("fairness-audit-test-only") == [extra]
        assert draw_figures("fairness-audit-test-only", [{}]) == [("extra", None)]
    finally:
        from robustfair.report.figures import _base

        _base._FIGURES.pop("fairness-audit-test-only")
    with pytest.raises(ValueError, match="experiment names"):
        figure_for()


def test_report_embeds_the_registered_figures_of_an_experiment(tmp_path):
    db = tmp_path / "r.db"
    run_experiment("fairness-audit", {"methods": "kmeans", "n_samples": "200"}, seeds=1, db=db)
    page = render_report(db)
    assert "<figcaption>fairness vs utility per method and seed</figcaption>" in page


class _LegacyConfig(ExperimentConfig):
    n: int = 1


def test_register_figures_is_deprecated_but_still_drawn_by_the_report(tmp_path):
    def legacy_figures(records):
        from matplotlib.figure import Figure

        fig = Figure()
        fig.subplots().plot([0, 1], [r["value"] for r in records][:2] * 2)
        return [("legacy figure", fig)]

    with pytest.warns(DeprecationWarning, match="figure_for"):
        @register("legacy-figures-test", config=_LegacyConfig, description="test only", figures=legacy_figures)
        def legacy(config, seed):
            return [Record("d", "m", "x", 1.0)]

    try:
        assert [t for t, _ in draw_figures("legacy-figures-test", [{"value": 1.0}])] == ["legacy figure"]
        db = tmp_path / "l.db"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            run_experiment("legacy-figures-test", {}, seeds=1, db=db)
        assert "<figcaption>legacy figure</figcaption>" in render_report(db)
    finally:
        _registry._REGISTRY.pop("legacy-figures-test")
