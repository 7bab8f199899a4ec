"""A graph a person can read, checked by looking: Chromium draws three graph pages over the real content.

For each page the test waits until the layout has settled and stopped, saves a screenshot in
tests/artifacts/ (printed, so that it is attached to the test output), and asserts what a reader
would notice: at most a few dozen nodes, no sources or countries unless asked for, no label over
another, and a layout that no longer moves. It also checks that the filters apply without loading a
new page (the text list, the drawing's accessible equivalent, follows), and runs the link crawler on
every link of the graph page as Chromium has it (the list's links and every node's page).
"""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import pytest

from tests.browser_fixtures import OfflinePage, shoot
from tests.conftest import ci_strict
from tests.crawler import Response, crawl

if importlib.util.find_spec("playwright") is None:  # pragma: no cover - depends on the environment
    if ci_strict():
        raise ImportError("playwright is missing: pip install -r requirements-dev.txt (CI=true: browser tests must run)")
    pytest.skip("playwright is missing: pip install -r requirements-dev.txt", allow_module_level=True)

from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: Three graph pages: a large case (65 nodes at one step before issue 18), a widely used practice, and a
#: framework at two steps.
GRAPH_PAGES = {"case": "/graph/organisation/buurtzorg", "practice": "/graph/practice/self-managing-teams",
               "framework-2-steps": "/graph/framework/holacracy?depth=2"}
MAX_NODES = 40


def wait_for(page: Any, expression: str, timeout_ms: int = 60_000) -> None:
    """Poll ``expression`` from here: the site's CSP (script-src 'self') forbids the eval that Playwright's
    own ``wait_for_function`` polling uses in the page."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")


def wait_until_settled(page: Any) -> None:
    wait_for(page, "Boolean(window.kbGraph && window.kbGraph.settled())")


def positions(page: Any) -> dict[str, dict[str, float]]:
    return page.evaluate("window.kbGraph.network.getPositions()")


@pytest.mark.parametrize("name", GRAPH_PAGES)
def test_graph_page_is_readable(offline_page: OfflinePage, name: str) -> None:
    page = offline_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(GRAPH_PAGES[name])
    wait_until_settled(page)
    path = shoot(page, f"graph-{name}")
    print(f"\nscreenshot of {GRAPH_PAGES[name]}: {path}")
    kinds = page.evaluate("window.kbGraph.nodes.get().map(n => n.group)")
    assert 3 < len(kinds) <= MAX_NODES, f"{len(kinds)} nodes"
    assert "source" not in kinds and "country" not in kinds
    overlaps = page.evaluate("window.kbGraph.overlaps()")
    assert overlaps == [], f"labels overlap: {overlaps[:5]}"
    # Settled and stopped: nothing moves any more.
    before = positions(page)
    page.wait_for_timeout(1500)
    assert positions(page) == before
    assert page.evaluate("window.kbGraph.network.physics.options.enabled") is False
    # A legend names every kind drawn; the text list has the same nodes.
    legend = page.locator("#graph-legend").inner_text()
    for kind in {"organisation": "Case", "practice": "Practice", "challenge": "Challenge"}.items():
        if kind[0] in kinds:
            assert kind[1] in legend
    assert page.locator("ul.graph-nodes > li").count() == len(kinds) - 1
    offline_page.assert_stayed_local()


def test_filters_apply_without_a_page_load(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto(GRAPH_PAGES["case"])
    wait_until_settled(page)
    page.evaluate("window.__samePage = true")
    practices = page.evaluate("window.kbGraph.nodes.get().filter(n => n.group === 'practice').length")
    assert practices > 0
    page.get_by_label("practices").uncheck()
    wait_for(page, "window.kbGraph.updates() === 1 && window.kbGraph.settled()")
    assert page.evaluate("window.__samePage") is True  # no page load happened
    assert page.evaluate("window.kbGraph.nodes.get().filter(n => n.group === 'practice').length") == 0
    expect(page.locator("ul.graph-nodes .badge.kind-practice")).to_have_count(0)
    assert "show=" in page.url and "show=practice" not in page.url
    expect(page.locator("#graph-status")).to_contain_text("Graph updated")
    assert page.evaluate("window.kbGraph.overlaps()") == []
    # Sources can be added the same way, and grouping folds each kind into one node.
    page.get_by_label("sources").check()
    wait_for(page, "window.kbGraph.updates() === 2 && window.kbGraph.settled()")
    assert page.evaluate("window.kbGraph.nodes.get().some(n => n.group === 'source')")
    page.get_by_label("group each kind into one node").check()
    wait_for(page, "window.kbGraph.network.isCluster('group:source') && window.kbGraph.settled()")
    shoot(page, "graph-case-grouped")
    assert page.evaluate("window.__samePage") is True
    offline_page.assert_stayed_local()


def test_every_link_of_the_graph_page_answers(offline_page: OfflinePage, live_server: str) -> None:
    """The crawler of tests/test_links.py, on the links of the graph page as Chromium renders it."""
    page = offline_page.page
    page.goto(GRAPH_PAGES["framework-2-steps"])
    wait_until_settled(page)
    links = page.evaluate("""() => [...document.querySelectorAll('a[href], link[href], script[src], img[src]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src'))
        .concat(window.kbGraph.nodes.get().map(n => n.url))""")
    internal = sorted({link for link in links if link and link.startswith("/") and not link.startswith("//")})
    assert len(internal) > 20

    def get(url: str) -> Response:
        answer = page.request.get(live_server + url)
        kind = answer.headers.get("content-type", "")
        return Response(answer.status, kind, answer.text() if "html" in kind else "")

    report = crawl(get, internal, follow_variants=0)
    assert not report.broken, str(report)
    assert len(report.visited) >= len(internal)
    assert not re.search(r"/graph/\w+/[^?]*\?(.*&)?show=source", " ".join(internal))  # defaults kept in the links
