"""Issue 25's pages in a real headless Chromium over the real content: search that answers (best match,
grades), comparable cases with split bars, and the "organisations like mine" report reached from compare."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests.browser_fixtures import OfflinePage, shoot
from tests.conftest import ci_strict

if importlib.util.find_spec("playwright") is None:  # pragma: no cover - depends on the environment
    if ci_strict():
        raise ImportError("playwright is missing: pip install -r requirements-dev.txt (CI=true: browser tests must run)")
    pytest.skip("playwright is missing: pip install -r requirements-dev.txt", allow_module_level=True)

from playwright.sync_api import expect

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


def test_the_report_is_reached_from_a_description(offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.goto("/compare?country=GB&sector=social-care&kind=public-body&staff=600&practice=self-managing-teams")
    page.get_by_role("link", name=re.compile("^Organisations like mine")).click()
    expect(page).to_have_url(re.compile(r"/report\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations like mine")
    for title in ("Practices they adopted", "Challenges they met, most often first", "Lessons",
                  "Cases that scaled back or stopped, and why"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("#report-ended ~ ul a").first).to_be_visible()
    shoot(page, "report")
    offline_page.assert_stayed_local()
