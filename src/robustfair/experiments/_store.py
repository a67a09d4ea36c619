"""SQLite results store: one row per (experiment, config hash, seed, record).

A cell (experiment, config hash, seed) is written in one transaction together with its
completion mark, so a sweep killed at any moment leaves either the whole cell or none of
it; a rerun skips completed cells. The database runs in WAL mode with a busy timeout so
several ``robustfair run`` processes can share it.

Before a sweep computes a cell it *claims* it: a row in ``claims`` with the owner (host,
process id and a random token) and an expiry time, taken in one ``BEGIN IMMEDIATE``
transaction, so of two sweeps on one database exactly one gets each cell. The owner renews
its leases while it computes; committing the cell deletes the claim. A sweep that dies
stops renewing, its leases expire and the next sweep that looks claims and recomputes
those cells.

``ResultsStore(path, read_only=True)`` opens an existing database with SQLite's
``mode=ro``: it never creates tables, switches the journal mode or writes, and it refuses
a database that does not hold robustfair's tables.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

__all__ = ["ResultsStore", "new_owner"]

ClaimState = Literal["claimed", "done", "held"]

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
CREATE TABLE IF NOT EXISTS claims (
    experiment   TEXT NOT NULL,
    config_hash  TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    owner        TEXT NOT NULL,
    expires_at   REAL NOT NULL,
    PRIMARY KEY (experiment, config_hash, seed)
);
"""

# the columns the reader needs; a database without them was not written by robustfair
_REQUIRED_COLUMNS = {
    "cells": {"experiment", "config_hash", "seed", "config_json", "version", "host", "seconds", "finished_at"},
    "records": {"id", "experiment", "config_hash", "seed", "dataset", "method", "metric", "value", "keys_json"},
}


def _owner_gone(owner: str) -> bool:
    """True when ``owner`` (``host:pid:token``) names a process of this host that no longer exists."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != platform.node() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists but is not ours to signal
        return False
    return False


def new_owner() -> str:
    """A claim owner id unique to this process and call: ``host:pid:token``."""
    return f"{platform.node()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class ResultsStore:
    """The results database at ``path`` (created on first use).

    Parameters
    ----------
    path : str or Path
        SQLite file. ``":memory:"`` works for tests.
    timeout : float
        Seconds to wait on a lock held by another process before retrying.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, retries: int = 5, read_only: bool = False) -> None:
        self.path = str(path)
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.read_only = bool(read_only)
        if self.read_only:
            self._conn = self._open_read_only()
            return
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent
            if not parent.is_dir():
                raise ValueError(f"db: folder {parent} does not exist.")
        try:
            self._conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            self._conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            self._check_schema(allow_missing=True)  # touch nothing in someone else's database
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._retry(lambda: self._conn.executescript(_SCHEMA))
            self._check_schema()
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"db: {self.path} is not a usable SQLite database ({exc}).") from None

    def _open_read_only(self) -> sqlite3.Connection:
        file = Path(self.path).expanduser()
        if not file.is_file():
            raise ValueError(f"db: {self.path} does not exist or is not a file.")
        if not os.access(file, os.R_OK):
            raise ValueError(f"db: {self.path} is not readable (permission denied).")
        uri = file.resolve().as_uri()
        # A WAL database needs its -shm file; in a folder we cannot write, SQLite cannot make
        # one, and the only way to read it is to promise that nobody writes it (immutable).
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(uri + query, uri=True, timeout=self.timeout, isolation_level=None)
                conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                self._conn = conn
                self._check_schema()
                return conn
            except sqlite3.OperationalError as exc:
                if "unable to open" not in str(exc) or "immutable" in query:
                    raise ValueError(f"db: {self.path} is not a readable SQLite database ({exc}).") from None
            except sqlite3.DatabaseError as exc:
                raise ValueError(f"db: {self.path} is not a readable SQLite database ({exc}).") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _check_schema(self, *, allow_missing: bool = False) -> None:
        for table, needed in _REQUIRED_COLUMNS.items():
            have = {row[1] for row in self._retry(lambda t=table: self._conn.execute(f"PRAGMA table_info({t})"))}
            if not have and allow_missing:
                continue
            if not have:
                raise ValueError(f"db: {self.path} is not a robustfair results database (no table {table!r}).")
            if not needed <= have:
                missing = ", ".join(sorted(needed - have))
                raise ValueError(
                    f"db: {self.path} is not a robustfair results database (table {table!r} lacks column(s) {missing})."
                )

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

    def __enter__(self) -> ResultsStore:
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
        replace_other_versions: bool = False,
    ) -> bool:
        """Commit one finished cell and its records atomically.

        Returns False (and writes nothing) when the cell is already stored, so two
        processes racing on the same cell never duplicate records. With
        ``replace_other_versions``, a cell stored by another code version is replaced
        (its records deleted) in the same transaction; one of the same version still wins.
        """
        rows = []
        for rec in records:
            keys = {k: v for k, v in rec.items() if k not in ("dataset", "method", "seed", "metric", "value")}
            rows.append(
                (
                    experiment,
                    config_hash,
                    int(seed),
                    str(rec["dataset"]),
                    str(rec["method"]),
                    str(rec["metric"]),
                    rec["value"],
                    json.dumps(keys, sort_keys=True),
                )
            )

        def tx() -> bool:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                if replace_other_versions:
                    where = "experiment = ? AND config_hash = ? AND seed = ?"
                    key = (experiment, config_hash, int(seed))
                    old = cur.execute(f"SELECT version FROM cells WHERE {where}", key).fetchone()
                    if old is not None and old[0] != version:
                        cur.execute(f"DELETE FROM records WHERE {where}", key)
                        cur.execute(f"DELETE FROM cells WHERE {where}", key)
                cur.execute(
                    "INSERT OR IGNORE INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        experiment,
                        config_hash,
                        int(seed),
                        json.dumps(dict(config), sort_keys=True),
                        version,
                        platform.node(),
                        float(seconds),
                        time.time(),
                    ),
                )
                if cur.rowcount == 0:
                    cur.execute("ROLLBACK")
                    return False
                cur.executemany(
                    "INSERT INTO records (experiment, config_hash, seed, dataset, method, metric, value, keys_json)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                cur.execute(
                    "DELETE FROM claims WHERE experiment = ? AND config_hash = ? AND seed = ?",
                    (experiment, config_hash, int(seed)),
                )
                cur.execute("COMMIT")
                return True
            except BaseException:
                cur.execute("ROLLBACK")
                raise

        return self._retry(tx)

    # -- claims -------------------------------------------------------------------------
    def claim(
        self, experiment: str, config_hash: str, seed: int, owner: str, *, lease: float, version: str | None = None
    ) -> ClaimState:
        """Try to claim one cell for ``owner`` for ``lease`` seconds.

        Returns ``"claimed"`` (the cell is now ``owner``'s to compute), ``"done"`` (it is
        already stored, by code ``version`` when one is given) or ``"held"`` (another owner
        holds an unexpired lease on it). An expired lease is taken over: its owner stopped
        renewing, so it is presumed dead. A cell stored by another code version counts as
        not done when ``version`` is given: it is claimed, to be recomputed.
        """
        key = (experiment, config_hash, int(seed))

        def tx() -> ClaimState:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")  # the write lock: no other process claims between read and write
            try:
                stored = cur.execute(
                    "SELECT version FROM cells WHERE experiment = ? AND config_hash = ? AND seed = ?", key
                ).fetchone()
                if stored is not None and (version is None or stored[0] == version):
                    state: ClaimState = "done"
                else:
                    now = time.time()
                    row = cur.execute(
                        "SELECT owner, expires_at FROM claims WHERE experiment = ? AND config_hash = ? AND seed = ?",
                        key,
                    ).fetchone()
                    if row is not None and row[0] != owner and row[1] > now and not _owner_gone(row[0]):
                        state = "held"
                    else:
                        cur.execute("INSERT OR REPLACE INTO claims VALUES (?, ?, ?, ?, ?)", key + (owner, now + lease))
                        state = "claimed"
                cur.execute("COMMIT")
                return state
            except BaseException:
                cur.execute("ROLLBACK")
                raise

        return self._retry(tx)

    def renew(self, owner: str, *, lease: float) -> int:
        """Extend every lease ``owner`` holds to ``lease`` seconds from now; returns how many."""
        cur = self._retry(
            lambda: self._conn.execute("UPDATE claims SET expires_at = ? WHERE owner = ?", (time.time() + lease, owner))
        )
        return cur.rowcount

    def release(self, owner: str, keys: Iterable[tuple[str, str, int]] | None = None) -> None:
        """Drop ``owner``'s claims (all of them, or those on ``keys``) without storing anything."""
        if keys is None:
            self._retry(lambda: self._conn.execute("DELETE FROM claims WHERE owner = ?", (owner,)))
            return
        rows = [(owner, e, h, int(s)) for e, h, s in keys]
        self._retry(
            lambda: self._conn.executemany(
                "DELETE FROM claims WHERE owner = ? AND experiment = ? AND config_hash = ? AND seed = ?", rows
            )
        )

    def claims(self) -> list[dict[str, Any]]:
        """Every claim row: experiment, config_hash, seed, owner, expires_at."""
        cur = self._retry(
            lambda: self._conn.execute(
                "SELECT experiment, config_hash, seed, owner, expires_at FROM claims ORDER BY expires_at"
            )
        )
        keys = ("experiment", "config_hash", "seed", "owner", "expires_at")
        return [dict(zip(keys, r)) for r in cur.fetchall()]

    # -- reading ------------------------------------------------------------------------
    def done_seeds(self, experiment: str, config_hash: str, version: str | None = None) -> set[int]:
        """Seeds of the cell already stored (by code ``version`` only, when given)."""
        sql, args = "SELECT seed FROM cells WHERE experiment = ? AND config_hash = ?", [experiment, config_hash]
        if version is not None:
            sql += " AND version = ?"
            args.append(version)
        cur = self._retry(lambda: self._conn.execute(sql, args))
        return {int(r[0]) for r in cur.fetchall()}

    def records(
        self, experiment: str | None = None, config_hash: str | None = None, seeds: Iterable[int] | None = None
    ) -> list[dict[str, Any]]:
        """Flat records (as ``--json`` prints them), optionally filtered."""
        sql = "SELECT experiment, config_hash, seed, dataset, method, metric, value, keys_json FROM records WHERE 1=1"
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
