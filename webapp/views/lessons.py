"""Lessons and open questions across cases (blueprint ``lessons``): every case's **Lessons** and **Open
questions** on one page, filterable by sector, practice and challenge, each linked to its case and sources.

The passages are the search index's (:mod:`kb.analysis.passages`), read once per graph version by
:mod:`kb.analysis.lessons`, which also decides which cases and passages are shown and the filters' counts.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request, url_for

from kb import evidence as grades
from kb.analysis.facets import PageOutOfRange, every_case, paginate, parse_selection, unknown_values
from kb.analysis.lessons import case_lessons, lesson_passages_for, passage_grade, sources_by_id
from kb.slug import slug
from kb.store.versioned import derived

from ..bounds import whole_number
from ..store import get_store, made_as_workers_start
from .base import page_route, respond
from .links import passage_url, source_refs

bp = Blueprint("lessons", __name__)

#: Cases on a page of lessons: all of the real content's on one, and a page stays quick at 10,000 cases.
CASES_PER_PAGE = 100


@made_as_workers_start
def unfiltered_lessons(store: Any) -> Any:
    """Every case's lessons, the same on every visit until the graph changes: gathered once per graph version."""
    return derived(store, "lessons unfiltered", lambda graph: case_lessons(
        lesson_passages_for(graph), every_case(graph), {}, None, sources_by_id(graph)))


@page_route(bp, "/lessons")
def lessons(fmt: str):
    """Every case's lessons and open questions (``sector``, ``country``, ``practice``, ``challenge``: repeatable,
    combined with AND; ``grade``: the least evidence grade of a lesson's sources), grouped by case, with their
    sources and grade (chosen by :func:`kb.analysis.lessons.case_lessons`), :data:`CASES_PER_PAGE` cases a
    page (``page=``)."""
    store = get_store()
    sources = sources_by_id(store)
    min_grade = request.args.get("grade", "").strip()
    if min_grade and min_grade not in grades.GRADE_IDS:
        abort(400, f"Unknown evidence grade '{min_grade}'; use one of: {', '.join(grades.GRADE_IDS)}.")
    number = whole_number(request.args.get("page", "1"), "page")
    selection, cases_ = parse_selection(request.args.getlist), every_case(store)
    if selection or min_grade:
        found = case_lessons(lesson_passages_for(store), cases_, selection, min_grade or None, sources)
    else:  # every case's lessons, the same on every visit until the graph changes: gathered once
        found = unfiltered_lessons(store)
    try:
        page = paginate(found.cases, number, CASES_PER_PAGE)
    except PageOutOfRange as err:
        abort(404, f"No such page of lessons: {err}.")
    endpoint = "lessons.lessons_json" if fmt == "json" else "lessons.lessons"

    def link(to_page: int) -> str:
        return url_for(endpoint, **{name: list(values) for name, values in found.selection.items()},
                       **({"grade": min_grade} if min_grade else {}), **({"page": to_page} if to_page > 1 else {}))

    cases = [{"id": item.case.id, "name": item.case.row["name"], "url": url_for("cases.case", case_id=item.case.id),
              "sectors": sorted(item.case.values["sector"].values()),
              "sections": [{"title": title, "items": [
                  {"text": p.text, "key": p.key, "url": passage_url("organisation", p.owner_id, slug(title)),
                   "evidence": passage_grade(p, sources),
                   "sources": source_refs(p.sources, sources)} for p in passages]}
                  for title, passages in item.sections]}
             for item in page.items]
    facets = [{"name": counts.facet.name, "title": counts.facet.title,
               "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                          for v in counts.values]} for counts in found.facets]
    data = {"selection": {name: list(values) for name, values in found.selection.items()},
            "grade": min_grade or None,
            "grades": [{"value": g.id, "label": g.label if g.id == grades.GRADE_IDS[0] else f"{g.label} or better",
                        "count": None, "selected": g.id == min_grade} for g in grades.GRADES],
            "cases": cases, "total": page.total, "cases_total": found.cases_total, "counts": found.counts,
            "page": {"number": page.number, "pages": page.pages, "size": page.size,
                     "next": link(page.number + 1) if page.number < page.pages else None,
                     "previous": link(page.number - 1) if page.number > 1 else None},
            "facets": facets, "clear_url": url_for("lessons.lessons") if found.selection or min_grade else None,
            "notices": [{"facet": facet, "value": value,
                         "message": f"No case has the {facet} '{value}': it is not one of this list's values."}
                        for facet, value in unknown_values(cases_, found.selection)]}
    return respond(fmt, "lessons.html", data)
