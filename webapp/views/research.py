"""For researchers: the read-only Cypher console, example queries and downloads of the graph."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
from flask import Blueprint, Response, abort, current_app, get_template_attribute, request, url_for

from kb.export.exchange import graph_from_store
from kb.export.formats import CONTENT_LICENCE, csv_rows, cypher_script, graphml_ready, node_link_json, spreadsheet_safe
from kb.problems import QueryError
from kb.queries.catalogue import QUERIES, cypher_for
from kb.queries.console import ConsoleResult, graph_elements, validate_params
from kb.store.console_pool import ConsoleBusy
from kb.store.versioned import derived

from ..security import ConsoleQueryRunning, console_limit, one_console_query
from ..store import get_console, get_store
from .base import page_route, respond

bp = Blueprint("research", __name__)

EXAMPLES = [q for q in QUERIES.values() if q.title]
#: The console runs on the embedded copy of the graph whichever store serves the pages (webapp.store.get_console).
CONSOLE_BACKEND = "ladybug"


@page_route(bp, "/query", cache=False)  # rate limited, and each query is run afresh
@console_limit
def query(fmt: str):
    """Run a read-only Cypher query from the URL (``q``, ``params`` as JSON, or ``example``)."""
    backend = CONSOLE_BACKEND
    text, raw_params, example = _requested_query(backend)
    result, error, status, params, error_field = None, None, 200, None, "q"
    try:
        error_field = "params"
        params = validate_params(raw_params)
        error_field = "q"
        if text:
            result = _run(text, params)
        elif fmt != "json":
            get_console().prestart()  # warm while the visitor types
    except ConsoleBusy as err:
        error, status = str(err), 503
    except ConsoleQueryRunning as err:
        error, status = str(err), 429
    except QueryError as err:
        error, status = str(err), 400
    data = {"ok": error is None, "query": text, "params": params if params is not None else raw_params,
            "params_text": raw_params, "example": example, "backend": backend,
            "result": result.to_dict() if result else None, "error": error,
            "examples": [{"name": q.name, "title": q.title, "description": q.description,
                          "url": url_for("research.query", example=q.name)} for q in EXAMPLES]}
    if fmt == "json":
        response = respond(fmt, "query.html", data)
        response.status_code = status
        return response
    nodes, rels = graph_elements(result) if result else ([], [])
    html = respond(fmt, "query.html", data, error_field=error_field,
                   graph={"nodes": nodes, "edges": rels} if nodes else None,
                   csv_url=url_for("research.query_csv", **_query_args()) if result else None)
    return html, status


@bp.route("/query.csv")
@console_limit
def query_csv():
    """The same query's result as CSV, for spreadsheets (cells neutralised as OWASP recommends)."""
    text, raw_params, _ = _requested_query(CONSOLE_BACKEND)
    try:
        result = _run(text, validate_params(raw_params))
    except ConsoleBusy as err:
        abort(503, str(err))
    except ConsoleQueryRunning as err:
        abort(429, str(err))
    except QueryError as err:
        abort(400, str(err))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_safe(c) for c in result.columns])
    for row in result.rows:
        writer.writerow([spreadsheet_safe(json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
                         for v in row])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="query.csv"'})


#: The console's own parameters: the only ones its links carry (url_for would read others, such as
#: _external or _scheme, as instructions).
QUERY_PARAMETERS = ("q", "params", "example")


def _query_args() -> dict[str, str]:
    return {name: request.args[name] for name in QUERY_PARAMETERS if name in request.args}


def _requested_query(backend: str) -> tuple[str, str, str]:
    """The query's text, its parameters as typed (JSON, checked by the caller) and the example's name."""
    example = request.args.get("example", "")
    if example:
        named = QUERIES.get(example)
        if named is None or not named.title:
            abort(404, f"No example query named '{example}'.")
        params = json.dumps(named.default_params, ensure_ascii=False) if named.default_params else ""
        return cypher_for(example, backend), params, example
    return request.args.get("q", "").strip(), request.args.get("params", "").strip(), ""


def _run(text: str, params: dict) -> ConsoleResult:
    if not text.strip():
        raise QueryError("Type a Cypher query, or pick an example.")
    config = current_app.config
    with one_console_query():
        return get_console().run(text, params, timeout_ms=config["KB_QUERY_TIMEOUT_MS"],
                                 row_cap=config["KB_QUERY_ROW_CAP"], byte_cap=config["KB_QUERY_BYTE_CAP"])


# --- downloads ---------------------------------------------------------------------------------

def _graph() -> nx.MultiDiGraph:
    """The store's graph as networkx, read once per version of the graph (exports read every node)."""
    return derived(get_store(), "export graph", graph_from_store)


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    # The content's licence travels with every download (RFC 8288 link relation "license").
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Link": f'<{CONTENT_LICENCE["licence_url"]}>; rel="license"'})


@bp.route("/export/graph.graphml")
def export_graphml():
    """GraphML for Gephi and yEd, with provenance on every relationship."""
    buffer = io.BytesIO()
    nx.write_graphml(graphml_ready(_graph()), buffer)
    return _download(buffer.getvalue(), "application/graphml+xml", "self-management-graph.graphml")


@bp.route("/export/graph.json")
def export_json():
    """Node-link JSON (networkx's format)."""
    return _download(node_link_json(_graph()), "application/json", "self-management-graph.json")


@bp.route("/export/<any(nodes, edges):part>.csv")
def export_csv(part: str):
    """Nodes or edges as CSV (cells neutralised for spreadsheets by :func:`kb.export.csv_rows`)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(csv_rows(_graph(), part))
    return _download(buffer.getvalue(), "text/csv", f"self-management-{part}.csv")


@bp.route("/export/graph.cypher")
def export_cypher():
    """A Cypher script that recreates the graph in Neo4j."""
    return _download(cypher_script(_graph()), "text/plain", "self-management-graph.cypher")


# --- analytics ---------------------------------------------------------------------------------

@page_route(bp, "/analytics")
def analytics(fmt: str):
    """The practice co-occurrence network: its communities, central practices, and practice -> outcome evidence,
    counted from the claims the evidence filter keeps (``scope``, ``grade``, as on /patterns)."""
    from kb import analysis

    from .evidence import evidence_filter, filter_args
    from .patterns import matrix_data

    selected = evidence_filter(request.args)
    index = analysis.index_for(get_store()).restricted(selected["scope"], selected["min_grade"])
    args = filter_args(selected)
    graph = analysis.practice_graph(index)
    communities = index.memo("practice_communities", lambda: practice_communities(graph))
    evidence = index.memo("practice_outcome_evidence", lambda: [
        {"practice": practice, "practice_name": index.name("practice", practice), **row}
        for practice in sorted(graph) for row in analysis.alongside(index, "practice", practice, "outcome")])
    data = {
        "cases_total": index.n_cases,
        "filter": {key: selected[key] for key in ("scope", "min_grade", "description")},
        "ignored": selected["ignored"],
        "network": {"practices": graph.number_of_nodes(), "links": graph.number_of_edges()},
        "communities": [{"number": n + 1, "practices": [{"id": p, "name": index.name("practice", p)}
                                                       for p in members]}
                        for n, members in enumerate(communities)],
        "central": index.memo(("most_connected", 15), lambda: analysis.most_connected(index, limit=15)),
        "evidence": index.memo(("practice_outcome_rows", tuple(sorted(args.items()))), lambda: [
            {k: v for k, v in row.items() if k != "cases"} | {"cases": len(row["cases"])} | {
                "claims_url": url_for("patterns.pattern_claims", practice=row["practice"], outcome=row["id"], **args)}
            for row in evidence]),
    }
    # The same pairs as a dot matrix (the HTML page's chart; the JSON has them as rows in ``evidence``).
    matrix = index.memo(("matrix", "practice", "outcome"),
                        lambda: analysis.cross_matrix(index, "practice", "outcome")) if fmt == "html" else None
    shown = index.memo(("matrix data", "outcome", tuple(sorted(args.items()))),
                       lambda: matrix_data(index, matrix, args)) if matrix else None
    # Its figure drawn once per index and filter, as /patterns draws its own: some thousand dots were half a request.
    figure = index.memo(("matrix figure", "outcome", tuple(sorted(args.items()))), lambda: get_template_attribute(
        "chart_macros.html", "matrix_figure")(shown, "evidence", "Practices and outcomes", "reported")) \
        if shown and shown["cells"] else None
    return respond(fmt, "analytics.html", data, choices=selected["choices"], matrix=shown, matrix_figure_html=figure)


def practice_communities(graph: nx.Graph) -> list[list[str]]:
    """Groups of practices that co-occur with each other more than with the rest (greedy modularity).

    Deterministic, so the page and its JSON are stable between requests and stores.
    """
    if graph.number_of_edges() == 0:
        return [[node] for node in sorted(graph)]
    groups = nx.community.greedy_modularity_communities(graph, weight="weight")
    return sorted((sorted(group) for group in groups), key=lambda group: (-len(group), group))
