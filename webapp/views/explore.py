"""Explore pages (blueprint ``explore``): comparable cases, concept pages and patterns.

The numbers come from :mod:`kb.analysis`, over an index cached per graph version; a concept's
evidence (claim details, views, sources) is read per request through the ``concept_<kind>_*``
named queries.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request, url_for
from werkzeug.datastructures import MultiDict

from kb import analysis
from kb.analysis import SIZE_ORDER, CaseIndex, CaseQuery
from kb.graph.model import size_band
from kb.queries.explore import concept_query

from ..errors import not_found
from ..render import render_markdown
from ..store import get_store
from .base import page_route, respond

bp = Blueprint("explore", __name__)

#: Concept kind -> (URL folder, title of its list page).
KIND_PAGES = {"practice": ("practices", "Practices"), "challenge": ("challenges", "Challenges"),
              "outcome": ("outcomes", "Outcomes"), "framework": ("frameworks", "Frameworks")}
#: What a case does with a concept of each kind, for sentences like "organisations that faced it".
VERBS = {"practice": ("use", "using"), "framework": ("follow", "following"), "challenge": ("faced", "facing"),
         "outcome": ("reported", "reporting")}
#: Kinds the case list can be filtered by (query arguments of /cases, combined with AND).
FACETS = ("practice", "challenge", "outcome")
DEFAULT_LIMIT, MAX_LIMIT = 10, 50


def _index() -> CaseIndex:
    return analysis.index_for(get_store())


def _countries(index: CaseIndex) -> dict[str, str]:
    """Code -> name of every country with a case, by name (once per graph version)."""
    return index.memo("countries", lambda: dict(sorted(
        {(p.country, p.country_name) for p in index.profiles.values() if p.country}, key=lambda c: (c[1], c[0]))))


# -- comparable cases -----------------------------------------------------------------------------

@page_route(bp, "/compare")
def compare(fmt: str):
    """Cases comparable to a case (``?case=id``) or to an organisation described in the form."""
    index, args = _index(), request.args
    limit = min(max(args.get("limit", DEFAULT_LIMIT, type=int), 1), MAX_LIMIT)
    case_id = args.get("case", "").strip()
    if case_id:
        if case_id not in index.profiles:
            raise not_found(f"No case with id '{case_id}'.", case_id,
                            {p.id: p.name for p in index.profiles.values()},
                            lambda found: url_for("explore.compare", case=found))
        query, ignored, mode = analysis.query_for_case(index, case_id), [], "case"
        results = analysis.rank_comparable(index, query, limit=limit, exclude={case_id})
    else:
        query, ignored = described_query(index, args)
        mode = "empty" if query.is_empty() else "description"
        results = [] if query.is_empty() else analysis.rank_comparable(index, query, limit=limit)
    profile = index.profiles.get(case_id)
    data = {"mode": mode, "case": {"id": profile.id, "name": profile.name} if profile else None,
            "query": describe_query(index, query), "ignored": ignored, "limit": limit,
            "cases_total": index.n_cases, "scoring": scoring_rules(index), "results": results}
    return respond(fmt, "compare.html", data, form=form_options(index, query), kinds=KIND_PAGES,
                   sector_names={s: name for s, (name, _broader) in index.sectors.items()})


def described_query(index: CaseIndex, args: MultiDict) -> tuple[CaseQuery, list[dict[str, str]]]:
    """The form's arguments as a query, and the values it could not use (with why)."""
    ignored: list[dict[str, str]] = []

    def known(field: str, values: list[str], vocabulary: Any, what: str) -> frozenset[str]:
        kept = set()
        for value in filter(None, (v.strip() for v in values)):
            if value in vocabulary:
                kept.add(value)
            else:
                ignored.append({"field": field, "value": value, "why": f"not a known {what}"})
        return frozenset(kept)

    concepts = {kind: known(kind, args.getlist(kind), index.concepts[kind], kind)
                for kind in analysis.COMPARED_KINDS}
    sectors = known("sector", args.getlist("sector"), index.sectors, "sector")
    country = next(iter(known("country", [args.get("country", "")], _countries(index), "country of any case")), "")
    band = next(iter(known("size", [args.get("size", "")], SIZE_ORDER, "size band")), "")
    staff = args.get("staff", "").strip()
    if staff:
        if staff.isdigit() and int(staff) > 0:
            band = size_band(int(staff))
        else:
            ignored.append({"field": "staff", "value": staff, "why": "not a whole number of staff above 0"})
    return CaseQuery(practices=concepts["practice"], frameworks=concepts["framework"],
                     challenges=concepts["challenge"], sectors=sectors, country=country, size_band=band), ignored


def describe_query(index: CaseIndex, query: CaseQuery) -> dict[str, Any]:
    """The query with names, as the page and its JSON twin state it."""
    def named(kind: str, ids: frozenset[str]) -> list[dict[str, str]]:
        return sorted(({"id": i, "name": index.name(kind, i)} for i in ids), key=lambda c: (c["name"], c["id"]))

    countries = _countries(index)
    return {"practices": named("practice", query.practices), "frameworks": named("framework", query.frameworks),
            "challenges": named("challenge", query.challenges),
            "sectors": sorted(({"id": s, "name": index.sector_name(s)} for s in query.sectors),
                              key=lambda s: s["name"]),
            "country": {"id": query.country, "name": countries.get(query.country, query.country)}
            if query.country else None,
            "size_band": query.size_band if query.size_band in SIZE_ORDER else None}


def scoring_rules(index: CaseIndex) -> dict[str, Any]:
    """The points each component can earn, so that readers can check every score."""
    n = index.n_cases
    return {"shared_concept": f"1 + ln((1 + {n}) / (1 + cases that have it)), 2 decimals",
            "shared_concept_range": [analysis.rarity(n, n), analysis.rarity(n, 1)],
            "same_sector": analysis.SAME_SECTOR, "related_sector": analysis.RELATED_SECTOR,
            "same_country": analysis.SAME_COUNTRY, "same_size_band": analysis.SAME_SIZE,
            "neighbouring_size_band": analysis.NEAR_SIZE}


def form_options(index: CaseIndex, query: CaseQuery) -> dict[str, Any]:
    """Choices of the describe-your-organisation form, with what the query already selects."""
    def concepts(kind: str) -> list[dict[str, Any]]:
        chosen = query.concepts(kind)
        return sorted(({"id": c.id, "name": c.name, "cases": len(index.cases_with(kind, c.id)),
                        "checked": c.id in chosen} for c in index.concepts[kind].values()),
                      key=lambda c: (c["name"].lower(), c["id"]))

    return {
        "practice": concepts("practice"), "framework": concepts("framework"), "challenge": concepts("challenge"),
        "sectors": sorted(({"id": s, "name": name, "selected": s in query.sectors}
                           for s, (name, _broader) in index.sectors.items()), key=lambda s: s["name"].lower()),
        "countries": [{"id": code, "name": name, "selected": code == query.country}
                      for code, name in _countries(index).items()],
        "sizes": [{"id": band, "selected": band == query.size_band} for band in SIZE_ORDER],
    }


# -- concept pages --------------------------------------------------------------------------------

def _concept_routes(kind: str) -> None:
    """Register ``/<kind>s`` and ``/<kind>s/<id>`` (each with its JSON twin) for one concept kind."""
    folder = KIND_PAGES[kind][0]

    def listing(fmt: str):
        return _concept_list(kind, fmt)

    def page(concept_id: str, fmt: str):
        return _concept_page(kind, concept_id, fmt)

    listing.__name__, listing.__doc__ = folder, f"Every {kind}, with how many cases have it."
    page.__name__, page.__doc__ = kind, f"One {kind}: definition, the cases behind it, what goes with it."
    page_route(bp, f"/{folder}")(listing)
    page_route(bp, f"/{folder}/<concept_id>")(page)


def _concept_list(kind: str, fmt: str):
    index = _index()
    concepts = sorted(({"id": c.id, "name": c.name, "definition": c.definition,
                        "cases": len(index.cases_with(kind, c.id))} for c in index.concepts[kind].values()),
                      key=lambda c: (c["name"].lower(), c["id"]))
    return respond(fmt, "explore_concepts.html", {"kind": kind, "concepts": concepts, "cases_total": index.n_cases},
                   kinds=KIND_PAGES)


def _concept_page(kind: str, concept_id: str, fmt: str):
    index, store = _index(), get_store()
    info = index.concepts[kind].get(concept_id)
    if info is None:
        raise not_found(f"No {kind} with id '{concept_id}'.", concept_id,
                        {c.id: c.name for c in index.concepts[kind].values()},
                        lambda found: f"/{KIND_PAGES[kind][0]}/{found}")
    claims, paging = _page_of(store.query(concept_query(kind, "claims"), id=concept_id))
    views = store.query(concept_query(kind, "views"), id=concept_id)
    claims = _with_views(claims, views)
    # What files say about others or in general: shown apart, never counted as any organisation's own.
    reported = _with_views(store.query(concept_query(kind, "reported"), id=concept_id), views)
    # The sources cited on this page: by its claims and their views, and by the concept's own text.
    cited = {source for claim in claims + reported for source in claim["sources"]}
    cited |= {source for claim in reported for view in claim["views"] for source in view["sources"]}
    cited |= {source for claim in claims for view in claim["views"] for source in view["sources"]}
    sources = {s["id"]: s for s in store.query("explore_sources", ids=sorted(cited))}
    sources.update({s["id"]: s for s in store.query(concept_query(kind, "sources"), id=concept_id)})
    data = {
        "kind": kind,
        "concept": {"id": info.id, "name": info.name, "definition": info.definition, "aliases": list(info.aliases),
                    "body": info.body, "file": info.file},
        **related_concepts(index, kind, concept_id),
        "cases_total": index.n_cases,
        "cases": len(index.cases_with(kind, concept_id)),
        "claims_page": paging,
        "claims": claims,
        "reported": reported,
        "alongside": {other: analysis.alongside(index, kind, concept_id, other) for other in analysis.KINDS},
        "sources": [sources[key] for key in sorted(sources)],
    }
    body_html = render_markdown(info.body, base=f"concepts/{KIND_PAGES[kind][0]}")
    return respond(fmt, "concept.html", data, body_html=body_html, kinds=KIND_PAGES, verbs=VERBS,
                   facet_url=facet_url, profiles=index.profiles)


for _kind in KIND_PAGES:
    _concept_routes(_kind)


def related_concepts(index: CaseIndex, kind: str, concept_id: str) -> dict[str, Any]:
    """Broader and narrower concepts, and the framework <-> practice links, with names."""
    def ref(ref_kind: str, ref_id: str) -> dict[str, str]:
        return {"kind": ref_kind, "id": ref_id, "name": index.name(ref_kind, ref_id)}

    info = index.concepts[kind][concept_id]
    narrower = sorted((ref(kind, c.id) for c in index.concepts[kind].values() if c.broader == concept_id),
                      key=lambda c: c["name"])
    includes = [ref("practice", p) for p in index.includes.get(concept_id, ())] if kind == "framework" else []
    included_in = sorted((ref("framework", f) for f, practices in index.includes.items() if concept_id in practices),
                         key=lambda c: c["name"]) if kind == "practice" else []
    return {"broader": ref(kind, info.broader) if info.broader else None, "narrower": narrower,
            "includes": sorted(includes, key=lambda c: c["name"]), "included_in": included_in}


def _page_of(claims: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page of a concept's claims (``?page=``, ``KB_PAGE_SIZE`` a page) and where it is."""
    per_page = current_app.config["KB_PAGE_SIZE"]
    pages = max(1, -(-len(claims) // per_page))
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= pages:
        abort(404, f"No page {page}: the claims fill {pages} page{'s' if pages > 1 else ''}.")
    start = (page - 1) * per_page
    return claims[start:start + per_page], {"page": page, "pages": pages, "per_page": per_page,
                                            "total": len(claims)}


def _with_views(claims: list[dict[str, Any]], views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach each disputed claim's views (matched by organisation and line) to the claim."""
    by_claim: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for view in views:
        by_claim.setdefault((view["organisation"], view["claim_line"]), []).append(
            {"text": view["text"], "sources": view["sources"] or [], "line": view["line"]})
    return [{**claim, "sources": claim["sources"] or [],
             "views": by_claim.get((claim["organisation"], claim["line"]), [])} for claim in claims]


def facet_url(**selected: str | list[str]) -> str | None:
    """The case list filtered to cases that have all the given concepts, or None if it cannot say so.

    The case list filters by practice, challenge and outcome (not framework).
    """
    if any(kind not in FACETS for kind in selected):
        return None
    return url_for("browse.cases", **selected)


# -- patterns ---------------------------------------------------------------------------------------

@page_route(bp, "/patterns")
def patterns(fmt: str):
    """Practice x challenge and practice x outcome matrices, and the most connected practices."""
    index = _index()
    matrices = {col: index.memo(("matrix", "practice", col), lambda col=col: analysis.cross_matrix(
        index, "practice", col)) for col in ("challenge", "outcome")}
    data = {
        "cases_total": index.n_cases,
        "matrices": {f"practice_{col}": matrix_data(index, matrix) for col, matrix in matrices.items()},
        "most_connected": index.memo("most_connected", lambda: analysis.most_connected(index, limit=10)),
        "highlights": {f"practice_{col}": index.memo(("top_pairs", col), lambda m=matrix: analysis.top_pairs(
            index, m, limit=8)) for col, matrix in matrices.items()},
    }
    return respond(fmt, "patterns.html", data, verbs=VERBS, kinds=KIND_PAGES)


def matrix_data(index: CaseIndex, matrix: analysis.Matrix) -> dict[str, Any]:
    """A matrix as rows, columns and non-empty cells, each cell with its cases and a link to them."""
    def heading(kind: str, concept: str) -> dict[str, Any]:
        return {"id": concept, "name": index.name(kind, concept), "cases": len(index.cases_with(kind, concept))}

    cells = [{"row": row, "column": col, "count": len(matrix.cases(row, col)), "cases": list(matrix.cases(row, col)),
              "url": facet_url(**{matrix.row_kind: row, matrix.col_kind: col})}
             for row in matrix.rows for col in matrix.cols if matrix.cases(row, col)]
    return {"row_kind": matrix.row_kind, "column_kind": matrix.col_kind,
            "rows": [heading(matrix.row_kind, r) for r in matrix.rows],
            "columns": [heading(matrix.col_kind, c) for c in matrix.cols],
            "largest_cell": max((cell["count"] for cell in cells), default=0), "cells": cells}
