"""The timeline across cases (/timeline and its JSON twin) and each case's row of it, on the real content.

Expected years are those written in the case files' front matter and Timeline sections.
"""

from __future__ import annotations

import re

from .conftest import TEST_LIMITS


def main_of(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]



def test_each_organisation_is_a_row_of_its_milestones_and_entries(real_client) -> None:
    data = real_client.get("/timeline.json").json
    assert data["count"] == data["total"] >= 60
    rows = {row["id"]: row for row in data["organisations"]}
    # cases/zappos.md: founded 1999, adopted 2013, scaled back 2017; eight dated Timeline entries.
    zappos = rows["zappos"]
    assert [(m["year"], m["kind"]) for m in zappos["marks"] if m["kind"] != "entry"] == [
        (1999, "founded"), (2013, "adopted"), (2017, "scaled-back")]
    assert [m["year"] for m in zappos["marks"] if m["kind"] == "entry"] == [1999, 2009, 2013, 2015, 2016, 2016,
                                                                           2017, 2018]
    assert zappos["status_words"] == "scaled back" and zappos["sectors"] == ["retail"]
    # cases/medium.md: founded and adopted 2012, abandoned 2016.
    assert [(m["year"], m["kind"]) for m in rows["medium"]["marks"] if m["kind"] != "entry"] == [
        (2012, "founded"), (2012, "adopted"), (2016, "abandoned")]


def test_filters_keep_a_status_a_country_and_a_sector(real_client) -> None:
    abandoned = real_client.get("/timeline.json?status=abandoned").json
    assert {"medium", "treehouse", "github"} <= {row["id"] for row in abandoned["organisations"]}
    assert all(row["model_status"] == "abandoned" for row in abandoned["organisations"])
    assert abandoned["count"] < abandoned["total"]
    american = real_client.get("/timeline.json?country=US").json["organisations"]
    assert "zappos" in {row["id"] for row in american} and all(row["country"] == "US" for row in american)
    retail = real_client.get("/timeline.json?sector=retail").json["organisations"]
    assert "zappos" in {row["id"] for row in retail} and "buurtzorg" not in {row["id"] for row in retail}
    page = main_of(real_client.get("/timeline?status=abandoned").text)
    assert '<option value="abandoned" selected>abandoned (' in page and 'href="/timeline">Clear the filters</a>' in page


def test_the_timeline_comes_in_pages_of_organisations_each_with_its_links(real_client, monkeypatch) -> None:
    from webapp.views import timeline

    whole = real_client.get("/timeline.json?country=US").json
    assert whole["page"] == {"number": 1, "pages": 1, "size": 100, "next": None, "previous": None}
    assert "organisations along the years: when" in main_of(real_client.get("/timeline?country=US").text)  # one page
    monkeypatch.setattr(timeline, "ORGANISATIONS_PER_PAGE", 5)  # the real content fits one page of 100
    # (page=1 spelt out: the site's page cache holds the address asked for first)
    first, second = (real_client.get(f"/timeline.json?country=US&page={number}").json for number in (1, 2))
    assert [row["id"] for row in first["organisations"]] == [row["id"] for row in whole["organisations"]][:5]
    assert [row["id"] for row in second["organisations"]] == [row["id"] for row in whole["organisations"]][5:10]
    assert first["count"] == second["count"] == whole["count"] > 10 and first["span"] == whole["span"]
    assert first["page"]["next"] == "/timeline.json?country=US&page=2" and first["page"]["previous"] is None
    assert second["page"]["previous"] == "/timeline.json?country=US"
    page = main_of(real_client.get("/timeline?country=US&page=1").text)
    cards = page[page.index('<ol class="timeline-cards">'):page.index('<h2 id="sizes-title">')]
    assert cards.count('<li><h3><a href="/cases/') == 5
    assert '<a href="/timeline?country=US&amp;page=2" rel="next">Next page →</a>' in page
    pages = -(-whole["count"] // 5)
    # which page a reader is on is said at the top, as the case list and the sources say it
    assert f"organisations along the years (page 1 of {pages}):" in page
    later = real_client.get("/timeline?country=US&page=2").text
    assert f"(page 2 of {pages}):" in main_of(later) and "<title>Timeline across cases (filtered) · page 2 ·" in later
    assert real_client.get("/timeline?page=99").status_code == 404


def test_the_years_of_every_row_are_found_once_per_graph_version(make_client, real_store, monkeypatch) -> None:
    """The unfiltered timeline's span of years is worked out once (a pass over every row: 250 ms a request at
    100,000 cases), a filtered one on each request; each is the span of the rows it shows."""
    from kb.analysis.timeline import year_span
    from webapp.views import timeline

    spans = []
    monkeypatch.setattr(timeline, "year_span", lambda rows: spans.append(len(rows)) or year_span(rows))
    client = make_client(KB_STORE_PATH=str(real_store), KB_PAGE_CACHE_MB=0, **TEST_LIMITS)
    whole = [client.get("/timeline.json").json for _ in range(3)]
    assert spans == [whole[0]["total"]] and whole[0]["span"] == whole[1]["span"] == whole[2]["span"]
    american = [client.get("/timeline.json?country=US").json for _ in range(2)]
    assert spans == [whole[0]["total"], american[0]["count"], american[0]["count"]]
    for data in (whole[0], american[0]):
        years = [mark["year"] for row in data["organisations"] for mark in row["marks"]]
        assert data["count"] <= 100 and data["span"] == [min(years), max(years)]


def test_every_mark_is_a_link_that_says_what_happened_when(real_client) -> None:
    page = main_of(real_client.get("/timeline").text)
    assert '<svg class="chart timeline" id="timeline-chart"' in page
    assert '<a href="/cases/medium#year-ended" aria-label="Medium, 2016: abandoned">' in page
    assert re.search(r'<a href="/cases/zappos#year-adopted" aria-label="Zappos, 2013: adopted self-management">'
                     r'<path class="mark mark-adopted"', page)
    assert ('<a href="/cases/zappos#timeline-2009" aria-label="Zappos, 2009: timeline entry: Amazon acquires '
            'Zappos.">') in page
    # The same as a list, and the sizes as small charts with their units.
    assert '<h2 id="cards-title">Each organisation\'s years</h2>' in page
    assert re.search(r'<svg class="chart size-chart" id="size-haier-staff"[^>]*role="img" aria-label="Haier Group, staff over the years: \d{4}: ', page)


def test_each_mark_leads_to_where_its_case_says_it(real_client) -> None:
    """A milestone to its year in the summary card, an entry to its own bullet of the case's Timeline."""
    page = main_of(real_client.get("/cases/zappos").text)
    assert '<span id="year-founded">Founded <strong>1999</strong></span>' in page
    assert '<span id="year-adopted">Adopted self-management <strong>2013</strong></span>' in page
    assert '<li id="timeline-1999"><strong>1999</strong>: The company launches in June as shoesite.com' in page
    assert '<li id="timeline-2013"><strong>2013</strong>: A pilot group of employees adopts Holacracy.' in page
    assert '<span id="year-ended">Abandoned <strong>2016</strong></span>' in main_of(real_client.get("/cases/medium").text)
    listed = main_of(real_client.get("/timeline?country=US").text)
    assert '<a href="/cases/zappos#timeline-2013">A pilot group of employees adopts Holacracy.</a>' in listed


def test_every_mark_of_every_case_leads_to_an_element_of_its_page(real_client) -> None:
    """The timeline and the case pages agree on every entry of all the cases: no link to a missing anchor."""
    links = re.findall(r'<a href="/cases/([a-z0-9-]+)#([a-z0-9-]+)">', main_of(real_client.get("/timeline").text))
    assert len(links) > 300
    by_case: dict[str, set[str]] = {}
    for case, anchor in links:
        by_case.setdefault(case, set()).add(anchor)
    for case, anchors in by_case.items():
        page = real_client.get(f"/cases/{case}").text
        missing = [a for a in anchors if f'id="{a}"' not in page]
        assert not missing, f"/cases/{case} has no element with the ids {missing}"


def test_a_case_page_has_its_own_row(real_client) -> None:
    data = real_client.get("/cases/medium.json").json
    assert [(m["year"], m["kind"]) for m in data["timeline"]["marks"] if m["kind"] != "entry"] == [
        (2012, "founded"), (2012, "adopted"), (2016, "abandoned")]
    page = main_of(real_client.get("/cases/medium").text)
    assert 'aria-label="Medium, 2016: abandoned"' in page
