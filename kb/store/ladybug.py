"""The embedded default store: LadybugDB, rebuilt from the Markdown, switched atomically.

Layout of a store folder::

    <store>/CURRENT                  names the generation readers open
    <store>/generations/<gen>/graph.lbug

A rebuild writes a new generation beside the current one, checks it, and only
then replaces ``CURRENT`` (``os.replace`` is atomic).  A failed or killed
rebuild leaves ``CURRENT`` naming the previous, complete generation; readers
holding an old generation keep working after a switch.

A small change (:func:`apply_change`, from ``kb.load.incremental``) is also a new generation:
the current database file and a copy of its write-ahead log, changed with parameterised Cypher in
one transaction, checked, then switched to.  LadybugDB rewrites whole column chunks at a checkpoint
(seconds at 10,000 cases, for one changed case), so the update is committed to the log and not
checkpointed: readers replay the log when they open the generation (about 0.7 ms per kB of log).
Since nothing but a checkpoint writes to the database file, the new generation's file is a hard
link to the current one (copying some 400 MB at 10,000 cases took most of a reload's time); only
a load that will checkpoint works on a real copy (:class:`GenerationCopy`).
Once the log has grown past :data:`MAX_WAL_BYTES` (some twenty edits), the load that passes it
also checkpoints; once checkpoints have grown the file past :data:`MAX_GROWTH` times its size after
the last full rebuild, the next load rebuilds.  Loads into one store run one at a time (:func:`load_lock`).
Each generation also holds the manifest of the files it was built from (``kb.store.manifest``).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import ladybug

from kb.graph.rows import GraphRows
from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES
from kb.problems import QueryError, StoreError
from kb.queries.catalogue import cypher_for
from kb.queries.console import ConsoleResult, check_read_only, engine_message, error_chars, read_capped
from kb.store.plan_check import check_ladybug_plan

if TYPE_CHECKING:
    from kb.store.manifest import Manifest, StoreChange

__all__ = ["GenerationCopy", "GenerationWriter", "LadybugStore", "apply_change", "current_generation",
           "current_manifest", "database_bytes", "ddl_statements", "needs_rebuild", "rebuild",
           "replace_manifest"]

POINTER = "CURRENT"
# Explicit dialect: LadybugDB otherwise sniffs it from the first rows and may miss later quoting.
_CSV_OPTIONS = "header=false, parallel=false, auto_detect=false, delim=',', quote='\"', escape='\"'"
KEEP_GENERATIONS = 3
#: Past this size of write-ahead log, an incremental load checkpoints (readers replay the log when they open).
MAX_WAL_BYTES = 1024 * 1024
#: Room left for one change's log entries when deciding to link rather than copy (one edit adds about 45 kB).
LINK_MARGIN = 256 * 1024
#: Past this multiple of its size after a full rebuild, a database file is rebuilt rather than added to.
MAX_GROWTH = 2.0


#: Address space each open database reserves (LadybugDB's default, 8 TiB, runs a process with
#: several stores open out of address space).
MAX_DB_BYTES = 64 * 1024**3


#: Bounds of a reader's buffer pool when ``KB_LADYBUG_BUFFER_MB`` does not set it.
READER_BUFFER_MIN = 256 * 1024**2
READER_BUFFER_MAX = 4 * 1024**3


#: Settings a query could change for the whole database, found by changing each one on one connection
#: and reading it on another (the others belong to the connection, and each console query has its own).
DATABASE_SETTINGS = ("spill_to_disk", "checkpoint_threshold", "auto_checkpoint", "force_checkpoint_on_close",
                     "debug_enable_multi_writes")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def preload_engine() -> None:
    """Import the engine's lazily loaded modules now (a confined worker can no longer read them later)."""
    from ladybug import _backend

    _backend.get_pybind_module()


def reader_buffer_bytes(database: Path | None = None) -> int:
    """Buffer pool of a read-only handle: ``$KB_LADYBUG_BUFFER_MB``, else sized to the database.

    LadybugDB's default takes most of the machine's memory, once per process; a site runs
    several worker processes side by side.  A pool smaller than the database fails the queries
    that read every node of a large table ("the buffer pool is full": at 10,000 cases the file is
    about 450 MB), so the default is twice the file's size, between 256 MB and 4 GB.  The pool
    is an upper bound: memory is only taken as pages are read.

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
    return max(READER_BUFFER_MIN, min(READER_BUFFER_MAX, 2 * size))


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


def rebuild(store: Path, rows: GraphRows, progress: Callable[[str], None] | None = None,
            manifest: Manifest | None = None) -> Path:
    """Write ``rows`` into a new generation and switch to it; return the new database path.

    ``manifest`` (``kb.store.manifest``) is kept with the generation so that later loads can be incremental.
    """
    generation = _generation_name()
    folder = store / "generations" / generation
    folder.mkdir(parents=True)
    try:
        _write_generation(folder, rows, progress or (lambda _step: None))
        _check_generation(folder / "graph.lbug", rows)
        if manifest is not None:
            _write_manifest(folder, manifest)
        _switch_pointer(store, generation)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _remove_old_generations(store, keep=generation)
    return folder / "graph.lbug"


def _generation_name() -> str:
    """Names sort in creation order, to the nanosecond (incremental loads can come quickly)."""
    now = time.time_ns()
    return f"{time.strftime('%Y%m%dT%H%M%S', time.localtime(now // 10**9))}.{now % 10**9:09d}-{uuid.uuid4().hex[:6]}"


def current_manifest(store: Path) -> Manifest | None:
    """The manifest of the current generation, or None (no generation, or one built without it)."""
    from kb.store.manifest import MANIFEST, read_manifest

    database = current_generation(store)
    return read_manifest(database.parent / MANIFEST) if database else None


def replace_manifest(store: Path, manifest: Manifest) -> None:
    """Replace the current generation's manifest (when only files' stat signatures moved)."""
    database = current_generation(store)
    if database is not None:
        _write_manifest(database.parent, manifest)


def _write_manifest(folder: Path, manifest: Manifest) -> None:
    from kb.store.manifest import MANIFEST, write_manifest

    temporary = folder / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
    write_manifest(temporary, manifest)
    os.replace(temporary, folder / MANIFEST)


@contextlib.contextmanager
def load_lock(store: Path) -> Iterator[None]:
    """Hold the store's load lock: loads (and compactions switching ``CURRENT``) run one at a time.

    A second ``graph_loader.py load`` into the same store waits for the first, so that it starts
    from the generation the first one made rather than overwriting it.  The lock is an advisory
    ``flock`` on ``<store>/load.lock``, released when the holder exits, however it exits.
    """
    store.mkdir(parents=True, exist_ok=True)
    with (store / "load.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def needs_rebuild(store: Path, built_bytes: int) -> bool:
    """True when there is no generation, or checkpoints have grown its file past :data:`MAX_GROWTH`
    times ``built_bytes`` (its size after the last full rebuild)."""
    database = current_generation(store)
    return database is None or database.stat().st_size > MAX_GROWTH * max(built_bytes, 1)


def database_bytes(store: Path) -> int:
    """The size of the current generation's database file."""
    database = current_generation(store)
    return database.stat().st_size if database else 0


class GenerationCopy:
    """A copy of the current generation (database file and log) being made in a new generation folder.

    :meth:`start` returns at once; the copy runs in a thread (the kernel does the work).  The
    database file is hard-linked, not copied, while the log is short enough that the change will not
    checkpoint (:data:`MAX_WAL_BYTES`, less :data:`LINK_MARGIN` for the change's own entries): with
    checkpoints off, LadybugDB writes a change to the log alone, so the linked file stays as the
    current generation's readers see it.  :func:`_apply_statements` never checkpoints a linked file.
    """

    def __init__(self, store: Path):
        self.source = current_generation(store)
        if self.source is None:
            raise StoreError(f"no graph has been loaded into {store} yet")
        self.generation = _generation_name()
        self.folder = store / "generations" / self.generation
        self.folder.mkdir(parents=True)
        self.target = self.folder / "graph.lbug"
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, name="kb-generation-copy", daemon=True)

    @classmethod
    def start(cls, store: Path) -> GenerationCopy:
        copy = cls(store)
        copy._thread.start()
        return copy

    def _copy(self) -> None:
        try:
            # Make room first (the new generation will be the newest); removing a large file takes a while too.
            generations = sorted((self.folder.parent).iterdir(), key=lambda p: p.name)
            for old in generations[:-KEEP_GENERATIONS]:
                if old.name not in (self.source.parent.name, self.generation):
                    shutil.rmtree(old, ignore_errors=True)
            wal = self.source.with_name(self.source.name + ".wal")
            log_bytes = wal.stat().st_size if wal.exists() else 0
            if log_bytes + LINK_MARGIN < MAX_WAL_BYTES:
                os.link(self.source, self.target)
            else:
                shutil.copyfile(self.source, self.target)
            if wal.exists():
                shutil.copyfile(wal, self.target.with_name(self.target.name + ".wal"))
        except BaseException as err:  # handed to the waiting thread
            self._error = err

    def wait(self) -> Path:
        self._thread.join()
        if self._error is not None:
            raise StoreError(f"could not copy the current generation: {self._error}") from self._error
        return self.target

    def discard(self) -> None:
        self._thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def apply_change(store: Path, change: StoreChange, manifest: Manifest, copy: GenerationCopy | None = None) -> Path:
    """Apply an incremental change to a copy of the current generation and switch to it.

    The copy is changed in one transaction; before it commits, its node and relationship totals
    are compared with the totals the change should give, and any difference rolls it back.  The
    commit goes to the write-ahead log (see the module docstring); only then is the generation
    named in ``CURRENT``.  On any failure the copy is removed and readers keep the previous one.
    """
    copy = copy or GenerationCopy.start(store)
    try:
        manifest_writer = threading.Thread(target=_write_manifest, args=(copy.folder, manifest), daemon=True)
        manifest_writer.start()  # pickling overlaps the database work, which runs outside the GIL
        _apply_statements(copy.wait(), change_statements(change), change.nodes, change.rels)
        manifest_writer.join()
        if not (copy.folder / _manifest_name()).exists():
            raise StoreError("could not write the manifest of the new generation")
        _switch_pointer(store, copy.generation)
    except BaseException:
        copy.discard()
        raise
    _remove_old_generations(store, keep=copy.generation)
    return copy.target


def _manifest_name() -> str:
    from kb.store.manifest import MANIFEST

    return MANIFEST


def _apply_statements(path: Path, statements: list[tuple[str, dict[str, Any]]], nodes: dict[str, int],
                      rels: dict[str, int]) -> None:
    database = ladybug.Database(str(path), auto_checkpoint=False, max_db_size=MAX_DB_BYTES)
    connection = ladybug.Connection(database)
    try:
        # Commit to the log only: a checkpoint would rewrite whole column chunks (see the module doc).
        connection.execute("CALL force_checkpoint_on_close=false")
        connection.execute("BEGIN TRANSACTION")
        for cypher, params in statements:
            connection.execute(cypher, params)
        found_nodes, found_rels = _totals(connection)
        if found_nodes != nodes or found_rels != rels:
            connection.execute("ROLLBACK")
            raise StoreError(f"changed store generation does not add up: nodes {nodes} expected, {found_nodes} "
                             f"found; relationships {rels} expected, {found_rels} found")
        connection.execute("COMMIT")
        wal = path.with_name(path.name + ".wal")
        # The log has grown: fold it in once, for every reader's sake; never into a file shared by
        # hard link with the previous generation (GenerationCopy links only while the log is short).
        if wal.exists() and wal.stat().st_size > MAX_WAL_BYTES and path.stat().st_nlink == 1:
            connection.execute("CHECKPOINT")
    except RuntimeError as err:
        raise StoreError(f"incremental update failed: {err}") from err
    finally:
        connection.close()
        database.close()


def _totals(connection: ladybug.Connection) -> tuple[dict[str, int], dict[str, int]]:
    """Nodes per label and relationships per type (zeros left out).

    One count per table: LadybugDB answers those from table statistics (about 40 ms for all of
    them at 10,000 cases), where one ``MATCH ()-[r]->()`` grouped by type scans every relationship.
    """
    def count(cypher: str) -> int:
        return connection.execute(cypher).get_next()[0]

    nodes = {label: count(f"MATCH (n:{label}) RETURN count(*)") for label in NODE_PROPERTIES}
    rels = {rel_type: count(f"MATCH ()-[r:{rel_type}]->() RETURN count(*)") for rel_type in REL_ENDPOINTS}
    return {k: v for k, v in nodes.items() if v}, {k: v for k, v in rels.items() if v}


def change_statements(change: StoreChange) -> list[tuple[str, dict[str, Any]]]:
    """Parameterised Cypher for a change, in the order :class:`kb.store.manifest.StoreChange` describes.

    Labels, types and property names come from the graph schema; every value is a parameter.
    One statement per node and relationship: LadybugDB finds ``{id: $id}`` through the primary-key
    index (about a millisecond), whereas ``UNWIND $rows ... MATCH (b {id: row.id})`` joins against
    a scan of the whole table (a fifth of a second for the sources of 10,000 cases).
    """
    statements: list[tuple[str, dict[str, Any]]] = [
        ("MATCH (o:Organisation {id: $id})-[r]->() DELETE r", {"id": org_id}) for org_id in change.rewired]
    if change.files:
        for label in ("View", "Claim", "Figure"):
            statements.append((f"MATCH (n:{label}) WHERE n.file IN $files DETACH DELETE n", {"files": change.files}))
    for label, ids in change.removed.items():
        statements += [(f"MATCH (n:{label} {{id: $id}}) DETACH DELETE n", {"id": node_id}) for node_id in ids]
    for label, rows in change.upserts.items():
        props = NODE_PROPERTIES[label]
        sets = ", ".join(f"n.{name} = {_typed(name, kind)}" for name, kind in props.items() if name != "id")
        statements += [(f"MERGE (n:{label} {{id: $id}}) SET {sets}", _params(row, props)) for row in rows]
    for label, rows in change.rows.nodes.items():
        props = NODE_PROPERTIES[label]
        values = ", ".join(f"{name}: {_typed(name, kind)}" for name, kind in props.items())
        statements += [(f"CREATE (n:{label} {{{values}}})", _params(row, props)) for row in rows]
    values = ", ".join(f"{name}: {_typed(name, kind)}" for name, kind in REL_PROPERTIES.items())
    for rel in change.rows.rels:
        statements.append((f"MATCH (a:{rel.start_label} {{id: $from_id}}), (b:{rel.end_label} {{id: $to_id}}) "
                           f"CREATE (a)-[:{rel.type} {{{values}}}]->(b)",
                           {"from_id": rel.start, "to_id": rel.end, **_params(rel.props, REL_PROPERTIES)}))
    return statements


def _typed(name: str, kind: str) -> str:
    # Casts: a null (or an empty list) would otherwise be typed as the parameter's guess, not the column's.
    return f"CAST(${name} AS {kind})"


def _params(row: dict[str, Any], props: dict[str, str]) -> dict[str, Any]:
    """Values as a bulk load stores them: COPY reads an empty string as null."""
    return {name: (None if row.get(name) == "" else list(row[name]) if kind == "STRING[]" and row.get(name) is not None
                   else row.get(name)) for name, kind in props.items()}


def _write_generation(folder: Path, rows: GraphRows, progress: Callable[[str], None]) -> None:
    staging = _Staging(folder / "csv")
    staging.add(rows)
    staging.copy_into(folder / "graph.lbug", progress)


class StagedPart(NamedTuple):
    """What one writer of staging files wrote: rows per label and per relationship table, and its files."""

    nodes: dict[str, int]
    rels: dict[tuple[str, str, str], int]
    files: dict[str, list[str]]


class _Staging:
    """CSV files, one per node table and per relationship table (and end labels), filled as rows come.

    A bulk load (COPY) reads them once every row is there; :class:`GenerationWriter` adds rows
    chunk by chunk, so a large load never holds them all in memory.  Rows added with a ``part``
    name go to files of their own, so that worker processes can each write theirs (see
    :meth:`part_writer`); the bulk load reads a table's files in the order they were merged.
    """

    def __init__(self, folder: Path, create: bool = True):
        self.folder = folder
        if create:
            folder.mkdir()
        self.nodes: dict[str, int] = {}  # label -> rows, in the order labels first came
        self.rels: dict[tuple[str, str, str], int] = {}  # (type, start label, end label) -> rows
        self.files: dict[str, list[str]] = {}  # table -> its staging files, in loading order

    def part_writer(self) -> _Staging:
        """A writer of more staging files into this folder, for another process; see :meth:`merge`."""
        return _Staging(self.folder, create=False)

    def _append(self, name: str, part: str, rows: Any) -> None:
        filename = f"{name}.{part}.csv" if part else f"{name}.csv"
        files = self.files.setdefault(name, [])
        if filename not in files:
            files.append(filename)
        with (self.folder / filename).open("a", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)

    def add(self, rows: GraphRows, part: str = "") -> None:
        for label, nodes in rows.nodes.items():
            self.nodes[label] = self.nodes.get(label, 0) + len(nodes)
            cells = _cells(NODE_PROPERTIES[label])
            self._append(label, part, (cells(node) for node in nodes))
        by_table: dict[tuple[str, str, str], list] = defaultdict(list)
        for rel in rows.rels:
            by_table[(rel.type, rel.start_label, rel.end_label)].append(rel)
        cells = _cells(REL_PROPERTIES)
        for table, rels in by_table.items():
            self.rels[table] = self.rels.get(table, 0) + len(rels)
            self._append("_".join(table), part, ([rel.start, rel.end, *cells(rel.props)] for rel in rels))

    def written(self) -> StagedPart:
        return StagedPart(self.nodes, self.rels, self.files)

    def merge(self, part: StagedPart) -> None:
        """Count in (and load, in this order) the files another writer wrote."""
        for label, count in part.nodes.items():
            self.nodes[label] = self.nodes.get(label, 0) + count
        for table, count in part.rels.items():
            self.rels[table] = self.rels.get(table, 0) + count
        for name, filenames in part.files.items():  # each part writes files of its own name
            self.files.setdefault(name, []).extend(filenames)

    def _sources(self, name: str) -> str:
        paths = [f"'{_quote_path(self.folder / filename)}'" for filename in self.files[name]]
        return paths[0] if len(paths) == 1 else f"[{', '.join(paths)}]"

    def copy_into(self, database_path: Path, progress: Callable[[str], None]) -> None:
        database = ladybug.Database(str(database_path), max_db_size=MAX_DB_BYTES)
        connection = ladybug.Connection(database)
        try:
            for statement in ddl_statements():
                connection.execute(statement)
            for label, count in self.nodes.items():
                if count:
                    progress(f"{label} ({count})")
                    connection.execute(f"COPY {label} FROM {self._sources(label)} ({_CSV_OPTIONS})")
            for (rel_type, start, end), count in self.rels.items():
                if not count:
                    continue
                progress(f"{rel_type} {start}->{end} ({count})")
                many_pairs = len(REL_ENDPOINTS[rel_type]) > 1
                options = f", from='{start}', to='{end}'" if many_pairs else ""
                connection.execute(f"COPY {rel_type} FROM {self._sources(f'{rel_type}_{start}_{end}')} "
                                   f"({_CSV_OPTIONS}{options})")
        finally:
            connection.close()
            database.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class GenerationWriter:
    """A new generation written from rows given chunk by chunk (a full load of many cases).

    ``add`` appends rows to the staging CSV files; ``finish`` bulk-loads them, checks the node
    counts, keeps the manifest and switches ``CURRENT``, as :func:`rebuild` does.  ``discard``
    (or any failure in ``finish``) removes the half-written generation.
    """

    def __init__(self, store: Path):
        self.store = store
        self.generation = _generation_name()
        self.folder = store / "generations" / self.generation
        self.folder.mkdir(parents=True)
        self.staging = _Staging(self.folder / "csv")

    def add(self, rows: GraphRows) -> None:
        self.staging.add(rows)

    def part_writer(self) -> _Staging:
        """A writer of staging files for another process: it ``add``s rows, then reports what it ``written()``."""
        return self.staging.part_writer()

    def merge(self, part: StagedPart) -> None:
        """Take in the rows another process wrote with a :meth:`part_writer`."""
        self.staging.merge(part)

    def totals(self) -> tuple[dict[str, int], dict[str, int]]:
        """Nodes per label and relationships per type added so far."""
        rels: dict[str, int] = defaultdict(int)
        for (rel_type, _start, _end), count in self.staging.rels.items():
            rels[rel_type] += count
        return {k: v for k, v in self.staging.nodes.items() if v}, {k: v for k, v in rels.items() if v}

    def finish(self, manifest: Manifest | None = None, progress: Callable[[str], None] | None = None) -> Path:
        try:
            self.staging.copy_into(self.folder / "graph.lbug", progress or (lambda _step: None))
            _check_node_counts(self.folder / "graph.lbug", self.staging.nodes)
            if manifest is not None:
                manifest.built_bytes = (self.folder / "graph.lbug").stat().st_size
                _write_manifest(self.folder, manifest)
            _switch_pointer(self.store, self.generation)
        except BaseException:
            self.discard()
            raise
        _remove_old_generations(self.store, keep=self.generation)
        return self.folder / "graph.lbug"

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _cells(props: dict[str, str]) -> Callable[[dict[str, Any]], list[Any]]:
    """A row's CSV cells, each converted as :func:`_cell` would, but chosen once per column type.

    Strings need nothing (``GraphRows`` stores "" for a missing one); writing the staging files is
    a good part of a large load, so the per-value type tests are worth saving.
    """
    columns = [(name, None if kind == "STRING" else _cell) for name, kind in props.items()]
    return lambda row: [row[name] if convert is None else convert(row[name]) for name, convert in columns]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "[" + ",".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value


def _quote_path(path: Path) -> str:
    return str(path).replace("\\", "/").replace("'", "\\'")


def _check_generation(path: Path, rows: GraphRows) -> None:
    """Open the new database read-only and compare node counts with what was written."""
    _check_node_counts(path, rows.counts()[0])


def _check_node_counts(path: Path, expected: dict[str, int]) -> None:
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

    def __init__(self, store: Path, fixed: Path | None = None, max_db_bytes: int = MAX_DB_BYTES):
        self.store = Path(store)
        self._fixed = fixed
        self._max_db_bytes = max_db_bytes
        self._settings: dict[str, str] | None = None
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
                                                  buffer_pool_size=reader_buffer_bytes(target),
                                                  max_db_size=max(self._max_db_bytes, 2 * _size(target)))
                self._settings = None
                self._path = target
                self._local = threading.local()
            connection = getattr(self._local, "connection", None)
            if connection is None:
                connection = ladybug.Connection(self._database)
                self._local.connection = connection
            return connection

    def version(self) -> str:
        """The generation readers are switched to now (a new one with every load)."""
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

    def counts(self) -> dict[str, int]:
        rows = self.run("MATCH (n) RETURN label(n) AS label, count(*) AS n")
        return {row["label"]: row["n"] for row in rows}

    def close(self) -> None:
        with self._lock:
            self._database = None
            self._path = None
            self._local = threading.local()
