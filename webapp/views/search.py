"""Question search (blueprint ``search``): the passages that answer a question, then matching cases and
concepts, from the search index of :mod:`kb.analysis.search` (one per graph version)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request, url_for
from markupsafe import Markup

from kb import evidence as grades
from kb.analysis.intents import INTENT_BY_ID
from kb.analysis.search import search_index_for

from ..store import get_store
from .base import page_route, respond
from .links import KIND_TITLES, about_links, node_url, passage_url, source_refs

bp = Blueprint("search", __name__)

MAX_QUERY_CHARS = 200
SEARCH_LIMIT = 50
PASSAGE_LIMIT = 20
#: Everyday questions the search page offers as examples (each answered by a passage; see tests/search_questions.yaml).
EXAMPLE_QUESTIONS = (
    "Which other services could benefit from self-management?",
    "How big are Buurtzorg's nurse teams?",
    "Why did people leave Zappos after Holacracy?",
    "How do people set their own salaries?",
    "What went wrong with Buurtzorg pilots in the UK?",
    "Who decides without managers in the advice process?",
)


@page_route(bp, "/search")
def search(fmt: str):
    """Question search: the passages that answer it (with case, section and sources), then matching cases
    and concepts; stemming, synonyms from concept aliases, typo tolerance for names."""
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    min_grade = _min_grade()
    index = search_index_for(get_store()) if query else None
    found = index.search(query, limit=SEARCH_LIMIT, passage_limit=PASSAGE_LIMIT,
                         min_grade=min_grade or None) if index else None
    best_match = _best_match(found.best_match if found else None)
    results = [{"kind": hit.kind, "id": hit.id, "name": hit.name, "url": node_url(hit.kind, hit.id),
                "score": hit.score, "snippet": hit.snippet,
                # Built by kb.analysis.search from escaped text plus <mark> only, so safe to show as HTML.
                "name_html": Markup(hit.name_html), "snippet_html": Markup(hit.snippet_html)}
               for hit in (found.hits if found else [])]
    passages = [_passage(hit, index) for hit in (found.passages if found else [])]
    common = found.common_words if found else []
    data = {"query": query, "total": found.total if found else 0, "shown": len(results),
            "corrections": found.corrections if found else {}, "synonyms": found.synonyms if found else {},
            "common_words": common, "words": found.words if found else [],
            "intents": found.intents if found else [],
            "looking_for": [INTENT_BY_ID[intent].label for intent in (found.intents if found else [])],
            "grade": min_grade or None, "best_match": best_match,
            "grades": _grade_choices(min_grade),
            "only_common_words": bool(found and common and not found.words),
            "passages": passages, "passages_total": found.passages_total if found else 0,
            "results": results, "examples": [{"question": q, "url": url_for("search.search", q=q)}
                                             for q in EXAMPLE_QUESTIONS]}
    return respond(fmt, "search.html", data, kind_titles=KIND_TITLES)


def _min_grade() -> str:
    """The ``grade`` filter of the passages ("" for any), or a 400 naming the grades."""
    min_grade = request.args.get("grade", "").strip()
    if min_grade and min_grade not in grades.GRADE_IDS:
        abort(400, f"Unknown evidence grade '{min_grade}'; use one of: {', '.join(grades.GRADE_IDS)}.")
    return min_grade


def _grade_choices(chosen: str) -> list[dict[str, Any]]:
    return [{"value": g.id, "label": g.label if g.id == grades.GRADE_IDS[0] else f"{g.label} or better",
             "selected": g.id == chosen} for g in grades.GRADES]


def _best_match(best: Any) -> dict[str, Any] | None:
    """The case or concept the question names, as the card shows it."""
    if best is None:
        return None
    return {"kind": best.kind, "id": best.id, "name": best.name, "url": node_url(best.kind, best.id),
            "snippet": best.snippet}


def _passage(hit: Any, index: Any) -> dict[str, Any]:
    """A passage as the page shows it: its text (marked), case or concept, section, sources and grade."""
    return {"key": hit.key, "text": hit.text, "text_html": Markup(hit.text_html), "score": hit.score,
            "kind": hit.owner_kind, "owner": {"kind": hit.owner_kind, "id": hit.owner_id, "name": hit.owner_name,
                                              "url": node_url(hit.owner_kind, hit.owner_id)},
            "section": hit.section, "url": passage_url(hit.owner_kind, hit.owner_id, hit.section_slug),
            "matched": list(hit.matched), "sources": source_refs(hit.sources, index.sources),
            "evidence": hit.evidence, "scope": hit.scope, "status": hit.status, "about": list(hit.about),
            "about_links": about_links(list(hit.about), index.organisations),
            "concepts": [{"kind": kind, "id": cid, "url": node_url(kind, cid),
                          "name": getattr(index.documents.get((kind, cid)), "name", cid)}
                         for kind, cid in hit.concepts]}
