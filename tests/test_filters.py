"""No silent filters (issue 25, item 6): every parameter a page's address carries is applied, or refused with
a message naming what the page takes; a value no case has is said on the page."""

from __future__ import annotations

import html
import re

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
    assert accepted("lessons.lessons") == ["page", "sector", "country", "practice", "challenge", "grade"]
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


#: An address of every page that reads parameters (by its JSON twin's endpoint), with what it needs besides.
EXAMPLES = {
    "cases.cases_json": "/cases.json", "sources.sources_json": "/sources.json", "lessons.lessons_json": "/lessons.json",
    "compare.compare_json": "/compare.json?case=zappos", "report.report_json": "/report.json?country=GB",
    "patterns.patterns_json": "/patterns.json", "research.analytics_json": "/analytics.json",
    "patterns.pattern_claims_json": "/patterns/claims.json?practice=self-managing-teams&challenge=staff-attrition", "search.search_json": "/search.json?q=teams",
    "graph.graph_json": "/graph/organisation/zappos.json", "research.query_json": "/query.json",
    "research.query_csv": "/query.csv", "timeline.timeline_json": "/timeline.json",
    "concepts.practice_json": "/practices/self-managing-teams.json",
    "concepts.challenge_json": "/challenges/staff-attrition.json",
    "concepts.outcome_json": "/outcomes/staff-wellbeing.json", "concepts.framework_json": "/frameworks/holacracy.json"}
#: Parameters whose value is free text, applied as it is: a search, a console query and its parameters.
FREE_TEXT = {("search.search_json", "q"), ("research.query_json", "q"), ("research.query_json", "params"),
             ("research.query_json", "example"), ("research.query_csv", "q"), ("research.query_csv", "params"),
             ("research.query_csv", "example")}
NONSENSE = "zz-nothing"


def test_every_page_with_parameters_is_audited() -> None:
    assert set(EXAMPLES) == set(PARAMETERS)


@pytest.mark.parametrize("endpoint, name", [(e, p["name"]) for e, ps in PARAMETERS.items() for p in ps
                                            if (e, p["name"]) not in FREE_TEXT])
def test_a_value_a_page_cannot_use_is_refused_or_said(real_client, endpoint: str, name: str) -> None:
    """Every parameter of every page: a value it cannot use is a 4xx naming it, or a notice on the page naming
    it (a filter value no case has, a field of the description not used): never silently dropped."""
    base = EXAMPLES[endpoint]
    response = real_client.get(f"{base}{'&' if '?' in base else '?'}{name}={NONSENSE}")
    if response.status_code >= 400:
        assert response.status_code in (400, 404) and NONSENSE in response.json["error"], response.json
        return
    said = response.json.get("notices", []) + response.json.get("ignored", [])
    assert [n for n in said if n.get("value") == NONSENSE], (endpoint, name, response.json.keys())


@pytest.mark.parametrize("address", ["/patterns/claims.json?practice=self-managing-teams&practice=coaching",
                                     "/timeline.json?country=GB&country=NL", "/compare.json?country=GB&country=NL"])
def test_a_parameter_of_one_value_given_twice_is_refused(real_client, address: str) -> None:
    response = real_client.get(address)
    name = address.split("?")[1].split("=")[0]
    assert response.status_code == 400
    assert response.json["error"].startswith(f"The parameter '{name}' takes one value, not 2 (")


def test_sources_and_timeline_say_a_value_nothing_has(real_client) -> None:
    sources = real_client.get("/sources.json?year=1066&type=report").json
    assert (sources["total"], sources["notices"]) == (0, [
        {"facet": "year", "value": "1066", "remove_url": "/sources.json?type=report",
         "message": "No source has the year '1066': it is not one of this list's values.", "suggestions": []}])
    page = real_client.get("/sources?year=1066").get_data(as_text=True)
    assert ('<p class="notice" role="status">No source has the year &#39;1066&#39;: it is not one of this list&#39;s '
            'values. <a href="/sources">Remove it</a>.</p>') in page
    timeline = real_client.get("/timeline.json?status=finished&country=GB").json
    assert [n["message"] for n in timeline["notices"]] == [
        "No organisation has the status of self-management 'finished': it is not one of this page's values."]


def test_sources_suggest_the_organisation_a_typed_name_or_mistyped_id_means(real_client) -> None:
    for typed in ("Buurtzorg Nederland", "buurtzorgg"):
        notices = real_client.get(f"/sources.json?organisation={typed}").json["notices"]
        assert notices[0]["suggestions"][0] == {"value": "buurtzorg", "label": "Buurtzorg Nederland",
                                                "url": "/sources.json?organisation=buurtzorg"}
    page = real_client.get("/sources?organisation=buurtzorgg").get_data(as_text=True)
    assert 'Did you mean <a href="/sources?organisation=buurtzorg">Buurtzorg Nederland</a> (<code>buurtzorg</code>)' in page


def test_a_filter_of_too_many_values_is_a_text_field_suggesting_the_most_common(monkeypatch, client) -> None:
    from webapp.views import sources

    monkeypatch.setattr(sources, "FILTER_CHOICES", 1)
    filters = {f["name"]: f for f in client.get("/sources.json?organisation=beta-shoes").json["filters"]}
    assert [(v["value"], v["selected"]) for v in filters["organisation"]["values"]] == [
        ("alpha-care", False), ("beta-shoes", True)]  # the one of the most sources, and the one chosen
    assert filters["organisation"]["unlisted"] == 0
    filters = {f["name"]: f for f in client.get("/sources.json").json["filters"]}
    assert [v["value"] for v in filters["organisation"]["values"]] == ["alpha-care"]
    assert filters["organisation"]["unlisted"] == 1
    page = client.get("/sources").get_data(as_text=True)
    assert re.search(r'<input type="text" id="filter-organisation" name="organisation" '
                     r'list="filter-organisation-choices"[^>]*value="">', page)
    assert "the suggestions list the 1 most common of 2." in page
    assert '<select id="filter-type" name="type">' in page  # a short list stays a list


def test_compare_and_report_say_a_limit_they_cannot_show(real_client) -> None:
    data = real_client.get("/compare.json?case=zappos&limit=9999").json
    assert data["limit"] == 50
    assert data["ignored"] == [{"field": "limit", "value": "9999", "why": "outside 1 to 50 results; 50 shown"}]
    report = real_client.get("/report?country=GB&limit=ten").get_data(as_text=True)
    assert "Not used: limit 'ten' (not a whole number of results; 10 shown)." in report


def test_a_description_given_with_a_case_is_said_unused(real_client) -> None:
    data = real_client.get("/compare.json?case=zappos&country=GB").json
    assert data["mode"] == "case" and data["ignored"] == [
        {"field": "country", "value": "GB", "why": "not used when comparing with a case: remove case=zappos to "
                                                   "compare a description"}]
