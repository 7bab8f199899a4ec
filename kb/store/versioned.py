"""What is derived from a store's graph (the analysis index, the search index, rendered pages), kept per version.

Every structure built from the graph stays right until the graph changes, and the store says when
that is: :meth:`kb.store.GraphStore.version` changes with every load of the embedded store (its
generation) and every sync to Neo4j that writes anything (a token the sync writes in the same
transaction).  :func:`derived` keeps, for each store, the structures built for the version it
last saw; the first call that sees a new version drops them all at once, so the structures a page
uses are always of one version: after a sync that changes a single grade, the comparison, the
patterns, the search and the cached pages are all rebuilt from the new graph, none later than the others.

>>> class Store:
...     def __init__(self): self.graph_version = "v1"
...     def version(self): return self.graph_version
>>> store, builds = Store(), []
>>> def build(store): builds.append(store.graph_version); return f"index of {store.graph_version}"
>>> derived(store, "index", build), derived(store, "index", build), builds
('index of v1', 'index of v1', ['v1'])
>>> store.graph_version = "v2"
>>> derived(store, "index", build), builds
('index of v2', ['v1', 'v2'])

A structure that is costly to build (the search index: about a minute of CPU at 10,000 cases) is also
kept on disk, in the folder the store gives for its version (:meth:`kb.store.GraphStore.derived_folder`:
the embedded store's generation folder, removed with it), by :func:`derived_on_disk`: the first process
to need it builds and writes it, under a file lock, and every other process reading that version (the
site's other workers, a worker started again) reads it instead of building it.  A store without a generation
folder (Neo4j) gives one in the user's cache for each graph version (:func:`cache_folder`), so that after a sync
one worker builds the search index and the others read it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import shutil
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["CACHE_VARIABLE", "KEPT_VERSIONS", "cache_folder", "code_digest", "derived", "derived_on_disk"]

T = TypeVar("T")

#: The environment variable naming the folder :func:`cache_folder` keeps versions in (default: the user's cache,
#: ``$XDG_CACHE_HOME/kb-derived`` or ``~/.cache/kb-derived``).
CACHE_VARIABLE = "KB_DERIVED_CACHE"
#: How many graph versions' folders :func:`cache_folder` keeps per kind of store: a site's workers follow a sync
#: within seconds, so only the newest are being read; older ones are removed as a new one is made.
KEPT_VERSIONS = 3


def cache_folder(kind: str, version: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder for what is derived from ``version`` of a ``kind`` of store (``neo4j``) that has no generation
    folder of its own: ``<cache>/<kind>/<version>``, made if missing, the user's own (mode 700, as what it holds
    is read back with pickle).  ``version`` must name one graph wherever it is read (a sync's random token does);
    None for the empty version (nothing synced yet) or where the folder cannot be made.  Making a version's folder
    removes those of the same kind but the :data:`KEPT_VERSIONS` newest.
    """
    environ = os.environ if environ is None else environ
    if not version or not version.replace("-", "").isalnum():
        return None
    root = Path(environ.get(CACHE_VARIABLE) or Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache",
                                                              "kb-derived"))
    folder = root / kind / version
    if folder.is_dir():
        return folder
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        (root / kind).mkdir(mode=0o700, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as err:
        logging.getLogger(__name__).info("no cache folder for %s (%s): built in memory", folder, err)
        return None
    _remove_older(root / kind)
    return folder


def _remove_older(kind_folder: Path) -> None:
    def made(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0
    versions = sorted((path for path in kind_folder.iterdir() if path.is_dir()), key=made, reverse=True)
    for stale in versions[KEPT_VERSIONS:]:
        shutil.rmtree(stale, ignore_errors=True)


@dataclass
class _Versioned:
    """One store's derived structures, all of one version of its graph."""

    version: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    building: dict[str, threading.Lock] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self, version: str, name: str) -> tuple[bool, Any, threading.Lock]:
        """(found, value, the lock to build it under) for ``name`` at ``version``; a new version drops the rest."""
        with self.lock:
            if self.version != version:
                self.version, self.values, self.building = version, {}, {}
            return name in self.values, self.values.get(name), self.building.setdefault(name, threading.Lock())

    def keep(self, version: str, name: str, value: Any) -> None:
        with self.lock:
            if self.version == version:  # else the graph moved on while it was built: not kept
                self.values[name] = value


# Keyed by the store object itself, weakly, so that a closed and dropped store frees what it derived.
_STORES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def derived(store: Any, name: str, build: Callable[[Any], T]) -> T:
    """``build(store)``, made once per version of the store's graph and kept until the version changes.

    The version is read before building, so a structure built while a load switched the graph is
    kept under the older version and the next call builds again.  Concurrent first calls build once.
    A store that cannot be referenced weakly has nothing kept.
    """
    version = store.version()
    try:
        with _STORES_LOCK:
            kept = _STORES.setdefault(store, _Versioned())
    except TypeError:
        return build(store)
    found, value, building = kept.current(version, name)
    if found:
        return value
    with building:
        found, value, _ = kept.current(version, name)
        if found:
            return value
        value = build(store)
        kept.keep(version, name, value)
        return value


def derived_on_disk(store: Any, name: str, build: Callable[[Any, Path | None], T], read: Callable[[Path], T]) -> T:
    """:func:`derived`, and also kept on disk for every process reading the same version of the graph.

    ``build(store, folder)`` makes the structure, writing what :func:`read` needs into ``folder`` (a new,
    empty folder; None: keep it in memory only); ``read(folder)`` makes it again from such a folder.  The
    folder's name is ``name`` (letters, digits and dashes) and a digest of the code that wrote it
    (:func:`code_digest`), so that a site started with other code does not read what older code wrote.
    The first process to need it holds a file lock while it builds and writes it (into a temporary
    folder, renamed when complete), so the others wait for it and read it rather than each building
    its own.  Where the store gives no folder (Neo4j, a test's stand-in) or it cannot be written, it is
    built in memory, as :func:`derived` does.
    """
    return derived(store, name, lambda store: _built_or_read(store, name, build, read))


def _built_or_read(store: Any, name: str, build: Callable[[Any, Path | None], T], read: Callable[[Path], T]) -> T:
    version = store.version()
    folder_for = getattr(store, "derived_folder", None)
    folder = folder_for(version) if folder_for else None
    if folder is None:
        return build(store, None)
    try:
        folder.mkdir(exist_ok=True)
        lock = (folder / f"{name}.lock").open("a")
    except OSError as err:  # a store the site may only read: every process builds its own, as before
        logging.getLogger(__name__).info("%s not kept on disk (%s): built in memory", name, err)
        return build(store, None)
    kept = folder / f"{name}-{code_digest()}"
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or when its process dies
        if kept.is_dir():
            try:
                return read(kept)
            except Exception as err:  # written by other code, or damaged: made again below
                logging.getLogger(__name__).warning("could not read %s (%s): building it again", kept, err)
                shutil.rmtree(kept, ignore_errors=True)
        partial = folder / f"{name}.{uuid.uuid4().hex}.partial"
        partial.mkdir()
        try:
            value = build(store, partial)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        if store.version() != version:  # it may hold a later graph: not kept under this version (the partial
            return value  # folder, which the value may still read, goes with the version's folder)
        os.rename(partial, kept)
        for stale in folder.glob(f"{name}-*"):  # written by other code for this version: no longer read
            if stale.is_dir() and stale != kept and not stale.name.endswith(".partial"):
                shutil.rmtree(stale, ignore_errors=True)
        # Read back from where every other process reads it, so that all of them use the same files.
        return read(kept)


@functools.cache
def code_digest() -> str:
    """A digest of the ``kb`` package's source and the pinned requirements (read once per process): what is kept
    on disk was made by this code, with these libraries' file formats."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted([*package.rglob("*.py"), package.parent / "requirements.txt"]):
        with contextlib.suppress(OSError):
            digest.update(path.relative_to(package.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
