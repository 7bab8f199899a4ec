"""Rendered pages, kept per version of the graph.

Every page of the site is a function of the URL and the graph, so once rendered it stays right
until the graph changes.  The pages are one more structure derived from the graph, kept with the
analysis and search indexes by :func:`kb.store.versioned.derived`: one :class:`PageCache` per
version of the store's graph (:meth:`kb.store.GraphStore.version`: a load of the embedded store,
a sync to Neo4j that changes anything), keyed by full path, so a new version drops every older
page at once, together with the indexes the pages were made from, and nothing is served stale.
Each response also gets an ``ETag``, so a browser revalidating a page gets a 304.

``KB_PAGE_CACHE_MB`` bounds the memory of each worker process (least recently used pages go
first; 0 turns the cache off).  Views opt out with ``page_route(..., cache=False)``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

from flask import Flask, Response, current_app, g, request

from kb.store.versioned import derived

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
    """A thread-safe LRU of rendered responses (by full path), bounded in bytes.

    >>> cache = PageCache(max_bytes=40)
    >>> for path in ("/a", "/b", "/c", "/d"):
    ...     cache.put(path, CachedPage(200, b"x" * 10, [], path))
    >>> cache.get("/a").etag       # /a is now the most recently used
    '/a'
    >>> cache.put("/e", CachedPage(200, b"y" * 10, [], "/e"))  # over 40 bytes: /b goes
    >>> cache.get("/b") is None, cache.size
    (True, 40)
    >>> cache.put("/big", CachedPage(200, b"z" * 11, [], "/big"))  # over a quarter: not kept
    >>> cache.get("/big") is None
    True
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: CachedPage) -> None:
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


def _pages() -> PageCache | None:
    """The pages of the graph's current version, or None when this request's page is not to be cached."""
    max_bytes: int = current_app.config["KB_PAGE_CACHE_MB"] * 1024 * 1024
    if max_bytes <= 0 or request.method not in ("GET", "HEAD") or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "kb_cached", False):  # a mark page_route sets on a view function
        return None
    try:
        return derived(get_store(), "pages", lambda _store: PageCache(max_bytes))
    except Exception:  # the store is down: let the view answer (with its own error page)
        return None


def init_app(app: Flask) -> None:
    @app.before_request
    def serve_cached() -> Response | None:
        pages = _pages()
        g.kb_pages = pages
        if pages is None:
            return None
        page = pages.get(request.full_path)
        if page is None:
            return None
        g.kb_pages = None  # already cached: not to be stored again
        response = Response(page.body, status=page.status, headers=page.headers)
        response.set_etag(page.etag)
        return response.make_conditional(request)

    @app.after_request
    def keep_page(response: Response) -> Response:
        pages: PageCache | None = g.pop("kb_pages", None)
        if (pages is None or response.status_code != 200 or response.direct_passthrough
                or "Set-Cookie" in response.headers):
            return response
        body = response.get_data()
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        headers = [(name, value) for name, value in response.headers.items() if name.lower() != "content-length"]
        # Kept in the pages of the version read before the view ran: if a load switched the graph
        # meanwhile, those pages are already dropped and this one goes with them.
        pages.put(request.full_path, CachedPage(response.status_code, body, headers, etag))
        response.set_etag(etag)
        return response.make_conditional(request)
