"""No dead links: every internal link of every page kind answers, on the fixture and on the real content."""

from __future__ import annotations

import pytest

from .crawler import Response, crawl

#: Every page kind the crawl must reach (first path segment of the pages whose links it followed).
PAGE_KINDS = {"/", "/cases", "/practices", "/challenges", "/outcomes", "/frameworks", "/sources", "/graph",
              "/search", "/lessons", "/compare", "/patterns", "/analytics", "/query", "/contribute", "/repo"}
#: Pages no link leads to but which are pages all the same: the crawl starts from them too.
START = {"real": ["/", "/search?q=Which+other+services+could+benefit+from+self-management%3F", "/search?q=of+the",
                  "/search?q=holocracy+atrition", "/lessons?sector=home-care",
                  "/sources?reliability=self-reported&page=2"],
         "fixture": ["/", "/search?q=how+many+nurses+in+a+team", "/search?q=of+the",
                     "/lessons?challenge=staff-attrition", "/sources?year=undated&type=report"]}


def _getter(client):
    def get(url: str) -> Response:
        answer = client.get(url)
        html = answer.mimetype == "text/html"
        return Response(answer.status_code, answer.mimetype or "", answer.get_data(as_text=True) if html else "")
    return get


@pytest.mark.parametrize("which", ["fixture", "real"])
def test_every_internal_link_answers(which: str, client, real_client) -> None:
    report = crawl(_getter(client if which == "fixture" else real_client), START[which])
    assert not report.broken, str(report)
    missing = PAGE_KINDS - report.kinds
    assert not missing, f"the crawl never reached: {sorted(missing)} ({report})"


def test_the_crawler_finds_dead_links_and_missing_anchors(client) -> None:
    """A crawler that cannot fail proves nothing: feed it a page with a dead link and a dead anchor."""
    pages = {"/": Response(200, "text/html", '<a href="/ok#here">ok</a> <a href="/gone">gone</a> '
                                             '<a href="/ok#nowhere">x</a> <a href="https://example.org/">out</a>'),
             "/ok": Response(200, "text/html", '<h2 id="here">here</h2>')}
    report = crawl(lambda url: pages.get(url, Response(404, "text/html", "")))
    assert sorted(report.broken) == ["/gone -> 404 (linked from /)",
                                     "/ok#nowhere -> no such id on the page (linked from /)"]
    assert "https://example.org/" not in report.visited
