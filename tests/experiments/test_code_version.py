"""A cell stored by another code version is recomputed, unless asked to reuse it."""

import re

from robustfair._version import code_version
from robustfair.experiments import ResultsStore, run_experiment

SETTINGS = {"methods": "kmeans", "dataset": "inverted-digits", "n_samples": "200"}


def test_code_version_names_the_package_version_and_commit():
    from robustfair import __version__

    version = code_version()
    assert version.startswith(__version__)
    assert re.fullmatch(re.escape(__version__) + r"(\+g[0-9a-f]{7,}(\.d[0-9a-f]{8})?)?", version)


def _age_the_store(db, version="0.0.1-old"):
    with ResultsStore(db) as store:
        store._conn.execute("UPDATE cells SET version = ?", (version,))
        store._conn.commit()


def test_a_cell_from_another_version_is_recomputed_and_replaced(tmp_path):
    db = tmp_path / "r.db"
    first = run_experiment("fairness-audit", SETTINGS, seeds=2, db=db)
    assert first.n_run == 2
    again = run_experiment("fairness-audit", SETTINGS, seeds=2, db=db)
    assert again.n_run == 0 and again.n_skipped == 2  # same code: reused
    _age_the_store(db)
    redo = run_experiment("fairness-audit", SETTINGS, seeds=2, db=db)
    assert redo.n_run == 2
    with ResultsStore(db, read_only=True) as store:
        cells = store.cells("fairness-audit")
        assert {c["version"] for c in cells} == {code_version()} and len(cells) == 2
        assert len(store.records("fairness-audit")) == len(first.records)  # replaced, not duplicated
    def numbers(result):  # the measured numbers, not the timings
        return sorted((r["seed"], r["metric"], r["value"]) for r in result.records if "seconds" not in r["metric"])

    assert numbers(redo) == numbers(first)


def test_reuse_keeps_the_old_version_cells(tmp_path):
    db = tmp_path / "r.db"
    run_experiment("fairness-audit", SETTINGS, seeds=1, db=db)
    _age_the_store(db)
    kept = run_experiment("fairness-audit", SETTINGS, seeds=1, db=db, reuse=True)
    assert kept.n_run == 0 and kept.n_skipped == 1
    with ResultsStore(db, read_only=True) as store:
        assert {c["version"] for c in store.cells("fairness-audit")} == {"0.0.1-old"}
