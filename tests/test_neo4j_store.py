"""The Neo4j store against a real Neo4j: sync semantics, atomic loads, foreign data, read-only serving.

Every test here runs on the session's throw-away server (tests/neo4j_fixtures.py); the database is
emptied before each test that uses ``neo4j_db``.
"""

from __future__ import annotations

import contextlib
import gc
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main
from kb.graph.rows import GraphRows, Rel, graph_rows
from kb.load import load_content
from kb.problems import QueryError, StoreError
from kb.store.ladybug import LadybugStore
from kb.store.neo4j import VERSION_LABEL, Neo4jSettings, Neo4jStore
from kb.store.neo4j_sync import sync
from webapp import create_app
from webapp.settings import SettingsError

from .conftest import load_into, skip_or_fail
from .neo4j_fixtures import load_server_module

ALPHA = "cases/alpha-care.md"
RELATION_TO_BETA = "relations:\n  - {type: partner-of, target: beta-shoes, sources: [report-b]}\n"


def rows_of(root: Path) -> GraphRows:
    result = load_content(root)
    assert result.ok, [str(p) for p in result.errors]
    return graph_rows(result.corpus)


def edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def add_gamma(root: Path) -> None:
    """A third case, copied from beta-shoes under a new id."""
    text = (root / "cases" / "beta-shoes.md").read_text(encoding="utf-8")
    (root / "cases" / "gamma-coop.md").write_text(
        text.replace("id: beta-shoes", "id: gamma-coop").replace("name: Beta Shoes", "name: Gamma Co-op"),
        encoding="utf-8")


def delete_beta(root: Path) -> None:
    (root / "cases" / "beta-shoes.md").unlink()
    edit(root, ALPHA, RELATION_TO_BETA, "")


def dump(server) -> list[str]:
    """Every node and relationship with all its labels and properties, in a fixed order."""
    nodes, _, _ = server.driver.execute_query(
        "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props", database_="neo4j")
    rels, _, _ = server.driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN elementId(r) AS id, elementId(a) AS a, type(r) AS type, elementId(b) AS b, "
        "properties(r) AS props", database_="neo4j")
    return sorted(repr(sorted(record.data().items())) for record in [*nodes, *rels])


class CuttableProxy:
    """A TCP proxy on loopback in front of the server; ``cut()`` drops every connection at once."""

    def __init__(self, target_uri: str):
        host, port = target_uri.rsplit("/", 1)[1].rsplit(":", 1)
        self._target = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.uri = f"bolt://127.0.0.1:{self._listener.getsockname()[1]}"
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def cut(self) -> None:
        self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


# --- sync semantics -----------------------------------------------------------------------------

def test_first_load_writes_everything_and_a_second_load_changes_nothing(neo4j_db, mini_root: Path) -> None:
    rows = rows_of(mini_root)
    nodes, rels = rows.counts()
    first = sync(neo4j_db.settings, rows)
    assert first.created == {"nodes": sum(nodes.values()), "relationships": sum(rels.values())}
    before = dump(neo4j_db)

    second = sync(neo4j_db.settings, rows_of(mini_root))
    assert not second.changed
    assert second.summary() == "no changes: the graph in Neo4j already matches the files"
    assert second.unchanged == sum(nodes.values()) + sum(rels.values())
    assert dump(neo4j_db) == before  # same element ids too: nothing was rewritten


def test_sync_follows_added_edited_and_deleted_cases(neo4j_db, mini_root: Path, tmp_path: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    add_gamma(mini_root)
    edit(mini_root, ALPHA, "coaches help on request.", "coaches help when teams ask.")
    edit(mini_root, ALPHA, "- [Staff well-being](../concepts/outcomes/staff-wellbeing.md) [uncertain]: "
         "staff are satisfied. [src: report-a]\n", "")
    delete_beta(mini_root)

    report = sync(neo4j_db.settings, rows_of(mini_root))
    assert report.created["nodes"] > 0 and report.deleted["nodes"] > 0
    assert report.updated["nodes"] > 0 and report.updated["relationships"] > 0 and report.deleted["relationships"] > 0

    store = Neo4jStore(neo4j_db.settings)
    assert [o["id"] for o in store.query("organisations")] == ["alpha-care", "gamma-coop"]
    assert store.query("organisation", id="beta-shoes") == []
    claims = {c["concept"]: c for c in store.query("organisation_claims", id="alpha-care")}
    assert claims["coaches-not-managers"]["detail"] == "coaches help when teams ask."
    assert "staff-wellbeing" not in claims
    assert store.query("organisation_relations", id="alpha-care") == []
    # The synced graph is exactly what a fresh load of the same files gives.
    load_into(mini_root, tmp_path / "fresh")
    fresh = LadybugStore(tmp_path / "fresh")
    for name in ("label_counts", "relationship_counts", "organisations", "organisation_figures"):
        params = {"id": "alpha-care"} if name == "organisation_figures" else {}
        assert store.query(name, **params) == fresh.query(name, **params), name
    store.close()


def test_cli_loads_into_neo4j_and_says_when_nothing_changed(neo4j_db, mini_root: Path, monkeypatch,
                                                            tmp_path: Path) -> None:
    nodes, rels = rows_of(mini_root).counts()
    runner = CliRunner()
    monkeypatch.setenv("KB_STORE_PATH", str(tmp_path / "store"))
    first = runner.invoke(main, ["load", "--root", str(mini_root), "--neo4j", neo4j_db.uri])
    assert first.exit_code == 0, first.output
    assert f"created {sum(nodes.values())} nodes and {sum(rels.values())} relationships" in first.output
    monkeypatch.setenv("NEO4J_URI", neo4j_db.uri)  # --neo4j without a URI reads the ecosystem's variable
    again = runner.invoke(main, ["load", "--root", str(mini_root), "--neo4j"])
    assert again.exit_code == 0, again.output
    assert "no changes" in again.output
    assert "Neo4j at " + neo4j_db.uri in again.output


# --- a failed load keeps the previous graph ---------------------------------------------------------

def test_dropped_connection_mid_load_keeps_the_previous_graph(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    before = dump(neo4j_db)
    add_gamma(mini_root)
    edit(mini_root, ALPHA, "coaches help on request.", "coaches help when teams ask.")
    changed = rows_of(mini_root)

    proxy = CuttableProxy(neo4j_db.uri)
    statements: list[str] = []

    def cut_after_two_statements(step: str) -> None:
        statements.append(step)
        if len(statements) == 3:
            proxy.cut()

    with pytest.raises(StoreError, match="previous graph is unchanged"):
        sync(Neo4jSettings(proxy.uri), changed, batch_size=2, progress=cut_after_two_statements)
    assert len(statements) == 3  # two statements had written inside the transaction when it dropped
    assert dump(neo4j_db) == before
    # The server rolled the orphaned transaction back and released its locks: the next load works.
    assert sync(neo4j_db.settings, changed).created["nodes"] > 0


def test_bad_input_mid_load_keeps_the_previous_graph(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    before = dump(neo4j_db)
    add_gamma(mini_root)
    broken = rows_of(mini_root)
    # Nodes are written first; this relationship, written last, points at a node that does not exist.
    broken.rels.append(Rel("USES_PRACTICE", "Organisation", "gamma-coop", "Practice", "no-such-practice",
                           {"detail": "x", "sources": [], "status": "", "contested": False, "file": "", "line": 1}))
    with pytest.raises(StoreError, match=r"wrote 0 of 1 rows.*previous graph is unchanged"):
        sync(neo4j_db.settings, broken)
    assert dump(neo4j_db) == before


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory):
    """A Neo4j server of this module's own, with its data on disk and a fixed port, for the tests that stop
    and start it (one server for them all: each start of a cold JVM costs the suite tens of seconds)."""
    module = load_server_module()
    # A cold server on a busy CI machine plans its first load slowly.
    server = module.Neo4jServer(data_dir=tmp_path_factory.mktemp("own-neo4j") / "neo4j", port=free_port(),
                                tx_timeout="600s")
    try:
        yield server
    finally:
        server.stop()


def serving(server, root: Path):
    """``server`` running (started again if a test left it stopped) and holding ``root``'s graph."""
    module = load_server_module()
    try:
        server.start(timeout=240)
    except module.Neo4jUnavailable as err:
        skip_or_fail(f"Neo4j unavailable: {err}")
    sync(Neo4jSettings(server.uri), rows_of(root))
    return server


@pytest.mark.neo4j
def test_server_restart_mid_load_keeps_the_previous_graph(own_server, mini_root: Path) -> None:
    """A server of its own, with its data on disk, stopped in the middle of a load and started again."""
    server = serving(own_server, mini_root)
    before = {row for row in Neo4jStore(Neo4jSettings(server.uri)).run(DUMP_BY_ID)[0]["rows"]}
    add_gamma(mini_root)

    def stop_the_server(step: str) -> None:
        if step.startswith("create Organisation"):  # nodes of the new case are being written
            server.stop(timeout=0.5)  # no waiting for a clean shutdown: it goes away mid-transaction

    with pytest.raises(StoreError, match="previous graph is unchanged"):
        sync(Neo4jSettings(server.uri), rows_of(mini_root), progress=stop_the_server)
    server.start(timeout=240)  # same data folder
    after = Neo4jStore(Neo4jSettings(server.uri))
    assert {row for row in after.run(DUMP_BY_ID)[0]["rows"]} == before
    assert [o["id"] for o in after.query("organisations")] == ["alpha-care", "beta-shoes"]
    after.close()


# A dump that does not depend on internal ids, read through the project's own read path.
DUMP_BY_ID = """
MATCH (n) OPTIONAL MATCH (n)-[r]->(m)
WITH n, r, m ORDER BY n.id
RETURN collect(labels(n)[0] + ':' + n.id + ' ' + coalesce(type(r) + '->' + m.id + ' ' + r.kb_hash, '')) AS rows
"""


# --- foreign data -------------------------------------------------------------------------------------

FOREIGN = """
CREATE (ada:Person {name: 'Ada'})-[:KNOWS {since: 2020}]->(:Person {name: 'Bob'})
CREATE (:Practice {id: 'house-practice', name: 'Our own practice'})
WITH ada
MATCH (alpha:Organisation {id: 'alpha-care'}), (beta:Organisation {id: 'beta-shoes'})
CREATE (ada)-[:WORKS_AT]->(alpha), (alpha)-[:NOTE {text: 'ask Ada'}]->(beta)
SET alpha.reviewed_by = 'Ada'
"""


def test_foreign_data_is_never_touched(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    neo4j_db.driver.execute_query(FOREIGN, database_="neo4j")
    foreign_before = dump_foreign(neo4j_db)

    add_gamma(mini_root)
    edit(mini_root, ALPHA, "name: Alpha Care", "name: Alpha Care Cooperative")
    edit(mini_root, ALPHA, "- [Coaches](../concepts/practices/coaches-not-managers.md): coaches help on request. "
         "[src: report-b]\n", "")
    report = sync(neo4j_db.settings, rows_of(mini_root))
    assert report.updated["nodes"] > 0 and report.deleted["relationships"] > 0

    assert dump_foreign(neo4j_db) == foreign_before
    assert neo4j_db.scalar("MATCH (o:Organisation {id: 'alpha-care'}) RETURN o.name") == "Alpha Care Cooperative"
    assert neo4j_db.scalar("MATCH (o:Organisation {id: 'alpha-care'}) RETURN o.reviewed_by") == "Ada"


def dump_foreign(server) -> list[str]:
    """What someone else added: nodes without the project's label, relationships without its hash,
    and the property added to a project node (the project's version node is its own)."""
    return [line for line in dump(server)
            if "KbManaged" not in line and "kb_hash" not in line and VERSION_LABEL not in line] + [
        repr(server.scalar("MATCH (o:Organisation {id: 'alpha-care'}) RETURN o.reviewed_by"))]


def test_a_foreign_node_with_a_project_id_is_refused_not_taken_over(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    neo4j_db.driver.execute_query("CREATE (:Organisation {id: 'gamma-coop', name: 'Theirs'})", database_="neo4j")
    before = dump(neo4j_db)
    add_gamma(mini_root)
    with pytest.raises(StoreError, match=r"did not create already has the label Organisation and the id 'gamma-coop'"
                                         r".*nothing was changed"):
        sync(neo4j_db.settings, rows_of(mini_root))
    assert dump(neo4j_db) == before


def test_a_project_node_with_foreign_relationships_is_not_deleted(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    neo4j_db.driver.execute_query("MATCH (b:Organisation {id: 'beta-shoes'}) CREATE (:Person {name: 'Ada'})-"
                                  "[:WORKS_AT]->(b)", database_="neo4j")
    before = dump(neo4j_db)
    delete_beta(mini_root)
    with pytest.raises(StoreError, match=r"the files no longer have Organisation 'beta-shoes'.*a relationship that this "
                                         r"project did not create is attached to it: \(:Person \{id: 'Ada'\}\)"
                                         r"-\[:WORKS_AT\]->\(:Organisation \{id: 'beta-shoes'\}\)"):
        sync(neo4j_db.settings, rows_of(mini_root))
    assert dump(neo4j_db) == before


# --- serving -----------------------------------------------------------------------------------------

def test_a_query_through_the_read_path_cannot_write(neo4j_db, mini_root: Path, monkeypatch) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    store = Neo4jStore(neo4j_db.settings)
    with pytest.raises(QueryError, match="read access mode"):
        store.run("CREATE (n:Intruder) RETURN n")
    with pytest.raises(QueryError, match="read access mode"):
        store.run("MATCH (o:Organisation {id: 'alpha-care'}) SET o.name = 'Hacked'")
    # The console's text guard is one layer; Neo4j's plan and the READ session still refuse a write.
    monkeypatch.setattr("kb.store.neo4j.check_read_only", lambda _cypher: None)
    with pytest.raises(QueryError, match="plans this query as a write"):
        store.run_readonly("MERGE (n:Intruder {id: 1})")
    assert neo4j_db.scalar("MATCH (n:Intruder) RETURN count(n)") == 0
    assert store.query("organisation", id="alpha-care")[0]["name"] == "Alpha Care"
    store.close()


def test_a_reading_block_answers_alike_and_sees_one_version_until_it_ends(neo4j_db, mini_root: Path) -> None:
    """A page's queries (one block) read the version once: what it derives is of one version even if a sync lands."""
    sync(neo4j_db.settings, rows_of(mini_root))
    store = Neo4jStore(neo4j_db.settings)
    outside = (store.query("organisations"), store.query("organisation_claims", id="alpha-care"))
    before = store.version()
    with store.reading():
        assert (store.query("organisations"), store.query("organisation_claims", id="alpha-care")) == outside
        assert store.version() == before
        edit(mini_root, ALPHA, "name: Alpha Care", "name: Alpha Care Renamed")
        assert sync(neo4j_db.settings, rows_of(mini_root)).changed
        assert store.version() == before  # the block's version, read once
        assert store.query("organisation", id="alpha-care")[0]["name"] == "Alpha Care Renamed"
        with pytest.raises(QueryError):  # a failed query leaves the block usable
            store.run("RETURN nonsense(")
        with store.reading():  # blocks nest
            assert store.version() == before
        assert [o["id"] for o in store.query("organisations")] == ["alpha-care", "beta-shoes"]
    after = store.version()
    assert len(after) == 32 and after != before
    store.close()


def test_a_neo4j_worker_builds_the_indexes_of_a_new_sync_before_any_request(neo4j_db, mini_root: Path,
                                                                            monkeypatch) -> None:
    """A sync restarts no worker: the worker's thread sees the new version and builds its indexes, not a visitor."""
    import kb.analysis.search as search
    from webapp.store import build_derived_in_background

    sync(neo4j_db.settings, rows_of(mini_root))
    monkeypatch.setenv("NEO4J_URI", neo4j_db.uri)
    app = create_app({"TESTING": True, "KB_STORE": "neo4j"})
    built: list[str] = []
    rebuilt = threading.Event()
    original = search.search_index_for

    def recording(store):
        index = original(store)
        built.append(store.version())
        if len(set(built)) == 2:
            rebuilt.set()
        return index

    monkeypatch.setattr(search, "search_index_for", recording)
    stop = threading.Event()
    thread = build_derived_in_background(app, follow=stop, interval=0.05)
    try:
        edit(mini_root, ALPHA, "name: Alpha Care", "name: Alpha Care Renamed")
        assert sync(neo4j_db.settings, rows_of(mini_root)).changed
        assert rebuilt.wait(60), built
    finally:
        stop.set()
        thread.join(60)
        gc.unfreeze()  # the worker's thread froze this test process's objects: collectable again
    assert built[-1] == Neo4jStore(neo4j_db.settings).version()
    assert "Alpha Care Renamed" in app.test_client().get("/search?q=alpha").get_data(as_text=True)


def test_console_returns_plain_rows_with_a_row_cap_and_a_time_limit(neo4j_db, mini_root: Path) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    store = Neo4jStore(neo4j_db.settings)
    result = store.run_readonly("MATCH (o:Organisation) RETURN o ORDER BY o.id", row_cap=1)
    assert result.columns == ["o"] and result.truncated and len(result.rows) == 1
    node = result.rows[0][0]
    assert node["_label"] == "Organisation" and node["id"] == "alpha-care" and "kb_hash" not in node
    with pytest.raises(QueryError, match=r"ran longer than 0\.5 s"):
        # 46**4 rows, each with work Neo4j cannot skip (a bare count(*) it answers from counts).
        store.run_readonly("MATCH (a), (b), (c), (d) WHERE a.id + b.id + c.id + d.id = 'x' RETURN count(*)",
                           timeout_ms=500)
    store.close()


def test_site_reads_neo4j_with_one_setting(neo4j_db, mini_root: Path, tmp_path: Path, monkeypatch) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    load_into(mini_root, tmp_path / "embedded")
    embedded = create_app({"TESTING": True, "KB_STORE_PATH": str(tmp_path / "embedded")})
    monkeypatch.setenv("NEO4J_URI", neo4j_db.uri)
    served = create_app({"TESTING": True, "KB_STORE": "neo4j"})
    for path in ("/index.json", "/cases.json", "/cases/alpha-care.json", "/cases/beta-shoes.json"):
        from_neo4j = served.test_client().get(path)
        assert from_neo4j.status_code == 200, path
        assert from_neo4j.json == embedded.test_client().get(path).json, path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_neo4j_is_a_503_with_the_reason(monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{free_port()}")
    response = create_app({"TESTING": True, "KB_STORE": "neo4j"}).test_client().get("/cases.json")
    assert response.status_code == 503
    assert "Neo4j at bolt://127.0.0.1:" in response.json["error"] and "refused" in response.json["error"]


def test_neo4j_site_without_a_uri_stops_at_start_up(monkeypatch) -> None:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    with pytest.raises(SettingsError, match="NEO4J_URI"):
        create_app({"TESTING": True, "KB_STORE": "neo4j"})


@pytest.mark.parametrize(("cypher", "message"), [
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD"),
    ("CALL dbms.components()", "Procedure calls are not allowed"),
    ("CALL db.ping()", "Procedure calls are not allowed"),
    ("MATCH (n) DETACH DELETE n", "DELETE is not allowed"),
    ("CREATE INDEX x FOR (n:Organisation) ON (n.name)", "CREATE is not allowed"),
])
def test_console_refuses_files_procedures_and_writes_on_neo4j(neo4j_db, mini_root: Path, cypher: str,
                                                             message: str) -> None:
    sync(neo4j_db.settings, rows_of(mini_root))
    store = Neo4jStore(neo4j_db.settings)
    with pytest.raises(QueryError, match=message):
        store.run_readonly(cypher)
    assert [o["id"] for o in store.query("organisations")] == ["alpha-care", "beta-shoes"]
    store.close()


@pytest.mark.neo4j
def test_site_answers_503_while_neo4j_is_down_and_recovers_by_itself(own_server, mini_root: Path,
                                                                     monkeypatch) -> None:
    """Neo4j stopped under a running site: a clear 503; started again on the same address: pages come back."""
    import time

    server = serving(own_server, mini_root)
    monkeypatch.setenv("NEO4J_URI", server.uri)
    client = create_app({"TESTING": True, "KB_STORE": "neo4j"}).test_client()
    assert client.get("/cases/alpha-care.json").status_code == 200
    # One outage behaviour for every page: each of these was served (and its caches filled) before the
    # server stopped, and each answers 503 while it is down, none with the old data.
    every_kind = ("/", "/cases", "/cases/alpha-care", "/compare.json?case=alpha-care", "/patterns.json",
                  "/analytics.json", "/patterns/claims.json?practice=self-managing-teams&outcome=staff-wellbeing",
                  "/search.json?q=teams", "/sources.json", "/lessons.json", "/practices/self-managing-teams",
                  "/graph/organisation/alpha-care.json", "/export/graph.json", "/export/nodes.csv",
                  "/export/graph.graphml", "/export/graph.cypher")
    for path in every_kind:
        assert client.get(path).status_code == 200, path
    server.stop()
    down = client.get("/cases/alpha-care.json")
    assert down.status_code == 503 and "Neo4j" in down.json["error"]
    page = client.get("/cases/alpha-care")
    assert page.status_code == 503 and "Graph store unavailable" in page.text
    served_while_down = {path: client.get(path).status_code for path in every_kind}
    assert served_while_down == dict.fromkeys(every_kind, 503)
    server.start(timeout=240)
    deadline, status = time.monotonic() + 60, 0
    while time.monotonic() < deadline and status != 200:  # the driver reconnects on its own
        status = client.get("/cases/alpha-care.json").status_code
        time.sleep(0.5) if status != 200 else None
    assert status == 200
    assert client.get("/cases/alpha-care").status_code == 200
