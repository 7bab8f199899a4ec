"""Every URI and connection problem is a clear message, never a traceback; the site fails fast and says
when the graph in Neo4j is empty.

Against the real Neo4j where the problem is the server's (missing database, TLS on one side only,
refused login, an empty database); against a closed port and a socket that never answers where the
problem is the network's.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
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

from .conftest import FIXTURES, REPO, skip_or_fail
from .neo4j_fixtures import load_server_module


def load_cli(uri: str, *extra: str, env: dict | None = None):
    # The embedded store the sync keeps its record in: a fresh one, never beside the fixture.
    with tempfile.TemporaryDirectory(prefix="kb-neo4j-cli-") as store:
        result = CliRunner().invoke(main, ["load", "--root", str(FIXTURES / "mini"), "--store", store, "--neo4j",
                                           uri, *extra], env=env or {})
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
    ("bolt://neo4j:secret@127.0.0.1:7687", "give them in NEO4J_USERNAME and NEO4J_PASSWORD instead"),
    ("bolt://127.0.0.1:7687?policy=eu", "a bolt:// URI takes no parameters"),
    ("bolt://127.0.0.1:7687#top", "which Neo4j's URIs do not have: remove it"),
    ("bolt://127.0.0.1:7687/neo4j/cases", "may name one database"),
    ("bolt://127.0.0.1 :7687", "contains a space"),
    ("bolt://[::1:7687", "Invalid IPv6 URL"),
])
def test_a_wrong_uri_is_one_clear_line_from_the_loader_and_the_site(uri: str, advice: str, monkeypatch) -> None:
    result = load_cli(uri)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and advice in result.output, result.output
    assert "Traceback" not in result.output and "aiohttp" not in result.output
    monkeypatch.setenv("NEO4J_URI", uri)
    with pytest.raises(SettingsError, match=advice.replace("+", r"\+").replace(".", r"\.")):
        create_app({"TESTING": True, "KB_STORE": "neo4j"})


@pytest.mark.parametrize("server", ["flask", "gunicorn"])
def test_a_wrong_uri_is_one_line_under_flask_run_and_gunicorn(server: str, tmp_path: Path) -> None:
    """What an operator sees starting the site: one line and exit status 1, no traceback, no retries."""
    command = {"flask": [sys.executable, "-m", "flask", "--app", "webapp", "run", "--port", str(closed_port())],
               "gunicorn": [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf",
                            "webapp:create_app()"]}[server]
    for uri, advice in (("http://localhost:7474", "use bolt://localhost:7687"),
                        ("localhost:7687", "has no scheme: use bolt://localhost:7687")):
        environment = {**os.environ, "KB_STORE": "neo4j", "NEO4J_URI": uri, "PORT": str(closed_port()),
                       "KB_STORE_PATH": str(tmp_path / "store")}
        run = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=60)
        lines = [line for line in run.stderr.splitlines() if "[INFO]" not in line]  # gunicorn's own start line
        assert run.returncode == 1, run.stderr
        assert lines == [f"Error: KB_STORE=neo4j: {lines[0].split(': ', 2)[2]}"] and advice in lines[0], run.stderr
        assert "Traceback" not in run.stderr + run.stdout


def test_a_database_named_in_the_uri_is_used_or_refused_never_ignored(neo4j_server, monkeypatch) -> None:
    missing = load_cli(f"{neo4j_server.uri}/cases")
    assert missing.exit_code == 1
    assert f"Neo4j at {neo4j_server.uri} has no database 'cases'" in missing.output
    assert "nothing was loaded" in missing.output
    clash = load_cli(f"{neo4j_server.uri}/cases", env={"NEO4J_DATABASE": "neo4j"})
    assert clash.exit_code == 1
    assert "names the database 'cases' but NEO4J_DATABASE is 'neo4j': give the database in one place" in clash.output
    monkeypatch.setenv("NEO4J_URI", f"{neo4j_server.uri}/cases")
    page = create_app({"TESTING": True, "KB_STORE": "neo4j"}).test_client().get("/cases.json")
    assert page.status_code == 503 and "has no database 'cases'" in page.json["error"]
    assert Neo4jSettings(f"{neo4j_server.uri}/neo4j").database == "neo4j"


def test_the_loader_gives_up_on_a_port_that_never_answers_within_seconds() -> None:
    silent = SilentServer()
    try:
        started = time.monotonic()
        result = load_cli(f"bolt://127.0.0.1:{silent.port}")
        waited = time.monotonic() - started
    finally:
        silent.close()
    assert result.exit_code == 1 and "did not complete Bolt's handshake" in result.output
    assert "nothing was loaded" in result.output
    assert waited < 20, waited  # the driver's default waits 60 s


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


def test_a_refused_login_names_the_user_and_is_not_retried_in_a_loop(tmp_path: Path, monkeypatch,
                                                                     caplog) -> None:
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
        set_password(uri, "right-password")

        # The site with a wrong password: one refused login, then no retry for a minute (every failed
        # login extends Neo4j's lockout of the user), while every page answers 503 at once saying so.
        monkeypatch.setenv("NEO4J_URI", uri)
        monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
        monkeypatch.setenv("NEO4J_PASSWORD", "wrong-password")
        with caplog.at_level(logging.WARNING, logger="kb.store"):
            app = create_app({"TESTING": True, "KB_STORE": "neo4j"})
            client = app.test_client()
            for path in ("/cases.json", "/", "/sources.json", "/export/graph.json", "/patterns.json") * 3:
                response = client.get(path)
                assert response.status_code == 503, path
        assert "a refused login is tried again only every 60 s" in client.get("/cases.json").json["error"]
        breaker = app.extensions["kb_store"].breaker
        assert breaker.delay == 60 and breaker.attempts == 0
        said = [r.getMessage() for r in caplog.records if "tried again in 60 s" in r.getMessage()]
        assert len(said) == 1 and "refused the login of user 'neo4j'" in said[0]
        # ... so that the loader (and an administrator) with the right password is not locked out.
        right = load_cli(uri, env={"NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": "right-password"})
        assert right.exit_code == 0, right.output
        app.extensions["kb_store"].close()
    finally:
        server.stop()


def set_password(uri: str, password: str) -> None:
    """Replace the initial password (neo4j/neo4j, expired) of a server started with authentication on."""
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "neo4j")) as driver, driver.session(database="system") as s:
        s.run(f"ALTER CURRENT USER SET PASSWORD FROM 'neo4j' TO '{password}'").consume()


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
