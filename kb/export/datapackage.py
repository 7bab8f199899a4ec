"""A citable data release: the graph as a Frictionless Data Package.

    python graph_loader.py export --format datapackage --output release/

writes ``release/datapackage.json`` and, beside it, ``data/nodes.csv`` and ``data/relationships.csv``
(each with a Table Schema describing every column: type, meaning, which labels use it, allowed
values; the node key as primary key and the relationships' ends as foreign keys into it),
``data/graph.graphml``, ``data/graph.json``, ``data/graph.ttl`` (RDF, :mod:`kb.export.rdf`) and
``LICENSE.txt``.  The descriptor names the licence (CC BY-SA 4.0), the git revision of the content it
was built from, the counts of nodes per label and relationships per type, and each file's size and
SHA-256, so that a copy can be checked and cited exactly.  ``tests/test_publish.py`` validates the
package with the ``frictionless`` library.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

from kb.export.formats import CONTENT_LICENCE, LICENCE_NOTE, csv_rows, graphml_ready, node_link_json
from kb.export.rdf import DEFAULT_BASE_URI, write_turtle
from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES

__all__ = ["COLUMN_MEANINGS", "PACKAGE_NAME", "content_revision", "table_schemas", "write_datapackage"]

PACKAGE_NAME = "self-management-case-graph"

#: What every column means (both tables).  A property added to the graph schema needs a line here:
#: the tests check that every column is described.
COLUMN_MEANINGS = {
    "key": "the node's key, unique across the graph: its label and id joined by ':' (e.g. Organisation:buurtzorg)",
    "label": "the kind of node",
    "start": "the key of the node the relationship starts from (a key in nodes.csv)",
    "end": "the key of the node the relationship leads to (a key in nodes.csv)",
    "type": "for a relationship: its type; for a Source: the kind of publication (report, article, book...)",
    "id": "the node's id, unique within its label and stable across edits of the content",
    "name": "the name shown on the site",
    "kind": "for an Organisation: the kind of organisation; for a Claim: what the claim would be "
            "(practice, framework, challenge, outcome; empty for a contested claim)",
    "country": "ISO 3166-1 alpha-2 code of the country the organisation is based in",
    "city": "the city the organisation is based in",
    "region": "the region the organisation is based in",
    "founded": "the year the organisation was founded",
    "adopted": "the year the organisation adopted self-management (or the model)",
    "model_status": "what became of self-management there: ongoing, scaled-back, abandoned, pilot-ended, "
                    "never-completed or unknown",
    "model_status_year": "the year it was scaled back, abandoned or ended",
    "legal_form": "the organisation's legal form",
    "ownership": "who owns the organisation",
    "status": "for an Organisation: active, closed, acquired...; for a claim or relationship: contested, "
              "uncertain or empty",
    "website": "the organisation's own website",
    "wikidata": "the organisation's Wikidata item id (Q followed by digits), where the case names one",
    "summary": "one-paragraph summary of the case",
    "size_band": "the organisation's size band by staff (e.g. 1000-9999), or unknown",
    "staff": "the latest staff count the case gives",
    "staff_year": "the year of that staff count",
    "aliases": "other names, joined by ';'",
    "sources": "ids of the sources cited, joined by ';' (ids of Source nodes)",
    "body": "the Markdown text of the case or concept page",
    "file": "the content file it comes from, relative to the repository",
    "definition": "the concept's definition",
    "broader": "the id of the broader concept, if any",
    "title": "for a Source: its title; for a Claim: its short title",
    "url": "the source's web address",
    "publication": "the journal, site or series the source appeared in",
    "author": "the source's author(s)",
    "publisher": "the source's publisher",
    "date": "the source's publication date (YYYY, YYYY-MM or YYYY-MM-DD)",
    "reliability": "how the source knows what it says (e.g. independent evaluation, self-reported)",
    "language": "the source's language (BCP 47 code)",
    "affiliation": "organisations (case ids or names) whose own people wrote the source, or that commissioned or paid "
                   "for it: for their claims it is their own account",
    "organisation": "the id of the organisation the figure or claim belongs to",
    "measure": "what a size figure measures (e.g. staff, revenue)",
    "concept": "the id of the concept the figure or claim is about",
    "value": "the figure's value (the lower end of a range)",
    "value_max": "the upper end of a range, if the figure is one",
    "unit": "the figure's unit",
    "description": "the figure in the contributor's words",
    "year": "the year the figure is for, or the year a relation began",
    "line": "the line of the content file where it is written",
    "scope": "whom it is about: self (the organisation), supported, inspired, franchised or general",
    "evidence": "the evidence grade: evaluated, reported, own-account or impression",
    "contested": "whether the claim is disputed",
    "about": "the group a claim about others names: case ids or names in words, joined by ';'",
    "text": "the claim or view in the contributor's words",
    "detail": "the claim in the contributor's words, or a relation's note",
    "figure": "the first structured figure of the claim, as text",
}
_FIELD_TYPES = {"STRING": "string", "INT64": "integer", "DOUBLE": "number", "BOOLEAN": "boolean",
                "STRING[]": "string"}


def content_revision(root: Path) -> dict[str, Any]:
    """The git commit the content was read at, its date, and whether content files differed from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        date = git("show", "-s", "--format=%cI", "HEAD")
        changed = git("status", "--porcelain", "--", "cases", "concepts", "vocabulary")
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "date": None, "modified": None,
                "note": "not built from a git checkout: the revision is unknown"}
    return {"commit": commit, "date": date, "modified": bool(changed)}


def _field(name: str, kinds: set[str], users: list[str]) -> dict[str, Any]:
    kind = next(iter(kinds)) if len(kinds) == 1 else "STRING"
    # A column not described yet still exports (tests/test_publish.py asks for its meaning).
    meaning = COLUMN_MEANINGS.get(name, "") + (f" (on {', '.join(users)})" if users else "")
    field: dict[str, Any] = {"name": name, "type": _FIELD_TYPES[kind], "description": meaning}
    if kind == "BOOLEAN":
        field.update(trueValues=["True"], falseValues=["False"])
    return field


def table_schemas() -> dict[str, dict[str, Any]]:
    """The Table Schemas of nodes.csv and relationships.csv, in the order csv_rows writes the columns."""
    node_columns: dict[str, set[str]] = {}
    users: dict[str, list[str]] = {}
    for label, properties in NODE_PROPERTIES.items():
        for name, kind in properties.items():
            node_columns.setdefault(name, set()).add(kind)
            users.setdefault(name, []).append(label)
    labels = list(NODE_PROPERTIES)
    nodes = {
        "fields": [{"name": "key", "type": "string", "description": COLUMN_MEANINGS["key"],
                    "constraints": {"required": True, "unique": True}},
                   {"name": "label", "type": "string", "description": COLUMN_MEANINGS["label"],
                    "constraints": {"required": True, "enum": labels}}]
                  + [_field(name, node_columns[name], users[name]) for name in sorted(node_columns)],
        "primaryKey": ["key"],
    }
    relationships = {
        "fields": [{"name": "start", "type": "string", "description": COLUMN_MEANINGS["start"],
                    "constraints": {"required": True}},
                   {"name": "end", "type": "string", "description": COLUMN_MEANINGS["end"],
                    "constraints": {"required": True}},
                   {"name": "type", "type": "string", "description": "the relationship's type",
                    "constraints": {"required": True, "enum": list(REL_ENDPOINTS)}}]
                  + [_field(name, {kind}, []) for name, kind in REL_PROPERTIES.items()],
        "foreignKeys": [{"fields": [end], "reference": {"resource": "nodes", "fields": ["key"]}}
                        for end in ("start", "end")],
    }
    return {"nodes": nodes, "relationships": relationships}


def _file_facts(path: Path) -> dict[str, Any]:
    content = path.read_bytes()
    return {"bytes": len(content), "hash": "sha256:" + hashlib.sha256(content).hexdigest()}


def write_datapackage(graph: nx.MultiDiGraph, output: Path, root: Path, base_uri: str = DEFAULT_BASE_URI) -> list[Path]:
    """Write the data package into the folder ``output``; return the files written."""
    data = output / "data"
    data.mkdir(parents=True, exist_ok=True)
    revision = content_revision(root)
    schemas = table_schemas()
    written: list[Path] = []
    for name, part in (("nodes", "nodes"), ("relationships", "edges")):
        path = data / f"{name}.csv"
        rows = csv_rows(graph, part)
        assert rows[0] == [field["name"] for field in schemas[name]["fields"]], f"{name}.csv: columns changed"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        written.append(path)
    graphml = data / "graph.graphml"
    nx.write_graphml(graphml_ready(graph), graphml)
    node_link = data / "graph.json"
    node_link.write_text(node_link_json(graph, indent=1), encoding="utf-8")
    turtle = data / "graph.ttl"
    write_turtle(graph, turtle, base_uri, revision.get("commit") or "")
    licence = output / "LICENSE.txt"
    licence.write_text("The self-management case graph (every file of this package).\n" + LICENCE_NOTE,
                       encoding="utf-8")
    written += [graphml, node_link, turtle, licence]

    def resource(name: str, path: Path, title: str, mediatype: str, **more: Any) -> dict[str, Any]:
        return {"name": name, "path": path.relative_to(output).as_posix(), "title": title, "mediatype": mediatype,
                **_file_facts(path), **more}

    csv_dialect = {"format": "csv", "encoding": "utf-8", "dialect": {"delimiter": ",", "quoteChar": '"'}}
    descriptor = {
        "name": PACKAGE_NAME,
        "title": "Self-management case graph",
        "description": ("Organisations that tried radical staff autonomy, the practices they used, the challenges "
                        "they faced and the outcomes they reported, with the sources behind every claim. Nodes and "
                        "relationships as CSV, and the same graph as GraphML, node-link JSON and RDF (Turtle)."),
        "version": (revision["commit"] or "unknown")[:12],
        "created": revision["date"],
        "licenses": [{"name": "CC-BY-SA-4.0", "path": CONTENT_LICENCE["licence_url"],
                      "title": "Creative Commons Attribution-ShareAlike 4.0 International"}],
        "contributors": [{"title": CONTENT_LICENCE["attribution"], "role": "author"}],
        "keywords": ["self-management", "organisational design", "case studies", "knowledge graph"],
        "resources": [
            resource("nodes", written[0], "Nodes: organisations, concepts, sources, figures, claims", "text/csv",
                     type="table", schema=schemas["nodes"], **csv_dialect),
            resource("relationships", written[1], "Relationships, each with its provenance", "text/csv",
                     type="table", schema=schemas["relationships"], **csv_dialect),
            resource("graph-graphml", graphml, "The graph as GraphML (Gephi, yEd, networkx)",
                     "application/graphml+xml", format="graphml"),
            resource("graph-json", node_link, "The graph as node-link JSON (networkx, D3)", "application/json",
                     format="json"),
            resource("graph-rdf", turtle, "The graph as RDF, Turtle syntax", "text/turtle", format="ttl"),
            resource("licence", licence, "Licence and attribution", "text/plain", format="txt"),
        ],
        "kb": {
            "revision": revision,
            "counts": {
                "nodes": dict(sorted(Counter(d["label"] for _, d in graph.nodes(data=True)).items())),
                "relationships": dict(sorted(Counter(d["type"] for *_, d in graph.edges(data=True)).items())),
            },
            "attribution_note": CONTENT_LICENCE["attribution_note"],
            "base_uri": base_uri,
        },
    }
    package = output / "datapackage.json"
    package.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [package, *written]
