"""Security for a public site that renders strangers' content: headers, CSP, limits, no debug.

Case files arrive by pull request, so every page is treated as showing untrusted text: the
Content-Security-Policy allows scripts only from this site (no inline scripts), and the console
is rate limited per client address: one limit for all its formats (``/query``, ``/query.json``,
``/query.csv``), counted in a SQLite file (:mod:`webapp.ratelimit_storage`) that every process of
the server shares and that outlives restarts (``KB_RATE_LIMIT_STORAGE`` may name Redis instead).
In the same storage a client's running console queries are counted: one at a time
(:func:`one_console_query`), whichever of the server's processes runs it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from kb.problems import QueryError

from . import ratelimit_storage  # noqa: F401  # registers the sqlite:// storage with limits
from .settings import SettingsError
from .store import store_folder

__all__ = ["CONTENT_SECURITY_POLICY", "LIMITED_PAGES", "ConsoleQueryRunning", "console_limit", "init_app",
           "limit_pages", "limiter", "one_console_query", "page_limit"]

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def _console_limit_value() -> str:
    return current_app.config["KB_CONSOLE_RATE_LIMIT"]


def _runs_no_query() -> bool:
    """Only requests that run a query count against the console's rate limit."""
    return not (request.args.get("q") or request.args.get("example"))


#: One limit shared by every console format: a client's /query, /query.json and /query.csv
#: requests draw on the same count.
console_limit = limiter.shared_limit(_console_limit_value, scope="console", exempt_when=_runs_no_query)

#: The pages whose work grows with what the request asks for (searches, filters, comparisons, the
#: graph explorer, the pattern matrices and the claims behind them, whole-graph exports), HTML and
#: JSON alike.  They share one per-client limit (``KB_PAGE_RATE_LIMIT``); pages of one case, concept
#: or source are served from the page cache and are not limited.
LIMITED_PAGES = ("search.search", "search.search_json", "compare.compare", "compare.compare_json",
                 "graph.graph", "graph.graph_json", "patterns.patterns", "patterns.patterns_json",
                 "patterns.pattern_claims", "patterns.pattern_claims_json", "research.analytics",
                 "research.analytics_json", "research.export_csv", "research.export_cypher",
                 "research.export_graphml", "research.export_json", "cases.cases", "cases.cases_json",
                 "sources.sources", "sources.sources_json", "lessons.lessons", "lessons.lessons_json")


def _page_limit_value() -> str:
    return current_app.config["KB_PAGE_RATE_LIMIT"]


page_limit = limiter.shared_limit(_page_limit_value, scope="pages")


def limit_pages(app: Flask) -> None:
    """Put :data:`LIMITED_PAGES` under the per-client page limit (called once the views are registered)."""
    for endpoint in LIMITED_PAGES:
        app.view_functions[endpoint] = page_limit(app.view_functions[endpoint])


class ConsoleQueryRunning(QueryError):
    """The client already has a console query running (answered 429)."""


@contextlib.contextmanager
def one_console_query() -> Iterator[None]:
    """Let a client run one console query at a time, counted in the rate limits' storage.

    A second query while the first runs is refused at once with :class:`ConsoleQueryRunning`: one
    client can then hold at most one of the console's workers.  The count expires after the longest
    a query can take (its time limit, plus starting a worker), should a server process die mid-query.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        yield
        return
    storage = limiter.storage
    key = f"console-running/{get_remote_address()}"
    expiry = current_app.config["KB_QUERY_TIMEOUT_MS"] / 1000 + 70
    if storage.incr(key, expiry) > 1:
        storage.incr(key, expiry, amount=-1)
        raise ConsoleQueryRunning("You already have a console query running: wait for its answer, then run the "
                                  "next (the console runs one query at a time for each visitor).")
    try:
        yield
    finally:
        if storage.incr(key, expiry, amount=-1) <= 0:
            storage.clear(key)


def init_app(app: Flask) -> None:
    """Refuse debug mode outside development, set security headers, enable rate limits."""
    if app.debug and not app.config["KB_DEVELOPMENT"]:
        raise SettingsError("debug mode is for development only: set KB_DEVELOPMENT=true to use it")
    app.config.setdefault("RATELIMIT_ENABLED", app.config["KB_RATE_LIMITS"])
    default_storage = store_folder(app).resolve().parent / "ratelimits.sqlite"
    storage = app.config["KB_RATE_LIMIT_STORAGE"] or f"sqlite:///{default_storage}"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    limiter.init_app(app)

    @app.before_request
    def refuse_large_bodies() -> None:
        # Checked up front, whatever the route: the site never needs a large body.
        length = request.content_length
        if length is not None and length > app.config["MAX_CONTENT_LENGTH"]:
            abort(413, f"Requests are limited to {app.config['MAX_CONTENT_LENGTH']:,} bytes.")

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        return response
