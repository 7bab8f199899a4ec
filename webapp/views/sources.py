"""The sources (blueprint ``sources``): ``/sources``, every source with the claims that cite it, filtered
by :mod:`kb.analysis.sources`, and ``/sources/<id>``, one source."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request, url_for

from kb.analysis.facets import PageOutOfRange, paginate
from kb.analysis.sources import SourceFacets, parse_source_selection, source_organisations, source_values
from kb.figures import figure_row_text
from kb.kinds import CLAIM_REL_TYPES, KIND_OF_CLAIM_TYPE
from kb.queries.site import source_citations
from kb.store.versioned import derived

from ..bounds import whole_number
from ..store import get_store, made_as_workers_start
from .base import page_route, respond
from .links import CONCEPT_FOLDERS, missing, node_url

bp = Blueprint("sources", __name__)
#: The most values a filter lists (those of the most sources); any other is typed.  At 10,000 cases the
#: organisation filter listed 10,000 values: most of the page's time and weight.
FILTER_CHOICES = 100

_CLAIM_TYPE_NAMES = {**KIND_OF_CLAIM_TYPE, "FIGURE": "figure", "VIEW": "view on a disputed claim",
                     "PROFILE": "profile (founded, place, legal form, status)"}


@page_route(bp, "/sources")
def sources(fmt: str):
    """Sources with the claims that cite them, filtered (``type``, ``reliability``, ``year``, ``organisation``,
    each repeatable: any of the values) and paged (``page=``, ``KB_PAGE_SIZE`` a page)."""
    store = get_store()
    chosen = parse_source_selection(request.args.getlist)
    number = whole_number(request.args.get("page", "1"), "page")
    facets, concept_declarations = source_facets(store)
    result = facets.facet(chosen, most=FILTER_CHOICES)
    try:
        page = paginate(result.sources, number, current_app.config["KB_PAGE_SIZE"])
    except PageOutOfRange as err:
        abort(404, f"No such page of sources: {err}.")
    endpoint = "sources.sources_json" if fmt == "json" else "sources.sources"

    def link(to_page: int) -> str:
        return url_for(endpoint, **{name: list(v) for name, v in chosen.items()}, **({"page": to_page}
                                                                                      if to_page > 1 else {}))

    # Only the page's sources are read in full: their declarations and every row that cites them, from the
    # cases that declare them (found by id: no query walks every claim of the graph).
    shown = [src["id"] for src in page.items]
    organisations = sorted({case for source_id in shown for case in facets.organisations(source_id)})
    declared = _declarations(store, shown, organisations, concept_declarations)
    citations = source_citations(store, ids=shown, organisations=organisations)
    entries = [_source_entry(src, declared.get(src["id"], []), citations.get(src["id"], [])) for src in page.items]
    data = {"sources": entries, "total": page.total, "sources_total": len(facets.sources),
            "citations_total": sum(len(entry["citations"]) for entry in entries),
            "selection": {name: list(v) for name, v in chosen.items()},
            "filters": [{"name": counts.facet.name, "title": counts.facet.title,
                         "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                                    for v in counts.values], "unlisted": counts.unlisted}
                        for counts in result.facets],
            "page": {"number": page.number, "pages": page.pages, "size": page.size,
                     "next": link(page.number + 1) if page.number < page.pages else None,
                     "previous": link(page.number - 1) if page.number > 1 else None},
            "clear_url": url_for(endpoint) if chosen else None,
            "notices": _unknown_values(chosen, facets, endpoint)}
    return respond(fmt, "sources.html", data)


def _unknown_values(chosen: dict[str, tuple[str, ...]], facets: SourceFacets, endpoint: str) -> list[dict[str, Any]]:
    """A notice for each chosen value no source has at all, with a link without it: the list would otherwise
    be empty without saying why."""
    notices = []
    for name, wanted in chosen.items():
        for value in wanted:
            if not facets.has(name, value):
                rest = {n: [v for v in vs if (n, v) != (name, value)] for n, vs in chosen.items()}
                suggestions = [{"value": found, "label": facets.label(name, found),
                                "url": url_for(endpoint, **{**rest, name: [*rest.get(name, []), found]})}
                               for found in (facets.closest(name, value) if name == "organisation" else [])]
                notices.append({"facet": name, "value": value, "remove_url": url_for(endpoint, **rest),
                                "message": f"No source has the {name} '{value}': it is not one of this list's "
                                           "values.", "suggestions": suggestions})
    return notices


@made_as_workers_start
def source_facets(store: Any) -> tuple[SourceFacets, list[dict[str, Any]]]:
    """The sources' facets and the concepts' declarations (:func:`_source_facets`), once per graph version."""
    return derived(store, "sources and their facets", _source_facets)


def _source_facets(store: Any) -> tuple[SourceFacets, list[dict[str, Any]]]:
    """Every source and its facet values (type, reliability, year, organisations), once per graph version, and
    the concept pages' declarations (``source_concept_declarations``, read from the same rows).

    A source's organisations are the cases that declare it: a case cites only the sources it declares (the
    validator refuses any other), so the rows citing it add none and are not read here (every claim, figure and
    view of the graph: 1.6 s embedded and 10 s on Neo4j at 10,000 cases).  It is kept until the next load or
    sync (:func:`kb.store.versioned.derived`) as an inverted index (:class:`kb.analysis.sources.SourceFacets`),
    and each request then filters and counts with set operations and reads only its page's sources in full.
    The concept pages' declarations were read on every request: a walk over every CITES relationship of the
    graph (Neo4j finds a concept's only by passing every case's: 0.45-2.6 s a request at 10,000 cases).
    """
    rows = store.query("source_declarations")
    declared = _grouped(rows)
    every = store.query("sources")
    facets = SourceFacets(every, {src["id"]: source_values(src, source_organisations(declared.get(src["id"], []),
                                                                                     ()))
                                  for src in every})
    return facets, [row for row in rows if row["label"] != "Organisation"]


def _declarations(store: Any, shown: list[str], organisations: list[str],
                  concept_declarations: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The files that declare each of the ``shown`` sources (as ``source_declarations_in``): the cases among
    ``organisations`` and the concept pages."""
    wanted = set(shown)
    rows = [row for row in (store.query("source_declarations_from", organisations=organisations)
                            if organisations else []) + concept_declarations
            if row["source"] in wanted]
    rows.sort(key=lambda row: (row["source"], row["label"], row["id"]))
    return _grouped(rows)


def _grouped(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["source"], []).append(row)
    return grouped


@page_route(bp, "/sources/<source_id>")
def source(source_id: str, fmt: str):
    """One source, the files that declare it and every claim that cites it."""
    store = get_store()
    found = store.query("source", id=source_id)
    if not found:
        raise missing("source", source_id, store, f"No source with id '{source_id}'.")
    declared = store.query("source_declarations_of", id=source_id)
    cases = [row["id"] for row in declared if row["label"] == "Organisation"]  # a case cites only what it declares
    citations = source_citations(store, source_id, organisations=cases).get(source_id, [])
    return respond(fmt, "sources.html", {"source": _source_entry(found[0], declared, citations)})


def _source_entry(source: dict[str, Any], declared: list[dict[str, Any]],
                  citations: list[dict[str, Any]]) -> dict[str, Any]:
    return {**source, "page_url": url_for("sources.source", source_id=source["id"]),
            "declared_in": [{"kind": row["label"].lower(), "id": row["id"], "name": row["name"],
                             "url": node_url(row["label"].lower(), row["id"])} for row in declared],
            "citations": [_citation(row) for row in citations]}


def _citation(row: dict[str, Any]) -> dict[str, Any]:
    """A citing row as the sources page shows it: organisation, claim type, concept, detail, line."""
    kind = (row.get("kind") or "").lower()
    claim_type = _CLAIM_TYPE_NAMES.get(row["type"]) or (
        f"{row['status'] or 'disputed'} claim" if row["type"] == "CLAIM"
        else "relation: " + row["type"].replace("_", " ").lower())
    concept = None
    if row.get("concept") and (kind in CONCEPT_FOLDERS or kind == "organisation"):
        concept = {"kind": kind, "id": row["concept"], "name": row.get("concept_name") or row["concept"],
                   "url": node_url(kind, row["concept"])}
    elif row["type"] == "FIGURE":
        concept = {"kind": "figure", "id": row.get("concept") or row.get("measure") or "",
                   "name": _figure_text(row), "url": None}
    elif row.get("title"):
        concept = {"kind": "claim", "id": "", "name": row["title"], "url": None}
    line = row.get("line")
    return {"organisation": {"id": row["organisation"], "name": row["organisation_name"],
                             "url": url_for("cases.case", case_id=row["organisation"])
                             + (f"#line-{line}" if line and row["type"] in CLAIM_REL_TYPES else "")},
            "claim_type": claim_type, "type": row["type"], "concept": concept, "detail": row.get("detail") or "",
            "status": row.get("status") or "", "file": row.get("file") or "", "line": line}


def _figure_text(row: dict[str, Any]) -> str:
    if row.get("value") is None:
        return row.get("detail") or ""
    return figure_row_text({**row, "description": row.get("detail") or row.get("measure")})
