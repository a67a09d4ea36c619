"""SQLite results store: one row per (experiment, config hash, seed, record).

A cell (experiment, config hash, seed) is written in one transaction together with its
completion mark, so a sweep killed at any moment leaves either the whole cell or none of
it; a rerun skips completed cells. The database runs in WAL mode with a busy timeout so
several ``robustfair run`` processes can share it.
"""

from __future__ import annotations

import json
import platform
import sqlite3
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["ResultsStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    experiment   TEXT NOT NULL,
    config_hash  TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    config_json  TEXT NOT NULL,
    version      TEXT NOT NULL,
    host         TEXT NOT NULL,
    seconds      REAL NOT NULL,
    finished_at  REAL NOT NULL,
    PRIMARY KEY (experiment, config_hash, seed)
);
CREATE TABLE IF NOT EXISTS records (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    experiment   TEXT NOT NULL,
    config_hash  TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    dataset      TEXT NOT NULL,
    method       TEXT NOT NULL,
    metric       TEXT NOT NULL,
    value        REAL,
    keys_json    TEXT NOT NULL,
    FOREIGN KEY (experiment, config_hash, seed) REFERENCES cells (experiment, config_hash, seed)
);
CREATE INDEX IF NOT EXISTS records_cell ON records (experiment, config_hash, seed);
"""


class ResultsStore:
    """The results database at ``path`` (created on first use).

    Parameters
    ----------
    path : str or Path
        SQLite file. ``":memory:"`` works for tests.
    timeout : float
        Seconds to wait on a lock held by another process before retrying.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, retries: int = 5) -> None:
        self.path = str(path)
        self.timeout = float(timeout)
        self.retries = int(retries)
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise ValueError(f"db: folder {parent} does not exist.")
        try:
            self._conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._retry(lambda: self._conn.executescript(_SCHEMA))
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"db: {self.path} is not a usable SQLite database ({exc}).") from None

    # -- plumbing -----------------------------------------------------------------------
    def _retry(self, fn):
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == self.retries:
                    raise
                time.sleep(delay)
                delay *= 2

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "ResultsStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------
    def write_cell(
        self,
        experiment: str,
        config_hash: str,
        seed: int,
        config: Mapping[str, Any],
        records: Iterable[Mapping[str, Any]],
        *,
        seconds: float,
        version: str,
    ) -> bool:
        """Commit one finished cell and its records atomically.

        Returns False (and writes nothing) when the cell is already stored, so two
        processes racing on the same cell never duplicate records.
        """
        rows = []
        for rec in records:
            keys = {k: v for k, v in rec.items() if k not in ("dataset", "method", "seed", "metric", "value")}
            rows.append(
                (experiment, config_hash, int(seed), str(rec["dataset"]), str(rec["method"]),
                 str(rec["metric"]), rec["value"], json.dumps(keys, sort_keys=True))
            )

        def tx() -> bool:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.execute(
                    "INSERT OR IGNORE INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (experiment, config_hash, int(seed), json.dumps(dict(config), sort_keys=True), version,
                     platform.node(), float(seconds), time.time()),
                )
                if cur.rowcount == 0:
                    cur.execute("ROLLBACK")
                    return False
                cur.executemany(
                    "INSERT INTO records (experiment, config_hash, seed, dataset, method, metric, value, keys_json)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                cur.execute("COMMIT")
                return True
            except BaseException:
                cur.execute("ROLLBACK")
                raise

        return self._retry(tx)

    # -- reading ------------------------------------------------------------------------
    def done_seeds(self, experiment: str, config_hash: str) -> set[int]:
        cur = self._retry(lambda: self._conn.execute(
            "SELECT seed FROM cells WHERE experiment = ? AND config_hash = ?", (experiment, config_hash)))
        return {int(r[0]) for r in cur.fetchall()}

    def records(
        self, experiment: str | None = None, config_hash: str | None = None, seeds: Iterable[int] | None = None
    ) -> list[dict[str, Any]]:
        """Flat records (as ``--json`` prints them), optionally filtered."""
        sql = ("SELECT experiment, config_hash, seed, dataset, method, metric, value, keys_json "
               "FROM records WHERE 1=1")
        args: list[Any] = []
        if experiment is not None:
            sql += " AND experiment = ?"
            args.append(experiment)
        if config_hash is not None:
            sql += " AND config_hash = ?"
            args.append(config_hash)
        if seeds is not None:
            seeds = [int(s) for s in seeds]
            sql += f" AND seed IN ({','.join('?' * len(seeds))})"
            args.extend(seeds)
        sql += " ORDER BY id"
        cur = self._retry(lambda: self._conn.execute(sql, args))
        out = []
        for exp, chash, seed, dataset, method, metric, value, keys_json in cur.fetchall():
            rec = {"dataset": dataset, "method": method, "seed": seed, "metric": metric, "value": value}
            rec.update(json.loads(keys_json))
            rec["experiment"] = exp
            rec["config_hash"] = chash
            out.append(rec)
        return out

    def cells(self, experiment: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT experiment, config_hash, seed, config_json, version, host, seconds, finished_at FROM cells"
        args: tuple = ()
        if experiment is not None:
            sql += " WHERE experiment = ?"
            args = (experiment,)
        cur = self._retry(lambda: self._conn.execute(sql + " ORDER BY finished_at", args))
        keys = ("experiment", "config_hash", "seed", "config", "version", "host", "seconds", "finished_at")
        rows = [dict(zip(keys, r)) for r in cur.fetchall()]
        for r in rows:
            r["config"] = json.loads(r["config"])
        return rows

    def experiments(self) -> list[str]:
        cur = self._retry(lambda: self._conn.execute("SELECT DISTINCT experiment FROM cells ORDER BY experiment"))
        return [r[0] for r in cur.fetchall()]
