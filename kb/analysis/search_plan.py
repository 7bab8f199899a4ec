"""A question made ready for the search index (:mod:`kb.analysis.search`): its terms as stems, its common words,
corrections, synonyms and intents, and the organisations' names indexed by stem so that a question is checked only
against the names that share one of its words.

>>> plan = Plan([Term(0, "buurtzorg", "buurtzorg"), Term(1, "nurses", "nurs")], [], {}, [],
...             typed=frozenset({"buurtzorg", "nurs"}))
>>> plan.names("Buurtzorg"), plan.names("Buurtzorg Nederland")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.analysis.search_results import SearchDocument
from kb.analysis.words import STOP_WORDS, stem, stems

#: The common words as stems: never enough on their own to name an organisation.
STOP_STEMS = frozenset(stem(word) for word in STOP_WORDS)


@dataclass(frozen=True)
class Term:
    """One uncommon word of a question."""

    position: int  # in the question, counting common words too
    word: str  # as typed (folded), or its correction
    stem: str


@dataclass
class Plan:
    """A question made ready for the index."""

    terms: list[Term]
    common_words: list[str]
    corrections: dict[str, str]
    # (the question's terms it stands for, every name of the concept as stems, the concept's "kind:id")
    synonyms: list[tuple[tuple[str, ...], list[tuple[str, ...]], str]]
    intents: tuple[str, ...] = ()
    typed: frozenset[str] = frozenset()  # every word of the question as a stem, common words too

    def names(self, name: str) -> bool:
        """Whether the question contains all of a name's words: its common words too ("Holacracy One" is not
        named by a question saying "Holacracy")."""
        return self.names_stems(frozenset(stems(name)))

    def names_stems(self, own: frozenset[str]) -> bool:
        """:meth:`names` for a name already made into its stems."""
        return bool(own - STOP_STEMS) and own - STOP_STEMS <= {term.stem for term in self.terms} \
            and own <= self.typed


def names_by_stem(documents: dict[tuple[str, str], SearchDocument],
                   ) -> dict[str, list[tuple[tuple[str, str], frozenset[str]]]]:
    """Each organisation's names as stems, under each of their uncommon stems: a question is checked against the
    names sharing one of its words, not against every name of 10,000 cases on every search."""
    found: dict[str, list[tuple[tuple[str, str], frozenset[str]]]] = {}
    for key, doc in documents.items():
        if doc.kind == "organisation":
            for own in {frozenset(stems(name)) for name in (doc.name, *doc.aliases)}:
                for uncommon in own - STOP_STEMS:
                    found.setdefault(uncommon, []).append((key, own))
    return found
