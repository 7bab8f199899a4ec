"""WCAG 2.2 AA in a real Chromium: axe-core on every page kind at 1280 px and 320 px, reflow at 320 px.

axe-core comes from the npm package in ``tools/axe`` (see ``tests/browser/axe.py``); with ``CI=true`` a
missing axe fails the run with how to install it.  Any violation of any impact fails.  To cover a new
page kind, add one example URL of it to ``PAGE_KINDS``.
"""

from __future__ import annotations

import pytest

from tests.browser.axe import axe_source, describe, run_axe
from tests.browser_fixtures import shoot
from tests.conftest import skip_or_fail

pytestmark = [pytest.mark.browser, pytest.mark.shared_page]

#: One example URL of every kind of page the site has (name -> URL).  Add new page kinds here.
PAGE_KINDS: dict[str, str] = {
    "home": "/",
    "cases": "/cases",
    "cases-filtered": "/cases?practice=self-managing-teams&country=GB",
    "case": "/cases/buurtzorg",
    "compare-empty": "/compare",
    "compare-case": "/compare?case=buurtzorg",
    "compare-described": "/compare?country=GB&staff=40&practice=self-managing-teams&challenge=staff-attrition",
    "compare-bad-input": "/compare?staff=abc&practice=no-such-practice",
    "report": "/report?country=GB&sector=social-care&kind=public-body&staff=600&practice=self-managing-teams",
    "patterns": "/patterns",
    "patterns-filtered": "/patterns?scope=all&grade=reported",
    "pattern-claims": "/patterns/claims?practice=self-managing-teams&outcome=staff-wellbeing",
    "evidence": "/evidence",
    "analytics": "/analytics",
    "sources": "/sources",
    "source": "/sources/nrc-2018-ondernemer",
    "search-empty": "/search",
    "search-results": "/search?q=holacracy",
    "search-question-why": "/search?q=Why+did+people+leave+Zappos+after+Holacracy%3F",
    "search-nothing": "/search?q=zzzzqqq",
    "practices": "/practices",
    "practice": "/practices/advice-process",
    "challenge": "/challenges/staff-attrition",
    "outcome": "/outcomes/staff-wellbeing",
    "framework": "/frameworks/holacracy",
    "graph": "/graph/organisation/buurtzorg",
    "query-empty": "/query",
    "query-example": "/query?example=example_practices_with_challenge",
    "query-results": "/query?q=MATCH+(o:Organisation)+RETURN+o.id,+o.name+LIMIT+5",
    "query-graph": "/query?q=MATCH+(o:Organisation)-[r:USES_PRACTICE]->(p)+RETURN+o,+r,+p+LIMIT+5",
    "query-error": "/query?q=MATCH+(o:Nope+RETURN+o",
    "query-bad-params": "/query?q=MATCH+(o:Organisation)+RETURN+o.id&params=%7Bnot+json",
    "contribute": "/contribute",
    "accessibility": "/accessibility",
    "not-found": "/cases/no-such-case",
    "not-found-suggesting": "/cases/zapos",
    "search-question": "/search?q=Which+other+services+could+benefit+from+self-management%3F",
    "search-common-words": "/search?q=of+the",
    "lessons": "/lessons",
    "lessons-filtered": "/lessons?sector=home-care&challenge=staff-attrition",
    "sources-filtered": "/sources?reliability=self-reported&page=2",
    "repo-markdown": "/repo/docs/case-format.md",
    "repo-text": "/repo/templates/case.md",
    "timeline": "/timeline",
    "timeline-filtered": "/timeline?status=abandoned&country=US",
    "case-ended": "/cases/medium",
}
WIDTHS = {"desktop": 1280, "phone": 320}


@pytest.fixture(scope="module", autouse=True)
def _axe_installed() -> None:
    try:
        axe_source()
    except FileNotFoundError as err:
        skip_or_fail(str(err))


def open_everything(page) -> None:
    """Open every <details>, so that what is folded away is checked too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.mark.parametrize("width_name", WIDTHS)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_axe_violations(page, kind: str, width_name: str) -> None:
    page.set_viewport_size({"width": WIDTHS[width_name], "height": 900})
    page.goto(PAGE_KINDS[kind])
    page.wait_for_load_state("load")
    open_everything(page)
    violations = run_axe(page)
    if violations:
        shoot(page, f"axe-{kind}-{width_name}")
    assert not violations, f"{PAGE_KINDS[kind]} at {WIDTHS[width_name]} px:\n{describe(violations)}"


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_reflows_at_320_px(page, kind: str) -> None:
    """WCAG 1.4.10: at 320 CSS px nothing but data tables and the graph may scroll sideways, and those
    only inside their own box; the page itself is never wider than the window."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(PAGE_KINDS[kind])
    page.wait_for_load_state("load")
    open_everything(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        shoot(page, f"reflow-{kind}")
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => !e.closest('.table-scroll, .matrix-scroll'))
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""")
        pytest.fail(f"{PAGE_KINDS[kind]} is {overflow} px wider than a 320 px window; widest: {wide}")
