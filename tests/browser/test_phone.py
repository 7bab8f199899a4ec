"""Every page kind on a phone (390x844 in a real Chromium), as issue 26 (item 6) asks: tables as stacked cards,
form controls people can read and hit, one primary button style.

- every table in the content (folded ones opened) is stacked into cards: no row is laid out as a table row,
  and every data cell that is not empty says its column's name (``data-label``);
- every form control uses the page's font (the console's editor its code font), has text of at least 16 px
  (smaller makes phones zoom in) and is at least 44 px tall; a box or dot to tick is at least 24 px and its
  label, which ticks it too, a 44 px row;
- every primary button (a form's submit) looks the same, and so does every secondary one.
"""

from __future__ import annotations

import pytest

from tests.browser.test_accessibility import PAGE_KINDS
from tests.browser_fixtures import shoot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

#: Tables whose rows are still laid out as rows, and data cells without their column's name.
TABLES = """() => {
  const tables = [...document.querySelectorAll('main table')];
  const rows = tables.filter(t => [...t.rows].some(r => getComputedStyle(r).display === 'table-row'))
    .map(t => t.className || t.caption?.textContent.trim() || 'a table');
  const unnamed = tables.flatMap(t => [...t.querySelectorAll('tbody td')])
    .filter(td => td.textContent.trim() && !td.dataset.label).map(td => td.textContent.trim().slice(0, 40));
  return {count: tables.length, rows, unnamed: unnamed.slice(0, 5)};
}"""
#: Every visible form control: what it is, its font, text size and height (for a box or dot, its label's height).
CONTROLS = """() => {
  const body = getComputedStyle(document.body).fontFamily;
  return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter(e => e.getBoundingClientRect().width > 0)
    .map(e => {
      const style = getComputedStyle(e);
      const tick = e.type === 'checkbox' || e.type === 'radio';
      const label = tick && e.labels.length ? e.labels[0].getBoundingClientRect().height : null;
      return {what: e.tagName.toLowerCase() + (e.id ? '#' + e.id : e.name ? '[' + e.name + ']' : '') + ' ' + e.textContent.trim(),
              tick, code: !!e.closest('form.console'), inherits: style.fontFamily === body,
              size: parseFloat(style.fontSize), height: Math.round(e.getBoundingClientRect().height), label,
              button: e.tagName === 'BUTTON' && !e.classList.contains('menu-toggle')
                ? {primary: e.type === 'submit' && !e.classList.contains('button-secondary'),
                   look: [style.backgroundColor, style.color, style.borderRadius, style.fontWeight].join(' ')} : null};
    });
}"""


@pytest.fixture(scope="module")
def phone(browser, live_server: str):
    page = browser.new_page(viewport=PHONE, base_url=live_server)
    yield page
    page.close()


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_tables_stack_and_controls_fit_a_finger(phone, kind: str) -> None:
    phone.goto(PAGE_KINDS[kind])
    phone.wait_for_load_state("load")
    phone.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
    tables = phone.evaluate(TABLES)
    controls = phone.evaluate(CONTROLS)
    problems = [f"table laid out in rows: {t}" for t in tables["rows"]]
    problems += [f"cell without its column's name: {c!r}" for c in tables["unnamed"]]
    for c in controls:
        if not (c["inherits"] or c["code"]):
            problems.append(f"{c['what']}: not the page's font")
        if c["size"] < 16:
            problems.append(f"{c['what']}: text {c['size']} px")
        if c["tick"] and (c["height"] < 24 or (c["label"] or 0) < 44):
            problems.append(f"{c['what']}: {c['height']} px, its label {c['label']} px")
        if not c["tick"] and c["height"] < 44:
            problems.append(f"{c['what']}: {c['height']} px tall")
    if problems:
        shoot(phone, f"phone-{kind}")
    assert not problems, f"{PAGE_KINDS[kind]} at 390 px:\n" + "\n".join(problems[:12])


def test_one_primary_and_one_secondary_button_style(phone) -> None:
    """The same look for every primary button (a form's submit) and for every secondary one, on every page."""
    looks: dict[bool, dict[str, str]] = {True: {}, False: {}}
    for kind, url in PAGE_KINDS.items():
        phone.goto(url)
        phone.wait_for_load_state("load")
        phone.evaluate("document.querySelector('.menu-toggle')?.click()")  # the header's search button too
        for c in phone.evaluate(CONTROLS):
            if c["button"]:
                looks[c["button"]["primary"]].setdefault(c["button"]["look"], f"{kind}: {c['what']}")
    assert len(looks[True]) == 1, f"primary buttons look different: {looks[True]}"
    assert len(looks[False]) == 1, f"secondary buttons look different: {looks[False]}"
    primary, secondary = next(iter(looks[True])), next(iter(looks[False]))
    assert primary.startswith("rgb(0, 112, 60) rgb(255, 255, 255)"), primary  # GOV.UK green, white text
    assert secondary.startswith("rgb(243, 242, 241) rgb(11, 12, 12)"), secondary  # light grey, near-black text


def test_the_timeline_on_a_phone_is_a_card_per_organisation(phone) -> None:
    """The chart needs a wide screen; a phone shows each organisation's marked years, each leading to its case."""
    phone.goto("/timeline?status=abandoned")
    assert phone.locator("#timeline-chart").is_hidden()
    cards = phone.locator("ol.timeline-cards > li")
    assert cards.count() >= 3 and cards.first.is_visible()
    medium = cards.filter(has=phone.locator("h3", has_text="Medium"))
    assert medium.locator("ol.year-chips a").all_inner_texts()[:3] == [
        "2012 founded", "2012 adopted self-management", "2016 abandoned"]
    assert medium.locator("ol.year-chips a").nth(2).get_attribute("href") == "/cases/medium#year-ended"
