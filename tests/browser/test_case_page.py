"""A case at a glance (issue 26, item 1), checked in Chromium on the largest case page at 1280x900 and 390x844.

What a manager sees, in order: the summary card on the first screen (status, years, size, where), then the
contents list, the case's row of the timeline, Context and Timeline, and only then the claim lists; each claim's
citations folded into one control that says how many sources it has ("3 sources") and opens to them.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import shoot

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
CASE = "/cases/buurtzorg"  # the largest case page

#: The top of each part of the page, in page pixels (None when missing).
TOPS = """() => {
  const top = (selector) => { const e = document.querySelector(selector);
                              return e ? e.getBoundingClientRect().top + scrollY : null; };
  return {card: top('header.glance dl.summary-card'), contents: top('nav.contents'),
          timeline: top('#over-the-years'), context: top('#sec-context-prose h2#section-context'),
          timelineProse: top('#sec-context-prose h2#section-timeline'), claims: top('section.claims'),
          cardBottom: (() => { const r = document.querySelector('dl.summary-card > div').getBoundingClientRect();
                               return r.bottom + scrollY; })()};
}"""


@pytest.mark.parametrize("size", SIZES)
def test_a_case_reads_in_order_from_its_summary_card(page, size: str) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(CASE)
    shoot(page, f"case-order-{width}")
    tops = page.evaluate(TOPS)
    assert None not in tops.values(), tops
    # The first screen shows the summary card's first row (status now, years, size, where).
    assert tops["cardBottom"] <= height, f"the summary card's first row ends at {tops['cardBottom']:.0f} px"
    card = page.locator("dl.summary-card")
    for term in ("Status now", "Years", "Size", "Where", "Evidence"):
        expect(card.locator("dt", has_text=term)).to_have_count(1)
    # Then the contents, the timeline row, Context and Timeline, and only then the claims.
    order = ["card", "contents", "timeline", "context", "timelineProse", "claims"]
    assert [tops[k] for k in order] == sorted(tops[k] for k in order), tops
    contents = page.locator("nav.contents li a").all_inner_texts()
    assert contents[:3] == ["Over the years", "Context and timeline", "Frameworks"], contents


def test_each_claim_cites_through_one_folded_control(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(CASE)
    claims = page.locator("section.claims li[id^='line-']")
    count = claims.count()
    assert count >= 20
    found = page.evaluate("""() => [...document.querySelectorAll("section.claims li[id^='line-']")].map(li => {
        const own = [...li.children].filter(e => e.matches('details.cite'));
        return {id: li.id, controls: own.length, open: own.some(d => d.open),
                summary: own.length ? own[0].querySelector('summary').textContent.trim() : '',
                links: own.length ? own[0].querySelectorAll('a.cite-link').length : 0};
    })""")
    for claim in found:
        assert claim["controls"] == 1 and not claim["open"], claim
        number = int(re.fullmatch(r"(\d+) sources?(?: ▸)?", claim["summary"]).group(1))
        assert number == claim["links"], claim
    # Folded, a claim's sources are no Tab stops; opened, they are links to the source pages.
    first = claims.first.locator(":scope > details.cite")
    expect(first.locator("a.cite-link").first).to_be_hidden()
    first.locator("summary").click()
    expect(first.locator("a.cite-link").first).to_be_visible()
    expect(first.locator("a.cite-link").first).to_have_attribute("href", re.compile(r"^/sources/"))
