"""One "did you mean": the nearest known names to a mistyped one, on rapidfuzz, with bounded work.

Shared by every stage (like :mod:`kb.evidence`): the validator's hints (unknown key, sector, source,
mark, concept...), the contributors' tools and the site's 404 pages.

The work is bounded whatever the input: the word is cut to :data:`MAX_QUERY` characters before any
comparison (no id or name is that long, so a longer word finds nothing close), and the candidates
are prepared once in a :class:`Suggestions` — the site keeps one per graph version — rather than on
each request.  Similarity is rapidfuzz's normalised Indel ratio (what difflib's ``ratio`` measures).

>>> did_you_mean("suported", ["self", "supported", "general"])
"did you mean 'supported'?"
>>> Suggestions([("buurtzorg", "buurtzorg"), ("buurtzorg-uk", "buurtzorg-britain-ireland"),
...              ("zappos", "zappos")]).closest("buurtzorg-u")
['buurtzorg-britain-ireland', 'buurtzorg']
>>> Suggestions([("buurtzorg", "buurtzorg")]).closest("buurtzorg" + "x" * 60_000)
[]
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

__all__ = ["CUTOFF", "MAX_QUERY", "Suggestions", "closest", "did_you_mean"]

#: The longest input compared: anything beyond is cut off first.
MAX_QUERY = 100
#: How alike (0-1) a candidate must be to be suggested.
CUTOFF = 0.6
#: The similarity (0-100) of two strings.  A module attribute so that a test can watch what it compares.
SCORER = fuzz.ratio


class Suggestions:
    """Candidate texts prepared once, each standing for what it suggests (an id)."""

    def __init__(self, candidates: Iterable[tuple[str, str]]):
        pairs = [(text, target) for text, target in candidates if text]
        self._texts = [text for text, _ in pairs]
        self._targets = [target for _, target in pairs]

    def __len__(self) -> int:
        return len(self._texts)

    def closest(self, word: str, limit: int = 3, cutoff: float = CUTOFF) -> list[str]:
        """The targets whose candidate texts are most like ``word`` (best first, ties by target)."""
        query = word[:MAX_QUERY]
        best: dict[str, float] = {}
        for _text, score, position in process.extract(query, self._texts, scorer=SCORER, limit=None,
                                                      score_cutoff=cutoff * 100):
            target = self._targets[position]
            best[target] = max(score, best.get(target, 0.0))
        return sorted(best, key=lambda target: (-best[target], target))[:limit]


def closest(word: str, choices: Iterable[str], limit: int = 2, cutoff: float = CUTOFF) -> list[str]:
    """The ``choices`` most like ``word``, best first.

    >>> closest("uncertan", ["contested", "uncertain"], limit=1)
    ['uncertain']
    """
    return Suggestions((choice, choice) for choice in choices).closest(word, limit, cutoff)


def did_you_mean(word: str, choices: Iterable[str], limit: int = 2, cutoff: float = CUTOFF) -> str:
    """A hint naming the nearest choices ("" when none is close)."""
    matches = closest(word, choices, limit, cutoff)
    return f"did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""
