"""The full load: every file into a new generation of the embedded store, a chunk of cases at a time.

Documents are most of a large load's memory (about 100 kB each), so case files are read in chunks
(:data:`FULL_LOAD_CHUNK`), in worker processes when there are many (:data:`PARALLEL_FROM`).  Each
chunk is read (:func:`kb.load.read.read_checked`), its links resolved, its cases' part of the graph
made (:func:`kb.load.rows.graph_part`) and written to staging files, and its manifest records made;
then it is let go, and the sources its cases declared first are written as it comes back, to a
staging file per chunk so that they are bulk-loaded in batches like the cases (only their ids are
kept, and a number per page they name, :class:`_SourcePages`).  At the end the cross-file checks run
over every file, the cases seen through their records (:func:`kb.load.records.stub_document`) with
only the sources another file could conflict with; the rest of the shared part of the graph
(sectors, concepts, the sources only concept pages declare, countries) is added, and the generation
is bulk-loaded (in a bounded buffer pool, :func:`kb.store.ladybug.load_buffer_bytes`), checked and
switched to.  From :data:`SEPARATE_READING_FROM` case files, everything before the bulk load runs in a
process of its own that ends before it (:func:`_in_own_process`), so that the memory the reading
freed is given back before LadybugDB's pool grows.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from kb.check.sources import normalised_url
from kb.check.validate import cross_file_problems, resolve_links, sort_problems
from kb.check.vocabulary import Vocabulary, load_vocabulary
from kb.collector import cycle_collector_paused
from kb.content.files import ContentLayout, SourceFile, discover
from kb.content.parse import Document
from kb.graph.rows import GraphRows
from kb.load.cache import CachedFile, ParseCache
from kb.load.read import by_path, read_checked
from kb.load.records import record_for, stub_document
from kb.load.results import EmbeddedLoad
from kb.load.rows import as_list, countries_of, counts_by_file, first_declarations, graph_part
from kb.problems import Problem, StoreError
from kb.store.manifest import FileRecord, Manifest, new_manifest, read_manifest, write_manifest

__all__ = ["FULL_LOAD_CHUNK", "PARALLEL_FROM", "full_load"]

#: Case files a full load holds in memory at once in each process (documents take about 100 kB each).
FULL_LOAD_CHUNK = 250
#: Files from which a full load keeps the new generation's manifest on disk during the bulk load (and
#: reads it back to finish it, a few seconds at 100,000 cases) rather than in memory beside LadybugDB.
SPILL_MANIFEST_FROM = 20_000
#: Case files from which a full load reads and checks them in a process of its own, which ends before the
#: bulk load (:func:`_in_own_process`): the memory Python freed after reading 100,000 cases stayed
#: resident beside LadybugDB's buffer pool.
SEPARATE_READING_FROM = 20_000
#: Case files from which a full load shares its chunks out to worker processes (one per core;
#: starting them costs a fraction of a second).
PARALLEL_FROM = 200

Progress = Callable[[Iterable], Iterable]


def full_load(root: Path, store: Path, cache: ParseCache, progress: Progress | None = None,
              step: Callable[[str], None] | None = None) -> EmbeddedLoad:
    """Rebuild the embedded store in ``store`` from every file below ``root`` (the caller holds its lock)."""
    from kb.store import ladybug

    started = time.perf_counter()
    # Taken before any file is read: a file written while the load reads is then seen as changed.
    manifest = new_manifest(root, cache.version, time.time_ns())
    layout = ContentLayout(root)
    vocabulary = load_vocabulary(layout.vocabulary)
    files = discover(layout)
    concepts = {f.display: read_checked(f, layout, vocabulary, cache) for f in files if f.role != "case"}
    writer = ladybug.GenerationWriter(store)
    try:
        cases = [f for f in files if f.role == "case"]
        context = _ChunkContext(layout, vocabulary, [e.document for e in concepts.values()], cache, writer)
        read_and_check = partial(_read_and_check, context, cases, progress, _Whole(manifest, files, concepts, [],
                                                                                   vocabulary, cache, set()))
        del manifest, concepts  # only through ``read_and_check``, which lets go of them as it goes
        if len(cases) >= SEPARATE_READING_FROM:
            checked = _in_own_process(read_and_check)
            if checked.staged is not None:
                writer.merge(checked.staged)  # the staging files the reading process wrote
        else:
            checked = read_and_check()
        del read_and_check
        load = _bulk_load(writer, checked, len(files), step)
    except BaseException:
        writer.discard()
        raise
    load.seconds = time.perf_counter() - started
    return load


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
    countries: set[str]
    declared: list[dict]  # each source's first declaration in the chunk, in file order (emptied once written)
    pages: list[int] = field(default_factory=list)  # per source of its records, in order: _page_key of its url


@dataclass
class _Whole:
    """Everything read: the files in discovery order, the concept pages, the loaded chunks of cases."""

    manifest: Manifest  # of the new generation, filled in as the load goes
    files: list[SourceFile]
    concepts: dict[str, CachedFile]
    chunks: list[_ChunkLoaded]
    vocabulary: Vocabulary
    cache: ParseCache
    sources_written: set[str]  # the ids of the sources the cases declared, already written
    pages: _SourcePages | None = None  # which sources name a page another source id names too
    problems: list[Problem] = field(default_factory=list)


class _SourcesWritten:
    """Each source's first declaration in a case file, written as the chunks come back, in file order.

    The sources are most of the graph's nodes (about eleven a case): kept until the end, their
    declarations grew a 100,000-case load by more than the rest of the parent's memory.  Only the
    ids are kept, so that a later declaration of the same source is passed over.
    """

    def __init__(self, writer: Any, vocabulary: Vocabulary):
        self.writer, self.vocabulary, self.seen = writer, vocabulary, set()
        self.pages = _SourcePages()

    def add(self, number: int, chunk: _ChunkLoaded) -> None:
        new = [source for source in chunk.declared if source["id"] not in self.seen]
        self.seen.update(source["id"] for source in new)
        if new:  # a file per chunk: one COPY of a million sources held them all at once
            self.writer.add(graph_part(self.vocabulary, sources=new), part=f"sources{number:05d}")
        chunk.declared = []
        self.pages.add(chunk)


class _SourcePages:
    """Which sources name a page (a normalised URL) that another source id names too, found as chunks come back.

    The cross-file checks compare sources across files: one id declared in several files, or one
    page under several ids.  A source declared in one file only, whose page no other id names, can
    conflict with nothing, and at 100,000 cases these are nearly all of the 1.1 million sources:
    the stand-ins of the cases leave them out (:func:`kb.load.records.stub_document`).  A page is
    kept as a number (:func:`_page_key`) with the first id that named it; two pages with the same
    number only make a source look shared, which costs the checks a little work and changes nothing.
    """

    def __init__(self) -> None:
        self.first: dict[int, str] = {}
        self.shared: set[str] = set()

    def add(self, chunk: _ChunkLoaded) -> None:
        ids = (source_id for record in chunk.records.values() for source_id in record.source_ids)
        self.note(zip(ids, chunk.pages, strict=True))
        chunk.pages = []

    def note(self, sources: Iterable[tuple[str, int]]) -> None:
        """Take in (source id, page key) pairs."""
        for source_id, page in sources:
            if page:
                first = self.first.setdefault(page, source_id)
                if first != source_id:
                    self.shared.update((first, source_id))


def _page_key(url: object) -> int:
    """A number for the page a source's url names (0 for none): equal pages, equal numbers.

    Python's string hash, the same in the worker processes (forked) as in the parent, and kept for
    this load only.
    """
    return _page_number(normalised_url(url) if isinstance(url, str) else "", url)


def _page_number(page: str, url: object) -> int:
    """:func:`_page_key` of ``url`` from ``page``, its normalised URL (a record's ``pages``), not normalised again."""
    return hash(page) or 1 if isinstance(url, str) and url.strip() else 0


def _read_cases(context: _ChunkContext, cases: list[SourceFile], progress: Progress | None,
                sources: _SourcesWritten) -> list[_ChunkLoaded]:
    """Every case file read, checked and staged, chunk by chunk (in file order, whichever process loaded them)."""
    chunks = [cases[i:i + FULL_LOAD_CHUNK] for i in range(0, len(cases), FULL_LOAD_CHUNK)]
    done = _ChunksDone(chunks, _load_chunks(context, chunks), sources.add)
    for _file in progress(done) if progress else done:
        pass
    return done.results


def _read_and_check(context: _ChunkContext, cases: list[SourceFile], progress: Progress | None,
                    whole: _Whole) -> _Checked:
    """Read, check and stage every case file, then check across files and stage the shared part of the graph."""
    sources = _SourcesWritten(context.writer, context.vocabulary)
    whole.chunks = _read_cases(context, cases, progress, sources)
    whole.sources_written, whole.pages = sources.seen, sources.pages
    del sources
    return _check_and_stage(context.writer, whole)


@dataclass
class _Checked:
    """Every file read and checked, and, without errors, the generation's rows in staging files.

    What the bulk load needs and no more, so that it can come back from the process that read the files
    (:func:`_in_own_process`): the problems, what the staging files hold, and the new generation's
    manifest, or where it waits on disk.
    """

    problems: list[Problem]
    staged: Any = None  # kb.store.ladybug.StagedPart: every staging file; None when refused
    manifest: Manifest | None = None
    spilled: Path | None = None  # where the manifest waits, when it is not in ``manifest``


def _in_own_process(work: Callable[[], _Checked]) -> _Checked:
    """``work()`` run in a child process (forked) that ends before the caller goes on.

    The reading and checking of a large load leave the process's heap with hundreds of megabytes
    that Python freed but does not give back to the system (949 MB at 100,000 cases when the bulk
    load began), beside which LadybugDB's buffer pool then grows: in a process of its own, all of
    it is returned when the process ends.  Its worker processes are its own children.
    """
    receiving, sending = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_send_result, args=(work, sending),
                                                        name="kb-full-load-reading")
    child.start()
    sending.close()
    try:
        outcome, value = receiving.recv()
    except EOFError:
        child.join()
        raise StoreError(f"the process reading the files ended without a result (exit code {child.exitcode}): "
                         "was it killed for want of memory? Nothing was written; run the load again") from None
    finally:
        receiving.close()
    child.join()
    if outcome == "error":
        raise value
    return value


def _send_result(work: Callable[[], _Checked], sending: Any) -> None:
    """In the child: send what ``work`` returns, or the exception it raised (as text if it cannot be pickled)."""
    try:
        sending.send(("ok", work()))
    except BaseException as err:  # whatever it is, the parent raises it
        try:
            sending.send(("error", err))
        except Exception:  # an exception that does not pickle: its text
            sending.send(("error", StoreError("".join(traceback.format_exception(err)))))
    finally:
        sending.close()


def _check_and_stage(writer: Any, whole: _Whole) -> _Checked:
    """Check across files and, without errors, add the shared part of the graph to the staging files."""
    manifest = whole.manifest
    for chunk in whole.chunks:
        writer.merge(chunk.staged)
        manifest.files.update(chunk.records)
    for display, entry in whole.concepts.items():
        manifest.files[display] = record_for(entry, [], {})
    manifest.files = {f.display: manifest.files[f.display] for f in whole.files}  # discovery order
    declarers = Counter(sid for record in manifest.files.values() for sid in set(record.source_ids))
    # Only the sources another file could conflict with: declared in several files, or a page named by several ids.
    whole.pages.note((s["id"], _page_key(s.get("url"))) for entry in whole.concepts.values()
                     for s in as_list(entry.document.data.get("sources"))
                     if isinstance(s, dict) and isinstance(s.get("id"), str))
    of_interest = whole.pages.shared | {sid for sid, n in declarers.items() if n > 1}
    whole.pages = None
    documents = [whole.concepts[f.display].document if f.role != "case"
                 else stub_document(manifest.files[f.display], of_interest) for f in whole.files]
    problems = [p for chunk in whole.chunks for p in chunk.problems]
    problems += [p for entry in whole.concepts.values() for p in entry.problems]
    problems = sort_problems(problems + cross_file_problems(documents, links=False))
    if any(p.is_error for p in problems):
        return _Checked(problems)
    rows = _shared_part(whole)
    for display, counts in counts_by_file(rows).items():
        if display in manifest.files:  # concept pages (the sector hierarchy is no content file's)
            manifest.files[display] = manifest.files[display].with_counts(counts)
    writer.add(rows)
    manifest.nodes, manifest.rels = writer.totals()
    # The bulk load takes most of a large load's memory: let go of everything else first.
    whole.chunks.clear()
    whole.sources_written = set()
    del documents, rows, of_interest, declarers
    whole.cache.prune(keep={record.sha256 for record in manifest.files.values()})
    if len(manifest.files) < SPILL_MANIFEST_FROM:
        return _Checked(problems, writer.staging.written(), manifest)
    spilled = writer.folder / "manifest.spilled"  # about 6 kB a file in memory: 600 MB at 100,000 cases
    write_manifest(spilled, manifest)
    return _Checked(problems, writer.staging.written(), spilled=spilled)


def _bulk_load(writer: Any, checked: _Checked, files: int, step: Callable[[str], None] | None) -> EmbeddedLoad:
    """Bulk-load the staging files, keep the manifest and switch to the new generation (unless refused)."""
    if checked.staged is None:
        writer.discard()
        return EmbeddedLoad(checked.problems, "refused", files)
    gc.collect()
    if checked.spilled is None:
        manifest = checked.manifest
        generation = writer.finish(manifest, step)
    else:
        back: list[Manifest] = []

        def read_back() -> Manifest:  # once the bulk load is done
            back.append(_read_spilled(checked.spilled))
            return back[0]

        generation = writer.finish(read_back, step)
        checked.spilled.unlink(missing_ok=True)
        manifest = back[0]
    return EmbeddedLoad(checked.problems, "full", files, generation, manifest.nodes, manifest.rels,
                        manifest=manifest)


def _read_spilled(path: Path) -> Manifest:
    manifest = read_manifest(path)
    if manifest is None:
        raise StoreError(f"the new generation's manifest could not be read back from {path}")
    return manifest


def _shared_part(whole: _Whole) -> GraphRows:
    """Sectors, sources, concepts and countries: the nodes (and their relationships) no one case owns."""
    concept_docs = [entry.document for entry in whole.concepts.values()]
    sources = [source for source in first_declarations(concept_docs) if source["id"] not in whole.sources_written]
    return graph_part(whole.vocabulary, concepts=concept_docs, sources=sources, sectors=True,
                      countries={c for chunk in whole.chunks for c in chunk.countries})


class _ChunksDone:
    """The files of the chunks, given as each chunk is loaded (for a progress bar over files)."""

    def __init__(self, chunks: list[list[SourceFile]], loaded: Iterable[_ChunkLoaded],
                 each: Callable[[int, _ChunkLoaded], None]):
        self.chunks, self.loaded, self.results, self.each = chunks, loaded, [], each

    def __len__(self) -> int:
        return sum(len(chunk) for chunk in self.chunks)

    def __iter__(self) -> Iterator[SourceFile]:
        for number, (chunk, result) in enumerate(zip(self.chunks, self.loaded, strict=True)):
            self.results.append(result)
            self.each(number, result)
            yield from chunk


_CONTEXT: _ChunkContext | None = None


def _set_context(context: _ChunkContext) -> None:
    global _CONTEXT
    _CONTEXT = context


def _load_chunk(numbered: tuple[int, list[SourceFile]]) -> _ChunkLoaded:
    """:func:`_read_chunk` with Python's cycle collector paused, then one collection.

    A chunk makes hundreds of thousands of small objects (documents, rows, problems) that live until
    the chunk is done: each automatic collection walked all of them again, a fifth of a worker's CPU
    time (measured on 1,000 case files in one process: 5.1 ms a file with the collector on, 3.8 off).
    """
    with cycle_collector_paused(collect_after=True):
        return _read_chunk(numbered)


def _start_worker(context: _ChunkContext) -> None:
    """A worker process's start: what it inherited from the parent is never garbage, so the
    collections after each chunk need not walk it (:func:`gc.freeze`)."""
    gc.freeze()
    _set_context(context)


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
                             initializer=_start_worker, initargs=(context,)) as pool:
        yield from pool.map(_load_chunk, enumerate(chunks))


def _read_chunk(numbered: tuple[int, list[SourceFile]]) -> _ChunkLoaded:
    """Check a chunk of case files, stage their part of the graph, make their manifest records."""
    number, files = numbered
    context = _CONTEXT
    # Case files are not kept in the parse cache: with native parsing, writing and reading back an
    # entry (about 1 ms each) cost as much as parsing and checking the file again.
    loaded = [read_checked(file, context.layout, context.vocabulary, context.cache, keep=False) for file in files]
    documents = [entry.document for entry in loaded]
    links = resolve_links(documents, documents + context.concept_docs)
    problems = [p for entry in loaded for p in entry.problems] + links
    usable = [doc for doc in documents if doc.front is not None and doc.front.data is not None]
    staging = context.writer.part_writer()
    rows, countries = GraphRows(), set()
    if not any(p.is_error for p in problems):  # with errors nothing is written: no need to model
        rows, countries = graph_part(context.vocabulary, cases=usable), countries_of(usable)
        staging.add(rows, part=f"{number:05d}")
    counts, links_by_path = counts_by_file(rows), by_path(links)
    records = {entry.document.where: record_for(entry, links_by_path.get(entry.document.where, []),
                                                counts.get(entry.document.where, {}))
               for entry in loaded}
    pages = [_page_number(page, fact[1]) for record in records.values()
             for fact, page in zip(record.sources, record.pages, strict=True)]
    return _ChunkLoaded(staging.written(), records, problems, countries, first_declarations(usable), pages)
