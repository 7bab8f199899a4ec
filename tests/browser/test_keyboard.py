"""Keyboard-only journeys in a real Chromium (WCAG 2.1.1, 2.4.3, 2.4.7, 2.4.11, 1.4.11, 3.3.1), and the graph's
motion (2.2.2, prefers-reduced-motion).

Every step checks where the focus is: its ring is at least 3 px with 3:1 contrast against what surrounds
it, and the focused element is not covered by anything (its centre is on screen and shows itself).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import shoot

pytestmark = pytest.mark.browser

#: Reads the focused element: what it is, and whether its focus is visible and unobscured.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body'};
  const style = getComputedStyle(el);
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  // What the ring sits on: with a positive offset, the background behind the element; with a negative
  // offset, the element's own background.
  const offset = parseFloat(style.outlineOffset) || 0;
  let node = offset >= 0 ? el.parentElement : el, behind = [255, 255, 255];
  while (node) {
    const bg = rgb(getComputedStyle(node).backgroundColor);
    if (bg.length === 3 || (bg.length === 4 && bg[3] > 0.5)) { behind = bg.slice(0, 3); break; }
    node = node.parentElement;
  }
  const ring = style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0;
  // The part of the element inside the window, and the middle of that part (WCAG 2.4.11 asks that the
  // focused element is not entirely hidden; the middle of its visible part must show the element itself).
  const box = el.getClientRects()[0] || el.getBoundingClientRect();  // an inline link: its first line
  const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
  const upper = Math.max(box.top, 0), lower = Math.min(box.bottom, innerHeight);
  const onScreen = right - left >= 1 && lower - upper >= 1;
  const x = (left + right) / 2, y = (upper + lower) / 2;
  const top = onScreen ? document.elementFromPoint(x, y) : null;
  return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 60),
          name: el.getAttribute('aria-label') || '', ring, contrast: contrast(rgb(style.outlineColor).slice(0, 3), behind),
          onScreen, covered: onScreen && !(el.contains(top) || top.contains(el)),
          coveredBy: top && !(el.contains(top) || top.contains(el)) ? top.tagName.toLowerCase() + '.' + top.className : ''};
}"""


def focus(page: Any) -> dict[str, Any]:
    """The focused element, after checking that its focus is visible and not hidden."""
    state = page.evaluate(FOCUS_STATE)
    assert state["tag"] != "body", "the focus was lost (it is on the page itself)"
    where = f"{state['tag']}#{state['id']} “{state['text'] or state['name']}” on {page.url}"
    assert state["ring"] >= 2, f"no visible focus ring on {where}"
    assert state["contrast"] >= 3, f"focus ring contrast {state['contrast']:.2f}:1 on {where}"
    assert state["onScreen"], f"focused element off screen: {where}"
    assert not state["covered"], f"focused element covered by {state['coveredBy']}: {where}"
    return state


def tab_until(page: Any, matches, limit: int, key: str = "Tab") -> int:
    """Press Tab until ``matches(state)``; every stop on the way must show its focus. Returns the count."""
    for count in range(1, limit + 1):
        page.keyboard.press(key)
        if matches(focus(page)):
            return count
    pytest.fail(f"not reached within {limit} presses of {key} on {page.url}")


@pytest.fixture(params=[1280, 320], ids=["desktop", "phone"])
def width(request) -> int:
    return request.param



def await_in_page(page, condition: str, timeout_ms: int = 15_000) -> None:
    """Wait, frame by frame inside the page, until the JavaScript ``condition`` is true.  The site's CSP
    (script-src 'self') forbids the eval that Playwright's own ``wait_for_function`` uses in the page; code
    passed to ``evaluate`` is compiled by the browser's debugger protocol instead, which the CSP allows."""
    done = page.evaluate(f"""() => new Promise(resolve => {{
        const start = performance.now();
        const check = () => {{
            let ok = false;
            try {{ ok = Boolean({condition}); }} catch (error) {{ ok = false; }}
            if (ok) resolve(true);
            else if (performance.now() - start > {timeout_ms}) resolve(false);
            else requestAnimationFrame(check);
        }};
        check();
    }})""")
    assert done, f"still false after {timeout_ms} ms: {condition}"

def test_search_by_keyboard(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    if width < 640:  # phones: the header's Menu button opens the navigation and the search
        tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Menu", limit=5)
        page.keyboard.press("Enter")
        expect(page.locator("header .menu-toggle")).to_have_attribute("aria-expanded", "true")
    tab_until(page, lambda s: s["id"] == "site-q", limit=15)
    page.keyboard.type("holacracy")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=holacracy"))
    first = page.locator("main a[href^='/']").filter(has_text=re.compile("Holacracy", re.I)).first
    target = first.inner_text().strip()
    tab_until(page, lambda s: s["tag"] == "a" and s["text"] == target, limit=40)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Holacracy", re.I))


def test_compare_form_by_keyboard_with_a_mistake(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/compare")
    tab_until(page, lambda s: s["id"] == "country", limit=20)
    page.keyboard.type("United Kingdom")  # a focused select picks the option typed
    tab_until(page, lambda s: s["id"] == "staff", limit=3)
    page.keyboard.type("forty")
    page.keyboard.press("Enter")

    # The error summary has the focus, says what is wrong in words, and the field keeps what was typed.
    expect(page).to_have_url(re.compile(r"staff=forty"))
    expect(page.locator(".error-summary")).to_be_focused()
    focus(page)
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Or number of staff: “forty” is not a whole number of staff above 0")
    staff = page.locator("#staff")
    expect(staff).to_have_value("forty")
    expect(staff).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#staff-error")).to_contain_text("enter a whole number, such as 40")

    # Its link leads to the field; correct it and send the form, with few Tab stops to the button.
    tab_until(page, lambda s: s["tag"] == "a" and "forty" in s["text"], limit=2)
    page.keyboard.press("Enter")
    assert focus(page)["id"] == "staff"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("40")
    stops = tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Find comparable cases", limit=20)
    assert stops <= 12, f"{stops} Tab stops from the staff field to the button"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"staff=40"))
    expect(page.locator("ol.matches > li").first).to_be_visible()
    expect(page.locator("#staff")).not_to_have_attribute("aria-invalid", "true")

    # From the results, one link jumps back to the form.
    page.keyboard.press("Tab")  # from the top of the page: the skip link
    tab_until(page, lambda s: s["text"] == "Change the description", limit=30)
    page.keyboard.press("Enter")
    tab_until(page, lambda s: s["id"] == "country", limit=1)
    shoot(page, f"keyboard-compare-{width}")


def test_case_picker_by_keyboard_takes_a_typed_name(page) -> None:
    page.goto("/compare")
    tab_until(page, lambda s: s["id"] == "pick-case", limit=20)
    page.keyboard.type("buurtzorg nederland")  # the case's name in any case; the suggestions show its id
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/compare\?case=buurtzorg$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases comparable to Buurtzorg Nederland")
    expect(page.get_by_label("Start from an existing case")).to_have_value("buurtzorg")


def test_compare_from_a_case_reaches_the_form_quickly(page) -> None:
    page.goto("/compare?case=buurtzorg")
    tab_until(page, lambda s: s["text"] == "Skip to content", limit=1)
    page.keyboard.press("Enter")  # past the site's navigation and search
    stops = tab_until(page, lambda s: s["text"] == "Describe your own organisation instead", limit=10)
    page.keyboard.press("Enter")
    tab_until(page, lambda s: s["id"] == "country", limit=1)
    assert stops <= 5  # the case, the case picker and its button come first


def test_console_by_keyboard_with_a_mistake(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 640})
    page.goto("/query")
    tab_until(page, lambda s: s["id"] == "q", limit=20)
    page.keyboard.type("MATCH (o:Organisation RETURN o.name")
    tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Run query", limit=3)
    page.keyboard.press("Enter")

    # The error takes the focus, is on screen even on a phone, and the query is marked invalid and kept.
    expect(page.locator("#query-error")).to_be_focused()
    focus(page)
    box = page.locator("#query-error").bounding_box()
    assert box and box["y"] < 640, "the error is below the fold"
    textarea = page.locator("#q")
    expect(textarea).to_have_attribute("aria-invalid", "true")
    expect(textarea).to_have_value("MATCH (o:Organisation RETURN o.name")

    tab_until(page, lambda s: s["text"] == "Go to the query", limit=2)
    page.keyboard.press("Enter")
    assert focus(page)["id"] == "q"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("MATCH (o:Organisation) RETURN o.name AS name ORDER BY name LIMIT 3")
    tab_until(page, lambda s: s["tag"] == "button" and s["text"] == "Run query", limit=3)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator("#q")).not_to_have_attribute("aria-invalid", "true")
    # The results table scrolls in a box that the keyboard reaches.
    tab_until(page, lambda s: s["name"] == "" and s["tag"] == "div", limit=40)


def test_console_bad_parameters_keep_the_query(page) -> None:
    page.goto("/query")
    page.locator("#q").fill("MATCH (o:Organisation {id: $id}) RETURN o.name")
    page.locator("#params").fill("{id: zappos}")
    page.locator("#params").press("Enter")
    expect(page.locator("#query-error")).to_be_visible()
    expect(page.locator("#q")).to_have_value("MATCH (o:Organisation {id: $id}) RETURN o.name")
    expect(page.locator("#params")).to_have_value("{id: zappos}")
    expect(page.locator("#params")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("section", ["practice-challenge", "practice-outcome"])
def test_every_pattern_dot_by_keyboard(page, width: int, section: str) -> None:
    """Tab through every dot of a dot matrix (on a phone: every bar of the ranked pairs): each shows its focus
    and says what it counts; then open one and reach the claims behind it."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/patterns")
    chart = f"#{section} svg.dot-matrix" if width > 640 else f"#{section} ol.ranked-bars"
    links = page.locator(f"{chart} a")
    count = links.count()
    assert count > 20 if width > 640 else count == 15
    links.first.focus()
    page.keyboard.press("Shift+Tab")
    seen = []
    for _ in range(count + 5):
        page.keyboard.press("Tab")
        state = focus(page)
        inside = page.evaluate(f"document.activeElement.closest('{chart}') !== null")
        if inside:
            seen.append(state["name"] or state["text"])
        elif seen:
            break
    assert len(seen) == count
    assert all(re.match(r"\d+ organisations? using .+; evidence: \d+ ", label) for label in seen) if width > 640 \
        else all(" with " in label for label in seen)
    page.keyboard.press("Shift+Tab")  # the last one again
    focus(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/patterns/claims\?practice=.*&(challenge|outcome)="))
    expect(page.locator("ol.claims-behind > li").first).to_be_visible()  # the claims behind the cell


def test_graph_drawing_by_keyboard(page) -> None:
    """Each node of the graph drawing is a Tab stop with a visible focus, in the drawing's order (before its
    settings), and Enter opens its page; nothing in the drawing moves."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/graph/organisation/buurtzorg")
    page.locator("#graph-bands").scroll_into_view_if_needed()
    page.get_by_role("region", name="The graph as a drawing").focus()
    tab_until(page, lambda state: state["name"] == "Framework: The Buurtzorg model", 1)  # the first column first
    assert page.evaluate("document.querySelector('form.graph-controls').contains(document.activeElement)") is False
    tab_until(page, lambda state: state["name"] == "Practice: Self-managing teams", 20)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/practices/self-managing-teams$"))


def test_console_runs_with_ctrl_enter_and_draws_the_result(page, width: int) -> None:
    """Ctrl+Enter in the query runs it; nodes come back as chips and as a drawing with a node per result node,
    each named in text of at least 12 px."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/query")
    page.locator("#q").fill("MATCH (o:Organisation)-[r:FACED]->(c:Challenge) RETURN o, r, c LIMIT 6")
    page.locator("#q").press("Control+Enter")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator("td .chip.chip-organisation").first).to_be_visible()
    drawn = page.evaluate("""() => [...document.querySelectorAll('#query-graph g.node text')].map(t => ({
        size: parseFloat(getComputedStyle(t).fontSize), width: t.getBBox().width}))""")
    nodes = page.locator("#query-graph g.node").count()
    assert nodes >= 2 and len(drawn) == nodes
    assert all(label["size"] >= 12 and label["width"] > 0 for label in drawn)
