"""A graph a person can read, drawn on the server as SVG (the graph page and the console's "As a graph").

Three columns, each a stack of bands, one band per kind: on the left what organisations do (frameworks,
practices), in the middle the organisations (the one the drawing is about first, in bold) and where they
work, on the right what they met and what came of it (challenges, outcomes).  Each kind has its own shape
as well as its colour; names are 13 px, wrapped onto up to three lines rather than cut (a longer name ends
with "…" and is whole in the node's title and link name).  Relationships are lines from one column to the
next; two nodes of the same column are joined by an arc on their shapes' side.  The drawing fits the page's
60 rem column at 1280 px and scrolls inside its box on a phone; the page lists the same nodes and
relationships as text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

__all__ = ["BANDS", "COLUMNS", "band_graph", "graph_drawing", "graph_key", "node_name"]

#: The columns of a drawing, left to right, each with its kinds top to bottom (a kind not named here joins
#: the middle column).
COLUMNS = (("Framework", "Practice"), ("Organisation", "Sector", "Country", "Source"), ("Challenge", "Outcome"))
BANDS = tuple(kind for column in COLUMNS for kind in column)
#: Each kind of node its own shape (an SVG path around 0,0, about 16 px across) as well as its colour.
_NODE_SHAPES = {
    "Organisation": "M-8-8h16v16h-16Z",  # a square
    "Practice": "M-8 0a8 8 0 1 0 16 0a8 8 0 1 0-16 0Z",  # a circle
    "Framework": "M-4-8h8l5 8-5 8h-8l-5-8Z",  # a hexagon
    "Challenge": "M0-9 9 0 0 9-9 0Z",  # a diamond
    "Outcome": "M0-9 9 7H-9Z",  # a triangle
    "Sector": "M-9-5h18v10h-18Z",  # a wide bar
    "Country": "M0 9-9-7H9Z",  # a triangle pointing down
}
_OTHER_SHAPE = "M-6-8h9l3 3v13h-12Z"  # a page with a folded corner (sources and anything else)
_PLURALS = {"Country": "Countries"}
_END = ' text-anchor="end"'

LABEL_SIZE = 13
CHAR_WIDTH = 7.4  # average width of a 13 px character, generous so that a label never overruns its column
LINE_HEIGHT = 16
COLUMN_WIDTH, GAP, SHAPE_ROOM = 290, 45, 16
MAX_LINES = 3
TOP = 8


def node_name(node: Mapping[str, Any]) -> str:
    """What a node is called: its name, title or id."""
    return str(node.get("name") or node.get("title") or node.get("id") or node.get("_key") or "")


def _lines(name: str) -> list[str]:
    """A name wrapped to the column, on at most :data:`MAX_LINES` lines (the last ends with "…" if cut).

    >>> _lines("Neighbourhood Nursing (Guy's and St Thomas' NHS Foundation Trust)")
    ["Neighbourhood Nursing (Guy's and St", "Thomas' NHS Foundation Trust)"]
    """
    width = int((COLUMN_WIDTH - SHAPE_ROOM - 8) / CHAR_WIDTH)
    lines = textwrap.wrap(name, width, break_long_words=True, break_on_hyphens=False) or [name]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][:width - 1].rstrip() + "…"
    return lines


def _column_of(kind: str) -> int:
    return next((c for c, kinds in enumerate(COLUMNS) if kind in kinds), 1)


class _Layout:
    """Where each node goes: its column, its shape's centre, its lines of name and the side its name is on."""

    def __init__(self, nodes: Sequence[Mapping[str, Any]]):
        used = sorted({_column_of(n["_label"]) for n in nodes})
        self.left_of = {c: i * (COLUMN_WIDTH + GAP) for i, c in enumerate(used)}
        self.width = len(used) * (COLUMN_WIDTH + GAP) - GAP + 4
        self.place: dict[str, tuple[int, float, float]] = {}  # key -> (column, x, y)
        self.lines = {n["_key"]: _lines(node_name(n)) for n in nodes}
        self.titles: list[tuple[float, float, str, bool]] = []  # x, y, text, right-aligned
        heights = []
        for column in used:
            y = TOP
            kinds = sorted({n["_label"] for n in nodes if _column_of(n["_label"]) == column},
                           key=lambda k: (BANDS.index(k) if k in BANDS else len(BANDS), k))
            for kind in kinds:
                band = sorted((n for n in nodes if n["_label"] == kind),
                              key=lambda n: (not n.get("centre"), node_name(n).casefold()))
                y += 14
                self.titles.append((self._shape_x(column) + (8 if column == 0 else -8), y,
                                    f"{_PLURALS.get(kind, kind + 's')} ({len(band)})", column == 0))
                y += 10
                for node in band:
                    rows = len(self.lines[node["_key"]])
                    self.place[node["_key"]] = (column, self._shape_x(column), y + 11)
                    y += rows * LINE_HEIGHT + 8
                y += 10
            heights.append(y)
        self.height = max(heights, default=TOP) + 4

    def _shape_x(self, column: int) -> float:
        """The left column has its shapes on its right edge (names to their left, towards nothing); the others
        on their left edge: every line then runs between shapes and the ends of names, never through a name."""
        left = self.left_of[column]
        return left + COLUMN_WIDTH - 10 if column == 0 else left + 10

    def name_width(self, key: str) -> float:
        return max(len(line) for line in self.lines[key]) * CHAR_WIDTH

    def towards_right(self, key: str) -> str:
        """The start of a line to a column on the right: a shape on the column's right edge, else the end of
        the name and on along its row to the column's edge (so that the line crosses no other name)."""
        column, x, y = self.place[key]
        if column == 0:
            return f"M{x + 10:.1f} {y:.1f}"
        edge = self.left_of[column] + COLUMN_WIDTH
        return f"M{x + 14 + self.name_width(key):.1f} {y:.1f}H{edge:.1f}"

    def towards_left(self, key: str) -> str:
        """The end of a line from a column on the left (never the first column): the shape's left side."""
        _, x, y = self.place[key]
        return f"L{x - 10:.1f} {y:.1f}"


def _edge(layout: _Layout, start: str, end: str) -> str:
    (c1, x1, y1), (c2, x2, y2) = layout.place[start], layout.place[end]
    if c1 == c2:  # the same column: a bracket on the shapes' outer side, like a tree's branch
        side = 10 if c1 == 0 else -10
        reach = 18 if c1 == 0 else -18
        return (f'<path class="edge" d="M{x1 + side:.1f} {y1:.1f}H{x1 + reach:.1f}V{y2:.1f}'
                f'H{x2 + side:.1f}"/>')
    if c1 > c2:
        start, end = end, start
    return f'<path class="edge" d="{layout.towards_right(start)}{layout.towards_left(end)}"/>'


def _node(layout: _Layout, node: Mapping[str, Any]) -> str:
    column, x, y = layout.place[node["_key"]]
    name, kind = node_name(node), node["_label"]
    right = column == 0
    text_x = x - 14 if right else x + 14
    lines = layout.lines[node["_key"]]
    # A space ends each line but the last, so that the name reads whole (screen readers, copying, search).
    spans = "".join(f'<tspan x="{text_x:.1f}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}'
                    f'{" " if i < len(lines) - 1 else ""}</tspan>' for i, line in enumerate(lines))
    drawn = (f'<g class="node kind-{escape(kind.lower())}{" centre" if node.get("centre") else ""}">'
             f'<title>{escape(kind)}: {escape(name)}</title>'
             f'<path transform="translate({x:.1f} {y:.1f})" d="{_NODE_SHAPES.get(kind, _OTHER_SHAPE)}"/>'
             f'<text{_END if right else ""} y="{y + 4.5:.1f}">{spans}</text></g>')
    # A node with a page is a link to it (keyboard users reach it too), named by what it is.
    if node.get("url"):
        return f'<a href="{escape(node["url"])}" aria-label="{escape(kind)}: {escape(name)}">{drawn}</a>'
    return drawn


def band_graph(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]], *, chart_id: str,
               title: str) -> Markup:
    """Nodes in three columns of bands by kind (:data:`COLUMNS`), each kind its own shape, named in 13 px text;
    relationships as lines.  ``nodes`` have ``_key`` and ``_label`` (and a name; a ``url`` makes the node a
    link, ``centre`` marks the node the drawing is about, first in its band and in bold); ``edges`` ``_start``
    and ``_end``."""
    layout = _Layout(nodes)
    linked = any(n.get("url") for n in nodes)  # a drawing of links is a group of them, not one image
    out = [f'<svg class="chart band-graph" id="{escape(chart_id)}" width="{layout.width}" '
           f'height="{layout.height:.0f}" viewBox="0 0 {layout.width} {layout.height:.0f}" '
           f'role="{"group" if linked else "img"}" aria-label="{escape(title)}">', f'<title>{escape(title)}</title>']
    for x, y, text, right in layout.titles:
        out.append(f'<text class="band-title"{_END if right else ""} x="{x:.0f}" '
                   f'y="{y:.0f}">{escape(text)}</text>')
    out += [_edge(layout, e["_start"], e["_end"]) for e in edges
            if e["_start"] in layout.place and e["_end"] in layout.place and e["_start"] != e["_end"]]
    # In reading order, column by column, top to bottom: the order of the Tab stops.
    out += [_node(layout, node) for node in sorted(nodes, key=lambda n: layout.place[n["_key"]][::2])]
    out.append("</svg>")
    return Markup("".join(out))


def graph_drawing(nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]], centre: str) -> Markup:
    """A node's neighbourhood (the graph page's nodes: key, kind, name, url, depth; edges: source, target) as
    a band drawing with the centre first among its kind."""
    drawn = [{"_key": n["key"], "_label": n["kind"].capitalize(), "name": n["name"], "url": n.get("url"),
              "centre": n["key"] == centre} for n in nodes]
    # The centre's own relationships, and those reaching the nodes two steps away: the ones between two of its
    # neighbours would cross every column (the relationships table lists them all).
    far = {n["key"] for n in nodes if n.get("depth") == 2}
    lines = [{"_start": e["source"], "_end": e["target"], "_type": e.get("type", "")} for e in edges
             if centre in (e["source"], e["target"]) or far & {e["source"], e["target"]}]
    name = next((n["name"] for n in nodes if n["key"] == centre), "")
    return band_graph(drawn, lines, chart_id="graph-bands",
                      title=f"{name} and the {len(nodes) - 1} nodes around it, in columns by kind")


#: How the key names each kind (the graph page's kinds are lower case).
_KEY_NAMES = {"Organisation": "cases", "Framework": "frameworks", "Practice": "practices", "Challenge": "challenges",
              "Outcome": "outcomes", "Sector": "sectors", "Country": "countries", "Source": "sources"}


def graph_key(kinds: Sequence[str]) -> Markup:
    """The drawing's key: each kind drawn, in the drawing's order, with its shape and colour and its name."""
    labels = sorted({k.capitalize() for k in kinds}, key=lambda k: (BANDS.index(k) if k in BANDS else len(BANDS), k))
    items = "".join(f'<li class="kind-{escape(k.lower())}"><svg width="20" height="20" viewBox="-10 -10 20 20" '
                    f'aria-hidden="true" focusable="false"><path d="{_NODE_SHAPES.get(k, _OTHER_SHAPE)}"/></svg>'
                    f'{escape(_KEY_NAMES.get(k, k.lower() + "s"))}</li>' for k in labels)
    return Markup(f'<ul class="graph-key" aria-label="Key: the shape of each kind">{items}</ul>')
