"""The Neo4j sync of only what changed (kb.load.neo4j): after each change the graph equals a fresh full sync.

Runs on the session's throw-away server (tests/neo4j_fixtures.py).
"""

from __future__ import annotations

from pathlib import Path

from kb.export.exchange import rows_from_store
from kb.graph.rows import GraphRows
from kb.graph.schema import NODE_PROPERTIES, REL_PROPERTIES
from kb.load.embedded import load_embedded
from kb.load.neo4j import NEO4J_STATE, sync_to_neo4j
from kb.store.ladybug import LadybugStore
from kb.store.neo4j import Neo4jSettings
from kb.store.neo4j_sync import content_hash, neo4j_properties, sync

from .test_neo4j_store import ALPHA, add_gamma, delete_beta, edit, rows_of


def graph(server) -> set[str]:
    """Every node (labels, properties) and relationship (type, ends by label and id, properties), ids left out.

    The graph version's token is left out too: each sync that writes makes a new one.
    """
    nodes, _, _ = server.driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_="neo4j")
    rels, _, _ = server.driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN labels(a) AS a_labels, a.id AS a, type(r) AS type, labels(b) AS b_labels, "
        "b.id AS b, properties(r) AS props", database_="neo4j")
    found = set()
    for record in [*nodes, *rels]:
        data = record.data()
        data["props"] = sorted((k, v) for k, v in data["props"].items() if k != "version")
        found.add(repr(sorted((k, sorted(v) if isinstance(v, list) and k.endswith("labels") else v)
                              for k, v in data.items())))
    return found


def fresh_full_sync(server, root: Path) -> set[str]:
    """The graph a full sync of ``root`` into an empty database gives."""
    server.wipe()
    sync(server.settings, rows_of(root))
    return graph(server)


def test_only_the_changed_cases_are_synced_and_the_graph_equals_a_full_sync(neo4j_db, mini_root: Path,
                                                                         tmp_path: Path) -> None:
    store, settings = tmp_path / "store", neo4j_db.settings
    _, first = sync_to_neo4j(mini_root, store, settings)
    assert not first.part and first.created["nodes"] > 0

    changes = [
        ("a claim changed", lambda: edit(mini_root, ALPHA, "coaches help on request.", "coaches help when asked.")),
        ("a case added", lambda: add_gamma(mini_root)),
        ("a source renamed", lambda: edit(mini_root, ALPHA, "report-a", "report-alpha")),
        ("a case deleted", lambda: delete_beta(mini_root)),
    ]
    for what, change in changes:
        change()
        _, report = sync_to_neo4j(mini_root, store, settings)
        assert report.part, what
        assert report.changed, what
        synced = graph(neo4j_db)
        assert synced == fresh_full_sync(neo4j_db, mini_root), what
        # The fresh sync above wrote a new graph version: the next sync cannot trust its record, and
        # compares everything (finding nothing to change).
        _, again = sync_to_neo4j(mini_root, store, settings)
        assert not again.part and not again.changed, what

    _, unchanged = sync_to_neo4j(mini_root, store, settings)
    assert unchanged.part and unchanged.summary() == "no changes: the graph in Neo4j already matches the files"


def test_the_same_graph_under_another_address_gets_a_sync_of_the_part(neo4j_db, mini_root: Path,
                                                                       tmp_path: Path) -> None:
    # A server restarted on another port (as the benchmark's is) or reached under another name holds
    # the graph version the last sync left: only the changed case is compared, and the graph is a full sync's.
    store = tmp_path / "store"
    sync_to_neo4j(mini_root, store, neo4j_db.settings)
    edit(mini_root, ALPHA, "coaches help on request.", "coaches help when asked.")
    assert "127.0.0.1" in neo4j_db.uri
    elsewhere = Neo4jSettings(neo4j_db.uri.replace("127.0.0.1", "localhost"))
    _, other = sync_to_neo4j(mini_root, store, elsewhere)
    assert other.part and other.updated == {"nodes": 1, "relationships": 1}
    assert graph(neo4j_db) == fresh_full_sync(neo4j_db, mini_root)

    # The fresh full sync above left another graph version, which no record knows: all compared.
    edit(mini_root, ALPHA, "coaches help when asked.", "coaches help on request.")
    _, unknown = sync_to_neo4j(mini_root, store, neo4j_db.settings)
    assert not unknown.part and unknown.updated["relationships"] == 1
    # And back under the first address: that sync's record, moved there.
    edit(mini_root, ALPHA, "coaches help on request.", "coaches help when asked.")
    _, back = sync_to_neo4j(mini_root, store, elsewhere)
    assert back.part and back.updated == {"nodes": 1, "relationships": 1}


def test_another_server_or_an_emptied_database_gets_a_full_sync(neo4j_db, mini_root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    sync_to_neo4j(mini_root, store, neo4j_db.settings)
    edit(mini_root, ALPHA, "coaches help on request.", "coaches help when asked.")

    neo4j_db.wipe()  # as a new server would be: nothing of the graph, no version
    _, emptied = sync_to_neo4j(mini_root, store, neo4j_db.settings)
    assert not emptied.part and emptied.created["nodes"] > 0
    assert graph(neo4j_db) == fresh_full_sync(neo4j_db, mini_root)

    # A damaged record of the last sync is as none: all compared, and the record made anew.
    (store / NEO4J_STATE).write_bytes(b"not a database" * 100)
    _, damaged = sync_to_neo4j(mini_root, store, neo4j_db.settings)
    assert not damaged.part and not damaged.changed
    edit(mini_root, ALPHA, "coaches help when asked.", "coaches help on request.")
    _, after = sync_to_neo4j(mini_root, store, neo4j_db.settings)
    assert after.part and after.updated["relationships"] == 1

    # A change loaded without --neo4j is read again by the next sync (the load that follows has
    # nothing to read), its links resolved as the load resolved them.
    edit(mini_root, ALPHA, "coaches help on request.", "coaches help when asked.")
    assert load_embedded(mini_root, store).mode == "incremental"
    _, later = sync_to_neo4j(mini_root, store, neo4j_db.settings)
    assert later.part and later.updated["relationships"] == 1
    assert graph(neo4j_db) == fresh_full_sync(neo4j_db, mini_root)


def test_the_embedded_store_gives_a_full_sync_the_rows_the_files_give(real_rows: GraphRows, real_store: Path) -> None:
    """A full sync after ``load`` reads its rows back from the embedded store rather than every file again.

    Typed as Neo4j stores them, they must be the files' rows, property for property (else every sync
    of a part after it would find differences that are not there).
    """
    store = LadybugStore(real_store)
    try:
        from_store = rows_from_store(store)
    finally:
        store.close()

    def typed(rows: GraphRows) -> tuple[dict, list[str]]:
        nodes = {(label, node["id"]): neo4j_properties(node, NODE_PROPERTIES[label])
                 for label, items in rows.nodes.items() for node in items}
        rels = sorted(repr(((r.type, r.start_label, r.start, r.end_label, r.end), neo4j_properties(r.props, REL_PROPERTIES)))
                      for r in rows.rels)
        return nodes, rels

    nodes, rels = typed(from_store)
    assert len(nodes) > 1000 and len(rels) > 1000
    assert (nodes, rels) == typed(real_rows)
    assert {key: content_hash(props) for key, props in nodes.items()} == \
        {key: content_hash(props) for key, props in typed(real_rows)[0].items()}
