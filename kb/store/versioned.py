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
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["derived"]

T = TypeVar("T")


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
