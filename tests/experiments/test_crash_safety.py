"""A sweep killed with SIGKILL resumes with no record lost and none duplicated;
concurrent runs on one database do not corrupt it."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("_sweep_script.py")
ROOT = Path(__file__).resolve().parents[2]


def _start(db, n_seeds, delay):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, str(SCRIPT), str(db), str(n_seeds), str(delay)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _counts(db):
    with sqlite3.connect(db) as conn:
        cells = conn.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
        records = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        dups = conn.execute(
            "SELECT COUNT(*) FROM (SELECT seed, metric, COUNT(*) c FROM records GROUP BY seed, metric HAVING c > 1)"
        ).fetchone()[0]
        seeds = sorted(r[0] for r in conn.execute("SELECT seed FROM cells"))
    return cells, records, dups, seeds


def test_sigkill_then_resume_loses_nothing_and_duplicates_nothing(tmp_path):
    db = tmp_path / "crash.db"
    n_seeds = 12
    proc = _start(db, n_seeds, 0.4)
    deadline = time.time() + 120
    before = 0
    while time.time() < deadline:  # wait until some, not all, cells are committed
        time.sleep(0.2)
        if db.exists():
            try:
                before = _counts(db)[0]
            except sqlite3.OperationalError:
                continue
            if before >= 3:
                break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    cells_before, records_before, dups_before, _ = _counts(db)
    assert 3 <= cells_before < n_seeds
    assert records_before == 2 * cells_before and dups_before == 0  # no half-written cell

    resumed = _start(db, n_seeds, 0.4)  # same config: the same cells
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read().decode()
    cells, records, dups, seeds = _counts(db)
    assert seeds == list(range(n_seeds))
    assert records == 2 * n_seeds and dups == 0


def test_concurrent_runs_share_one_database(tmp_path):
    db = tmp_path / "shared.db"
    procs = [_start(db, 10, 0.05) for _ in range(3)]
    for p in procs:
        assert p.wait(timeout=180) == 0, p.stderr.read().decode()
    cells, records, dups, seeds = _counts(db)
    assert seeds == list(range(10)) and records == 20 and dups == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
