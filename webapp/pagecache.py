"""Rendered pages, kept per version of the graph.

Every page of the site is a function of the URL and the graph, so once rendered it stays right
until the graph changes.  The embedded store names a generation that changes with every load
(``LadybugStore.generation``): the cache keys each response by that generation, method and full
path, so a load makes every older entry unreachable at once and nothing is ever served stale.
Stores without a generation (Neo4j, whose graph another process may sync at any time) are not
cached.  Each response also gets an ``ETag``, so a browser revalidating a page gets a 304.

``KB_PAGE_CACHE_MB`` bounds the memory of each worker process (least recently used pages go
first; 0 turns the cache off).  Views opt out with ``page_route(..., cache=False)``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

from flask import Flask, Response, current_app, g, request

from .store import get_store

__all__ = ["PageCache", "init_app"]

#: Responses larger than this share of the budget are not kept (one export-sized page would
#: otherwise push out hundreds of case pages).
LARGEST_SHARE = 0.25


class CachedPage(NamedTuple):
    status: int
    body: bytes
    headers: list[tuple[str, str]]
    etag: str


class PageCache:
    """A thread-safe LRU of rendered responses, bounded in bytes.

    >>> cache = PageCache(max_bytes=40)
    >>> for path in ("/a", "/b", "/c", "/d"):
    ...     cache.put(("gen-1", path), CachedPage(200, b"x" * 10, [], path))
    >>> cache.get(("gen-1", "/a")).etag       # /a is now the most recently used
    '/a'
    >>> cache.put(("gen-1", "/e"), CachedPage(200, b"y" * 10, [], "/e"))  # over 40 bytes: /b goes
    >>> cache.get(("gen-1", "/b")) is None, cache.size
    (True, 40)
    >>> cache.put(("gen-1", "/big"), CachedPage(200, b"z" * 11, [], "/big"))  # over a quarter: not kept
    >>> cache.get(("gen-1", "/big")) is None
    True
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        if len(page.body) > self.max_bytes * LARGEST_SHARE:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes and self._pages:
                _, dropped = self._pages.popitem(last=False)
                self.size -= len(dropped.body)


def _cache_key() -> tuple | None:
    """The key of this request's page, or None when it must not come from (or go to) the cache."""
    cache: PageCache | None = current_app.extensions.get("kb_page_cache")
    if cache is None or request.method not in ("GET", "HEAD") or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "kb_cached", False):
        return None
    try:
        generation = getattr(get_store(), "generation", None)
    except Exception:  # the store is down: let the view answer (with its own error page)
        return None
    if not generation:
        return None
    return (generation, request.full_path)


def init_app(app: Flask) -> None:
    megabytes = app.config["KB_PAGE_CACHE_MB"]
    app.extensions["kb_page_cache"] = PageCache(megabytes * 1024 * 1024) if megabytes > 0 else None

    @app.before_request
    def serve_cached() -> Response | None:
        key = _cache_key()
        g.kb_page_key = key
        if key is None:
            return None
        page = app.extensions["kb_page_cache"].get(key)
        if page is None:
            return None
        g.kb_page_key = None  # already cached: not to be stored again
        response = Response(page.body, status=page.status, headers=page.headers)
        response.set_etag(page.etag)
        return response.make_conditional(request)

    @app.after_request
    def keep_page(response: Response) -> Response:
        key = g.pop("kb_page_key", None)
        if (key is None or response.status_code != 200 or response.direct_passthrough
                or "Set-Cookie" in response.headers):
            return response
        body = response.get_data()
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        headers = [(name, value) for name, value in response.headers.items() if name.lower() != "content-length"]
        app.extensions["kb_page_cache"].put(key, CachedPage(response.status_code, body, headers, etag))
        response.set_etag(etag)
        return response.make_conditional(request)
