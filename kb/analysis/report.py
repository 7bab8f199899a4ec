"""Organisations like mine: what the cases most like a described organisation did, met, reported and learnt.

One report from the compare form's description (:class:`kb.analysis.index.CaseQuery`): the comparable
cases (:func:`kb.analysis.compare.rank_comparable`), then across them the practices they adopted and the
challenges they met (most cases first), the outcomes they reported with each case's evidence grade, their
lessons, and those that scaled self-management back, abandoned it or ended a pilot, with why (their
``How it ended`` section, else their other passages saying so).  Every line is a passage of a case page
(:mod:`kb.analysis.passages`) with the sources it cites, so a reader can check it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kb.analysis.compare import rank_comparable
from kb.analysis.index import CaseIndex, CaseQuery
from kb.analysis.passages import Passage
from kb.evidence import grade_label

__all__ = ["ENDED", "MANAGER_SECTIONS", "SECTION_OF_KIND", "like_mine"]

#: The ``model_status`` values of a case that stepped back from self-management.
ENDED = ("scaled-back", "abandoned", "pilot-ended", "never-completed")
#: The sections answering the questions a manager asks: how long the change took, what it cost, how
#: regulators dealt with it (``How it ended`` is gathered with the cases that stepped back).
MANAGER_SECTIONS = ("Transition", "Funding and cost", "Regulation and inspection")
#: The section of a case page whose bullets are its claims of each kind.
SECTION_OF_KIND = {"practice": "Practices", "framework": "Practices", "challenge": "Challenges",
                   "outcome": "Outcomes"}


def like_mine(index: CaseIndex, query: CaseQuery, passages: Iterable[Passage],
              organisations: Mapping[str, Mapping[str, Any]], limit: int = 10) -> dict[str, Any]:
    """The report: ``cases`` (the comparable cases, best first, with score and split), ``practices``,
    ``challenges`` and ``outcomes`` (each concept with ``count`` of those cases and one ``line`` per case:
    its claim's passage, grade and status), ``lessons`` (passages), ``questions`` (each of
    :data:`MANAGER_SECTIONS` with the passages of those cases under it) and ``ended`` (cases that stepped back,
    with their ``model_status`` and the passages saying why).  ``organisations``: id -> a row with
    ``model_status`` and ``model_status_year`` (the case list's rows)."""
    matches = rank_comparable(index, query, limit=limit) if not query.is_empty() else []
    chosen = [m["id"] for m in matches]
    by_case: dict[str, list[Passage]] = {}
    for passage in passages:
        if passage.owner_kind == "organisation" and passage.owner_id in chosen:
            by_case.setdefault(passage.owner_id, []).append(passage)
    report = {"cases": [{k: m[k] for k in ("id", "name", "country_name", "sectors", "kind", "size_band", "score",
                                           "split")} for m in matches]}
    for kind, key in (("practice", "practices"), ("challenge", "challenges"), ("outcome", "outcomes")):
        report[key] = _gathered(index, kind, chosen, by_case)
    report["lessons"] = [_line(p) for case in chosen for p in by_case.get(case, []) if p.section == "Lessons"]
    report["questions"] = [{"section": title, "lines": [_line(p) for case in chosen for p in by_case.get(case, [])
                                                        if p.section == title]} for title in MANAGER_SECTIONS]
    report["ended"] = [_ended(index, case, organisations.get(case) or {}, by_case.get(case, []))
                       for case in chosen if (organisations.get(case) or {}).get("model_status") in ENDED]
    return report


def _ended(index: CaseIndex, case: str, row: Mapping[str, Any], said: list[Passage]) -> dict[str, Any]:
    """A case that stepped back, and why: its ``How it ended`` section, else its passages on abandoning the
    model, else its timeline entries of the year it did."""
    year = str(row.get("model_status_year") or "")
    why = ([p for p in said if p.section == "How it ended"]
           or [p for p in said if ("outcome", "model-abandoned") in p.concepts]
           or [p for p in said if p.section == "Timeline" and year and year in p.text])
    return {"id": case, "name": index.profiles[case].name, "model_status": row["model_status"],
            "year": row.get("model_status_year"), "why": [_line(p) for p in why]}


def _gathered(index: CaseIndex, kind: str, chosen: list[str], by_case: Mapping[str, list[Passage]]) -> list[dict]:
    """Each concept of ``kind`` the chosen cases claim for themselves, most cases first, with a line per case."""
    concepts: dict[str, list[dict[str, Any]]] = {}
    for case in chosen:
        for concept, status in sorted(index.claims[case][kind].items()):
            said = [p for p in by_case.get(case, []) if p.section == SECTION_OF_KIND[kind]
                    and (kind, concept) in p.concepts]
            grade = index.grade(case, kind, concept)
            concepts.setdefault(concept, []).append({
                "case": case, "case_name": index.profiles[case].name, "grade": grade, "evidence": grade,
                "grade_label": grade_label(grade), "status": status,
                "passage": _line(said[0]) if said else None})
    rows = [{"id": concept, "name": index.name(kind, concept), "count": len(lines), "lines": lines}
            for concept, lines in concepts.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["name"].casefold()))


def _line(passage: Passage) -> dict[str, Any]:
    return {"case": passage.owner_id, "case_name": passage.owner_name, "section": passage.section,
            "text": passage.text, "sources": list(passage.sources), "key": passage.key}
