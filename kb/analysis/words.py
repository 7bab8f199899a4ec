"""Words as search sees them: common words left out, the rest folded and stemmed as the index stores them.

The search index (:mod:`kb.analysis.search`) and the question both go through the same analyzer
(tantivy's: lower case, accents folded, Snowball English stems), so a question's word and a page's
word meet when their stems do.  :func:`contains` and :func:`nearness` measure a question's words
in a passage's stems, for the re-ranking.

>>> [stem(w) for w in WORD.findall("How big are the nurses' teams?") if fold(w) not in STOP_WORDS]
['big', 'nurs', 'team']
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import tantivy

__all__ = ["ANALYZER", "STOP_WORDS", "WORD", "contains", "fold", "folded_words", "nearness", "stem", "stems"]

#: Words too common to tell passages apart (Lucene's English list, question words, auxiliaries and
#: pronouns).  They are left out of the search, not out of the index, so phrases keep their places.
STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will",
    "with", "what", "which", "who", "whom", "whose", "how", "why", "when", "where", "whether", "do", "does", "did",
    "doing", "done", "can", "could", "would", "should", "shall", "may", "might", "must", "i", "me", "my", "we", "us",
    "our", "you", "your", "he", "him", "his", "she", "her", "its", "them", "am", "were", "been", "being", "has",
    "have", "had", "having", "from", "about", "any", "some", "so", "than", "too", "very", "just", "also", "all",
    "each", "other", "others", "more", "most", "much", "many", "own", "same", "both", "get", "gets", "got", "one",
    "ones", "anyone", "someone", "something", "thing", "things", "way", "ways", "like",
    "s", "t",  # what is left of "Buurtzorg's" and "didn't" once cut into words
))

WORD = re.compile(r"\w+")


def fold(word: str) -> str:
    """Lower case without accents, as the index's analyzer sees a word."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(ch))


def folded_words(texts: Iterable[str], min_length: int = 1, also: Iterable[set[str]] = ()) -> set[str]:
    """Every distinct word of the texts (at least ``min_length`` letters), folded; ``also``: sets of words of other
    texts, already cut by :data:`WORD`.

    >>> sorted(folded_words(["Équipe and équipe", "an"], min_length=3, also=[{"Zorg", "at"}]))
    ['and', 'equipe', 'zorg']
    """
    # Folded once per distinct word: the texts repeat their words (12 million at 1,000 cases).
    found = {w for text in texts for w in WORD.findall(text) if len(w) >= min_length}
    for words in also:
        found.update(w for w in words if len(w) >= min_length)
    return {fold(w) for w in found}


def _analyzer() -> tantivy.TextAnalyzer:
    # No stop-word filter in the index: the query leaves common words out, and phrases keep their places.
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("english"))
            .build())


ANALYZER = _analyzer()


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The index's form of one word: folded and stemmed ("" for a word it drops).

    >>> stem("Nurses"), stem("managing"), stem("Zürich")
    ('nurs', 'manag', 'zurich')
    """
    tokens = ANALYZER.analyze(word)
    return tokens[0] if tokens else ""


def stems(text: str) -> list[str]:
    """The stems of a text in order; a token's index in the list is its position in the index."""
    return ANALYZER.analyze(text)


def contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` (stems) occurs in ``tokens``, its words next to each other and in order.

    Only the places of its first word are tried (a document's 800 tokens were each compared with every synonym
    of a question, most of a search's time at 10,000 cases).

    >>> contains(["self", "manag", "team"], ("manag", "team")), contains(["team", "manag"], ("manag", "team"))
    (True, False)
    """
    if len(phrase) == 1:
        return phrase[0] in tokens
    first, wanted, size, at = phrase[0], list(phrase), len(phrase), 0
    while True:
        try:
            at = tokens.index(first, at)
        except ValueError:
            return False
        if tokens[at:at + size] == wanted:
            return True
        at += 1


def places(tokens: list[str], wanted: Iterable[str]) -> dict[str, list[int]]:
    """Where each wanted word is in ``tokens``, first to last; a word not there is left out.

    ``list.index`` steps through the tokens in C: stepping in Python through a hundred documents of thousands of
    tokens (or making a set of them) was most of the re-ranking of a search at 10,000 cases.

    >>> places(["a", "x", "a"], {"a", "b"})
    {'a': [0, 2]}
    """
    found: dict[str, list[int]] = {}
    for token in wanted:
        at = -1
        while True:
            try:
                at = tokens.index(token, at + 1)
            except ValueError:
                break
            found.setdefault(token, []).append(at)
    return found


def nearness(tokens: list[str], wanted: set[str], where: dict[str, list[int]] | None = None) -> float:
    """How close together the wanted words are: their number over the shortest stretch holding them all (0–1].

    The stretch is looked for among the wanted words' places only (``where``, from :func:`places`, if known): a
    shortest stretch starts and ends at one.

    >>> nearness(["a", "x", "b", "y", "y", "a", "b"], {"a", "b"}), nearness(["a", "x"], {"a", "b"})
    (1.0, 0.0)
    """
    where = places(tokens, wanted) if where is None else where
    hits = sorted((at, token) for token in wanted for at in where.get(token, ()))
    counts: dict[str, int] = {}
    best, start, have = len(tokens) + 1, 0, 0
    for end_at, token in hits:
        counts[token] = counts.get(token, 0) + 1
        have += counts[token] == 1
        while have == len(wanted):
            start_at, first = hits[start]
            best = min(best, end_at - start_at + 1)
            counts[first] -= 1
            have -= counts[first] == 0
            start += 1
    return len(wanted) / best if best <= len(tokens) else 0.0
