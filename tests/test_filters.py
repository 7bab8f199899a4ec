"""No silent filters (issue 25, item 6): every parameter a page's address carries is applied, or refused with
a message naming what the page takes; a value no case has is said on the page."""

from __future__ import annotations

import html

import pytest

from webapp.openapi import PARAMETERS
from webapp.params import accepted

#: Every page of the site with ids of the real content, one address per page kind.
PAGES = ["/", "/contribute", "/accessibility", "/cases", "/cases/zappos", "/compare", "/practices",
         "/practices/self-managing-teams", "/frameworks/holacracy", "/challenges/staff-attrition",
         "/outcomes/staff-wellbeing", "/evidence", "/graph/organisation/zappos", "/lessons", "/patterns",
         "/patterns/claims", "/query", "/analytics", "/search", "/sources", "/timeline"]


@pytest.mark.parametrize("path", PAGES)
def test_a_parameter_no_page_reads_is_refused_with_what_the_page_takes(real_client, path: str) -> None:
    for address in (path, f"{path.rstrip('/') or '/index'}.json"):
        response = real_client.get(address, query_string={"colour": "blue"})
        assert response.status_code == 400, address
        assert "does not read the parameter 'colour'" in html.unescape(response.get_data(as_text=True))


def test_the_refusal_lists_the_parameters_the_page_takes(real_client) -> None:
    response = real_client.get("/cases.json?framework=holacracy&frameworks=holacracy")
    assert response.status_code == 400
    assert response.json["error"] == ("/cases.json does not read the parameter 'frameworks'; it takes: page, sort, "
                                      "sector, country, size, kind, framework, practice, challenge, outcome.")
    assert accepted("lessons.lessons") == ["sector", "country", "practice", "challenge", "grade"]
    assert "does not read the parameter 'x'; it takes none." in html.unescape(
        real_client.get("/cases/zappos?x=1").get_data(as_text=True))


def test_cases_filter_by_framework(real_client) -> None:
    # The six case files that list Holacracy under Frameworks.
    data = real_client.get("/cases.json?framework=holacracy").json
    assert sorted(c["id"] for c in data["cases"]) == ["blinkist", "holacracyone", "medium", "springest",
                                                      "washington-state-ocio", "zappos"]
    assert data["notices"] == []
    facet = next(f for f in data["facets"] if f["name"] == "framework")
    assert {v["value"]: v["count"] for v in facet["values"]}["holacracy"] == 6


def test_a_value_no_case_has_is_said_on_the_page(real_client) -> None:
    data = real_client.get("/cases.json?framework=holacrazy").json
    assert data["total"] == 0
    assert [n["message"] for n in data["notices"]] == [
        "No case has the framework 'holacrazy': it is not one of this list's values."]
    page = real_client.get("/cases?framework=holacrazy").get_data(as_text=True)
    assert ('<p class="notice" role="status">No case has the framework &#39;holacrazy&#39;: it is not one of this '
            'list&#39;s values. <a href="/cases">Remove it</a>.</p>') in page


def test_lessons_filter_by_country(real_client) -> None:
    every_case = {c["id"]: c for c in real_client.get("/cases.json?country=NL").json["cases"]}
    data = real_client.get("/lessons.json?country=NL").json
    assert data["cases"] and {c["id"] for c in data["cases"]} <= set(every_case)
    assert "buurtzorg" in {c["id"] for c in data["cases"]}


def test_lessons_filter_by_sector_takes_narrower_sectors(real_client) -> None:
    data = real_client.get("/lessons.json?sector=health-care").json
    assert {"buurtzorg", "tower-hamlets-buurtzorg-pilot"} <= {c["id"] for c in data["cases"]}
    assert "zappos" not in {c["id"] for c in data["cases"]}


def test_lessons_filter_by_grade(real_client) -> None:
    every_lesson = real_client.get("/lessons.json").json
    evaluated = real_client.get("/lessons.json?grade=evaluated").json
    assert 0 < sum(evaluated["counts"].values()) < sum(every_lesson["counts"].values())
    grades = {item["evidence"] for c in evaluated["cases"] for s in c["sections"] for item in s["items"]}
    assert grades == {"evaluated"}
    reported = real_client.get("/lessons.json?grade=reported").json
    assert {item["evidence"] for c in reported["cases"] for s in c["sections"] for item in s["items"]} <= {
        "evaluated", "reported"}
    page = real_client.get("/lessons?grade=evaluated").get_data(as_text=True)
    assert '<option value="evaluated" selected>Independent evaluation</option>' in page
    assert 'class="ev-grade ev-evaluated"' in page


def test_an_unknown_grade_is_refused_with_the_grades(real_client) -> None:
    response = real_client.get("/lessons.json?grade=best")
    assert response.status_code == 400
    assert response.json["error"] == ("Unknown evidence grade 'best'; use one of: evaluated, reported, own-account, "
                                      "impression.")


def test_every_documented_parameter_belongs_to_a_page(real_client) -> None:
    endpoints = set(real_client.application.view_functions)
    assert set(PARAMETERS) <= endpoints
