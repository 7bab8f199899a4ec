"""What a load reports: its problems and, for the embedded store, what it did.

>>> from kb.problems import Problem
>>> load = EmbeddedLoad([Problem("cases/a.md", 3, 1, "a warning", severity="warning")], "unchanged")
>>> load.ok, len(load.warnings), load.errors
(True, 1, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kb.content.parse import Document
from kb.graph.model import Corpus
from kb.load.cache import CachedFile
from kb.problems import Problem
from kb.store.manifest import Manifest

__all__ = ["EmbeddedLoad", "LoadResult", "Outcome"]


class Outcome:
    """Errors, warnings and ok-ness of anything that carries a ``problems`` list."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class LoadResult(Outcome):
    """What reading the content produced: the problems and, when there were no errors, the corpus.

    With a cache, ``loaded`` has each file's hash and own problems, and ``link_problems`` the
    problems of resolving each case's links (by file): what a manifest keeps.
    """

    problems: list[Problem]
    documents: list[Document] = field(default_factory=list)
    corpus: Corpus | None = None
    loaded: list[CachedFile] = field(default_factory=list)
    link_problems: dict[str, list[Problem]] = field(default_factory=dict)


@dataclass
class EmbeddedLoad(Outcome):
    """What :func:`kb.load.load_embedded` did: ``mode`` is full, incremental, unchanged or refused."""

    problems: list[Problem]
    mode: str
    files: int = 0
    generation: Path | None = None
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: The manifest of the generation the load left current (None when refused): what a Neo4j sync
    #: compares with, so that it need not read it from disk again.
    manifest: Manifest | None = None
    #: An incremental load's changed and new files' documents, checked and their links resolved (what
    #: a Neo4j sync of the same change sends without reading them again); empty after a full load.
    documents: dict[str, Document] = field(default_factory=dict)
