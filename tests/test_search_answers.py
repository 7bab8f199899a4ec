"""Search that answers questions (issue 25, item 1) on the real content: the words that carry a question's intent
are kept and steer the ranking (figures, dates, places, people, comparisons, what went wrong, and the questions
managers ask); the new sections are found with their case; each passage shows its scope and grade, with a grade
filter; a named case comes first as a card."""

from __future__ import annotations

import pytest

QUESTION = "Which organisations lost staff when they moved to self-management, and how many?"


def _first(real_client, question: str) -> dict:
    return real_client.get("/search.json", query_string={"q": question}).json["passages"][0]


def test_intent_words_are_kept_and_say_what_is_looked_for(real_client) -> None:
    data = real_client.get("/search.json", query_string={"q": QUESTION}).json
    # "which organisations" asks for cases; "when" joins two clauses here: it does not ask for a date; "moved to"
    # asks about the transition.
    assert data["intents"] == ["cases", "figures", "transition"]
    assert not {"how", "many"} & set(data["common_words"]) and "when" in data["common_words"]
    page = real_client.get("/search", query_string={"q": QUESTION}).get_data(as_text=True)
    assert ("Looking first for passages with cases rather than general statements; figures; the transition and how "
            "long it took.") in page


def test_the_issue_question_finds_who_lost_staff_and_how_many(real_client) -> None:
    """Issue 25: neither the Zappos figures nor the Dutch 30% were in the top 20."""
    top = real_client.get("/search.json", query_string={"q": QUESTION}).json["passages"][:3]
    assert ("buurtzorg", "Challenges") in [(p["owner"]["id"], p["section"]) for p in top]
    dutch = next(p for p in top if p["owner"]["id"] == "buurtzorg")
    assert "as high as 30%" in dutch["text"]
    # Its scope is not Buurtzorg itself but the Dutch providers it supported, and the page says so.
    assert (dutch["scope"], dutch["about"], dutch["status"]) == ("supported", ["other Dutch care providers"],
                                                                 "uncertain")


@pytest.mark.parametrize(("question", "intents", "case", "section", "phrase"), [
    ("Where did the first Buurtzorg team start?", ["places"], "buurtzorg", "Timeline", "starts work in Almelo"),
    ("When did Treehouse decide to remove its managers?", ["dates"], "treehouse", "Timeline", "On 20 June"),
    ("Who started the Holacracy experiment in Washington State government?", ["people"], "washington-state-ocio",
     "Context", "Michael DeAngelo"),
    ("What went wrong at Buffer when it went fully flat?", ["went-wrong"], "buffer", "How it ended",
     "People without guidance felt lost"),
    ("How does Buurtzorg's hourly rate compare with other home care providers?", ["comparisons"], "buurtzorg",
     "Outcomes", "far fewer hours of care per client than other providers at a higher hourly rate"),
])
def test_each_kind_of_question_is_answered_first(real_client, question, intents, case, section, phrase) -> None:
    data = real_client.get("/search.json", query_string={"q": question}).json
    first = data["passages"][0]
    assert data["intents"] == intents
    assert (first["owner"]["id"], first["section"]) == (case, section) and phrase in first["text"]


@pytest.mark.parametrize(("question", "case", "name", "section", "anchor"), [
    ("How is Buurtzorg funded?", "buurtzorg", "Buurtzorg Nederland", "Funding and cost", "funding-and-cost"),
    ("Was Buurtzorg investigated by the Dutch health inspectorate?", "buurtzorg", "Buurtzorg Nederland",
     "Regulation and inspection", "regulation-and-inspection"),
    ("How long did Hackney take to set up its social work units?", "hackney-reclaiming-social-work",
     "Reclaiming Social Work (Hackney children's social care)", "Transition", "transition"),
    ("Why did GitHub give up its flat structure?", "github", "GitHub", "How it ended", "how-it-ended"),
])
def test_the_sections_managers_ask_about_are_found_with_their_case(real_client, question, case, name, section,
                                                                   anchor) -> None:
    first = _first(real_client, question)
    assert (first["owner"]["id"], first["owner"]["name"], first["section"]) == (case, name, section)
    assert first["url"] == f"/cases/{case}#section-{anchor}"
    assert first["sources"], "every answer cites its sources"
    page = real_client.get("/search", query_string={"q": question}).get_data(as_text=True)
    assert f'href="/cases/{case}#section-{anchor}">{name} · {section}</a>' in page.replace("&#39;", "'")


def test_a_passage_about_others_shows_whom_it_is_about(real_client) -> None:
    page = real_client.get("/search", query_string={"q": QUESTION}).get_data(as_text=True)
    assert 'href="/evidence#scope-supported"' in page and "other Dutch care providers" in page


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


def test_the_best_match_card_says_what_the_case_is(real_client) -> None:
    """The card shows the case's summary, not the first stretch of its page that names it (which opened
    with the word of its first heading: "Context Buurtzorg ...")."""
    card = real_client.get("/search.json?q=buurtzorg").json["best_match"]
    assert card["snippet"].startswith("Dutch community-nursing organisation in which teams of at most a dozen nurses")
    concept = real_client.get("/search.json?q=advice process").json["best_match"]
    assert not concept["snippet"].startswith("Context")
    assert real_client.get("/search.json", query_string={"q": QUESTION}).json["best_match"]["id"] == "staff-attrition"


def test_the_best_match_is_the_name_the_question_contains(real_client) -> None:
    """"teams" and "Buurtzorg" are both in the Tower Hamlets pilot's long name, but the question names Buurtzorg."""
    data = real_client.get("/search.json", query_string={"q": "How many teams does Buurtzorg have?"}).json
    assert data["best_match"]["id"] == "buurtzorg"
    # "Holacracy One" (HolacracyOne's alias) is not named by a question that says only "Holacracy".
    data = real_client.get("/search.json", query_string={
        "q": "Who started the Holacracy experiment in Washington State government?"}).json
    assert data["best_match"]["id"] == "holacracy"


def test_a_question_for_independent_evidence_puts_evaluated_passages_first(real_client) -> None:
    """Issue 25: a question about independent UK evidence got impressions and own accounts first."""
    data = real_client.get("/search.json", query_string={"q": "What independent evidence is there from the UK?"}).json
    assert data["intents"] == ["evidence"] and data["best_match"] is None  # not The Otesha Project UK
    assert data["passages"][0]["evidence"] == "evaluated"
