"""The site's main journeys in a real headless Chromium, over the real content, with nothing leaving 127.0.0.1.

Each test saves a screenshot in tests/artifacts/ (git-ignored) and checks that every request the page
made went to the live server.  Layouts of the graph are random: tests never compare pixels.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import OfflinePage, shoot

pytestmark = pytest.mark.browser


def test_search_for_a_case_with_a_typo_and_open_it(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/search")
    page.get_by_label("Search cases, practices, challenges, outcomes and frameworks").fill("buurtzrog")
    page.get_by_label("Search cases, practices, challenges, outcomes and frameworks").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=buurtzrog(&grade=)?$"))  # the grade filter left at "any"
    expect(page.locator(".corrections")).to_contain_text("buurtzorg")
    first = page.locator("ol.results > li").first.get_by_role("link")
    expect(first).to_have_text("Buurtzorg Nederland")
    expect(page.locator("ol.results mark").first).to_have_text(re.compile("buurtzorg", re.IGNORECASE))
    shoot(page, "search-buurtzrog")
    first.click()
    expect(page).to_have_url(re.compile(r"/cases/buurtzorg$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Buurtzorg Nederland")
    offline_page.assert_stayed_local()


def _facet_link(page, facet_title: str, label: str):
    section = page.locator("section.facet").filter(has=page.get_by_role("heading", name=facet_title, exact=True))
    return section.get_by_role("link", name=re.compile(rf"^{re.escape(label)}\b"))


def _count_in(link) -> int:
    return int(link.locator(".count").inner_text())


def test_combine_facets_and_remove_one(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/cases")
    everyone = page.locator("#case-count").inner_text()

    practice = _facet_link(page, "Practices used", "Self-managing teams")
    expected = _count_in(practice)
    practice.click()
    expect(page).to_have_url(re.compile(r"practice=self-managing-teams"))
    expect(page.locator("li.case-row")).to_have_count(min(expected, 20))

    country = _facet_link(page, "Country", "United Kingdom")
    both = _count_in(country)
    assert 0 < both <= expected
    country.click()
    expect(page).to_have_url(re.compile(r"practice=self-managing-teams.*country=GB|country=GB.*practice=self-managing-teams"))
    expect(page.locator("#case-count")).to_contain_text(f"{both} of ")
    rows = page.locator("li.case-row")
    expect(rows).to_have_count(both)
    for meta in rows.locator(".meta").all_inner_texts():
        assert meta.startswith("United Kingdom"), meta
    shoot(page, "cases-two-facets")

    page.get_by_role("link", name="Remove filter United Kingdom").click()
    expect(page.locator("li.case-row")).to_have_count(min(expected, 20))
    page.get_by_role("link", name="Clear all filters").click()
    expect(page.locator("#case-count")).to_have_text(everyone)
    offline_page.assert_stayed_local()


def test_sort_and_page_through_the_cases(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/cases")
    page.get_by_label("Sort by").select_option("founded")
    page.get_by_role("button", name="Sort").click()
    expect(page).to_have_url(re.compile(r"sort=founded"))
    years = [int(m.group(1)) for text in page.locator("li.case-row .meta").all_inner_texts()
             if (m := re.search(r"founded (\d{4})", text))]
    assert years == sorted(years) and len(years) > 5
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"sort=founded.*page=2|page=2.*sort=founded"))
    expect(page.locator("li.case-row").first).to_be_visible()
    offline_page.assert_stayed_local()


def test_open_a_case_from_the_list_with_the_keyboard(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/cases")
    link = page.locator("li.case-row").get_by_role("link", name="Haier Group", exact=True)
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/haier$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Haier Group")
    expect(page.get_by_role("heading", name="Facts")).to_be_visible()
    expect(page.locator(".badge.contested").first).to_be_visible()
    shoot(page, "case-haier")
    offline_page.assert_stayed_local()


def test_open_the_graph_and_click_a_node(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/graph/organisation/zappos")
    shoot(page, "graph-zappos")
    # Every node of the drawing is a link named by its kind and name.
    page.locator("#graph-bands").get_by_role("link", name="Organisation: HolacracyOne", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cases/holacracyone$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("HolacracyOne")
    offline_page.assert_stayed_local()


def test_graph_filters_and_depth_work_without_javascript_links(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/graph/practice/advice-process")
    page.get_by_label("2 steps").check()
    for kind in ("sources", "countries", "sectors"):
        page.get_by_label(kind, exact=True).uncheck()
    page.get_by_role("button", name="Update the graph").click()
    expect(page).to_have_url(re.compile(r"depth=2"))
    # The URL changes when the new page starts loading: wait for its list before reading it.
    page.wait_for_load_state()
    badges = page.locator("ul.graph-nodes .badge.kind")
    expect(badges.first).to_be_visible()
    kinds = set(badges.all_inner_texts())
    assert kinds and not kinds & {"Source", "Country", "Sector"}
    assert page.locator("#graph-bands g.node").count() > 3
    expect(page.locator("#graph-bands g.kind-sector")).to_have_count(0)
    offline_page.assert_stayed_local()


def test_follow_a_comparable_case(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/compare?case=buurtzorg")
    results = page.locator("ol.matches > li")
    expect(results.first).to_be_visible()
    first = results.first
    expect(first.locator("table.reasons")).to_be_visible()  # every result says why
    name = first.get_by_role("heading").get_by_role("link").inner_text()
    shoot(page, "compare-buurtzorg")
    first.get_by_role("heading").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cases/[a-z0-9-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    offline_page.assert_stayed_local()


def test_describe_an_organisation_and_get_comparable_cases(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/compare")
    form = page.locator("form.describe")
    form.get_by_label("Country").select_option(value="GB")  # its label ends with how many cases are there
    form.get_by_label("Or number of staff").fill("40")
    for group in ("Practices you use", "Challenges you face"):  # long lists start folded
        form.get_by_role("group", name=re.compile(f"^{group}")).locator("summary").click()
    form.get_by_label(re.compile(r"^Self-managing teams")).check()
    form.get_by_label(re.compile(r"^Staff attrition")).check()
    form.get_by_role("button", name="Find comparable cases").click()
    expect(page).to_have_url(re.compile(r"/compare\?.*practice=self-managing-teams"))
    first = page.locator("ol.matches > li").first
    expect(first).to_be_visible()
    # The best match shares at least one of the two concepts described (with country and size as context).
    expect(first.locator("table.reasons")).to_contain_text(re.compile("Self-managing teams|Staff attrition"))
    shoot(page, "compare-described")
    first.get_by_role("heading").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cases/[a-z0-9-]+$"))
    offline_page.assert_stayed_local()


STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'"


def test_graph_runs_under_a_strict_content_security_policy(offline_page: OfflinePage) -> None:
    page = offline_page.page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    def with_csp(route) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route(re.compile(r"/graph/"), with_csp)
    page.goto("/graph/framework/holacracy")
    expect(page.locator("#graph-bands g.node").first).to_be_visible()
    assert page.locator("#graph-bands g.node").count() > 3
    assert violations == []
    offline_page.assert_stayed_local()


@pytest.mark.parametrize("path", ["/cases?practice=self-managing-teams", "/search?q=holacracy", "/sources/bi-2016",
                                  "/graph/organisation/buurtzorg"])
def test_pages_fit_a_phone_screen(offline_page: OfflinePage, path: str) -> None:
    page = offline_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    shoot(page, "phone-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))
    offline_page.assert_stayed_local()
