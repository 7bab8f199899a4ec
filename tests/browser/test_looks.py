"""What a person would check by looking, in a real Chromium at 1280x900 and 390x844, on every page kind.

Every page kind of ``PAGE_KINDS`` is shot at both sizes into ``tests/artifacts/look-<kind>-<width>.png`` (kept
by CI as artifacts, to be looked at), and then:

- nothing in the page's content runs past its panel (only tables and charts scroll, inside their own box);
- every chart's text is at least 12 px, and the names of a chart's rows do not overlap;
- a case's first screen shows what became of self-management and the years that matter;
- the console's drawing has a node for each node of the result (``test_keyboard``), the timeline a row per case.
"""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import PAGE_KINDS
from tests.browser_fixtures import shoot

pytestmark = [pytest.mark.browser, pytest.mark.shared_page]

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}

#: Elements of the content wider than their panel (``main``), outside the boxes that scroll on purpose.
OVERFLOWING = """() => {
  const main = document.querySelector('main').getBoundingClientRect();
  return [...document.querySelectorAll('main *')]
    .filter(e => !e.closest('.table-scroll, .matrix-scroll, details:not([open]), .visually-hidden, svg'))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > main.right + 1; })
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''));
}"""
#: Every chart text's size, and pairs of row names in one chart whose boxes overlap.
CHART_TEXT = """() => {
  const texts = [...document.querySelectorAll('svg.chart text')];
  const small = texts.filter(t => parseFloat(getComputedStyle(t).fontSize) < 12).map(t => t.textContent).slice(0, 5);
  const overlaps = [];
  document.querySelectorAll('svg.chart').forEach(svg => {
    const names = [...svg.querySelectorAll('text.row-label, g.node text')].map(t => t.getBoundingClientRect())
      .filter(r => r.width > 0);
    for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) {
      const a = names[i], b = names[j];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps.push([i, j]);
    }
  });
  return {count: texts.length, small, overlaps: overlaps.slice(0, 5)};
}"""


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_looks_right(page, kind: str, size: str) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(PAGE_KINDS[kind])
    page.wait_for_load_state("load")
    shoot_viewport(page, f"look-{kind}-{width}")
    assert page.evaluate(OVERFLOWING) == [], f"{PAGE_KINDS[kind]} at {width} px: content wider than its panel"
    text = page.evaluate(CHART_TEXT)
    assert text["small"] == [], f"chart text under 12 px on {PAGE_KINDS[kind]}: {text['small']}"
    assert text["overlaps"] == [], f"chart labels overlap on {PAGE_KINDS[kind]} at {width} px"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path, status, years", [
    ("/cases/medium", "Self-management abandoned (2016)", ["Founded 2012", "Adopted self-management 2012",
                                                          "Abandoned 2016"]),
    ("/cases/zappos", "Self-management scaled back (2017)", ["Founded 1999", "Adopted self-management 2013",
                                                              "Scaled back 2017"]),
])
def test_a_case_first_screen_shows_its_status_and_years(page, size: str, path: str, status: str,
                                                           years: list[str]) -> None:
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(path)
    tag = page.locator("header.glance p.tags strong.tag")
    assert tag.inner_text().strip() == status
    shown = page.locator("header.glance dd.years")
    assert [" ".join(span.split()) for span in shown.locator("span").all_inner_texts()] == years
    for locator in (tag, shown, page.locator("header.glance h1")):
        box = locator.bounding_box()
        assert box and box["y"] + box["height"] <= height, f"{path} at {width} px: not on the first screen"


def test_the_timeline_has_a_row_per_case_with_its_marks(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/timeline")
    rows = page.locator("#timeline-chart text.row-label").count()
    assert rows >= 60
    assert page.locator("#timeline-chart a path.mark-adopted").count() >= 25
    shoot(page, "look-timeline-full")


def shoot_viewport(page, name: str) -> None:
    """The first screen only (what a person sees on opening the page), as tests/artifacts/<name>.png."""
    from tests.browser_fixtures import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
