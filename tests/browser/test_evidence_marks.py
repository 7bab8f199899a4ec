"""One evidence mark wherever a claim appears (issue 26, item 2), checked in a real Chromium.

On every kind of page that shows claims — a case, a concept, search answers, comparable cases, the claims
behind a pattern, lessons and the report — each claim's mark is the same thing, drawn the same size: a
four-step meter filled to the grade (four steps for an independent evaluation down to one for an
impression), the grade's word beside it, text at least 14 px; a scope only where the claim is not about the
organisation itself; contested and uncertain each an icon and a word.  A case, a concept and a pattern cell
also show the evidence profile: a bar of the claims stacked by grade.
"""

from __future__ import annotations

import pytest

from tests.browser_fixtures import shoot

pytestmark = pytest.mark.browser

#: A page of every kind that shows claims (name -> URL).
CLAIM_PAGES = {
    "case": "/cases/buurtzorg",
    "concept": "/challenges/staff-attrition",
    "search": "/search?q=Why+did+people+leave+Zappos+after+Holacracy%3F",
    "compare": "/compare?case=buurtzorg",
    "pattern-claims": "/patterns/claims?practice=self-managing-teams&outcome=staff-wellbeing",
    "lessons": "/lessons",
    "report": "/report?country=GB&sector=social-care&kind=public-body&staff=600&practice=self-managing-teams",
}
#: What a person reads on each grade's mark: its word and how many of the four steps are filled.
GRADE_MARKS = {"ev-evaluated": ("independent evaluation", 4), "ev-reported": ("third-party report", 3),
               "ev-own-account": ("own account", 2), "ev-impression": ("impression", 1), "ev-none": ("not graded", 0)}

#: Every grade mark in the page's content: its grade class, word, filled steps, text size and meter size; the
#: words of every scope note and every contested or uncertain flag with whether it draws an icon.
MARKS = """() => {
  const main = document.querySelector('main');
  const marks = [...main.querySelectorAll('a.ev-grade')].map(a => {
    const steps = [...a.querySelectorAll('.ev-meter i')];
    const meter = a.querySelector('.ev-meter').getBoundingClientRect();
    return {grade: [...a.classList].find(c => c !== 'ev-grade'),
            word: a.textContent.replace('Evidence:', '').trim(),
            steps: steps.length,
            filled: steps.filter(i => getComputedStyle(i).backgroundColor !== 'rgb(255, 255, 255)').length,
            size: parseFloat(getComputedStyle(a).fontSize),
            meter: [Math.round(meter.width), Math.round(meter.height)]};
  });
  const scopes = [...main.querySelectorAll('.ev-scope')].map(s => s.textContent.replace('Scope:', '').trim());
  const flags = [...main.querySelectorAll('.badge.contested, .badge.uncertain')].map(b => ({
    word: b.textContent.trim(), size: parseFloat(getComputedStyle(b).fontSize),
    icon: getComputedStyle(b, '::before').backgroundImage.startsWith('url(')}));
  const bars = [...main.querySelectorAll('.ev-profile svg.ev-bar')].map(svg => svg.querySelectorAll('rect').length);
  return {marks, scopes, flags, bars};
}"""


@pytest.fixture(scope="module")
def seen(browser, live_server: str) -> dict[str, dict]:
    """Every claim page's marks at 1280 px, read once for the module's tests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=live_server)
    found = {}
    try:
        for kind, url in CLAIM_PAGES.items():
            page.goto(url)
            found[kind] = page.evaluate(MARKS)
            if not found[kind]["marks"]:
                shoot(page, f"marks-{kind}")
    finally:
        page.close()
    return found


@pytest.mark.parametrize("kind", CLAIM_PAGES)
def test_every_claim_mark_is_a_meter_filled_to_its_grade_with_its_word(seen: dict, kind: str) -> None:
    marks = seen[kind]["marks"]
    assert len(marks) >= 2, f"{CLAIM_PAGES[kind]} shows no evidence marks"
    for mark in marks:
        word, filled = GRADE_MARKS[mark["grade"]]
        assert (mark["word"], mark["steps"], mark["filled"]) == (word, 4, filled), (CLAIM_PAGES[kind], mark)
        assert mark["size"] >= 14, f"{CLAIM_PAGES[kind]}: a mark's text is {mark['size']} px"


def test_the_mark_is_drawn_the_same_on_every_page(seen: dict) -> None:
    """One macro, one style sheet: the same text size and the same meter on every page."""
    drawn = {kind: {(mark["size"], tuple(mark["meter"])) for mark in found["marks"]} for kind, found in seen.items()}
    assert len(set().union(*drawn.values())) == 1, drawn


@pytest.mark.parametrize("kind", CLAIM_PAGES)
def test_scope_only_when_not_about_itself_and_flags_with_icon_and_word(seen: dict, kind: str) -> None:
    assert not [s for s in seen[kind]["scopes"] if "about itself" in s], CLAIM_PAGES[kind]
    for flag in seen[kind]["flags"]:
        assert flag["word"].split()[-1] in ("contested", "uncertain"), flag
        assert flag["icon"] and flag["size"] >= 14, (CLAIM_PAGES[kind], flag)


def test_the_case_shows_marks_of_every_kind(seen: dict) -> None:
    """Buurtzorg's page has claims about others (a scope note) and contested claims (a flag)."""
    case = seen["case"]
    assert {"ev-reported", "ev-own-account"} <= {mark["grade"] for mark in case["marks"]}
    assert any(s.startswith("about organisations it") or s.startswith("in general") for s in case["scopes"])
    assert any(flag["word"] == "contested" for flag in case["flags"])


@pytest.mark.parametrize("kind", ["case", "concept", "pattern-claims"])
def test_an_evidence_profile_bar_is_drawn(seen: dict, kind: str) -> None:
    bars = seen[kind]["bars"]
    assert bars and all(rects >= 1 for rects in bars), f"{CLAIM_PAGES[kind]}: no evidence profile drawn"


#: Each dot of a dot matrix: how many grades its label names and how many slices (or whole fills) it draws.
DOTS = """chart => [...chart.querySelectorAll('a')].map(a => ({
  label: a.getAttribute('aria-label'),
  named: (a.getAttribute('aria-label').split('; evidence: ')[1] || '').split('.')[0].split(';')[0].split(', ').length,
  drawn: a.querySelectorAll('path').length || a.querySelectorAll('circle[class*="ev-fill-"]').length}))"""
#: Each ranked bar: the grades its words name and the segments it draws.
BARS = """list => [...list.querySelectorAll('li')].map(li => ({
  words: li.querySelector('.visually-hidden')?.textContent || '',
  segments: li.querySelectorAll('svg rect').length}))"""


@pytest.mark.parametrize("url, chart", [("/patterns", "#practice-challenge-chart"), ("/analytics", "#evidence-chart")])
def test_each_pattern_cell_draws_its_evidence_profile(page, url: str, chart: str) -> None:
    """A dot is split into a slice per grade of its organisations' evidence (the same grades its label says); on a
    phone the same pairs are ranked bars, each stacked by grade and saying so in words; the table twin follows."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    dots = page.locator(chart).evaluate(DOTS)
    assert len(dots) > 100, f"{url}: {len(dots)} dots"
    assert all(d["drawn"] == d["named"] for d in dots), [d for d in dots if d["drawn"] != d["named"]][:3]
    assert any(d["drawn"] >= 3 for d in dots)
    assert page.locator(chart.replace("-chart", "-bars")).is_hidden()
    twin = page.locator(f"{chart.replace('-chart', '')} details.table-twin table, "
                        f"{chart.replace('-chart', '')} ~ details.table-twin table").first
    assert twin.locator("tbody tr").count() >= 30
    page.set_viewport_size({"width": 390, "height": 844})
    bars = page.locator(chart.replace("-chart", "-bars"))
    assert bars.is_visible() and page.locator(chart).is_hidden()
    drawn = bars.evaluate(BARS)
    assert len(drawn) == 15
    for bar in drawn:
        assert bar["words"].startswith("; evidence: ") and bar["segments"] == bar["words"].count(",") + 1, bar
