"""The Neo4j store: the same read interface as the embedded store, served by a Neo4j server.

A server, a cluster or Aura: :class:`Neo4jSettings` reads the ecosystem's variables (``NEO4J_URI``,
``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``).  Writing the graph there is
:func:`kb.store.neo4j_sync.sync`'s job; this module only reads, always in read access mode
(routed to readers in a cluster), so a query run through it cannot change the graph.

Every problem with the URI or the connection is a :class:`~kb.problems.StoreError` that says what
happened and what to do (:func:`check_uri`, :func:`describe_error`), never a traceback.  Reading fails
fast while the server is away (:class:`~kb.store.breaker.CircuitBreaker`) and says so when the
database holds no graph of this project (:class:`~kb.problems.GraphNotLoaded`).

>>> settings = Neo4jSettings.from_environment({"NEO4J_URI": "bolt://localhost:7687"})
>>> settings.database, settings.auth is None
('neo4j', True)
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import neo4j
from neo4j import exceptions as neo4j_errors

from kb.graph.schema import NODE_PROPERTIES
from kb.problems import GraphNotLoaded, KbError, QueryError, StoreError
from kb.queries.catalogue import cypher_for
from kb.queries.console import ConsoleResult, check_read_only, engine_message, error_chars, plain_value, read_capped
from kb.store.breaker import CircuitBreaker, LoginRefused
from kb.store.neo4j_settings import (
    _DEFAULT_BOLT_PORT,
    DEFAULT_DATABASE,
    READ_CONNECTION_TIMEOUT,
    Neo4jSettings,
    check_uri,
    database_in_uri,
)
from kb.store.plan_check import check_neo4j_plan
from kb.store.versioned import cache_folder

__all__ = ["DEFAULT_DATABASE", "HASH_PROPERTY", "MANAGED_LABEL", "VERSION_LABEL", "Neo4jSettings", "Neo4jStore",
           "check_uri", "database_in_uri", "describe_error", "graph_version", "plain", "store_error"]

# The driver logs retries as warnings; a library leaves showing them to the application's logging setup.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

#: The extra label of every node the project writes: a sync never touches a node without it.
MANAGED_LABEL = "KbManaged"
#: Every node and relationship the project writes carries its content hash here; on a relationship
#: the property also marks it as the project's own.
HASH_PROPERTY = "kb_hash"
#: The label of the one node (``id: 'graph'``) whose ``version`` every sync that writes replaces, in
#: its transaction: :meth:`Neo4jStore.version`.  Not a graph node (no :data:`MANAGED_LABEL`).
VERSION_LABEL = "KbGraphVersion"

#: Seconds between the circuit breaker's background attempts while the server is away.
RETRY_EVERY = 2.0
#: How long a successful "is the graph loaded" check is trusted before it is made again.
LOADED_CHECK_SECONDS = 2.0
# Codes that mean "the store is not there" rather than "your query is wrong".
_UNAVAILABLE_CODES = ("Neo.ClientError.Database.DatabaseNotFound", "Neo.TransientError.General.DatabaseUnavailable",
                      "Neo.ClientError.Security.Unauthorized", "Neo.ClientError.Security.AuthenticationRateLimit",
                      "Neo.ClientError.Security.CredentialsExpired")




def describe_error(err: Exception, settings: Neo4jSettings) -> str:
    """What went wrong talking to Neo4j, in words that say what to do (not the driver's internals)."""
    code = getattr(err, "code", "") or ""
    reason = getattr(err, "message", None) or str(err) or type(err).__name__
    where = f"Neo4j at {settings.uri}"
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return (f"{where} has no database '{settings.database}': set NEO4J_DATABASE to one that exists "
                "(SHOW DATABASES lists them; Neo4j Community has only 'neo4j')")
    if code == "Neo.ClientError.Security.CredentialsExpired":
        return (f"{where}: the password of user '{settings.username}' has expired and must be changed first "
                "(e.g. in cypher-shell or Neo4j Browser: ALTER CURRENT USER SET PASSWORD FROM 'old' TO 'new')")
    if isinstance(err, neo4j_errors.AuthError) or code.startswith("Neo.ClientError.Security."):
        who = f"user '{settings.username}'" if settings.username else "a connection without user name"
        return (f"{where} refused the login of {who} ({reason}): check NEO4J_USERNAME and NEO4J_PASSWORD")
    if code == "Neo.TransientError.General.DatabaseUnavailable":
        return f"{where}: database '{settings.database}' is not available right now (starting, stopped or busy)"
    if isinstance(err, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | OSError):
        return f"{where} cannot be reached: {_connection_problem(settings, reason)}"
    return f"{where} (database '{settings.database}'): {reason}"


def _connection_problem(settings: Neo4jSettings, reason: str) -> str:
    """Why a connection failed, found out from the driver's reason and, where it hides the cause, a plain TCP try."""
    parts = urlsplit(settings.uri)
    host, port = parts.hostname or "localhost", parts.port or _DEFAULT_BOLT_PORT
    encrypted = "+s" in parts.scheme
    text = reason.lower()
    if "dns resolve" in text or "name or service not known" in text or "nodename nor servname" in text:
        return f"the host name '{host}' cannot be resolved (a typo, or no network?)"
    if "looks like http" in text:
        return (f"{host}:{port} answers HTTP, not Bolt (Neo4j's HTTP port, for Browser, is usually 7474; Bolt "
                f"listens on {_DEFAULT_BOLT_PORT} unless configured otherwise)")
    if "certificate" in text:
        return (f"the server's TLS certificate is not trusted ({reason}); for a self-signed certificate use "
                f"{parts.scheme.replace('+s', '+ssc')}://")
    try:
        with socket.create_connection((host, port), timeout=READ_CONNECTION_TIMEOUT):
            pass
    except ConnectionRefusedError:
        return (f"nothing is listening at {host}:{port} (connection refused): is Neo4j running there? "
                "(tools/neo4j/neo4j-dev starts one for development)")
    except TimeoutError:
        return (f"no answer from {host}:{port} within {READ_CONNECTION_TIMEOUT:g} s: the host is down, "
                "or a firewall drops the connection")
    except OSError as err:
        return f"{host}:{port} cannot be reached ({err.strerror or err})"
    if encrypted:
        return (f"{host}:{port} accepts connections but the encrypted (TLS) handshake failed: the server does not "
                f"offer TLS on this port; use {parts.scheme.replace('+s', '').replace('+sc', '')}:// for an "
                "unencrypted server, or switch TLS on there (server.bolt.tls_level)")
    why = "no answer to it" if "handshake" in text else reason
    return (f"{host}:{port} accepts connections but did not complete Bolt's handshake ({why}): it may require "
            f"encryption (Aura always does: use {parts.scheme}+s://), or it is not Neo4j's Bolt port "
            "(Browser's HTTP port is 7474; Bolt's 7687)")



def connect(driver: neo4j.Driver, settings: Neo4jSettings) -> None:
    """Make sure the server answers, the login works and the database exists; raise :class:`StoreError` if not.

    One try, no retries: a server that is not there should be reported at once.
    """
    try:
        with driver.session(database=settings.database, default_access_mode=neo4j.READ_ACCESS) as session:
            session.run("RETURN 1").consume()
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as err:
        raise StoreError(describe_error(err, settings)) from err


def graph_version(driver: neo4j.Driver, settings: Neo4jSettings) -> str:
    """As :func:`connect`, and the token the last sync that changed anything left in Neo4j ("" if none did)."""
    try:
        with driver.session(database=settings.database, default_access_mode=neo4j.READ_ACCESS) as session:
            record = session.run(f"OPTIONAL MATCH (v:{VERSION_LABEL} {{id: 'graph'}}) RETURN v.version AS version"
                                 ).single(strict=True)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as err:
        raise StoreError(describe_error(err, settings)) from err
    return str(record["version"] or "")


def store_error(err: Exception, settings: Neo4jSettings, doing: str) -> StoreError:
    """A :class:`StoreError` that says which server failed, doing what, and why."""
    return StoreError(f"{describe_error(err, settings)} (while {doing})")


def _unavailable_error(err: Exception, settings: Neo4jSettings) -> StoreError:
    """The :class:`StoreError` for a server that cannot be used; a refused login is a :class:`LoginRefused`."""
    code = getattr(err, "code", "") or ""
    refused = isinstance(err, neo4j_errors.AuthError) or code.startswith("Neo.ClientError.Security.")
    return (LoginRefused if refused else StoreError)(describe_error(err, settings))


def _is_unavailable(err: Exception) -> bool:
    """Whether ``err`` means the server cannot be used now (rather than that a query is wrong)."""
    return (isinstance(err, neo4j_errors.ServiceUnavailable | neo4j_errors.SessionExpired | neo4j_errors.AuthError
                       | OSError)
            or getattr(err, "code", "") in _UNAVAILABLE_CODES)


class _Reading(threading.local):
    """One thread's reading scope (:meth:`Neo4jStore.reading`): its session and the version it read, if any."""

    depth = 0
    session: neo4j.Session | None = None
    version: str | None = None


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
        self._driver = driver or settings.driver(reading=True)
        self.breaker = CircuitBreaker(self._probe, RETRY_EVERY)
        self._loaded_until = 0.0
        self._reading = _Reading()

    @classmethod
    def from_options(cls, uri: str | None = None, username: str | None = None, password: str | None = None,
                     database: str | None = None, environ: Mapping[str, str] | None = None,
                     connect_timeout: float | None = None) -> Neo4jStore:
        """Open from explicit options, falling back to the ``NEO4J_*`` environment variables.

        ``connect_timeout`` (seconds, default :data:`READ_CONNECTION_TIMEOUT`) bounds connecting and
        Bolt's handshake: how long the first request waits before a 503 when the server hangs.
        """
        settings = Neo4jSettings.from_environment(environ, uri=uri, username=username, password=password,
                                                  database=database)
        return cls(settings, settings.driver(reading=True, connect_timeout=connect_timeout))

    def run(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run Cypher in read access mode and return rows as dicts of plain values.

        A write is refused by the server and raised as :class:`~kb.problems.QueryError`.  While the
        server is away this fails at once (:class:`~kb.problems.StoreError`, see :attr:`breaker`);
        when the database holds no graph of this project it raises :class:`~kb.problems.GraphNotLoaded`.
        """
        self._check_loaded()
        return self._read(cypher, params)

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Within the block, this thread's queries share one session and the graph's version is read once.

        A page runs several named queries and asks for the version once per structure it derives; each
        on its own is a managed transaction (a session from the pool, then BEGIN with the query and a
        COMMIT: two round trips).  In the block each query is one round trip on the session's
        connection, and :meth:`version` answers from the first time it was read.  The site opens one
        block per request (:mod:`webapp.store`); blocks nest, and outside one nothing changes.  The
        session is taken on the first query, so a block that runs none costs nothing.
        """
        scope = self._reading
        scope.depth += 1
        try:
            yield
        finally:
            scope.depth -= 1
            if not scope.depth:
                scope.version = None
                self._end_session()

    def _end_session(self) -> None:
        """Give this thread's reading session back to the pool (the next query in the block takes another)."""
        session, self._reading.session = self._reading.session, None
        # A broken connection is dropped by the pool; the error that broke it was raised already.
        if session is not None:
            with contextlib.suppress(neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError):
                session.close()

    def _read(self, cypher: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.breaker.check()
        scope = self._reading
        try:
            if not scope.depth:
                records, _, keys = self._driver.execute_query(
                    cypher, params or {}, database_=self.settings.database, routing_=neo4j.RoutingControl.READ)
                return [{key: plain(record[key]) for key in keys} for record in records]
            if scope.session is None:
                scope.session = self._driver.session(database=self.settings.database,
                                                     default_access_mode=neo4j.READ_ACCESS)
            result = scope.session.run(cypher, params or {})
            keys = result.keys()
            return [{key: plain(record[key]) for key in keys} for record in result]
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as err:
            if scope.depth:
                self._end_session()  # the next query of the block starts on a fresh connection
            raise self._failure(err) from err

    def _failure(self, err: Exception) -> KbError:
        """The error to raise for ``err``; a server that cannot be used opens the circuit breaker."""
        if _is_unavailable(err):
            error = _unavailable_error(err, self.settings)
            self.breaker.trip(error)
            return error
        if isinstance(err, neo4j_errors.Neo4jError):
            return QueryError(err.message or str(err))
        return StoreError(describe_error(err, self.settings))

    def _probe(self) -> None:
        """One background attempt of the circuit breaker (with the store's own short timeouts)."""
        try:
            self._driver.execute_query("RETURN 1", database_=self.settings.database,
                                       routing_=neo4j.RoutingControl.READ)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as err:
            raise _unavailable_error(err, self.settings) from err
        self._loaded_until = 0.0  # the server may have come back empty: look again

    def _check_loaded(self) -> None:
        """Raise :class:`GraphNotLoaded` when the database has no node of this project (checked every few s)."""
        if time.monotonic() < self._loaded_until:
            return
        # Both counts come from Neo4j's count store: no scan, whatever the size of the graph.
        rows = self._read(f"RETURN COUNT {{ (n:{MANAGED_LABEL}) }} AS ours, COUNT {{ (m) }} AS all")
        ours, everything = rows[0]["ours"], rows[0]["all"]
        if not ours:
            what = (f"holds {everything:,} nodes but none of this project's (label {MANAGED_LABEL})" if everything
                    else "is empty")
            raise GraphNotLoaded(f"the graph in Neo4j at {self.settings.uri} (database '{self.settings.database}') "
                                 f"{what}: it was never loaded here, or the server was reset. Load it with: "
                                 f"{self.settings.load_command()}")
        self._loaded_until = time.monotonic() + LOADED_CHECK_SECONDS

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
        self.breaker.check()
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
            if "TransactionTimedOut" in (err.code or ""):
                raise QueryError(f"The query ran longer than {timeout_ms / 1000:g} s and was stopped.") from err
            if _is_unavailable(err):
                raise self._failure(err) from err
            raise QueryError(engine_message(err.message or str(err), timeout_ms,
                                            limit=error_chars(byte_cap))) from err
        except (neo4j_errors.DriverError, OSError) as err:
            raise self._failure(err) from err
        return ConsoleResult(columns, rows, truncated, (time.perf_counter() - started) * 1000, notes)

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run a named query from :mod:`kb.queries.catalogue` in the Neo4j dialect."""
        return self.run(cypher_for(name, self.backend), params)

    def stream(self, name: str, **params: Any) -> Iterator[dict[str, Any]]:
        """The rows of :meth:`query` (read whole first: a session's result is not kept open across a caller's work)."""
        yield from self.query(name, **params)

    def version(self) -> str:
        """The token the last sync that changed anything wrote ("" if none did): one indexed lookup.

        Within :meth:`reading`, read once: every structure a page derives is then of the same version.
        """
        scope = self._reading
        if scope.depth and scope.version is not None:
            return scope.version
        rows = self.run(f"MATCH (v:{VERSION_LABEL} {{id: 'graph'}}) RETURN v.version AS version")
        version = str(rows[0]["version"]) if rows else ""
        if scope.depth:
            scope.version = version
        return version

    def derived_folder(self, version: str) -> Path | None:
        """A folder in the user's cache for ``version`` of the graph (:func:`kb.store.versioned.cache_folder`): the
        version is a sync's random token, so every site process reading it shares what is derived from it (the
        search index is built by one worker after a sync, not by each)."""
        return cache_folder("neo4j", version)

    def warm(self) -> None:
        """Nothing to open ahead: the driver connects on the first query."""

    def settings_changed(self) -> bool:
        """Never: a read session cannot change a server setting."""
        return False

    def counts(self) -> dict[str, int]:
        """Number of nodes per label of the graph schema (labels without nodes are left out)."""
        # One count-store lookup per label; the labels come from the schema, never from input.
        cypher = " UNION ALL ".join(f"MATCH (n:{label}:{MANAGED_LABEL}) RETURN '{label}' AS label, count(n) AS n"
                                    for label in NODE_PROPERTIES)
        return {row["label"]: row["n"] for row in self._read(cypher) if row["n"]}

    def close(self) -> None:
        self.breaker.close()
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
