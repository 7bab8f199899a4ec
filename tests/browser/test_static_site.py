"""The static site (``graph_loader.py build-site``) served by a plain static server under a sub-path.

Built once per session from the fixture content into a temporary folder, served with
``python -m http.server`` on 127.0.0.1 from the folder above it (so the site lives at /kb/site/, as a
project's GitHub Pages do), then crawled link by link, and walked in Chromium.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import OfflinePage, shoot
from tests.conftest import FIXTURES, REPO
from tests.crawler import Response, crawl, links_and_ids

BASE = "/kb/site/"


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The fixture content built as a static site, served under BASE; yields (server address, site folder)."""
    served = tmp_path_factory.mktemp("static")
    site = served / BASE.strip("/")
    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory",
                               str(served)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
        port = re.search(r"port (\d+)", line)
        assert port, line
        address = f"http://127.0.0.1:{port[1]}"
        # Built for its full public address (as the Pages workflow does), so canonical links name it.
        done = subprocess.run([sys.executable, "graph_loader.py", "build-site", "--output", str(site), "--base-url",
                               address + BASE, "--root", str(FIXTURES / "mini")], cwd=REPO, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "warning" not in done.stderr, done.stderr
        yield address, site
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(address: str):
    def answer(url: str) -> Response:
        try:
            with urllib.request.urlopen(address + url, timeout=30) as response:
                kind = response.headers.get_content_type()
                body = response.read()
                return Response(response.status, kind, body.decode("utf-8") if kind == "text/html" else "")
        except urllib.error.HTTPError as err:
            return Response(err.code, err.headers.get_content_type(), "")
    return answer


def test_every_link_of_the_static_site_answers_under_its_sub_path(static_site) -> None:
    address, site = static_site
    report = crawl(get(address), [BASE], follow_variants=10**6)
    assert not report.broken, str(report)
    visited = set(report.visited)
    for expected in ("/kb/site/cases/alpha-care/", "/kb/site/cases/alpha-care.json", "/kb/site/practices/",
                     "/kb/site/compare/-/case-alpha-care/", "/kb/site/patterns/", "/kb/site/sources/",
                     "/kb/site/sources/report-a/", "/kb/site/lessons/", "/kb/site/graph/organisation/alpha-care/",
                     "/kb/site/query/", "/kb/site/export/graph.graphml",
                     "/kb/site/export/nodes.csv"):
        assert expected in visited, expected
    assert (site / "search" / "index.html").is_file() and (site / "search-index.json").is_file()
    assert any(url.startswith("/kb/site/patterns/claims/-/") for url in visited)
    assert any(url.startswith("/kb/site/query/-/example-") for url in visited)
    assert any(url.startswith("/kb/site/static/style.") for url in visited)
    # No page asks for anything from another site (no CDN): every script, style sheet and image is local.
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", text):
            if 'rel="canonical"' in tag:
                continue
            target = re.search(r'(?:src|href)="([^"]*)"', tag)
            assert target is None or target[1].startswith(BASE), (page, tag)
    # Canonical links and previews name the public address; the sitemap lists every page.
    case = (site / "cases" / "alpha-care" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{address}/kb/site/cases/alpha-care/">' in case
    assert f'<meta property="og:url" content="{address}/kb/site/cases/alpha-care/">' in case
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{address}/kb/site/cases/alpha-care/</loc>" in sitemap and "/-/" not in sitemap
    assert f"Sitemap: {address}/kb/site/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    # The site's own 404 page, for static hosts that serve one for unknown addresses.
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert "<h1>404 · Not Found</h1>" in not_found and 'href="/kb/site/static/style.' in not_found
    # Each JSON twin is a file beside its page, with its links rewritten for the sub-path.
    twin = json.loads((site / "cases" / "alpha-care.json").read_text(encoding="utf-8"))
    assert twin["case"]["name"] == "Alpha Care"
    lessons = json.loads((site / "lessons.json").read_text(encoding="utf-8"))
    assert lessons["cases"][0]["sections"][1]["items"][0]["url"] == "/kb/site/cases/alpha-care/#section-open-questions"


def test_pages_that_need_a_server_say_so_and_link_to_what_was_computed(static_site) -> None:
    address, _ = static_site
    console = get(address)(BASE + "query/").text
    assert "The console runs your own Cypher queries on the live site only" in console
    compare = get(address)(BASE + "compare/").text
    assert "needs the live site" in compare
    links, _ = links_and_ids(compare)
    assert {"/kb/site/compare/-/case-alpha-care/", "/kb/site/compare/-/case-beta-shoes/"} <= set(links)


@pytest.fixture
def static_page(browser) -> Iterator[OfflinePage]:
    context = browser.new_context()
    try:
        yield OfflinePage(context.new_page())
    finally:
        context.close()


@pytest.mark.browser
def test_a_visitor_searches_the_static_site_and_opens_the_answer(static_site, static_page: OfflinePage) -> None:
    address, _ = static_site
    page = static_page.page
    page.goto(address + BASE)
    page.get_by_role("search", name="Site").get_by_role("searchbox").fill("nurses per team")
    page.get_by_role("search", name="Site").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/kb/site/search/\?q=nurses\+per\+team$"))
    answers = page.locator("ol.static-passages > li")
    expect(answers.first).to_contain_text("Alpha Care")
    shoot(page, "static-search")
    answers.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/kb/site/cases/alpha-care/#"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Care")
    static_page.assert_stayed_local()


@pytest.mark.browser
def test_a_visitor_picks_a_case_to_compare_and_gets_its_precomputed_results(static_site,
                                                                            static_page: OfflinePage) -> None:
    address, _ = static_site
    page = static_page.page
    page.goto(address + BASE + "compare/")
    picker = page.locator("form.pick-case")
    picker.get_by_label("Start from an existing case").fill("beta-shoes")
    picker.get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(r"/kb/site/compare/-/case-beta-shoes/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Beta Shoes")
    expect(page.get_by_role("link", name="Alpha Care").first).to_be_visible()
    shoot(page, "static-compare")
    static_page.assert_stayed_local()


@pytest.mark.browser
def test_the_graph_filters_say_they_need_the_live_site(static_site, static_page: OfflinePage) -> None:
    address, _ = static_site
    page = static_page.page
    page.goto(address + BASE + "graph/organisation/alpha-care/")
    sources = page.get_by_role("checkbox", name="sources")
    expect(sources).not_to_be_checked()
    sources.click()
    expect(page.locator(".static-form-note")).to_contain_text("changing what it shows needs the live site")
    expect(sources).not_to_be_checked()
    static_page.assert_stayed_local()
