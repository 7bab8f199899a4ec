"""The manifest of a generation of the embedded store: which content files it was built from.

A full load makes it in memory (:class:`Manifest`); the store keeps it by key
(:mod:`kb.store.keyed_manifest`, where a reload reads only the records it needs).  It describes,
for every content file, its path, ``stat`` signature, hash, problems, how many nodes and
relationships it put in the graph, and the few facts other files' checks need from it (id,
declared sources, relation targets, country).  An incremental load (:mod:`kb.load.incremental`)
compares the files on disk with it; :class:`StoreChange` is what such a load asks the store to change.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from kb.content.files import ContentLayout
from kb.graph.rows import GraphRows
from kb.kinds import CONCEPT_FOLDERS
from kb.problems import Problem

__all__ = ["RACY_NS", "FileRecord", "Manifest", "StatKey", "StoreChange", "folder_listing", "listing_key",
           "new_manifest", "read_manifest", "stat_key", "write_manifest"]

#: Files whose modification time is this close to the manifest's scan are hashed again: a write in
#: the same clock tick as the scan would otherwise keep the stat signature of the old content.
RACY_NS = 2_000_000_000

StatKey = tuple[int, int, int]  # size, mtime_ns, inode


def stat_key(path: Path) -> StatKey | None:
    """The size, modification time and inode of a regular file, or None (missing, symlink, special)."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):  # regular files only; links are judged afresh
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


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
    counted: bytes  # marshalled {label or "rel:TYPE": number} of the nodes and relationships it put in the graph
    id: str = ""
    country: str = ""
    source_ids: tuple[str, ...] = ()  # the sources it declares
    # marshalled (id, url, publication, line, col, title, reliability, title_at, reliability_at, url_at)
    # per source, read when needed
    source_facts: bytes = b""
    relations: tuple[tuple, ...] = ()  # (target, line, col) per relation
    id_at: tuple[int, int] = (1, 1)
    scope_targets: tuple[tuple, ...] = ()  # (case id, mark, line, col) per id named in [about: kind: …]
    # (name, aliases, website, name_at, website_at, name keys, website key) of a case: what the
    # look-alike check compares (kb.check.duplicates.look_alike_keys)
    names: tuple = ()
    pages: tuple[str, ...] = ()  # the normalised URL of each source in source_ids ("" without one)

    @property
    def sources(self) -> tuple[tuple, ...]:
        return marshal.loads(self.source_facts) if self.source_facts else ()

    @property
    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per ``"rel:TYPE"`` it put in the graph.

        Kept marshalled: a dictionary per file was a fifth of the time to read a manifest.
        """
        return marshal.loads(self.counted) if self.counted else {}

    def with_counts(self, counts: dict[str, int]) -> FileRecord:
        return self._replace(counted=marshal.dumps(counts))


@dataclass
class Manifest:
    """The files a generation was built from, and its node and relationship totals."""

    version: str
    scanned_ns: int  # when the files were looked at
    listing: dict[str, list[str]]  # content folder -> its entries' names
    files: dict[str, FileRecord] = field(default_factory=dict)  # in discovery order
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)
    built_bytes: int = 0  # the database file's size after the last full rebuild

    def is_racy(self, stat: StatKey | None) -> bool:
        return stat is None or stat[1] >= self.scanned_ns - RACY_NS


@dataclass
class StoreChange:
    """What an incremental load changes in the store, in the order a store applies it.

    1. the Figure, Claim and View nodes of the case ``files`` that changed or went (those the
       ``rewired`` organisations of these files hold), then the relationships leaving those
       organisations, are deleted;
    3. the ``removed`` nodes (label -> ids) are deleted with their relationships, then the ``unlinked``
       relationships;
    4. the ``upserts`` (label -> rows: organisations, sources, countries) are created or updated by id,
       so that relationships other files declare towards them stay;
    5. the nodes and relationships in ``rows`` are created.

    ``nodes`` and ``rels`` are the totals the store must hold afterwards (checked before switching).
    """

    rewired: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    removed: dict[str, list[str]] = field(default_factory=dict)
    # (type, start label, start id, end label, end id): relationships deleted before ``upserts``
    unlinked: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    upserts: dict[str, list[dict]] = field(default_factory=dict)
    rows: GraphRows = field(default_factory=GraphRows)
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)


def folder_listing(layout: ContentLayout) -> dict[str, list[str]]:
    """The names in each content folder: equal listings mean :func:`kb.content.files.discover` finds the same files."""
    listing = {}
    for folder in (layout.cases, *(layout.concept_folder(kind) for kind in CONCEPT_FOLDERS)):
        try:
            listing[folder.name if folder == layout.cases else f"concepts/{folder.name}"] = sorted(os.listdir(folder))
        except OSError:
            listing[str(folder)] = []
    return listing


def read_manifest(path: Path) -> Manifest | None:
    """The manifest pickled at ``path`` (a full load's, kept on disk during its bulk load), or None."""
    try:
        with path.open("rb") as handle:
            manifest = pickle.load(handle)
    except Exception:
        return None
    return manifest if isinstance(manifest, Manifest) else None


def write_manifest(path: Path, manifest: Manifest) -> None:
    with path.open("wb") as handle:
        pickle.dump(manifest, handle, protocol=pickle.HIGHEST_PROTOCOL)


def listing_key(listing: dict[str, list[str]]) -> str:
    """A folder listing as a short key: equal keys mean equal listings (a keyed manifest keeps only this).

    >>> listing_key({"cases": ["a.md"]}) == listing_key({"cases": ["a.md"]}) != listing_key({"cases": ["b.md"]})
    True
    """
    digest = hashlib.sha256()
    for folder, names in listing.items():
        digest.update(f"{folder}\0{len(names)}\0".encode())
        digest.update("\0".join(names).encode())
    return digest.hexdigest()


def new_manifest(root: Path, version: str, scanned_ns: int | None = None) -> Manifest:
    return Manifest(version, scanned_ns or time.time_ns(), folder_listing(ContentLayout(root)))
