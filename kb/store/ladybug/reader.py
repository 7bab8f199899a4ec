"""Reading the embedded store: :class:`LadybugStore` opens the generation ``CURRENT`` names, read-only.

It follows a switch by itself (the next query opens the new generation; connections to the old
one stay valid), runs the named queries and, for the console, a visitor's query with limits.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import ladybug

from kb.problems import QueryError, StoreError
from kb.queries.catalogue import cypher_for
from kb.queries.console import ConsoleResult, check_read_only, engine_message, error_chars, read_capped
from kb.store.ladybug.generations import MAX_DB_BYTES, current_generation, file_size
from kb.store.plan_check import check_ladybug_plan

__all__ = ["DATABASE_SETTINGS", "LOAD_BUFFER_DEFAULT", "LadybugStore", "larger_reader_buffer", "load_buffer_bytes",
           "preload_engine", "reader_buffer_bytes"]

#: Bounds of a reader's first buffer pool when ``KB_LADYBUG_BUFFER_MB`` does not set it, and the largest it
#: grows to when a query does not fit (:meth:`LadybugStore.run`).
READER_BUFFER_MIN = 256 * 1024**2
READER_BUFFER_FIRST_MAX = 1024**3
READER_BUFFER_MAX = 4 * 1024**3
#: What LadybugDB says when a query needs more pages than its buffer pool holds.
POOL_FULL = "The buffer pool is full"
#: Buffer pool of a load's writable handle when ``KB_LADYBUG_LOAD_BUFFER_MB`` does not set it.
LOAD_BUFFER_DEFAULT = 1536 * 1024**2


#: Settings a query could change for the whole database, found by changing each one on one connection
#: and reading it on another (the others belong to the connection, and each console query has its own).
DATABASE_SETTINGS = ("spill_to_disk", "checkpoint_threshold", "auto_checkpoint", "force_checkpoint_on_close",
                     "debug_enable_multi_writes")


def preload_engine() -> None:
    """Import the engine's lazily loaded modules now (a confined worker can no longer read them later)."""
    from ladybug import _backend

    _backend.get_pybind_module()


def reader_buffer_bytes(database: Path | None = None) -> int:
    """First buffer pool of a read-only handle: ``$KB_LADYBUG_BUFFER_MB``, else sized to the database, at most 1 GB.

    LadybugDB's default takes most of the machine's memory, once per process; a site runs
    several worker processes side by side, and a pool keeps every page it read until it is full.  A
    pool smaller than what one query holds fails it ("the buffer pool is full"): at 10,000 cases the
    file is about 450 MB, and the first pool is twice the file's size, between 256 MB and
    :data:`READER_BUFFER_FIRST_MAX`; a named query that does not fit opens the database again with
    twice the pool, up to :data:`READER_BUFFER_MAX` (:meth:`LadybugStore.run`).  On a 100,000-case
    store just fully loaded every named query the site needs fits in 1 GB (the query of every case's
    page text is read a page at a time, :func:`kb.analysis.search_store.organisation_texts`), but
    after a few incremental loads even ``MATCH (o:Organisation) RETURN o.id`` did not: a reader
    replays the write-ahead log of those loads, and an update to one organisation brings its node
    group, with the pages' text of up to 131,072 cases, into the pool.  ``$KB_LADYBUG_BUFFER_MB``
    fixes the pool (no growing).

    >>> reader_buffer_bytes() // 1024**2
    256
    """
    configured = os.environ.get("KB_LADYBUG_BUFFER_MB")
    if configured:
        return int(configured) * 1024 * 1024
    try:
        size = database.stat().st_size if database else 0
    except OSError:
        size = 0
    return max(READER_BUFFER_MIN, min(READER_BUFFER_FIRST_MAX, 2 * size))


def larger_reader_buffer(pool: int) -> int | None:
    """The pool to open again with after a query did not fit in ``pool``: twice it, up to :data:`READER_BUFFER_MAX`;
    None when it is that already or ``$KB_LADYBUG_BUFFER_MB`` fixes it.

    >>> larger_reader_buffer(600 * 1024**2) // 1024**2, larger_reader_buffer(3 * 1024**3) // 1024**2
    (1200, 4096)
    """
    if os.environ.get("KB_LADYBUG_BUFFER_MB") or pool >= READER_BUFFER_MAX:
        return None
    return min(2 * pool, READER_BUFFER_MAX)


def load_buffer_bytes() -> int:
    """Buffer pool of the handle a load writes a generation with: ``$KB_LADYBUG_LOAD_BUFFER_MB``, else 1,536 MB.

    LadybugDB's default is 80% of the machine's memory, and a bulk load fills what it is given:
    it made most of a 100,000-case load's 3 GB peak.  What a bulk load needs is set by the
    organisations' table, whose pages' text (about 7.5 kB a case) is rewritten by the checkpoint
    after each COPY: copied 10,000 at a time, 512 MB failed at 20,000 of them, while 768 MB took
    80,000 in 936 MB of RSS and 1 GB in 1,044 MB, no more from 30,000 on (measured on the
    synthetic corpus); but a whole load of 20,000 cases, checkpointing every 64 MB of staging files,
    did not fit in 768 MB and started again in 1,536 MB (peak 1,450 MB with its Python).  A bulk
    load that does not fit starts again in twice the pool (``kb.store.ladybug.writer``).

    >>> load_buffer_bytes() // 1024**2
    1536
    """
    configured = os.environ.get("KB_LADYBUG_LOAD_BUFFER_MB", "").strip()
    if not configured:
        return LOAD_BUFFER_DEFAULT
    if not configured.isdecimal() or not 64 <= int(configured) <= 1024**2:
        raise StoreError(f"KB_LADYBUG_LOAD_BUFFER_MB is {configured!r}: write the load's buffer pool in megabytes, "
                         "a whole number from 64 (e.g. 512), or unset it for the default")
    return int(configured) * 1024 * 1024


class LadybugStore:
    """Read access to the current generation; reopens when a rebuild switched it."""

    backend = "ladybug"

    def __init__(self, store: Path, fixed: Path | None = None, max_db_bytes: int = MAX_DB_BYTES):
        self.store = Path(store)
        self._fixed = fixed
        self._max_db_bytes = max_db_bytes
        self._settings: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._path: Path | None = None
        self._database: ladybug.Database | None = None
        self._pool = 0

    @classmethod
    def open_file(cls, path: Path) -> LadybugStore:
        """Read one database file, ignoring the pointer (used to check a new generation)."""
        return cls(path.parent, fixed=path)

    def _connection(self) -> ladybug.Connection:
        with self._lock:
            target = self._fixed or current_generation(self.store)
            if target is None:
                raise StoreError(f"no graph has been loaded into {self.store} yet; "
                                 "run: python graph_loader.py load")
            if target != self._path:
                # A rebuild switched generations: open the new one; old connections stay valid.
                self._open(target, reader_buffer_bytes(target))
            connection = getattr(self._local, "connection", None)
            if connection is None:
                connection = ladybug.Connection(self._database)
                self._local.connection = connection
                self._local.database = self._database
            return connection

    @property
    def buffer_pool_bytes(self) -> int:
        """The buffer pool of the database open now (0 before the first query)."""
        return self._pool

    def _open(self, target: Path, pool: int) -> None:
        """Open ``target`` read-only with a pool of ``pool`` bytes, or larger if replaying its log does not fit
        (the caller holds the lock)."""
        while True:
            try:
                database = ladybug.Database(str(target), read_only=True, buffer_pool_size=pool,
                                            max_db_size=max(self._max_db_bytes, 2 * file_size(target)))
                break
            except RuntimeError as err:
                larger = larger_reader_buffer(pool) if POOL_FULL in str(err) else None
                if larger is None:
                    raise
                pool = larger
        self._database = database
        self._pool = pool
        self._settings = None
        self._path = target
        self._local = threading.local()

    def _grow_pool(self, failed_on: ladybug.Database | None) -> bool:
        """Open the database again with a larger pool after a query did not fit in ``failed_on``'s; False when it
        cannot grow.  Another thread may have grown it (or followed a switch) meanwhile: then just try again."""
        with self._lock:
            if self._database is not failed_on:
                return True
            larger = larger_reader_buffer(self._pool)
            if larger is None or self._path is None:
                return False
            self._open(self._path, larger)
            return True

    def version(self) -> str:
        """The generation readers are switched to now (a new one with every load)."""
        self._connection()
        return self._path.parent.name if self._path else ""

    def reading(self) -> AbstractContextManager[None]:
        """Nothing to share: each thread keeps its own connection already, and the version is one small file read."""
        return nullcontext()

    def derived_folder(self, version: str) -> Path | None:
        """``derived`` in the generation folder of ``version`` (removed with it), if readers are on it now."""
        with self._lock:
            path = self._path
        return path.parent / "derived" if path is not None and path.parent.name == version and version else None

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run Cypher and return rows as dicts (column name -> value).

        A query that does not fit in the buffer pool runs again in twice the pool (up to
        :data:`READER_BUFFER_MAX`): a read has no effect to undo, and the pool stays small for the
        readers that never need more."""
        return list(self._rows(cypher, params))

    def _rows(self, cypher: str, params: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
        while True:
            connection = self._connection()
            try:
                result = connection.execute(cypher, params or {})
                break
            except RuntimeError as err:
                if POOL_FULL not in str(err) or not self._grow_pool(getattr(self._local, "database", None)):
                    raise QueryError(str(err)) from err
        columns = result.get_column_names()
        while result.has_next():
            yield dict(zip(columns, result.get_next(), strict=False))

    def run_readonly(self, cypher: str, params: dict[str, Any] | None = None, *, timeout_ms: int = 5000,
                     row_cap: int = 1000, byte_cap: int = 0) -> ConsoleResult:
        """Run a researcher's query on the read-only database, with a time limit, a row cap and a byte cap.

        The text check gives a friendly first refusal; what decides is the engine's own plan of the
        query (:func:`kb.store.plan_check.check_ladybug_plan`: read operators and catalogue
        functions only).  The site runs this in a confined worker process (:mod:`kb.store.console_pool`):
        planning alone can crash the engine on some calls.
        """
        check_read_only(cypher)
        connection = ladybug.Connection(self.warm())
        connection.set_query_timeout(timeout_ms)
        started = time.perf_counter()
        try:
            planned = connection.execute("EXPLAIN " + cypher, params or {})
            if isinstance(planned, list):
                raise QueryError("Run one statement at a time (remove the ';' between statements).")
            check_ladybug_plan(planned.get_next()[0] if planned.has_next() else "")
            result = connection.execute(cypher, params or {})
            columns = result.get_column_names()
            rows, truncated, notes = read_capped(result, row_cap, byte_cap)
        except RuntimeError as err:
            raise QueryError(engine_message(str(err), timeout_ms, limit=error_chars(byte_cap))) from err
        finally:
            connection.close()
        return ConsoleResult(columns, rows, truncated, (time.perf_counter() - started) * 1000, notes)

    def warm(self) -> ladybug.Database:
        """Open (or switch to) the current generation and note its database-wide settings."""
        database = self._database_for_reading()
        if self._settings is None:
            self._settings = self._database_settings()
        return database

    def settings_changed(self) -> bool:
        """Whether a query changed a database-wide setting since the handle was opened.

        Connection settings die with the connection (each console query has its own); database
        settings (``CALL spill_to_disk=false``) would persist for later visitors, so the worker
        closes the handle when this is true and the next query reopens it.
        """
        if self._database is None or self._settings is None:
            return False
        try:
            return self._database_settings() != self._settings
        except RuntimeError:
            return True

    def _database_settings(self) -> dict[str, str]:
        connection = ladybug.Connection(self._database)
        try:
            return {name: str(connection.execute(f"CALL current_setting('{name}') RETURN *").get_next()[0])
                    for name in DATABASE_SETTINGS}
        finally:
            connection.close()

    def _database_for_reading(self) -> ladybug.Database:
        self._connection()  # opens (or switches to) the current generation, read-only
        return self._database

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        return self.run(cypher_for(name, self.backend), params)

    def stream(self, name: str, **params: Any) -> Iterator[dict[str, Any]]:
        """The rows of :meth:`query`, one at a time: the engine holds the answer, Python one row of it."""
        return self._rows(cypher_for(name, self.backend), params)

    def counts(self) -> dict[str, int]:
        rows = self.run("MATCH (n) RETURN label(n) AS label, count(*) AS n")
        return {row["label"]: row["n"] for row in rows}

    def close(self) -> None:
        with self._lock:
            self._database = None
            self._path = None
            self._pool = 0
            self._local = threading.local()
