"""Incremental reload: bring a generation up to date with the content by reading only what changed.

A reload reads top to bottom as its steps:

1. **scan** (:func:`scan_changes`): compare the files on disk with the generation's manifest
   (:mod:`kb.store.manifest`) by ``stat`` signature, hashing only files whose signature moved;
2. **parse what changed** (:func:`read_checked`): parse and check each changed file on its own,
   or take it from the parse cache (:mod:`kb.parse_cache`) when its bytes were seen before;
3. **check**: resolve the changed files' links and run the cross-file checks over every file, the
   unchanged ones seen through their manifest records (:func:`stub_document`);
4. **diff** (:func:`load_changes` -> :class:`~kb.store.manifest.StoreChange`): the nodes and
   relationships the changed files give, the shared nodes they touch, the new totals;
5. **apply**: :func:`kb.pipeline.load_embedded` hands the change to the store
   (:func:`kb.store.ladybug.apply_change`), which writes it to a copy and switches atomically.

The parse cache is a plain data structure this module uses; it never calls back.  Relative links
in the prose are checked against the files on disk when a file is parsed; in a ``load`` that reuses
a file's entry they are as of its last change (``validate`` checks afresh).

>>> from kb.problems import Problem
>>> import marshal
>>> fact = ("a-s1", "https://a.example/", None, 9, 7, "A", "opinion", (10, 12), (11, 18))
>>> record = FileRecord("cases/a.md", "case", "0" * 64, (1, 2, 3), (), (), {}, "a", "NL", ("a-s1",),
...                     marshal.dumps((fact,)), (("b", 20, 11),), (2, 5))
>>> doc = stub_document(record)
>>> doc.data["sources"], doc.at("relations", 0, "target"), doc.at("sources", 0, "reliability")
([{'id': 'a-s1', 'url': 'https://a.example/', 'title': 'A', 'reliability': 'opinion'}], (20, 11), (11, 18))
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kb.check.validate import cross_file_problems, file_problems, resolve_links, scope_targets, sort_problems
from kb.check.vocabulary import Vocabulary, country_name, load_vocabulary
from kb.content.files import MAX_FILE_BYTES, ContentLayout, SourceFile, discover
from kb.content.frontmatter import FrontMatter
from kb.content.parse import Document, parse_file
from kb.graph.model import Corpus, build_corpus
from kb.graph.rows import GraphRows, graph_rows
from kb.parse_cache import CachedFile, ParseCache
from kb.problems import Problem
from kb.store.manifest import FileRecord, Manifest, StatKey, StoreChange, folder_listing, stat_key

__all__ = ["Changes", "Scan", "StubDocument", "load_changes", "read_checked", "record_for", "scan_changes",
           "stub_document"]

#: An incremental load handles at most this many changed files, or this share of them; more
#: changes are loaded by a full rebuild, which is then about as fast and simpler to trust.
MAX_CHANGED_FILES = 200
MAX_CHANGED_SHARE = 0.02

def read_checked(file: SourceFile, layout: ContentLayout, vocabulary: Vocabulary, cache: ParseCache,
                 known: tuple[str, StatKey] | None = None) -> CachedFile:
    """The file parsed and checked on its own: from the cache when its content was seen before.

    ``known`` is a hash and stat signature the caller already has (from a manifest); when the
    file's stat still matches, the file is not even read.

    >>> import tempfile
    >>> from kb.content.files import discover
    >>> from kb.check.vocabulary import load_vocabulary
    >>> from kb.parse_cache import cache_version
    >>> root = Path("tests/fixtures/mini"); layout = ContentLayout(root)
    >>> cache = ParseCache(Path(tempfile.mkdtemp()), cache_version(root))
    >>> file = discover(layout)[0]
    >>> first = read_checked(file, layout, load_vocabulary(layout.vocabulary), cache)
    >>> again = read_checked(file, layout, load_vocabulary(layout.vocabulary), cache)
    >>> (first.reused, again.reused, again.document.data == first.document.data)
    (False, True, True)
    """
    before = stat_key(file.path)
    if before is None or before[0] > MAX_FILE_BYTES:
        return _fresh(file, layout, vocabulary)
    if known and known[1] == before:
        sha256 = known[0]
    else:
        try:
            sha256 = hashlib.sha256(file.path.read_bytes()).hexdigest()
        except OSError:
            return _fresh(file, layout, vocabulary)
    entry = cache.load(sha256, file)
    if entry is not None:
        document, problems = entry
        return CachedFile(document, problems, sha256, before, reused=True)
    result = _fresh(file, layout, vocabulary)
    # Keep it only if the file did not change while it was read, so the entry matches the hash.
    if stat_key(file.path) == before:
        cache.store(sha256, result.document, result.problems)
        result.sha256, result.stat = sha256, before
    return result


def _fresh(file: SourceFile, layout: ContentLayout, vocabulary: Vocabulary) -> CachedFile:
    document = parse_file(file, layout)
    return CachedFile(document, file_problems(document, vocabulary))


# --- 1. scan, 3. check, 4. diff ------------------------------------------------------------

@dataclass
class Scan:
    """The content files compared with a generation's manifest, by stat signature (or hash)."""

    files: list[tuple[str, str]]  # (path shown, role), in discovery order
    kept: dict[str, FileRecord]  # unchanged files
    changed: list[SourceFile]  # changed or new files
    deleted: list[str]
    listing: dict[str, list[str]]
    scanned_ns: int

    @property
    def anything(self) -> bool:
        return bool(self.changed or self.deleted)


def scan_changes(root: Path, manifest: Manifest, version: str) -> Scan | None:
    """Which files changed since ``manifest``; None when a full load is the way.

    That is when the code, schemas or vocabulary changed (another cache ``version``), a concept
    page changed, or more files changed than an update is worth.  A file whose ``stat`` signature
    matches its record is not read; one whose signature moved is hashed.
    """
    if manifest.version != version:
        return None
    scanned_ns = time.time_ns()
    layout = ContentLayout(root)
    listing = folder_listing(layout)
    if listing == manifest.listing:
        files = [(display, record.role) for display, record in manifest.files.items()]
    else:
        files = [(f.display, f.role) for f in discover(layout)]
    base = str(layout.root)
    kept: dict[str, FileRecord] = {}
    changed: list[SourceFile] = []
    for display, role in files:
        path = os.path.join(base, display)
        record, stat = manifest.files.get(display), stat_key(path)
        if record is None or record.role != role or stat is None or not record.sha256:
            changed.append(SourceFile(Path(path), display, role))
        elif record.stat == stat and not manifest.is_racy(stat):
            kept[display] = record
        elif _sha256(path) == record.sha256:  # touched, or written too close to the last scan
            kept[display] = record._replace(stat=stat)
        else:
            changed.append(SourceFile(Path(path), display, role))
    present = {display for display, _ in files}
    deleted = [display for display in manifest.files if display not in present]
    roles = [f.role for f in changed] + [manifest.files[display].role for display in deleted]
    if any(role != "case" for role in roles) or len(roles) > max(10, min(MAX_CHANGED_FILES,
                                                                        int(len(files) * MAX_CHANGED_SHARE))):
        return None
    return Scan(files, kept, changed, deleted, listing, scanned_ns)


def _sha256(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


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


def load_changes(root: Path, manifest: Manifest, cache: ParseCache, scan: Scan | None = None) -> Changes | None:
    """Check the content against the generation ``manifest`` describes, reading only what changed.

    Returns None when a full load is the way (see :func:`scan_changes`).  Changed files are
    parsed (or taken from the cache), checked on their own and their links resolved; the
    cross-file checks then run over every file, the unchanged ones seen through their manifest
    records (:func:`kb.reload.stub_document`).  Without errors, ``change`` says what to write.
    """
    scan = scan or scan_changes(root, manifest, cache.version)
    if scan is None:
        return None
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    parsed = {file.display: read_checked(file, layout, vocabulary, cache) for file in scan.changed}
    gone = [manifest.files[d] for d in manifest.files if d not in scan.kept]  # changed or deleted
    declarers = manifest.declarers  # updated in place: the old manifest is not used again
    for sid in (sid for record in gone for sid in record.source_ids):
        declarers[sid] -= 1
    new_sources = {display: [s.get("id") for s in _list(entry.document.data.get("sources")) if isinstance(s, dict)]
                   for display, entry in parsed.items()}
    for sid in (sid for ids in new_sources.values() for sid in ids):
        declarers[sid] = declarers.get(sid, 0) + 1
    touched = {sid for record in gone for sid in record.source_ids} | {s for ids in new_sources.values() for s in ids}
    of_interest = {sid for sid, n in declarers.items() if n > 1} | touched
    documents = [parsed[display].document if display in parsed
                 else _full(layout, display, role, scan.kept[display], cache, vocabulary) if role != "case"
                 else stub_document(scan.kept[display], of_interest) for display, role in scan.files]
    links = resolve_links([entry.document for entry in parsed.values()], documents)
    problems = [p for record in scan.kept.values() for p in (*record.problems, *record.link_problems)]
    problems += [p for entry in parsed.values() for p in entry.problems] + links
    problems += cross_file_problems(documents, links=False)
    new = Manifest(manifest.version, scan.scanned_ns, scan.listing, nodes=manifest.nodes, rels=manifest.rels,
                   declarers=declarers, built_bytes=manifest.built_bytes)
    for sid in touched:
        if not declarers.get(sid):
            declarers.pop(sid, None)
    result = Changes(sort_problems(problems), new, [f.display for f in scan.changed if f.display in manifest.files],
                     [f.display for f in scan.changed if f.display not in manifest.files], scan.deleted)
    if not result.ok or not scan.anything:
        new.files = {display: scan.kept[display] for display, _ in scan.files} if result.ok else manifest.files
        return result
    result.change = _store_change(scan, documents, parsed, gone, manifest, new, by_path(links), touched,
                                  layout, cache, vocabulary)
    return result


def _full(layout: ContentLayout, display: str, role: str, record: FileRecord, cache: ParseCache,
          vocabulary: Vocabulary) -> Document:
    """An unchanged file's document, from the cache (parsed again if its entry is gone)."""
    file = SourceFile(layout.root / display, display, role)
    return read_checked(file, layout, vocabulary, cache, known=(record.sha256, record.stat)).document


def _store_change(scan: Scan, documents: list[Document], parsed: dict[str, CachedFile], gone: list[FileRecord],
                  old: Manifest, new: Manifest, links: dict[str, list[Problem]], touched: set[str],
                  layout: ContentLayout, cache: ParseCache, vocabulary: Vocabulary) -> StoreChange:
    """The nodes and relationships the changed case files give, and the shared nodes they touch."""
    corpus = build_corpus([entry.document for entry in parsed.values()], vocabulary)
    rows = graph_rows(Corpus(corpus.organisations, {}, {}, Vocabulary({})))
    rows.nodes.pop("Country", None)  # shared: see below
    counts = counts_by_file(rows)
    change = StoreChange(rewired=[r.id for r in gone], files=[r.display for r in gone], rows=GraphRows(
        {label: nodes for label, nodes in rows.nodes.items() if label != "Organisation"}, rows.rels))
    new_ids = {org.id for org in corpus.organisations.values()}
    change.removed["Organisation"] = [r.id for r in gone if r.id not in new_ids]
    change.upserts["Organisation"] = rows.nodes.get("Organisation", [])
    new.files = {display: scan.kept.get(display) or record_for(parsed[display], links.get(display, []),
                                                               counts.get(display, {}))
                 for display, _ in scan.files}
    _shared_sources(change, scan, documents, touched, new.declarers, layout, cache, vocabulary)
    countries = {r.country for r in new.files.values() if r.role == "case"}
    near = {r.country for r in gone} | {org.country for org in corpus.organisations.values()}
    change.upserts["Country"] = [{"id": c, "name": country_name(c)} for c in sorted(near & countries)]
    change.removed["Country"] = sorted(near - countries)
    nodes, rels = Counter(old.nodes), Counter(old.rels)
    for record, sign in [(r, -1) for r in gone] + [(new.files[d], 1) for d in parsed]:
        for key, n in record.counts.items():
            (rels if key.startswith("rel:") else nodes)[key.removeprefix("rel:")] += sign * n
    nodes["Source"], nodes["Country"] = len(new.declarers), len(countries)
    change.nodes = new.nodes = {k: v for k, v in nodes.items() if v}
    change.rels = new.rels = {k: v for k, v in rels.items() if v}
    return change


def _shared_sources(change: StoreChange, scan: Scan, documents: list[Document], touched: set[str],
                    declarers: dict[str, int], layout: ContentLayout, cache: ParseCache,
                    vocabulary: Vocabulary) -> None:
    """Sources the changed files declare or declared: each is written as its first declaration (in
    file order) says, as the model does, and deleted once no file declares it."""
    first: dict[str, dict] = {}
    for (display, role), doc in zip(scan.files, documents, strict=True):
        for source in _list(doc.data.get("sources")):
            source_id = source.get("id") if isinstance(source, dict) else None
            if source_id in touched and source_id not in first:
                if display in scan.kept and role == "case":  # a stand-in: read the full declaration
                    full = _full(layout, display, role, scan.kept[display], cache, vocabulary)
                    source = next(s for s in full.data["sources"] if s.get("id") == source_id)
                first[source_id] = source
    # A document of no role holding just these declarations: the model reads them as it would anywhere.
    holder = Document(SourceFile(layout.root, "", "sources"), None,
                      FrontMatter({"id": "", "sources": list(first.values())}), None)
    sources = build_corpus([holder], vocabulary).sources
    change.upserts["Source"] = graph_rows(Corpus({}, {}, sources, Vocabulary({}))).nodes.get("Source", [])
    change.removed["Source"] = sorted(sid for sid in touched if sid not in declarers)


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def counts_by_file(rows: GraphRows) -> dict[str, dict[str, int]]:
    """Nodes per label and relationships per type (``rel:TYPE``) that each file put in the graph."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for label, nodes in rows.nodes.items():
        for node in nodes:
            if node.get("file"):
                counts[node["file"]][label] += 1
    for rel in rows.rels:
        counts[rel.props["file"]]["rel:" + rel.type] += 1
    return {file: dict(c) for file, c in counts.items()}


def record_for(loaded: CachedFile, link_problems: list[Problem], counts: dict[str, int]) -> FileRecord:
    """The manifest record of a file that was loaded into a generation."""
    document = loaded.document
    data = document.data
    record = FileRecord(document.where, document.role, loaded.sha256, loaded.stat, tuple(loaded.problems),
                        tuple(link_problems), counts, id=data.get("id") if isinstance(data.get("id"), str) else "")
    if not record.id:
        return record
    facts = tuple((s.get("id"), s.get("url"), s.get("publication"), *document.at("sources", i, "id"),
                   s.get("title"), s.get("reliability"), document.at("sources", i, "title"),
                   document.at("sources", i, "reliability"))
                  for i, s in enumerate(_list(data.get("sources"))) if isinstance(s, dict))
    record = record._replace(source_ids=tuple(fact[0] for fact in facts), source_facts=marshal.dumps(facts))
    if document.role != "case":
        return record
    relations = tuple((r.get("target"), *document.at("relations", i, "target"))
                      for i, r in enumerate(_list(data.get("relations"))) if isinstance(r, dict))
    country = data.get("country") if isinstance(data.get("country"), str) else ""
    return record._replace(relations=relations, country=country, id_at=document.at("id"),
                           scope_targets=tuple(scope_targets(document)))


class StubDocument:
    """A stand-in for an unchanged case file with just what the cross-file checks read.

    It answers ``front``, ``data``, ``role``, ``where`` and ``at()`` like a
    :class:`~kb.content.parse.Document`, and nothing else: its prose is not there (link resolution is kept
    in the record), so it is only for :func:`kb.check.validate.cross_file_problems` with ``links=False``
    and for reading declarations.  Ten thousand of these are made on every incremental load.
    """

    __slots__ = ("data", "positions", "role", "scope_targets", "where")

    def __init__(self, data: dict, positions: dict[tuple, tuple[int, int]], role: str, where: str,
                 scope_targets: tuple[tuple, ...] = ()):
        self.data, self.positions, self.role, self.where = data, positions, role, where
        self.scope_targets = scope_targets  # what kb.check.validate.scope_targets found in its body

    @property
    def front(self) -> StubDocument:
        return self  # ``front.data`` is the data, as on a document

    def at(self, *path: object) -> tuple[int, int]:
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))


def stub_document(record: FileRecord, sources_of_interest: set[str] | None = None) -> StubDocument:
    """The :class:`StubDocument` of an unchanged case file.

    With ``sources_of_interest``, only those of its sources are listed: a source no other file
    declares cannot conflict with another file's, and leaving it out saves the checks most of their work.
    """
    sources, relations = [], []
    positions: dict[tuple, tuple[int, int]] = {("id",): record.id_at}
    wanted = record.source_ids if sources_of_interest is None else sources_of_interest.intersection(record.source_ids)
    for source_id, url, publication, line, col, title, reliability, title_at, reliability_at in (
            record.sources if wanted else ()):
        if source_id not in wanted:
            continue
        positions[("sources", len(sources), "id")] = (line, col)
        positions[("sources", len(sources), "title")] = tuple(title_at)
        positions[("sources", len(sources), "reliability")] = tuple(reliability_at)
        source = {"id": source_id}
        for key, value in (("url", url), ("publication", publication), ("title", title),
                           ("reliability", reliability)):
            if value is not None:
                source[key] = value
        sources.append(source)
    for i, (target, line, col) in enumerate(record.relations):
        relations.append({"target": target})
        positions[("relations", i, "target")] = (line, col)
    data = {"id": record.id, "country": record.country, "sources": sources, "relations": relations}
    return StubDocument(data, positions, record.role, record.display, record.scope_targets)


def by_path(problems: list[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        grouped[problem.path].append(problem)
    return dict(grouped)
