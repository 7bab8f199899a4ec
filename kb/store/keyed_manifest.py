"""A generation's manifest kept by key (SQLite), so that a reload reads only the records it needs.

A reload compares every file's stat signature with its record, then needs the records of a few
files only: those that changed, and the unchanged ones a cross-file check could involve with them
(sharing an id, a source, a page, a name or a website, or relating to a case that is gone).  A
pickled manifest had to be read whole (35 MB at 10,000 cases) and walked; this one answers those
questions through indexes (SQLite, in the standard library):

* ``files``: one row per content file in discovery order (``position``): its stat signature and
  hash (what the scan compares), id, country, and its whole :class:`~kb.store.manifest.FileRecord`
  pickled (read only for the files a reload looks at);
* ``sources`` (file, source id, page), ``targets`` (the case ids a case relates to or names in a
  scope mark), ``names`` (a case's look-alike name keys, forwards and reversed, for
  :mod:`kb.check.duplicates`' alphabetical neighbours) and ``sites`` (its website key);
* ``meta``: the cache version, the scan's time and folder listing, the totals, and ``generation``:
  the generation the manifest describes.

There is one manifest per store, ``<store>/manifests/<generation>.sqlite``, named after the full
load that wrote it.  A reload writes its changed records in one transaction, committed once its
database change has been checked and just before ``CURRENT`` is switched.  An interrupted load
leaves either both as they were, or a manifest naming a generation that ``CURRENT`` does not name:
:func:`open_manifest` then gives None and the next load rebuilds in full.  Nothing is lost.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.problems import Problem
from kb.store.manifest import FileRecord, Manifest, StatKey, listing_key

__all__ = ["FOLDER", "KeyedManifest", "ManifestUpdate", "open_manifest", "write_keyed_manifest"]

#: The folder of a store holding its manifest.
FOLDER = "manifests"
#: Bump when the tables change: a manifest of another schema is not read (the next load rebuilds).
SCHEMA = 3

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE files (display TEXT PRIMARY KEY, position INTEGER NOT NULL, role TEXT NOT NULL,
                    sha256 TEXT NOT NULL, hashed INTEGER NOT NULL, size INTEGER, mtime INTEGER, ino INTEGER,
                    id TEXT NOT NULL, country TEXT NOT NULL, named INTEGER NOT NULL, problems BLOB,
                    written TEXT NOT NULL, record BLOB NOT NULL);
CREATE TABLE sources (display TEXT NOT NULL, source_id, page TEXT NOT NULL);
CREATE TABLE targets (display TEXT NOT NULL, target TEXT NOT NULL);
CREATE TABLE names (display TEXT NOT NULL, n INTEGER NOT NULL, key TEXT NOT NULL, reversed TEXT NOT NULL);
CREATE TABLE sites (display TEXT NOT NULL, site TEXT NOT NULL);
"""
#: Made once the rows are in (a full load's: faster than keeping them up to date row by row).
_INDEXES = """
-- What the scan reads of every file, in order, without reading the rows (each holds its record).
CREATE INDEX files_scan ON files (position, display, role, size, mtime, ino, hashed);
-- Every file's hash in order (the Neo4j sync's comparison), likewise.
CREATE INDEX files_hashes ON files (position, display, role, sha256);
CREATE INDEX files_id ON files (role, id);
CREATE INDEX files_country ON files (role, country);
CREATE INDEX files_problems ON files (position) WHERE problems IS NOT NULL;
CREATE INDEX sources_display ON sources (display);
CREATE INDEX sources_id ON sources (source_id);
CREATE INDEX sources_page ON sources (page);
CREATE INDEX targets_display ON targets (display);
CREATE INDEX targets_target ON targets (target);
CREATE INDEX names_display ON names (display);
CREATE INDEX names_forwards ON names (key, display, n);
CREATE INDEX names_backwards ON names (reversed, display, n);
CREATE INDEX sites_display ON sites (display);
CREATE INDEX sites_site ON sites (site);
"""

#: (display, role, size, mtime_ns, inode, hashed) of a file, as the scan compares it.
Signature = tuple[str, str, int | None, int | None, int | None, int]


@dataclass
class ManifestUpdate:
    """What a reload changes in the manifest: records written or replaced, files gone, new signatures."""

    scanned_ns: int
    listing: str  # the folder listing's key
    records: dict[str, FileRecord] = field(default_factory=dict)  # changed or new files
    deleted: list[str] = field(default_factory=list)
    restat: dict[str, StatKey | None] = field(default_factory=dict)  # kept files whose stat signature moved
    order: list[str] | None = None  # every file in discovery order, when files came or went
    nodes: dict[str, int] | None = None
    rels: dict[str, int] | None = None


class KeyedManifest:
    """A store's manifest, opened: the meta values as attributes, the records by key.

    It answers what :class:`~kb.store.manifest.Manifest` does (``files`` reads every record, for
    the few callers that need them all: the Neo4j sync) and the look-ups of a reload.  Its reads run
    in one read transaction, from when it was opened (or last written): a load into the same store
    from another process, writing meanwhile, does not change what this one sees.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, meta: dict[str, object]):
        self.path, self._db = path, connection
        self.version: str = meta["version"]
        self.scanned_ns: int = meta["scanned_ns"]
        self.listing: str = meta["listing"]  # the folder listing's key (kb.store.manifest.listing_key)
        self.nodes: dict[str, int] = meta["nodes"]
        self.rels: dict[str, int] = meta["rels"]
        self.built_bytes: int = meta["built_bytes"]
        self.generation: str = meta["generation"]
        self._files: dict[str, FileRecord] | None = None

    def is_racy(self, stat: StatKey | None) -> bool:
        return Manifest.is_racy(self, stat)  # type: ignore[arg-type]  # the same rule, on scanned_ns

    # --- reading ------------------------------------------------------------------------------

    def signatures(self) -> list[Signature]:
        """Every file's (display, role, size, mtime_ns, inode, hashed), in discovery order (from one index)."""
        return self._db.execute(
            "SELECT display, role, size, mtime, ino, hashed FROM files INDEXED BY files_scan ORDER BY position"
        ).fetchall()

    def file_hashes(self) -> dict[str, tuple[str, str]]:
        """Every file's display name -> (role, SHA-256), in discovery order (from one index)."""
        return {display: (role, sha) for display, role, sha in self._db.execute(
            "SELECT display, role, sha256 FROM files INDEXED BY files_hashes ORDER BY position")}

    def hashes(self, displays: Iterable[str]) -> dict[str, str]:
        """The SHA-256 of each of ``displays``' content when it was loaded."""
        return dict(self._in("SELECT display, sha256 FROM files WHERE display IN ({})", displays))

    def records(self, displays: Iterable[str]) -> dict[str, FileRecord]:
        """The records of ``displays`` (those the manifest has), in discovery order."""
        return {display: record for display, record in self._records_where("display", displays)}

    def problems(self) -> list[tuple[str, tuple[Problem, ...]]]:
        """(display, its problems and its links') of every file with any, in discovery order."""
        return [(display, pickle.loads(blob)) for display, blob in self._db.execute(
            "SELECT display, problems FROM files WHERE problems IS NOT NULL ORDER BY position")]

    def positions(self, displays: Iterable[str]) -> dict[str, int]:
        """Each of ``displays``' position in discovery order."""
        return dict(self._in("SELECT display, position FROM files WHERE display IN ({})", displays))

    def with_ids(self, ids: Iterable[str]) -> list[str]:
        """The case files with one of ``ids``."""
        return [row[0] for row in self._in("SELECT display FROM files WHERE role = 'case' AND id IN ({})", ids)]

    # The look-ups below join each found source to its file with CROSS JOIN, which keeps SQLite's
    # order (sources by their index first): given the choice it scanned every case file (0.1 s).

    def declaring(self, source_ids: Iterable[str]) -> list[tuple[str, str, object]]:
        """(display, role, source id) of every declaration of one of ``source_ids``."""
        return self._in("SELECT s.display, f.role, s.source_id FROM sources s CROSS JOIN files f USING (display) "
                        "WHERE s.source_id IN ({})", source_ids)

    def citing(self, pages: Iterable[str]) -> list[tuple[str, object, str]]:
        """(display, source id, page) of every source of a case file whose page is one of ``pages``."""
        return self._in("SELECT s.display, s.source_id, s.page FROM sources s CROSS JOIN files f USING (display) "
                        "WHERE f.role = 'case' AND s.page IN ({})", pages)

    def named_citing(self, pages: Iterable[str]) -> list[tuple[str, str]]:
        """(page, display) of every named case citing one of ``pages`` (once per case and page)."""
        return self._in("SELECT DISTINCT s.page, s.display FROM sources s CROSS JOIN files f USING (display) "
                        "WHERE f.named AND s.page IN ({})", pages)

    def relating_to(self, ids: Iterable[str]) -> list[str]:
        """The case files that relate to, or name in a scope mark, one of ``ids``."""
        return [row[0] for row in self._in("SELECT DISTINCT display FROM targets WHERE target IN ({})", ids)]

    def with_name_keys(self, keys: Iterable[str], sites: Iterable[str]) -> list[str]:
        """The named case files with one of the look-alike name ``keys`` or website keys ``sites``."""
        found = {row[0] for row in self._in("SELECT display FROM names WHERE key IN ({})", keys)}
        found |= {row[0] for row in self._in("SELECT display FROM sites WHERE site IN ({})", sites)}
        return sorted(found)

    def name_neighbours(self, key: str, display: str, n: int, *, reversed_key: bool, after: bool,
                        limit: int) -> list[tuple[str, str, int]]:
        """The next ``limit`` name keys (key, display, n) after (or before) one, forwards or reversed."""
        column = "reversed" if reversed_key else "key"
        sign, order = (">", "ASC") if after else ("<", "DESC")
        return self._db.execute(
            f"SELECT {column}, display, n FROM names WHERE ({column}, display, n) {sign} (?, ?, ?) "
            f"ORDER BY {column} {order}, display {order}, n {order} LIMIT ?", (key, display, n, limit)).fetchall()

    def name_key_count(self, displays: Iterable[str]) -> int:
        """How many name keys ``displays`` have."""
        return sum(row[0] for row in self._in("SELECT count(*) FROM names WHERE display IN ({})", displays))

    def case_ids(self) -> list[tuple[str, str]]:
        """(display, id) of every case file with an id, in discovery order."""
        return self._db.execute(
            "SELECT display, id FROM files WHERE role = 'case' AND id != '' ORDER BY position").fetchall()

    def case_countries(self) -> dict[str, int]:
        """How many case files name each country."""
        return dict(self._db.execute("SELECT country, count(*) FROM files WHERE role = 'case' GROUP BY country"))

    @property
    def files(self) -> dict[str, FileRecord]:
        """Every record, in discovery order (read once; a reload needs only a few)."""
        if self._files is None:
            self._files = dict(self._records_where(None, ()))
        return self._files

    def _records_where(self, column: str | None, values: Iterable[str]) -> Iterator[tuple[str, FileRecord]]:
        select = "SELECT display, record, size, mtime, ino FROM files"
        rows = (self._db.execute(select + " ORDER BY position") if column is None
                else sorted(self._in(select + f" WHERE {column} IN ({{}})", values, with_position=True)))
        for row in rows:
            row = row[1:] if column is not None else row
            yield row[0], _record(*row[1:])

    def _in(self, sql: str, values: Iterable[object], with_position: bool = False) -> list[tuple]:
        """``sql`` with its ``IN ({})`` filled with ``values`` (in chunks within SQLite's limit)."""
        values = list(dict.fromkeys(values))
        if with_position:
            sql = sql.replace("SELECT ", "SELECT position, ", 1)
        found: list[tuple] = []
        for start in range(0, len(values), 900):
            chunk = values[start:start + 900]
            found += self._db.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall()
        return found

    # --- writing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def updating(self, update: ManifestUpdate, generation: str | None = None) -> Iterator[None]:
        """Write ``update`` in a transaction, committed when the block ends without an error.

        ``generation`` (a reload's new one) is what the manifest then describes; the caller switches
        ``CURRENT`` to it after the commit (see the module docstring for an interruption in between).
        """
        db = self._db
        db.execute("COMMIT")  # the read transaction: the caller holds the store's load lock, no one wrote since
        db.execute("BEGIN IMMEDIATE")
        try:
            kept_at = dict(self._in("SELECT display, position FROM files WHERE display IN ({})", update.records))
            deleted = [*update.deleted, *update.records]
            for table in ("files", "sources", "targets", "names", "sites"):
                db.executemany(f"DELETE FROM {table} WHERE display = ?", [(d,) for d in deleted])
            position = {display: i for i, display in enumerate(update.order)} if update.order is not None else {}
            if update.order is not None:
                db.executemany("UPDATE files SET position = ? WHERE display = ?",
                               [(i, display) for display, i in position.items()])
            written = generation or self.generation
            end = db.execute("SELECT coalesce(max(position), -1) + 1 FROM files").fetchone()[0]
            _insert(db, [(position.get(display, kept_at.get(display, end)), record)
                         for display, record in update.records.items()], written)
            db.executemany("UPDATE files SET size = ?, mtime = ?, ino = ? WHERE display = ?",
                           [(*(stat or (None, None, None)), display) for display, stat in update.restat.items()])
            meta = {"scanned_ns": update.scanned_ns, "listing": update.listing, "generation": written}
            if update.nodes is not None:
                meta |= {"nodes": update.nodes, "rels": update.rels}
            _write_meta(db, meta)
            yield
        except BaseException:
            db.execute("ROLLBACK")
            _read_from_now(db)
            raise
        db.execute("COMMIT")
        _read_from_now(db)
        self.scanned_ns, self.listing, self.generation = update.scanned_ns, update.listing, written
        if update.nodes is not None:
            self.nodes, self.rels = update.nodes, update.rels
        self._files = None

    def close(self) -> None:
        self._db.close()


def _read_from_now(db: sqlite3.Connection) -> None:
    """Open a read transaction on the manifest as it is now (SQLite takes its snapshot at the first read)."""
    db.execute("BEGIN")
    db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()


def _record(blob: bytes, size: int | None, mtime: int | None, ino: int | None) -> FileRecord:
    record = pickle.loads(blob)
    stat = None if size is None else (size, mtime, ino)
    return record if record.stat == stat else record._replace(stat=stat)


def _insert(db: sqlite3.Connection, records: list[tuple[int, FileRecord]], written: str) -> None:
    """The rows of ``records`` (each with its position) in every table."""
    files, sources, targets, names, sites = [], [], [], [], []
    for position, r in records:
        stat = r.stat or (None, None, None)
        problems = (*r.problems, *r.link_problems)
        files.append((r.display, position, r.role, r.sha256, bool(r.sha256), *stat, r.id, r.country, bool(r.names),
                      pickle.dumps(problems, protocol=pickle.HIGHEST_PROTOCOL) if problems else None, written,
                      pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL)))
        sources += [(r.display, sid, page) for sid, page in zip(r.source_ids, r.pages or ("",) * len(r.source_ids),
                                                               strict=True)]
        if r.role != "case":
            continue
        ids = {target for target, *_ in (*r.relations, *r.scope_targets) if isinstance(target, str)}
        targets += [(r.display, target) for target in sorted(ids)]
        if r.names:
            keys, site = r.names[5], r.names[6]
            names += [(r.display, n, key, key[::-1]) for n, key in enumerate(keys)]
            if site:
                sites.append((r.display, site))
    db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", files)
    db.executemany("INSERT INTO sources VALUES (?, ?, ?)", sources)
    db.executemany("INSERT INTO targets VALUES (?, ?)", targets)
    db.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", names)
    db.executemany("INSERT INTO sites VALUES (?, ?)", sites)


def _write_meta(db: sqlite3.Connection, values: dict[str, object]) -> None:
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                   [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in values.items()])


def _connect(path: Path) -> sqlite3.Connection:
    # Transactions are begun and ended explicitly; WAL: a commit is one append, and an interrupted
    # transaction leaves the file as it was.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def write_keyed_manifest(store: Path, manifest: Manifest, generation: str) -> Path:
    """Write ``manifest`` whole as the store's manifest of ``generation`` (a full load's), replacing any other.

    The file is complete before it is named; the others are removed at once (until ``CURRENT``
    names ``generation``, no manifest matches it: an interrupted full load is followed by another).
    """
    folder = store / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink(missing_ok=True)
    temporary = folder / f"{generation}.sqlite.tmp"
    db = sqlite3.connect(temporary, isolation_level=None)
    try:
        # A file nobody reads until it is complete and renamed: no journal, and one fsync at the end.
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        for statement in _TABLES.split(";"):
            db.execute(statement)
        records = list(enumerate(manifest.files.values()))
        for start in range(0, len(records), 1000):  # a few MB of rows at a time, not 350 MB at 100,000 cases
            _insert(db, records[start:start + 1000], generation)
        _write_meta(db, {"schema": SCHEMA, "version": manifest.version, "scanned_ns": manifest.scanned_ns,
                         "listing": listing_key(manifest.listing), "nodes": manifest.nodes, "rels": manifest.rels,
                         "built_bytes": manifest.built_bytes, "generation": generation})
        for statement in _INDEXES.split(";"):
            db.execute(statement)
        db.execute("COMMIT")
        db.execute("PRAGMA journal_mode = WAL")
    finally:
        db.close()
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    path = folder / f"{generation}.sqlite"
    os.replace(temporary, path)
    return path


def open_manifest(store: Path, generation: str) -> KeyedManifest | None:
    """The store's manifest if it describes ``generation`` (the current one), else None (rebuild)."""
    try:
        paths = sorted((store / FOLDER).glob("*.sqlite"))
    except OSError:
        return None
    if not paths:
        return None
    db = None
    try:
        db = _connect(paths[-1])
        db.execute("BEGIN")  # every read sees the manifest as it is now, whoever writes it later
        meta = {key: pickle.loads(value) for key, value in db.execute("SELECT key, value FROM meta")}
        if meta.get("schema") != SCHEMA or meta.get("generation") != generation:
            db.close()
            return None
        return KeyedManifest(paths[-1], db, meta)
    except (sqlite3.Error, pickle.UnpicklingError, EOFError, KeyError, AttributeError, TypeError):
        if db is not None:
            db.close()
        return None
