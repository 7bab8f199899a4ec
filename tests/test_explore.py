"""The explore pages: comparable cases, concept pages and patterns, as a reader and an API client see them."""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from markupsafe import escape

import kb
from kb.analysis import KIND_OF_REL

from .conftest import TEST_LIMITS

#: The grades from weakest to strongest, as the table of docs/case-format.md lists them (written out, not taken
#: from kb.evidence, so that the test checks the site against the documented order).
GRADE_ORDER = ["impression", "own-account", "reported", "evaluated"]
#: Each grade's weight in the analysis (the same table).
WEIGHTS = {"evaluated": 1.0, "reported": 0.75, "own-account": 0.5, "impression": 0.25}


def at_least(claim_grade: str, minimum: str) -> bool:
    """Whether a claim of ``claim_grade`` passes a filter of ``minimum`` ("" for any; ungraded passes only that)."""
    return not minimum or (claim_grade in GRADE_ORDER and GRADE_ORDER.index(claim_grade) >= GRADE_ORDER.index(minimum))

PAGES = ["/compare", "/compare?case=alpha-care", "/compare?country=NL&practice=self-managing-teams",
         "/practices", "/challenges", "/outcomes", "/frameworks",
         "/practices/self-managing-teams", "/challenges/staff-attrition", "/outcomes/staff-wellbeing",
         "/frameworks/holacracy", "/patterns", "/patterns?scope=all&grade=own-account", "/evidence",
         "/patterns/claims?practice=self-managing-teams&challenge=staff-attrition"]


def twin_of(path: str) -> str:
    route, _, query = path.partition("?")
    return f"{route}.json" + (f"?{query}" if query else "")


def main_of(page: str) -> str:
    """The page's own content, without the site header and footer."""
    return page[page.index('<main id="main">'):page.index("</main>")]


@pytest.mark.parametrize("path", PAGES)
def test_page_and_its_json_twin(client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    twin = twin_of(path)
    assert f'<link rel="alternate" type="application/json" href="{html.escape(twin)}">' in page.text
    data = client.get(twin)
    assert data.status_code == 200 and data.json["ok"] is True


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_or_style(client, path: str) -> None:
    """A strict Content-Security-Policy will forbid them."""
    main = main_of(client.get(path).text)
    assert "<script" not in main and " style=" not in main and "<style" not in main


@pytest.mark.parametrize(("path", "message"), [
    ("/practices/nope", "No practice with id 'nope'."),
    ("/challenges/nope", "No challenge with id 'nope'."),
    ("/outcomes/nope", "No outcome with id 'nope'."),
    ("/frameworks/self-managing-teams", "No framework with id 'self-managing-teams'."),  # a practice, not a framework
    ("/compare?case=nope", "No case with id 'nope'."),
])
def test_unknown_ids_are_404_in_both_forms(client, path: str, message: str) -> None:
    page = client.get(path)
    assert page.status_code == 404 and escape(message) in page.text
    data = client.get(twin_of(path))
    assert data.status_code == 404
    assert data.json == {"ok": False, "status": 404, "title": "Not Found", "error": message, "did_you_mean": []}


# -- comparable cases ------------------------------------------------------------------------------

def test_compare_for_a_case_explains_every_point(client) -> None:
    data = client.get("/compare.json?case=alpha-care").json
    assert data["mode"] == "case" and data["case"] == {"id": "alpha-care", "name": "Alpha Care"}
    assert data["query"] == {
        "practices": [{"id": "coaches-not-managers", "name": "Coaches instead of managers"},
                      {"id": "self-managing-teams", "name": "Self-managing teams"}],
        "frameworks": [], "challenges": [{"id": "staff-attrition", "name": "Staff attrition during the transition"}],
        "sectors": [{"id": "home-care", "name": "Home care and community nursing"}],
        "country": {"id": "NL", "name": "Netherlands"}, "size_band": "1000-9999", "kind": "nonprofit"}
    [match] = data["results"]
    assert {k: match[k] for k in ("id", "name", "country", "sectors", "kind", "size_band")} == {
        "id": "beta-shoes", "name": "Beta Shoes", "country": "US", "sectors": ["retail"], "kind": "company",
        "size_band": "unknown"}
    # Of the context only a relation is shared; then the challenge both faced and the outcome both reported, each its
    # share of its own kind's budget times its evidence.  Worked out by hand: 2 of 2 cases faced the challenge
    # and it is Alpha Care's only challenge, so it has the whole challenge budget (3 points); both sides'
    # evidence is a commentator's impression (weight 0.25): 3 x 1 x 0.25 = 0.75.  Likewise the outcome,
    # Alpha Care's only one: the outcome budget (2 points) x 1 x 0.25 = 0.5.
    challenge, outcome, relation = match["reasons"]
    assert {k: challenge[k] for k in ("component", "id", "grade", "query_grade", "weight", "share", "points")} == {
        "component": "challenge", "id": "staff-attrition", "grade": "impression", "query_grade": "impression",
        "weight": 0.25, "share": 1.0, "points": 0.75}
    assert challenge["why"] == ("shared challenge; 2 of 2 cases have it; evidence: commentator's impression (yours: "
                                "commentator's impression); weight 0.25")
    assert {k: outcome[k] for k in ("component", "id", "weight", "share", "points")} == {
        "component": "outcome", "id": "staff-wellbeing", "weight": 0.25, "share": 1.0, "points": 0.5}
    # Alpha Care's file declares it a partner of Beta Shoes: a related case, 3 points of context.
    assert {k: relation[k] for k in ("component", "id", "points", "why")} == {
        "component": "relation", "id": "beta-shoes", "points": 3.0,
        "why": "related case: Alpha Care is a partner of Beta Shoes (its file says so)"}
    assert match["score"] == 4.25 and match["subtotals"]["challenges"] == 0.75
    assert match["split"] == {"context": 3.0, "practices": 0.0, "challenges": 0.75, "outcomes": 0.5}
    assert data["scoring"]["shared_concept_rarity_range"] == [1.0, 1.41]
    assert data["scoring"]["budgets"] == {"framework": 5.0, "practice": 2.0, "challenge": 3.0, "outcome": 2.0}


def test_compare_page_shows_the_breakdown_and_links_on(client) -> None:
    page = client.get("/compare?case=alpha-care").text
    assert "<h1>Cases comparable to <a href=\"/cases/alpha-care\">Alpha Care</a></h1>" in page
    assert "<caption>Why Beta Shoes is comparable</caption>" in page
    assert 'Shared challenge: <a href="/challenges/staff-attrition">' in page
    score = client.get("/compare.json?case=alpha-care").json["results"][0]["score"]
    assert f'<th scope="row">Score</th><td class="num" data-label="Points">{score:.2f}</td>' in page
    assert re.search(r'Shared challenge: <a href="/challenges/staff-attrition">[^<]+</a> <span class="ev"><a class="ev-grade',
                     page)
    # The split bar before the table: an SVG with its words, and the same words in its caption.
    assert page.index('class="split-bar"') < page.index("<caption>Why Beta Shoes is comparable</caption>")
    assert "<title id=\"split-beta-shoes\">Score 4.25: context 3.00, practices 0.00, challenges 0.75, outcomes 0.50</title>" in page
    assert '<span class="split-key split-outcomes">Outcomes 0.50</span>' in page
    assert 'href="/compare?case=beta-shoes"' in page  # follow a comparable case


def test_described_organisation_keeps_its_state_in_the_url(client) -> None:
    page = client.get("/compare?country=US&sector=retail&framework=holacracy&staff=40").text
    assert '<option value="US" selected>United States (1)</option>' in page
    assert 'name="sector" value="retail" id="sector-retail" checked' in page
    assert 'name="framework" value="holacracy" id="framework-holacracy" checked' in page
    assert 'value="40"' in page
    data = client.get("/compare.json?country=US&sector=retail&framework=holacracy&staff=40").json
    assert data["mode"] == "description" and data["query"]["size_band"] == "10-49"
    [match] = data["results"]
    # The only shared concept takes the framework budget (5 points), times 0.25 for a commentator's
    # impression; then the same sector (3) and the same country (2).
    assert [(r["component"], r.get("grade"), r["points"]) for r in match["reasons"]] == [
        ("framework", "impression", 1.25), ("sector", None, 3.0), ("country", None, 2.0)]
    assert match["score"] == 6.25


def test_values_it_cannot_use_are_reported_not_fatal(client) -> None:
    data = client.get("/compare.json?practice=telepathy&country=ZZ&staff=lots&size=huge&practice=self-managing-teams").json
    assert data["ignored"] == [
        {"field": "practice", "value": "telepathy", "why": "not a known practice"},
        {"field": "country", "value": "ZZ", "why": "not a known country of any case"},
        {"field": "size", "value": "huge", "why": "not a known size band"},
        {"field": "staff", "value": "lots", "why": "not a whole number of staff above 0"}]
    assert [m["id"] for m in data["results"]] == ["alpha-care"]
    page = main_of(client.get("/compare?practice=telepathy&staff=lots").text)
    # In words, by the field's label (not the URL's name), linked to the field, which keeps what was typed.
    assert '<a href="#practice-choices">Practices you use: “telepathy” is not a known practice</a>' in page
    assert '<a href="#staff">Or number of staff: “lots” is not a whole number of staff above 0</a>' in page
    assert "practice=telepathy" not in page and "staff=lots" not in page
    assert re.search(r'<input type="text" id="staff"[^>]*aria-describedby="staff-error staff-hint" '
                     r'aria-invalid="true" value="lots">', page)
    assert re.search(r'<fieldset class="choices" id="practice-choices" aria-describedby="practice-error practice-hint">',
                     page)
    assert "enter a whole number, such as 40." in page


def test_case_picker_starts_from_an_existing_case(client) -> None:
    page = client.get("/compare").text
    picker = page[page.index('<form class="pick-case"'):]
    picker = picker[:picker.index("</form>")]
    assert '<label for="pick-case">Start from an existing case</label>' in picker
    assert '<option value="alpha-care">Alpha Care</option>' in picker and 'name="case"' in picker
    assert re.search(r'<input type="text" id="pick-case" name="case" list="case-choices"[^>]*value="">', picker)
    chosen = client.get("/compare?case=beta-shoes").text
    assert re.search(r'<input type="text" id="pick-case" name="case"[^>]*value="beta-shoes">', chosen)


def test_case_picker_takes_a_case_name_and_suggests_for_a_mistyped_one(client) -> None:
    by_name = client.get("/compare?case=beta+SHOES&limit=5")
    assert by_name.status_code == 302
    assert by_name.headers["Location"] == "/compare?case=beta-shoes&limit=5"
    mistyped = client.get("/compare?case=beta-shoe")
    assert mistyped.status_code == 404
    assert '<a href="/compare?case=beta-shoes">' in mistyped.text


def test_case_picker_suggests_at_most_a_hundred_cases(monkeypatch, client) -> None:
    from webapp.views import compare

    monkeypatch.setattr(compare, "CASE_CHOICES", 1)
    page = client.get("/compare").text
    assert '<option value="alpha-care">Alpha Care</option>' in page and 'value="beta-shoes"' not in page
    assert "the suggestions list the first 1 of the 2 cases by name" in page


def test_form_options_show_their_counts_and_hide_what_no_case_has(client) -> None:
    form = client.get("/compare.json").json["form"]
    assert {(s["id"], s["cases"]) for s in form["sizes"]} == {("1000-9999", 1)}  # the other bands: no case
    assert {(k["id"], k["cases"]) for k in form["kinds"]} == {("company", 1), ("nonprofit", 1)}
    sectors = {s["id"]: s["cases"] for s in form["sectors"]}
    assert sectors["health-care"] == 1  # a broader sector counts the cases in its narrower ones
    assert all(count > 0 for count in sectors.values())
    assert all(o["cases"] > 0 for kind in ("practice", "framework", "challenge") for o in form[kind])
    page = client.get("/compare").text
    assert '<option value="1000-9999">1000-9999 (1)</option>' in page
    assert 'value="50-249"' not in page
    assert re.search(r'<label for="practice-self-managing-teams">Self-managing teams <span class="meta">\(1\)</span>',
                     page)


def test_kind_of_organisation_is_part_of_the_context(client) -> None:
    data = client.get("/compare.json?kind=nonprofit").json
    assert data["query"]["kind"] == "nonprofit"
    assert [(m["id"], m["score"]) for m in data["results"]] == [("alpha-care", 0.75)]  # same kind: 0.75 points
    assert client.get("/compare.json?kind=guild").json["ignored"] == [
        {"field": "kind", "value": "guild", "why": "not a known kind of organisation of any case"}]


def test_empty_form_lists_nothing(client) -> None:
    data = client.get("/compare.json").json
    assert data["mode"] == "empty" and data["results"] == []


def test_limit_is_clamped(client) -> None:
    assert client.get("/compare.json?case=alpha-care&limit=0").json["limit"] == 1
    assert client.get("/compare.json?case=alpha-care&limit=9999").json["limit"] == 50
    assert client.get("/compare.json?case=alpha-care&limit=x").json["limit"] == 10


class _Controls(HTMLParser):
    """Form controls and labels inside the describe-your-organisation form."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.method, self.controls, self.labels = False, None, [], set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form" and "describe" in (attrs.get("class") or ""):
            self.inside, self.method = True, attrs.get("method")
        elif self.inside and tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs.get("id"))
        elif self.inside and tag == "label":
            self.labels.add(attrs.get("for"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def test_form_works_without_javascript_and_labels_every_control(client) -> None:
    parser = _Controls()
    parser.feed(client.get("/compare").text)
    assert parser.method == "get"
    assert len(parser.controls) > 10 and None not in parser.controls
    assert [c for c in parser.controls if c not in parser.labels] == []


# -- concept pages --------------------------------------------------------------------------------

def test_concept_page_shows_claims_with_evidence(client) -> None:
    page = main_of(client.get("/challenges/staff-attrition").text)
    assert "<h1>Staff attrition during the transition</h1>" in page
    assert "Staff leave when an organisation moves to self-management." in page
    assert "<dt>Also called</dt><dd>staff turnover</dd>" in page
    assert 'href="/cases/alpha-care#line-42"' in page and 'class="badge contested"' in page
    assert "30% of staff left at adopting organisations (2016)" in page
    assert "View: fewer left" in page
    assert 'id="source-report-b"' in page and 'href="https://example.org/news-1"' in page


def test_concept_json_has_claims_views_and_what_goes_with_it(client) -> None:
    data = client.get("/challenges/staff-attrition.json").json
    assert [(c["organisation"], c["type"], c["status"], len(c["views"])) for c in data["claims"]] == [
        ("alpha-care", "FACED", "contested", 2), ("beta-shoes", "FACED", None, 0)]
    assert data["claims"][0]["views"][1] == {"text": "fewer left", "sources": ["report-b"], "line": 45}
    assert data["alongside"]["outcome"] == [{"id": "staff-wellbeing", "name": "Staff well-being", "count": 2,
                                            "share": 1.0, "cases": ["alpha-care", "beta-shoes"], "contested": 0,
                                            "uncertain": 1}]
    assert [p["id"] for p in data["alongside"]["practice"]] == ["coaches-not-managers", "self-managing-teams"]
    assert [s["id"] for s in data["sources"]] == ["news-1", "report-a", "report-b"]


def test_practice_page_links_broader_narrower_and_frameworks(client) -> None:
    teams = client.get("/practices/self-managing-teams.json").json
    assert teams["broader"] == {"kind": "practice", "id": "distributed-authority", "name": "Distributed authority"}
    assert [p["id"] for p in teams["alongside"]["practice"]] == ["coaches-not-managers"]
    authority = client.get("/practices/distributed-authority").text
    assert '<dt>Narrower</dt><dd><a href="/practices/self-managing-teams">Self-managing teams</a></dd>' in authority
    assert '<dt>Part of the frameworks</dt><dd><a href="/frameworks/holacracy">Holacracy</a></dd>' in authority


def test_framework_page_lists_its_practices_and_adopters(client) -> None:
    data = client.get("/frameworks/holacracy.json").json
    assert data["includes"] == [{"kind": "practice", "id": "distributed-authority", "name": "Distributed authority"}]
    assert [(c["organisation"], c["type"]) for c in data["claims"]] == [("beta-shoes", "USES_FRAMEWORK")]
    page = client.get("/frameworks/holacracy").text
    assert "<h2 id=\"sec-claims\">Organisations following it</h2>" in page


def test_concept_claims_are_paged(shared_mini_store, make_client) -> None:
    client = make_client(KB_STORE_PATH=str(shared_mini_store), KB_PAGE_SIZE=1)
    data = client.get("/challenges/staff-attrition.json?page=2").json
    assert data["claims_page"] == {"page": 2, "pages": 2, "per_page": 1, "total": 2} and data["cases"] == 2
    assert [c["organisation"] for c in data["claims"]] == ["beta-shoes"]
    assert [s["id"] for s in data["sources"]] == ["news-1"]  # only what this page cites
    page = client.get("/challenges/staff-attrition?page=2").text
    assert '<a rel="prev" href="/challenges/staff-attrition?page=1">Previous page</a>' in page
    assert 'href="/cases?challenge=staff-attrition">All these cases in the case list</a>' in page
    assert client.get("/challenges/staff-attrition.json?page=3").status_code == 404


def test_concept_lists_count_cases(client) -> None:
    practices = client.get("/practices.json").json["concepts"]
    assert [(p["id"], p["cases"]) for p in practices] == [
        ("coaches-not-managers", 1), ("distributed-authority", 0), ("self-managing-teams", 1)]


def test_alongside_links_to_the_case_list_filtered(client) -> None:
    page = client.get("/practices/self-managing-teams").text
    assert 'href="/cases?practice=self-managing-teams&amp;challenge=staff-attrition"' in page
    assert 'href="/cases?practice=self-managing-teams&amp;practice=coaches-not-managers"' in page


# -- patterns ---------------------------------------------------------------------------------------

def test_patterns_matrix_cells_link_to_their_cases(client) -> None:
    data = client.get("/patterns.json").json
    matrix = data["matrices"]["practice_challenge"]
    evidence = [cell.pop("evidence") for cell in matrix["cells"]]
    assert matrix["cells"] == [
        {"row": "coaches-not-managers", "column": "staff-attrition", "count": 1, "cases": ["alpha-care"],
         "row_name": "Coaches instead of managers", "column_name": "Staff attrition during the transition",
         "url": "/cases?practice=coaches-not-managers&challenge=staff-attrition",
         "claims_url": "/patterns/claims?practice=coaches-not-managers&challenge=staff-attrition"},
        {"row": "self-managing-teams", "column": "staff-attrition", "count": 1, "cases": ["alpha-care"],
         "row_name": "Self-managing teams", "column_name": "Staff attrition during the transition",
         "url": "/cases?practice=self-managing-teams&challenge=staff-attrition",
         "claims_url": "/patterns/claims?practice=self-managing-teams&challenge=staff-attrition"}]
    # Alpha Care's claim about staff attrition: a commentator's impression, contested.
    assert [(e["median"], e["total"], e["contested"]) for e in evidence] == [("impression", 1, 1)] * 2
    page = main_of(client.get("/patterns").text)
    # The number and what it counts; the cell's row and column headings say which practice and challenge.
    assert ('href="/patterns/claims?practice=self-managing-teams&amp;challenge=staff-attrition">'
            '1<span class="visually-hidden"> organisation: the claims behind it</span>') in page
    assert page.count("<caption") == 3 and '<th scope="col" class="col-head">' in page
    # The same cell as a dot of the dot matrix, a link that says what it counts and how strong the evidence is.
    assert ('<a href="/patterns/claims?practice=self-managing-teams&amp;challenge=staff-attrition" aria-label="1 '
            'organisation using Self-managing teams faced Staff attrition during the transition; evidence: 1 '
            "commentator&#39;s impression; 1 contested. The claims behind it\">") in page


def test_patterns_filter_is_in_the_url_the_page_and_the_json(client) -> None:
    default = client.get("/patterns.json").json
    assert default["filter"] == {"scope": "self", "min_grade": None,
                                 "description": "Only claims about the organisation itself; evidence: any grade"}
    every = client.get("/patterns.json?scope=all").json
    for grade in GRADE_ORDER:
        strict = client.get(f"/patterns.json?scope=all&grade={grade}").json
        assert strict["filter"]["scope"] == "all" and strict["filter"]["min_grade"] == grade
        for key, matrix in strict["matrices"].items():
            counts = {(c["row"], c["column"]): c["count"] for c in every["matrices"][key]["cells"]}
            for cell in matrix["cells"]:
                assert "scope=all" in cell["claims_url"] and f"grade={grade}" in cell["claims_url"]
                assert cell["count"] <= counts[(cell["row"], cell["column"])]
    page = main_of(client.get("/patterns?scope=all&grade=evaluated").text)
    assert '<option value="evaluated" selected>Independent evaluation</option>' in page
    assert '<option value="all" selected>' in page
    assert 'Counting: All claims, including' in page and "evidence: independent evaluation." in page
    assert '<label for="filter-grade">Evidence</label>' in page and '<label for="filter-scope">' in page


def test_unknown_filter_values_are_reported_not_fatal(client) -> None:
    data = client.get("/patterns.json?scope=others&grade=gold").json
    assert data["filter"]["scope"] == "self" and data["filter"]["min_grade"] is None
    assert [i["field"] for i in data["ignored"]] == ["scope", "grade"]
    assert "<code>grade=gold</code>: not an evidence grade" in main_of(client.get("/patterns?grade=gold").text)


def test_a_cell_opens_the_claims_behind_it(client) -> None:
    data = client.get("/patterns/claims.json?practice=self-managing-teams&challenge=staff-attrition").json
    assert data["title"] == "Staff attrition during the transition among organisations that use Self-managing teams"
    assert data["count"] == 1 and [o["id"] for o in data["organisations"]] == ["alpha-care"]
    [faced] = data["organisations"][0]["claims"]["challenge"]
    assert faced["detail"] == "some staff left." and faced["scope"] == "self"
    assert {"id": "report-a", "title": "A report about Alpha", "publisher": "Test Publisher",
            "date": "2015-05"}.items() <= faced["sources"][0].items()
    assert (faced["evidence"], faced["grade_label"]) == ("impression", "Commentator's impression")
    page = main_of(client.get("/patterns/claims?practice=self-managing-teams&challenge=staff-attrition").text)
    assert '<a href="/sources/report-a">A report about Alpha</a>, Test Publisher (2015-05)' in page
    assert re.search(r'<a class="ev-grade ev-[a-z-]+" href="/evidence#grade-', page)
    assert 'href="/cases/alpha-care#line-42">some staff left.</a>' in page


def test_claims_page_needs_a_known_pair(client) -> None:
    assert client.get("/patterns/claims.json?practice=self-managing-teams").status_code == 400
    assert client.get("/patterns/claims.json?practice=nope&outcome=staff-wellbeing").status_code == 404


def test_analytics_counts_follow_the_filter(client) -> None:
    data = client.get("/analytics.json?grade=impression").json
    assert data["filter"]["min_grade"] == "impression"
    for row in data["evidence"]:
        assert row["claims_url"].startswith("/patterns/claims?practice=") and "grade=impression" in row["claims_url"]
    assert '<select id="filter-grade" name="grade"' in client.get("/analytics").text


def test_patterns_most_connected(client) -> None:
    rows = client.get("/patterns.json").json["most_connected"]
    assert [(r["id"], r["degree"], r["strength"]) for r in rows] == [
        ("coaches-not-managers", 1, 1), ("self-managing-teams", 1, 1)]


# -- the real content -------------------------------------------------------------------------------

def test_dutch_home_care_with_self_managing_teams_finds_buurtzorg_first(real_client) -> None:
    data = real_client.get("/compare.json?country=NL&sector=home-care&practice=self-managing-teams").json
    assert data["results"][0]["id"] == "buurtzorg"
    assert {r["component"] for r in data["results"][0]["reasons"]} == {"practice", "sector", "country"}


def test_small_uk_nursing_pilot_finds_the_uk_buurtzorg_pilots(real_client) -> None:
    data = real_client.get("/compare.json?country=GB&sector=home-care&size=1-9"
                           "&practice=self-managing-teams&practice=coaches-not-managers&limit=50").json
    # The three English Buurtzorg pilots first (Guy's and St Thomas', Tower Hamlets, West Suffolk): same sector,
    # country and, for the first two, size band, each with both practices.
    assert {m["id"] for m in data["results"][:3]} == {"gstt-neighbourhood-nursing", "tower-hamlets-buurtzorg-pilot",
                                                      "west-suffolk-buurtzorg-test-and-learn"}
    for match in data["results"][:3]:
        for reason in match["reasons"]:
            if reason["component"] == "practice":
                assert reason["weight"] == WEIGHTS[reason["grade"]]  # a description: their grade
    # Context first: every British home-care case, then the Dutch original, before anything outside home care.
    ids = [m["id"] for m in data["results"]]
    outside = [ids.index(m["id"]) for m in data["results"] if "home-care" not in m["sectors"]]
    assert outside and ids.index("buurtzorg") < min(outside)


CARE = {"health-care", "social-care"}


def test_a_home_care_organisations_nearest_cases_are_care_organisations(real_client) -> None:
    graph = kb.load_graph()
    broader = {start.split(":", 1)[1]: end.split(":", 1)[1] for start, end, data in graph.edges(data=True)
               if data["type"] == "BROADER" and start.startswith("Sector:")}
    assert broader["home-care"] == "health-care"

    def in_care(case_sectors: list[str]) -> bool:
        def family(sector: str) -> set[str]:
            chain = {sector}
            while broader.get(sector):
                sector = broader[sector]
                chain.add(sector)
            return chain
        return any(family(s) & CARE for s in case_sectors)

    results = real_client.get("/compare.json?case=highland-home-carers&limit=50").json["results"]
    care = [n for n, m in enumerate(results) if in_care(m["sectors"])]
    software_or_retail = [n for n, m in enumerate(results) if {"technology", "civic-tech", "retail"} & set(m["sectors"])
                          and not in_care(m["sectors"])]
    assert care and software_or_retail and max(care) < min(software_or_retail), [m["id"] for m in results]



def test_every_case_ranking_adds_up(real_client) -> None:
    for case in real_client.get("/cases.json").json["cases"]:
        results = real_client.get(f"/compare.json?case={case['id']}").json["results"]
        assert results and case["id"] not in [m["id"] for m in results], case["id"]
        assert [m["score"] for m in results] == sorted((m["score"] for m in results), reverse=True)
        for match in results:
            assert match["score"] == pytest.approx(sum(r["points"] for r in match["reasons"])), (case, match["id"])


@pytest.fixture(scope="module")
def content_claims() -> dict[str, dict[str, set[str]]]:
    """Organisation -> kind -> concept ids, read from the Markdown with networkx, not through the store."""
    graph = kb.load_graph()
    claims: dict[str, dict[str, set[str]]] = {}
    for start, end, data in graph.edges(data=True):
        if data["type"] in KIND_OF_REL:
            org, concept = start.split(":", 1)[1], end.split(":", 1)[1]
            claims.setdefault(org, {}).setdefault(KIND_OF_REL[data["type"]], set()).add(concept)
    return claims


@pytest.fixture(scope="module")
def graded_claims() -> list[tuple[str, str, str, str, str]]:
    """Every claim as (organisation, kind, concept, scope, grade), read from the Markdown with networkx:
    the organisation's own edges and the claim nodes about others or in general."""
    graph = kb.load_graph()
    rows = []
    for start, end, data in graph.edges(data=True):
        if data["type"] in KIND_OF_REL:
            rows.append((start.split(":", 1)[1], KIND_OF_REL[data["type"]], end.split(":", 1)[1], data["scope"],
                         data["evidence"]))
        elif data["type"] == "REPORTS_CLAIM":
            claim = graph.nodes[end]
            if claim["concept"]:
                rows.append((start.split(":", 1)[1], claim["kind"], claim["concept"], claim["scope"],
                             claim["evidence"]))
    return rows


def test_real_content_has_claims_about_others_and_every_grade(graded_claims) -> None:
    assert {scope for *_, scope, _grade in graded_claims} >= {"self", "supported", "general"}
    assert {grade for *_, grade in graded_claims} == set(GRADE_ORDER)


def test_claims_about_others_never_score_in_a_comparison(real_client, graded_claims) -> None:
    own = {(org, kind, concept) for org, kind, concept, scope, _grade in graded_claims if scope == "self"}
    best = {}
    for org, kind, concept, scope, grade in graded_claims:
        if scope == "self":
            best[(org, kind, concept)] = max(best.get((org, kind, concept), 0), WEIGHTS[grade])
    others = {(org, kind, concept) for org, kind, concept, scope, _grade in graded_claims if scope != "self"} - own
    assert ("buurtzorg-britain-ireland", "challenge", "staff-attrition") in others  # the case of issue 15
    checked = 0
    for case in real_client.get("/cases.json").json["cases"]:
        for match in real_client.get(f"/compare.json?case={case['id']}&limit=50").json["results"]:
            for reason in match["reasons"]:
                if reason["component"] in ("practice", "framework", "challenge") and not (
                        reason.get("how") or reason.get("query_how")):  # a framework through a relation
                    key = (reason["component"], reason["id"])
                    assert (match["id"], *key) in own and (case["id"], *key) in own, (case["id"], match["id"], key)
                    assert reason["weight"] == min(best[(match["id"], *key)], best[(case["id"], *key)])
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("column", ["challenge", "outcome"])
@pytest.mark.parametrize("scope, grade", [("self", ""), ("all", ""), ("self", "reported"), ("all", "own-account"),
                                          ("self", "evaluated")])
def test_real_pattern_counts_follow_scope_and_grade(real_client, graded_claims, column: str, scope: str,
                                                     grade: str) -> None:
    kept: dict[str, dict[str, set[str]]] = {}
    for org, kind, concept, claim_scope, claim_grade in graded_claims:
        if (scope == "all" or claim_scope == "self") and at_least(claim_grade, grade):
            kept.setdefault(org, {}).setdefault(kind, set()).add(concept)
    expected = Counter((p, c) for held in kept.values() for p in held.get("practice", ()) for c in held.get(column, ()))
    data = real_client.get(f"/patterns.json?scope={scope}&grade={grade}").json
    assert data["filter"]["scope"] == scope and data["filter"]["min_grade"] == (grade or None)
    cells = data["matrices"][f"practice_{column}"]["cells"]
    assert {(cell["row"], cell["column"]): cell["count"] for cell in cells} == dict(expected)


def test_a_real_cell_lists_each_claim_with_source_date_and_grade(real_client, graded_claims) -> None:
    data = real_client.get("/patterns.json").json
    cell = max(data["matrices"]["practice_outcome"]["cells"], key=lambda c: c["count"])
    claims = real_client.get(cell["claims_url"].replace("/patterns/claims?", "/patterns/claims.json?")).json
    assert {o["id"] for o in claims["organisations"]} == set(cell["cases"]) and claims["count"] == cell["count"]
    assert [o["name"] for o in claims["organisations"]] == sorted(o["name"] for o in claims["organisations"])
    grades = {(org, kind, concept): grade for org, kind, concept, scope, grade in graded_claims if scope == "self"}
    for org in claims["organisations"]:
        for kind, concept in (("practice", cell["row"]), ("outcome", cell["column"])):
            assert org["claims"][kind], (org["id"], kind)
            for claim in org["claims"][kind]:
                assert claim["scope"] == "self" and claim["sources"]
                assert all(source["title"] for source in claim["sources"])
                assert at_least(grades[(org["id"], kind, concept)], claim["evidence"])


@pytest.mark.parametrize("column", ["challenge", "outcome"])
def test_real_matrix_counts_match_the_content(real_client, content_claims, column: str) -> None:
    expected = Counter((p, c) for held in content_claims.values()
                       for p in held.get("practice", ()) for c in held.get(column, ()))
    cells = real_client.get("/patterns.json").json["matrices"][f"practice_{column}"]["cells"]
    assert {(cell["row"], cell["column"]): cell["count"] for cell in cells} == dict(expected)
    assert all(len(cell["cases"]) == cell["count"] for cell in cells)


def test_every_real_concept_page_lists_its_cases(real_client, content_claims) -> None:
    for kind, folder in [("practice", "practices"), ("challenge", "challenges"), ("outcome", "outcomes"),
                         ("framework", "frameworks")]:
        for concept in real_client.get(f"/{folder}.json").json["concepts"]:
            expected = {org for org, held in content_claims.items() if concept["id"] in held.get(kind, ())}
            assert concept["cases"] == len(expected), concept["id"]
            claims, _reported = every_claim(real_client, folder, concept["id"])
            assert {c["organisation"] for c in claims} == expected, concept["id"]


def every_claim(client, folder: str, concept_id: str) -> tuple[list[dict], list[dict]]:
    """A concept's claims from every page of its list (``?page=``), and what is reported about others (on each page).

    Asserts that the pages hold the total they announce, each claim once.
    """
    first = client.get(f"/{folder}/{concept_id}.json")
    assert first.status_code == 200, concept_id
    paging = first.json["claims_page"]
    claims = list(first.json["claims"])
    for number in range(2, paging["pages"] + 1):
        claims += client.get(f"/{folder}/{concept_id}.json?page={number}").json["claims"]
    assert len(claims) == paging["total"] == len({(c["organisation"], c["line"]) for c in claims}), concept_id
    return claims, first.json["reported"]


def test_every_real_concept_page_cites_sources_it_lists(real_client) -> None:
    for folder in ("practices", "challenges", "outcomes", "frameworks"):
        for concept in real_client.get(f"/{folder}.json").json["concepts"]:
            page = real_client.get(f"/{folder}/{concept['id']}").text
            cited = set(re.findall(r'<a class="cite-link" href="/sources/([^"]+)">', page))
            listed = set(re.findall(r'id="source-([^"]+)"', page))
            assert cited <= listed, (concept["id"], cited - listed)
            if concept["cases"]:
                assert cited, concept["id"]


def test_real_concept_page_lists_every_figure_with_its_own_citation(real_client, content_figures) -> None:
    for (org, kind, concept), expected in content_figures.items():
        folder = f"{kind}s"
        claims, reported = every_claim(real_client, folder, concept)
        claims = [c for c in claims + reported if c["organisation"] == org]
        shown = sorted((f["line"], tuple(f["sources"])) for c in claims for f in c["figures"])
        assert shown == expected, (org, concept)
    # Buurtzorg gives two figures on business growth: both are on the page, each with its citation.
    page = main_of(real_client.get("/outcomes/business-growth").text)
    items = [part.split('<li id="claim-')[0].split("</ul>\n  </section>")[0]
             for part in re.split(r'<li id="claim-buurtzorg-\d+"', page)[1:]]
    figures = [f for item in items for f in re.findall(r'<li class="figure">(.*?)</li>', item, flags=re.S)]
    assert len(figures) == len(content_figures[("buurtzorg", "outcome", "business-growth")]) >= 2
    assert all('class="cite-link"' in f for f in figures)


@pytest.fixture(scope="module")
def content_figures() -> dict[tuple[str, str, str], list]:
    """(organisation, kind, concept) -> [(line, sources)] of the figures its claims give, read with networkx."""
    graph = kb.load_graph()
    figures: dict[tuple[str, str, str], list] = {}
    for start, end, data in graph.edges(data=True):
        if data["type"] == "ABOUT" and start.startswith("Figure:"):
            figure = graph.nodes[start]
            label, concept = end.split(":", 1)
            figures.setdefault((figure["organisation"], label.lower(), concept), []).append(
                (figure["line"], tuple(figure["sources"])))
    return {key: sorted(value) for key, value in figures.items()}


def test_citations_preview_their_source_and_link_to_its_page(real_client) -> None:
    source = real_client.get("/sources/commonwealth-2015.json").json["source"]
    page = real_client.get("/cases/buurtzorg").text
    link = re.search(r'<a class="cite-link" href="/sources/commonwealth-2015">commonwealth-2015'
                     r'<span class="cite-tip">: ([^<]*)</span></a>', page)
    assert link, "citation without its preview"
    assert html.unescape(link.group(1)) == f"{source['title']}, {source['publisher']} ({source['date']})"
    assert real_client.get("/sources/commonwealth-2015").status_code == 200


def test_claims_carry_one_evidence_mark_with_a_legend(real_client) -> None:
    """Every claim has a grade mark (meter and word, linked to how grades are assigned); the scope is
    shown only on claims not about the organisation itself; a profile bar sums the claims up."""
    for path in ("/cases/buurtzorg", "/practices/self-managing-teams"):
        page = real_client.get(path).text
        assert '<details class="evidence-legend"' in page and 'href="/evidence">How grades are assigned</a>' in page
        assert '<div class="ev-profile">' in page
        claims = re.findall(r'<li id="(?:line|claim)-[^"]+"([^>]*)>(.*?)</li>', page, flags=re.S)
        assert claims
        for attributes, claim in claims:
            mark = re.search(r'<a class="ev-grade ev-[a-z-]+" href="/evidence#grade-[a-z-]+"[^>]*>'
                             r'<span class="ev-meter" aria-hidden="true">(?:<i></i>){4}</span>'
                             r'<span class="visually-hidden">Evidence: </span>([a-z -]+)</a>', claim)
            assert mark and mark.group(1) in {"independent evaluation", "third-party report", "own account",
                                              "impression", "not graded"}, claim[:300]
            about_others = "claim-about-others" in attributes
            assert ('class="ev-scope"' in claim) == about_others, claim[:300]


def test_the_evidence_page_explains_every_grade_and_scope(real_client) -> None:
    data = real_client.get("/evidence.json").json
    assert [g["id"] for g in data["grades"]] == ["evaluated", "reported", "own-account", "impression"]
    assert [g["weight"] for g in data["grades"]] == [1.0, 0.75, 0.5, 0.25]
    assert {s["id"] for s in data["scopes"]} == {"self", "supported", "inspired", "franchised", "general"}
    assert sum(g["claims"] for g in data["grades"]) + data["not_recorded"]["claims"] == data["claims_total"]
    page = real_client.get("/evidence").text
    for grade in data["grades"]:
        assert f'<tr id="grade-{grade["id"]}">' in page and grade["label"].replace("'", "&#39;") in page
    for scope in data["scopes"]:
        assert f'id="scope-{scope["id"]}"' in page


def test_the_evidence_page_counts_the_claims_once_per_graph_version(make_client, shared_mini_store, monkeypatch) -> None:
    """Every claim of the graph is counted by grade and scope once, not on every visit (960,288 claims at
    100,000 cases: 300 ms a request), and every visit shows the same counts."""
    from webapp.views import evidence

    counted = []
    counts = evidence.grade_and_scope_counts
    monkeypatch.setattr(evidence, "grade_and_scope_counts", lambda rows: counted.append(1) or counts(rows))
    client = make_client(KB_STORE_PATH=str(shared_mini_store), KB_PAGE_CACHE_MB=0, **TEST_LIMITS)
    pages = [client.get("/evidence.json").json for _ in range(3)]
    assert len(counted) == 1
    assert pages[0] == pages[1] == pages[2] and pages[0]["claims_total"] > 0
    assert sum(g["claims"] for g in pages[0]["grades"]) + pages[0]["not_recorded"]["claims"] == pages[0]["claims_total"]


def test_real_concept_body_links_become_site_links(real_client) -> None:
    page = real_client.get("/practices/self-managing-teams").text
    assert re.search(r'<a href="/practices/small-units">', page)
    assert "<h2 id=\"sec-with-outcome\">Outcomes they reported</h2>" in page


def test_real_patterns_say_what_goes_with_what(real_client) -> None:
    page = real_client.get("/patterns").text
    assert re.search(r'Organisations using <a href="/practices/[a-z-]+">[^<]+</a> most often faced '
                     r'<a href="/challenges/[a-z-]+">', page)
    data = real_client.get("/patterns.json").json
    assert len(data["most_connected"]) == 10 and data["most_connected"][0]["partners"]


# -- the same pages on Neo4j ------------------------------------------------------------------------

NEO4J_PAGES = ["/compare.json?case=buurtzorg", "/compare.json?case=zappos&limit=20",
               "/compare.json?country=NL&sector=home-care&practice=self-managing-teams&staff=500",
               "/patterns.json", "/practices.json", "/frameworks.json", "/practices/self-managing-teams.json",
               "/challenges/staff-attrition.json", "/outcomes/staff-wellbeing.json", "/frameworks/holacracy.json"]


@pytest.fixture
def neo4j_real_client(neo4j_server, make_client, real_rows):
    """The site reading the real content from the session's Neo4j server."""
    neo4j_server.ensure_loaded("real content", real_rows)
    return make_client(KB_STORE="neo4j", NEO4J_URI=neo4j_server.uri)


def test_explore_pages_read_the_same_from_neo4j(neo4j_real_client, real_client) -> None:
    for path in NEO4J_PAGES:
        from_neo4j = neo4j_real_client.get(path)
        assert from_neo4j.status_code == 200, path
        assert from_neo4j.json == real_client.get(path).json, path
    for path in ("/compare?case=buurtzorg", "/patterns", "/practices/self-managing-teams"):
        assert neo4j_real_client.get(path).status_code == 200, path
    assert neo4j_real_client.get("/practices/nope.json").status_code == 404


def test_claims_behind_a_count_come_a_page_of_organisations_at_a_time(monkeypatch, real_client) -> None:
    from webapp.views import patterns

    url = "/patterns/claims.json?practice=self-managing-teams&outcome=staff-wellbeing"
    whole = real_client.get(url + "&page=1").json  # another address than the pages' (the page cache keeps each)
    assert whole["page"]["pages"] == 1 and len(whole["organisations"]) == whole["count"] > 2
    monkeypatch.setattr(patterns, "ORGANISATIONS_PER_PAGE", 2)
    first, second = real_client.get(url).json, real_client.get(url + "&page=2").json
    assert [o["id"] for o in first["organisations"] + second["organisations"]] == [
        o["id"] for o in whole["organisations"]]
    assert first["organisations"] == whole["organisations"][:2]  # each with the same claims and sources
    assert first["page"]["next"] == url + "&page=2" and second["page"]["previous"] == url + "&page=1"
    assert real_client.get(url + "&page=999").status_code == 404
    # Page 1 by its own address: the bare page may be in the page cache already, with every organisation
    # on it (tests/test_no_raw_markdown.py reads it in the same process).
    page = real_client.get(url.replace(".json", "") + "&page=1").get_data(as_text=True)
    assert 'aria-label="Pages of organisations"' in page and 'rel="next"' in page


def test_patterns_draw_each_matrix_once_per_graph_version_and_filter(app, client) -> None:
    drawn: list[str] = []
    draw = app.jinja_env.globals["dot_matrix"]
    app.jinja_env.globals["dot_matrix"] = lambda m, **options: drawn.append(options["chart_id"]) or draw(m, **options)
    try:
        first = client.get("/patterns?grade=").get_data(as_text=True)
        before = len(drawn)  # 2, or 0 when an earlier test drew them for this graph version
        again = client.get("/patterns?scope=self").get_data(as_text=True)  # the same filter, another address
    finally:
        app.jinja_env.globals["dot_matrix"] = draw
    assert before in (0, 2) and len(drawn) == before  # not drawn again
    assert 'id="practice-challenge-chart"' in first
    figures = [page[page.index('<figure class="chart-figure">'):page.rindex("</figure>")] for page in (first, again)]
    assert figures[0] == figures[1]
