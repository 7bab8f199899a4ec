"""The graph page (blueprint ``graph``): a node's neighbourhood drawn on the server in columns by kind
(:mod:`webapp.graph_drawing`), its settings after the drawing, the same nodes and relationships as text; and
its JSON twin.  No script: the page loads only the site's style sheet."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for

from kb.kinds import CONCEPT_FOLDERS
from kb.queries.site import GRAPH_KINDS, neighbourhood

from ..errors import not_found, page_names
from ..store import get_store
from .base import page_route, respond
from .links import KIND_TITLES, node_url

bp = Blueprint("graph", __name__)

KIND_PLURALS = {"organisation": "cases", **CONCEPT_FOLDERS, "sector": "sectors", "country": "countries",
                "source": "sources"}
#: What the graph shows unless told otherwise: the concepts and cases around a node, not the many sources
#: and countries that make a hairball (they are a tick away), and at most a few dozen nodes, nearest first.
DEFAULT_SHOWN = ("organisation", "practice", "challenge", "outcome", "framework", "sector")
GRAPH_MAX_NODES = 40


@page_route(bp, "/graph/<kind>/<node_id>")
def graph(kind: str, node_id: str, fmt: str):
    """A drawing of a node's neighbourhood (``depth`` 1–2, ``show`` kinds, by default all but sources
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
    hood = neighbourhood(get_store(), kind, node_id, depth=int(depth), kinds=tuple(shown), max_nodes=GRAPH_MAX_NODES)
    if hood is None:
        raise not_found(f"No {kind} with id '{node_id}'.", node_id, *page_names(get_store(), kind),
                        url_of=lambda found: url_for("graph.graph", kind=kind, node_id=found))
    for node in hood.nodes.values():
        node["url"] = node_url(node["kind"], node["id"])
        node["graph_url"] = url_for("graph.graph", kind=node["kind"], node_id=node["id"], depth=depth)
    centre = hood.nodes[hood.centre]
    data = {"centre": centre, "depth": int(depth), "show": shown, "truncated": hood.truncated,
            "max_nodes": GRAPH_MAX_NODES,
            "nodes": sorted(hood.nodes.values(), key=lambda n: (n["depth"], n["kind"], n["name"].casefold())),
            "edges": hood.edges}
    if fmt == "json":
        return respond(fmt, "graph.html", data)
    names = {key: node["name"] for key, node in hood.nodes.items()}
    return respond(fmt, "graph.html", data, names=names, kinds=list(GRAPH_KINDS), kind_titles=KIND_TITLES,
                   kind_plurals=KIND_PLURALS)

