"""What the project holds in Neo4j, all of it or only a part (:class:`SyncScope`): the read side of a sync.

:func:`kb.store.neo4j_sync.sync` compares the rows of the files with what this module reads: every
node carrying :data:`~kb.store.neo4j.MANAGED_LABEL` and every relationship carrying
:data:`~kb.store.neo4j.HASH_PROPERTY` (:func:`existing`), or, for a sync limited to a part, only the
keys of that part, looked up by id through the uniqueness constraints (:func:`existing_in`), so that
one changed case costs what its part costs.  A part is trusted only while Neo4j holds the graph
version it was recorded at; otherwise the sync raises :class:`StaleSync` and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import neo4j

from kb.graph.schema import NODE_PROPERTIES
from kb.problems import StoreError
from kb.store.neo4j import HASH_PROPERTY, MANAGED_LABEL

__all__ = ["NodeKey", "RelKey", "StaleSync", "SyncScope", "batches", "existing", "existing_in"]

NodeKey = tuple[str, str]  # (label, id)
# A relationship is known by its type and ends.  Not by its line: an edit higher up in a file moves
# every line below it, and that should update those relationships, not replace them.
RelKey = tuple[str, str, str, str, str]  # (type, start label, start id, end label, end id)


@dataclass
class SyncScope:
    """The part of the graph a sync compares and changes; the rest is taken to be as it was.

    ``nodes`` and ``relationships`` are every key the part had at the last sync and has now (the
    changed cases' own, the shared nodes they touch); a key in the scope but not in the rows is
    deleted.  ``version`` is the graph version that sync left: when Neo4j holds another one (another
    load wrote since, or it is another server), the sync raises :class:`StaleSync` and writes nothing.
    """

    nodes: set[NodeKey]
    relationships: set[RelKey]
    version: str


class StaleSync(StoreError):
    """Neo4j no longer holds the graph version a sync of a part was based on; nothing was written."""


def _schema_label(labels: list[str]) -> str:
    return next((label for label in labels if label in NODE_PROPERTIES), "")


_EXISTING_NODES = f"""
MATCH (n:{MANAGED_LABEL})
RETURN elementId(n) AS eid, labels(n) AS labels, n.id AS id, n.line AS line, n.{HASH_PROPERTY} AS hash
"""
_EXISTING_RELS = f"""
MATCH (a)-[r]->(b) WHERE r.{HASH_PROPERTY} IS NOT NULL
RETURN elementId(r) AS eid, type(r) AS type, labels(a) AS a_labels, a.id AS a, labels(b) AS b_labels, b.id AS b,
       r.line AS line, r.{HASH_PROPERTY} AS hash
"""


def existing(tx: neo4j.Transaction) -> tuple[dict[NodeKey, list[tuple[str, str, int | None]]],
                                             dict[RelKey, list[tuple[int, str, str]]]]:
    """The project's nodes (key -> [(hash, element id, line)]) and relationships (key -> [(line, hash, element id)])."""
    nodes: dict[NodeKey, list[tuple[str, str, int | None]]] = defaultdict(list)
    for eid, labels, node_id, line, digest in tx.run(_EXISTING_NODES):
        nodes[(_schema_label(labels), node_id)].append((digest, eid, line))
    rels: dict[RelKey, list[tuple[int, str, str]]] = defaultdict(list)
    for eid, rel_type, a_labels, a, b_labels, b, line, digest in tx.run(_EXISTING_RELS):
        rels[(rel_type, _schema_label(a_labels), a, _schema_label(b_labels), b)].append((line or 0, digest, eid))
    return nodes, rels


def existing_in(tx: neo4j.Transaction, scope: SyncScope, batch_size: int) -> tuple[dict, dict]:
    """As :func:`existing`, for the keys of ``scope`` only: found by id through the uniqueness constraints."""
    nodes: dict[NodeKey, list[tuple[str, str, int | None]]] = defaultdict(list)
    ids_by_label: dict[str, list[str]] = defaultdict(list)
    for label, node_id in scope.nodes:
        ids_by_label[label].append(node_id)
    for label, ids in ids_by_label.items():
        for batch in batches(sorted(ids), batch_size):
            for eid, node_id, line, digest in tx.run(
                    f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) WHERE n:{MANAGED_LABEL} "
                    f"RETURN elementId(n) AS eid, n.id AS id, n.line AS line, n.{HASH_PROPERTY} AS hash", ids=batch):
                nodes[(label, node_id)].append((digest, eid, line))
    # Relationships by their start nodes, one statement per start label (few, so Neo4j plans few
    # statements), keeping only the scope's: every relationship of a part starts at a node with an id.
    rels: dict[RelKey, list[tuple[int, str, str]]] = defaultdict(list)
    starts_by_label: dict[str, set[str]] = defaultdict(set)
    for _type, start, a, _end, _b in scope.relationships:
        starts_by_label[start].add(a)
    for start, ids in starts_by_label.items():
        for batch in batches(sorted(ids), batch_size):
            for eid, rel_type, a, b_labels, b, line, digest in tx.run(
                    f"UNWIND $ids AS id MATCH (a:{start} {{id: id}})-[r]->(b) WHERE r.{HASH_PROPERTY} IS NOT NULL "
                    f"RETURN elementId(r) AS eid, type(r) AS type, a.id AS a, labels(b) AS b_labels, b.id AS b, "
                    f"r.line AS line, r.{HASH_PROPERTY} AS hash", ids=batch):
                key = (rel_type, start, a, _schema_label(b_labels), b)
                if key in scope.relationships:
                    rels[key].append((line or 0, digest, eid))
    return nodes, rels


def batches(rows: list, size: int) -> Iterator[list]:
    """``rows`` in consecutive slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start:start + size]
