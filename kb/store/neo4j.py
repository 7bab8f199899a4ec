"""The Neo4j store: the same read interface as the embedded store, served by a Neo4j server.

A server, a cluster or Aura: :class:`Neo4jSettings` reads the ecosystem's variables (``NEO4J_URI``,
``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``).  Writing the graph there is
:func:`kb.store.neo4j_sync.sync`'s job; this module only reads, always in read access mode
(routed to readers in a cluster), so a query run through it cannot change the graph.

>>> settings = Neo4jSettings.from_environment({"NEO4J_URI": "bolt://localhost:7687"})
>>> settings.database, settings.auth is None
('neo4j', True)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import exceptions as neo4j_errors

from kb.graph.schema import NODE_PROPERTIES
from kb.problems import QueryError, StoreError
from kb.queries.catalogue import cypher_for
from kb.queries.console import ConsoleResult, check_read_only, plain_value, read_capped, scrub_paths
from kb.store.plan_check import check_neo4j_plan

__all__ = ["HASH_PROPERTY", "MANAGED_LABEL", "Neo4jSettings", "Neo4jStore", "plain", "store_error"]

# The driver logs retries as warnings; a library leaves showing them to the application's logging setup.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: The extra label of every node the project writes: a sync never touches a node without it.
MANAGED_LABEL = "KbManaged"
#: Every node and relationship the project writes carries its content hash here; on a relationship
#: the property also marks it as the project's own.
HASH_PROPERTY = "kb_hash"

# A site should answer 503 within seconds when the server is away, not retry for the default 30 s.
# Server notifications (e.g. "property key does not exist" on an empty database) are noise here.
_DRIVER_OPTIONS = {"connection_timeout": 5.0, "max_transaction_retry_time": 3.0, "user_agent": "self-management-kb",
                   "notifications_min_severity": "OFF"}
# Codes that mean "the store is not there" rather than "your query is wrong".
_UNAVAILABLE_CODES = ("Neo.ClientError.Database.DatabaseNotFound", "Neo.TransientError.General.DatabaseUnavailable",
                      "Neo.ClientError.Security.Unauthorized", "Neo.ClientError.Security.AuthenticationRateLimit")


@dataclass(frozen=True)
class Neo4jSettings:
    """Where the Neo4j server is and how to log in to it.

    Parameters
    ----------
    uri : str
        ``bolt://host:7687`` for one server, ``neo4j://`` or ``neo4j+s://`` for a cluster or Aura.
    username, password : str
        Leave ``username`` empty for a server with authentication switched off.
    database : str
        The database to read and write (``neo4j`` unless the server has others).
    """

    uri: str
    username: str = ""
    password: str = ""
    database: str = "neo4j"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None, **overrides: str | None) -> Neo4jSettings:
        """Settings from ``NEO4J_*`` variables; non-empty ``overrides`` (uri=..., database=...) win.

        Raises :class:`~kb.problems.StoreError` when no URI is given anywhere.
        """
        environ = os.environ if environ is None else environ
        values = {key: environ.get(f"NEO4J_{key.upper()}", "") for key in ("uri", "username", "password", "database")}
        values.update({key: value for key, value in overrides.items() if value})
        if not values["uri"]:
            raise StoreError("no Neo4j server given: set NEO4J_URI (for example bolt://localhost:7687) "
                             "or pass --neo4j URI; tools/neo4j/neo4j-dev starts one for development")
        values["database"] = values["database"] or "neo4j"
        return cls(**values)

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username else None

    def driver(self) -> neo4j.Driver:
        """A driver for these settings (the caller closes it)."""
        try:
            return neo4j.GraphDatabase.driver(self.uri, auth=self.auth, **_DRIVER_OPTIONS)
        except (ValueError, neo4j_errors.ConfigurationError) as err:
            raise StoreError(f"cannot use NEO4J_URI={self.uri!r}: {err}") from err


def store_error(err: Exception, settings: Neo4jSettings, doing: str) -> StoreError:
    """A :class:`StoreError` that says which server failed, doing what, and why."""
    reason = getattr(err, "message", None) or str(err) or type(err).__name__
    return StoreError(f"Neo4j at {settings.uri} (database '{settings.database}') failed while {doing}: {reason}")


class Neo4jStore:
    """Read access to the graph in Neo4j: named queries, counts and read-only Cypher.

    Results are plain Python values, the same as :class:`~kb.store.ladybug.LadybugStore` gives for
    the same content (absent properties are ``None``, DOUBLE properties are floats).

    Examples
    --------
    >>> store = Neo4jStore(Neo4jSettings("bolt://127.0.0.1:7687"))   # connects on first use
    >>> store.backend
    'neo4j'
    >>> store.close()
    """

    backend = "neo4j"

    def __init__(self, settings: Neo4jSettings, driver: neo4j.Driver | None = None):
        self.settings = settings
        self._driver = driver or settings.driver()

    @classmethod
    def from_options(cls, uri: str | None = None, username: str | None = None, password: str | None = None,
                     database: str | None = None, environ: Mapping[str, str] | None = None) -> Neo4jStore:
        """Open from explicit options, falling back to the ``NEO4J_*`` environment variables."""
        return cls(Neo4jSettings.from_environment(environ, uri=uri, username=username, password=password,
                                                  database=database))

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run Cypher in read access mode and return rows as dicts of plain values.

        A write is refused by the server and raised as :class:`~kb.problems.QueryError`.
        """
        try:
            records, _, keys = self._driver.execute_query(
                cypher, params or {}, database_=self.settings.database, routing_=neo4j.RoutingControl.READ)
        except neo4j_errors.Neo4jError as err:
            if err.code in _UNAVAILABLE_CODES:
                raise store_error(err, self.settings, "reading") from err
            raise QueryError(err.message or str(err)) from err
        except neo4j_errors.DriverError as err:
            raise store_error(err, self.settings, "reading") from err
        return [{key: plain(record[key]) for key in keys} for record in records]

    def run_readonly(self, cypher: str, params: dict[str, Any] | None = None, *, timeout_ms: int = 5000,
                     row_cap: int = 1000, byte_cap: int = 0) -> ConsoleResult:
        """Run a researcher's query: planned read-only, in a READ session, with limits.

        :func:`kb.queries.console.check_read_only` gives a friendly first refusal; what decides is Neo4j's
        own plan of the query (:func:`kb.store.plan_check.check_neo4j_plan`: ``EXPLAIN`` must
        report a read query, with catalogue procedures only, resolved after parsing), and the READ
        access mode of the session.  The site runs this in a console worker process
        (:mod:`kb.store.console_pool`).
        """
        check_read_only(cypher)
        started = time.perf_counter()
        try:
            with self._driver.session(database=self.settings.database,
                                      default_access_mode=neo4j.READ_ACCESS) as session:
                planned = session.run(neo4j.Query("EXPLAIN " + cypher), params or {}).consume()
                check_neo4j_plan(planned.query_type, planned.plan)
                result = session.run(neo4j.Query(cypher, timeout=timeout_ms / 1000), params or {})
                columns = list(result.keys())
                rows, truncated, notes = read_capped(([_console_value(v) for v in record.values()]
                                                      for record in result), row_cap, byte_cap)
        except neo4j_errors.Neo4jError as err:
            if err.code in _UNAVAILABLE_CODES:
                raise store_error(err, self.settings, "reading") from err
            if "TransactionTimedOut" in (err.code or ""):
                raise QueryError(f"The query ran longer than {timeout_ms / 1000:g} s and was stopped.") from err
            raise QueryError(scrub_paths(err.message or str(err))) from err
        except neo4j_errors.DriverError as err:
            raise store_error(err, self.settings, "reading") from err
        return ConsoleResult(columns, rows, truncated, (time.perf_counter() - started) * 1000, notes)

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query from :mod:`kb.queries.catalogue` in the Neo4j dialect."""
        return self.run(cypher_for(name, self.backend), params)

    def counts(self) -> dict[str, int]:
        """Number of nodes per label of the graph schema (labels without nodes are left out)."""
        # One count-store lookup per label; the labels come from the schema, never from input.
        cypher = " UNION ALL ".join(f"MATCH (n:{label}) RETURN '{label}' AS label, count(n) AS n"
                                    for label in NODE_PROPERTIES)
        return {row["label"]: row["n"] for row in self.run(cypher) if row["n"]}

    def close(self) -> None:
        self._driver.close()


def plain(value: Any) -> Any:
    """A Neo4j result value as plain Python: nodes and relationships become dicts of their properties.

    The project's bookkeeping property is left out, so a node reads the same as in the embedded store.

    >>> plain([1, {"a": 2.5}])
    [1, {'a': 2.5}]
    """
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, neo4j.graph.Node):
        labels = sorted(value.labels)
        label = next((name for name in labels if name in NODE_PROPERTIES), labels[0] if labels else "")
        return {"_LABEL": label, **_properties(value)}
    if isinstance(value, neo4j.graph.Relationship):
        return {"_LABEL": value.type, **_properties(value)}
    if isinstance(value, neo4j.graph.Path):
        return {"_nodes": [plain(node) for node in value.nodes],
                "_rels": [plain(rel) for rel in value.relationships]}
    if hasattr(value, "to_native"):  # neo4j.time values
        return value.to_native()
    return value


def _properties(entity: neo4j.graph.Entity) -> dict[str, Any]:
    return {key: plain(item) for key, item in entity.items() if key != HASH_PROPERTY}


def _console_value(value: Any) -> Any:
    """The console's JSON-ready form of a value, without the sync's bookkeeping property."""
    converted = plain_value(value)
    if isinstance(value, neo4j.graph.Node | neo4j.graph.Relationship):
        converted.pop(HASH_PROPERTY, None)
    return converted
