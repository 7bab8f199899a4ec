"""Which content files changed since a generation: compared with its manifest by ``stat`` signature.

A file whose signature matches its record is not read; one whose signature moved is hashed and
counts as changed only if its bytes differ.  The scan also decides when an incremental load is
not worth it (:func:`scan_changes` returns None): then the load rebuilds.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from kb.content.files import ContentLayout, SourceFile, discover
from kb.store.manifest import FileRecord, Manifest, folder_listing, stat_key

__all__ = ["MAX_CHANGED_FILES", "MAX_CHANGED_SHARE", "Scan", "scan_changes"]

#: An incremental load handles at most this many changed files, or this share of them; more
#: changes are loaded by a full rebuild, which is then about as fast and simpler to trust.
MAX_CHANGED_FILES = 200
MAX_CHANGED_SHARE = 0.02


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
    page changed, or more files changed than an update is worth.
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
    kept, changed = _compare(str(layout.root), files, manifest)
    present = {display for display, _ in files}
    deleted = [display for display in manifest.files if display not in present]
    roles = [f.role for f in changed] + [manifest.files[display].role for display in deleted]
    if any(role != "case" for role in roles) or len(roles) > _most_changes(len(files)):
        return None
    return Scan(files, kept, changed, deleted, listing, scanned_ns)


def _compare(base: str, files: list[tuple[str, str]], manifest: Manifest) -> tuple[dict[str, FileRecord],
                                                                                   list[SourceFile]]:
    """The files whose record still holds (by stat signature, else by hash), and the changed or new ones."""
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
    return kept, changed


def _most_changes(files: int) -> int:
    """How many changed files an incremental load takes on, out of ``files``.

    >>> _most_changes(100), _most_changes(5_000), _most_changes(100_000)
    (10, 100, 200)
    """
    return max(10, min(MAX_CHANGED_FILES, int(files * MAX_CHANGED_SHARE)))


def _sha256(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""
