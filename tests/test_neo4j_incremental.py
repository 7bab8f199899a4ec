"""The Neo4j sync of only what changed (kb.load.neo4j): after each change the graph equals a fresh full sync.

Runs on the session's throw-away server (tests/neo4j_fixtures.py).
"""

from __future__ import annotations

from pathlib import Path

from kb.load.neo4j import sync_to_neo4j
from kb.store.neo4j import Neo4jSettings
from kb.store.neo4j_sync import sync

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


def test_another_server_or_an_emptied_database_gets_a_full_sync(neo4j_db, mini_root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    sync_to_neo4j(mini_root, store, neo4j_db.settings)
    edit(mini_root, ALPHA, "coaches help on request.", "coaches help when asked.")
    # The same server under another address is, for the record, another server: all compared.
    assert "127.0.0.1" in neo4j_db.uri
    elsewhere = Neo4jSettings(neo4j_db.uri.replace("127.0.0.1", "localhost"))
    _, other = sync_to_neo4j(mini_root, store, elsewhere)
    assert not other.part and other.updated["relationships"] == 1

    neo4j_db.wipe()  # as a new server would be: nothing of the graph, no version
    _, emptied = sync_to_neo4j(mini_root, store, neo4j_db.settings)
    assert not emptied.part and emptied.created["nodes"] > 0
    assert graph(neo4j_db) == fresh_full_sync(neo4j_db, mini_root)
