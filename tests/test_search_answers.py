"""Search that answers questions (issue 25, item 1, in part): intent words kept, each passage's grade shown,
a grade filter, on the real content."""

from __future__ import annotations

QUESTION = "Which organisations lost staff when they moved to self-management, and how many?"


def test_intent_words_are_kept_and_say_what_is_looked_for(real_client) -> None:
    data = real_client.get("/search.json", query_string={"q": QUESTION}).json
    assert data["intents"] == ["figures", "dates"]
    assert not {"how", "many", "when"} & set(data["common_words"])
    page = real_client.get("/search", query_string={"q": QUESTION}).get_data(as_text=True)
    assert "Looking first for passages with figures and dates." in page


def test_every_passage_shows_its_grade_and_the_filter_keeps_only_stronger_ones(real_client) -> None:
    every = real_client.get("/search.json", query_string={"q": "staff attrition"}).json["passages"]
    assert every and all(p["evidence"] in ("evaluated", "reported", "own-account", "impression") for p in every)
    evaluated = real_client.get("/search.json", query_string={"q": "staff attrition", "grade": "evaluated"}).json
    assert evaluated["passages"] and {p["evidence"] for p in evaluated["passages"]} == {"evaluated"}
    page = real_client.get("/search", query_string={"q": "staff attrition"}).get_data(as_text=True)
    assert 'class="ev-grade' in page and '<select id="grade" name="grade">' in page


def test_an_unknown_grade_is_refused(real_client) -> None:
    response = real_client.get("/search.json", query_string={"q": "teams", "grade": "strong"})
    assert response.status_code == 400
    assert response.json["error"] == ("Unknown evidence grade 'strong'; use one of: evaluated, reported, "
                                      "own-account, impression.")


def test_a_name_query_shows_its_case_first(real_client) -> None:
    data = real_client.get("/search.json?q=buurtzorg").json
    assert data["best_match"]["id"] == "buurtzorg" and data["best_match"]["url"] == "/cases/buurtzorg"
    page = real_client.get("/search?q=buurtzorg").get_data(as_text=True)
    assert page.index('id="best-match-title"') < page.index('id="passages-title"')
    assert real_client.get("/search.json?q=advice process").json["best_match"]["id"] == "advice-process"
    assert real_client.get("/search.json", query_string={"q": QUESTION}).json["best_match"] is None
