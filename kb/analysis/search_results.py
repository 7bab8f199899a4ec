"""What question search finds and returns (:mod:`kb.analysis.search`): the cases and concepts it indexes as whole
documents, the documents and passages that match a question, and the results of one search."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["PassageHit", "SearchDocument", "SearchHit", "SearchResults"]


@dataclass(frozen=True)
class SearchDocument:
    """One thing search can find: a case (``organisation``) or a concept (``practice``, ``framework``...)."""

    kind: str
    id: str
    name: str
    aliases: tuple[str, ...]
    text: str  # the summary of a case, the definition of a concept
    body: str  # plain text of the page


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: str
    name: str
    score: float
    name_html: str  # the name, escaped, with matched words in <mark>
    snippet: str  # plain text
    snippet_html: str  # the snippet, escaped, with matched words in <mark>


@dataclass(frozen=True)
class PassageHit:
    """A passage that answers the question, with where it comes from and what it cites."""

    key: str
    owner_kind: str
    owner_id: str
    owner_name: str
    section: str
    section_slug: str
    text: str
    text_html: str  # the text, escaped, with matched words in <mark>
    sources: tuple[str, ...]
    concepts: tuple[tuple[str, str], ...]
    score: float
    matched: tuple[str, ...]  # the question's words (or their synonyms) that it contains
    evidence: str = ""  # its grade: that of the best source it cites (kb.analysis.lessons.passage_grade)
    scope: str = "self"  # whom it is about (kb.analysis.passages.Passage.scope), with the groups it names
    about: tuple[str, ...] = ()
    status: str = ""  # contested or uncertain


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]  # cases and concepts
    total: int  # cases and concepts matching, of which ``hits`` are the best
    corrections: dict[str, str] = field(default_factory=dict)  # query word -> name word searched instead
    passages: list[PassageHit] = field(default_factory=list)
    passages_total: int = 0
    common_words: list[str] = field(default_factory=list)  # words left out as too common
    synonyms: dict[str, list[str]] = field(default_factory=dict)  # words typed -> other names searched
    words: list[str] = field(default_factory=list)  # the words searched (after corrections)
    intents: list[str] = field(default_factory=list)  # what the question asks for: figures, dates, places...
    best_match: SearchHit | None = None  # a case or concept the question names: shown first, as a card

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
