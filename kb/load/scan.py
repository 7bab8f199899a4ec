"""Which content files changed since a generation: compared with its manifest by ``stat`` signature.

A file whose signature matches its record is not read; one whose signature moved is hashed and
counts as changed only if its bytes differ.  The scan also decides when an incremental load is
not worth it (:func:`scan_changes` returns None): then the load rebuilds.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb.content.files import ContentLayout, SourceFile, discover
from kb.store.manifest import RACY_NS, StatKey, folder_listing, listing_key

if TYPE_CHECKING:
    from kb.store.keyed_manifest import KeyedManifest, Signature

__all__ = ["MAX_CHANGED_FILES", "MAX_CHANGED_SHARE", "Scan", "scan_changes"]

#: An incremental load handles at most this many changed files, or this share of them; more
#: changes are loaded by a full rebuild, which is then about as fast and simpler to trust.
MAX_CHANGED_FILES = 200
MAX_CHANGED_SHARE = 0.02


@dataclass
class Scan:
    """The content files compared with a generation's manifest, by stat signature (or hash)."""

    files: list[tuple[str, str]]  # (path shown, role), in discovery order
    kept: dict[str, StatKey]  # unchanged files: their stat signature now
    changed: list[SourceFile]  # changed or new files
    deleted: list[str]
    listing: str  # the folder listing's key (kb.store.manifest.listing_key)
    scanned_ns: int
    restat: dict[str, StatKey] = field(default_factory=dict)  # kept files whose stat signature moved
    roles: dict[str, str] = field(default_factory=dict)  # each file's role in the manifest

    @property
    def anything(self) -> bool:
        return bool(self.changed or self.deleted)


def scan_changes(root: Path, manifest: KeyedManifest, version: str) -> Scan | None:
    """Which files changed since ``manifest``; None when a full load is the way.

    That is when the code, schemas or vocabulary changed (another cache ``version``), a concept
    page changed, or more files changed than an update is worth.  Only the manifest's stat
    signatures are read, not its records.
    """
    if manifest.version != version:
        return None
    scanned_ns = time.time_ns()
    layout = ContentLayout(root)
    listing = listing_key(folder_listing(layout))
    known = {row[0]: row for row in manifest.signatures()}
    if listing == manifest.listing:
        files = [(display, row[1]) for display, row in known.items()]
    else:
        files = [(f.display, f.role) for f in discover(layout)]
    scan = Scan(files, {}, [], [], listing, scanned_ns, roles={display: row[1] for display, row in known.items()})
    _compare(str(layout.root), known, manifest, scan)
    present = {display for display, _ in files}
    scan.deleted = [display for display in known if display not in present]
    roles = [f.role for f in scan.changed] + [known[display][1] for display in scan.deleted]
    if any(role != "case" for role in roles) or len(roles) > _most_changes(len(files)):
        return None
    return scan


def _compare(base: str, known: dict[str, Signature], manifest: KeyedManifest, scan: Scan) -> None:
    """Sort the files into those whose record still holds (by stat signature, else by hash) and the changed or new."""
    lstat, regular, racy_from = os.lstat, stat.S_ISREG, manifest.scanned_ns - RACY_NS
    kept, changed, moved = scan.kept, scan.changed, {}
    for display, role in scan.files:
        path = f"{base}/{display}"
        try:
            info = lstat(path)
            now = (info.st_size, info.st_mtime_ns, info.st_ino) if regular(info.st_mode) else None
        except OSError:
            now = None
        _, was_role, size, mtime, ino, hashed = known.get(display) or (None, None, None, None, None, 0)
        if was_role != role or now is None or not hashed:
            changed.append(SourceFile(Path(path), display, role))
        elif now == (size, mtime, ino) and now[1] < racy_from:
            kept[display] = now
        else:  # touched, or written too close to the last scan: the same bytes?
            moved[display] = (path, role, now)
    hashes = manifest.hashes(moved) if moved else {}
    edited = [display for display, (path, _, _) in moved.items() if _sha256(path) != hashes[display]]
    for display, (_, _, now) in moved.items():
        if display not in edited:
            kept[display] = scan.restat[display] = now
    if edited:  # in discovery order, with the others
        wanted = {*edited, *(file.display for file in changed)}
        changed[:] = [SourceFile(Path(f"{base}/{display}"), display, role)
                      for display, role in scan.files if display in wanted]


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
