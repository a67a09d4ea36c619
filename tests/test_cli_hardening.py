"""CLI failures on hostile files and settings: exit 2, one line naming the argument; the
report reads a results database without writing to it."""

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest

from robustfair.experiments import ResultsStore


def run_cli(*args):
    env = dict(os.environ)
    env.pop("ROBUSTFAIR_DATA", None)
    return subprocess.run([sys.executable, "-m", "robustfair", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def _one_line_exit_2(out, needle):
    assert out.returncode == 2, out.stderr
    assert needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def results_db(tmp_path):
    db = tmp_path / "results.db"
    with ResultsStore(db) as store:
        store.write_cell("fairness-audit", "abc", 0, {"methods": ["kmeans"]},
                         [{"dataset": "toy", "method": "kmeans", "metric": "balance", "value": 0.5}],
                         seconds=0.1, version="test")
    with sqlite3.connect(db) as conn:  # hand it over as a plain rollback-journal file, as a copy would be
        conn.execute("PRAGMA journal_mode = DELETE")
    for extra in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        assert not extra.exists()
    return db


def test_report_reads_the_database_without_changing_it(results_db, tmp_path):
    before = _digest(results_db)
    os.chmod(results_db, 0o444)
    out = run_cli("report", "--db", str(results_db), "-o", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    assert "fairness-audit" in (tmp_path / "r.html").read_text()
    assert _digest(results_db) == before  # no WAL switch, no new tables
    with sqlite3.connect(f"{results_db.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_the_read_only_store_refuses_writes(results_db):
    with ResultsStore(results_db, read_only=True) as store:
        assert [r["value"] for r in store.records()] == [0.5]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.write_cell("x", "h", 0, {}, [], seconds=0.0, version="v")


def test_report_on_a_foreign_database_names_db(tmp_path):
    db = tmp_path / "foreign.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE cells (name TEXT)")
    before = _digest(db)
    _one_line_exit_2(run_cli("report", "--db", str(db), "-o", str(tmp_path / "r.html")),
                     "is not a robustfair results database")
    assert _digest(db) == before  # no tables were added to somebody else's database


def test_report_on_a_file_that_is_not_sqlite_names_db(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database\n" * 100)
    _one_line_exit_2(run_cli("report", "--db", str(db), "-o", str(tmp_path / "r.html")), "db:")


@pytest.mark.parametrize("where", ["a folder", "under a file"])
def test_report_into_an_unwritable_place_names_the_output(results_db, tmp_path, where):
    target = tmp_path if where == "a folder" else results_db / "report.html"
    out = run_cli("report", "--db", str(results_db), "-o", str(target))
    _one_line_exit_2(out, f"-o {target}")


def test_set_seeds_that_is_not_a_number_names_seeds(tmp_path):
    out = run_cli("run", "fairness-audit", "--set", "seeds=x", "--set", "methods=kmeans",
                  "--db", str(tmp_path / "r.db"))
    _one_line_exit_2(out, "seeds")
    assert "invalid literal" not in out.stderr


def test_run_into_a_foreign_database_names_db_and_leaves_it_alone(tmp_path):
    db = tmp_path / "foreign.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE records (who TEXT, what TEXT)")
    before = _digest(db)
    out = run_cli("run", "fairness-audit", "--set", "methods=kmeans", "--db", str(db))
    _one_line_exit_2(out, "is not a robustfair results database")
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"records"}
    assert _digest(db) == before  # not even the journal mode changed
