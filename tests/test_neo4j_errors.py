"""Every URI and connection problem is a clear message, never a traceback; the site fails fast and says
when the graph in Neo4j is empty.

Against the real Neo4j where the problem is the server's (missing database, TLS on one side only,
refused login, an empty database); against a closed port and a socket that never answers where the
problem is the network's.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main
from kb.graph.rows import graph_rows
from kb.load import load_content
from kb.problems import GraphNotLoaded, StoreError
from kb.store.neo4j import Neo4jSettings, Neo4jStore
from kb.store.neo4j_sync import sync
from webapp import create_app
from webapp.settings import SettingsError

from .conftest import FIXTURES, skip_or_fail
from .neo4j_fixtures import load_server_module


def load_cli(uri: str, *extra: str, env: dict | None = None):
    result = CliRunner().invoke(main, ["load", "--root", str(FIXTURES / "mini"), "--neo4j", uri, *extra],
                                env=env or {})
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SilentServer:
    """A TCP port that accepts connections and never answers (a hung server or a half-open firewall)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)

    def close(self) -> None:
        self._listener.close()
        for conn in self._held:
            conn.close()


# --- URIs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("uri", "advice"), [
    ("http://127.0.0.1:7474", "use bolt://127.0.0.1:7687"),
    ("https://abcd1234.databases.neo4j.io", "use neo4j+s://abcd1234.databases.neo4j.io"),
    ("127.0.0.1:7687", "has no scheme: use bolt://127.0.0.1:7687"),
    ("mongodb://127.0.0.1:7687", "which is not Neo4j's: use bolt://"),
    ("bolt://127.0.0.1:99999", "has no valid port number"),
])
def test_a_wrong_uri_is_one_clear_line_from_the_loader_and_the_site(uri: str, advice: str, monkeypatch) -> None:
    result = load_cli(uri)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and advice in result.output, result.output
    assert "Traceback" not in result.output and "aiohttp" not in result.output
    monkeypatch.setenv("NEO4J_URI", uri)
    with pytest.raises(SettingsError, match=advice.replace("+", r"\+").replace(".", r"\.")):
        create_app({"TESTING": True, "KB_STORE": "neo4j"})


def test_a_closed_port_says_nothing_listens_and_nothing_was_loaded() -> None:
    result = load_cli(f"bolt://127.0.0.1:{closed_port()}")
    assert result.exit_code == 1
    assert "nothing is listening at 127.0.0.1:" in result.output and "nothing was loaded" in result.output
    assert "rolled back" not in result.output


def test_an_unknown_host_says_so() -> None:
    result = load_cli("bolt://no-such-host.invalid:7687")
    assert result.exit_code == 1 and "the host name 'no-such-host.invalid' cannot be resolved" in result.output


# --- the server's side --------------------------------------------------------------------------

def test_a_missing_database_is_named(neo4j_server) -> None:
    result = load_cli(neo4j_server.uri, env={"NEO4J_DATABASE": "cases"})
    assert result.exit_code == 1
    assert f"Neo4j at {neo4j_server.uri} has no database 'cases': set NEO4J_DATABASE" in result.output
    assert "nothing was loaded" in result.output and "rolled back" not in result.output
    with pytest.raises(StoreError, match="has no database 'cases'"):
        Neo4jStore(Neo4jSettings(neo4j_server.uri, database="cases")).query("organisations")


def test_tls_on_one_side_only_says_what_to_use(neo4j_server) -> None:
    port = neo4j_server.uri.rsplit(":", 1)[1]
    for scheme, plain in (("bolt+s", "bolt"), ("neo4j+s", "neo4j")):
        result = load_cli(f"{scheme}://127.0.0.1:{port}")
        assert result.exit_code == 1
        assert "the encrypted (TLS) handshake failed" in result.output, result.output
        assert f"use {plain}:// for an unencrypted server" in result.output


def test_a_refused_login_names_the_user_and_the_variables(tmp_path: Path) -> None:
    module = load_server_module()
    server = module.Neo4jServer(settings={"dbms.security.auth_enabled": "true"}, data_dir=tmp_path / "auth")
    try:
        server.start(timeout=240)
    except module.Neo4jUnavailable as err:
        skip_or_fail(f"Neo4j unavailable: {err}")
    try:
        uri = server.uri
        wrong = load_cli(uri, env={"NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": "wrong-password"})
        assert wrong.exit_code == 1
        assert "refused the login of user 'neo4j'" in wrong.output and "NEO4J_PASSWORD" in wrong.output
        assert "nothing was loaded" in wrong.output
        nobody = load_cli(uri)
        assert nobody.exit_code == 1 and "refused the login of a connection without user name" in nobody.output
    finally:
        server.stop()


# --- the site: fast failure and an empty graph ---------------------------------------------------------

def test_site_fails_fast_while_neo4j_hangs_and_does_not_wait_on_every_page(monkeypatch) -> None:
    silent = SilentServer()
    try:
        monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{silent.port}")
        app = create_app({"TESTING": True, "KB_STORE": "neo4j"})
        client = app.test_client()
        first = client.get("/cases.json")
        assert first.status_code == 503
        assert "accepts connections but did not complete Bolt's handshake" in first.json["error"]
        breaker = app.extensions["kb_store"].breaker
        assert breaker.is_open
        # While the breaker is open no request connects: only the background attempts do (two
        # connections each: the driver's and the diagnosis').
        connections, attempts = silent.accepted, breaker.attempts
        for path in ("/cases.json", "/analytics.json", "/cases/alpha-care.json", "/", "/sources") * 4:
            response = client.get(path)
            assert response.status_code == 503, path
        assert "trying again in the background every 2 s" in response.get_data(as_text=True)
        assert silent.accepted - connections <= 2 * (breaker.attempts - attempts + 1)
    finally:
        silent.close()


def test_site_says_when_the_graph_in_neo4j_is_empty_and_how_to_load_it(neo4j_db, monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_URI", neo4j_db.uri)
    client = create_app({"TESTING": True, "KB_STORE": "neo4j"}).test_client()
    empty = client.get("/cases.json")
    assert empty.status_code == 503 and empty.json["title"] == "Graph not loaded"
    assert f"is empty: it was never loaded here, or the server was reset. Load it with: python graph_loader.py " \
           f"load --neo4j {neo4j_db.uri}" in empty.json["error"]
    assert "Graph not loaded" in client.get("/cases").get_data(as_text=True)

    neo4j_db.driver.execute_query("CREATE (:Organisation {id: 'theirs', name: 'Not ours'})", database_="neo4j")
    with pytest.raises(GraphNotLoaded, match="holds 1 nodes but none of this project's"):
        Neo4jStore(neo4j_db.settings).query("organisations")

    sync(neo4j_db.settings, graph_rows(load_content(FIXTURES / "mini").corpus))
    assert client.get("/cases.json").status_code == 200  # an empty database is looked at on every request
