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
    from kb.store.keyed_manifest import KeyedManifest

__all__ = ["MAX_CHANGED_FILES", "MAX_CHANGED_SHARE", "Scan", "scan_changes"]

#: An incremental load handles at most this many changed files, or this share of them; more
#: changes are loaded by a full rebuild, which is then about as fast and simpler to trust.
MAX_CHANGED_FILES = 200
MAX_CHANGED_SHARE = 0.02


@dataclass
class Scan:
    """The content files compared with a generation's manifest, by stat signature (or hash)."""

    files: list[tuple[str, str]]  # (path shown, role), in discovery order
    kept: dict[str, tuple[str, StatKey]]  # unchanged files: their hash and stat signature now
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
    known = {display: (role, sha, stat) for display, role, sha, stat in manifest.signatures()}
    if listing == manifest.listing:
        files = [(display, role) for display, (role, _, _) in known.items()]
    else:
        files = [(f.display, f.role) for f in discover(layout)]
    scan = Scan(files, {}, [], [], listing, scanned_ns,
                roles={display: role for display, (role, _, _) in known.items()})
    _compare(str(layout.root), known, manifest, scan)
    present = {display for display, _ in files}
    scan.deleted = [display for display in known if display not in present]
    roles = [f.role for f in scan.changed] + [known[display][0] for display in scan.deleted]
    if any(role != "case" for role in roles) or len(roles) > _most_changes(len(files)):
        return None
    return scan


def _compare(base: str, known: dict[str, tuple[str, str, StatKey | None]], manifest: KeyedManifest,
             scan: Scan) -> None:
    """Sort the files into those whose record still holds (by stat signature, else by hash) and the changed or new."""
    lstat, regular, racy_from = os.lstat, stat.S_ISREG, manifest.scanned_ns - RACY_NS
    kept, changed, restat = scan.kept, scan.changed, scan.restat
    for display, role in scan.files:
        path = f"{base}/{display}"
        try:
            info = lstat(path)
            now = (info.st_size, info.st_mtime_ns, info.st_ino) if regular(info.st_mode) else None
        except OSError:
            now = None
        was_role, sha, was = known.get(display, (None, "", None))
        if was_role != role or now is None or not sha:
            changed.append(SourceFile(Path(path), display, role))
        elif was == now and now[1] < racy_from:
            kept[display] = (sha, now)
        elif _sha256(path) == sha:  # touched, or written too close to the last scan
            kept[display], restat[display] = (sha, now), now
        else:
            changed.append(SourceFile(Path(path), display, role))


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
