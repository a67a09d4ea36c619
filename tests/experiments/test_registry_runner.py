"""The experiment registry, sweep expansion, the SQLite store and resuming."""

import sqlite3

import numpy as np
import pytest

from robustfair.experiments import (
    ExperimentConfig,
    Record,
    ResultsStore,
    config_hash,
    expand_sweep,
    get_experiment,
    list_experiments,
    parse_settings,
    register,
    run_experiment,
)

CALLS: list[tuple] = []


class _ToyConfig(ExperimentConfig):
    dataset: str = "toy"
    k: int = 2
    scale: float = 1.0
    methods: list[str] = ["a", "b"]


@register("_test-toy", config=_ToyConfig, description="test experiment")
def _toy(config: _ToyConfig, seed: int) -> list[Record]:
    CALLS.append((config.k, config.scale, seed))
    rng = np.random.default_rng(seed)
    return [
        Record(config.dataset, m, "value", float(config.k * config.scale + rng.random()), {"k": config.k})
        for m in config.methods
    ]


def test_registered_experiments_include_fairness_audit():
    names = [e.name for e in list_experiments()]
    assert "fairness-audit" in names
    assert get_experiment("fairness-audit").description


def test_unknown_experiment_lists_known_names():
    with pytest.raises(ValueError, match="Unknown experiment 'nope'.*fairness-audit"):
        get_experiment("nope")


def test_parse_settings_rejects_missing_equals():
    assert parse_settings(["k=3", "methods=a,b"]) == {"k": "3", "methods": "a,b"}
    with pytest.raises(ValueError, match="key=value"):
        parse_settings(["k"])


def test_list_fields_split_and_scalar_fields_sweep():
    exp = get_experiment("_test-toy")
    configs = expand_sweep(exp, {"k": "2,3", "scale": "0.5,1", "methods": "x,y,z"})
    assert len(configs) == 4
    assert all(c.methods == ["x", "y", "z"] for c in configs)
    assert sorted((c.k, c.scale) for c in configs) == [(2, 0.5), (2, 1.0), (3, 0.5), (3, 1.0)]


def test_none_on_the_command_line_means_none_only_where_none_is_allowed():
    exp = get_experiment("fairness-attack")
    configs = expand_sweep(exp, {"cfc_group_repair": "none,0.75", "k": "None"})
    assert [c.cfc_group_repair for c in configs] == [None, 0.75]
    assert configs[0].k is None
    with pytest.raises(ValueError, match="'budget'"):
        expand_sweep(exp, {"budget": "none"})  # an int field: "none" is not a number


def test_unknown_key_and_bad_value_name_the_key():
    exp = get_experiment("_test-toy")
    with pytest.raises(ValueError, match="Unknown setting.*bogus"):
        expand_sweep(exp, {"bogus": "1"})
    with pytest.raises(ValueError, match="'k'"):
        expand_sweep(exp, {"k": "two"})


def test_config_hash_is_stable_and_config_sensitive():
    exp = get_experiment("_test-toy")
    a, b = exp.make_config({"k": 2}), exp.make_config({"k": 3})
    assert config_hash("_test-toy", a) == config_hash("_test-toy", exp.make_config({"k": "2"}))
    assert config_hash("_test-toy", a) != config_hash("_test-toy", b)


def test_rerun_skips_finished_cells(tmp_path):
    db = tmp_path / "r.db"
    CALLS.clear()
    first = run_experiment("_test-toy", {"k": "2,3"}, seeds=2, db=db)
    assert first.n_run == 4 and first.n_skipped == 0 and len(CALLS) == 4
    second = run_experiment("_test-toy", {"k": "2,3"}, seeds=3, db=db)
    assert second.n_run == 2 and second.n_skipped == 4 and len(CALLS) == 6
    assert len(second.records) == 2 * 3 * 2  # configs x seeds x methods
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cells").fetchone()[0] == 6
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_records_are_flat_with_required_keys(tmp_path):
    res = run_experiment("_test-toy", {}, seeds=1, db=tmp_path / "r.db")
    for rec in res.records:
        assert {"dataset", "method", "seed", "metric", "value", "k"} <= set(rec)
    payload = res.to_json()
    assert payload["experiment"] == "_test-toy" and payload["config"]["k"] == 2


def test_parallel_jobs_match_serial(tmp_path):
    serial = run_experiment("_test-toy", {"k": "2,3"}, seeds=2, db=tmp_path / "a.db")
    parallel = run_experiment("_test-toy", {"k": "2,3"}, seeds=2, db=tmp_path / "b.db", jobs=2)

    def key(r):
        return (r["k"], r["seed"], r["method"])

    assert sorted(serial.records, key=key) == sorted(parallel.records, key=key)


def test_store_never_duplicates_a_cell(tmp_path):
    store = ResultsStore(tmp_path / "s.db")
    rec = [{"dataset": "d", "method": "m", "seed": 0, "metric": "x", "value": 1.0}]
    assert store.write_cell("e", "h", 0, {}, rec, seconds=0.1, version="t")
    assert not store.write_cell("e", "h", 0, {}, rec, seconds=0.1, version="t")
    assert len(store.records("e")) == 1
    store.close()


def test_seeds_must_be_positive():
    with pytest.raises(ValueError, match="seeds"):
        run_experiment("_test-toy", {}, seeds=0)


def test_record_rejects_non_numeric_values_and_reserved_keys():
    with pytest.raises(ValueError, match="number"):
        Record("d", "m", "x", "abc")
    with pytest.raises(ValueError, match="reserved"):
        Record("d", "m", "x", 1.0, {"seed": 3})
