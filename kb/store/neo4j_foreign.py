"""What a sync must not do to data it did not write: take over a foreign node, or orphan a foreign relationship.

Both are checked inside the sync's transaction before anything is written (:mod:`kb.store.neo4j_sync`), so the
refusal names the node and relationship in the way, and nothing needs rolling back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import neo4j

from kb.graph.schema import NODE_PROPERTIES
from kb.problems import StoreError
from kb.store.neo4j import HASH_PROPERTY, MANAGED_LABEL
from kb.store.neo4j_scope import NodeKey

__all__ = ["SyncRefused", "only_ours", "refuse_foreign_conflicts"]


class SyncRefused(StoreError):
    """The load would take over or orphan someone else's data; nothing was written."""


_BLOCKING_RELS = f"""
UNWIND $eids AS eid
MATCH (n) WHERE elementId(n) = eid
MATCH (n)-[r]-(other) WHERE r.{HASH_PROPERTY} IS NULL
RETURN [label IN labels(n) WHERE label <> '{MANAGED_LABEL}'][0] AS label, n.id AS id, n.file AS file, type(r) AS type,
       startNode(r) = n AS outgoing, [label IN labels(other) WHERE label <> '{MANAGED_LABEL}'] AS other_labels,
       coalesce(other.id, other.name, elementId(other)) AS other
LIMIT 5
"""


def only_ours(tx: neo4j.Transaction, nodes_now: dict[NodeKey, list]) -> set[str]:
    """The labels every node of which is the project's: as many nodes in Neo4j's count store as ``nodes_now`` has.

    No node of these labels can be in the way of a new one, so their new ids need not be looked up
    one by one (a first sync creates every node: some hundred thousand look-ups at 10,000 cases).
    """
    ours: dict[str, int] = defaultdict(int)
    for (label, _), found in nodes_now.items():
        ours[label] += len(found)
    cypher = " UNION ALL ".join(f"MATCH (n:{label}) RETURN '{label}' AS label, count(n) AS n"
                                for label in NODE_PROPERTIES)
    return {record["label"] for record in tx.run(cypher) if record["n"] == ours[record["label"]]}


def refuse_foreign_conflicts(tx: neo4j.Transaction, node_deletes: list[str],
                             node_creates: Mapping[str, list[dict[str, Any]]], only_ours: set[str]) -> None:
    """Refuse, naming them, what a load must not do: take over a foreign node or orphan a foreign relationship.

    Checked inside the load's transaction before anything is written, so the message can name the
    node (label, id) and the relationship in the way, and nothing needs rolling back.  The new
    nodes of ``only_ours`` labels (:func:`only_ours`) are not looked up.
    """
    blockers = list(tx.run(_BLOCKING_RELS, eids=node_deletes)) if node_deletes else []
    if blockers:
        first = blockers[0]
        arrow = (f"(:{first['label']} {{id: '{first['id']}'}})-[:{first['type']}]->({_node_text(first)})"
                 if first["outgoing"] else
                 f"({_node_text(first)})-[:{first['type']}]->(:{first['label']} {{id: '{first['id']}'}})")
        more = f" (and {len(blockers) - 1} more)" if len(blockers) > 1 else ""
        came_from = f"; it came from {first['file']}" if first["file"] else ""
        raise SyncRefused(
            f"refused to load: the files no longer have {first['label']} '{first['id']}'{came_from}, but a "
            f"relationship that this project did not create is attached to it: {arrow}{more}. Remove it or attach "
            f"it elsewhere (e.g. MATCH (:{first['label']} {{id: '{first['id']}'}})-[r:{first['type']}]-() "
            f"WHERE r.{HASH_PROPERTY} IS NULL DELETE r), then load again; nothing was changed")
    for label, new in node_creates.items():
        if label in only_ours:
            continue
        taken = [record["id"] for record in tx.run(
            f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) WHERE NOT n:{MANAGED_LABEL} RETURN n.id AS id LIMIT 5",
            ids=[props["id"] for props in new])]
        if taken:
            raise SyncRefused(
                f"refused to load: a node that this project did not create already has the label {label} and the "
                f"id '{taken[0]}' that the files need{' (and more)' if len(taken) > 1 else ''}; rename or remove it "
                f"(MATCH (n:{label} {{id: '{taken[0]}'}}) WHERE NOT n:{MANAGED_LABEL} RETURN n), then load again; "
                "nothing was changed")


def _node_text(record: Any) -> str:
    labels = "".join(f":{label}" for label in record["other_labels"])
    return f"{labels} {{id: '{record['other']}'}}" if labels else f"{{id: '{record['other']}'}}"
