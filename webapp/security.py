"""Security for a public site that renders strangers' content: headers, CSP, limits, no debug.

Case files arrive by pull request, so every page is treated as showing untrusted text: the
Content-Security-Policy allows scripts only from this site (no inline scripts), and the console
is rate limited per client address: one limit for all its formats (``/query``, ``/query.json``,
``/query.csv``), counted in a SQLite file (:mod:`webapp.ratelimit_storage`) that every process of
the server shares and that outlives restarts (``KB_RATE_LIMIT_STORAGE`` may name Redis instead).
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from . import ratelimit_storage  # noqa: F401  # registers the sqlite:// storage with limits
from .settings import SettingsError
from .store import store_folder

__all__ = ["CONTENT_SECURITY_POLICY", "console_limit", "init_app", "limiter"]

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
