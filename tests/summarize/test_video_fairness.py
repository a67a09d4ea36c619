"""The video-fairness experiment on a tiny synthetic FairVidSum/TVSum data root."""

import csv
import json

import numpy as np
import pytest

from robustfair.datasets import DatasetNotFoundError
from robustfair.experiments import get_experiment, run_experiment

from . import write_fake_tvsum_mat

N_FRAMES = {"video_1": 400, "video_2": 500, "video_3": 600}


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    base = root / "fairvidsum"
    rng = np.random.default_rng(0)
    log = []
    labels = {}
    for v, n in N_FRAMES.items():
        sex = np.repeat(rng.random((n // 20, 2)) < [0.5, 0.6], 20, axis=0).astype(float)
        ind = np.repeat(rng.random((n // 20, 3)) < [0.4, 0.4, 0.5], 20, axis=0).astype(float)
        labels[v] = sex
        for folder, arr in (("sex", sex), ("eth", sex[:, :1]), ("ind", ind)):
            (base / "fair-npy-data" / folder).mkdir(parents=True, exist_ok=True)
            np.save(base / "fair-npy-data" / folder / f"{v}.npy", arr)
        log.append(f" ==== VIDEO {v.split('_')[1]} ====\nsex : 2 => {{'F': 0, 'M': 1}}\n"
                   f"eth : 1 => {{'WH': 0}}\nind : 3 => {{'P1': 0, 'P2': 1, 'P3': 2}}\n")
    (base / "fair_labels_info.log").write_text("\n".join(log))
    splits = [{"train_keys": ["video_3"], "test_keys": ["video_1", "video_2"]},
              {"train_keys": ["video_1"], "test_keys": ["video_2", "video_3"]}]
    (base / "fvs_splits.json").write_text(json.dumps(splits))
    arrays, rows = {}, []
    for model in ("ca-sum", "human", "random"):
        for s, split in enumerate(splits):
            for v in split["test_keys"]:
                n = N_FRAMES[v]
                summary = np.zeros(n, dtype=np.uint8)
                if model == "ca-sum":  # frames without women only: SumBal(sex) = 0
                    summary[np.flatnonzero(labels[v][:, 0] == 0)[: int(0.15 * n)]] = 1
                else:
                    summary[rng.choice(n, int(0.15 * n), replace=False)] = 1
                key = f"{model}__split{s}__{v}"
                arrays[key] = summary
                rows.append([key, model, s, v, n])
    np.savez(base / "fvs_model_summaries.npz", **arrays)
    with open(base / "fvs_model_summaries_index.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["key", "model", "split", "video_id", "n_frames"])
        w.writerows(rows)
    (base / "tvsum").mkdir()
    ratings = np.repeat(rng.integers(1, 6, size=(10, 4)), 60, axis=0).astype(float)  # matches video_3
    ratings[:, 1:] = np.clip(ratings[:, :1] + np.repeat(rng.integers(-1, 2, size=(10, 3)), 60, axis=0), 1, 5)
    write_fake_tvsum_mat(base / "tvsum" / "ydata-tvsum50.mat",
                         [{"name": "abc", "category": "VT", "title": "T", "ratings": ratings, "duration": 20.0}])
    return root


@pytest.fixture(scope="module")
def result(data_root):
    settings = {"methods": "ca-sum,random,human,fvs-lp-sex,fvs-lp-individual,fair-summarizer", "tau": 0.9}
    return run_experiment("video-fairness", settings, seeds=1, data_dir=str(data_root))


def _get(records, **keys):
    return [r for r in records if all(r.get(k) == v for k, v in keys.items())]


def test_shipped_summaries_are_scored_per_split_and_overall(result):
    rec = _get(result.records, method="ca-sum", metric="sumbal_avg", group_type="sex", split="all")
    assert len(rec) == 1 and rec[0]["value"] == 0.0 and rec[0]["origin"] == "shipped"
    (worst,) = _get(result.records, method="ca-sum", metric="sumbal_min", group_type="sex", split="all")
    assert worst["violating"].startswith("F (video_")
    assert len(_get(result.records, method="random", metric="sumbal_avg", origin="shipped")) == 3 * 3


def test_fvs_lp_is_fair_on_the_group_type_it_optimizes(result):
    for method, gt in (("fvs-lp-sex", "sex"), ("fvs-lp-individual", "individual")):
        (rec,) = _get(result.records, method=method, metric="sumbal_min_all", group_type=gt, split="all")
        assert rec["value"] >= 0.9


def test_fair_summarizer_meets_tau_and_reports_f1(result):
    recs = [r for r in _get(result.records, method="fair-summarizer", metric="sumbal") if "role" not in r]
    assert {r["group_type"] for r in recs} == {"sex", "ethnicity", "individual"}
    assert all(r["value"] >= 0.9 and r["importance"] == "agreement" for r in recs)
    assert _get(result.records, method="fair-summarizer", metric="f1")
    assert _get(result.records, method="human", metric="f1", origin="ours")
    assert _get(result.records, method="annotators", metric="cronbach_alpha", video="mean")


def test_tvsum_source_scores_human_above_random(data_root):
    res = run_experiment("video-fairness", {"source": "tvsum", "methods": "human,random"}, seeds=1,
                         data_dir=str(data_root))
    f1 = {r["method"]: r["value"] for r in _get(res.records, metric="f1", video="mean")}
    assert f1["human"] > f1["random"]


def test_missing_data_root_raises_dataset_not_found(tmp_path):
    with pytest.raises(DatasetNotFoundError):
        run_experiment("video-fairness", {"methods": "random"}, seeds=1, data_dir=str(tmp_path))


def test_unknown_method_and_published_table():
    with pytest.raises(ValueError, match="method"):
        run_experiment("video-fairness", {"methods": "nosuch"}, seeds=1)
    published = get_experiment("video-fairness").published
    row = [p for p in published if p["method"] == "sum-gan-aae" and p["metric"] == "sumbal_min"
           and p["group_type"] == "sex"]
    assert row[0]["value"] == pytest.approx(0.1302)


def test_front_records_and_figure(result):
    front = _get(result.records, method="fair-summarizer", metric="f1", role="figure", group_type="individual")
    assert sorted(r["tau"] for r in front) == [0.0, 0.5, 0.8, 0.9]  # the config tau 0.9 and the front taus
    bal = {r["tau"]: r["value"] for r in _get(result.records, method="fair-summarizer", metric="sumbal",
                                               role="figure", group_type="individual")}
    assert all(bal[t] >= t - 1e-9 for t in bal)
    f1 = {r["tau"]: r["value"] for r in front}
    assert f1[0.0] >= f1[0.9] - 1e-12  # a looser floor never loses F1 (same exact objective)
    from robustfair.report.figures import draw_figures

    figs = draw_figures("video-fairness", result.records)
    assert len(figs) == 1 and "front" in figs[0][0]
    ax = figs[0][1].axes[0]
    assert len(ax.get_legend_handles_labels()[1]) == 3


def test_mean_rating_importance_and_bad_front_taus(data_root):
    res = run_experiment("video-fairness", {"methods": "human,fair-summarizer", "importance": "mean-rating",
                                            "front_taus": "", "group_types": "sex"}, seeds=1,
                         data_dir=str(data_root))
    recs = [r for r in _get(res.records, method="fair-summarizer", metric="f1") if "role" not in r]
    assert recs and all(r["importance"] == "mean-rating" for r in recs)
    with pytest.raises(ValueError, match="front_taus"):
        run_experiment("video-fairness", {"front_taus": "0.5,1.5"}, seeds=1, data_dir=str(data_root))
