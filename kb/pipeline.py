"""The pipeline in one place: it runs the stages in order, files -> parse -> check -> model -> graph -> store.

>>> from pathlib import Path
>>> result = load_content(Path("."))
>>> result.ok, len(result.corpus.organisations) > 0
(True, True)

:func:`load_embedded` is what ``graph_loader.py load`` runs: it brings the embedded store up to
date: a full rebuild here (in chunks, in worker processes for large contents), or, when only a few
case files changed, an incremental reload (:mod:`kb.reload`: scan, parse what changed, check, diff)
applied to a copy of the current generation (``kb.store.ladybug.apply_change``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.check.contributor_rules import content_bar_problems
from kb.check.validate import cross_file_problems, resolve_links, sort_problems, validate
from kb.check.vocabulary import Vocabulary, load_vocabulary
from kb.content.files import ContentLayout, SourceFile, discover, misnamed_files
from kb.content.frontmatter import FrontMatter
from kb.content.parse import Document, parse_file
from kb.graph.model import Corpus, build_corpus
from kb.graph.rows import GraphRows, graph_rows
from kb.parse_cache import CachedFile, ParseCache, cache_version
from kb.problems import Problem
from kb.reload import (
    Changes,
    by_path,
    counts_by_file,
    load_changes,
    read_checked,
    record_for,
    scan_changes,
    stub_document,
)
from kb.store.manifest import FileRecord, Manifest, new_manifest

__all__ = ["Changes", "EmbeddedLoad", "LoadResult", "check_paths", "load_changes", "load_content", "load_embedded"]

#: Case files a full load holds in memory at once in each process (documents take about 100 kB each).
FULL_LOAD_CHUNK = 250
#: Case files from which a full load shares its chunks out to worker processes (one per core;
#: starting them costs a fraction of a second).
PARALLEL_FROM = 200


class _Outcome:
    """Errors, warnings and ok-ness of anything that carries a ``problems`` list."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class LoadResult(_Outcome):
    """What a load produced: the problems and, when there were no errors, the corpus.

    With a cache, ``loaded`` has each file's hash and own problems, and ``link_problems`` the
    problems of resolving each case's links (by file): what a manifest keeps.
    """

    problems: list[Problem]
    documents: list[Document] = field(default_factory=list)
    corpus: Corpus | None = None
    loaded: list[CachedFile] = field(default_factory=list)
    link_problems: dict[str, list[Problem]] = field(default_factory=dict)



def load_content(root: Path, progress: Callable[[Iterable], Iterable] | None = None,
                 cache: ParseCache | None = None) -> LoadResult:
    """Parse and validate all content below ``root``; build the corpus if it has no errors.

    ``progress`` may wrap the list of files (e.g. ``tqdm``) to show parsing progress.  With a
    ``cache``, files whose content was parsed before are not parsed (nor checked on their own) again.
    """
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    files = discover(layout)
    files_shown = progress(files) if progress else files
    if cache is None:
        documents = [parse_file(f, layout) for f in files_shown]
        result = LoadResult(validate(documents, vocabulary), documents)
    else:
        loaded = [read_checked(f, layout, vocabulary, cache) for f in files_shown]
        documents = [entry.document for entry in loaded]
        links = resolve_links(documents, documents)
        problems = [p for entry in loaded for p in entry.problems] + links + cross_file_problems(documents, links=False)
        result = LoadResult(sort_problems(problems), documents, loaded=loaded, link_problems=by_path(links))
    misnamed = misnamed_files(layout)
    if misnamed:  # a file that would be passed over is an error, not a silent loss
        result.problems = sort_problems(result.problems + misnamed)
    if result.ok:
        result.corpus = build_corpus(documents, vocabulary)
    return result


def check_paths(root: Path, paths: list[Path]) -> list[Problem]:
    """Validate the whole content but report only problems in the given files or folders.

    Cross-file checks need every file, so the whole content is always read.
    """
    result = load_content(root)
    problems = sort_problems(result.problems + content_bar_problems(result.documents))
    if not paths:
        return problems
    layout = ContentLayout(root)
    named = {p.path for p in misnamed_files(layout, paths)}
    misnamed = [p for p in misnamed_files(layout, paths) if p.path not in {q.path for q in problems}]
    strays = [Problem(layout.display(p), 1, 1, "not in a content folder, so it is not loaded",
                      "case files go in cases/, concept pages in concepts/<kind>s/", code="location")
              for p in paths if p.is_file() and layout.role_of(p) is None and layout.display(p) not in named]
    wanted = {layout.display(p.resolve()) for p in paths}
    return misnamed + strays + [p for p in problems
                                if any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted)]


# --- incremental loads ------------------------------------------------------------------------

# --- the embedded store ------------------------------------------------------------------------

@dataclass
class EmbeddedLoad(_Outcome):
    """What :func:`load_embedded` did: ``mode`` is full, incremental, unchanged or refused."""

    problems: list[Problem]
    mode: str
    files: int = 0
    generation: Path | None = None
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    seconds: float = 0.0



def load_embedded(root: Path, store: Path, *, full: bool = False,
                  progress: Callable[[Iterable], Iterable] | None = None,
                  step: Callable[[str], None] | None = None) -> EmbeddedLoad:
    """Validate the content and bring the embedded store in ``store`` up to date, atomically.

    After a first load, a load reparses only the files whose content changed, and when only a few
    case files changed it updates a copy of the current generation rather than rebuilding the
    graph; ``full=True`` always rebuilds.  Either way the new generation is checked before readers
    are switched to it, and a failed load leaves the previous one in place.

    >>> import shutil, tempfile
    >>> root, store = Path(tempfile.mkdtemp()) / "content", Path(tempfile.mkdtemp()) / "store"
    >>> _ = shutil.copytree("tests/fixtures/mini", root)
    >>> load_embedded(root, store).mode, load_embedded(root, store).mode
    ('full', 'unchanged')
    """
    from kb.store import ladybug

    with ladybug.load_lock(store):
        return _load_embedded(root, store, full, progress, step)


def _load_embedded(root: Path, store: Path, full: bool, progress: Callable[[Iterable], Iterable] | None,
                   step: Callable[[str], None] | None) -> EmbeddedLoad:
    from kb.store import ladybug

    started = time.perf_counter()
    misnamed = misnamed_files(ContentLayout(root))
    if misnamed:  # a content file that would be passed over: refuse rather than lose it silently
        return EmbeddedLoad(misnamed, "refused", generation=ladybug.current_generation(store),
                            seconds=time.perf_counter() - started)
    cache = ParseCache(store / "cache", cache_version(root))
    manifest = None if full else ladybug.current_manifest(store)
    scan = scan_changes(root, manifest, cache.version) if manifest else None
    if scan is None or (scan.anything and ladybug.needs_rebuild(store, manifest.built_bytes)):
        return _full_load(root, store, cache, progress, step, started)
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
    finally:
        if copy is not None:
            copy.discard()
    load.seconds = time.perf_counter() - started
    return load


def _full_load(root: Path, store: Path, cache: ParseCache, progress: Callable[[Iterable], Iterable] | None,
               step: Callable[[str], None] | None, started: float) -> EmbeddedLoad:
    """Rebuild the embedded store from every file, holding only a chunk of documents at a time.

    Documents are most of a large load's memory (about 100 kB each), so cases are read in chunks:
    each chunk's links are resolved, its organisations' nodes and relationships made (as
    :func:`kb.graph.rows.graph_rows` makes them) and its manifest records written, then it is let go.
    The cross-file checks run at the end on the records (:func:`kb.reload.stub_document`).
    """
    from kb.store import ladybug

    manifest = new_manifest(root, cache.version, time.time_ns())
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    files = discover(layout)
    concepts = {f.display: read_checked(f, layout, vocabulary, cache) for f in files if f.role != "case"}
    writer = ladybug.GenerationWriter(store)
    try:
        return _write_full(writer, files, concepts, manifest, layout, cache, vocabulary, progress, step, started)
    except BaseException:
        writer.discard()
        raise


def _write_full(writer: Any, files: list[SourceFile], concepts: dict[str, CachedFile], manifest: Manifest,
                layout: ContentLayout, cache: ParseCache, vocabulary: Vocabulary,
                progress: Callable[[Iterable], Iterable] | None, step: Callable[[str], None] | None,
                started: float) -> EmbeddedLoad:
    concept_docs = [entry.document for entry in concepts.values()]
    countries: dict[str, dict] = {}
    first_sources: dict[str, dict] = {}
    problems: list[Problem] = []
    cases = [f for f in files if f.role == "case"]
    chunks = [cases[i:i + FULL_LOAD_CHUNK] for i in range(0, len(cases), FULL_LOAD_CHUNK)]
    done = _ChunksDone(chunks, _load_chunks(_ChunkContext(layout, vocabulary, concept_docs, cache, writer),
                                            chunks))
    for _file in progress(done) if progress else done:
        pass
    for chunk in done.results:  # in file order, whichever process loaded them
        writer.merge(chunk.staged)
        problems += chunk.problems
        manifest.files.update(chunk.records)
        for country_id, country in chunk.countries.items():
            countries.setdefault(country_id, country)
        for source in chunk.declared:
            first_sources.setdefault(source["id"], source)
    for entry in concepts.values():
        _declare(entry.document, first_sources)
    for display, entry in concepts.items():
        manifest.files[display] = record_for(entry, [], {})
        problems += entry.problems
    manifest.files = {f.display: manifest.files[f.display] for f in files}  # discovery order
    documents = [concepts[f.display].document if f.role != "case" else stub_document(manifest.files[f.display])
                 for f in files]
    problems = sort_problems(problems + cross_file_problems(documents, links=False))
    if any(p.is_error for p in problems):
        writer.discard()
        return EmbeddedLoad(problems, "refused", len(files), seconds=time.perf_counter() - started)
    rows = _shared_rows(concept_docs, first_sources, countries, vocabulary, layout)
    for display, counts in counts_by_file(rows).items():
        if display in manifest.files:  # concept pages (the sector hierarchy is no content file's)
            manifest.files[display] = manifest.files[display]._replace(counts=counts)
    writer.add(rows)
    manifest.nodes, manifest.rels = writer.totals()
    manifest.declarers = dict(Counter(sid for record in manifest.files.values() for sid in set(record.source_ids)))
    # The bulk load takes most of a large load's memory: let go of everything else first.
    del done, documents, rows, first_sources, countries
    gc.collect()
    generation = writer.finish(manifest, step)
    cache.prune(keep={record.sha256 for record in manifest.files.values()})
    return EmbeddedLoad(problems, "full", len(files), generation, manifest.nodes, manifest.rels,
                        seconds=time.perf_counter() - started)


@dataclass
class _ChunkContext:
    """What loading a chunk of case files needs, the same in every worker process."""

    layout: ContentLayout
    vocabulary: Vocabulary
    concept_docs: list[Document]
    cache: ParseCache
    writer: Any  # the generation's writer: workers write staging files of their own beside it


@dataclass
class _ChunkLoaded:
    """A chunk of case files, loaded: its staging files, manifest records and what the whole load needs."""

    staged: Any  # kb.store.ladybug.StagedPart
    records: dict[str, FileRecord]
    problems: list[Problem]
    countries: dict[str, dict]
    declared: list[dict]  # each source's first declaration in the chunk, in file order


class _ChunksDone:
    """The files of the chunks, given as each chunk is loaded (for a progress bar over files)."""

    def __init__(self, chunks: list[list[SourceFile]], loaded: Iterable[_ChunkLoaded]):
        self.chunks, self.loaded, self.results = chunks, loaded, []

    def __len__(self) -> int:
        return sum(len(chunk) for chunk in self.chunks)

    def __iter__(self):
        for chunk, result in zip(self.chunks, self.loaded, strict=True):
            self.results.append(result)
            yield from chunk


_CONTEXT: _ChunkContext | None = None


def _set_context(context: _ChunkContext) -> None:
    global _CONTEXT
    _CONTEXT = context


def _load_chunks(context: _ChunkContext, chunks: list[list[SourceFile]]) -> Iterable[_ChunkLoaded]:
    """Load the chunks in order: in worker processes (one per core) when there are many files.

    Each case file is parsed (or read from the cache), checked, modelled and written to staging
    files on its own, so the work shares out; only the results come back to this process.
    """
    workers = os.cpu_count() or 1
    if workers < 2 or len(chunks) < 2 or sum(map(len, chunks)) < PARALLEL_FROM:
        _set_context(context)
        yield from map(_load_chunk, enumerate(chunks))
        return
    # fork: the workers start at once with everything imported and the concept pages parsed.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_set_context, initargs=(context,)) as pool:
        yield from pool.map(_load_chunk, enumerate(chunks))


def _load_chunk(numbered: tuple[int, list[SourceFile]]) -> _ChunkLoaded:
    """Check, model and turn into staging rows a chunk of case files; make their manifest records."""
    number, files = numbered
    context = _CONTEXT
    loaded = [read_checked(file, context.layout, context.vocabulary, context.cache) for file in files]
    documents = [entry.document for entry in loaded]
    links = resolve_links(documents, documents + context.concept_docs)
    problems = [p for entry in loaded for p in entry.problems] + links
    usable = [doc for doc in documents if doc.front is not None and doc.front.data is not None]
    staging = context.writer.part_writer()
    chunk_rows = GraphRows()
    countries: dict[str, dict] = {}
    if not any(p.is_error for p in problems):  # with errors nothing is written: no need to model
        corpus = build_corpus(usable, context.vocabulary)
        chunk_rows = graph_rows(Corpus(corpus.organisations, {}, {}, Vocabulary({})))
        for country in chunk_rows.nodes.pop("Country", []):
            countries.setdefault(country["id"], country)
        staging.add(chunk_rows, part=f"{number:05d}")
    declared: dict[str, dict] = {}
    for doc in usable:
        _declare(doc, declared)
    counts, links_by_path = counts_by_file(chunk_rows), by_path(links)
    records = {entry.document.where: record_for(entry, links_by_path.get(entry.document.where, []),
                                                counts.get(entry.document.where, {}))
               for entry in loaded}
    return _ChunkLoaded(staging.written(), records, problems, countries, list(declared.values()))


def _declare(doc: Document, first_sources: dict[str, dict]) -> None:
    """Keep each source's first declaration, in file order (what the model keeps)."""
    for source in _list(doc.data.get("sources")):
        if isinstance(source, dict) and "id" in source:
            first_sources.setdefault(source["id"], source)


def _shared_rows(concept_docs: list[Document], first_sources: dict[str, dict], countries: dict[str, dict],
                 vocabulary: Vocabulary, layout: ContentLayout) -> GraphRows:
    """Sectors, sources, concepts and countries: the nodes (and their relationships) no one case owns."""
    holder = Document(SourceFile(layout.root, "", "sources"), None,
                      FrontMatter({"id": "", "sources": list(first_sources.values())}), None)
    corpus = build_corpus([*concept_docs, holder], vocabulary)
    corpus.sources = build_corpus([holder], vocabulary).sources  # first declarations, in file order
    rows = graph_rows(corpus)
    for country in sorted(countries):
        rows.nodes.setdefault("Country", []).append(countries[country])
    return rows


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
