"""Organisations like mine (issue 25, item 3), on the real content: the report gathers across the comparable
cases, and every line leads to its case and its sources."""

from __future__ import annotations

DESCRIBED = "country=GB&sector=social-care&kind=public-body&staff=600&practice=self-managing-teams"


def test_the_report_gathers_across_the_comparable_cases(real_client) -> None:
    data = real_client.get(f"/report.json?{DESCRIBED}").json
    compared = real_client.get(f"/compare.json?{DESCRIBED}").json["results"]
    assert [c["id"] for c in data["cases"]] == [c["id"] for c in compared]
    # Eight of the ten comparable cases record self-managing teams, as their case files list it.
    practices = {p["id"]: p["count"] for p in data["practices"]}
    assert practices["self-managing-teams"] == 8
    assert data["practices"][0]["id"] == "self-managing-teams"  # most cases first
    counts = [c["count"] for c in data["challenges"]]
    assert counts == sorted(counts, reverse=True)
    # Outcomes carry each case's grade.
    assert all(line["grade"] is not None for o in data["outcomes"] for line in o["lines"])


def test_cases_that_stepped_back_say_why(real_client) -> None:
    ended = {e["id"]: e for e in real_client.get(f"/report.json?{DESCRIBED}").json["ended"]}
    # The Kent and Medway TICC teams, Neighbourhood Care Scotland and Cambridgeshire's Neighbourhood Cares
    # are pilots that ended (their front matter), each with a 'How it ended' section.
    assert {e: ended[e]["model_status"] for e in ended} == {"kent-medway-ticc-buurtzorg-teams": "pilot-ended",
                                                          "neighbourhood-care-scotland": "pilot-ended",
                                                          "cambridgeshire-neighbourhood-cares": "pilot-ended"}
    assert all(ended[e]["why"] for e in ended)


def test_every_line_leads_to_its_case_and_sources(real_client) -> None:
    data = real_client.get(f"/report.json?{DESCRIBED}").json
    lines = [line["passage"] for part in ("practices", "challenges", "outcomes") for row in data[part]
             for line in row["lines"] if line["passage"]]
    lines += data["lessons"] + [w for e in data["ended"] for w in e["why"]]
    lines += [line for q in data["questions"] for line in q["lines"]]
    assert len(lines) > 50
    for line in lines:
        assert line["url"].startswith(f"/cases/{line['case']}#")
        assert line["sources"], line["text"]
        for source in line["sources"]:
            assert real_client.get(source["page_url"]).status_code == 200
    page = real_client.get(f"/report?{DESCRIBED}").get_data(as_text=True)
    assert "<h2 id=\"report-ended\">Cases that scaled back or stopped, and why</h2>" in page
    assert 'class="ev-grade' in page  # the shared evidence mark


def test_the_compare_page_links_to_the_report_and_an_empty_report_says_how(real_client) -> None:
    page = real_client.get(f"/compare?{DESCRIBED}").get_data(as_text=True)
    assert 'href="/report?country=GB&amp;sector=social-care' in page
    empty = real_client.get("/report").get_data(as_text=True)
    assert "Describe your organisation in the <a href=\"/compare\">compare form</a>" in empty


def test_the_report_gathers_the_questions_managers_ask(real_client) -> None:
    data = real_client.get(f"/report.json?{DESCRIBED}").json
    assert [q["section"] for q in data["questions"]] == ["Transition", "Funding and cost", "Regulation and inspection"]
    lines = [line for q in data["questions"] for line in q["lines"]]
    assert lines and all(line["sources"] and line["url"].startswith(f"/cases/{line['case']}#") for line in lines)


def test_every_passage_of_the_report_carries_its_evidence_mark(real_client) -> None:
    """Lessons, the managers' questions and why a case stepped back show the same mark as the claims: the grade
    of the best source a passage cites (an affiliated source counting as the organisation's own account)."""
    data = real_client.get(f"/report.json?{DESCRIBED}").json
    suffolk = [line for line in data["lessons"] if line["case"] == "west-suffolk-buurtzorg-test-and-learn"]
    # It cites the King's Fund's review (third-party, but commissioned with the test: its own account) and the
    # King's Fund's blog (third-party): a third-party report.
    assert suffolk[0]["text"].startswith("Putting health and social care in one self-managing team")
    assert suffolk[0]["evidence"] == "reported"
    passages = data["lessons"] + [line for q in data["questions"] for line in q["lines"]]
    passages += [w for e in data["ended"] for w in e["why"]]
    page = real_client.get(f"/report?{DESCRIBED}").get_data(as_text=True)
    lessons = page.split('<h2 id="report-lessons">')[1].split("</section>")[0]
    assert lessons.count('class="ev-grade') == len(data["lessons"]) > 0
    assert all(p["evidence"] in ("evaluated", "reported", "own-account", "impression") for p in passages)
