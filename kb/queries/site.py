"""Named queries of the site's discover pages: case facets, search, sources and the graph explorer.

See :mod:`kb.queries.catalogue` for the conventions: Cypher written once, ``$parameters``,
``{rel_type:r}`` / ``{node_label:n}`` for the two dialect differences, and an
``ORDER BY`` that makes every answer deterministic.  The graph explorer finds
its centre node with one query per label (a label cannot be a parameter),
generated here from one template for the fixed labels of :data:`GRAPH_KINDS`.

The helpers :func:`neighbourhood` and :func:`source_citations` put the rows of
several named queries together; they take any store with ``query()``.

>>> sorted(GRAPH_KINDS)[:3]
['challenge', 'country', 'framework']
>>> any(q.name == "graph_node_organisation" for q in SITE_QUERIES)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from kb.graph.schema import REL_ENDPOINTS
from kb.kinds import CLAIM_REL_TYPES, KINDS, RELATION_REL_TYPES
from kb.queries.named import NamedQuery, cypher_list

__all__ = ["CITATION_KINDS", "GRAPH_KINDS", "SITE_QUERIES", "Neighbourhood", "neighbourhood", "source_citations"]

#: Links that make an organisation's facet values (sector, practices, challenges, outcomes).
FACET_LINK_TYPES = ("IN_SECTOR", *CLAIM_REL_TYPES)

#: Graph explorer kind (as in the URL) -> node label.  Figures, claims and views are evidence,
#: shown on case pages, not nodes to explore.
GRAPH_KINDS: dict[str, str] = {
    "organisation": "Organisation", **{kind.id: kind.label for kind in KINDS},
    "sector": "Sector", "country": "Country", "source": "Source",
}


_FACET_QUERIES = [
    NamedQuery(
        "facet_organisations", "Every organisation with the profile fields the case list shows, facets and sorts on.",
        """
        MATCH (o:Organisation{own})
        OPTIONAL MATCH (o{own})-[kr1:BASED_IN{own:kr1}]->(c:Country{own})
        RETURN o.id AS id, o.name AS name, o.kind AS kind, o.country AS country, c.name AS country_name,
               o.city AS city, o.status AS status, o.founded AS founded, o.size_band AS size_band,
               o.adopted AS adopted, o.model_status AS model_status, o.model_status_year AS model_status_year,
               o.staff AS staff, o.summary AS summary
        ORDER BY id
        """),
    NamedQuery(
        "facet_links", "Each organisation's sectors, practices, frameworks, challenges and outcomes (one row each).",
        f"""
        MATCH (o:Organisation{{own}})-[r{{own:r}}]->(x{{own}})
        WHERE {{rel_type:r}} IN {cypher_list(FACET_LINK_TYPES)}
        RETURN o.id AS organisation, {{rel_type:r}} AS type, x.id AS value, x.name AS label
        ORDER BY organisation, type, value
        """),
    NamedQuery(
        "facet_sector_broader", "Each sector's broader sector, so that a case in home care counts under health care.",
        """
        MATCH (s:Sector{own})-[kr2:BROADER{own:kr2}]->(b:Sector{own})
        RETURN s.id AS id, b.id AS broader, b.name AS name
        ORDER BY id
        """),
]

_SEARCH_QUERIES = [
    NamedQuery(
        "search_organisations",
        "The text full-text search indexes of up to $limit organisations, in id order, after the id $after ('' from "
        "the first): read a page at a time (kb.analysis.search_store.organisation_texts), the pages' text of every "
        "case at once needed a reader's buffer pool of gigabytes at 100,000 cases.",
        """
        MATCH (o:Organisation{own})
        WHERE o.id > $after
        RETURN o.id AS id, o.name AS name, o.aliases AS aliases, o.summary AS summary, o.body AS body,
               o.kind AS kind, o.country AS country, o.city AS city, o.region AS region
        ORDER BY id
        LIMIT $limit
        """, ("after", "limit")),
    NamedQuery(
        "search_concepts", "The text of every practice, challenge, outcome and framework that search indexes.",
        """
        MATCH (c{own})
        WHERE {node_label:c} IN ['Practice', 'Challenge', 'Outcome', 'Framework']
        RETURN {node_label:c} AS label, c.id AS id, c.name AS name, c.aliases AS aliases,
               c.definition AS definition, c.body AS body
        ORDER BY label, id
        """),
]

_SOURCE_FIELDS = """s.id AS id, s.title AS title, s.url AS url, s.publication AS publication, s.author AS author,
               s.publisher AS publisher, s.date AS date, s.type AS type, s.reliability AS reliability,
               s.language AS language, s.affiliation AS affiliation"""

#: Citation query name -> (what the citing row is, Cypher up to the point where ``source`` is bound).
#: Each is generated twice: for every source (``source_<kind>``) and for one (``source_<kind>_of``).
_CITATIONS: dict[str, tuple[str, str]] = {
    "claims": ("Claims (practice, challenge, outcome, framework) and relations that cite a source.", f"""
        MATCH (o:Organisation{{own}})-[r:{"|".join(CLAIM_REL_TYPES + RELATION_REL_TYPES)}{{own:r}}]->(c{{own}})
        UNWIND r.sources AS source
        WITH source, o, r, c
        {{filter}}
        RETURN source, o.id AS organisation, o.name AS organisation_name, {{rel_type:r}} AS type,
               {{node_label:c}} AS kind, c.id AS concept, c.name AS concept_name, r.detail AS detail,
               r.status AS status, r.file AS file, r.line AS line, r.scope AS scope, r.evidence AS evidence
        ORDER BY source, organisation, line, concept
        """),
    "figures": ("Figures (size and figures of claims) that cite a source.", """
        MATCH (o:Organisation{own})-[kr3:HAS_FIGURE|REPORTS_FIGURE{own:kr3}]->(f:Figure{own})
        UNWIND f.sources AS source
        WITH source, o, f
        {filter}
        RETURN source, o.id AS organisation, o.name AS organisation_name, 'FIGURE' AS type,
               f.measure AS measure, f.concept AS concept, f.value AS value, f.value_max AS value_max,
               f.unit AS unit, f.description AS detail, f.year AS year,
               f.status AS status, f.file AS file, f.line AS line, f.scope AS scope, f.evidence AS evidence
        ORDER BY source, organisation, line
        """),
    "disputes": ("Contested or uncertain claims, and claims about others or in general, that cite a source.", """
        MATCH (o:Organisation{own})-[kr4:HAS_CLAIM|REPORTS_CLAIM{own:kr4}]->(c:Claim{own})
        UNWIND c.sources AS source
        WITH source, o, c
        {filter}
        RETURN source, o.id AS organisation, o.name AS organisation_name, 'CLAIM' AS type, c.title AS title,
               c.text AS detail, c.status AS status, c.file AS file, c.line AS line, c.scope AS scope,
               c.evidence AS evidence
        ORDER BY source, organisation, line
        """),
    "views": ("One side of a contested claim (a view) that cites a source.", """
        MATCH (o:Organisation{own})-[kr5:HAS_CLAIM|REPORTS_CLAIM{own:kr5}]->(c:Claim{own})
              -[kr6:HAS_VIEW{own:kr6}]->(v:View{own})
        UNWIND v.sources AS source
        WITH source, o, c, v
        {filter}
        RETURN source, o.id AS organisation, o.name AS organisation_name, 'VIEW' AS type, c.title AS title,
               v.text AS detail, c.status AS status, v.file AS file, v.line AS line, v.scope AS scope,
               v.evidence AS evidence
        ORDER BY source, organisation, line
        """),
    "profiles": ("Organisation profiles (founded, place, legal form, status) that cite a source.", """
        MATCH (o:Organisation{own})
        UNWIND o.sources AS source
        WITH source, o
        {filter}
        RETURN source, o.id AS organisation, o.name AS organisation_name, 'PROFILE' AS type, o.file AS file
        ORDER BY source, organisation
        """),
}
#: The kinds of citing rows, in the order the sources page lists them.
CITATION_KINDS = tuple(_CITATIONS)

_SOURCE_QUERIES = [
    NamedQuery("sources", "Every source, by id.", f"MATCH (s:Source{{own}}) RETURN {_SOURCE_FIELDS} ORDER BY id"),
    NamedQuery("source", "One source.", f"MATCH (s:Source{{own}} {{id: $id}}) RETURN {_SOURCE_FIELDS}", ("id",)),
    NamedQuery(
        "source_declarations", "Which case or concept files declare each source.",
        """
        MATCH (x{own})-[kr7:CITES{own:kr7}]->(s:Source{own})
        RETURN s.id AS source, {node_label:x} AS label, x.id AS id, x.name AS name
        ORDER BY source, label, id
        """),
    NamedQuery(
        "source_declarations_of", "Which case or concept files declare one source.",
        """
        MATCH (x{own})-[kr8:CITES{own:kr8}]->(s:Source{own} {id: $id})
        RETURN s.id AS source, {node_label:x} AS label, x.id AS id, x.name AS name
        ORDER BY label, id
        """, ("id",)),
    NamedQuery(
        "source_declarations_in", "Which case or concept files declare each of some sources (a page of them).",
        """
        MATCH (x{own})-[kr9:CITES{own:kr9}]->(s:Source{own})
        WHERE s.id IN $ids
        RETURN s.id AS source, {node_label:x} AS label, x.id AS id, x.name AS name
        ORDER BY source, label, id
        """, ("ids",)),
]
_UNWOUND = re.compile(r"UNWIND (\w+)\.sources AS source\s+WITH source, [^\n]*\n\s*\{filter\}\n\s*")


def _from_organisations(cypher: str) -> str:
    """A citation query for the rows of some organisations, each with its list of ``sources`` (not one row per
    source): the organisations are found by id, and neither store then scans every claim of the graph.

    A case cites only the sources it declares, so the rows citing a source all come from the organisations
    that declare it.  (LadybugDB plans an ``UNWIND`` of the list before the join: seconds at 10,000 cases.)
    """
    listed = _UNWOUND.search(cypher).group(1)
    cypher = _UNWOUND.sub("", cypher).replace("RETURN source,", f"RETURN {listed}.sources AS sources,")
    cypher = cypher.replace("ORDER BY source, ", "ORDER BY ")
    head, rest = cypher.split("MATCH (o:Organisation{own})", 1)
    again = "\n        MATCH (o{own})" if rest.startswith("-") else ""
    return f"{head}MATCH (o:Organisation{{own}})\n        WHERE o.id IN $organisations{again}{rest}"


for _kind, (_description, _cypher) in _CITATIONS.items():
    _SOURCE_QUERIES.append(NamedQuery(f"source_{_kind}", _description, _cypher.replace("{filter}", "")))
    _SOURCE_QUERIES.append(NamedQuery(f"source_{_kind}_of", _description + " For one source.",
                                      _cypher.replace("{filter}", "WHERE source = $id"), ("id",)))
    _SOURCE_QUERIES.append(NamedQuery(f"source_{_kind}_in", _description + " For some sources (a page of them).",
                                      _cypher.replace("{filter}", "WHERE source IN $ids"), ("ids",)))
    _SOURCE_QUERIES.append(NamedQuery(f"source_{_kind}_from", _description + " From some organisations, each row "
                                      "with its list of sources.", _from_organisations(_cypher), ("organisations",)))
_SOURCE_QUERIES += [
    NamedQuery(
        "source_declarations_from", "The sources some organisations declare (a case cites only those).",
        """
        MATCH (o:Organisation{own})
        WHERE o.id IN $organisations
        MATCH (o{own})-[kr10:CITES{own:kr10}]->(s:Source{own})
        RETURN s.id AS source, {node_label:o} AS label, o.id AS id, o.name AS name
        ORDER BY source, label, id
        """, ("organisations",)),
    NamedQuery(
        "source_concept_declarations", "The sources every concept page declares.",
        """
        MATCH (x{own})-[kr11:CITES{own:kr11}]->(s:Source{own})
        WHERE {node_label:x} <> 'Organisation'
        RETURN s.id AS source, {node_label:x} AS label, x.id AS id, x.name AS name
        ORDER BY source, label, id
        """),
]

_NODE_FIELDS = "{node_label:b} AS label, b.id AS id, coalesce(b.name, b.title) AS name"
_GRAPH_QUERIES: list[NamedQuery] = [
    NamedQuery(
        f"graph_node_{_kind}", f"One {_kind} node of the graph explorer.",
        # A labelled node must have the property it reads: sources have a title, the others a name.
        f"MATCH (b:{_label}{{own}} {{id: $id}}) RETURN {{node_label:b}} AS label, b.id AS id, "
        f"b.{'title' if _label == 'Source' else 'name'} AS name", ("id",))
    for _kind, _label in GRAPH_KINDS.items()
]
# One query per label and direction for the frontier's nodes of that label, with the relationship types that can
# join a node of the label to a node the explorer shows (:data:`kb.graph.schema.REL_ENDPOINTS`): an untyped
# relationship made LadybugDB read every relationship table of the label (an organisation's figures and claims
# too: 11 ms against 0.7 ms), and the far end's labels filtered in the MATCH made it scan every node of the far
# end's tables (every source for a challenge's CITES: 50 ms against 0.4 ms filtered after a WITH).  One query per
# label, not per node: each is a round trip to Neo4j (4-15 ms there on the loaded machine).
_ARROWS = {"out": ("-", "->"), "in": ("<-", "-")}


def _explorer_rel_types(label: str, direction: str) -> list[str]:
    """The relationship types from (``out``) or to (``in``) a node of ``label`` whose other end the explorer shows.

    >>> _explorer_rel_types("Practice", "in")
    ['BROADER', 'INCLUDES', 'USES_PRACTICE']
    """
    shown = set(GRAPH_KINDS.values())
    return sorted({rel_type for rel_type, ends in REL_ENDPOINTS.items() for start, end in ends
                   if (start, end) == ((label, end) if direction == "out" else (start, label))
                   and (end if direction == "out" else start) in shown})


def _graph_step(kind: str, label: str, direction: str) -> NamedQuery:
    types = _explorer_rel_types(label, direction)
    rel = f"[r:{'|'.join(types)}{{own:r}}]" if types else "[r{own:r}]"
    return NamedQuery(
        f"graph_{direction}_{kind}",
        f"Relationships {'from' if direction == 'out' else 'to'} {kind} nodes with the given ids "
        f"{'to' if direction == 'out' else 'from'} nodes of the given labels.",
        f"""
        MATCH (a:{label}{{own}})
        WHERE a.id IN $ids
        MATCH (a{{own}}){_ARROWS[direction][0]}{rel}{_ARROWS[direction][1]}(b{{own}})
        WITH a, r, b
        WHERE {{node_label:b}} IN $labels
        RETURN {{node_label:a}} AS near_label, a.id AS near_id, {{rel_type:r}} AS type, r.status AS status,
               {_NODE_FIELDS}
        ORDER BY near_id, type, label, id
        """, ("ids", "labels"))


_GRAPH_QUERIES += [_graph_step(_kind, _label, _direction)
                   for _direction in ("out", "in") for _kind, _label in GRAPH_KINDS.items()]

_TIMELINE_QUERIES = [
    NamedQuery(
        "timeline_sizes", "Every organisation's size figures (staff, teams, revenue...) with their years, for charts.",
        """
        MATCH (o:Organisation{own})-[kr1:HAS_FIGURE{own:kr1}]->(f:Figure{own})
        WHERE f.measure IS NOT NULL AND f.measure <> ''
        RETURN o.id AS organisation, f.measure AS measure, f.value AS value, f.unit AS unit, f.year AS year,
               f.line AS line
        ORDER BY organisation, measure, year, line
        """),
]

SITE_QUERIES: list[NamedQuery] = [*_FACET_QUERIES, *_SEARCH_QUERIES, *_SOURCE_QUERIES, *_GRAPH_QUERIES,
                                  *_TIMELINE_QUERIES]


class _Queryable(Protocol):
    def query(self, name: str, **params: Any) -> list[dict[str, Any]]: ...


def source_citations(store: _Queryable, source_id: str | None = None, ids: list[str] | None = None,
                     organisations: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every row that cites a source (or only ``source_id``, or those in ``ids``), grouped by source id,
    in citation-kind order.

    Rows keep the citation query's columns plus ``citation`` (one of :data:`CITATION_KINDS`).  A claim
    marked contested or uncertain is also stored as a Claim node on the same line; that copy is dropped,
    so each bullet is listed once.  With ``organisations`` (the cases that declare the sources asked for:
    a case cites only what it declares) only their rows are read, through their ids, instead of every
    citing row of the graph; the answer is the same.
    """
    if organisations is not None:
        wanted = {source_id} if source_id is not None else set(ids or ())
        rows_of = {kind: _cited_from(store, kind, organisations, wanted) for kind in CITATION_KINDS}
    else:
        suffix, params = (("_of", {"id": source_id}) if source_id is not None else ("_in", {"ids": ids})
                          if ids is not None else ("", {}))
        rows_of = {kind: store.query(f"source_{kind}{suffix}", **params) for kind in CITATION_KINDS}
    grouped: dict[str, list[dict[str, Any]]] = {}
    claim_lines: set[tuple[str, str, int]] = set()
    for kind in CITATION_KINDS:
        for row in rows_of[kind]:
            line = (row["source"], row["organisation"], row.get("line"))
            if kind == "claims":
                claim_lines.add(line)
            elif kind == "disputes" and line in claim_lines:
                continue
            grouped.setdefault(row["source"], []).append({**row, "citation": kind})
    return grouped


def _ascending(value: Any) -> tuple[bool, Any]:
    """A sort key that puts a missing value last, as Cypher's ``ORDER BY`` does."""
    return (value is None, value if value is not None else 0)


def _cited_from(store: _Queryable, kind: str, organisations: list[str], wanted: set[str]) -> list[dict[str, Any]]:
    """The rows of ``source_<kind>_from`` one per cited source in ``wanted``, in ``source_<kind>``'s order."""
    rows = [{"source": source, **{key: value for key, value in row.items() if key != "sources"}}
            for row in store.query(f"source_{kind}_from", organisations=organisations)
            for source in row["sources"] or () if source in wanted]
    rows.sort(key=lambda row: (row["source"], row["organisation"], _ascending(row.get("line")),
                               _ascending(row.get("concept") if kind == "claims" else None)))
    return rows


@dataclass
class Neighbourhood:
    """Nodes (``"Label:id"`` -> node dict) and edges around one node of the graph."""

    centre: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


def _key(label: str, node_id: str) -> str:
    return f"{label}:{node_id}"


def neighbourhood(store: _Queryable, kind: str, node_id: str, depth: int = 1,
                  kinds: tuple[str, ...] | None = None, max_nodes: int = 250) -> Neighbourhood | None:
    """The nodes within ``depth`` relationships of one node, and every relationship among them.

    Parameters
    ----------
    store
        Any store answering named queries.
    kind, node_id
        The centre node: a key of :data:`GRAPH_KINDS` and the node's id.
    depth
        1 for the node's neighbours, 2 for their neighbours too.
    kinds
        The kinds of node to show (the centre is always shown); all by default.
    max_nodes
        Stop adding nodes beyond this many (nearer nodes come first); ``truncated`` then says so.

    Returns
    -------
    Neighbourhood or None
        None when there is no such node.  Nodes carry ``key``, ``kind``, ``id``, ``name`` and ``depth``
        (0 for the centre); edges ``source`` and ``target`` (node keys), ``type`` and ``status`` (the
        evidence itself is on the case pages).
    """
    found = store.query(f"graph_node_{kind}", id=node_id)
    if not found:
        return None
    labels = [GRAPH_KINDS[k] for k in (kinds or tuple(GRAPH_KINDS))]
    centre = _node(found[0])
    result = Neighbourhood(centre=centre["key"], nodes={centre["key"]: {**centre, "depth": 0}})
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    frontier = {centre["key"]}
    # One step more than the depth: the last step only adds the relationships among the nodes found.  Those
    # going out of its frontier are enough: one coming into it starts at a node found earlier, whose own step
    # read its outgoing relationships (a popular practice's incoming ones are thousands of organisations).
    for step in range(1, depth + 2):
        reached: set[str] = set()
        for other, edge in _edges_of(store, frontier, labels, ("out",) if step > depth else ("out", "in")):
            edges.setdefault((edge["source"], edge["type"], edge["target"]), edge)
            if step > depth or other["key"] in result.nodes:
                continue
            if len(result.nodes) >= max_nodes:
                result.truncated = True
                continue
            result.nodes[other["key"]] = {**other, "depth": step}
            reached.add(other["key"])
        frontier = reached
    result.edges = [edge for _, edge in sorted(edges.items())
                    if edge["source"] in result.nodes and edge["target"] in result.nodes]
    return result


_KIND_OF_LABEL = {label: kind for kind, label in GRAPH_KINDS.items()}


def _node(row: dict[str, Any]) -> dict[str, Any]:
    return {"key": _key(row["label"], row["id"]), "kind": _KIND_OF_LABEL[row["label"]], "id": row["id"],
            "name": row["name"] or row["id"]}


def _edges_of(store: _Queryable, frontier: set[str], labels: list[str],
              directions: tuple[str, ...]) -> Iterator[tuple[dict, dict]]:
    """Yield (the other node, the edge) for every relationship between a frontier node and a node of ``labels``,
    in ``directions``: one query per label of the frontier's nodes (see ``_graph_step``)."""
    by_label: dict[str, list[str]] = {}
    for key in sorted(frontier):
        label, node_id = key.split(":", 1)
        by_label.setdefault(label, []).append(node_id)
    for direction in directions:
        rows = [row for label, ids in sorted(by_label.items())
                for row in store.query(f"graph_{direction}_{_KIND_OF_LABEL[label]}", ids=ids, labels=labels)]
        for row in rows:
            near, other = _key(row["near_label"], row["near_id"]), _node(row)
            if near not in frontier or row["label"] not in labels:
                continue  # an id shared by nodes of two labels, or a kind the reader hid
            source, target = (near, other["key"]) if direction == "out" else (other["key"], near)
            yield other, {"source": source, "target": target, "type": row["type"], "status": row["status"] or ""}
