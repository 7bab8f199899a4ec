"""Fixtures for the Neo4j tests (a pytest plugin listed in tests/conftest.py).

- ``neo4j_server``: one throw-away Neo4j Community server (``tools/neo4j``) for the whole test
  session, started the first time a test asks for it and stopped when the session ends.  Where
  Java or Maven is missing, the tests that need it are skipped with instructions; under CI=true
  they fail instead.
- ``neo4j_db``: the same server with its database emptied for the test.

The server also serves HTTP (Neo4j Browser, as ``tools/neo4j/neo4j-dev --http`` does) on a free port,
``http_uri``, so that the Browser test needs no server of its own: each cold JVM costs the suite tens
of seconds.

Tests that use either fixture are marked ``neo4j`` automatically (``pytest -m "not neo4j"``
leaves them out).  Neo4j Community has one user database, so tests share it: a test that changes
it uses ``neo4j_db``; fixtures that only read a loaded graph use :meth:`Neo4jTestServer.ensure_loaded`,
which loads at most once per content.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SERVER_PY = REPO / "tools" / "neo4j" / "server.py"
SERVER_FIXTURES = ("neo4j_server", "neo4j_db")


def load_server_module() -> ModuleType:
    """``tools/neo4j/server.py`` as module ``kb_tools_neo4j_server`` (the name test_neo4j_server.py uses)."""
    name = "kb_tools_neo4j_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SERVER_PY)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclass and typing lookups need the module registered
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Neo4jTestServer:
    """The session's server: where it is, a driver to inspect it, and what content it holds."""

    uri: str
    version: str
    driver: Any  # neo4j.Driver
    http_uri: str | None = None  # Neo4j's HTTP server (Neo4j Browser at /browser/)
    loaded: object = None  # the rows loaded by ensure_loaded, None when unknown

    @property
    def settings(self):
        from kb.store.neo4j import Neo4jSettings

        return Neo4jSettings(self.uri)

    def wipe(self) -> None:
        """Delete every node and relationship, the project's and anyone else's."""
        self.driver.execute_query("MATCH (n) DETACH DELETE n", database_="neo4j")
        self.loaded = None

    def ensure_loaded(self, tag: object, rows) -> None:
        """Make the database hold exactly ``rows`` (and nothing else), unless it holds them already.

        ``tag`` names who asks (for the reader); the rows decide, so tests of the same content, whatever
        their tag, share one load.  A test that changes the database sets ``loaded = None``.
        """
        from kb.store.neo4j_sync import sync

        if self.loaded is None or self.loaded != rows:
            self.wipe()
            sync(self.settings, rows, driver=self.driver)
            self.loaded = rows

    def scalar(self, cypher: str, **params: Any) -> Any:
        """The single value a query returns (read directly, not through the project's store)."""
        records, _, _ = self.driver.execute_query(cypher, params, database_="neo4j")
        return records[0][0]


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jTestServer]:
    from tests.conftest import skip_or_fail

    try:
        import neo4j
    except ImportError:  # pragma: no cover - the driver is a requirement
        skip_or_fail("the neo4j driver is missing: pip install -r requirements.txt")
    module = load_server_module()
    # A cold server on a busy machine plans its first statements slowly: the first load of a session
    # was seen to pass the default 60 s transaction timeout under CI load (2 cores, many JVMs).
    server = module.Neo4jServer(tx_timeout="600s", http_port=0)
    try:
        server.start(timeout=240)
    except module.Neo4jUnavailable as err:
        skip_or_fail(f"Neo4j unavailable: {err}")
    driver = neo4j.GraphDatabase.driver(server.uri, auth=None)
    try:
        yield Neo4jTestServer(server.uri, server.version, driver, server.http_uri)
    finally:
        driver.close()
        server.stop()


@pytest.fixture
def neo4j_db(neo4j_server: Neo4jTestServer) -> Neo4jTestServer:
    """The session's server with an empty database."""
    neo4j_server.wipe()
    return neo4j_server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(name in getattr(item, "fixturenames", ()) for name in SERVER_FIXTURES):
            item.add_marker(pytest.mark.neo4j)
