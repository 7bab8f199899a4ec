"""The production server: the README's main command, compression, caching headers, link previews, proxies."""

from __future__ import annotations

import gzip
import hashlib
import os
import queue
import re
import select
import signal
import socket
import subprocess
import threading
import time
import types
import urllib.request
from pathlib import Path

import pytest

from webapp import create_app

from .conftest import FIXTURES, REPO, TEST_LIMITS, close_app, load_into


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerLog:
    """The lines a server prints, read in a thread, so a test can wait for the one it expects."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def rest(self, seconds: float = 2) -> str:
        """What the server printed so far (waiting up to ``seconds`` for more), for a failure's message."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return "\n".join(self.lines[-60:])

    def wait_for(self, pattern: str, seconds: float = 120) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in self.lines:
                if match := re.search(pattern, line):
                    self.lines.remove(line)
                    return match
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"the server stopped before printing {pattern!r}")
            self.lines.append(line)
        raise AssertionError(f"the server never printed {pattern!r}; it printed:\n" + "\n".join(self.lines[-30:]))


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(child) for child in found}


def wait_for_exit(pid: int, seconds: float = 60) -> None:
    """Wait until a process (not necessarily our child) has ended: its pidfd becomes readable."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        assert select.select([handle], [], [], seconds)[0], f"process {pid} still running after {seconds} s"
    finally:
        os.close(handle)


def test_scripts_serve_runs_gunicorn_workers_logs_requests_and_reloads_when_the_graph_is_rebuilt(
        mini_root: Path, tmp_path: Path) -> None:
    port = free_port()
    store = tmp_path / "store"
    environment = {**os.environ, "KB_ROOT": str(mini_root), "KB_STORE_PATH": str(store), "PORT": str(port),
                   "WEB_CONCURRENCY": "2", "KB_SERVER_THREADS": "2", "KB_RELOAD_WATCH_SECONDS": "0.2",
                   "PYTHONUNBUFFERED": "1"}
    environment.pop("HOST", None)
    process = subprocess.Popen([str(REPO / "scripts" / "serve")], cwd=REPO, env=environment, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    log = ServerLog(process)
    base = f"http://127.0.0.1:{port}"
    try:
        log.wait_for(rf"Listening at: http://127\.0\.0\.1:{port}\b")  # loopback unless HOST says otherwise
        first_workers = {int(log.wait_for(r"Booting worker with pid: (\d+)")[1]) for _ in range(2)}
        assert len(first_workers) == 2
        status, headers, body = get(base + "/cases/alpha-care", {"Accept-Encoding": "gzip"})
        assert status == 200, log.rest()
        assert headers["Content-Encoding"] == "gzip"
        assert b"Alpha Care" in gzip.decompress(body)
        log.wait_for(r'"GET /cases/alpha-care HTTP/1\.1" 200 \d+ [\d.]+s')  # the access log, with the time taken
        status, _, body = get(base + "/query.json?q=RETURN%2042%20AS%20answer")  # a console worker, under gunicorn
        assert status == 200 and b'"rows":[[42]]' in body.replace(b" ", b"")
        console_workers = set().union(*(children(pid) for pid in first_workers))
        assert console_workers  # the worker that answered started its pool of console processes

        case = mini_root / "cases" / "alpha-care.md"
        case.write_text(case.read_text(encoding="utf-8").replace("name: Alpha Care", "name: Alpha Home Care"),
                        encoding="utf-8")
        subprocess.run([str(REPO / ".venv" / "bin" / "python"), "graph_loader.py", "load", "--quiet"], cwd=REPO,
                       env=environment, check=True, capture_output=True)
        log.wait_for(r"the graph was rebuilt .*reloading the workers gracefully")
        new_workers = {int(log.wait_for(r"Booting worker with pid: (\d+)")[1]) for _ in range(2)}
        assert not new_workers & first_workers
        for pid in first_workers:
            log.wait_for(rf"Worker exiting \(pid: {pid}\)")
        for pid in first_workers | console_workers:  # old workers stop, and their console processes with them
            wait_for_exit(pid)
        assert b"Alpha Home Care" in get(base + "/cases/alpha-care")[2]
        assert process.poll() is None
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_starting_worker_builds_the_search_index_so_the_first_search_does_not(
        shared_mini_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.analysis import search
    from webapp import gunicorn_conf

    builds: list[str] = []  # built here, or read from the store's folder where another worker built it
    build, read = search._index_from_store, search.SearchIndex.read
    monkeypatch.setattr(search, "_index_from_store",
                        lambda store, folder: builds.append("search index") or build(store, folder))
    monkeypatch.setattr(search.SearchIndex, "read", lambda folder: builds.append("search index") or read(folder))
    from kb.analysis import timeline as timelines
    from webapp.views import lessons, sources
    pages_made: list[str] = []  # what the timeline, sources and lessons pages make once per graph version

    def counted(what: str, make):
        return lambda *args, **kwargs: pages_made.append(what) or make(*args, **kwargs)

    for module, name, what in ((timelines, "_timeline_rows", "timeline"), (sources, "_source_facets", "sources"),
                               (lessons, "case_lessons", "lessons")):
        monkeypatch.setattr(module, name, counted(what, getattr(module, name)))
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), **TEST_LIMITS})
    try:
        gunicorn_conf.post_worker_init(types.SimpleNamespace(wsgi=app))  # gunicorn's hook as a worker starts
        for thread in threading.enumerate():
            if thread.name == "kb-derived":
                thread.join(timeout=120)
        made = list(builds)
        assert made in (["search index"] * 2, ["search index"])  # built and read back, or only read
        page = app.test_client().get("/search?q=self-managing+teams")
        assert page.status_code == 200 and b"<mark>" in page.data
        assert builds == made  # the request used the index made as the worker started
        assert sorted(pages_made) == ["lessons", "sources", "timeline"]
        for path in ("/timeline", "/sources", "/lessons"):
            assert app.test_client().get(path).status_code == 200
        assert sorted(pages_made) == ["lessons", "sources", "timeline"]  # made as the worker started, not again
    finally:
        close_app(app)


def test_a_worker_reads_the_search_index_another_worker_built_with_the_same_answers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.analysis import search

    store = tmp_path / "store"
    load_into(FIXTURES / "mini", store)
    questions = ("/search?q=self-managing+teams", "/search.json?q=why+did+staff+leave", "/search?q=how+many+nurses",
                 "/report?practice=self-managing-teams")
    first = create_app({"TESTING": True, "KB_STORE_PATH": str(store), **TEST_LIMITS})
    try:
        built = [first.test_client().get(question).data for question in questions]
    finally:
        close_app(first)
    monkeypatch.setattr(search, "_index_from_store", lambda store, folder: pytest.fail("built a second time"))
    second = create_app({"TESTING": True, "KB_STORE_PATH": str(store), **TEST_LIMITS})  # another process's app
    try:
        assert [second.test_client().get(question).data for question in questions] == built
    finally:
        close_app(second)
    assert b"<mark>" in built[0] and b'"passages"' in built[1]


@pytest.fixture
def site(shared_mini_store: Path):
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), **TEST_LIMITS})
    return app.test_client()


def test_pages_are_compressed_for_browsers_that_accept_it(site) -> None:
    plain = site.get("/cases/alpha-care")
    assert "Content-Encoding" not in plain.headers
    for encoding in ("gzip", "br", "zstd"):
        packed = site.get("/cases/alpha-care", headers={"Accept-Encoding": encoding})
        assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.data) * 3 < len(plain.data)
    assert gzip.decompress(site.get("/cases/alpha-care", headers={"Accept-Encoding": "gzip"}).data) == plain.data
    twin = site.get("/cases.json", headers={"Accept-Encoding": "gzip"})
    assert twin.headers["Content-Encoding"] == "gzip" and b'"ok":true' in gzip.decompress(twin.data).replace(b" ", b"")


def test_a_browser_revalidating_any_page_gets_304(shared_mini_store: Path) -> None:
    # With the page cache off (as on Neo4j), pages still carry an ETag, and a match gets an empty 304.
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), "KB_PAGE_CACHE_MB": 0, **TEST_LIMITS})
    client = app.test_client()
    for path in ("/lessons", "/sources.json", "/contribute"):
        etag = client.get(path).headers["ETag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", path
    gzip_etag = client.get("/lessons", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    assert client.get("/lessons", headers={"Accept-Encoding": "gzip", "If-None-Match": gzip_etag}).status_code == 304


def test_static_files_have_fingerprinted_names_cached_for_a_year(site) -> None:
    page = site.get("/graph/organisation/alpha-care").text
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', page)
    names = {re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", asset) for asset in assets}
    assert names == {"style.css", "site.js", "favicon.svg"}
    for asset in assets:
        stem, digest, ext = re.fullmatch(r"(.+)\.([0-9a-f]{10})(\.\w+)", asset).groups()
        content = (REPO / "webapp" / "static" / (stem + ext)).read_bytes()
        assert digest == hashlib.sha256(content).hexdigest()[:10]
        response = site.get(f"/static/{asset}")
        assert response.status_code == 200 and response.data == content
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # The plain name and an outdated fingerprint still answer, revalidated each time.
    for name in ("style.css", "style.0123456789.css"):
        response = site.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
        assert response.data == (REPO / "webapp" / "static" / "style.css").read_bytes()


def test_every_page_links_one_style_sheet(site) -> None:
    # Issue 26, item 8: one style sheet, fetched once and kept for a year, rather than five requests a page.
    for path in ("/", "/cases/alpha-care", "/graph/organisation/alpha-care", "/query", "/patterns", "/search?q=teams"):
        sheets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', site.get(path).text)
        assert len(sheets) == 1 and re.fullmatch(r"style\.[0-9a-f]{10}\.css", sheets[0]), (path, sheets)
    assert sorted(p.name for p in (REPO / "webapp" / "static").glob("*.css")) == ["style.css"]


def meta(page: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<meta [^>]+>|<link rel=\"canonical\"[^>]+>", page):
        key = re.search(r'(?:name|property|rel)="([^"]+)"', tag)
        if key is None:  # <meta charset>
            continue
        key = key[1]
        value = re.search(r'(?:content|href)="([^"]*)"', tag)
        found[key] = value[1] if value else ""
    return found


def test_every_page_has_its_own_description_and_link_preview(site) -> None:
    case = meta(site.get("/cases/alpha-care").text)
    assert case["description"] == ("A fictional home-care provider used by the test suite; nurses work in small "
                                   "self-managing teams.")
    assert case["og:title"] == "Alpha Care" and case["og:description"] == case["description"]
    assert case["og:url"] == case["canonical"] == "http://localhost/cases/alpha-care"
    assert case["og:site_name"] == "Self-management case graph" and case["twitter:card"] == "summary"
    concept = meta(site.get("/practices/self-managing-teams").text)
    assert concept["og:title"] == "Self-managing teams (practice)"
    assert concept["description"] == ("Small teams plan and do their own work and make their own decisions, "
                                      "without a manager.")
    descriptions = {path: meta(site.get(path).text)["description"]
                    for path in ("/", "/cases", "/compare", "/patterns", "/lessons", "/sources", "/search",
                                 "/query", "/contribute", "/accessibility", "/evidence", "/analytics")}
    assert all(descriptions.values()), descriptions
    assert len(set(descriptions.values())) == len(descriptions), descriptions  # each page says what it is
    assert descriptions["/search"].startswith("Finds the passages of the cases that answer it first"), \
        descriptions["/search"]  # the help, not the evidence filter's label and options


def test_behind_a_proxy_each_visitor_is_counted_and_urls_are_the_public_ones(shared_mini_store: Path) -> None:
    app = create_app({"TESTING": True, "KB_STORE_PATH": str(shared_mini_store), "KB_PROXIES": 1,
                      "KB_TRUSTED_HOSTS": "kb.example.org", "KB_CONSOLE_RATE_LIMIT": "1 per minute"})
    client = app.test_client()
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kb.example.org"}
    page = client.get("/cases/alpha-care", headers={**proxied, "X-Forwarded-For": "203.0.113.5"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert meta(page.text)["canonical"] == "https://kb.example.org/cases/alpha-care"
    # The console's rate limit counts each visitor the proxy names, not the proxy.
    for visitor in ("203.0.113.5", "203.0.113.6"):
        answer = client.get("/query.json?q=RETURN%201", headers={**proxied, "X-Forwarded-For": visitor},
                            environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert answer.status_code == 200, visitor
    again = client.get("/query.json?q=RETURN%201", headers={**proxied, "X-Forwarded-For": "203.0.113.5"},
                       environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert again.status_code == 429
    # A host name the site does not answer to is refused.
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
