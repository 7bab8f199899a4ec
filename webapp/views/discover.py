"""Discover pages (blueprint ``discover``): search, sources, the graph explorer; the case list's facets.

Every page has its JSON twin.  The numbers come from :mod:`kb.analysis.facets`, :mod:`kb.analysis.search` and the
named queries of :mod:`kb.queries.site`, so every page works on both stores.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import pyvis
from flask import Blueprint, abort, current_app, request, send_from_directory, url_for
from markupsafe import Markup
from pyvis.network import Network
from werkzeug.datastructures import MultiDict

from kb.analysis.facets import SORTS, PageOutOfRange, build_cases, facet_cases, paginate, parse_selection, sort_cases
from kb.analysis.search import SearchCache
from kb.kinds import CLAIM_REL_TYPES, CONCEPT_FOLDERS, KIND_OF_CLAIM_TYPE, KINDS
from kb.queries.site import GRAPH_KINDS, Neighbourhood, neighbourhood, source_citations

from ..errors import not_found, page_names
from ..store import get_store
from .base import page_route, respond

bp = Blueprint("discover", __name__)

MAX_QUERY_CHARS = 200
SEARCH_LIMIT = 50
PASSAGE_LIMIT = 20
#: vis-network as pyvis 0.3.2 ships it (dual Apache-2.0/MIT licence, in the file's header): served
#: from the installed package, so that the graph page loads nothing from elsewhere.
VIS_NETWORK = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
VENDOR_FILES = ("vis-network.min.js", "vis-network.css")
KIND_TITLES = {"organisation": "Case", **{k.id: k.label for k in KINDS}, "sector": "Sector", "country": "Country",
               "source": "Source"}
KIND_PLURALS = {"organisation": "cases", **CONCEPT_FOLDERS, "sector": "sectors", "country": "countries",
                "source": "sources"}
#: Node colours of the graph explorer by kind (background, border); text stays dark on all of them.
KIND_COLOURS = {"organisation": ("#9cc3ec", "#0b5394"), "practice": ("#a8dca8", "#2e7d32"),
                "challenge": ("#f6b9a6", "#b3401b"), "outcome": ("#d6bcf0", "#6a3d9a"),
                "framework": ("#9fdad4", "#00695c"), "sector": ("#e3e3e3", "#616161"),
                "country": ("#f2dca0", "#8a6d00"), "source": ("#f5f5f5", "#8d8d8d")}


def node_url(kind: str, node_id: str) -> str:
    """The page of a graph node: a case, a concept, the case list filtered by sector or country, a source."""
    if kind == "organisation":
        return url_for("browse.case", case_id=node_id)
    if kind in CONCEPT_FOLDERS:
        return f"/{CONCEPT_FOLDERS[kind]}/{node_id}"
    if kind in ("sector", "country"):
        return url_for("browse.cases", **{kind: node_id})
    return url_for("discover.source", source_id=node_id)


def missing(kind: str, node_id: str, store: Any, description: str) -> Exception:
    """A 404 for a node id that does not exist, suggesting the closest ids of its kind (candidates built
    once per graph version)."""
    return not_found(description, node_id, *page_names(store, kind), url_of=lambda found: node_url(kind, found))


# -- the case list ----------------------------------------------------------------------------------

class _ListLinks:
    """URLs of the case list that keep its selection and sort, for the page or its JSON twin."""

    def __init__(self, selection: dict[str, tuple[str, ...]], sort: str, fmt: str):
        self.selection, self.sort = selection, sort
        self.endpoint = "browse.cases_json" if fmt == "json" else "browse.cases"

    def to(self, chosen: dict[str, tuple[str, ...]], page: int = 1, sort: str | None = None) -> str:
        sort = sort or self.sort
        args: dict[str, Any] = {name: list(values) for name, values in chosen.items() if values}
        if sort != "name":
            args["sort"] = sort
        if page > 1:
            args["page"] = page
        return url_for(self.endpoint, **args)

    def toggle(self, facet: str, value: str) -> str:
        """The list with ``value`` added to the facet's choices, or taken out if it is chosen (back to page 1)."""
        values = self.selection.get(facet, ())
        values = tuple(v for v in values if v != value) if value in values else (*values, value)
        return self.to({**self.selection, facet: values})


def _list_args(args: MultiDict) -> tuple[dict[str, tuple[str, ...]], str, int]:
    sort, number = args.get("sort", "name"), args.get("page", "1")
    if sort not in SORTS:
        abort(400, f"Unknown sort '{sort}'; use one of: {', '.join(SORTS)}.")
    if not number.isdigit():
        abort(400, f"The page must be a whole number from 1, not '{number}'.")
    return parse_selection(args.getlist), sort, int(number)


def case_list(store: Any, args: MultiDict, page_size: int, fmt: str) -> dict[str, Any]:
    """The data of ``/cases``: one page of the cases matching the facets chosen in ``args``, and the facets."""
    selection, sort, number = _list_args(args)
    every_case = build_cases(store.query("facet_organisations"), store.query("facet_links"),
                             store.query("facet_sector_broader"))
    result = facet_cases(every_case, selection)
    try:
        page = paginate(sort_cases(result.cases, sort), number, page_size)
    except PageOutOfRange as err:
        abort(404, f"No such page of cases: {err}.")
    links = _ListLinks(selection, sort, fmt)
    facets = [{"name": counts.facet.name, "title": counts.facet.title, "match": counts.facet.match,
               "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected,
                           "url": links.toggle(counts.facet.name, v.value)} for v in counts.values]}
              for counts in result.facets]
    labels = {f["name"]: {v["value"]: v["label"] for v in f["values"]} for f in facets}
    return {
        "cases": [_case_row(case) for case in page.items],
        "total": page.total,
        "cases_total": len(every_case),
        "page": {"number": page.number, "pages": page.pages, "size": page.size,
                 "next": links.to(selection, page.number + 1) if page.number < page.pages else None,
                 "previous": links.to(selection, page.number - 1) if page.number > 1 else None},
        "sort": sort,
        "sorts": [{"name": name, "url": links.to(selection, sort=name)} for name in SORTS],
        "selected": [{"facet": name, "value": value, "label": labels[name].get(value, value),
                      "remove_url": links.toggle(name, value)}
                     for name, values in selection.items() for value in values],
        "clear_url": links.to({}) if selection else None,
        "facets": facets,
    }


def _case_row(case: Any) -> dict[str, Any]:
    return {key: case.row.get(key) for key in ("id", "name", "kind", "country", "country_name", "city", "status",
                                               "founded", "size_band", "staff", "summary", "sectors", "sector_names")}


# -- search -----------------------------------------------------------------------------------------

def _search_cache() -> SearchCache:
    return current_app.extensions.setdefault("kb_search", SearchCache())


#: Everyday questions the search page offers as examples (each answered by a passage; see tests/search_questions.yaml).
EXAMPLE_QUESTIONS = (
    "Which other services could benefit from self-management?",
    "How big are Buurtzorg's nurse teams?",
    "Why did people leave Zappos after Holacracy?",
    "How do people set their own salaries?",
    "What went wrong with Buurtzorg pilots in the UK?",
    "Who decides without managers in the advice process?",
)


#: Case sections shown from structured data, and the ids of their headings on the case page.
STRUCTURED_ANCHORS = {"practices": "sec-practices", "challenges": "sec-challenges", "outcomes": "sec-outcomes",
                      "contested-claims": "sec-contested"}


def passage_url(kind: str, owner_id: str, section_slug: str) -> str:
    """Where a passage is read: its case's page at its section, or its concept's page."""
    if kind == "organisation":
        anchor = STRUCTURED_ANCHORS.get(section_slug, f"section-{section_slug}")
        return url_for("browse.case", case_id=owner_id) + f"#{anchor}"
    return node_url(kind, owner_id)


def _source_refs(ids: tuple[str, ...] | list[str], known: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": source, "title": (known.get(source) or {}).get("title") or source,
             "url": (known.get(source) or {}).get("url"),
             "page_url": url_for("discover.source", source_id=source) if source in known else None}
            for source in ids]


@page_route(bp, "/search")
def search(fmt: str):
    """Question search: the passages that answer it (with case, section and sources), then matching cases
    and concepts; stemming, synonyms from concept aliases, typo tolerance for names."""
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    index = _search_cache().index_for(get_store()) if query else None
    found = index.search(query, limit=SEARCH_LIMIT, passage_limit=PASSAGE_LIMIT) if index else None
    results = [{"kind": hit.kind, "id": hit.id, "name": hit.name, "url": node_url(hit.kind, hit.id),
                "score": hit.score, "snippet": hit.snippet,
                # Built by kb.analysis.search from escaped text plus <mark> only, so safe to show as HTML.
                "name_html": Markup(hit.name_html), "snippet_html": Markup(hit.snippet_html)}
               for hit in (found.hits if found else [])]
    passages = [{"key": hit.key, "text": hit.text, "text_html": Markup(hit.text_html), "score": hit.score,
                 "kind": hit.owner_kind, "owner": {"kind": hit.owner_kind, "id": hit.owner_id, "name": hit.owner_name,
                                                   "url": node_url(hit.owner_kind, hit.owner_id)},
                 "section": hit.section, "url": passage_url(hit.owner_kind, hit.owner_id, hit.section_slug),
                 "matched": list(hit.matched), "sources": _source_refs(hit.sources, index.sources),
                 "concepts": [{"kind": kind, "id": cid, "url": node_url(kind, cid),
                               "name": getattr(index.documents.get((kind, cid)), "name", cid)}
                              for kind, cid in hit.concepts]}
                for hit in (found.passages if found else [])]
    common = found.common_words if found else []
    data = {"query": query, "total": found.total if found else 0, "shown": len(results),
            "corrections": found.corrections if found else {}, "synonyms": found.synonyms if found else {},
            "common_words": common, "words": found.words if found else [],
            "only_common_words": bool(found and common and not found.words),
            "passages": passages, "passages_total": found.passages_total if found else 0,
            "results": results, "examples": [{"question": q, "url": url_for("discover.search", q=q)}
                                             for q in EXAMPLE_QUESTIONS]}
    return respond(fmt, "search.html", data, kind_titles=KIND_TITLES)


# -- sources ----------------------------------------------------------------------------------------

_CLAIM_TYPE_NAMES = {**KIND_OF_CLAIM_TYPE, "FIGURE": "figure", "VIEW": "view on a disputed claim",
                     "PROFILE": "profile (founded, place, legal form, status)"}


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
                             "url": url_for("browse.case", case_id=row["organisation"])
                             + (f"#line-{line}" if line and row["type"] in CLAIM_REL_TYPES else "")},
            "claim_type": claim_type, "type": row["type"], "concept": concept, "detail": row.get("detail") or "",
            "status": row.get("status") or "", "file": row.get("file") or "", "line": line}


def _figure_text(row: dict[str, Any]) -> str:
    value = row.get("value")
    if value is None:
        return row.get("detail") or ""
    number = f"{value:,g}" + (f"–{row['value_max']:,g}" if row.get("value_max") is not None else "")
    unit = row.get("unit") or ""
    number += unit if unit == "%" else f" {unit}" if unit else ""
    return f"{number} {row.get('detail') or row.get('measure') or ''}" + (f" ({row['year']})" if row.get("year")
                                                                             else "")


def _source_entry(source: dict[str, Any], declared: list[dict[str, Any]],
                  citations: list[dict[str, Any]]) -> dict[str, Any]:
    return {**source, "page_url": url_for("discover.source", source_id=source["id"]),
            "declared_in": [{"kind": row["label"].lower(), "id": row["id"], "name": row["name"],
                             "url": node_url(row["label"].lower(), row["id"])} for row in declared],
            "citations": [_citation(row) for row in citations]}


#: Filters of the sources list: URL argument -> heading.  Their values come from the data (so new
#: types or reliability grades need no change here); ``year`` is the year of the source's date.
SOURCE_FILTERS = {"type": "Type", "reliability": "Reliability", "year": "Year", "organisation": "Organisation"}
NO_YEAR = "undated"


def _source_values(source: dict[str, Any], organisations: dict[str, str]) -> dict[str, dict[str, str]]:
    """A source's value -> label for each filter (several organisations: those that declare or cite it)."""
    date = str(source.get("date") or "")
    year = date[:4] if date[:4].isdigit() else NO_YEAR
    return {"type": {source["type"]: source["type"]} if source.get("type") else {},
            "reliability": {source["reliability"]: source["reliability"]} if source.get("reliability") else {},
            "year": {year: year}, "organisation": organisations}


@page_route(bp, "/sources")
def sources(fmt: str):
    """Sources with the claims that cite them, filtered (``type``, ``reliability``, ``year``, ``organisation``,
    each repeatable: any of the values) and paged (``page=``, ``KB_PAGE_SIZE`` a page)."""
    store = get_store()
    chosen = {name: tuple(dict.fromkeys(v.strip() for v in request.args.getlist(name) if v.strip()))
              for name in SOURCE_FILTERS}
    chosen = {name: values for name, values in chosen.items() if values}
    number = request.args.get("page", "1")
    if not number.isdigit() or int(number) < 1:
        abort(400, f"The page must be a whole number from 1, not '{number}'.")
    declared: dict[str, list[dict[str, Any]]] = {}
    for row in store.query("source_declarations"):
        declared.setdefault(row["source"], []).append(row)
    citations = source_citations(store)
    every = store.query("sources")
    values = {}
    for src in every:
        organisations = {row["id"]: row["name"] for row in declared.get(src["id"], [])
                         if row["label"] == "Organisation"}
        organisations.update({row["organisation"]: row["organisation_name"]
                              for row in citations.get(src["id"], [])})
        values[src["id"]] = _source_values(src, organisations)

    def matches(source_id: str, skip: str | None = None) -> bool:
        return all(any(v in values[source_id][name] for v in wanted)
                   for name, wanted in chosen.items() if name != skip)

    matching = [src for src in every if matches(src["id"])]
    filters = []
    for name, title in SOURCE_FILTERS.items():
        base = [src for src in every if matches(src["id"], skip=name)]  # any-of: count against the other filters
        counts: dict[str, int] = {}
        labels: dict[str, str] = {}
        for src in base:
            for value, label in values[src["id"]][name].items():
                counts[value] = counts.get(value, 0) + 1
                labels[value] = label
        order = (sorted(counts, reverse=True) if name == "year"
                 else sorted(counts, key=lambda v, lab=labels: (lab[v].casefold(), v)))
        unknown = [v for v in chosen.get(name, ()) if v not in counts]  # chosen in the URL, matching nothing
        filters.append({"name": name, "title": title, "values": [
            {"value": v, "label": labels[v], "count": counts[v], "selected": v in chosen.get(name, ())} for v in order]
            + [{"value": v, "label": v, "count": 0, "selected": True} for v in unknown]})
    size = current_app.config["KB_PAGE_SIZE"]
    try:
        page = paginate(matching, int(number), size)
    except PageOutOfRange as err:
        abort(404, f"No such page of sources: {err}.")
    endpoint = "discover.sources_json" if fmt == "json" else "discover.sources"

    def link(to_page: int) -> str:
        return url_for(endpoint, **{name: list(v) for name, v in chosen.items()}, **({"page": to_page}
                                                                                      if to_page > 1 else {}))

    entries = [_source_entry(src, declared.get(src["id"], []), citations.get(src["id"], [])) for src in page.items]
    data = {"sources": entries, "total": page.total, "sources_total": len(every),
            "citations_total": sum(len(entry["citations"]) for entry in entries),
            "selection": {name: list(v) for name, v in chosen.items()}, "filters": filters,
            "page": {"number": page.number, "pages": page.pages, "size": page.size,
                     "next": link(page.number + 1) if page.number < page.pages else None,
                     "previous": link(page.number - 1) if page.number > 1 else None},
            "clear_url": url_for(endpoint) if chosen else None}
    return respond(fmt, "sources.html", data)


@page_route(bp, "/sources/<source_id>")
def source(source_id: str, fmt: str):
    """One source, the files that declare it and every claim that cites it."""
    store = get_store()
    found = store.query("source", id=source_id)
    if not found:
        raise missing("source", source_id, store, f"No source with id '{source_id}'.")
    entry = _source_entry(found[0], store.query("source_declarations_of", id=source_id),
                          source_citations(store, source_id).get(source_id, []))
    return respond(fmt, "sources.html", {"source": entry})


# -- the graph explorer -----------------------------------------------------------------------------

@bp.route("/vendor/vis-network/<filename>")
def vendor(filename: str):
    """vis-network's script and style sheet, from the pyvis package (no CDN)."""
    if filename not in VENDOR_FILES:
        abort(404, f"No vendored file '{filename}'.")
    return send_from_directory(VIS_NETWORK, filename, max_age=86400)


#: What the graph shows unless told otherwise: the concepts and cases around a node, not the many sources
#: and countries that make a hairball (they are a tick away), and at most a few dozen nodes, nearest first.
DEFAULT_SHOWN = ("organisation", "practice", "challenge", "outcome", "framework", "sector")
GRAPH_MAX_NODES = 40
LABEL_LINE_CHARS, LABEL_LINES = 16, 2


def graph_label(text: str) -> str:
    """A node's label: at most two short lines (long one-line labels make wide, overlapping boxes).

    >>> graph_label("Governance and accountability controversy")
    'Governance and\\naccountability…'
    >>> graph_label("Zappos")
    'Zappos'
    """
    lines = textwrap.wrap(text, LABEL_LINE_CHARS, break_long_words=True) or [text]
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][:LABEL_LINE_CHARS - 1].rstrip() + "…"
    return "\n".join(lines)


def _graph_options(kinds: list[str]) -> dict[str, Any]:
    """vis-network options: arrows, hover, keyboard, one colour per kind; a layout that settles before it is
    drawn (graph.js then stops the physics and moves labels apart)."""
    groups = {kind: {"color": {"background": bg, "border": border,
                               "highlight": {"background": bg, "border": "#1b1b1b"},
                               "hover": {"background": bg, "border": "#1b1b1b"}}} for kind, (bg, border)
              in KIND_COLOURS.items() if kind in kinds}
    return {"groups": groups,
            "nodes": {"shape": "dot", "size": 12, "borderWidth": 2,
                      "font": {"size": 16, "color": "#1b1b1b", "strokeWidth": 4, "strokeColor": "#ffffff"}},
            "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "color": {"color": "#b0b0b0"},
                      "smooth": False, "width": 1},
            "interaction": {"hover": True, "keyboard": {"enabled": True, "bindToWindow": False, "autoFocus": False},
                            "navigationButtons": False, "tooltipDelay": 150},
            "layout": {"improvedLayout": False, "randomSeed": 7},
            "physics": {"solver": "forceAtlas2Based", "minVelocity": 1.0,
                        "stabilization": {"enabled": True, "iterations": 600, "updateInterval": 50, "fit": True},
                        "forceAtlas2Based": {"gravitationalConstant": -90, "springLength": 110,
                                             "centralGravity": 0.02, "avoidOverlap": 0.8}}}


def _kind_positions(hood: Neighbourhood) -> dict[str, tuple[float, float]]:
    """Starting places: the centre in the middle, each kind in its own sector around it, one ring per step.

    The layout starts from these, so nodes of a kind end up together (grouping by kind).
    """
    order = [kind for kind in KIND_COLOURS if any(n["kind"] == kind for n in hood.nodes.values())]
    others = sorted((n for key, n in hood.nodes.items() if key != hood.centre),
                    key=lambda n: (order.index(n["kind"]), n["depth"], n["name"].casefold()))
    places = {hood.centre: (0.0, 0.0)}
    total = max(len(others), 1)
    for number, node in enumerate(others):
        angle = 2 * math.pi * (number + 0.5) / total
        radius = 260.0 * node["depth"] + 40.0 * (number % 3)
        places[node["key"]] = (round(radius * math.cos(angle), 1), round(radius * math.sin(angle), 1))
    return places


def _graph_network(hood: Neighbourhood, kinds: list[str]) -> dict[str, Any]:
    """The neighbourhood as vis-network data, built with pyvis."""
    net = Network(directed=True)
    places = _kind_positions(hood)
    for key, node in hood.nodes.items():
        centre = key == hood.centre
        # Source titles are long sentences: their id labels the node, the title shows on hover.
        label = node["id"] if node["kind"] == "source" else node["name"]
        x, y = places[key]
        net.add_node(key, label=graph_label(label),
                     title=f"{KIND_TITLES[node['kind']]}: {node['name']}", group=node["kind"],
                     url=node["url"], size=22 if centre else 12, borderWidth=4 if centre else 2, x=x, y=y,
                     font={"size": 20} if centre else {})
    for edge in hood.edges:
        net.add_edge(edge["source"], edge["target"], title=edge["type"].replace("_", " ").lower()
                     + (f" ({edge['status']})" if edge["status"] else ""),
                     dashes=bool(edge["status"]))
    nodes, edges, *_ = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": _graph_options(kinds), "centre": hood.centre,
            "plurals": KIND_PLURALS}


@page_route(bp, "/graph/<kind>/<node_id>")
def graph(kind: str, node_id: str, fmt: str):
    """An interactive view of a node's neighbourhood (``depth`` 1–2, ``show`` kinds, by default all but sources
    and countries; at most :data:`GRAPH_MAX_NODES` nodes, nearest first); nodes link to their pages."""
    if kind not in GRAPH_KINDS:
        abort(404, f"No kind of node '{kind}'; use one of: {', '.join(GRAPH_KINDS)}.")
    depth = request.args.get("depth", "1")
    if depth not in ("1", "2"):
        abort(400, f"The depth must be 1 or 2, not '{depth}'.")
    shown = list(dict.fromkeys(request.args.getlist("show"))) or list(DEFAULT_SHOWN)
    unknown = [k for k in shown if k not in GRAPH_KINDS]
    if unknown:
        abort(400, f"Unknown kind to show: {', '.join(unknown)}; use: {', '.join(GRAPH_KINDS)}.")
    grouped = request.args.get("group") == "kind"
    hood = neighbourhood(get_store(), kind, node_id, depth=int(depth), kinds=tuple(shown), max_nodes=GRAPH_MAX_NODES)
    if hood is None:
        raise not_found(f"No {kind} with id '{node_id}'.", node_id, *page_names(get_store(), kind),
                        url_of=lambda found: url_for("discover.graph", kind=kind, node_id=found))
    for node in hood.nodes.values():
        node["url"] = node_url(node["kind"], node["id"])
        node["graph_url"] = url_for("discover.graph", kind=node["kind"], node_id=node["id"], depth=depth)
    centre = hood.nodes[hood.centre]
    data = {"centre": centre, "depth": int(depth), "show": shown, "grouped": grouped, "truncated": hood.truncated,
            "max_nodes": GRAPH_MAX_NODES,
            "nodes": sorted(hood.nodes.values(), key=lambda n: (n["depth"], n["kind"], n["name"].casefold())),
            "edges": hood.edges}
    if fmt == "json":
        return respond(fmt, "graph.html", data)
    names = {key: node["name"] for key, node in hood.nodes.items()}
    return respond(fmt, "graph.html", data, network=_graph_network(hood, shown), names=names,
                   kinds=list(GRAPH_KINDS), kind_titles=KIND_TITLES, kind_plurals=KIND_PLURALS,
                   vis_js=url_for("discover.vendor", filename="vis-network.min.js"),
                   vis_css=url_for("discover.vendor", filename="vis-network.css"))

