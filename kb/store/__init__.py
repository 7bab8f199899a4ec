"""Stage 7, store: where the graph is held (LadybugDB embedded, Neo4j) behind one read interface.

May import: ``kb.problems``, ``kb.content``, ``kb.graph`` and ``kb.queries`` (the texts it runs);
never ``kb.load`` (it calls this package).

Everything that reads the graph goes through :class:`GraphStore`: named
queries (``kb.queries.catalogue``) written once in Cypher, plus a guarded console for
researchers.  The embedded default is LadybugDB (``kb.store.ladybug``); a
Neo4j backend implements the same interface.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol

__all__ = ["GraphStore", "default_store_path", "open_store"]


class GraphStore(Protocol):
    """What the site, the CLI and the notebook API need from a store."""

    backend: str

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query from ``kb.queries.catalogue`` and return its rows as dicts."""

    def counts(self) -> dict[str, int]:
        """Number of nodes per label."""

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
