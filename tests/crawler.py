"""A link checker for the site: visits every internal link of every page and reports each that fails.

Used on the fixture and the real content (tests/test_links.py, through Flask's test client) and in the
browser tests (tests/browser/test_graph_view.py, for the links of the graph page as Chromium renders
it).  It starts from the given pages, requests every internal URL found in ``href`` and ``src``
attributes (links, style sheets, scripts, images, the JSON twins), and follows the links of each HTML
page it gets.  A link fails when its answer is a 4xx or 5xx, or when its ``#fragment`` names no id
on the page it leads to.

Pages that differ only in their query string (the case list's filter combinations, for instance)
are all requested, but the links of only ``follow_variants`` of them are followed, so that the crawl
ends; every page kind is still reached, since each distinct path is followed at least once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

__all__ = ["CrawlReport", "Response", "crawl", "links_and_ids"]


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    text: str  # empty unless HTML


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for attribute in ("href", "src"):
            if values.get(attribute) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append(values[attribute])


def links_and_ids(html: str) -> tuple[list[str], set[str]]:
    """The ``href``/``src`` targets of an HTML page and the ids it defines.

    >>> links_and_ids('<a href="/a#x">a</a><h2 id="x">x</h2><img src="/i.png">')
    (['/a#x', '/i.png'], {'x'})
    """
    parser = _Links()
    parser.feed(html)
    return parser.links, parser.ids


@dataclass
class CrawlReport:
    visited: dict[str, int] = field(default_factory=dict)  # URL (no fragment) -> status
    followed: list[str] = field(default_factory=list)  # pages whose links were followed
    broken: list[str] = field(default_factory=list)  # "URL -> status (linked from page)"
    kinds: set[str] = field(default_factory=set)  # first path segment of every page followed

    def __str__(self) -> str:
        return (f"{len(self.visited)} URLs requested, {len(self.followed)} pages followed, "
                f"{len(self.broken)} broken" + "".join(f"\n  {line}" for line in self.broken[:50]))


def _internal(base: str, link: str) -> str | None:
    """The site-relative URL of a link (with its fragment), or None if it leaves the site."""
    absolute = urljoin(base, link.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "site":
        return None
    return absolute[len("http://site"):] or "/"


def crawl(get: Callable[[str], Response], start: Iterable[str] = ("/",), follow_variants: int = 2,
          limit: int = 20000) -> CrawlReport:
    """Request every internal link reachable from ``start``; ``get`` answers a site-relative URL."""
    report = CrawlReport()
    ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []  # (target URL, fragment, linked from)
    variants: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque((url, "(start)") for url in start)
    while queue and len(report.visited) < limit:
        url, source = queue.popleft()
        if url in report.visited:
            continue
        response = get(url)
        report.visited[url] = response.status
        if response.status >= 400:
            report.broken.append(f"{url} -> {response.status} (linked from {source})")
            continue
        if "html" not in response.content_type:
            continue
        links, page_ids = links_and_ids(response.text)
        ids[url] = page_ids
        path = urlsplit(url).path
        variants[path] = variants.get(path, 0) + 1
        if variants[path] > follow_variants:
            continue
        report.followed.append(url)
        report.kinds.add("/" + path.strip("/").split("/")[0] if path != "/" else "/")
        for link in links:
            target = _internal("http://site" + url, link)
            if target is None:
                continue
            bare, fragment = urldefrag(target)
            if fragment:
                fragments.append((bare, fragment, url))
            if bare not in report.visited:
                queue.append((bare, url))
    for target, fragment, source in fragments:
        if target in ids and fragment not in ids[target]:
            report.broken.append(f"{target}#{fragment} -> no such id on the page (linked from {source})")
    return report
