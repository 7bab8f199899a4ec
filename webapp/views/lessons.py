"""Lessons and open questions across cases (blueprint ``lessons``): every case's **Lessons** and **Open
questions** on one page, filterable by sector, practice and challenge, each linked to its case and sources.

The passages come from the search index (:mod:`kb.analysis.search`, one per graph version), the filters from
the case facets (:mod:`kb.analysis.facets`, so that a sector also finds cases in its narrower sectors).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for

from kb.analysis.facets import build_cases, facet_cases, parse_selection
from kb.analysis.passages import LESSON_SECTIONS
from kb.analysis.search import search_index_for
from kb.slug import slug

from ..store import get_store
from .base import page_route, respond
from .links import passage_url, source_refs

bp = Blueprint("lessons", __name__)

#: The filters of the page, in the order shown (each a facet of the case list).
LESSON_FACETS = ("sector", "practice", "challenge")


@page_route(bp, "/lessons")
def lessons(fmt: str):
    """Every case's lessons and open questions (``sector``, ``practice``, ``challenge``: repeatable, combined
    with AND), grouped by case, with their sources."""
    store = get_store()
    index = search_index_for(store)
    selection = {name: values for name, values in parse_selection(request.args.getlist).items()
                 if name in LESSON_FACETS}
    every_case = build_cases(store.query("facet_organisations"), store.query("facet_links"),
                             store.query("facet_sector_broader"))
    by_case: dict[str, list[Any]] = {}
    for passage in index.passages.values():
        if passage.owner_kind == "organisation" and passage.section in LESSON_SECTIONS:
            by_case.setdefault(passage.owner_id, []).append(passage)
    with_lessons = [case for case in every_case if case.id in by_case]
    result = facet_cases(with_lessons, selection)
    cases = []
    for case in sorted(result.cases, key=lambda c: (c.row["name"].casefold(), c.id)):
        sections = []
        for title in LESSON_SECTIONS:
            items = [{"text": p.text, "key": p.key, "url": passage_url("organisation", p.owner_id, slug(title)),
                      "sources": source_refs(p.sources, index.sources)}
                for p in by_case[case.id] if p.section == title]
            if items:
                sections.append({"title": title, "items": items})
        cases.append({"id": case.id, "name": case.row["name"], "url": url_for("cases.case", case_id=case.id),
                      "sectors": sorted(case.values["sector"].values()), "sections": sections})
    facets = [{"name": counts.facet.name, "title": counts.facet.title,
               "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                          for v in counts.values]}
              for counts in result.facets if counts.facet.name in LESSON_FACETS]
    facets.sort(key=lambda f: LESSON_FACETS.index(f["name"]))
    data = {"selection": {name: list(values) for name, values in selection.items()},
            "cases": cases, "cases_total": len(with_lessons),
            "counts": {title: sum(len(s["items"]) for c in cases for s in c["sections"] if s["title"] == title)
                       for title in LESSON_SECTIONS},
            "facets": facets, "clear_url": url_for("lessons.lessons") if selection else None}
    return respond(fmt, "lessons.html", data)
