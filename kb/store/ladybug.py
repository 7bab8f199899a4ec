"""The embedded default store: LadybugDB, rebuilt from the Markdown, switched atomically.

Layout of a store folder::

    <store>/CURRENT                  names the generation readers open
    <store>/generations/<gen>/graph.lbug

A rebuild writes a new generation beside the current one, checks it, and only
then replaces ``CURRENT`` (``os.replace`` is atomic).  A failed or killed
rebuild leaves ``CURRENT`` naming the previous, complete generation; readers
holding an old generation keep working after a switch.
"""

from __future__ import annotations

import csv
import os
import shutil
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ladybug

from ..console import ConsoleResult, check_read_only, plain_value
from ..graph import GraphRows
from ..graph_schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES
from ..problems import QueryError, StoreError
from ..queries import cypher_for

__all__ = ["LadybugStore", "current_generation", "ddl_statements", "rebuild"]

POINTER = "CURRENT"
# Explicit dialect: LadybugDB otherwise sniffs it from the first rows and may miss later quoting.
_CSV_OPTIONS = "header=false, parallel=false, auto_detect=false, delim=',', quote='\"', escape='\"'"
KEEP_GENERATIONS = 3


#: Address space each open database reserves (LadybugDB's default, 8 TiB, runs a process with
#: several stores open out of address space).
MAX_DB_BYTES = 64 * 1024**3


def reader_buffer_bytes() -> int:
    """Buffer pool of a read-only handle: ``$KB_LADYBUG_BUFFER_MB`` (default 256 MB).

    LadybugDB's default takes most of the machine's memory, once per process; a site runs
    several worker processes side by side.
    """
    return int(os.environ.get("KB_LADYBUG_BUFFER_MB", "256")) * 1024 * 1024


def ddl_statements() -> list[str]:
    """CREATE statements for every node and relationship table of the graph schema."""
    statements = []
    for label, props in NODE_PROPERTIES.items():
        columns = ", ".join(f"{name} {kind}" for name, kind in props.items())
        statements.append(f"CREATE NODE TABLE {label}({columns}, PRIMARY KEY (id))")
    rel_columns = ", ".join(f"{name} {kind}" for name, kind in REL_PROPERTIES.items())
    for rel_type, pairs in REL_ENDPOINTS.items():
        ends = ", ".join(f"FROM {a} TO {b}" for a, b in pairs)
        statements.append(f"CREATE REL TABLE {rel_type}({ends}, {rel_columns})")
    return statements


def current_generation(store: Path) -> Path | None:
    """The database file the pointer names, or None when nothing was loaded yet."""
    pointer = store / POINTER
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    path = store / "generations" / name / "graph.lbug"
    return path if path.exists() else None


def rebuild(store: Path, rows: GraphRows, progress: Callable[[str], None] | None = None) -> Path:
    """Write ``rows`` into a new generation and switch to it; return the new database path."""
    generation = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    folder = store / "generations" / generation
    folder.mkdir(parents=True)
    try:
        _write_generation(folder, rows, progress or (lambda _step: None))
        _check_generation(folder / "graph.lbug", rows)
        _switch_pointer(store, generation)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _remove_old_generations(store, keep=generation)
    return folder / "graph.lbug"


def _write_generation(folder: Path, rows: GraphRows, progress: Callable[[str], None]) -> None:
    staging = folder / "csv"
    staging.mkdir()
    database = ladybug.Database(str(folder / "graph.lbug"), max_db_size=MAX_DB_BYTES)
    connection = ladybug.Connection(database)
    try:
        for statement in ddl_statements():
            connection.execute(statement)
        for label, nodes in rows.nodes.items():
            progress(f"{label} ({len(nodes)})")
            csv_path = staging / f"{label}.csv"
            _write_csv(csv_path, ([_cell(node[key]) for key in NODE_PROPERTIES[label]] for node in nodes))
            connection.execute(f"COPY {label} FROM '{_quote_path(csv_path)}' ({_CSV_OPTIONS})")
        by_table: dict[tuple[str, str, str], list] = defaultdict(list)
        for rel in rows.rels:
            by_table[(rel.type, rel.start_label, rel.end_label)].append(rel)
        for (rel_type, start, end), rels in by_table.items():
            progress(f"{rel_type} {start}->{end} ({len(rels)})")
            csv_path = staging / f"{rel_type}_{start}_{end}.csv"
            _write_csv(csv_path, ([rel.start, rel.end, *(_cell(rel.props[k]) for k in REL_PROPERTIES)]
                                  for rel in rels))
            many_pairs = len(REL_ENDPOINTS[rel_type]) > 1
            options = f", from='{start}', to='{end}'" if many_pairs else ""
            connection.execute(f"COPY {rel_type} FROM '{_quote_path(csv_path)}' "
                               f"({_CSV_OPTIONS}{options})")
    finally:
        connection.close()
        database.close()
    shutil.rmtree(staging, ignore_errors=True)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "[" + ",".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value


def _write_csv(path: Path, rows: Any) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _quote_path(path: Path) -> str:
    return str(path).replace("\\", "/").replace("'", "\\'")


def _check_generation(path: Path, rows: GraphRows) -> None:
    """Open the new database read-only and compare node counts with what was written."""
    expected, _ = rows.counts()
    store = LadybugStore.open_file(path)
    try:
        found = store.counts()
    finally:
        store.close()
    missing = {label: n for label, n in expected.items() if found.get(label) != n}
    if missing:
        raise StoreError(f"new store generation is incomplete: {missing} expected, {found} found")


def _switch_pointer(store: Path, generation: str) -> None:
    temporary = store / f"{POINTER}.{uuid.uuid4().hex}.tmp"
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, store / POINTER)


def _remove_old_generations(store: Path, keep: str) -> None:
    """Keep the newest few generations: readers may still hold the previous one."""
    generations = sorted((store / "generations").iterdir(), key=lambda p: p.name)
    for old in generations[:-KEEP_GENERATIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


class LadybugStore:
    """Read access to the current generation; reopens when a rebuild switched it."""

    backend = "ladybug"

    def __init__(self, store: Path, fixed: Path | None = None):
        self.store = Path(store)
        self._fixed = fixed
        self._lock = threading.Lock()
        self._local = threading.local()
        self._path: Path | None = None
        self._database: ladybug.Database | None = None

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
                self._database = ladybug.Database(str(target), read_only=True,
                                                  buffer_pool_size=reader_buffer_bytes(),
                                                  max_db_size=MAX_DB_BYTES)
                self._path = target
                self._local = threading.local()
            connection = getattr(self._local, "connection", None)
            if connection is None:
                connection = ladybug.Connection(self._database)
                self._local.connection = connection
            return connection

    @property
    def generation(self) -> str:
        self._connection()
        return self._path.parent.name if self._path else ""

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run Cypher and return rows as dicts (column name -> value)."""
        connection = self._connection()
        try:
            result = connection.execute(cypher, params or {})
        except RuntimeError as err:
            raise QueryError(str(err)) from err
        columns = result.get_column_names()
        rows = []
        while result.has_next():
            rows.append(dict(zip(columns, result.get_next(), strict=False)))
        return rows

    def run_readonly(self, cypher: str, params: dict[str, Any] | None = None, *, timeout_ms: int = 5000,
                     row_cap: int = 1000) -> ConsoleResult:
        """Run a researcher's query: guarded, on the read-only database, with a time limit and a row cap."""
        check_read_only(cypher)
        connection = ladybug.Connection(self._database_for_reading())
        connection.set_query_timeout(timeout_ms)
        started = time.perf_counter()
        try:
            result = connection.execute(cypher, params or {})
            columns = result.get_column_names()
            rows, truncated = [], False
            while result.has_next():
                if len(rows) == row_cap:
                    truncated = True
                    break
                rows.append([plain_value(v) for v in result.get_next()])
        except RuntimeError as err:
            message = str(err)
            if "Interrupted" in message:
                message = f"The query ran longer than {timeout_ms / 1000:g} s and was stopped."
            raise QueryError(message) from err
        finally:
            connection.close()
        return ConsoleResult(columns, rows, truncated, (time.perf_counter() - started) * 1000)

    def _database_for_reading(self) -> ladybug.Database:
        self._connection()  # opens (or switches to) the current generation, read-only
        return self._database

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        return self.run(cypher_for(name, self.backend), params)

    def counts(self) -> dict[str, int]:
        rows = self.run("MATCH (n) RETURN label(n) AS label, count(*) AS n")
        return {row["label"]: row["n"] for row in rows}

    def close(self) -> None:
        with self._lock:
            self._database = None
            self._path = None
            self._local = threading.local()
