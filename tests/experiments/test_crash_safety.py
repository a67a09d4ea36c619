"""A sweep killed with SIGKILL resumes with no record lost and none duplicated, and its
workers die with it; concurrent sweeps on one database compute each cell once."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("_sweep_script.py")
ROOT = Path(__file__).resolve().parents[2]


def _start(db, n_seeds, delay, *, jobs=1, lease=60.0, log=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if log is not None:
        env["ROBUSTFAIR_TEST_LOG"] = str(log)
    return subprocess.Popen([sys.executable, str(SCRIPT), str(db), str(n_seeds), str(delay), str(jobs), str(lease)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _computed(log):
    """Seed -> how many times a cell of it was started, and the pids that ran cells."""
    lines = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
    counts: dict[int, int] = {}
    for seed, _ in lines:
        counts[int(seed)] = counts.get(int(seed), 0) + 1
    return counts, {int(pid) for _, pid in lines}


def _wait_for_cells(db, at_least, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(0.1)
        if db.exists():
            try:
                if _counts(db)[0] >= at_least:
                    return
            except sqlite3.OperationalError:
                continue
    raise AssertionError(f"fewer than {at_least} cells committed within {timeout} s")


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent's wait is missing


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
    assert resumed.wait(timeout=120) == 0, resumed.stderr.read()
    cells, records, dups, seeds = _counts(db)
    assert seeds == list(range(n_seeds))
    assert records == 2 * n_seeds and dups == 0


def test_concurrent_runs_share_one_database(tmp_path):
    db = tmp_path / "shared.db"
    procs = [_start(db, 10, 0.05) for _ in range(3)]
    for p in procs:
        assert p.wait(timeout=180) == 0, p.stderr.read()
    cells, records, dups, seeds = _counts(db)
    assert seeds == list(range(10)) and records == 20 and dups == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_concurrent_sweeps_compute_each_cell_once(tmp_path):
    db, log = tmp_path / "two.db", tmp_path / "computed.log"
    n_seeds = 12
    procs = [_start(db, n_seeds, 0.3, log=log), _start(db, n_seeds, 0.3, jobs=2, log=log)]
    n_run = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        n_run.append(int(out.split()[-1]))
    counts, _ = _computed(log)
    assert counts == {seed: 1 for seed in range(n_seeds)}  # every cell computed, none twice
    assert sum(n_run) == n_seeds
    cells, records, dups, seeds = _counts(db)
    assert seeds == list(range(n_seeds)) and records == 2 * n_seeds and dups == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0  # finished sweeps hold nothing


def test_sigkill_of_a_parallel_sweep_ends_its_workers_and_resumes_exactly(tmp_path):
    db, log = tmp_path / "par.db", tmp_path / "computed.log"
    n_seeds = 10
    proc = _start(db, n_seeds, 0.5, jobs=2, lease=3.0, log=log)
    _wait_for_cells(db, 2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    _, pids = _computed(log)
    workers = pids - {proc.pid}
    assert workers  # the cells ran in worker processes
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)], "workers outlived their killed parent"
    cells_before, records_before, dups_before, _ = _counts(db)
    assert cells_before < n_seeds and records_before == 2 * cells_before and dups_before == 0

    resumed = _start(db, n_seeds, 0.5, jobs=2, lease=3.0)
    out, err = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, err
    assert int(out.split()[-1]) == n_seeds - cells_before  # exactly the missing cells were computed
    cells, records, dups, seeds = _counts(db)
    assert seeds == list(range(n_seeds)) and records == 2 * n_seeds and dups == 0


def test_a_lease_held_elsewhere_is_waited_for_then_taken_over_when_it_expires(tmp_path):
    from robustfair.experiments import ResultsStore, config_hash, get_experiment, run_experiment

    sys.path.insert(0, str(SCRIPT.parent))
    import _sweep_script  # noqa: F401  registers slow-cells in this process

    db = tmp_path / "lease.db"
    config = get_experiment("slow-cells").make_config({"delay": "0.01"})
    chash = config_hash("slow-cells", config)
    with ResultsStore(db) as store:
        # another host's sweep holds seed 1 and is never heard from again
        assert store.claim("slow-cells", chash, 1, "elsewhere:1:dead", lease=1.5) == "claimed"
        assert store.claim("slow-cells", chash, 1, "me:2:x", lease=1.5) == "held"
    start = time.monotonic()
    result = run_experiment("slow-cells", {"delay": "0.01"}, seeds=3, db=db, lease=1.5)
    assert result.n_run == 3 and time.monotonic() - start >= 1.0  # seed 1 only after the lease ran out
    with ResultsStore(db) as store:
        assert store.claims() == []
        assert store.claim("slow-cells", chash, 1, "me:2:x", lease=1.5) == "done"
