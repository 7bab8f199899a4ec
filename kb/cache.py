"""What makes a reload after a small change fast: parsed files kept by content hash, and a manifest.

Two things live in the store folder (``.kb/store`` by default, git-ignored)::

    <store>/cache/<version>/<ab>/<sha256>.z       one entry per distinct file content
    <store>/generations/<gen>/manifest.pickle      what that generation of the graph was built from

A **cache entry** holds a file's :class:`~kb.parse.Document` and the problems the file has on its
own (:func:`kb.validate.file_problems`), keyed by the SHA-256 of its bytes.  Parsing and JSON Schema
validation are most of a load's cost, and an unchanged file never needs them again.  Entries are
only used by the same code, schemas and vocabulary: :func:`cache_version` names the folder, so a
change to any of them starts an empty one.  An entry that cannot be read (truncated, corrupted,
written for another path) is ignored and rewritten.  Entries are pickles: the cache folder is
trusted like the rest of ``.kb``.

The **manifest** describes one generation of the embedded store: for every content file its path,
``stat`` signature, hash, problems, how many nodes and relationships it put in the graph, and the
few facts other files' checks need from it (id, declared sources, relation targets, country).  An
incremental load (:func:`kb.pipeline.load_changes`) compares the files on disk with it, reparses
only the files that changed and runs the cross-file checks on the manifest's facts for the rest.

Relative links in the prose are checked against the files on disk when a file is parsed; in a
``load`` that reuses a file's entry they are as of its last change (``validate`` checks afresh).

>>> from kb.problems import Problem
>>> import marshal
>>> record = FileRecord("cases/a.md", "case", "0" * 64, (1, 2, 3), (), (), {}, "a", "NL", ("a-s1",),
...                     marshal.dumps((("a-s1", "https://a.example/", None, 9, 7),)), (("b", 20, 11),), (2, 5))
>>> doc = stub_document(record)
>>> doc.data["sources"], doc.at("relations", 0, "target")
([{'id': 'a-s1', 'url': 'https://a.example/'}], (20, 11))
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import pickle
import shutil
import stat
import sys
import time
import uuid
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from .files import CONCEPT_KINDS, MAX_FILE_BYTES, ContentLayout, SourceFile
from .graph import GraphRows
from .parse import Document, parse_file
from .problems import Problem
from .validate import file_problems
from .vocabulary import Vocabulary

__all__ = [
    "CACHE_VERSION", "CachedFile", "FileRecord", "Manifest", "ParseCache", "StoreChange", "StubDocument",
    "cache_version", "folder_listing", "new_manifest", "read_manifest", "record_for", "stat_key", "stub_document",
    "write_manifest",
]

#: Bump when the meaning of an entry or a manifest changes in a way the hashed sources do not show.
CACHE_VERSION = 1
_KB = Path(__file__).resolve().parent
#: Modules whose output is cached (entries) or counted (manifests): a change to any starts afresh.
_CODE = ("files", "frontmatter", "body", "parse", "validate", "vocabulary", "problems", "model", "graph", "pipeline",
         "graph_schema", "cache")
_PACKAGES = ("PyYAML", "markdown-it-py", "jsonschema", "jsonschema-rs", "pycountry")
_MAGIC = b"kb-cache-1\n"
MANIFEST = "manifest.pickle"
#: Files whose modification time is this close to the manifest's scan are hashed again: a write in
#: the same clock tick as the scan would otherwise keep the stat signature of the old content.
RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int]  # size, mtime_ns, inode


def cache_version(root: Path) -> str:
    """A short hash of everything a cached result depends on besides the file itself.

    CACHE_VERSION, Python's version, the versions of the parsing and validation libraries, the
    source of the modules whose results are kept, the JSON Schemas, the content's sector list,
    and the current year (figures and founding years are checked against it).
    """
    digest = hashlib.sha256(f"{CACHE_VERSION}|{sys.version_info[:2]}|{dt.date.today().year}".encode())
    for package in _PACKAGES:
        try:
            digest.update(f"|{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{package}=?".encode())
    for module in _CODE:
        digest.update((_KB / f"{module}.py").read_bytes())
    for schema in sorted((_KB / "schemas").glob("*.json")):
        digest.update(schema.name.encode() + schema.read_bytes())
    sectors = ContentLayout(root).vocabulary / "sectors.yaml"
    digest.update(sectors.read_bytes() if sectors.exists() else b"-")
    return digest.hexdigest()[:16]


def stat_key(path: Path) -> StatKey | None:
    """The size, modification time and inode of a regular file, or None (missing, symlink, special)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):  # regular files only; links are judged afresh
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


@dataclass
class CachedFile:
    """One content file as a load needs it: the document, its own problems, its hash and stat."""

    document: Document
    problems: list[Problem]
    sha256: str = ""  # "" when the file was not cached (a symlink, too large, unreadable)
    stat: StatKey | None = None
    reused: bool = False  # came from the cache


class ParseCache:
    """Parsed documents and their own problems, one compressed pickle per distinct content.

    >>> import tempfile
    >>> from kb.files import discover
    >>> from kb.vocabulary import load_vocabulary
    >>> root = Path("tests/fixtures/mini"); layout = ContentLayout(root)
    >>> cache = ParseCache(Path(tempfile.mkdtemp()), cache_version(root))
    >>> file = discover(layout)[0]
    >>> first = cache.parse(file, layout, load_vocabulary(layout.vocabulary))
    >>> again = cache.parse(file, layout, load_vocabulary(layout.vocabulary))
    >>> (first.reused, again.reused, again.document.data == first.document.data)
    (False, True, True)
    """

    def __init__(self, folder: Path, version: str):
        self.folder = Path(folder) / version
        self.version = version

    def prune(self, keep: set[str]) -> None:
        """Remove the entries of contents no longer loaded, and the folders of other cache versions."""
        for other in self.folder.parent.iterdir() if self.folder.parent.is_dir() else []:
            if other != self.folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
        for bucket in self.folder.iterdir() if self.folder.is_dir() else []:
            for entry in bucket.iterdir():
                if entry.name.split(".")[0] not in keep:
                    entry.unlink(missing_ok=True)

    def entry_path(self, sha256: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}.z"

    def parse(self, file: SourceFile, layout: ContentLayout, vocabulary: Vocabulary,
              known: tuple[str, StatKey] | None = None) -> CachedFile:
        """The file parsed and checked on its own: from the cache when its content was seen before.

        ``known`` is a hash and stat signature the caller already has (from a manifest); when the
        file's stat still matches, the file is not even read.
        """
        before = stat_key(file.path)
        if before is None or before[0] > MAX_FILE_BYTES:
            return self._fresh(file, layout, vocabulary)
        if known and known[1] == before:
            sha256 = known[0]
        else:
            try:
                sha256 = hashlib.sha256(file.path.read_bytes()).hexdigest()
            except OSError:
                return self._fresh(file, layout, vocabulary)
        entry = self.load(sha256, file)
        if entry is not None:
            document, problems = entry
            return CachedFile(document, problems, sha256, before, reused=True)
        result = self._fresh(file, layout, vocabulary)
        # Keep it only if the file did not change while it was read, so the entry matches the hash.
        if stat_key(file.path) == before:
            self.store(sha256, result.document, result.problems)
            result.sha256, result.stat = sha256, before
        return result

    @staticmethod
    def _fresh(file: SourceFile, layout: ContentLayout, vocabulary: Vocabulary) -> CachedFile:
        document = parse_file(file, layout)
        return CachedFile(document, file_problems(document, vocabulary))

    def load(self, sha256: str, file: SourceFile) -> tuple[Document, list[Problem]] | None:
        """The entry for this content at this path, or None (absent, unreadable or for another path)."""
        try:
            raw = self.entry_path(sha256).read_bytes()
            if not raw.startswith(_MAGIC):
                return None
            key, display, role, document, problems = pickle.loads(zlib.decompress(raw[len(_MAGIC):]))
        except Exception:
            return None
        if (key, display, role) != (sha256, file.display, file.role) or not isinstance(document, Document):
            return None
        document.file = file  # the same file, perhaps below another root
        return document, list(problems)

    def store(self, sha256: str, document: Document, problems: list[Problem]) -> None:
        """Write an entry atomically (a concurrent load never reads half of one)."""
        path = self.entry_path(sha256)
        payload = (sha256, document.file.display, document.file.role, document, problems)
        data = _MAGIC + zlib.compress(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), 1)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only makes the next load slower


# --- the manifest of a generation --------------------------------------------------------------

class FileRecord(NamedTuple):
    """What a generation knows about one content file (see the module docstring).

    A named tuple: a manifest holds one per file and is read on every load.
    """

    display: str
    role: str
    sha256: str
    stat: StatKey | None
    problems: tuple[Problem, ...]  # its own problems
    link_problems: tuple[Problem, ...]  # from resolving its body links to concept pages
    counts: dict[str, int]  # nodes per label and "rel:TYPE" relationships it put in the graph
    id: str = ""
    country: str = ""
    source_ids: tuple[str, ...] = ()  # the sources it declares
    source_facts: bytes = b""  # marshalled (id, url, publication, line, col) per source, read when needed
    relations: tuple[tuple, ...] = ()  # (target, line, col) per relation
    id_at: tuple[int, int] = (1, 1)

    @property
    def sources(self) -> tuple[tuple, ...]:
        return marshal.loads(self.source_facts) if self.source_facts else ()


@dataclass
class Manifest:
    """The files a generation was built from, and its node and relationship totals."""

    version: str
    scanned_ns: int  # when the files were looked at
    listing: dict[str, list[str]]  # content folder -> its entries' names
    files: dict[str, FileRecord] = field(default_factory=dict)  # in discovery order
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)
    declarers: dict[str, int] = field(default_factory=dict)  # source id -> how many files declare it
    built_bytes: int = 0  # the database file's size after the last full rebuild

    def is_racy(self, stat: StatKey | None) -> bool:
        return stat is None or stat[1] >= self.scanned_ns - RACY_NS


@dataclass
class StoreChange:
    """What an incremental load changes in the store, in the order a store applies it.

    1. relationships leaving the ``rewired`` organisations (their files changed) are deleted;
    2. the Figure, Claim and View nodes of the case ``files`` that changed or went are deleted;
    3. the ``removed`` nodes (label -> ids) are deleted with their relationships;
    4. the ``upserts`` (label -> rows: organisations, sources, countries) are created or updated by id,
       so that relationships other files declare towards them stay;
    5. the nodes and relationships in ``rows`` are created.

    ``nodes`` and ``rels`` are the totals the store must hold afterwards (checked before switching).
    """

    rewired: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    removed: dict[str, list[str]] = field(default_factory=dict)
    upserts: dict[str, list[dict]] = field(default_factory=dict)
    rows: GraphRows = field(default_factory=GraphRows)
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)


def record_for(loaded: CachedFile, link_problems: list[Problem], counts: dict[str, int]) -> FileRecord:
    """The manifest record of a file that was loaded into a generation."""
    document = loaded.document
    data = document.data
    record = FileRecord(document.where, document.role, loaded.sha256, loaded.stat, tuple(loaded.problems),
                        tuple(link_problems), counts, id=data.get("id") if isinstance(data.get("id"), str) else "")
    if not record.id:
        return record
    facts = tuple((s.get("id"), s.get("url"), s.get("publication"), *document.at("sources", i, "id"))
                  for i, s in enumerate(_list(data.get("sources"))) if isinstance(s, dict))
    record = record._replace(source_ids=tuple(fact[0] for fact in facts), source_facts=marshal.dumps(facts))
    if document.role != "case":
        return record
    relations = tuple((r.get("target"), *document.at("relations", i, "target"))
                      for i, r in enumerate(_list(data.get("relations"))) if isinstance(r, dict))
    country = data.get("country") if isinstance(data.get("country"), str) else ""
    return record._replace(relations=relations, country=country, id_at=document.at("id"))


class StubDocument:
    """A stand-in for an unchanged case file with just what the cross-file checks read.

    It answers ``front``, ``data``, ``role``, ``where`` and ``at()`` like a
    :class:`~kb.parse.Document`, and nothing else: its prose is not there (link resolution is kept
    in the record), so it is only for :func:`kb.validate.cross_file_problems` with ``links=False``
    and for reading declarations.  Ten thousand of these are made on every incremental load.
    """

    __slots__ = ("data", "positions", "role", "where")

    def __init__(self, data: dict, positions: dict[tuple, tuple[int, int]], role: str, where: str):
        self.data, self.positions, self.role, self.where = data, positions, role, where

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
    for source_id, url, publication, line, col in record.sources if wanted else ():
        if source_id not in wanted:
            continue
        positions[("sources", len(sources), "id")] = (line, col)
        source = {"id": source_id}
        if url is not None:
            source["url"] = url
        if publication is not None:
            source["publication"] = publication
        sources.append(source)
    for i, (target, line, col) in enumerate(record.relations):
        relations.append({"target": target})
        positions[("relations", i, "target")] = (line, col)
    data = {"id": record.id, "country": record.country, "sources": sources, "relations": relations}
    return StubDocument(data, positions, record.role, record.display)


def folder_listing(layout: ContentLayout) -> dict[str, list[str]]:
    """The names in each content folder: equal listings mean :func:`kb.files.discover` finds the same files."""
    listing = {}
    for folder in (layout.cases, *(layout.concept_folder(kind) for kind in CONCEPT_KINDS)):
        try:
            listing[folder.name if folder == layout.cases else f"concepts/{folder.name}"] = sorted(os.listdir(folder))
        except OSError:
            listing[str(folder)] = []
    return listing


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at ``path``, or None if there is none or it cannot be read."""
    try:
        with path.open("rb") as handle:
            manifest = pickle.load(handle)
    except Exception:
        return None
    return manifest if isinstance(manifest, Manifest) else None


def write_manifest(path: Path, manifest: Manifest) -> None:
    with path.open("wb") as handle:
        pickle.dump(manifest, handle, protocol=pickle.HIGHEST_PROTOCOL)


def new_manifest(root: Path, version: str, scanned_ns: int | None = None) -> Manifest:
    return Manifest(version, scanned_ns or time.time_ns(), folder_listing(ContentLayout(root)))


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
