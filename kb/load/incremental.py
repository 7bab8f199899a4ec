"""The incremental load: bring a generation up to date by reading only the case files that changed.

It reads top to bottom as its steps:

1. **scan** (done by the caller, :func:`kb.load.scan.scan_changes`): which files changed, by the
   stat signatures of the manifest (:mod:`kb.store.keyed_manifest`: records are read by key);
2. **read what changed** (:func:`kb.load.read.read_checked`): each changed file parsed and checked
   on its own, or taken from the parse cache when its bytes were seen before;
3. **check**: resolve the changed files' links and run the cross-file checks over the changed
   files, the concept pages and the unchanged cases near them (sharing an id, a source or a page,
   or relating to a case that is gone), found through the manifest's indexes and seen through their
   records (:func:`kb.load.records.stub_document`); the look-alike pairs with a changed case come from
   its name, website and page indexes, and the ids a relation may name are looked up there;
4. **diff** (:func:`store_change`): the changed cases' part of the graph
   (:func:`kb.load.rows.graph_part`), the shared nodes they touch (sources, countries), the new totals;
5. **apply** (:func:`incremental_load`): the store writes the change to a copy of the current
   generation and switches to it atomically (:func:`kb.store.ladybug.apply_change`).

Relative links in the prose are checked against the files on disk when a file is parsed; in a load
that reuses a file's entry they are as of its last change (``validate`` checks afresh).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.check.duplicates import OrganisationNames, keyed_pairs_involving, look_alike_keys, look_alike_problems
from kb.check.sources import normalised_url
from kb.check.validate import cross_file_problems, resolve_links, sort_problems
from kb.check.vocabulary import Vocabulary, load_vocabulary
from kb.content.files import ContentLayout, SourceFile
from kb.content.parse import Document
from kb.graph.rows import GraphRows
from kb.load.cache import CachedFile, ParseCache
from kb.load.read import by_path, read_checked
from kb.load.records import StubDocument, record_for, stub_document
from kb.load.results import EmbeddedLoad
from kb.load.rows import as_list, countries_of, counts_by_file, first_of, graph_part
from kb.load.scan import Scan
from kb.problems import Problem
from kb.store.keyed_manifest import KeyedManifest, ManifestUpdate
from kb.store.manifest import FileRecord, StoreChange

__all__ = ["Changes", "incremental_load", "load_changes"]


def incremental_load(root: Path, store: Path, manifest: KeyedManifest, cache: ParseCache,
                     scan: Scan) -> EmbeddedLoad:
    """Apply what ``scan`` found changed to a copy of the current generation (the caller holds the lock)."""
    from kb.store import ladybug

    started = time.perf_counter()
    # Copying the database file takes a while: it runs while the changed files are checked.
    copy = ladybug.GenerationCopy.start(store) if scan.anything else None
    try:
        changes = load_changes(root, manifest, cache, scan)
        load = EmbeddedLoad(changes.problems, "unchanged" if changes.ok else "refused", len(scan.files),
                            ladybug.current_generation(store), manifest.nodes, manifest.rels, changes.changed,
                            changes.added, changes.deleted)
        if changes.change is not None:
            load.generation = ladybug.apply_change(store, changes.change, manifest, changes.update, copy)
            load.mode, load.nodes, load.rels, copy = "incremental", changes.change.nodes, changes.change.rels, None
        elif changes.ok and scan.restat:
            with manifest.updating(changes.update):  # only stat signatures moved (files touched)
                pass
        if changes.ok:
            load.manifest, load.documents = manifest, changes.documents
    finally:
        if copy is not None:
            copy.discard()
    load.seconds = time.perf_counter() - started
    return load


@dataclass
class Changes:
    """An incremental load: which files changed since a generation, their problems, what to write.

    ``change`` is None when nothing changed or when there are errors; ``update`` is what the
    manifest must change to describe the generation the change leads to.
    """

    problems: list[Problem]
    update: ManifestUpdate
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    change: StoreChange | None = None
    #: The changed and new files' documents, checked and their links resolved: a Neo4j sync of the
    #: same change sends them without reading them again (:mod:`kb.load.neo4j`).
    documents: dict[str, Document] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass
class _Reading:
    """The content as an incremental load sees it: the changed files read, the unchanged ones near
    them through their manifest records, the rest only through the manifest's indexes."""

    scan: Scan
    old: KeyedManifest
    layout: ContentLayout
    vocabulary: Vocabulary
    cache: ParseCache
    parsed: dict[str, CachedFile]  # the changed and new files
    gone: list[FileRecord]  # the records of changed and deleted files
    touched: set[str]  # sources the changed files declare or declared
    near: dict[str, FileRecord] = field(default_factory=dict)  # unchanged case files the cross-file checks look at
    listed: set[str] = field(default_factory=set)  # the source ids their stand-ins list
    kept_declared: set[str] = field(default_factory=set)  # touched sources an unchanged file declares
    documents: list = field(default_factory=list)  # the concept pages, changed files and stand-ins near them
    hashes: dict[str, str] = field(default_factory=dict)  # of the unchanged files read in full

    def full_document(self, display: str, role: str) -> Document:
        """An unchanged file's document, from the cache (parsed again if its entry is gone)."""
        if display not in self.hashes:  # the concept pages' all at once
            wanted = {display, *(d for d, role in self.scan.files if role != "case" and d in self.scan.kept)}
            self.hashes |= self.old.hashes(wanted)
        file = SourceFile(self.layout.root / display, display, role)
        known = (self.hashes[display], self.scan.kept[display])
        return read_checked(file, self.layout, self.vocabulary, self.cache, known=known).document

    def stand_in(self, record: FileRecord) -> StubDocument:
        """An unchanged case's stand-in, as the cross-file checks see it (relations only near the change)."""
        return stub_document(record, self.listed, with_relations=record.display in self.near)


def load_changes(root: Path, manifest: KeyedManifest, cache: ParseCache, scan: Scan) -> Changes:
    """Check the content against the generation ``manifest`` describes, reading only what ``scan`` found changed.

    Changed files are parsed (or taken from the cache), checked on their own and their links
    resolved; the cross-file checks then run over them and the unchanged files they could
    involve, found through the manifest's indexes.  Without errors, ``change`` says what to write.
    """
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    parsed = {file.display: read_checked(file, layout, vocabulary, cache) for file in scan.changed}
    gone = list(manifest.records(d for d in scan.roles if d not in scan.kept).values())
    touched = {sid for record in gone for sid in record.source_ids} | set(_declared(parsed))
    reading = _Reading(scan, manifest, layout, vocabulary, cache, parsed, gone, touched)
    reading.near = manifest.records(_near(reading))
    reading.documents = [parsed[display].document if display in parsed
                         else reading.full_document(display, role) if role != "case"
                         else reading.stand_in(reading.near[display])
                         for display, role in scan.files
                         if display in parsed or role != "case" or display in reading.near]
    links = resolve_links([entry.document for entry in parsed.values()], reading.documents)
    update = ManifestUpdate(scan.scanned_ns, scan.listing, restat=dict(scan.restat))
    result = Changes(_problems(reading, links), update, [f.display for f in scan.changed if f.display in scan.roles],
                     [f.display for f in scan.changed if f.display not in scan.roles], scan.deleted,
                     documents={display: entry.document for display, entry in parsed.items()})
    if not result.ok or not scan.anything:
        return result
    result.change = store_change(reading, update, by_path(links))
    return result


def _problems(reading: _Reading, links: list[Problem]) -> list[Problem]:
    """The kept files' recorded problems, the changed files' own and links', and the cross-file checks'."""
    kept = reading.scan.kept
    problems = [p for display, recorded in reading.old.problems() if display in kept for p in recorded]
    problems += [p for entry in reading.parsed.values() for p in entry.problems] + links
    return sort_problems(problems + cross_file_problems(
        reading.documents, links=False, known_ids=_CaseIds(reading), look_alikes=_look_alikes(reading),
        changed=set(reading.parsed)))


class _CaseIds:
    """Every case's id after the change: the ids a relation or a scope mark may name.

    Looked up in the manifest one id at a time; all of them (in file order) are read only to
    suggest an id for one that is unknown.
    """

    def __init__(self, reading: _Reading):
        self.reading = reading
        self.changed = {doc.data["id"]: display for display, entry in reading.parsed.items()
                        if (doc := entry.document).role == "case" and doc.front is not None
                        and doc.front.data is not None and isinstance(doc.data.get("id"), str)}
        self.found: dict[str, bool] = {}

    def __contains__(self, case_id: object) -> bool:
        if case_id in self.changed:
            return True
        if case_id not in self.found:
            kept = self.reading.scan.kept
            self.found[case_id] = any(d in kept for d in self.reading.old.with_ids([case_id]))
        return self.found[case_id]

    def __iter__(self) -> Iterator[str]:
        kept, kept_ids = self.reading.scan.kept, dict(self.reading.old.case_ids())
        parsed = {display: case_id for case_id, display in self.changed.items()}
        ids = [parsed[display] if display in parsed else kept_ids[display] for display, role in self.reading.scan.files
               if role == "case" and (display in parsed or (display in kept and display in kept_ids))]
        return iter(dict.fromkeys(ids))


def _look_alikes(reading: _Reading) -> list[Problem]:
    """The look-alike organisations among the pairs with a changed case, found through the manifest's
    name, website and page indexes (:func:`kb.check.duplicates.keyed_pairs_involving`)."""
    changed = {display: entry.document for display, entry in reading.parsed.items()
               if entry.document.role == "case" and OrganisationNames.of(entry.document) is not None}
    if not changed:
        return []
    gone = {display for display in reading.scan.roles if display not in reading.scan.kept}
    pairs = keyed_pairs_involving({display: look_alike_keys(OrganisationNames.of(doc))
                                   for display, doc in changed.items()}, reading.old, gone)
    others = reading.old.records({display for pair in pairs for display in pair if display not in changed})
    names = {display: OrganisationNames.of(doc) for display, doc in changed.items()}
    names |= {display: OrganisationNames.of(reading.stand_in(record)) for display, record in others.items()}
    return look_alike_problems([(names[a], names[b]) for a, b in sorted(pairs)])


def _near(reading: _Reading) -> set[str]:
    """The unchanged case files a problem with the changed ones could involve; notes the source ids to list.

    Those declaring a source id or a page the changed files declare (or declared), those with the id
    of a changed file (before or after), and those relating to a case whose id is gone, each found
    through the manifest's indexes.  Between unchanged files alone there is no problem to find: the
    current generation was loaded without errors (what they share with no changed file stays as it was).
    """
    new = [entry.document.data for entry in reading.parsed.values()]
    new_ids = {data.get("id") for data in new if isinstance(data.get("id"), str)}
    gone_ids = {record.id for record in reading.gone}
    ids, vanished = new_ids | gone_ids, gone_ids - new_ids
    pages = {page for record in reading.gone for page in record.pages}
    pages |= {normalised_url(source["url"]) for data in new for source in as_list(data.get("sources"))
              if isinstance(source, dict) and isinstance(source.get("url"), str) and source["url"].strip()}
    pages.discard("")
    kept, touched, manifest = reading.scan.kept, reading.touched, reading.old
    reading.listed = set(touched)
    near = {display for display in (*manifest.with_ids(ids), *manifest.relating_to(vanished)) if display in kept}
    for display, role, sid in manifest.declaring(touched):
        if display in kept:
            reading.kept_declared.add(sid)
            if role == "case":
                near.add(display)
    for display, sid, _ in manifest.citing(pages):
        if display in kept:
            near.add(display)
            reading.listed.add(sid)
    return near


def _declared(parsed: dict[str, CachedFile]) -> list[str]:
    """The ids of the sources the changed files declare."""
    return [source.get("id") for entry in parsed.values() for source in as_list(entry.document.data.get("sources"))
            if isinstance(source, dict)]


def store_change(reading: _Reading, update: ManifestUpdate, links: dict[str, list[Problem]]) -> StoreChange:
    """The changed cases' part of the graph and the shared nodes they touch; ``update`` gets the
    changed files' records and the new totals."""
    cases = [entry.document for entry in reading.parsed.values()]
    rows = graph_part(reading.vocabulary, cases=cases)
    counts = counts_by_file(rows)
    gone = reading.gone
    change = StoreChange(rewired=[r.id for r in gone], files=[r.display for r in gone], rows=GraphRows(
        {label: nodes for label, nodes in rows.nodes.items() if label != "Organisation"}, rows.rels))
    new_ids = {doc.data["id"] for doc in cases}
    change.removed["Organisation"] = [r.id for r in gone if r.id not in new_ids]
    change.upserts["Organisation"] = rows.nodes.get("Organisation", [])
    update.records = {display: record_for(entry, links.get(display, []), counts.get(display, {}))
                      for display, entry in reading.parsed.items()}
    update.deleted = list(reading.scan.deleted)
    scan = reading.scan
    if update.deleted or update.records.keys() - scan.roles.keys() or scan.listing != reading.old.listing:
        update.order = [display for display, _ in reading.scan.files]
    sources = graph_part(reading.vocabulary, sources=_first_declarations_of_touched(reading))
    change.upserts["Source"] = sources.nodes.get("Source", [])
    declared = reading.kept_declared | set(_declared(reading.parsed))
    change.removed["Source"] = sorted(reading.touched - declared)
    cases_in = Counter(reading.old.case_countries())
    cases_in.subtract(r.country for r in gone if r.role == "case")
    countries = {country for country, n in cases_in.items() if n > 0}
    countries |= {r.country for r in update.records.values() if r.role == "case"}
    near = {r.country for r in gone} | countries_of(cases)
    change.upserts["Country"] = graph_part(reading.vocabulary, countries=near & countries).nodes.get("Country", [])
    change.removed["Country"] = sorted(near - countries)
    change.nodes, change.rels = update.nodes, update.rels = _totals(reading, update, len(countries), declared)
    return change


def _totals(reading: _Reading, update: ManifestUpdate, countries: int, declared: set[str]) -> tuple[dict[str, int],
                                                                                           dict[str, int]]:
    """Nodes per label and relationships per type after the change: the old totals, less what the
    changed and deleted files put in, plus what the changed files put in now.  A source is a node
    while a file declares it: ``declared`` are the sources the change touches that a file declares now."""
    nodes, rels = Counter(reading.old.nodes), Counter(reading.old.rels)
    for record, sign in [(r, -1) for r in reading.gone] + [(update.records[d], 1) for d in reading.parsed]:
        for key, n in record.counts.items():
            (rels if key.startswith("rel:") else nodes)[key.removeprefix("rel:")] += sign * n
    before = {sid for sid in reading.touched if sid in reading.kept_declared
              or any(sid in record.source_ids for record in reading.gone)}
    nodes["Source"] += len(declared - before) - len(before - declared)
    nodes["Country"] = countries
    return {k: v for k, v in nodes.items() if v}, {k: v for k, v in rels.items() if v}


def _first_declarations_of_touched(reading: _Reading) -> list[dict]:
    """The first declaration (in file order) of each source the change touches, as the model keeps it,
    unless an unchanged file declares it first now and did before (its node stays as it is).

    The declaring files are found through the manifest's index of sources; an unchanged case's
    full declaration is read from the file (or its cache entry) only where it became the first.
    """
    if not reading.touched:
        return []
    order = {display: position for position, (display, _) in enumerate(reading.scan.files)}
    first, roles = _first_declarers(reading, order)
    old_order = reading.old.positions([*first.values(), *(record.display for record in reading.gone)])
    gone_first: dict[str, int] = {}  # each source's first declaration among the files that changed or went
    for record in reading.gone:
        for sid in record.source_ids:
            gone_first[sid] = min(gone_first.get(sid, old_order[record.display]), old_order[record.display])
    declarations = []
    for display in sorted(set(first.values()), key=order.__getitem__):
        wanted = {sid for sid, by in first.items() if by == display}
        if display in reading.parsed:
            document = reading.parsed[display].document
        elif roles[display] != "case":
            document = reading.full_document(display, roles[display])
        else:
            wanted = {sid for sid in wanted if sid in gone_first and gone_first[sid] < old_order[display]}
            if not wanted:
                continue  # it was the first declaration before too
            document = reading.full_document(display, "case")
        declarations += [s for s in as_list(document.data.get("sources"))
                         if isinstance(s, dict) and s.get("id") in wanted]
    return first_of(declarations)


def _first_declarers(reading: _Reading, order: dict[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """Each touched source's first declaring file now (source id -> file, by ``order``), and each declaring
    file's role: the unchanged files through the manifest's index of sources, the changed ones as parsed."""
    kept = reading.scan.kept
    declarers = [(display, role, sid) for display, role, sid in reading.old.declaring(reading.touched)
                 if display in kept]
    declarers += [(display, entry.document.role, source.get("id")) for display, entry in reading.parsed.items()
                  for source in as_list(entry.document.data.get("sources"))
                  if isinstance(source, dict) and source.get("id") in reading.touched]
    first: dict[str, str] = {}
    for display, _, sid in sorted(declarers, key=lambda declarer: order[declarer[0]]):
        first.setdefault(sid, display)
    return first, {display: role for display, role, _ in declarers}
