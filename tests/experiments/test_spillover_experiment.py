"""The ``spillover`` experiment (thesis section 2.2.6) on built-in data."""

import pytest

from robustfair.experiments import get_experiment, run_experiment


@pytest.fixture(scope="module")
def toy_run():
    return run_experiment("spillover", {"dataset": "toy-spillover", "clusterer": "ward", "method": "random",
                                        "max_queries": "40", "depth": "mdc"}, seeds=1)


def test_records_count_depth_quantile_queries_and_time(toy_run):
    metrics = {r["metric"]: r for r in toy_run.records if r.get("role") != "figure"}
    assert set(metrics) == {"n_spillover", "depth", "depth_quantile", "queries", "queries_to_best", "seconds"}
    assert metrics["n_spillover"]["value"] >= 1
    assert metrics["depth_quantile"]["value"] >= 0.1
    assert metrics["queries"]["value"] > 1 and metrics["queries"]["value"] <= 40
    assert all(r["method"] == "random" and r["clusterer"] == "ward" for r in toy_run.records)
    assert all(r["metric"].startswith("point_") for r in toy_run.records if r.get("role") == "figure")


def test_published_numbers_of_tables_2_1_and_2_2_are_attached():
    published = get_experiment("spillover").published
    counts = {(p["dataset"], p.get("digits")): p["value"] for p in published if p["metric"] == "n_spillover"}
    assert counts[("digits-pair", "1,4")] == 24
    assert counts[("digits-pair", "8,9")] == 21
    assert counts[("mnist-pair", "1,4")] == 11
    assert counts[("mnist-pair", "2,3")] == 2


def test_digits_pair_with_ward_records_the_digit_pair():
    run = run_experiment("spillover", {"dataset": "digits-pair", "digits": "1,4", "method": "random",
                                       "max_queries": "8"}, seeds=1)
    assert {r["digits"] for r in run.records} == {"1,4"}
    assert {r["clusterer"] for r in run.records} == {"ward"}


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"dataset": "nosuch"}, "dataset"), ({"clusterer": "dbscan", "dataset": "toy-spillover"}, "clusterer"),
     ({"depth_quantile": "1.5"}, "depth_quantile")],
)
def test_bad_settings_are_value_errors(settings, message):
    with pytest.raises(ValueError, match=message):
        run_experiment("spillover", settings, seeds=1)


@pytest.mark.parametrize("dataset, title", [("toy-spillover", "Figure 2.1"), ("digits-pair", "Figure 2.2")])
def test_report_figures_redraw_the_attack_from_records(dataset, title):
    from robustfair.experiments import run_experiment
    from robustfair.report.figures import draw_figures

    res = run_experiment("spillover", {"dataset": dataset, "method": "random", "max_queries": "15"}, seeds=1)
    assert any(r.get("role") == "figure" for r in res.records)
    figs = draw_figures("spillover", res.records)
    assert len(figs) == 1 and title in figs[0][0]
    assert figs[0][1].axes and figs[0][1].axes[0].has_data()
