"""The incremental load: bring a generation up to date by reading only the case files that changed.

It reads top to bottom as its steps:

1. **scan** (done by the caller, :func:`kb.load.scan.scan_changes`): which files changed;
2. **read what changed** (:func:`kb.load.read.read_checked`): each changed file parsed and checked
   on its own, or taken from the parse cache when its bytes were seen before;
3. **check**: resolve the changed files' links and run the cross-file checks over every file, the
   unchanged cases seen through their manifest records (:func:`kb.load.records.stub_document`);
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
from dataclasses import dataclass, field
from pathlib import Path

from kb.check.sources import normalised_url
from kb.check.validate import cross_file_problems, resolve_links, sort_problems
from kb.check.vocabulary import Vocabulary, load_vocabulary
from kb.content.files import ContentLayout, SourceFile
from kb.content.parse import Document
from kb.graph.rows import GraphRows
from kb.load.cache import CachedFile, ParseCache
from kb.load.read import by_path, read_checked
from kb.load.records import record_for, stub_document
from kb.load.results import EmbeddedLoad
from kb.load.rows import as_list, countries_of, counts_by_file, first_of, graph_part
from kb.load.scan import Scan
from kb.problems import Problem
from kb.store.manifest import FileRecord, Manifest, StoreChange

__all__ = ["Changes", "incremental_load", "load_changes"]


def incremental_load(root: Path, store: Path, manifest: Manifest, cache: ParseCache, scan: Scan) -> EmbeddedLoad:
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
            load.generation = ladybug.apply_change(store, changes.change, changes.manifest, copy)
            load.mode, load.nodes, load.rels, copy = "incremental", changes.change.nodes, changes.change.rels, None
        elif changes.ok and changes.manifest.files != manifest.files:
            ladybug.replace_manifest(store, changes.manifest)  # only stat signatures moved (files touched)
        if changes.ok:
            load.manifest = changes.manifest
    finally:
        if copy is not None:
            copy.discard()
    load.seconds = time.perf_counter() - started
    return load


@dataclass
class Changes:
    """An incremental load: which files changed since a generation, their problems, what to write.

    ``change`` is None when nothing changed or when there are errors; ``manifest`` describes the
    generation the change leads to.
    """

    problems: list[Problem]
    manifest: Manifest
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    change: StoreChange | None = None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass
class _Reading:
    """The content as an incremental load sees it: the changed files read, the rest through records."""

    scan: Scan
    old: Manifest
    layout: ContentLayout
    vocabulary: Vocabulary
    cache: ParseCache
    parsed: dict[str, CachedFile]  # the changed and new files
    gone: list[FileRecord]  # the records of changed and deleted files
    touched: set[str]  # sources the changed files declare or declared
    near: set[str] = field(default_factory=set)  # unchanged case files the cross-file checks look at
    kept_declared: set[str] = field(default_factory=set)  # touched sources an unchanged file declares
    documents: list = field(default_factory=list)  # every file, in discovery order

    def full_document(self, display: str, role: str) -> Document:
        """An unchanged file's document, from the cache (parsed again if its entry is gone)."""
        record = self.scan.kept[display]
        file = SourceFile(self.layout.root / display, display, role)
        return read_checked(file, self.layout, self.vocabulary, self.cache, known=(record.sha256, record.stat)).document


def load_changes(root: Path, manifest: Manifest, cache: ParseCache, scan: Scan) -> Changes:
    """Check the content against the generation ``manifest`` describes, reading only what ``scan`` found changed.

    Changed files are parsed (or taken from the cache), checked on their own and their links
    resolved; the cross-file checks then run over every file.  Without errors, ``change`` says what
    to write.  The old manifest's source counts are updated in place: it is not used again.
    """
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    parsed = {file.display: read_checked(file, layout, vocabulary, cache) for file in scan.changed}
    gone = [manifest.files[d] for d in manifest.files if d not in scan.kept]
    touched = {sid for record in gone for sid in record.source_ids} | set(_declared(parsed))
    reading = _Reading(scan, manifest, layout, vocabulary, cache, parsed, gone, touched)
    reading.near, of_interest = _near(reading)
    reading.documents = [parsed[display].document if display in parsed
                         else reading.full_document(display, role) if role != "case"
                         else stub_document(scan.kept[display], of_interest, with_relations=display in reading.near)
                         for display, role in scan.files]
    links = resolve_links([entry.document for entry in parsed.values()], reading.documents)
    new = Manifest(manifest.version, scan.scanned_ns, scan.listing, nodes=manifest.nodes, rels=manifest.rels,
                   built_bytes=manifest.built_bytes, base=manifest.base)  # written as changes to that base
    result = Changes(_problems(reading, links), new, [f.display for f in scan.changed if f.display in manifest.files],
                     [f.display for f in scan.changed if f.display not in manifest.files], scan.deleted)
    if not result.ok or not scan.anything:
        new.files = {display: scan.kept[display] for display, _ in scan.files} if result.ok else manifest.files
        return result
    result.change = store_change(reading, new, by_path(links))
    return result


def _problems(reading: _Reading, links: list[Problem]) -> list[Problem]:
    """The kept files' recorded problems, the changed files' own and links', and the cross-file checks'."""
    problems = [p for record in reading.scan.kept.values() for p in (*record.problems, *record.link_problems)]
    problems += [p for entry in reading.parsed.values() for p in entry.problems] + links
    files = list(zip(reading.scan.files, reading.documents, strict=True))
    near = [doc for (display, role), doc in files
            if role != "case" or display in reading.parsed or display in reading.near]
    every_case = [doc for (_, role), doc in files if role == "case"]
    return sort_problems(problems + cross_file_problems(near, links=False, every_case=every_case,
                                                        changed=set(reading.parsed)))


def _near(reading: _Reading) -> tuple[set[str], set[str]]:
    """The unchanged case files a problem with the changed ones could involve, and the source ids to list.

    Those declaring a source id or a page the changed files declare (or declared), those with the id
    of a changed file (before or after), and those relating to a case whose id is gone.  Between
    unchanged files alone there is no problem to find: the current generation was loaded without
    errors (what they share with no changed file stays as it was).
    """
    new = [entry.document.data for entry in reading.parsed.values()]
    new_ids = {data.get("id") for data in new if isinstance(data.get("id"), str)}
    gone_ids = {record.id for record in reading.gone}
    ids, vanished = new_ids | gone_ids, gone_ids - new_ids
    pages = {page for record in reading.gone for page in record.pages}
    pages |= {normalised_url(source["url"]) for data in new for source in as_list(data.get("sources"))
              if isinstance(source, dict) and isinstance(source.get("url"), str) and source["url"].strip()}
    pages.discard("")
    touched = reading.touched
    near, listed = set(), set(touched)
    for display, record in reading.scan.kept.items():
        if not touched.isdisjoint(record.source_ids):
            reading.kept_declared.update(touched.intersection(record.source_ids))
        if record.role != "case":
            continue
        shared = [] if pages.isdisjoint(record.pages) else [
            sid for sid, page in zip(record.source_ids, record.pages, strict=True) if page in pages]
        if (record.id in ids or shared or not touched.isdisjoint(record.source_ids)
                or (vanished and any(target in vanished for target, *_ in (*record.relations, *record.scope_targets)))):
            near.add(display)
            listed.update(shared)
    return near, listed


def _declared(parsed: dict[str, CachedFile]) -> list[str]:
    """The ids of the sources the changed files declare."""
    return [source.get("id") for entry in parsed.values() for source in as_list(entry.document.data.get("sources"))
            if isinstance(source, dict)]


def store_change(reading: _Reading, new: Manifest, links: dict[str, list[Problem]]) -> StoreChange:
    """The changed cases' part of the graph and the shared nodes they touch; ``new`` gets its files and totals."""
    cases = [entry.document for entry in reading.parsed.values()]
    rows = graph_part(reading.vocabulary, cases=cases)
    counts = counts_by_file(rows)
    gone = reading.gone
    change = StoreChange(rewired=[r.id for r in gone], files=[r.display for r in gone], rows=GraphRows(
        {label: nodes for label, nodes in rows.nodes.items() if label != "Organisation"}, rows.rels))
    new_ids = {doc.data["id"] for doc in cases}
    change.removed["Organisation"] = [r.id for r in gone if r.id not in new_ids]
    change.upserts["Organisation"] = rows.nodes.get("Organisation", [])
    new.files = {display: reading.scan.kept.get(display) or record_for(reading.parsed[display], links.get(display, []),
                                                                       counts.get(display, {}))
                 for display, _ in reading.scan.files}
    sources = graph_part(reading.vocabulary, sources=_first_declarations_of_touched(reading))
    change.upserts["Source"] = sources.nodes.get("Source", [])
    declared = reading.kept_declared | set(_declared(reading.parsed))
    change.removed["Source"] = sorted(reading.touched - declared)
    countries = {r.country for r in new.files.values() if r.role == "case"}
    near = {r.country for r in gone} | countries_of(cases)
    change.upserts["Country"] = graph_part(reading.vocabulary, countries=near & countries).nodes.get("Country", [])
    change.removed["Country"] = sorted(near - countries)
    change.nodes, change.rels = new.nodes, new.rels = _totals(reading, new, len(countries), declared)
    return change


def _totals(reading: _Reading, new: Manifest, countries: int, declared: set[str]) -> tuple[dict[str, int],
                                                                                           dict[str, int]]:
    """Nodes per label and relationships per type after the change: the old totals, less what the
    changed and deleted files put in, plus what the changed files put in now.  A source is a node
    while a file declares it: ``declared`` are the sources the change touches that a file declares now."""
    nodes, rels = Counter(reading.old.nodes), Counter(reading.old.rels)
    for record, sign in [(r, -1) for r in reading.gone] + [(new.files[d], 1) for d in reading.parsed]:
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

    An unchanged case is seen through a stand-in that lists only a source's id and a few facts: its
    full declaration is read from the file (or its cache entry), only where it became the first.
    """
    old_order = {display: position for position, display in enumerate(reading.old.files)}
    gone_first: dict[str, int] = {}  # each source's first declaration among the files that changed or went
    for record in reading.gone:
        for sid in record.source_ids:
            gone_first[sid] = min(gone_first.get(sid, old_order[record.display]), old_order[record.display])
    declarations, pending = [], set(reading.touched)
    for (display, role), doc in zip(reading.scan.files, reading.documents, strict=True):
        if not pending:
            break
        wanted = [s for s in as_list(doc.data.get("sources")) if isinstance(s, dict) and s.get("id") in pending]
        if not wanted:
            continue
        pending -= {w["id"] for w in wanted}
        if display in reading.scan.kept and role == "case":
            became_first = {w["id"] for w in wanted if gone_first.get(w["id"], len(old_order)) < old_order[display]}
            if not became_first:
                continue  # it was the first declaration before too
            full = reading.full_document(display, role).data["sources"]
            wanted = [s for s in full if s.get("id") in became_first]
        declarations += wanted
    return first_of(declarations)
