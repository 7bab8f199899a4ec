"""A ``limits`` storage in one SQLite file: rate limits shared by a server's processes, kept over restarts.

Flask-Limiter (through ``limits``) counts requests; where it keeps the counts decides what a limit
means.  Its in-memory storage is per process and forgotten at every restart, so a multi-process
server multiplies a limit by its workers and a crash resets it.  Redis or memcached fix that for
a cluster, at the price of another server to run; a single machine only needs a file that every
process can lock.  This storage registers the ``sqlite://`` scheme with ``limits`` (its storage
classes register themselves by scheme), so ``RATELIMIT_STORAGE_URI=sqlite:////path/limits.sqlite``
works, and ``redis://...`` still works where a deployment has Redis.

Only the fixed-window strategy (Flask-Limiter's default) is supported.

>>> import tempfile, pathlib
>>> from limits.storage import storage_from_string
>>> path = pathlib.Path(tempfile.mkdtemp()) / "limits.sqlite"
>>> storage = storage_from_string(f"sqlite:///{path}")
>>> storage.incr("k", expiry=60), storage.incr("k", expiry=60), storage.get("k")
(1, 2, 2)
>>> storage_from_string(f"sqlite:///{path}").get("k")   # another process or a restart sees the count
2
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from limits.storage import Storage

__all__ = ["SQLiteStorage"]


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite table (one row per key), safe across threads and processes."""

    STORAGE_SCHEME = ["sqlite"]  # noqa: RUF012 (the base class declares it as a list)

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: object):
        self.path = Path(urlsplit(uri).path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        with self._connection() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL, "
                               "expiry REAL NOT NULL)")

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        owner = (os.getpid(), self.path)  # never reuse a connection across a fork
        if getattr(self._local, "owner", None) != owner:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection, self._local.owner = connection, owner
        return self._local.connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("DELETE FROM counters WHERE key = ? AND expiry <= ?", (key, now))
            connection.execute("INSERT INTO counters (key, value, expiry) VALUES (?, ?, ?) "
                               "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                               (key, amount, now + expiry))
            value = connection.execute("SELECT value FROM counters WHERE key = ?", (key,)).fetchone()[0]
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        row = self._connection().execute("SELECT value FROM counters WHERE key = ? AND expiry > ?",
                                         (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expiry FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        with self._connection() as connection:
            return connection.execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
