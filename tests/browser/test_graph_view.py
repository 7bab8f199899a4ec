"""A graph a person can read (issue 26, item 7), checked by looking: Chromium draws three graph pages over the
real content.

For each page the test saves a screenshot in tests/artifacts/ (printed, so that it is attached to the test
output) and asserts what a reader would notice: the drawing comes first and its settings after it; the kinds
stand in columns (practices left of the organisations, challenges and outcomes right of them), each kind with
its own shape; every name is at least 12 px, whole (not cut with "…") and clear of every other; at most a few
dozen nodes, no sources or countries unless asked for; the page loads the site's one style sheet and its one
small script and nothing else.  It also checks that the settings redraw the graph, and runs the link crawler on
every link of the graph page.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import OfflinePage, shoot
from tests.crawler import Response, crawl

pytestmark = pytest.mark.browser

#: Three graph pages: a large case, a widely used practice, and a framework at two steps.
GRAPH_PAGES = {"case": "/graph/organisation/buurtzorg", "practice": "/graph/practice/self-managing-teams",
               "framework-2-steps": "/graph/framework/holacracy?depth=2"}
MAX_NODES = 40

#: What the drawing looks like, read in the page: each node's kind, shape, name, the box of its name (in page
#: pixels) and its font size; and where the settings form starts.
READ_DRAWING = """() => {
    const svg = document.getElementById('graph-bands');
    const nodes = [...svg.querySelectorAll('g.node')].map(g => {
        const text = g.querySelector('text'), box = text.getBoundingClientRect();
        return {kind: [...g.classList].find(c => c.startsWith('kind-')).slice(5),
                shape: g.querySelector('path').getAttribute('d'), name: text.textContent,
                title: g.querySelector('title').textContent,
                x: g.querySelector('path').getBoundingClientRect().left,
                box: [box.left, box.top, box.right, box.bottom],
                size: parseFloat(getComputedStyle(text).fontSize)};
    });
    const drawing = svg.getBoundingClientRect(), form = document.querySelector('form.graph-controls');
    return {nodes, drawingTop: drawing.top, drawingRight: drawing.right,
            formTop: form.getBoundingClientRect().top,
            drawingFirst: Boolean(svg.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING)};
}"""


def overlapping(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of names whose boxes overlap (by more than a pixel, for anti-aliasing)."""
    pairs = []
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            (l1, t1, r1, b1), (l2, t2, r2, b2) = a["box"], b["box"]
            if min(r1, r2) - max(l1, l2) > 1 and min(b1, b2) - max(t1, t2) > 1:
                pairs.append((a["name"], b["name"]))
    return pairs


@pytest.mark.parametrize("name", GRAPH_PAGES)
def test_graph_page_is_readable(offline_page: OfflinePage, name: str) -> None:
    page = offline_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(GRAPH_PAGES[name])
    path = shoot(page, f"graph-{name}")
    print(f"\nscreenshot of {GRAPH_PAGES[name]}: {path}")
    drawing = page.evaluate(READ_DRAWING)
    nodes = drawing["nodes"]
    kinds = [n["kind"] for n in nodes]
    assert 3 < len(nodes) <= MAX_NODES, f"{len(nodes)} nodes"
    assert "source" not in kinds and "country" not in kinds
    # The drawing first, its settings after it; the whole drawing fits the page's column at 1280 px.
    assert drawing["drawingFirst"] and drawing["drawingTop"] < drawing["formTop"]
    assert drawing["drawingRight"] <= 1280 - 16
    # Names: at least 12 px, whole (each name's text is its full name), none over another.
    assert min(n["size"] for n in nodes) >= 12
    assert [n["name"] for n in nodes if not n["title"].endswith(": " + n["name"])] == []
    assert overlapping(nodes) == []
    # Kinds in columns: practices and frameworks left of the organisations, challenges and outcomes right.
    left = {n["x"] for n in nodes if n["kind"] in ("practice", "framework")}
    middle = {n["x"] for n in nodes if n["kind"] in ("organisation", "sector")}
    right = {n["x"] for n in nodes if n["kind"] in ("challenge", "outcome")}
    columns = [xs for xs in (left, middle, right) if xs]
    assert len(columns) >= 2 and middle
    assert all(max(a) < min(b) for a, b in itertools.pairwise(columns))
    # Each kind its own shape as well as its colour, and a key that shows them.
    shapes = {n["kind"]: n["shape"] for n in nodes}
    assert len(set(shapes.values())) == len(shapes)
    assert all(len({n["shape"] for n in nodes if n["kind"] == kind}) == 1 for kind in shapes)
    key = page.locator("ul.graph-key > li")
    expect(key).to_have_count(len(shapes))
    # The list of nodes has the same nodes as the drawing.
    assert page.locator("ul.graph-nodes > li").count() == len(nodes) - 1
    # Only what the page uses: the site's one style sheet and its small script, nothing from vis-network.
    loaded = {re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url.split("/")[-1]) for url in offline_page.requests[1:]}
    assert {"style.css", "site.js"} <= loaded <= {"style.css", "site.js", "favicon.svg"}, offline_page.requests
    offline_page.assert_stayed_local()


def test_settings_redraw_the_graph(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto(GRAPH_PAGES["case"])
    drawing = page.locator("#graph-bands")
    expect(drawing.locator("g.kind-practice").first).to_be_visible()
    page.get_by_label("practices", exact=True).uncheck()
    page.get_by_label("sources", exact=True).check()
    page.get_by_role("button", name="Update the graph").click()
    expect(page).to_have_url(re.compile(r"show=source"))
    page.wait_for_load_state()
    expect(drawing.locator("g.kind-practice")).to_have_count(0)
    expect(drawing.locator("g.kind-source").first).to_be_visible()
    expect(page.locator("ul.graph-nodes .badge.kind-practice")).to_have_count(0)
    assert "show=practice" not in page.url
    shoot(page, "graph-case-sources")
    offline_page.assert_stayed_local()


def test_every_link_of_the_graph_page_answers(offline_page: OfflinePage, live_server: str) -> None:
    """The crawler of tests/test_links.py, on the links of the graph page as Chromium renders it (the drawing's
    nodes are links too)."""
    page = offline_page.page
    page.goto(GRAPH_PAGES["framework-2-steps"])
    links = page.evaluate("""() => [...document.querySelectorAll('a[href], link[href], script[src], img[src]')]
        .map(e => e.getAttribute('href') || e.getAttribute('src'))""")
    drawn = page.evaluate("() => [...document.querySelectorAll('#graph-bands a')].map(a => a.getAttribute('href'))")
    assert len(drawn) > 10 and set(drawn) <= set(links)
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
