"""The graph explorer (blueprint ``graph``): an interactive view of a node's neighbourhood, drawn with
vis-network (built with pyvis, served from the installed package), and its JSON twin."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import pyvis
from flask import Blueprint, abort, request, send_from_directory, url_for
from pyvis.network import Network

from kb.kinds import CONCEPT_FOLDERS
from kb.queries.site import GRAPH_KINDS, Neighbourhood, neighbourhood

from ..errors import not_found, page_names
from ..store import get_store
from .base import page_route, respond
from .links import KIND_TITLES, node_url

bp = Blueprint("graph", __name__)

#: vis-network as pyvis 0.3.2 ships it (dual Apache-2.0/MIT licence, in the file's header): served
#: from the installed package, so that the graph page loads nothing from elsewhere.
VIS_NETWORK = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
VENDOR_FILES = ("vis-network.min.js", "vis-network.css")
KIND_PLURALS = {"organisation": "cases", **CONCEPT_FOLDERS, "sector": "sectors", "country": "countries",
                "source": "sources"}
#: Node colours of the graph explorer by kind (background, border); text stays dark on all of them.
KIND_COLOURS = {"organisation": ("#9cc3ec", "#0b5394"), "practice": ("#a8dca8", "#2e7d32"),
                "challenge": ("#f6b9a6", "#b3401b"), "outcome": ("#d6bcf0", "#6a3d9a"),
                "framework": ("#9fdad4", "#00695c"), "sector": ("#e3e3e3", "#616161"),
                "country": ("#f2dca0", "#8a6d00"), "source": ("#f5f5f5", "#8d8d8d")}


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
    group = request.args.get("group", "")
    if group not in ("", "kind"):
        abort(400, f"The group must be 'kind' (nodes of a kind together), not '{group[:40]}'.")
    grouped = group == "kind"
    hood = neighbourhood(get_store(), kind, node_id, depth=int(depth), kinds=tuple(shown), max_nodes=GRAPH_MAX_NODES)
    if hood is None:
        raise not_found(f"No {kind} with id '{node_id}'.", node_id, *page_names(get_store(), kind),
                        url_of=lambda found: url_for("graph.graph", kind=kind, node_id=found))
    for node in hood.nodes.values():
        node["url"] = node_url(node["kind"], node["id"])
        node["graph_url"] = url_for("graph.graph", kind=node["kind"], node_id=node["id"], depth=depth)
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
                   vis_js=url_for("graph.vendor", filename="vis-network.min.js"),
                   vis_css=url_for("graph.vendor", filename="vis-network.css"))

