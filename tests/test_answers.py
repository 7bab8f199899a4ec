"""Answers for practitioners (issue 18): lessons across cases, the sources list's filters and pages,
"did you mean" on 404 pages; the same answers from Neo4j as from the embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import suggest
from kb.graph.rows import graph_rows
from kb.load import load_content
from webapp import create_app
from webapp.errors import page_suggestions

from .conftest import FIXTURES, REPO, TEST_LIMITS, load_into

# -- lessons and open questions across cases --------------------------------------------------------


def test_lessons_gather_every_case_with_links_and_sources(client) -> None:
    data = client.get("/lessons.json").json
    assert [c["id"] for c in data["cases"]] == ["alpha-care", "beta-shoes"]
    assert data["counts"] == {"Lessons": 2, "Open questions": 1}
    alpha = data["cases"][0]
    assert [s["title"] for s in alpha["sections"]] == ["Lessons", "Open questions"]
    question = alpha["sections"][1]["items"][0]
    assert question["text"] == "Would the teams keep working this way without the coaches?"
    assert question["url"] == "/cases/alpha-care#section-open-questions"
    assert [(s["id"], s["page_url"]) for s in question["sources"]] == [("report-b", "/sources/report-b")]
    page = client.get("/lessons").text
    assert 'href="/cases/alpha-care#section-open-questions"' in page and 'href="/sources/report-b"' in page
    assert 'id="section-open-questions"' in client.get("/cases/alpha-care").text


@pytest.mark.parametrize("query, cases", [
    ("sector=retail", ["beta-shoes"]),
    ("practice=self-managing-teams", ["alpha-care"]),
    ("challenge=staff-attrition", ["alpha-care", "beta-shoes"]),
    ("sector=retail&practice=self-managing-teams", []),
])
def test_lessons_filter_by_sector_practice_and_challenge(client, query: str, cases: list[str]) -> None:
    data = client.get(f"/lessons.json?{query}").json
    assert [c["id"] for c in data["cases"]] == cases
    page = client.get(f"/lessons?{query}")
    assert page.status_code == 200 and "Clear the filters" in page.text
    for _name, value in (part.split("=") for part in query.split("&")):
        assert f'<option value="{value}" selected>' in page.text


def test_lessons_filters_offer_only_values_of_cases_with_lessons(client) -> None:
    facets = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in client.get("/lessons.json").json["facets"]}
    assert list(facets) == ["sector", "country", "practice", "challenge"]
    assert facets["country"] == {"NL": 1, "US": 1}  # only the countries of cases with lessons
    assert facets["challenge"] == {"staff-attrition": 2}



def test_lessons_are_paged_by_case(client, monkeypatch) -> None:
    from webapp.views import lessons

    monkeypatch.setattr(lessons, "CASES_PER_PAGE", 1)
    first, second = client.get("/lessons.json").json, client.get("/lessons.json?page=2").json
    assert [c["id"] for c in first["cases"]] == ["alpha-care"] and [c["id"] for c in second["cases"]] == ["beta-shoes"]
    assert first["total"] == 2 and first["counts"] == {"Lessons": 2, "Open questions": 1}
    assert (first["page"]["next"], second["page"]["previous"]) == ("/lessons.json?page=2", "/lessons.json")
    page = client.get("/lessons?challenge=staff-attrition&page=2").text
    assert "page 2 of 2" in page and 'href="/lessons?challenge=staff-attrition" rel="prev"' in page
    assert client.get("/lessons.json?page=3").status_code == 404

# -- sources: filters and pages ------------------------------------------------------------------------

def test_sources_are_paged(make_client, shared_mini_store: Path) -> None:
    client = make_client(KB_STORE_PATH=str(shared_mini_store), KB_PAGE_SIZE=2)
    first = client.get("/sources.json").json
    assert [s["id"] for s in first["sources"]] == ["news-1", "report-a"]
    assert first["page"] == {"number": 1, "pages": 2, "size": 2, "next": "/sources.json?page=2", "previous": None}
    second = client.get(first["page"]["next"]).json
    assert [s["id"] for s in second["sources"]] == ["report-b"] and second["page"]["previous"] == "/sources.json"
    assert 'rel="next"' in client.get("/sources").text
    assert client.get("/sources.json?page=3").status_code == 404
    assert client.get("/sources.json?page=zero").status_code == 400


@pytest.mark.parametrize("query, ids", [
    ("organisation=beta-shoes", ["news-1"]),
    ("organisation=alpha-care", ["report-a", "report-b"]),
    ("year=2015", ["report-a"]),
    ("year=undated", ["news-1", "report-b"]),
    ("year=2015&year=undated", ["news-1", "report-a", "report-b"]),
    ("type=report", ["report-a"]),
    ("organisation=nobody", []),
])
def test_sources_filter_by_type_reliability_year_and_organisation(client, query: str, ids: list[str]) -> None:
    data = client.get(f"/sources.json?{query}").json
    assert [s["id"] for s in data["sources"]] == ids and data["total"] == len(ids)
    assert client.get(f"/sources?{query}").status_code == 200


def test_source_filters_take_their_values_from_the_data(real_client) -> None:
    """Reliability values are whatever the content uses (issue 15 renames them), each with its count."""
    data = real_client.get("/sources.json").json
    values = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in data["filters"]}
    every = real_client.get("/sources.json?page=1").json["sources_total"]
    assert sum(values["reliability"].values()) <= every and len(values["reliability"]) >= 2
    some = next(iter(values["reliability"]))
    assert real_client.get(f"/sources.json?reliability={some}").json["total"] == values["reliability"][some]
    assert len(real_client.get("/sources").data) < 150_000  # was one 610 KB page


# -- did you mean ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, suggested", [
    ("/cases/alpha-cre", "/cases/alpha-care"),
    ("/cases/beta-shoe", "/cases/beta-shoes"),
    ("/practices/self-managing-team", "/practices/self-managing-teams"),
    ("/challenges/staff-atrition", "/challenges/staff-attrition"),
    ("/sources/report-c", "/sources/report-a"),
    ("/graph/organisation/alpah-care", "/graph/organisation/alpha-care"),
    ("/compare?case=alpha-car", "/compare?case=alpha-care"),
])
def test_404_pages_suggest_the_closest_ids(client, path: str, suggested: str) -> None:
    base, _, query = path.partition("?")
    data = client.get(f"{base}.json" + (f"?{query}" if query else ""))
    assert data.status_code == 404 and data.json["did_you_mean"][0]["url"] == suggested
    page = client.get(path)
    assert page.status_code == 404 and "Did you mean" in page.text and f'href="{suggested}"' in page.text


def test_404_for_an_id_like_nothing_suggests_nothing(client) -> None:
    data = client.get("/cases/qqqqqqqqqq.json").json
    assert data["did_you_mean"] == []
    assert "Did you mean" not in client.get("/cases/qqqqqqqqqq").text


def test_closest_ids_compare_names_too() -> None:
    names = page_suggestions({"buurtzorg": "Buurtzorg Nederland", "wl-gore": "W. L. Gore & Associates",
                              "zappos": "Zappos"})
    assert names.closest("gore-associates") == ["wl-gore"]
    assert names.closest("zapos") == ["zappos"]


@pytest.mark.parametrize("base", ["/cases", "/sources", "/practices", "/compare?case="])
def test_a_huge_id_is_compared_only_cut_short_and_finds_nothing(client, monkeypatch, base: str) -> None:
    """Issue 22: a 60,000-letter id once cost 89 s of comparisons.  Now the address is refused before
    routing (webapp.bounds), and an id within the address limit is compared only cut to
    kb.suggest.MAX_QUERY characters (with candidates built once per graph version)."""
    compared: list[int] = []
    scorer = suggest.SCORER

    def watching(query: str, choice: str, **kwargs) -> float:
        compared.append(len(query))
        return scorer(query, choice, **kwargs)

    monkeypatch.setattr(suggest, "SCORER", watching)

    def url_of(wrong: str, json: bool = False) -> str:
        if base.endswith("="):
            return base.replace("?", ".json?" if json else "?") + wrong
        return f"{base}/{wrong}" + (".json" if json else "")

    assert client.get(url_of("alpha-care" + "x" * 60_000, json=True)).status_code == 414 and compared == []
    long_id = "alpha-care" + "x" * 7_000
    response = client.get(url_of(long_id, json=True))
    assert response.status_code == 404 and response.json["did_you_mean"] == []
    assert compared and max(compared) == suggest.MAX_QUERY == 100
    page = client.get(url_of(long_id))
    assert page.status_code == 404 and "Did you mean" not in page.text


# -- the same answers from Neo4j -------------------------------------------------------------------------

#: Pages whose JSON must be the same from both stores (on the fixture content; the real content's are in
#: tests/test_discover.py, NEO4J_PAGES).
NEO4J_PATHS = {
    "mini": ["/lessons.json", "/lessons.json?challenge=staff-attrition", "/sources.json",
             "/sources.json?organisation=alpha-care&year=undated", "/search.json?q=how+many+nurses+in+a+team",
             "/search.json?q=staff+turnover", "/search.json?q=of+the", "/cases/alpha-cre.json",
             "/practices/self-managing-team.json", "/graph/organisation/alpah-care.json"],
}


@pytest.mark.parametrize("content", sorted(NEO4J_PATHS))
def test_neo4j_gives_the_same_answers(neo4j_server, tmp_path: Path, content: str, monkeypatch) -> None:
    root = FIXTURES / "mini" if content == "mini" else REPO
    result = load_content(root)
    assert result.ok
    neo4j_server.ensure_loaded(("contract", content), graph_rows(result.corpus))
    load_into(root, tmp_path / "store")
    monkeypatch.setenv("NEO4J_URI", neo4j_server.uri)
    served = create_app({"TESTING": True, "KB_STORE": "neo4j", **TEST_LIMITS})
    embedded = create_app({"TESTING": True, "KB_STORE_PATH": str(tmp_path / "store"), **TEST_LIMITS})
    try:
        for path in NEO4J_PATHS[content]:
            from_neo4j, local = served.test_client().get(path), embedded.test_client().get(path)
            assert from_neo4j.status_code == local.status_code, path
            assert from_neo4j.json == local.json, path
    finally:
        for app in (served, embedded):
            if app.extensions.get("kb_store") is not None:
                app.extensions["kb_store"].close()


def test_the_did_you_mean_candidates_are_built_once_per_graph_version(client, monkeypatch) -> None:
    """Issue 22: a 404 compares with a prepared index, not with everything built again on each request."""
    from webapp import errors

    built: list[int] = []
    real = errors.page_suggestions

    def counting(names):
        built.append(len(names))
        return real(names)

    monkeypatch.setattr(errors, "page_suggestions", counting)
    assert client.get("/sources/report-c.json").json["did_you_mean"]
    first = len(built)  # 1, or 0 if an earlier test on this graph version built them already
    for wrong in ("alpha-cre", "beta-shoe", "zzz", "report-d"):
        assert client.get(f"/sources/{wrong}.json").status_code == 404
    assert first <= 1 and len(built) == first
