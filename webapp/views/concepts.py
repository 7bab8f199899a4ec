"""Concept pages (blueprint ``concepts``): ``/practices``, ``/challenges``, ``/outcomes``, ``/frameworks`` and a
page per concept: its definition, the cases behind it with their claims, figures and views, what goes with it.

The numbers come from :mod:`kb.analysis` (an index cached per graph version); a concept's evidence (claim
details, views, sources) is read per request through the ``concept_<kind>_*`` named queries.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request

from kb import analysis
from kb.analysis import CaseIndex
from kb.queries.explore import concept_query

from ..bounds import whole_number
from ..errors import not_found, page_names
from ..render import render_markdown
from ..store import get_store
from .base import page_route, respond
from .claims import with_about, with_figures, with_views
from .links import KIND_PAGES, facet_url

bp = Blueprint("concepts", __name__)

#: What a case does with a concept of each kind, for sentences like "organisations that faced it".
VERBS = {"practice": ("use", "using"), "framework": ("follow", "following"), "challenge": ("faced", "facing"),
         "outcome": ("reported", "reporting")}


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
    index = analysis.index_for(get_store())
    concepts = sorted(({"id": c.id, "name": c.name, "definition": c.definition,
                        "cases": len(index.cases_with(kind, c.id))} for c in index.concepts[kind].values()),
                      key=lambda c: (c["name"].lower(), c["id"]))
    return respond(fmt, "explore_concepts.html", {"kind": kind, "concepts": concepts, "cases_total": index.n_cases},
                   kinds=KIND_PAGES)


def _concept_page(kind: str, concept_id: str, fmt: str):
    store = get_store()
    index = analysis.index_for(store)
    info = index.concepts[kind].get(concept_id)
    if info is None:
        raise not_found(f"No {kind} with id '{concept_id}'.", concept_id, *page_names(store, kind),
                        url_of=lambda found: f"/{KIND_PAGES[kind][0]}/{found}")
    claims, paging = _page_of(store, kind, concept_id)
    # What files say about this concept at organisations they supported, inspired or franchised, or in
    # general: shown apart, never counted as those files' own.
    reported = store.query(concept_query(kind, "reported"), id=concept_id)
    # The views and figures of the organisations shown (a practice's thousands of cases have thousands).
    shown = sorted({row["organisation"] for row in [*claims, *reported]})
    views = store.query(concept_query(kind, "views_from"), id=concept_id, organisations=shown)
    claims, reported = with_views(claims, views), with_views(reported, views)
    with_figures([*claims, *reported], store.query(concept_query(kind, "figures_from"), id=concept_id,
                                                   organisations=shown), index=index)
    with_about([*claims, *reported], index)
    # The sources cited on this page: by its claims, their figures and views, and by the concept's own text.
    cited = {source for claim in [*claims, *reported] for source in claim["sources"]}
    cited |= {source for claim in [*claims, *reported] for part in ("views", "figures") for item in claim[part]
              for source in item["sources"]}
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
                   facet_url=facet_url, profiles=index.profiles, source_index=sources)


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


def _page_of(store: Any, kind: str, concept_id: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page of a concept's claims (``?page=``, ``KB_PAGE_SIZE`` a page) and where it is, read a page at a time."""
    per_page = current_app.config["KB_PAGE_SIZE"]
    page = whole_number(request.args.get("page", "1"), "page")
    total = store.query(concept_query(kind, "claim_count"), id=concept_id)[0]["claims"]
    pages = max(1, -(-total // per_page))
    if not 1 <= page <= pages:
        abort(404, f"No page {page}: the claims fill {pages} page{'s' if pages > 1 else ''}.")
    claims = store.query(concept_query(kind, "claims_page"), id=concept_id, skip=(page - 1) * per_page, limit=per_page)
    return claims, {"page": page, "pages": pages, "per_page": per_page, "total": total}
