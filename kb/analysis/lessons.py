"""Lessons and open questions across cases: each case's passages of those sections, filtered by the case facets.

Pure functions over the passages of the search index (:mod:`kb.analysis.passages`) and the cases of
:mod:`kb.analysis.facets`, so that a sector also finds cases in its narrower sectors.  Only cases with a
lesson or an open question are offered, and the facet counts count only them.

>>> from kb.analysis.facets import build_cases
>>> cases = build_cases([{"id": "a", "name": "Alpha", "kind": "", "country": "NL"},
...                      {"id": "b", "name": "Beta", "kind": "", "country": "US"},
...                      {"id": "c", "name": "Gamma", "kind": "", "country": "US"}],
...                     [{"organisation": "a", "type": "IN_SECTOR", "value": "care", "label": "Care"}])
>>> said = [Passage("organisation", "b", "Beta", "Open questions", 1, "Why?", (), (), 9),
...         Passage("organisation", "a", "Alpha", "Lessons", 1, "Coaches help.", ("r",), (), 5),
...         Passage("organisation", "a", "Alpha", "Context", 1, "Founded.", (), (), 2)]
>>> found = case_lessons(said, cases, {})
>>> [(c.case.id, [(title, [p.text for p in ps]) for title, ps in c.sections]) for c in found.cases]
[('a', [('Lessons', ['Coaches help.'])]), ('b', [('Open questions', ['Why?'])])]
>>> found.cases_total, found.counts
(2, {'Lessons': 1, 'Open questions': 1})
>>> [c.case.id for c in case_lessons(said, cases, {"sector": ("care",)}).cases]
['a']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kb.analysis.facets import Case, FacetCounts, facet_cases
from kb.analysis.passages import LESSON_SECTIONS, Passage, section_passages
from kb.analysis.search_store import organisation_texts
from kb.evidence import grade_for, meets_grade, reliability_for
from kb.store.versioned import derived

__all__ = ["LESSON_FACETS", "CaseLessons", "Lessons", "case_lessons", "lesson_passages_for", "passage_grade",
           "sources_by_id"]

#: The filters of the lessons, in the order shown (each a facet of the case list); besides them, a
#: least evidence grade of a lesson's own sources (:func:`passage_grade`).
LESSON_FACETS = ("sector", "country", "practice", "challenge")


def lesson_passages_for(store: Any) -> list[Passage]:
    """The passages of every case's lessons and open questions, once per graph version
    (:func:`kb.store.versioned.derived`), as the search index has them: read from the cases' bodies, only those
    two sections parsed (:func:`kb.analysis.passages.section_passages`), so that the first visit after a load
    does not wait for the whole search index (97 s at 10,000 cases; these passages 2 CPU seconds)."""
    return derived(store, "lesson passages", _lesson_passages)


def _lesson_passages(store: Any) -> list[Passage]:
    found: dict[str, Passage] = {}
    for row in organisation_texts(store):
        for passage in section_passages("organisation", row["id"], row["name"], row["body"], LESSON_SECTIONS):
            found[passage.key] = passage  # one passage per key, as the search index keeps them
    return list(found.values())


def sources_by_id(store: Any) -> dict[str, dict[str, Any]]:
    """Every source's row (``sources``) by id, once per graph version: the lessons' grades and references."""
    return derived(store, "sources by id", lambda graph: {row["id"]: row for row in graph.query("sources")})


def passage_grade(passage: Passage, sources: Mapping[str, Mapping[str, Any]]) -> str:
    """The evidence grade of a passage: that of the best source it cites, a source whose affiliation names
    the organisation counting as its own account; a passage citing nothing is a commentator's impression.

    >>> said = Passage("organisation", "acme", "Acme", "Lessons", 1, "Teams work.", ("a", "b"), (), 5)
    >>> passage_grade(said, {"a": {"reliability": "independent", "affiliation": ["Acme"]},
    ...                      "b": {"reliability": "third-party", "affiliation": []}})
    'reported'
    """
    names = (passage.owner_id, passage.owner_name)
    return grade_for(reliability_for((sources.get(s) or {}).get("reliability") or "",
                                     (sources.get(s) or {}).get("affiliation") or [], names)
                     for s in passage.sources)


@dataclass(frozen=True)
class CaseLessons:
    """One case and its lessons and open questions: ``(section title, passages)``, sections without any left out."""

    case: Case
    sections: list[tuple[str, list[Passage]]]


@dataclass(frozen=True)
class Lessons:
    """The cases a selection keeps (by name), how many cases have lessons at all, how many passages of each
    section are shown, and the counts of :data:`LESSON_FACETS` (in that order)."""

    cases: list[CaseLessons]
    cases_total: int
    counts: dict[str, int]
    facets: list[FacetCounts]
    selection: dict[str, tuple[str, ...]]


def case_lessons(passages: Iterable[Passage], cases: list[Case],
                 selection: Mapping[str, tuple[str, ...]], min_grade: str | None = None,
                 sources: Mapping[str, Mapping[str, Any]] | None = None) -> Lessons:
    """Each case's lessons and open questions, for the cases that match ``selection`` (the facets other than
    :data:`LESSON_FACETS` are ignored) and, with ``min_grade``, only the passages whose :func:`passage_grade`
    (from ``sources``, id -> row) is at least that grade."""
    selection = {name: values for name, values in selection.items() if name in LESSON_FACETS}
    by_case: dict[str, list[Passage]] = {}
    for passage in passages:
        if min_grade and not meets_grade(passage_grade(passage, sources or {}), min_grade):
            continue
        if passage.owner_kind == "organisation" and passage.section in LESSON_SECTIONS:
            by_case.setdefault(passage.owner_id, []).append(passage)
    with_lessons = [case for case in cases if case.id in by_case]
    result = facet_cases(with_lessons, selection)
    kept = [CaseLessons(case, [(title, [p for p in by_case[case.id] if p.section == title])
                               for title in LESSON_SECTIONS if any(p.section == title for p in by_case[case.id])])
            for case in sorted(result.cases, key=lambda c: (c.row["name"].casefold(), c.id))]
    counts = {title: sum(len(passages) for lessons in kept for section, passages in lessons.sections
                         if section == title) for title in LESSON_SECTIONS}
    facets = sorted((counts_ for counts_ in result.facets if counts_.facet.name in LESSON_FACETS),
                    key=lambda counts_: LESSON_FACETS.index(counts_.facet.name))
    return Lessons(kept, len(with_lessons), counts, facets, selection)
