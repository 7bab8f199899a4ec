"""Lessons and open questions across cases (blueprint ``lessons``): every case's **Lessons** and **Open
questions** on one page, filterable by sector, practice and challenge, each linked to its case and sources.

The passages come from the search index (:mod:`kb.analysis.search`, one per graph version); which cases and
passages are shown, and the filters' counts, from :mod:`kb.analysis.lessons`.
"""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for

from kb import evidence as grades
from kb.analysis.facets import every_case, parse_selection, unknown_values
from kb.analysis.lessons import case_lessons, passage_grade
from kb.analysis.search import search_index_for
from kb.slug import slug

from ..store import get_store
from .base import page_route, respond
from .links import passage_url, source_refs

bp = Blueprint("lessons", __name__)


@page_route(bp, "/lessons")
def lessons(fmt: str):
    """Every case's lessons and open questions (``sector``, ``country``, ``practice``, ``challenge``: repeatable,
    combined with AND; ``grade``: the least evidence grade of a lesson's sources), grouped by case, with their
    sources and grade (chosen by :func:`kb.analysis.lessons.case_lessons`)."""
    store = get_store()
    index = search_index_for(store)
    min_grade = request.args.get("grade", "").strip()
    if min_grade and min_grade not in grades.GRADE_IDS:
        abort(400, f"Unknown evidence grade '{min_grade}'; use one of: {', '.join(grades.GRADE_IDS)}.")
    selection, cases_ = parse_selection(request.args.getlist), every_case(store)
    found = case_lessons(index.passages.values(), cases_, selection, min_grade or None, index.sources)
    cases = [{"id": item.case.id, "name": item.case.row["name"], "url": url_for("cases.case", case_id=item.case.id),
              "sectors": sorted(item.case.values["sector"].values()),
              "sections": [{"title": title, "items": [
                  {"text": p.text, "key": p.key, "url": passage_url("organisation", p.owner_id, slug(title)),
                   "evidence": passage_grade(p, index.sources),
                   "sources": source_refs(p.sources, index.sources)} for p in passages]}
                  for title, passages in item.sections]}
             for item in found.cases]
    facets = [{"name": counts.facet.name, "title": counts.facet.title,
               "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                          for v in counts.values]} for counts in found.facets]
    data = {"selection": {name: list(values) for name, values in found.selection.items()},
            "grade": min_grade or None,
            "grades": [{"value": g.id, "label": g.label if g.id == grades.GRADE_IDS[0] else f"{g.label} or better",
                        "count": None, "selected": g.id == min_grade} for g in grades.GRADES],
            "cases": cases, "cases_total": found.cases_total, "counts": found.counts,
            "facets": facets, "clear_url": url_for("lessons.lessons") if found.selection or min_grade else None,
            "notices": [{"facet": facet, "value": value,
                         "message": f"No case has the {facet} '{value}': it is not one of this list's values."}
                        for facet, value in unknown_values(cases_, found.selection)]}
    return respond(fmt, "lessons.html", data)
