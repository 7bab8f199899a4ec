"""Exports of the graph for other tools: GraphML (Gephi, yEd), node-link JSON, CSV.

Every relationship keeps its provenance (file, line, source ids, status).
GraphML has no list type, so list properties are written joined with ``;``.

The content is under CC BY-SA 4.0 (LICENSE-CONTENT), so every export says so: graph-level
metadata in GraphML and JSON (:data:`CONTENT_LICENCE`), a ``LICENSE.txt`` beside the CSV files,
a comment at the top of the Cypher script.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from kb.graph.schema import NODE_PROPERTIES, REL_PROPERTIES

__all__ = ["CONTENT_LICENCE", "FORMATS", "LICENCE_NOTE", "csv_rows", "cypher_script", "export_graph", "graphml_ready",
           "node_link_json", "spreadsheet_safe"]

if TYPE_CHECKING:  # imported where used: the command line starts without it (a sixth of a second)
    import networkx as nx

FORMATS = ("graphml", "json", "csv", "cypher")

#: The content's licence and the credit it asks for, as graph-level metadata of every export.
CONTENT_LICENCE = {
    "licence": "CC BY-SA 4.0",
    "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
    "attribution": "Self-managing organisations knowledge base contributors",
    "attribution_note": "Built from the knowledge base's cases/, concepts/ and vocabulary/ (CC BY-SA 4.0); give "
                        "credit, say if you changed it, and share what you make from it under the same licence. "
                        "Each claim cites its own sources, which keep their own terms.",
}
#: The same as a text, for a CSV package and the Cypher script.
LICENCE_NOTE = (f"This data is licensed under {CONTENT_LICENCE['licence']} ({CONTENT_LICENCE['licence_url']}).\n"
                f"Credit: {CONTENT_LICENCE['attribution']}.\n{CONTENT_LICENCE['attribution_note']}\n")


def graphml_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with lists joined by ';' and empty values dropped, as GraphML needs."""
    import networkx as nx

    ready = nx.MultiDiGraph()
    ready.graph.update(CONTENT_LICENCE)
    for node, data in graph.nodes(data=True):
        ready.add_node(node, **_flat(data))
    for start, end, key, data in graph.edges(keys=True, data=True):
        ready.add_edge(start, end, key=key, **_flat(data))
    return ready


def _flat(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ";".join(str(v) for v in value)
        if value is None or value == "":
            continue
        out[key] = value
    return out


def export_graph(graph: nx.MultiDiGraph, fmt: str, output: Path) -> list[Path]:
    """Write the graph in ``fmt`` to ``output`` (a file; a folder for CSV); return the files written."""
    import networkx as nx

    if fmt == "graphml":
        output.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(graphml_ready(graph), output)
        return [output]
    if fmt == "json":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(node_link_json(graph, indent=1), encoding="utf-8")
        return [output]
    if fmt == "csv":
        return _write_csv(graph, output)
    if fmt == "cypher":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(cypher_script(graph), encoding="utf-8")
        return [output]
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


def csv_rows(graph: nx.MultiDiGraph, part: str) -> list[list]:
    """The rows (header first) of ``nodes.csv`` or ``edges.csv``; lists are joined with ';'.

    Text cells are neutralised for spreadsheets (:func:`spreadsheet_safe`): case files come from strangers.
    """
    if part == "nodes":
        columns = ["key", "label", *sorted({p for props in NODE_PROPERTIES.values() for p in props})]
        return [columns] + [[node] + [_csv_cell(data.get(c)) for c in columns[1:]]
                            for node, data in graph.nodes(data=True)]
    columns = ["start", "end", "type", *list(REL_PROPERTIES)]
    return [columns] + [[start, end] + [_csv_cell(data.get(c)) for c in columns[2:]]
                        for start, end, data in graph.edges(data=True)]


def _write_csv(graph: nx.MultiDiGraph, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for part in ("nodes", "edges"):
        path = folder / f"{part}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(csv_rows(graph, part))
        written.append(path)
    notice = folder / "LICENSE.txt"
    notice.write_text("nodes.csv and edges.csv: the self-managing organisations case graph.\n" + LICENCE_NOTE,
                      encoding="utf-8")
    return [*written, notice]


def node_link_json(graph: nx.MultiDiGraph, indent: int | None = None) -> str:
    """networkx's node-link JSON, with the licence in its ``graph`` metadata."""
    import networkx as nx

    data = nx.node_link_data(graph, edges="edges")
    data["graph"] = {**data.get("graph", {}), **CONTENT_LICENCE}
    return json.dumps(data, indent=indent, ensure_ascii=False, default=str)


def _csv_cell(value: object) -> object:
    if isinstance(value, list):
        return spreadsheet_safe(";".join(str(v) for v in value))
    return "" if value is None else spreadsheet_safe(value)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text rather than running as a formula.

    As OWASP recommends for CSV injection: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return (or their full-width forms) gets a leading single quote.  Numbers stay numbers.

    >>> [spreadsheet_safe(v) for v in ["=1+1", "@SUM(A1)", "-1+2", "plain", 42, -3]]
    ["'=1+1", "'@SUM(A1)", "'-1+2", 'plain', 42, -3]
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def cypher_script(graph: nx.MultiDiGraph) -> str:
    """A Cypher script that recreates the graph in an empty Neo4j database.

    Values are written as escaped literals; run it with ``cypher-shell -f graph.cypher``.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("Practice:a", label="Practice", id="a", name="It's a")
    >>> print(cypher_script(g).splitlines()[-1])
    CREATE (:Practice {id: 'a', name: 'It\\'s a'});
    """
    lines = ["// Recreates the self-management case graph. Generated; do not edit."]
    lines += [f"// {line}" for line in LICENCE_NOTE.splitlines()]
    labels = sorted({data["label"] for _, data in graph.nodes(data=True)})
    for label in labels:
        lines.append(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE;")
    for _, data in sorted(graph.nodes(data=True), key=lambda item: item[0]):
        props = {k: v for k, v in data.items() if k != "label"}
        lines.append(f"CREATE (:{data['label']} {_cypher_map(props)});")
    for start, end, data in graph.edges(data=True):
        props = {k: v for k, v in data.items() if k != "type"}
        start_label, start_id = start.split(":", 1)
        end_label, end_id = end.split(":", 1)
        lines.append(f"MATCH (a:{start_label} {{id: {_literal(start_id)}}}), "
                     f"(b:{end_label} {{id: {_literal(end_id)}}}) "
                     f"CREATE (a)-[:{data['type']} {_cypher_map(props)}]->(b);")
    return "\n".join(lines) + "\n"


def _cypher_map(props: dict) -> str:
    items = [f"{key}: {_literal(value)}" for key, value in props.items() if value not in (None, "", [])]
    return "{" + ", ".join(items) + "}"


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return f"'{text}'"
