"""Sync to Neo4j after the embedded load: only the part of the graph that changed since the last sync.

:func:`sync_to_neo4j` is what ``graph_loader.py load --neo4j`` runs.  The embedded store's load
(:func:`kb.load.embedded.load_embedded`) validates the content, reading only the files that changed;
its manifest then says, for every file, its hash.  Beside it (``<store>/neo4j-sync.sqlite``) a record
per graph synced keeps what the last sync there wrote: each file's hash, and per case file the keys
of the nodes and relationships its part of the graph has, its sources and country, with the graph
version that sync left in Neo4j (:class:`kb.store.neo4j_scope.SyncScope`).  The record is found by
that version, which the driver reads as it connects, not by the server's address: a server
restarted on another port holds the same graph (found by address, the first sync after such a
restart compared and read back the whole graph).  It is
kept by key (SQLite): a sync of a part reads the hashes, the parts of the changed cases only, and
writes only those (a pickle of every case's part, 45 MB at 10,000 cases, was read and written whole).

When only case files changed since, the sync sends the part of those cases (:func:`kb.load.rows.graph_part`,
as the embedded incremental load writes) and of the shared nodes they touch (their sources, each as its
first declaration in file order says, and countries), and compares only those keys with Neo4j.
Anything else (a first sync, another server or database, a graph another load wrote to since, a
concept page or the vocabulary changed) is a full sync of every row (:func:`kb.store.neo4j_sync.sync`),
read back from the embedded store the load has just brought up to date rather than from every file again.
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb.check.validate import resolve_links
from kb.check.vocabulary import load_vocabulary
from kb.content.files import ContentLayout, SourceFile
from kb.graph.rows import GraphRows
from kb.load.cache import ParseCache, cache_version
from kb.load.embedded import load_embedded
from kb.load.read import read_checked
from kb.load.results import EmbeddedLoad
from kb.load.rows import as_list, graph_part
from kb.problems import KbError, StoreError
from kb.store.keyed_manifest import KeyedManifest
from kb.store.manifest import FileRecord, Manifest
from kb.store.neo4j_settings import Neo4jSettings

if TYPE_CHECKING:  # imported with the driver, in a thread while the embedded store loads (_Connecting)
    import neo4j

    from kb.store.neo4j_scope import NodeKey, RelKey, SyncScope
    from kb.store.neo4j_sync import SyncReport

__all__ = ["NEO4J_STATE", "sync_to_neo4j"]

#: The record of the last sync to each Neo4j server and database, in the embedded store's folder.
NEO4J_STATE = "neo4j-sync.sqlite"

#: Case files changed since the last sync beyond which a full sync is sent (it reads the graph once,
#: where a part's sync looks its keys up one by one).
MAX_PART_FILES = 500


@dataclass
class _CasePart:
    """What one case file put in the graph at the last sync."""

    nodes: tuple[NodeKey, ...]
    rels: tuple[RelKey, ...]
    sources: tuple[str, ...]
    country: str


@dataclass
class _Synced:
    """What the last sync to one server and database wrote (see the module docstring)."""

    version: str  # the graph version in Neo4j after it
    content_version: str  # the parse cache's version: the vocabulary and the code that read the files
    files: dict[str, str] = field(default_factory=dict)  # display -> sha256
    cases: set[str] = field(default_factory=set)  # the case files' display names: each has a part
    packed_part: Callable[[str], bytes] | None = None  # a case's part, marshalled (:func:`_packed`)

    def part(self, display: str) -> _CasePart:
        return _CasePart(*marshal.loads(self.packed_part(display)))


def _packed(part: _CasePart) -> bytes:
    return marshal.dumps((part.nodes, part.rels, part.sources, part.country))


class _SyncRecords:
    """The record of the last sync of each graph, ``<store>/neo4j-sync.sqlite``: by the address it was last reached at.

    A record's files are kept under its number, so that a record moving to another address (see
    :meth:`of_graph`) changes one row, not its 10,000 files (0.7 s at 10,000 cases).  An unreadable
    record is as none: the next sync is a full one, which writes it anew; so is one kept by an
    earlier version of this module (its tables are dropped).
    """

    _TABLES = """
    DROP TABLE IF EXISTS syncs;
    DROP TABLE IF EXISTS files;
    CREATE TABLE IF NOT EXISTS graphs (target TEXT PRIMARY KEY, record INTEGER NOT NULL UNIQUE, version TEXT NOT NULL,
                                       content_version TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS parts (record INTEGER NOT NULL, display TEXT NOT NULL, sha256 TEXT NOT NULL, part BLOB,
                                      PRIMARY KEY (record, display)) WITHOUT ROWID;
    """

    def __init__(self, store: Path) -> None:
        self.path = store / NEO4J_STATE
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:  # not a database (a damaged file): start again
            self.path.unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.executescript(self._TABLES)
        return db

    def _get(self, target: str) -> _Synced | None:
        row = self._db.execute("SELECT record, version, content_version FROM graphs WHERE target = ?",
                               (target,)).fetchone()
        if row is None:
            return None
        record = row[0]
        synced = _Synced(*row[1:], packed_part=lambda display: self._db.execute(
            "SELECT part FROM parts WHERE record = ? AND display = ?", (record, display)).fetchone()[0])
        for display, sha, is_case in self._db.execute(
                "SELECT display, sha256, part IS NOT NULL FROM parts WHERE record = ?", (record,)):
            synced.files[display] = sha
            if is_case:
                synced.cases.add(display)
        return synced

    def of_graph(self, target: str, version: str) -> _Synced | None:
        """The record of the sync that left ``version`` in Neo4j, kept as ``target``'s; None if no record has it.

        The version is a token each sync that writes makes anew (a UUID), so a server that holds it
        holds the graph that sync left, whatever address it was reached by: the same server restarted
        on another port, or under another name (``localhost``).  Such a record moves to ``target``
        rather than being copied: one record per graph, not one per address it was ever reached by.
        """
        if not version:  # nothing synced there, or the graph was emptied since
            return None
        row = self._db.execute("SELECT target FROM graphs WHERE version = ? ORDER BY target != ? LIMIT 1",
                               (version, target)).fetchone()
        if row is None:
            return None
        if row[0] != target:
            with self._transaction() as db:
                self._forget(db, target)
                db.execute("UPDATE graphs SET target = ? WHERE target = ?", (target, row[0]))
        return self._get(target)

    @staticmethod
    def _forget(db: sqlite3.Connection, target: str) -> None:
        db.execute("DELETE FROM parts WHERE record = (SELECT record FROM graphs WHERE target = ?)", (target,))
        db.execute("DELETE FROM graphs WHERE target = ?", (target,))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def write(self, target: str, version: str, content_version: str, files: dict[str, str],
              parts: dict[str, bytes], gone: Iterable[str] = (), whole: bool = True) -> None:
        """What a sync left: every file's hash and case's part (``whole``), or only those that changed and went."""
        with self._transaction() as db:
            if whole:
                self._forget(db, target)
            row = db.execute("SELECT record FROM graphs WHERE target = ?", (target,)).fetchone()
            record = row[0] if row else db.execute("SELECT coalesce(max(record), 0) + 1 FROM graphs").fetchone()[0]
            db.executemany("DELETE FROM parts WHERE record = ? AND display = ?", [(record, d) for d in gone])
            db.executemany("INSERT OR REPLACE INTO parts VALUES (?, ?, ?, ?)",
                           [(record, display, sha, parts.get(display)) for display, sha in files.items()])
            db.execute("INSERT OR REPLACE INTO graphs VALUES (?, ?, ?, ?)", (target, record, version, content_version))

    def close(self) -> None:
        self._db.close()


def sync_to_neo4j(root: Path, store: Path, settings: Neo4jSettings, *,
                  progress: Callable[[Iterable], Iterable] | None = None) -> tuple[EmbeddedLoad, SyncReport | None]:
    """Validate and load the content into the embedded store, then bring Neo4j up to date with it.

    Returns the embedded load and the sync's report (None when the content has errors: nothing
    is sent).  Raises :class:`kb.problems.StoreError` when Neo4j refuses or fails; its previous
    graph is then unchanged.
    """
    connecting = _Connecting(settings)
    try:
        load = load_embedded(root, store, progress=progress)
        if not load.ok:
            return load, None
        manifest = load.manifest
        if manifest is None:  # (a load always leaves one when it succeeds; read it if not)
            from kb.store import ladybug

            manifest = ladybug.current_manifest(store)
        return load, _bring_up_to_date(root, store, settings, *connecting.driver(), manifest, load.documents)
    finally:
        connecting.close()


class _Connecting:
    """The Neo4j driver imported and connected in a thread, while the embedded store loads.

    Importing the driver takes about a third of a second and connecting a round trip or two; the
    embedded load's database work runs outside the GIL, so both are mostly hidden behind it.  What
    went wrong (no server there, a refused login) is raised when the driver is asked for, after the
    embedded load, as the sync would have raised it.  A full load may fork its worker processes while
    the thread still runs: it imports only the driver and the store's Neo4j modules, which the
    workers never import, so no worker waits on an import lock the thread held.
    """

    def __init__(self, settings: Neo4jSettings) -> None:
        self.settings = settings
        self._driver: neo4j.Driver | None = None
        self._error: KbError | None = None
        self._version = ""
        self._thread = threading.Thread(target=self._connect, name="neo4j-connect", daemon=True)
        self._thread.start()

    def _connect(self) -> None:
        try:
            from kb.store.neo4j import graph_version

            self._driver = self.settings.driver()
            self._version = graph_version(self._driver, self.settings)
        except KbError as err:
            self._error = err

    def driver(self) -> tuple[neo4j.Driver, str]:
        """The driver, and the graph version Neo4j held when it connected (see :meth:`_SyncRecords.of_graph`)."""
        self._thread.join()
        if self._error is not None:
            raise StoreError(f"{self._error}; nothing was loaded") from self._error
        return self._driver, self._version

    def close(self) -> None:
        self._thread.join()
        if self._driver is not None:
            self._driver.close()


def _bring_up_to_date(root: Path, store: Path, settings: Neo4jSettings, driver: neo4j.Driver, version: str,
                      manifest: Manifest | KeyedManifest, documents: dict[str, object] | None = None) -> SyncReport:
    """Sync only what changed since the last sync of the graph Neo4j holds when that can be trusted, else all.

    ``version`` is the graph version Neo4j held (read as the driver connected); ``documents`` are the
    files the embedded load has just read (checked, links resolved), by display name.  The sync
    checks the version again in its transaction (:class:`~kb.store.neo4j_scope.StaleSync`).
    """
    from kb.store.neo4j_scope import StaleSync

    target = f"{settings.uri} {settings.database}"
    records = _SyncRecords(store)
    try:
        synced = records.of_graph(target, version)
        if synced is not None:
            # A part's sync reads the manifest by key (the files' hashes in one query, the few records it
            # needs): reading its 10,000 records whole took longer than the sync of one case.
            keyed = manifest if isinstance(manifest, KeyedManifest) else _current_keyed(store)
            try:
                if keyed is not None and _only_cases_changed(synced, keyed):
                    report, hashes, new_parts, gone = _sync_part(root, store, settings, driver, keyed, synced,
                                                                 documents or {})
                    changed = {d: hashes[d][1] for d in new_parts}
                    records.write(target, report.version, keyed.version, changed,
                                  {d: _packed(part) for d, part in new_parts.items()},
                                  [d for d in gone if d not in hashes], whole=False)
                    return report
            except StaleSync:
                pass
            finally:
                if keyed is not None and keyed is not manifest:
                    keyed.close()
        report, files, parts = _sync_all(store, settings, driver, manifest)
        records.write(target, report.version, manifest.version, files, parts)
        return report
    finally:
        records.close()


def _current_keyed(store: Path) -> KeyedManifest | None:
    from kb.store import ladybug

    return ladybug.current_manifest(store)


def _hashes(manifest: KeyedManifest) -> dict[str, tuple[str, str]]:
    """Every file's display name -> (role, sha256), in discovery order."""
    return manifest.file_hashes()


def _only_cases_changed(synced: _Synced, manifest: KeyedManifest) -> bool:
    if synced.content_version != manifest.version:
        return False
    hashes = _hashes(manifest)
    others_then = {d: sha for d, sha in synced.files.items() if d not in synced.cases}
    others_now = {d: sha for d, (role, sha) in hashes.items() if role != "case"}
    changed = sum(1 for d, (_, sha) in hashes.items() if synced.files.get(d) != sha)
    return others_then == others_now and changed <= MAX_PART_FILES


def _sync_all(store: Path, settings: Neo4jSettings, driver: neo4j.Driver,
              manifest: Manifest | KeyedManifest) -> tuple[SyncReport, dict[str, str], dict[str, bytes]]:
    """Every row compared with everything the project has in Neo4j; every file's hash and each case's part.

    The rows are read back from the embedded store the load has just brought up to date (the same
    graph: ``tests/test_neo4j_incremental.py`` compares them), not from the files again: reading and
    checking 10,000 case files a second time took longer than the sync itself.
    """
    from kb.export.exchange import rows_from_store  # networkx: only a full sync needs it
    from kb.store.ladybug import LadybugStore
    from kb.store.neo4j_sync import sync

    embedded = LadybugStore(store)
    try:
        rows = rows_from_store(embedded)
    finally:
        embedded.close()
    report = sync(settings, rows, driver=driver)
    parts = _parts_by_file(rows)
    packed = {display: _packed(_case_part(parts, display, record.source_ids, record.country))
              for display, record in manifest.files.items() if record.role == "case"}
    return report, {d: r.sha256 for d, r in manifest.files.items()}, packed


def _sync_part(root: Path, store: Path, settings: Neo4jSettings, driver: neo4j.Driver, manifest: KeyedManifest,
               synced: _Synced, documents: dict[str, object],
               ) -> tuple[SyncReport, dict[str, tuple[str, str]], dict[str, _CasePart], list[str]]:
    """Only the changed, added and deleted cases' parts and the shared nodes they touch.

    Returns the report, every file's (role, hash), the changed cases' new parts and the cases whose
    part went (changed or deleted).
    """
    from kb.store.neo4j_sync import sync

    hashes = _hashes(manifest)
    reader = _Reader(root, store, manifest, hashes)
    changed, gone = _changed_cases(synced, hashes)
    # The changed cases the embedded load has just read come from it, their links resolved; only those
    # that changed before it (a load without --neo4j in between) are read again, with every concept page.
    unread = [d for d in changed if d not in documents]
    cases = [documents[d] for d in changed if d in documents] + reader.read_all(unread)
    rows, new_parts = _changed_rows(reader, cases, resolve=cases[len(cases) - len(unread):])
    before, after = [synced.part(d) for d in gone], list(new_parts.values())
    sources = {sid for part in (*before, *after) for sid in part.sources}
    countries = {part.country for part in (*before, *after)}
    _add_shared(rows, reader, cases, sources, countries)
    report = sync(settings, rows, driver=driver, scope=_scope([*before, *after], sources, countries, synced.version))
    return report, hashes, new_parts, gone


def _changed_cases(synced: _Synced, hashes: dict[str, tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The case files changed or added since the last sync, and those whose part then must go (changed or deleted)."""
    changed = [d for d, (role, sha) in hashes.items() if role == "case" and synced.files.get(d) != sha]
    gone = [d for d in synced.cases if d not in hashes or d in changed]
    return changed, gone


class _Reader:
    """Reads a file the embedded load already checked, by its display name (from the parse cache when it can)."""

    def __init__(self, root: Path, store: Path, manifest: KeyedManifest, hashes: dict[str, tuple[str, str]]) -> None:
        self.root, self.manifest, self.hashes = root, manifest, hashes
        self.layout = ContentLayout(root)
        self.vocabulary = load_vocabulary(self.layout.vocabulary)
        self.cache = ParseCache(store / "cache", cache_version(root))

    def read_all(self, displays: list[str]) -> list:
        records = self.manifest.records(displays)
        return [self._read(records[d]) for d in displays]

    def read(self, display: str) -> object:
        return self.read_all([display])[0]

    def _read(self, record: FileRecord) -> object:
        return read_checked(SourceFile(self.root / record.display, record.display, record.role), self.layout,
                            self.vocabulary, self.cache, known=(record.sha256, record.stat)).document


def _changed_rows(reader: _Reader, cases: list, resolve: list) -> tuple[GraphRows, dict[str, _CasePart]]:
    """The changed cases' own rows, and each one's part; the links of ``resolve`` resolved first, against every file."""
    if resolve:
        concepts = reader.read_all([d for d, (role, _) in reader.hashes.items() if role != "case"])
        resolve_links(resolve, [*cases, *concepts])
    rows = graph_part(reader.vocabulary, cases=cases)
    parts = _parts_by_file(rows)
    return rows, {doc.file.display: _case_part(parts, doc.file.display, _declared(doc), doc.data["country"])
                  for doc in cases}


def _add_shared(rows: GraphRows, reader: _Reader, cases: list, sources: set[str], countries: set[str]) -> None:
    """Add to ``rows`` the shared nodes the part touches: its sources, as first declared, and its countries."""
    countries_now = set(reader.manifest.case_countries())
    shared = graph_part(reader.vocabulary, sources=_source_declarations(reader, cases, sources),
                        countries=countries & countries_now)
    for label, nodes in shared.nodes.items():
        rows.nodes.setdefault(label, []).extend(nodes)
    rows.rels.extend(shared.rels)


def _source_declarations(reader: _Reader, cases: list, sources: set[str]) -> list[dict]:
    """Each of ``sources`` as its first declaration in file order says (the one the graph keeps)."""
    declarations = reader.manifest.declaring(sources)
    positions = reader.manifest.positions({display for display, _, _ in declarations})
    first_declarer: dict[str, str] = {}
    for display, _, sid in sorted(declarations, key=lambda found: positions[found[0]]):
        first_declarer.setdefault(sid, display)
    documents = {doc.file.display: doc for doc in cases}
    found = []
    for sid, display in first_declarer.items():
        doc = documents.get(display) or documents.setdefault(display, reader.read(display))
        found.append(next(source for source in as_list(doc.data.get("sources"))
                          if isinstance(source, dict) and source.get("id") == sid))
    return found


def _scope(parts: list[_CasePart], sources: set[str], countries: set[str], version: str) -> SyncScope:
    """Every key the parts had at the last sync and have now, with the shared nodes they touch."""
    from kb.store.neo4j_scope import SyncScope

    return SyncScope({key for part in parts for key in part.nodes}
                     | {("Source", sid) for sid in sources} | {("Country", c) for c in countries},
                     {key for part in parts for key in part.rels}, version)


def _parts_by_file(rows: GraphRows) -> dict[str, tuple[list[NodeKey], list[RelKey]]]:
    """The keys of the nodes and relationships each file put in the graph (its ``file`` property)."""
    parts: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for label, nodes in rows.nodes.items():
        for node in nodes:
            if node.get("file"):
                parts[node["file"]][0].append((label, node["id"]))
    for rel in rows.rels:
        parts[rel.props["file"]][1].append((rel.type, rel.start_label, rel.start, rel.end_label, rel.end))
    return parts


def _case_part(parts: dict[str, tuple[list, list]], display: str, sources: Iterable[str], country: str) -> _CasePart:
    nodes, rels = parts.get(display, ([], []))
    return _CasePart(tuple(nodes), tuple(rels), tuple(sid for sid in sources if sid), country)


def _declared(doc: object) -> list[str]:
    """The ids of the sources a case file declares (as its manifest record's ``source_ids``)."""
    return [s["id"] for s in as_list(doc.data.get("sources")) if isinstance(s, dict) and "id" in s]
