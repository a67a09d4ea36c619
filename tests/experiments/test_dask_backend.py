"""Sweeps on a real distributed.LocalCluster give the same records as the local run."""

import pytest

pytest.importorskip("distributed", reason="the dist extra (dask.distributed) is not installed")

from robustfair.experiments import run_experiment  # noqa: E402
from robustfair.experiments._backends import parse_cluster  # noqa: E402


def _key(rec):
    return (rec["method"], rec["seed"], rec["metric"], rec.get("k"))


def _values(records):
    return sorted(((_key(r), r["value"]) for r in records if r["metric"] != "seconds"), key=lambda t: str(t[0]))


def test_local_cluster_matches_local_backend(tmp_path):
    settings = {"methods": "kmeans,ward", "n_samples": "300", "k": "5,8"}
    local = run_experiment("fairness-audit", settings, seeds=2, db=tmp_path / "local.db")
    dask = run_experiment("fairness-audit", settings, seeds=2, db=tmp_path / "dask.db", cluster="local:2")
    assert dask.n_run == local.n_run == 4  # 2 values of k x 2 seeds
    assert _values(dask.records) == _values(local.records)


def test_cluster_spec_is_validated():
    assert parse_cluster("local:3") == 3
    for bad in ("local", "local:0", "remote:2"):
        with pytest.raises(ValueError, match="local:N"):
            parse_cluster(bad)


def test_unreachable_scheduler_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="scheduler"):
        run_experiment("fairness-audit", {"methods": "kmeans", "n_samples": "100"}, seeds=1,
                       db=tmp_path / "x.db", scheduler="tcp://127.0.0.1:9")


def test_gpu_cells_go_to_gpu_workers_and_fall_back_with_a_warning(tmp_path):
    from distributed import LocalCluster

    from robustfair.experiments import get_experiment

    assert get_experiment("deep-evasion").resources == {"GPU": 1}
    # _test-gpu-cell is registered in tests/experiments/_gpu_cell.py (importable by workers)
    from tests.experiments import _gpu_cell  # noqa: F401

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      resources={"GPU": 1}) as gpu_cluster:
        res = run_experiment("_test-gpu-cell", {}, seeds=2, db=tmp_path / "g.db", scheduler=gpu_cluster.scheduler_address)
    assert sorted(r["seed"] for r in res.records) == [0, 1]
    with pytest.warns(UserWarning, match="GPU"):
        res = run_experiment("_test-gpu-cell", {}, seeds=1, db=tmp_path / "c.db", cluster="local:1")
    assert len(res.records) == 1
