"""The store folder: which generation readers open, the generations beside it, their manifests, the load lock.

Layout of a store folder::

    <store>/CURRENT                              names the generation readers open
    <store>/generations/<gen>/graph.lbug         its database (and graph.lbug.wal, its log)
    <store>/manifests/<gen>.sqlite               the files the current generation was built from
                                                 (kb.store.keyed_manifest: named after the last full load)
    <store>/load.lock                            held by the load running now

A new generation is named in ``CURRENT`` only once it is complete and checked (``os.replace`` is
atomic); the newest few are kept, since readers may still hold the previous one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from kb.problems import StoreError

if TYPE_CHECKING:
    from kb.store.keyed_manifest import KeyedManifest
    from kb.store.manifest import Manifest

__all__ = ["KEEP_GENERATIONS", "LINK_MARGIN", "MAX_DB_BYTES", "MAX_GROWTH", "MAX_WAL_BYTES", "POINTER",
           "GenerationCopy", "current_generation", "current_manifest", "database_bytes", "file_size",
           "generation_name", "load_lock", "needs_rebuild", "remove_old_generations",
           "switch_pointer", "write_manifest"]

POINTER = "CURRENT"
KEEP_GENERATIONS = 3
#: Past this size of write-ahead log, an incremental load checkpoints (readers replay the log when they open).
MAX_WAL_BYTES = 1024 * 1024
#: Room left for one change's log entries when deciding to link rather than copy (one edit adds about 45 kB).
LINK_MARGIN = 256 * 1024
#: Past this multiple of its size after a full rebuild, a database file is rebuilt rather than added to.
MAX_GROWTH = 2.0
#: Address space each open database reserves (LadybugDB's default, 8 TiB, runs a process with
#: several stores open out of address space).
MAX_DB_BYTES = 64 * 1024**3


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def current_generation(store: Path) -> Path | None:
    """The database file the pointer names, or None when nothing was loaded yet."""
    pointer = store / POINTER
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    path = store / "generations" / name / "graph.lbug"
    return path if path.exists() else None


def generation_name() -> str:
    """Names sort in creation order, to the nanosecond (incremental loads can come quickly)."""
    now = time.time_ns()
    return f"{time.strftime('%Y%m%dT%H%M%S', time.localtime(now // 10**9))}.{now % 10**9:09d}-{uuid.uuid4().hex[:6]}"


def current_manifest(store: Path) -> KeyedManifest | None:
    """The manifest of the current generation, or None (no generation, or no manifest describing it)."""
    from kb.store.keyed_manifest import open_manifest

    database = current_generation(store)
    return open_manifest(store, database.parent.name) if database else None


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest of the generation in ``folder`` (a full load's), whole (:mod:`kb.store.keyed_manifest`)."""
    from kb.store.keyed_manifest import write_keyed_manifest

    write_keyed_manifest(folder.parent.parent, manifest, folder.name)


@contextlib.contextmanager
def load_lock(store: Path) -> Iterator[None]:
    """Hold the store's load lock: loads (and compactions switching ``CURRENT``) run one at a time.

    A second ``graph_loader.py load`` into the same store waits for the first, so that it starts
    from the generation the first one made rather than overwriting it.  The lock is an advisory
    ``flock`` on ``<store>/load.lock``, released when the holder exits, however it exits.
    """
    store.mkdir(parents=True, exist_ok=True)
    with (store / "load.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def needs_rebuild(store: Path, built_bytes: int) -> bool:
    """True when there is no generation, or checkpoints have grown its file past :data:`MAX_GROWTH`
    times ``built_bytes`` (its size after the last full rebuild)."""
    database = current_generation(store)
    return database is None or database.stat().st_size > MAX_GROWTH * max(built_bytes, 1)


def database_bytes(store: Path) -> int:
    """The size of the current generation's database file."""
    database = current_generation(store)
    return database.stat().st_size if database else 0


class GenerationCopy:
    """A copy of the current generation (database file and log) being made in a new generation folder.

    :meth:`start` returns at once; the copy runs in a thread (the kernel does the work).  The
    database file is hard-linked, not copied, while the log is short enough that the change will not
    checkpoint (:data:`MAX_WAL_BYTES`, less :data:`LINK_MARGIN` for the change's own entries): with
    checkpoints off, LadybugDB writes a change to the log alone, so the linked file stays as the
    current generation's readers see it.  :mod:`kb.store.ladybug.change` never checkpoints a linked file.
    """

    def __init__(self, store: Path):
        self.source = current_generation(store)
        if self.source is None:
            raise StoreError(f"no graph has been loaded into {store} yet")
        self.generation = generation_name()
        self.folder = store / "generations" / self.generation
        self.folder.mkdir(parents=True)
        self.target = self.folder / "graph.lbug"
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, name="kb-generation-copy", daemon=True)

    @classmethod
    def start(cls, store: Path) -> GenerationCopy:
        copy = cls(store)
        copy._thread.start()
        return copy

    def _copy(self) -> None:
        try:
            # Make room first (the new generation will be the newest); removing a large file takes a while too.
            generations = sorted((self.folder.parent).iterdir(), key=lambda p: p.name)
            for old in generations[:-KEEP_GENERATIONS]:
                if old.name not in (self.source.parent.name, self.generation):
                    shutil.rmtree(old, ignore_errors=True)
            wal = self.source.with_name(self.source.name + ".wal")
            log_bytes = wal.stat().st_size if wal.exists() else 0
            if log_bytes + LINK_MARGIN < MAX_WAL_BYTES:
                os.link(self.source, self.target)
            else:
                shutil.copyfile(self.source, self.target)
            if wal.exists():
                shutil.copyfile(wal, self.target.with_name(self.target.name + ".wal"))
        except BaseException as err:  # handed to the waiting thread
            self._error = err

    def wait(self) -> Path:
        self._thread.join()
        if self._error is not None:
            raise StoreError(f"could not copy the current generation: {self._error}") from self._error
        return self.target

    def discard(self) -> None:
        self._thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def switch_pointer(store: Path, generation: str) -> None:
    temporary = store / f"{POINTER}.{uuid.uuid4().hex}.tmp"
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(generation + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, store / POINTER)


def remove_old_generations(store: Path, keep: str) -> None:
    """Keep the newest few generations: readers may still hold the previous one."""
    generations = sorted((store / "generations").iterdir(), key=lambda p: p.name)
    for old in generations[:-KEEP_GENERATIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
