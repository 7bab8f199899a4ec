"""How responses travel: compressed, revalidated cheaply, and right behind a reverse proxy.

* **Compression** (Flask-Compress): zstd, Brotli or gzip, as the browser accepts, for HTML, CSS,
  JavaScript, JSON, CSV, GraphML and Cypher of 500 bytes or more (a 164 KB patterns page travels as
  about a tenth of that).  Its ETag gets the encoding as a suffix, so each encoding revalidates alone.
* **ETags on every page**: pages from the page cache (:mod:`webapp.pagecache`) carry the cache's ETag;
  every other successful GET gets one from its body here.  A request whose ``If-None-Match`` matches
  is answered ``304 Not Modified`` with no body.
* **Behind a reverse proxy**: ``KB_PROXIES`` is how many proxies in front are trusted to say who the
  client is (``X-Forwarded-For``, ``-Proto``, ``-Host``, ``-Prefix``); the rate limits then count each
  visitor, not the proxy.  ``KB_TRUSTED_HOSTS`` lists the host names the site answers to (others: 400).

Registered first in the app factory, so that its after-request steps run last: the page cache
stores uncompressed pages, and the security headers are set before the body is compressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, request
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wrappers import Response as PlainResponse
from werkzeug.wsgi import get_host

__all__ = ["COMPRESSED_TYPES", "init_app"]

COMPRESSED_TYPES = ["text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
                    "application/json", "application/ld+json", "application/xml", "image/svg+xml",
                    "application/graphml+xml", "text/turtle"]

_compress = Compress()


class TrustedHosts:
    """A plain 400 for a request naming a host the site does not answer to, before the app sees it."""

    def __init__(self, app: Any, hosts: list[str]):
        self.app, self.hosts = app, hosts

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        host = get_host(environ)
        if not host_is_trusted(host, self.hosts):
            refusal = PlainResponse(f"Host {host[:100]!r} is not served here (the site's KB_TRUSTED_HOSTS lists the "
                                    "host names it answers to).\n", status=400, mimetype="text/plain")
            return refusal(environ, start_response)
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    hosts = [host.strip() for host in app.config["KB_TRUSTED_HOSTS"].split(",") if host.strip()]
    if hosts:
        app.wsgi_app = TrustedHosts(app.wsgi_app, hosts)
    proxies = app.config["KB_PROXIES"]
    if proxies:  # outermost: the host checked is the one the proxy names
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    _compress.init_app(app)  # first after-request step registered: the last to run

    @app.after_request
    def conditional(response: Response) -> Response:
        # Runs after the page cache's step (registered later), which sets its own ETag on cached pages.
        if (request.method in ("GET", "HEAD") and response.status_code == 200 and not response.is_streamed
                and "ETag" not in response.headers):
            response.add_etag()
            response.make_conditional(request)
        return response
