"""Issue 25's pages in a real headless Chromium over the real content: search that answers (best match,
grades), comparable cases with split bars, and the "organisations like mine" report reached from compare."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import OfflinePage, shoot

pytestmark = pytest.mark.browser


def test_search_shows_the_named_case_first_and_filters_by_grade(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/search")
    page.get_by_label("Ask a question").fill("buurtzorg")
    page.get_by_label("Passages with evidence").select_option("evaluated")
    page.locator("#main").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=buurtzorg&grade=evaluated$"))
    expect(page.locator("#best-match-title")).to_have_text("Best match: Buurtzorg Nederland")
    grades = page.locator("ol.passages .ev-grade")
    expect(grades.first).to_be_visible()
    assert set(grades.evaluate_all("marks => marks.map(m => m.className)")) == {"ev-grade ev-evaluated"}
    shoot(page, "search-best-match")
    offline_page.assert_stayed_local()


def test_compare_shows_each_score_as_a_split_bar_before_its_table(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/compare?case=zappos")
    first = page.locator("li.match").first
    bar = first.get_by_role("img")
    expect(bar).to_have_accessible_name(re.compile(r"^Score [\d.]+: context [\d.]+, practices [\d.]+, "
                                                   r"challenges [\d.]+, outcomes [\d.]+$"))
    expect(first.locator("figcaption")).to_contain_text("Context")
    box, table = bar.bounding_box(), first.locator("table.reasons").bounding_box()
    assert box and table and box["y"] < table["y"]
    shoot(page, "compare-split-bars")
    offline_page.assert_stayed_local()


def test_a_manager_describes_their_organisation_and_reads_the_report(offline_page: OfflinePage) -> None:
    """What the issue's manager sees: a UK public body in social care, 600 staff, trying self-managing teams,
    described in the form, then the report: what the comparable cases did, met and reported, how long it took,
    what it cost, how inspectors saw it, who stepped back and why — each line leading to a source."""
    page = offline_page.page
    page.goto("/compare")
    form = page.locator("form.describe")
    form.get_by_label("Country").select_option("GB")
    form.get_by_label("Or number of staff").fill("600")
    form.get_by_label("Kind of organisation").select_option("public-body")
    for field, choice in (("sector", "Social care"), ("practice", "Self-managing teams")):
        choices = form.locator(f"#{field}-choices")
        if choices.locator("summary").count():
            choices.locator("summary").click()
        choices.get_by_role("checkbox", name=re.compile(f"^{choice} ")).check()
    form.get_by_role("button", name="Find comparable cases").click()
    page.get_by_role("link", name=re.compile("^Organisations like mine")).click()
    expect(page).to_have_url(re.compile(r"/report\?.*country=GB.*staff=600"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations like mine")
    for title in ("The comparable cases", "Practices they adopted", "Challenges they met, most often first",
                  "Outcomes they reported, with the evidence", "Lessons",
                  "How long, what it cost, how inspectors saw it", "Cases that scaled back or stopped, and why"):
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    # The practice the manager uses comes first, adopted by most of the cases; outcomes carry evidence marks.
    expect(page.locator("#report-practices ~ ol > li h3").first).to_contain_text("Self-managing teams")
    expect(page.locator("#report-outcomes ~ ol .ev-grade").first).to_be_visible()
    # The questions a manager asks each have lines from the comparable cases.
    for question in ("Transition", "Funding and cost", "Regulation and inspection"):
        expect(page.locator(f"h3:text-is('{question}') + ul > li").first).to_be_visible()
    # A case that stepped back says what became of it, when, and why, with its source.
    stepped_back = page.locator("#report-ended ~ ul > li").first
    expect(stepped_back).to_contain_text(re.compile(r"self-management (pilot ended|abandoned|scaled back) in \d{4}"))
    source = stepped_back.locator("ul li .meta a").first
    expect(source).to_be_visible()
    source.click()
    expect(page).to_have_url(re.compile(r"/sources/"))
    expect(page.get_by_role("heading", name="What cites it")).to_be_visible()
    page.go_back()
    shoot(page, "report")
    # Printed: the report alone, without the site's header, navigation or forms.
    page.emulate_media(media="print")
    expect(page.locator("header").first).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#report-ended")).to_be_visible()
    offline_page.assert_stayed_local()
