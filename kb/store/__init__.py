"""Stage 7, store: where the graph is held (LadybugDB embedded, Neo4j) behind one read interface.

May import: ``kb.problems``, ``kb.content``, ``kb.graph`` and ``kb.queries`` (the texts it runs);
never ``kb.load`` (it calls this package).

Everything that reads the graph goes through :class:`GraphStore`: named
queries (``kb.queries.catalogue``) written once in Cypher, plus a guarded console for
researchers, and a version of the graph that every structure derived from it is kept by
(``kb.store.versioned``).  The embedded default is LadybugDB (``kb.store.ladybug``); a
Neo4j backend implements the same interface.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager

    from kb.queries.console import ConsoleResult

__all__ = ["GraphStore", "default_store_path", "open_store"]


@runtime_checkable
class GraphStore(Protocol):
    """What the site, the console, the CLI and the notebook API need from a store: nothing else is reached for.

    Both stores implement all of it (``tests/test_store_contract.py`` checks they answer alike).
    """

    backend: str  # "ladybug" or "neo4j": which dialect the named queries are written in

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query from ``kb.queries.catalogue`` and return its rows as dicts."""

    def stream(self, name: str, **params: Any) -> Iterator[dict[str, Any]]:
        """The rows of :meth:`query`, one at a time, for a reader that keeps less than every row (the case index)."""

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run the project's own read Cypher (exports, benchmarks), never a visitor's."""

    def run_readonly(self, cypher: str, params: dict[str, Any] | None = None, *, timeout_ms: int = 5000,
                     row_cap: int = 1000, byte_cap: int = 0) -> ConsoleResult:
        """Run a visitor's query: planned read-only, with a time limit and row and byte caps."""

    def counts(self) -> dict[str, int]:
        """Number of nodes per label."""

    def version(self) -> str:
        """The version of the graph held now: it changes whenever what a reader sees may have changed.

        The embedded store's generation (a new one with every load); on Neo4j a token that every
        sync writing anything replaces in the same transaction ("" before the first sync).  Cheap:
        read on every request by :func:`kb.store.versioned.derived`.
        """

    def reading(self) -> AbstractContextManager[None]:
        """A block whose queries belong together (one page): the store may share a connection and read the
        version once in it.  Answers are the same inside and outside; blocks nest.
        """

    def derived_folder(self, version: str) -> Path | None:
        """A folder where what is derived from ``version`` of the graph may be kept for every process reading it
        (:func:`kb.store.versioned.derived_on_disk`), or None where there is none."""

    def warm(self) -> object:
        """Open what a query needs before a memory limit applies (the console worker calls it first)."""

    def settings_changed(self) -> bool:
        """Whether a visitor's query changed a setting that would outlive it (then the worker reopens)."""

    def close(self) -> None:
        """Release the store's resources."""


def default_store_path(root: Path | None = None) -> Path:
    """Where the embedded store lives: ``$KB_STORE_PATH`` or ``<repo>/.kb/store``."""
    configured = os.environ.get("KB_STORE_PATH")
    if configured:
        return Path(configured)
    return (root or Path(__file__).resolve().parents[2]) / ".kb" / "store"


def open_store(kind: str = "ladybug", path: Path | None = None, **options: Any) -> GraphStore:
    """Open a store for reading: ``ladybug`` (embedded, default) or ``neo4j``.

    For ``neo4j`` the options are ``uri``, ``username``, ``password`` and ``database``; those left
    out come from ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE``.
    """
    if kind == "ladybug":
        from kb.store.ladybug import LadybugStore

        return LadybugStore(path or default_store_path())
    if kind == "neo4j":
        from kb.store.neo4j import Neo4jStore

        return Neo4jStore.from_options(**options)
    raise ValueError(f"unknown store '{kind}' (use 'ladybug' or 'neo4j')")
