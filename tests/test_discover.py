"""Discover pages: the case list's facets, sorting and paging; search; sources; the graph explorer.

On the two-case fixture content (``client``) for exact answers and on the real content
(``real_client``) for every page, its JSON twin and the promises a reader relies on.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from kb.analysis.facets import build_cases, facet_cases, parse_selection, sort_cases
from kb.analysis.search import SearchDocument, SearchIndex, plain_text, search_index_for

from .conftest import load_into

# -- every page and its JSON twin ---------------------------------------------------------------

FIXTURE_PAGES = ["/cases", "/cases?practice=self-managing-teams&sort=size", "/search", "/search?q=nurses",
                 "/sources", "/sources/report-a", "/graph/organisation/alpha-care",
                 "/graph/practice/self-managing-teams?depth=2&show=organisation"]


@pytest.mark.parametrize("path", FIXTURE_PAGES)
def test_page_and_its_json_twin(client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    base, _, query = path.partition("?")
    twin = f"{base}.json" + (f"?{query}" if query else "")
    assert f'<link rel="alternate" type="application/json" href="{twin.replace("&", "&amp;")}">' in page.text
    data = client.get(twin)
    assert data.status_code == 200 and data.json["ok"] is True


@pytest.mark.parametrize("path", ["/cases?sort=size", "/search?q=x", "/sources", "/sources/report-a",
                                  "/graph/organisation/alpha-care"])
def test_pages_are_self_contained_and_well_formed(client, path: str) -> None:
    """No inline script or style (a strict CSP will apply), nothing loaded from elsewhere, unique ids,
    one h1, a label for every field."""
    page = client.get(path).text
    for script in re.findall(r"<script\b[^>]*>", page):
        assert 'src="/' in script or 'type="application/json"' in script, script
    assert " style=" not in page and "<style" not in page
    # What the browser loads (scripts, style sheets, icons) comes from this site; the canonical
    # address is not loaded, and is a full URL by definition (RFC 6596).
    loaded = [tag for tag in re.findall(r"<(?:script|link)\b[^>]*>", page) if 'rel="canonical"' not in tag]
    for url in (re.search(r'(?:src|href)="([^"]+)"', tag) for tag in loaded):
        assert url is None or url.group(1).startswith("/"), url.group(1)
    assert '<link rel="canonical" href="http://localhost/' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert page.count("<h1") == 1
    for field in re.findall(r'<(?:input|select)\b[^>]*\bid="([^"]+)"', page):
        assert f'for="{field}"' in page, f"no label for #{field}"


@pytest.mark.parametrize("path, status, message", [
    ("/cases.json?sort=age", 400, "Unknown sort 'age'"),
    ("/cases.json?page=two", 400, "whole number"),
    ("/cases.json?page=9", 404, "there is no page 9"),
    ("/sources/nope.json", 404, "No source with id 'nope'."),
    ("/graph/planet/earth.json", 404, "No kind of node 'planet'"),
    ("/graph/practice/nope.json", 404, "No practice with id 'nope'."),
    ("/graph/organisation/alpha-care.json?depth=3", 400, "The depth must be 1 or 2"),
    ("/graph/organisation/alpha-care.json?show=planet", 400, "Unknown kind to show: planet"),
])
def test_errors_in_both_forms(client, path: str, status: int, message: str) -> None:
    data = client.get(path)
    assert data.status_code == status and data.json["ok"] is False and message in data.json["error"]
    page = client.get(path.replace(".json", "", 1))
    assert page.status_code == status and page.mimetype == "text/html" and message.split("'")[0] in page.text


# -- the case list: facets, sorting, paging ---------------------------------------------------------

def _facet(data: dict, name: str) -> dict[str, dict]:
    return {v["value"]: v for f in data["facets"] if f["name"] == name for v in f["values"]}


def test_facets_combine_and_count_what_each_value_would_give(client) -> None:
    both = client.get("/cases.json?challenge=staff-attrition").json
    assert [c["id"] for c in both["cases"]] == ["alpha-care", "beta-shoes"]
    assert _facet(both, "practice")["self-managing-teams"]["count"] == 1
    assert _facet(both, "practice")["holacracy"]["count"] == 1  # frameworks count as practices used

    dutch = client.get("/cases.json?challenge=staff-attrition&country=NL").json
    assert [c["id"] for c in dutch["cases"]] == ["alpha-care"] and dutch["total"] == 1 and dutch["cases_total"] == 2
    countries = _facet(dutch, "country")
    # One country per case, so countries widen the list (OR): choosing the US too would add Beta Shoes.
    assert countries["NL"] == {**countries["NL"], "count": 1, "selected": True, "label": "Netherlands"}
    assert countries["US"]["count"] == 1 and not countries["US"]["selected"]
    # Practices narrow the list (AND): only what Dutch cases facing attrition use is offered.
    assert set(_facet(dutch, "practice")) == {"self-managing-teams", "coaches-not-managers"}


def test_two_practices_mean_cases_with_both(client) -> None:
    data = client.get("/cases.json?practice=self-managing-teams&practice=holacracy").json
    assert data["cases"] == [] and data["total"] == 0
    page = client.get("/cases?practice=self-managing-teams&practice=holacracy").text
    assert "No case matches all these filters" in page and "Clear all filters" in page


def test_facet_links_add_and_remove_values_and_keep_the_sort(client) -> None:
    data = client.get("/cases.json?country=NL&sort=size&page=1").json
    us = _facet(data, "country")["US"]["url"]
    assert parse_qs(urlsplit(us).query) == {"country": ["NL", "US"], "sort": ["size"]}
    nl = _facet(data, "country")["NL"]["url"]
    assert parse_qs(urlsplit(nl).query) == {"sort": ["size"]}
    assert urlsplit(us).path == "/cases.json"
    page = client.get("/cases?country=NL").text
    assert 'href="/cases?country=NL&amp;country=US"' in page
    assert 'aria-label="Remove filter Netherlands"' in page and 'aria-current="true"' in page


def test_sectors_include_broader_ones(client) -> None:
    data = client.get("/cases.json?sector=health-care").json
    assert [c["id"] for c in data["cases"]] == ["alpha-care"]  # in home care, which is health care
    assert data["cases"][0]["sectors"] == ["home-care"]


@pytest.mark.parametrize("sort, expected", [("name", ["alpha-care", "beta-shoes"]),
                                            ("founded", ["beta-shoes", "alpha-care"]),  # 1999, 2006
                                            ("size", ["alpha-care", "beta-shoes"])])  # 1,200 staff, unknown
def test_sorting(client, sort: str, expected: list[str]) -> None:
    assert [c["id"] for c in client.get(f"/cases.json?sort={sort}").json["cases"]] == expected


def test_paging_uses_the_configured_page_size(make_client, shared_mini_store) -> None:
    client = make_client(KB_STORE_PATH=str(shared_mini_store), KB_PAGE_SIZE=1)
    first = client.get("/cases.json?sort=founded").json
    assert [c["id"] for c in first["cases"]] == ["beta-shoes"]
    assert first["page"] == {"number": 1, "pages": 2, "size": 1, "previous": None,
                             "next": "/cases.json?sort=founded&page=2"}
    second = client.get(first["page"]["next"]).json
    assert [c["id"] for c in second["cases"]] == ["alpha-care"] and second["page"]["next"] is None
    page = client.get("/cases?sort=founded&page=2").text
    assert 'rel="prev"' in page and "Page 2 of 2" in page


def test_facets_library_on_a_tiny_table() -> None:
    orgs = [{"id": i, "name": i.upper(), "kind": "company", "country": c, "founded": None, "staff": None}
            for i, c in [("a", "NL"), ("b", "NL"), ("c", "US")]]
    links = [{"organisation": o, "type": "USES_PRACTICE", "value": p, "label": p}
             for o, p in [("a", "x"), ("a", "y"), ("b", "x"), ("c", "y")]]
    cases = build_cases(orgs, links)
    assert parse_selection({"practice": ["x", "", "x"], "country": ["NL"]}.get) == {"country": ("NL",),
                                                                                   "practice": ("x",)}
    result = facet_cases(cases, {"practice": ("x",)})
    assert [c.id for c in result.cases] == ["a", "b"]
    counts = {f.facet.name: {v.value: v.count for v in f.values} for f in result.facets}
    assert counts["practice"] == {"x": 2, "y": 1} and counts["country"] == {"NL": 2}
    assert [c.id for c in sort_cases(cases, "name")] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="unknown sort"):
        sort_cases(cases, "colour")


# -- search -------------------------------------------------------------------------------------

def test_search_ranks_and_highlights(client) -> None:
    data = client.get("/search.json?q=nurses").json
    assert data["results"][0]["id"] == "alpha-care"
    assert "<mark>nurses</mark>" in data["results"][0]["snippet_html"]
    assert data["results"][0]["url"] == "/cases/alpha-care"
    page = client.get("/search?q=nurses").text
    assert "<mark>nurses</mark>" in page and 'href="/cases/alpha-care"' in page


@pytest.mark.parametrize("typed, found, kind", [("alpah", "alpha-care", "organisation"),
                                                ("holocracy", "holacracy", "framework"),
                                                ("Beta Shose", "beta-shoes", "organisation")])
def test_search_forgives_typos_in_names(client, typed: str, found: str, kind: str) -> None:
    data = client.get("/search.json", query_string={"q": typed}).json
    assert (data["results"][0]["kind"], data["results"][0]["id"]) == (kind, found)
    assert data["corrections"]


def test_search_finds_passages_with_their_case_section_and_sources(client) -> None:
    data = client.get("/search.json?q=how+many+nurses+in+a+team").json
    first = data["passages"][0]
    assert (first["owner"]["id"], first["section"]) == ("alpha-care", "Practices")
    assert first["text"] == "Self-managing teams: teams of up to 12 nurses. figure: 12 nurses per team at most (2015)"
    assert "<mark>nurses</mark>" in first["text_html"] and "<mark>teams</mark>" in first["text_html"]
    assert [(s["id"], s["title"], s["page_url"]) for s in first["sources"]] == [
        ("report-a", "A report about Alpha", "/sources/report-a")]
    assert first["url"] == "/cases/alpha-care#sec-practices"
    assert first["concepts"][0]["url"] == "/practices/self-managing-teams"
    # "how many" is kept as the question's intent (it asks for figures); only "in" and "a" are left out.
    assert data["common_words"] == ["in", "a"]
    page = client.get("/search?q=how+many+nurses+in+a+team").text
    assert page.index("Passages") < page.index("Cases and concepts")


def test_search_stems_and_uses_concept_aliases_as_synonyms(client) -> None:
    # "nurse" finds "nurses" (one stem).
    assert client.get("/search.json?q=nurse").json["passages"][0]["owner"]["id"] == "alpha-care"
    # "staff turnover" is an alias of the challenge "Staff attrition": the bullet that links it answers.
    data = client.get("/search.json", query_string={"q": "staff turnover at Alpha"}).json
    assert data["synonyms"] == {"staff turnover": ["Staff attrition during the transition", "staff attrition"]}
    first = data["passages"][0]
    assert (first["owner"]["id"], first["section"]) == ("alpha-care", "Challenges")
    assert "<mark>Staff</mark> <mark>attrition</mark>" in first["text_html"]
    # "autonomous teams" (an alias of "Self-managing teams") finds the practice bullet though no word matches.
    data = client.get("/search.json", query_string={"q": "autonomous teams"}).json
    assert any(p["section"] == "Practices" for p in data["passages"][:2])


@pytest.mark.parametrize("query", ["of the", "the", "what is it", "Which? Of the...", "  "])
def test_a_question_of_common_words_only_gets_a_helpful_answer(client, query: str) -> None:
    page = client.get("/search", query_string={"q": query})
    assert page.status_code == 200
    data = client.get("/search.json", query_string={"q": query}).json
    if query.strip():
        assert data["only_common_words"] is True and data["common_words"]
        assert "only common words" in page.text and "Questions you can ask" not in page.text
        assert all(e["url"] in html.unescape(page.text) for e in data["examples"])
    assert data["passages"] == [] and data["results"] == []


def test_the_search_page_offers_example_questions(client) -> None:
    page = client.get("/search").text
    assert "Questions you can ask" in page
    data = client.get("/search.json").json
    assert len(data["examples"]) >= 5 and all(e["url"].startswith("/search?q=") for e in data["examples"])


def test_search_with_no_query_or_no_match(client) -> None:
    assert client.get("/search.json").json["results"] == []
    data = client.get("/search.json?q=zzzzqqq").json
    assert data["results"] == [] and data["total"] == 0 and data["corrections"] == {}
    assert "Nothing found for" in client.get("/search?q=zzzzqqq").text


def test_search_never_turns_content_or_query_into_html(make_client, mini_root, tmp_path) -> None:
    case = mini_root / "cases" / "alpha-care.md"
    case.write_text(case.read_text().replace("nurses work in small", "nurses <b onclick=x>work</b> in small"))
    store = tmp_path / "xss-store"
    load_into(mini_root, store)
    client = make_client(KB_STORE_PATH=str(store))
    page = client.get("/search", query_string={"q": "nurses <script>alert(1)</script>"}).text
    assert "<b onclick" not in page and "&lt;b onclick=x&gt;" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_search_index_follows_a_reload(make_client, mini_root, mini_store) -> None:
    client = make_client(KB_STORE_PATH=str(mini_store))
    assert client.get("/search.json?q=gamma").json["results"] == []
    case = mini_root / "cases" / "alpha-care.md"
    case.write_text(case.read_text().replace("name: Alpha Care", "name: Gamma Care"))
    load_into(mini_root, mini_store)
    assert client.get("/search.json?q=gamma").json["results"][0]["name"] == "Gamma Care"


class _CountingStore:
    """A store whose version a test sets (as a sync to Neo4j would): every query is counted."""

    def __init__(self, rows: dict[str, list[dict]]):
        self.rows, self.calls, self.graph_version = rows, 0, "v1"

    def version(self) -> str:
        return self.graph_version

    def query(self, name: str, **params: object) -> list[dict]:
        self.calls += 1
        return self.rows[name]


def test_search_index_is_built_once_per_version_of_the_graph() -> None:
    org = {"id": "a", "name": "Alpha", "aliases": [], "summary": "Nurses.", "body": "", "kind": "", "country": "",
           "city": ""}
    store = _CountingStore({"search_organisations": [org], "search_concepts": [], "sources": []})
    first = search_index_for(store)
    assert search_index_for(store) is first and store.calls == 3  # the same version: no query at all
    store.rows["search_organisations"] = [{**org, "name": "Omega"}]
    assert search_index_for(store) is first  # the rows changed but the version did not: still the old index
    store.graph_version = "v2"
    assert search_index_for(store).search("omega").hits[0].name == "Omega" and store.calls == 6


def test_the_organisations_text_is_read_a_page_at_a_time_and_whole(shared_mini_store, monkeypatch) -> None:
    from kb.analysis import search_store
    from kb.store.ladybug import LadybugStore

    store = LadybugStore(shared_mini_store)
    monkeypatch.setattr(search_store, "TEXTS_PER_READ", 1)  # one organisation a read: every page boundary
    paged = list(search_store.organisation_texts(store))
    assert [row["id"] for row in paged] == ["alpha-care", "beta-shoes"]
    assert paged[1]["name"] == "Beta Shoes" and "## " in paged[1]["body"]
    assert store.query("search_organisations", after="alpha-care", limit=5) == paged[1:]


def test_search_index_snippets_are_escaped_and_marked() -> None:
    index = SearchIndex([SearchDocument("practice", "p", "Peer <review>", (), "Colleagues & peers review work.", "")])
    hit = index.search("review").hits[0]
    assert hit.name_html == "Peer &lt;<mark>review</mark>&gt;"
    assert hit.snippet_html == "Colleagues &amp; peers <mark>review</mark> work."
    assert plain_text("A [b](c.md) [src: x]. **D**") == "A b. D"


# -- sources ----------------------------------------------------------------------------------------

def test_sources_list_every_claim_that_cites_them(client) -> None:
    data = client.get("/sources.json").json
    sources = {s["id"]: s for s in data["sources"]}
    assert set(sources) == {"report-a", "report-b", "news-1"}
    cited = sources["report-a"]["citations"]
    claim = next(c for c in cited if c["concept"] and c["concept"]["id"] == "self-managing-teams")
    assert claim["organisation"]["id"] == "alpha-care" and claim["claim_type"] == "practice"
    assert (claim["file"], claim["line"]) == ("cases/alpha-care.md", 35)
    assert claim["organisation"]["url"] == "/cases/alpha-care#line-35"
    # The contested attrition claim is listed once (not again as its disputed-claim copy), with its status.
    attrition = [c for c in cited if c["line"] == 42]
    assert [(c["claim_type"], c["status"]) for c in attrition] == [("challenge", "contested")]
    kinds = {c["claim_type"] for c in cited}
    assert {"figure", "view on a disputed claim", "contested claim"} <= kinds
    assert any(c["claim_type"].startswith("profile") for c in cited)
    assert [d["id"] for d in sources["report-a"]["declared_in"]] == ["alpha-care"]
    # The page shows them too (each with its citations), after the form that filters them.
    page = client.get("/sources").text
    assert page.count('<article class="source"') == 3 and '<form class="lesson-filters"' in page
    assert page.index('<h2 id="source-filters-title">Filter sources</h2>') < page.index('id="source-news-1"')
    assert '<td data-label="Organisation"><a href="/cases/alpha-care#line-35">Alpha Care</a></td>' in page


def test_one_source_page(client) -> None:
    data = client.get("/sources/report-b.json").json
    assert data["source"]["id"] == "report-b" and data["source"]["url"] == "https://example.org/b"
    assert {c["claim_type"] for c in data["source"]["citations"]} >= {"practice", "relation: partner of"}
    page = client.get("/sources/report-b").text
    assert "<h1>A second report</h1>" in page and 'href="/graph/source/report-b"' in page


# -- the graph explorer -------------------------------------------------------------------------

def test_graph_shows_no_sources_or_countries_unless_asked(client) -> None:
    default = client.get("/graph/organisation/alpha-care.json").json
    assert default["show"] == ["organisation", "practice", "challenge", "outcome", "framework", "sector"]
    assert not [n for n in default["nodes"] if n["kind"] in ("source", "country")]
    page = client.get("/graph/organisation/alpha-care").text
    assert '<input type="checkbox" name="show" value="source">' in page  # one tick away
    assert '<input type="checkbox" name="show" value="sector" checked>' in page


def test_graph_json_has_nodes_with_links_and_edges(client) -> None:
    data = client.get("/graph/organisation/alpha-care.json?" + "&".join(
        f"show={k}" for k in ("organisation", "practice", "challenge", "outcome", "framework", "sector", "country",
                              "source"))).json
    nodes = {n["key"]: n for n in data["nodes"]}
    assert data["centre"]["key"] == "Organisation:alpha-care"
    assert nodes["Practice:self-managing-teams"]["url"] == "/practices/self-managing-teams"
    assert nodes["Sector:home-care"]["url"] == "/cases?sector=home-care"
    assert nodes["Country:NL"]["url"] == "/cases?country=NL"
    assert nodes["Source:report-a"]["url"] == "/sources/report-a"
    assert nodes["Organisation:beta-shoes"]["url"] == "/cases/beta-shoes"
    assert {"source": "Organisation:alpha-care", "target": "Organisation:beta-shoes", "type": "PARTNER_OF",
            "status": ""} in data["edges"]
    contested = next(e for e in data["edges"] if e["target"] == "Challenge:staff-attrition")
    assert contested["status"] == "contested"


def test_graph_depth_and_kind_filter(client) -> None:
    near = client.get("/graph/practice/self-managing-teams.json?show=organisation").json
    assert {n["key"] for n in near["nodes"]} == {"Practice:self-managing-teams", "Organisation:alpha-care"}
    far = client.get("/graph/practice/self-managing-teams.json?depth=2&show=organisation").json
    assert {n["key"]: n["depth"] for n in far["nodes"]} == {"Practice:self-managing-teams": 0,
                                                            "Organisation:alpha-care": 1,
                                                            "Organisation:beta-shoes": 2}


def test_graph_page_is_a_drawing_in_columns_made_on_the_server(client) -> None:
    page = client.get("/graph/organisation/alpha-care?show=organisation&show=country&show=practice").text
    drawing = re.search(r'<svg class="chart band-graph" id="graph-bands".*?</svg>', page, re.S).group(0)
    # Every node a link named by its kind, its shape after its kind, its name whole beside it.
    assert ('<a href="/practices/coaches-not-managers" aria-label="Practice: Coaches instead of managers">'
            '<g class="node kind-practice"><title>Practice: Coaches instead of managers</title>') in drawing
    assert '<g class="node kind-organisation centre"><title>Organisation: Alpha Care</title>' in drawing
    assert re.search(r'<g class="node kind-country"><title>Country: Netherlands</title>', drawing)
    # Columns: the practices' shapes on the left, the organisations and the country in the middle.
    x_of = {name: float(x) for name, x in re.findall(
        r'<title>\w+: ([^<]+)</title><path transform="translate\(([\d.]+) ', drawing)}
    assert x_of["Self-managing teams"] < x_of["Alpha Care"] == x_of["Beta Shoes"] == x_of["Netherlands"]
    # The drawing first, its settings after; no script but the site's own, no vis-network.
    assert page.index('id="graph-bands"') < page.index('<form class="graph-controls"')
    assert re.findall(r'<script src="([^"]+)"', page) == [re.search(r'"(/static/site\.[0-9a-f]{10}\.js)"',
                                                                     page).group(1)]
    assert "vis-network" not in page and 'id="graph-data"' not in page
    assert client.get("/vendor/vis-network/vis-network.min.js").status_code == 404
    # The key shows each kind drawn; the same nodes are links in a list.
    assert re.findall(r'<li class="kind-(\w+)"><svg', page) == ["practice", "organisation", "country"]
    assert 'href="/cases/beta-shoes"' in page and 'href="/graph/organisation/beta-shoes?depth=1"' in page


def test_graph_has_at_most_a_few_dozen_nodes(real_client) -> None:
    data = real_client.get("/graph/framework/holacracy.json?depth=2").json
    assert len(data["nodes"]) <= data["max_nodes"] == 40 and data["truncated"] is True
    assert "Only the nearest" in real_client.get("/graph/framework/holacracy?depth=2").text


# -- the real content -------------------------------------------------------------------------------

REAL_PAGES = ["/cases", "/cases?page=2", "/cases?sector=health-care&practice=self-managing-teams&sort=founded",
              "/search?q=buurtzorg", "/sources", "/sources/bi-2016", "/graph/organisation/zappos?depth=2",
              "/graph/practice/advice-process", "/graph/challenge/staff-attrition", "/graph/outcome/staff-wellbeing",
              "/graph/framework/holacracy", "/graph/sector/home-care", "/graph/country/NL",
              "/graph/source/bi-2016?show=organisation"]


@pytest.mark.parametrize("path", REAL_PAGES)
def test_real_content_page_and_json_twin(real_client, path: str) -> None:
    assert real_client.get(path).status_code == 200
    base, _, query = path.partition("?")
    data = real_client.get(f"{base}.json" + (f"?{query}" if query else ""))
    assert data.status_code == 200 and data.json["ok"] is True


def test_real_content_every_facet_count_is_what_you_get(real_client) -> None:
    data = real_client.get("/cases.json").json
    assert data["total"] == data["cases_total"] >= 20
    for facet in data["facets"]:
        for value in facet["values"]:
            chosen = real_client.get(value["url"]).json
            assert chosen["total"] == value["count"], (facet["name"], value["value"])


@pytest.mark.parametrize("typed, first", [("buurtzrog", "buurtzorg"), ("Buurtzorg", "buurtzorg"),
                                          ("holocracy", "holacracy"), ("morning star", "morning-star")])
def test_real_content_search_finds_names_despite_typos(real_client, typed: str, first: str) -> None:
    results = real_client.get("/search.json", query_string={"q": typed}).json["results"]
    assert results[0]["id"] == first


def test_real_content_sources_cover_every_source(real_client) -> None:
    data = real_client.get("/sources.json").json
    counts = real_client.get("/index.json").json["counts"]
    assert data["total"] == counts["Source"]
    every, url = [], "/sources.json"
    while url:  # page by page
        page = real_client.get(url).json
        every += page["sources"]
        url = page["page"]["next"]
    assert len({s["id"] for s in every}) == data["total"]
    cited = [s for s in every if s["citations"]]
    assert len(cited) > 0.8 * data["total"]


# -- the same pages on Neo4j ------------------------------------------------------------------------

@pytest.fixture
def neo4j_real_client(neo4j_server, make_client, real_rows):
    """The site reading the real content from the session's Neo4j server."""
    neo4j_server.ensure_loaded("real content", real_rows)
    return make_client(KB_STORE="neo4j", NEO4J_URI=neo4j_server.uri)


NEO4J_PAGES = ["/cases.json", "/cases.json?practice=self-managing-teams&country=GB&sort=size",
               "/cases.json?sector=health-care&sort=founded", "/cases.json?page=2&sort=size", "/search.json?q=buurtzrog",
               "/search.json?q=holocracy%20attrition", "/sources.json", "/sources/bi-2016.json",
               "/graph/organisation/zappos.json?depth=2", "/graph/sector/home-care.json",
               "/graph/source/bi-2016.json?depth=2&show=organisation&show=practice",
               # issue 18: question search, lessons, filtered and paged sources, "did you mean"
               "/search.json?q=Which+other+services+could+benefit+from+self-management%3F",
               "/search.json?q=how+do+people+set+their+own+salaries", "/search.json?q=of+the",
               "/lessons.json", "/lessons.json?sector=home-care&challenge=staff-attrition",
               "/sources.json?page=3", "/sources.json?organisation=zappos&year=2016"]
NEO4J_MISSING = ["/cases/zapos.json", "/practices/advice-proces.json", "/sources/seed-2071.json"]


def test_discover_pages_read_the_same_from_neo4j(neo4j_real_client, real_client) -> None:
    for path in NEO4J_PAGES:
        from_neo4j = neo4j_real_client.get(path)
        assert from_neo4j.status_code == 200, path
        assert from_neo4j.json == real_client.get(path).json, path
    for path in NEO4J_MISSING:
        from_neo4j = neo4j_real_client.get(path)
        assert from_neo4j.status_code == 404 and from_neo4j.json["did_you_mean"], path
        assert from_neo4j.json == real_client.get(path).json, path
    for path in ("/cases", "/search?q=buurtzorg", "/sources", "/graph/organisation/buurtzorg", "/lessons"):
        assert neo4j_real_client.get(path).status_code == 200, path
