"""The site as plain files for GitHub Pages or any static host: ``python graph_loader.py build-site``.

Every page is rendered by the Flask app itself (its test client), so the static copy stays what the
live site shows as views change.  The build starts from the site's entry pages and every case,
concept, source and graph view, and follows the links of each page it renders:

* **Which pages**: every URL without a query string; a URL with one is built when it has at most
  one parameter besides ``page`` (a single filter, a sort, an example query, a case's comparable
  cases), or is a cell of the patterns matrices (``/patterns/claims?practice=…&outcome=…``).  A link
  to any other combination leads to the same page without its query string.  Each HTML page's JSON
  twin is written beside it.
* **Where**: a page is ``<path>/index.html`` (so ``/cases/buurtzorg`` is served as
  ``/cases/buurtzorg/``); a URL with a query string lives under ``<path>/-/<the query as a slug>/``;
  files keep their names.  Every internal link, form, script, style sheet and JSON value is rewritten
  for the base URL (``--base-url /repo/`` for a project's GitHub Pages).
* **Pages that need a server**: the console and the free-form compare form say so at the top and
  link to what was computed in advance (the example queries' results; every case's comparable
  cases).  Forms whose answer was built (a single filter, a case in the compare picker) still work:
  ``static-site.js`` sends them to the built page, and says so when a combination needs the live site;
  a link to a combination not built says so too (without JavaScript it opens the page unfiltered).
* **For search engines**: with a full ``--base-url`` (``https://…``), canonical links and link previews
  name the public address, and ``sitemap.xml`` lists every page (robots.txt points to it; a site served
  under a sub-path also needs its host's root robots.txt to name it, which GitHub Pages projects cannot).
* **Search** runs in the browser over ``search-index.json`` (every passage of every case and concept,
  and every case's and concept's name and summary), with ``static-search.js``: no server, no CDN.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from slugify import slugify

from kb.analysis.search import documents_from_store, passages_from_store
from kb.slug import slug

from .store import get_store
from .views.links import node_url, passage_url

__all__ = ["BuildReport", "build_site", "static_path"]

ASSETS = Path(__file__).parent / "static_site_assets"
#: Pages the build starts from, besides every node's page (the links of each lead to the rest).
ENTRY_PAGES = ["/", "/cases", "/compare", "/practices", "/challenges", "/outcomes", "/frameworks", "/sources",
               "/lessons", "/patterns", "/analytics", "/evidence", "/search", "/query", "/contribute",
               "/accessibility", "/export/graph.graphml", "/export/graph.json", "/export/nodes.csv",
               "/export/edges.csv", "/export/graph.cypher"]
#: Query strings built beyond one parameter: the patterns matrices' cells.
PAIR_PAGES = {"/patterns/claims"}
#: Graph views built: around cases, concepts and sectors.  A source's or a country's graph view (hundreds
#: of sources) is not: links to it lead to the source's page, or the country's list of cases.
GRAPH_KINDS = {"organisation", "practice", "challenge", "outcome", "framework", "sector"}
#: Pages that need the live server, and what the static copy offers instead.
NEEDS_SERVER = {
    "/query": ("The console runs your own Cypher queries on the live site only; this is a static copy. "
               "The example queries below were run when it was built: open one to see its results."),
    "/compare": ("Comparing a description of your own organisation needs the live site; this is a static copy. "
                 "Every case's comparable cases were computed when it was built: {links}"),
}
_ATTRIBUTE = re.compile(r'(\s(?:href|src|action|content)=")([^"]*)(")')
_JSON_BLOCK = re.compile(r'(<script type="application/(?:ld\+)?json"[^>]*>)(.*?)(</script>)', re.S)


#: What rendering a URL gives: the URL, its status, its media type and its body.
Rendered = tuple[str, int, str, bytes]
_worker_client: Any = None


def _start_worker(config: dict[str, Any]) -> None:
    """A build process: its own app, reading the same store (read-only handles are per process)."""
    global _worker_client
    from webapp import create_app

    _worker_client = create_app(config).test_client()


def _render_in_worker(url: str) -> Rendered:
    response = _worker_client.get(url)
    return url, response.status_code, response.mimetype or "", response.get_data()


@dataclass
class BuildReport:
    pages: int = 0  # HTML pages written
    files: int = 0  # every file written
    redirected: dict[str, str] = field(default_factory=dict)  # links to pages not built -> where they now lead
    failed: dict[str, int] = field(default_factory=dict)  # URL -> status, for internal links that did not answer
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.pages} pages and {self.files} files in {self.seconds:.1f} s; "
                f"{len(self.redirected)} links to combinations not built lead to their page without the query")


def _query_slug(query: str) -> str:
    """A readable, file-safe name for a query string (a hash is added when the slug loses information).

    >>> _query_slug("page=2")
    'page-2'
    >>> _query_slug("outcome=low-turnover&practice=advice-process")
    'outcome-low-turnover_practice-advice-process'
    >>> _query_slug("q=Why did it fail?")[:18]
    'q-why-did-it-fail-'
    """
    pairs = parse_qsl(query, keep_blank_values=True)
    readable = "_".join(f"{slugify(key)}-{slugify(value)}" for key, value in pairs)
    exact = all(slugify(key) == key and slugify(value) == value for key, value in pairs)
    return readable if exact and readable else f"{readable[:60]}-{hashlib.sha256(query.encode()).hexdigest()[:8]}"


def static_path(url: str, html: bool) -> str:
    """The file a URL is written to, relative to the output folder.

    >>> static_path("/", True), static_path("/cases/buurtzorg", True), static_path("/cases.json", False)
    ('index.html', 'cases/buurtzorg/index.html', 'cases.json')
    >>> static_path("/cases?page=2", True), static_path("/cases.json?page=2", False)
    ('cases/-/page-2/index.html', 'cases/-/page-2.json')
    """
    parts = urlsplit(url)
    path = parts.path.strip("/")
    if html:
        folder = f"{path}/-/{_query_slug(parts.query)}" if parts.query else path
        return f"{folder}/index.html".lstrip("/")
    if not parts.query:
        return path
    stem, dot, ext = path.rpartition(".")
    return f"{stem}/-/{_query_slug(parts.query)}.{ext}" if dot else f"{path}/-/{_query_slug(parts.query)}"


def _public_link(url: str, html: bool, base: str) -> str:
    """The address of a built URL on the static host (a page as its folder, with a trailing slash)."""
    path = static_path(url, html)
    if html:
        path = path[: -len("index.html")]
    return base + path


def _wanted(url: str) -> bool:
    """Whether the build renders this internal URL (see the module's docstring)."""
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    if segments[0] == "graph" and len(segments) == 3 and segments[1] not in GRAPH_KINDS:
        return False
    if not parts.query:
        return True
    names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True) if name != "page"]
    if parts.path in PAIR_PAGES:
        return len(names) == 2
    return len(names) <= 1 and not parts.path.startswith("/search")


def _twin(url: str) -> str:
    parts = urlsplit(url)
    path = "/index" if parts.path == "/" else parts.path.rstrip("/")
    return f"{path}.json" + (f"?{parts.query}" if parts.query else "")


def _internal(link: str) -> str | None:
    """The site-relative URL (with fragment) of a link from a page, or None if it leaves the site."""
    if not link.startswith("/") or link.startswith("//"):
        return None
    return link


class _Builder:
    def __init__(self, app: Flask, output: Path, base: str, origin: str, public_origin: str):
        """``origin``: the address the app puts in absolute links; ``public_origin``: the one to write ("": none)."""
        self.app, self.output, self.base, self.origin, self.public_origin = app, output, base, origin, public_origin
        self.case_names: dict[str, str] = {}
        self.absent: set[str] = set()  # JSON twins that do not exist (not a failure)
        self.kinds: dict[str, bool] = {}  # URL -> is HTML, for every URL built
        self.bodies: dict[str, bytes] = {}
        self.report = BuildReport()

    def keep(self, url: str, status: int, mimetype: str, body: bytes, quiet: bool) -> None:
        if status != 200:
            if quiet:
                self.absent.add(url)
            else:
                self.report.failed[url] = status
            return
        self.kinds[url] = mimetype == "text/html"
        self.bodies[url] = body

    def crawl(self, start: list[str], render: Callable[[list[str]], Iterable[Rendered]]) -> None:
        """Render ``start``, then the pages they link to, level by level (each level's pages at once)."""
        level = start
        while level:
            pages = [url for url in dict.fromkeys(level)
                     if _wanted(url) and url not in self.kinds and url not in self.report.failed]
            for url, status, mimetype, body in render(pages):
                self.keep(url, status, mimetype, body, quiet=False)
            html = [url for url in pages if self.kinds.get(url)]
            for url, status, mimetype, body in render([_twin(url) for url in html]):
                self.keep(url, status, mimetype, body, quiet=True)  # pages of repository files have none
            level = []
            for url in html:
                for attribute, link, _ in _ATTRIBUTE.findall(self.bodies[url].decode("utf-8")):
                    target = _internal(unescape(link))
                    if target is not None and "action" not in attribute:  # a form's answer depends on its fields
                        level.append(target.split("#")[0] or "/")

    # -- rewriting ---------------------------------------------------------------------------------

    def link(self, url: str) -> str | None:
        """Where an internal URL (with its fragment) leads on the static host, or None if nowhere."""
        bare, hash_sign, fragment = url.partition("#")
        bare = bare or "/"
        parts = urlsplit(bare)
        if parts.path == "/search" and parts.query:  # the search page reads its question in the browser
            return self.base + "search/" + f"?{parts.query}" + hash_sign + fragment
        if bare not in self.kinds and parts.query and parts.path in self.kinds:
            self.report.redirected[bare] = parts.path
            bare = parts.path
        segments = parts.path.strip("/").split("/")
        if bare not in self.kinds and segments[0] == "graph" and len(segments) == 3:
            with self.app.test_request_context():
                bare = node_url(segments[1], segments[2])
        if bare not in self.kinds:
            return None
        return _public_link(bare, self.kinds[bare], self.base) + hash_sign + fragment

    def rewrite_html(self, html: str) -> str:
        def attribute(match: re.Match) -> str:
            value = unescape(match[2])
            if value.startswith(self.origin + "/"):
                value = value[len(self.origin):]
            target = _internal(value)
            if target is None:
                return match[0]
            where = self.link(target)
            if where is None and match[1].strip().startswith("action="):  # a form: static-site.js routes it
                where = _public_link(urlsplit(target).path, True, self.base)
            elif where is None:  # never expected: the live site has no dead links (tests/test_links.py)
                self.report.failed.setdefault(target, 0)
                return match[0]
            absolute = value != unescape(match[2])  # it was written with the origin: keep it absolute
            rewritten = f"{match[1]}{escape(self.public_origin + where if absolute else where)}{match[3]}"
            if self.report.redirected.get(target.split("#")[0]) and match[1].strip().startswith("href="):
                # A combination of filters not built: static-site.js says so rather than show the unfiltered list.
                rewritten += ' data-needs-server=""'
            if match[1].strip().startswith("action=") and target != "/search":  # (search reads its own question)
                # static-site.js sends the form to the built page of its answer, by the page's own URL
                rewritten += f' data-site-action="{escape(target)}"'
            return rewritten

        html = _ATTRIBUTE.sub(attribute, html)
        return _JSON_BLOCK.sub(lambda m: m[1] + self.rewrite_json_text(m[2], html_safe=True) + m[3], html)

    def rewrite_json_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.rewrite_json_value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.rewrite_json_value(item) for item in value]
        if isinstance(value, str):
            absolute = bool(self.origin) and value.startswith(self.origin + "/")
            text = value[len(self.origin):] if absolute else value
            if text.startswith("/") and not text.startswith("//"):
                where = self.link(text)
                if where is not None:
                    return self.public_origin + where if absolute else where
        return value

    def rewrite_json_text(self, text: str, html_safe: bool = False) -> str:
        data = self.rewrite_json_value(json.loads(text))
        out = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if html_safe:  # as Flask's tojson: nothing that could close the script element
            out = out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return out

    # -- writing -----------------------------------------------------------------------------------

    def notice(self, url: str, html: str) -> str:
        """The notice of a page that needs the live server, at the top of its main content."""
        path = urlsplit(url).path
        if path not in NEEDS_SERVER or (path == "/compare" and url != "/compare"):
            return html
        text = NEEDS_SERVER[path]
        if "{links}" in text:
            cases = sorted(u for u in self.kinds if urlsplit(u).path == "/compare" and "case=" in u)
            links = ", ".join(f'<a href="{escape(u)}">{escape(self.case_names.get(u, u))}</a>' for u in cases)
            text = escape(text).replace("{links}", links + ".")
        else:
            text = escape(text)
        block = f'<div class="static-notice" role="note"><p><strong>Static copy.</strong> {text}</p></div>'
        return html.replace('<main id="main">', f'<main id="main">\n{block}', 1)

    def add_scripts(self, url: str, html: str) -> str:
        tags = (f'<script src="{self.base}static-site.js" defer></script>\n'
                f'<link rel="stylesheet" href="{self.base}static-site.css">\n')
        if urlsplit(url).path == "/search":
            tags += f'<script src="{self.base}static-search.js" defer></script>\n'
        return html.replace("</head>", tags + "</head>", 1)

    def write(self) -> None:
        for url, is_html in self.kinds.items():
            if is_html and urlsplit(url).path == "/compare" and "case=" in url:
                title = re.search(rb"<title>Cases comparable to (.*?) \xc2\xb7", self.bodies[url])
                self.case_names[url] = unescape(title[1].decode()) if title else url
        for url, is_html in self.kinds.items():
            target = self.output / static_path(url, is_html)
            target.parent.mkdir(parents=True, exist_ok=True)
            body = self.bodies[url]
            if is_html:
                html = self.rewrite_html(self.notice(url, body.decode("utf-8")))
                target.write_text(self.add_scripts(url, html), encoding="utf-8")
                self.report.pages += 1
            elif target.suffix == ".json" and not url.startswith("/export/"):
                target.write_text(self.rewrite_json_text(body.decode("utf-8")), encoding="utf-8")
            else:
                target.write_bytes(body)
            self.report.files += 1

    def write_extras(self) -> None:
        for asset in ASSETS.iterdir():
            shutil.copyfile(asset, self.output / asset.name)
            self.report.files += 1
        routes = {url: self.link(url) for url, is_html in self.kinds.items() if is_html and "?" in url}
        (self.output / "static-routes.json").write_text(json.dumps(routes, ensure_ascii=False, sort_keys=True),
                                                       encoding="utf-8")
        with self.app.test_request_context():
            store = get_store()
            entries = [{"k": d.kind, "n": d.name, "t": d.text, "a": list(d.aliases),
                        "u": self.link(node_url(d.kind, d.id))} for d in documents_from_store(store)]
            passages = [{"k": p.owner_kind, "n": p.owner_name, "s": p.section, "t": p.text,
                         "u": self.link(passage_url(p.owner_kind, p.owner_id, slug(p.section)))}
                        for p in passages_from_store(store)]
        index = {"documents": entries, "passages": passages, "base": self.base}
        (self.output / "search-index.json").write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")),
                                                       encoding="utf-8")
        (self.output / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve the files as they are
        self.report.files += 3
        if self.public_origin:  # a sitemap needs absolute addresses
            pages = sorted(self.public_origin + _public_link(url, True, self.base)
                           for url, is_html in self.kinds.items() if is_html and "?" not in url)
            entries = "".join(f"  <url><loc>{escape(page)}</loc></url>\n" for page in pages)
            (self.output / "sitemap.xml").write_text(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n',
                encoding="utf-8")
            (self.output / "robots.txt").write_text(
                f"User-agent: *\nAllow: /\nSitemap: {self.public_origin}{self.base}sitemap.xml\n", encoding="utf-8")
            self.report.files += 2

    def write_not_found(self, page: str) -> None:
        """The site's own 404 page, which static hosts (GitHub Pages, Netlify...) serve for unknown paths."""
        # It answers for any address: no canonical address of its own.
        page = re.sub(r'\s*<link rel="canonical"[^>]*>|\s*<meta property="og:url"[^>]*>', "", page)
        html = self.rewrite_html(page)
        (self.output / "404.html").write_text(self.add_scripts("/404", html), encoding="utf-8")
        self.report.files += 1


def _start_pages(app: Flask) -> list[str]:
    """The entry pages and every node's page: the crawl reaches the rest through their links."""
    pages = list(ENTRY_PAGES)
    with app.test_request_context():
        store = get_store()
        for document in documents_from_store(store):
            pages.append(node_url(document.kind, document.id))
            pages.append(f"/graph/{document.kind}/{document.id}")
            if document.kind == "organisation":
                pages.append(f"/compare?case={document.id}")
    return pages


def build_site(app: Flask, output: Path, base_url: str = "/", jobs: int = 1) -> BuildReport:
    """Render the whole site into ``output`` for a static host under ``base_url``.

    ``app``: made with ``KB_RATE_LIMITS`` off (the build runs every example query of the console).
    ``jobs``: processes rendering pages at once (each makes its own app from ``app``'s ``KB_*`` settings).

    ``base_url``: the path the site is served under (``/`` or ``/repo/``), or a full address
    (``https://org.github.io/repo/``), which also gives canonical links and previews their host.
    """
    started = time.monotonic()
    parts = urlsplit(base_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    base = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
    # Without a public address, the app still needs one for absolute links; they are written relative.
    app_origin = origin or "http://static.invalid"
    app.config["KB_PUBLIC_URL"] = app_origin
    builder = _Builder(app, output, base, app_origin, origin)
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    client = app.test_client()

    def render_here(urls: list[str]) -> Iterable[Rendered]:
        for url in urls:
            response = client.get(url)
            yield url, response.status_code, response.mimetype or "", response.get_data()

    if jobs > 1:
        config = {key: value for key, value in app.config.items() if key.startswith(("KB_", "NEO4J_"))}
        with multiprocessing.get_context("spawn").Pool(jobs, _start_worker, (config,)) as pool:
            builder.crawl(_start_pages(app), lambda urls: pool.imap(_render_in_worker, urls, chunksize=8))
    else:
        builder.crawl(_start_pages(app), render_here)
    builder.write()
    builder.write_extras()
    builder.write_not_found(client.get("/cases/-not-a-page-").get_data(as_text=True))
    builder.report.seconds = time.monotonic() - started
    return builder.report
