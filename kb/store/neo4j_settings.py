"""Where a Neo4j server is and how to log in to it (:class:`Neo4jSettings`), without importing its driver.

The command line checks a ``--neo4j`` URI before it loads anything, and ``graph_loader.py load
--neo4j`` imports the driver (a third of a second) while the embedded store loads
(:mod:`kb.load.neo4j`): so this module imports it only when a driver is made.
:mod:`kb.store.neo4j` gives the same names.

>>> settings = Neo4jSettings.from_environment({"NEO4J_URI": "bolt://localhost:7687/cases"})
>>> settings.uri, settings.database, settings.auth is None
('bolt://localhost:7687', 'cases', True)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kb.problems import StoreError

if TYPE_CHECKING:
    import neo4j

__all__ = ["BOLT_SCHEMES", "DEFAULT_DATABASE", "HANDSHAKE_TIMEOUT", "READ_CONNECTION_TIMEOUT", "Neo4jSettings",
           "check_uri", "database_in_uri"]

# A load may wait a few seconds for a busy server and retry a transient failure, but connecting is
# bounded: 5 s for TCP, 10 s until Bolt's handshake is answered (the driver's default waits 60 s on a
# port that accepts and never answers).  Server notifications (e.g. "property key does not exist" on an
# empty database) are noise here.
LOAD_HANDSHAKE_TIMEOUT = 10.0
_DRIVER_OPTIONS = {"connection_timeout": 5.0, "connection_acquisition_timeout": LOAD_HANDSHAKE_TIMEOUT,
                   "max_transaction_retry_time": 3.0, "user_agent": "self-management-kb",
                   "notifications_min_severity": "OFF"}
# The site must answer within a second when the server is away: a short connection timeout and no
# retries in the request; the circuit breaker retries in the background instead.
READ_CONNECTION_TIMEOUT = 0.8
# The acquisition timeout bounds Bolt's handshake (which a hung server never answers) and the reuse of
# a pooled connection: a busy server in a GC pause needs more than the TCP connection does, so it is
# longer; once it has passed, the circuit breaker answers the next requests at once.
HANDSHAKE_TIMEOUT = 5.0
_READ_DRIVER_OPTIONS = {**_DRIVER_OPTIONS, "connection_timeout": READ_CONNECTION_TIMEOUT,
                        "connection_acquisition_timeout": HANDSHAKE_TIMEOUT,
                        "max_transaction_retry_time": 0.0}

#: URI schemes of the Bolt protocol, which is what the project speaks to Neo4j.
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_DEFAULT_BOLT_PORT = 7687
#: The database used when neither the URI nor NEO4J_DATABASE names one (Community's only one).
DEFAULT_DATABASE = "neo4j"


def check_uri(uri: str) -> None:
    """Raise :class:`StoreError` saying what to use instead when ``uri`` is not a Bolt URI.

    >>> check_uri("bolt://localhost:7687")
    >>> check_uri("http://localhost:7474")
    Traceback (most recent call last):
    ...
    kb.problems.StoreError: 'http://localhost:7474' is an HTTP address (Neo4j Browser's); this project talks to \
Neo4j over Bolt: use bolt://localhost:7687
    >>> check_uri("localhost:7687")
    Traceback (most recent call last):
    ...
    kb.problems.StoreError: 'localhost:7687' has no scheme: use bolt://localhost:7687 for one server, \
neo4j://localhost:7687 for a cluster, neo4j+s://... for Aura
    """
    if "://" not in uri:
        rest = uri.strip("/") or "localhost:7687"
        raise StoreError(f"{uri!r} has no scheme: use bolt://{rest} for one server, neo4j://{rest} for a cluster, "
                         "neo4j+s://... for Aura")
    try:
        parts = urlsplit(uri)
    except ValueError as err:  # e.g. an unclosed [ of an IPv6 address
        raise StoreError(f"{uri!r} is not a valid URI ({err}): use e.g. bolt://localhost:7687 or "
                         "bolt://[::1]:7687") from None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        raise StoreError(f"{uri!r} has no valid port number (Bolt's is usually 7687)") from None
    if scheme in ("http", "https"):
        if host.endswith(".databases.neo4j.io"):
            suggestion = f"neo4j+s://{host}"
        else:
            suggestion = f"{'bolt+s' if scheme == 'https' else 'bolt'}://{host or 'localhost'}:{_DEFAULT_BOLT_PORT}"
        note = f" (port {port} is HTTP; Bolt listens on 7687 unless configured otherwise)" \
            if port not in (None, _DEFAULT_BOLT_PORT, 7474, 7473) else ""
        raise StoreError(f"{uri!r} is an HTTP address (Neo4j Browser's); this project talks to Neo4j over Bolt: "
                         f"use {suggestion}{note}")
    if scheme not in BOLT_SCHEMES:
        raise StoreError(f"{uri!r} has the scheme '{scheme}', which is not Neo4j's: use bolt:// for one server, "
                         "neo4j:// for a cluster, and +s (neo4j+s://, as Aura needs) for an encrypted connection")
    if not host:
        raise StoreError(f"{uri!r} names no host: use e.g. {scheme}://localhost:{_DEFAULT_BOLT_PORT}")
    if any(char.isspace() for char in uri):
        raise StoreError(f"{uri!r} contains a space: remove it")
    if parts.username is not None or parts.password is not None:
        raise StoreError(f"{uri!r} holds a user name or password: give them in NEO4J_USERNAME and NEO4J_PASSWORD "
                         "instead, and leave them out of the URI")
    if parts.fragment:
        raise StoreError(f"{uri!r} ends in '#{parts.fragment}', which Neo4j's URIs do not have: remove it")
    if parts.query and scheme.startswith("bolt"):
        raise StoreError(f"{uri!r} has '?{parts.query}': a bolt:// URI takes no parameters (a neo4j:// URI takes "
                         "routing parameters)")
    if parts.path.strip("/") and "/" in parts.path.strip("/"):
        raise StoreError(f"{uri!r} has the path '{parts.path}': after the port a Neo4j URI may name one database "
                         f"(e.g. {scheme}://{host}:{port or _DEFAULT_BOLT_PORT}/neo4j), or nothing")


def database_in_uri(uri: str) -> str:
    """The database a URI names after its port (``bolt://host:7687/cases`` -> ``cases``), or ``""``.

    >>> database_in_uri("bolt://localhost:7687/cases"), database_in_uri("neo4j+s://x.databases.neo4j.io")
    ('cases', '')
    """
    return urlsplit(uri).path.strip("/")


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
        The database to read and write: the one named in the URI (``bolt://host:7687/cases``), else
        this, else ``neo4j``; the URI and this naming different ones is an error.
    """

    uri: str
    username: str = ""
    password: str = ""
    database: str = ""

    def __post_init__(self) -> None:
        """Check the URI; a database named in it (``bolt://host:7687/cases``) is used, never ignored."""
        check_uri(self.uri)
        named = database_in_uri(self.uri)
        if named and self.database and named != self.database:
            raise StoreError(f"{self.uri!r} names the database '{named}' but NEO4J_DATABASE is "
                             f"'{self.database}': give the database in one place")
        if named:
            parts = urlsplit(self.uri)
            object.__setattr__(self, "uri", parts._replace(path="").geturl())
        object.__setattr__(self, "database", named or self.database or DEFAULT_DATABASE)

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
        return cls(**values)

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username else None

    def driver(self, *, reading: bool = False, connect_timeout: float | None = None) -> neo4j.Driver:
        """A driver for these settings (the caller closes it); ``reading``: fail fast, no retries."""
        options = dict(_READ_DRIVER_OPTIONS if reading else _DRIVER_OPTIONS)
        if connect_timeout:
            options.update(connection_timeout=connect_timeout,
                           connection_acquisition_timeout=max(connect_timeout, HANDSHAKE_TIMEOUT))
        import neo4j
        from neo4j import exceptions as neo4j_errors

        try:
            return neo4j.GraphDatabase.driver(self.uri, auth=self.auth, **options)
        except (ValueError, neo4j_errors.ConfigurationError) as err:
            raise StoreError(f"cannot use the Neo4j URI {self.uri!r}: {err}") from err

    def load_command(self) -> str:
        """The command that loads the graph into this server (and database)."""
        database = f"/{self.database}" if self.database != DEFAULT_DATABASE else ""
        return f"python graph_loader.py load --neo4j {self.uri}{database}"
