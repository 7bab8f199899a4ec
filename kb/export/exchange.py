"""The graph as networkx, read back from any store through the export queries.

The site's downloads use this, so that they show what the active store holds (LadybugDB or Neo4j).
"""

from __future__ import annotations

import networkx as nx

from kb.graph.rows import GraphRows, to_networkx
from kb.graph.schema import NODE_PROPERTIES, REL_ENDPOINTS, REL_PROPERTIES
from kb.store import GraphStore

__all__ = ["graph_from_store", "rows_from_store"]


def rows_from_store(store: GraphStore) -> GraphRows:
    """Every node and relationship the store holds, as :class:`~kb.graph.rows.GraphRows`."""
    rows = GraphRows()
    for label in NODE_PROPERTIES:
        for node in store.query(f"export_nodes_{label}"):
            rows.add_node(label, **node)
    for rel_type in REL_ENDPOINTS:
        for rel in store.query(f"export_rels_{rel_type}"):
            props = {key: rel[key] for key in REL_PROPERTIES}
            rows.add_rel(rel_type, (rel["start_label"], rel["from_id"]), (rel["to_label"], rel["to_id"]), **props)
    return rows


def graph_from_store(store: GraphStore) -> nx.MultiDiGraph:
    """The store's graph as a MultiDiGraph, keyed and attributed like :func:`kb.load_graph`."""
    return to_networkx(rows_from_store(store))
