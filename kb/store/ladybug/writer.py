"""Writing a whole generation: rows to staging CSV files, bulk-loaded (COPY), checked, switched to.

:func:`rebuild` writes rows given at once; :class:`GenerationWriter` takes them chunk by chunk,
also from worker processes (each writes staging files of its own, :meth:`GenerationWriter.part_writer`),
so a large load never holds every row in memory.
"""

from __future__ import annotations

import shutil
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import ladybug

from kb.graph.rows import GraphRows
from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES
from kb.problems import StoreError
from kb.store.ladybug.generations import (
    MAX_DB_BYTES,
    generation_name,
    remove_old_generations,
    switch_pointer,
    write_manifest,
)
from kb.store.ladybug.reader import LadybugStore, load_buffer_bytes

if TYPE_CHECKING:
    from kb.store.manifest import Manifest

__all__ = ["GenerationWriter", "StagedPart", "check_generation", "csv_text", "ddl_statements", "rebuild"]

# Explicit dialect: LadybugDB otherwise sniffs it from the first rows and may miss later quoting.
_CSV_OPTIONS = "header=false, parallel=false, auto_detect=false, delim=',', quote='\"', escape='\"'"
#: Staging files one COPY reads at most (a full load writes one per table and chunk of 250 cases): a
#: bulk load holds what it reads, so a table of 100,000 cases goes in by tens of thousands of cases.
COPY_BATCH_FILES = 40
#: The largest buffer pool a bulk load grows its pool to when it does not fit (see :meth:`_Staging.copy_into`).
MAX_LOAD_BUFFER = 8 * 1024**3
#: Staging bytes a bulk load copies between two checkpoints (far below its buffer pool).
CHECKPOINT_AFTER_BYTES = 64 * 1024**2


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


def rebuild(store: Path, rows: GraphRows, progress: Callable[[str], None] | None = None,
            manifest: Manifest | None = None) -> Path:
    """Write ``rows`` into a new generation and switch to it; return the new database path.

    ``manifest`` (``kb.store.manifest``) is kept with the generation so that later loads can be incremental.
    """
    generation = generation_name()
    folder = store / "generations" / generation
    folder.mkdir(parents=True)
    try:
        _write_generation(folder, rows, progress or (lambda _step: None))
        check_generation(folder / "graph.lbug", rows)
        if manifest is not None:
            write_manifest(folder, manifest)
        switch_pointer(store, generation)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    remove_old_generations(store, keep=generation)
    return folder / "graph.lbug"


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
            handle.write(csv_text(rows))

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
            self._append("_".join(table), part, ((rel.start, rel.end, *cells(rel.props)) for rel in rels))

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

    def _sources(self, name: str) -> list[tuple[str, int]]:
        """What each COPY of a table reads: its staging files, at most :data:`COPY_BATCH_FILES` at a time,
        and their size in bytes."""
        paths = [self.folder / filename for filename in self.files[name]]
        batches = [paths[i:i + COPY_BATCH_FILES] for i in range(0, len(paths), COPY_BATCH_FILES)]
        return [(_file_list(batch), sum(path.stat().st_size for path in batch)) for batch in batches]

    def copy_into(self, database_path: Path, progress: Callable[[str], None]) -> None:
        """Bulk-load every table into a new database at ``database_path``, in a bounded buffer pool.

        Should the pool (:func:`kb.store.ladybug.load_buffer_bytes`) be too small for a COPY or a
        checkpoint ("the buffer pool is full"), the database is removed and the bulk load starts
        again with twice the pool, up to :data:`MAX_LOAD_BUFFER`.  Not a retry of the statement: a
        checkpoint that failed that way lost a COPY committed before it (on reopening, 30,000 of
        40,000 organisations were there).
        """
        pool = load_buffer_bytes()
        while True:
            try:
                self._copy_all(_BulkLoad(database_path, pool), progress)
                break
            except RuntimeError as err:
                if "buffer pool is full" not in str(err) or pool * 2 > MAX_LOAD_BUFFER:
                    raise
                pool *= 2
                warnings.warn(f"the bulk load needed a larger buffer pool: starting again with {pool // 1024**2} MB "
                              "(KB_LADYBUG_LOAD_BUFFER_MB sets where it starts)", RuntimeWarning, stacklevel=2)
                for leftover in database_path.parent.glob(database_path.name + "*"):
                    leftover.unlink()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _copy_all(self, database: _BulkLoad, progress: Callable[[str], None]) -> None:
        try:
            for statement in ddl_statements():
                database.execute(statement)
            for label, count in self.nodes.items():
                if count:
                    progress(f"{label} ({count})")
                    for files, size in self._sources(label):
                        database.execute(f"COPY {label} FROM {files} ({_CSV_OPTIONS})", size)
            for (rel_type, start, end), count in self.rels.items():
                if not count:
                    continue
                progress(f"{rel_type} {start}->{end} ({count})")
                many_pairs = len(REL_ENDPOINTS[rel_type]) > 1
                options = f", from='{start}', to='{end}'" if many_pairs else ""
                for files, size in self._sources(f"{rel_type}_{start}_{end}"):
                    database.execute(f"COPY {rel_type} FROM {files} ({_CSV_OPTIONS}{options})", size)
            database.checkpoint()
        finally:
            database.close()


class _BulkLoad:
    """The new generation's database, open for the bulk load with a buffer pool of ``pool`` bytes.

    It checkpoints when told, and after every :data:`CHECKPOINT_AFTER_BYTES` of staging files, not
    after every COPY (LadybugDB's default): each checkpoint syncs the file (some ten fsyncs), which
    was half of a bulk load's wall time (41 COPYs at 1,000 cases: 414 fsyncs, 54 this way).
    """

    def __init__(self, path: Path, pool: int):
        self.pending = 0
        self.database = ladybug.Database(str(path), buffer_pool_size=pool, max_db_size=MAX_DB_BYTES,
                                         auto_checkpoint=False)
        self.connection = ladybug.Connection(self.database)

    def execute(self, statement: str, size: int = 0) -> None:
        """Run ``statement``, which reads ``size`` bytes of staging files."""
        self.connection.execute(statement)
        self.pending += size
        if self.pending > CHECKPOINT_AFTER_BYTES:
            self.checkpoint()

    def checkpoint(self) -> None:
        self.connection.execute("CHECKPOINT")
        self.pending = 0

    def close(self) -> None:
        self.connection.close()
        self.database.close()


class GenerationWriter:
    """A new generation written from rows given chunk by chunk (a full load of many cases).

    ``add`` appends rows to the staging CSV files; ``finish`` bulk-loads them, checks the node
    counts, keeps the manifest and switches ``CURRENT``, as :func:`rebuild` does.  ``discard``
    (or any failure in ``finish``) removes the half-written generation.
    """

    def __init__(self, store: Path):
        self.store = store
        self.generation = generation_name()
        self.folder = store / "generations" / self.generation
        self.folder.mkdir(parents=True)
        self.staging = _Staging(self.folder / "csv")

    def add(self, rows: GraphRows, part: str = "") -> None:
        """Append rows to the staging files (with a ``part`` name, to files of their own, bulk-loaded in batches)."""
        self.staging.add(rows, part)

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

    def finish(self, manifest: Manifest | Callable[[], Manifest] | None = None,
               progress: Callable[[str], None] | None = None) -> Path:
        """Bulk-load, check, keep ``manifest`` (or what it returns when called after the bulk load) and switch."""
        try:
            self.staging.copy_into(self.folder / "graph.lbug", progress or (lambda _step: None))
            _check_node_counts(self.folder / "graph.lbug", self.staging.nodes)
            if callable(manifest):
                manifest = manifest()
            if manifest is not None:
                manifest.built_bytes = (self.folder / "graph.lbug").stat().st_size
                write_manifest(self.folder, manifest)
            switch_pointer(self.store, self.generation)
        except BaseException:
            self.discard()
            raise
        remove_old_generations(self.store, keep=self.generation)
        return self.folder / "graph.lbug"

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _cells(props: dict[str, str]) -> Callable[[dict[str, Any]], Any]:
    """A row's CSV cells, each converted as :func:`_cell` would, but chosen once per column type.

    Strings need nothing (``GraphRows`` stores "" for a missing one), nor numbers (the CSV writer
    writes ``None`` as an empty cell, as :func:`_cell` does); only lists and booleans are converted.
    The values are taken in one C call (:func:`operator.itemgetter`): writing the staging files was
    a tenth of a full load's CPU time, mostly this per-value Python.
    """
    names = list(props)
    take = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    converted = [(i, _list_cell if kind.endswith("[]") else _bool_cell)
                 for i, kind in enumerate(props.values()) if kind.endswith("[]") or kind == "BOOLEAN"]
    if not converted:
        return take

    def cells(row: dict[str, Any]) -> list[Any]:
        values = list(take(row))
        for i, convert in converted:
            values[i] = convert(values[i])
        return values
    return cells


def _list_cell(value: Any) -> Any:
    return "[" + ",".join(map(str, value)) + "]" if isinstance(value, list) else _cell(value)


def _bool_cell(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else _cell(value)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "[" + ",".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """The rows as the standard library's ``csv.writer`` writes them (its default dialect), in fewer steps.

    A string is quoted only when it holds a comma, a quote or a line break, its quotes doubled; ``None``
    is an empty cell; anything else is ``str()`` of it; each row ends with ``\\r\\n``.  ``csv.writer``
    looks at every character of every value in C, one at a time: the organisations' pages (about
    7.5 kB a case) made writing the staging files a seventh of a full load's reading.  Here a value is
    searched by ``str``'s own methods, several times faster on long text and no slower on short.

    >>> csv_text([["a", 'say "hi", then\\ngo', None, 3, 0.5, ""], ["", "[x,y]"]])
    'a,"say ""hi"", then\\ngo",,3,0.5,\\r\\n,"[x,y]"\\r\\n'
    """
    return "".join([",".join([_csv_field(value) for value in row]) + "\r\n"
                    if len(row) != 1 or row[0] not in ("", None) else '""\r\n' for row in rows])


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    text = value if value.__class__ is str else str(value)
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _file_list(paths: list[Path]) -> str:
    """Files a COPY reads, in its syntax: one quoted path, or a list of them."""
    quoted = [f"'{_quote_path(path)}'" for path in paths]
    return quoted[0] if len(quoted) == 1 else f"[{', '.join(quoted)}]"


def _quote_path(path: Path) -> str:
    return str(path).replace("\\", "/").replace("'", "\\'")


def check_generation(path: Path, rows: GraphRows) -> None:
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
