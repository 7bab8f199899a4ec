"""Organisations like mine (blueprint ``report``): from the compare form's description, one printable page
(and its JSON twin) of what the most comparable cases did, met, reported and learnt, and which stepped
back and why; gathered by :func:`kb.analysis.report.like_mine`, every line linked to its case and sources."""

from __future__ import annotations

from flask import Blueprint, request, url_for

from kb import analysis
from kb.analysis.facets import every_case
from kb.analysis.report import like_mine
from kb.analysis.search import search_index_for
from kb.analysis.timeline import MODEL_STATUSES
from kb.slug import slug

from ..store import get_store
from .base import page_route, respond
from .compare import describe_query, described_query, read_limit
from .links import node_url, passage_url, source_refs

bp = Blueprint("report", __name__)


@page_route(bp, "/report")
def report(fmt: str):
    """What organisations like the one described (the compare form's fields) did, met, reported and learnt."""
    store = get_store()
    index, search = analysis.index_for(store), search_index_for(store)
    query, ignored = described_query(index, request.args)
    limit = read_limit(request.args, ignored)
    found = like_mine(index, query, search.passages.values(), {c.id: c.row for c in every_case(store)}, limit)

    def line(item: dict | None) -> dict | None:
        if item is None:
            return None
        return {**item, "url": passage_url("organisation", item["case"], slug(item["section"])),
                "sources": source_refs(item["sources"], search.sources),
                "evidence": search.grade_of(search.passages[item["key"]])}  # the mark every claim carries

    for key, kind in (("practices", "practice"), ("challenges", "challenge"), ("outcomes", "outcome")):
        for concept in found[key]:
            concept["url"] = node_url(kind, concept["id"])
            for claim in concept["lines"]:
                claim["case_url"] = url_for("cases.case", case_id=claim["case"])
                claim["passage"] = line(claim["passage"])
    found["lessons"] = [line(item) for item in found["lessons"]]
    for question in found["questions"]:
        question["lines"] = [line(item) for item in question["lines"]]
    for case in found["ended"]:
        case["url"], case["status_words"] = url_for("cases.case", case_id=case["id"]), MODEL_STATUSES.get(
            case["model_status"], case["model_status"])
        case["why"] = [line(item) for item in case["why"]]
    for case in found["cases"]:
        case["url"] = url_for("cases.case", case_id=case["id"])
    data = {"query": describe_query(index, query), "ignored": ignored, "empty": query.is_empty(), "limit": limit,
            "compare_url": url_for("compare.compare", **request.args.to_dict(flat=False)), **found}
    return respond(fmt, "report.html", data)
