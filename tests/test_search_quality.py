"""Question search answers everyday questions: the question set of tests/search_questions.yaml.

Each question names the passages that answer it (case or concept, section, a phrase). The floor below
is what search must hold on the real content; bench/search_quality.py prints the full table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.analysis.search import SearchIndex, search_index_for
from kb.store.ladybug import LadybugStore

from .search_quality import load_questions, score, summary, unanswerable

#: The right passage in the top 3 for at least this share of the questions, and in the top 10 for this share.
TOP3_FLOOR, TOP10_FLOOR = 0.80, 0.90


@pytest.fixture(scope="module")
def real_index(real_store: Path) -> SearchIndex:
    store = LadybugStore(real_store)
    try:
        return search_index_for(store)
    finally:
        store.close()


def test_the_question_set_is_large_and_every_answer_exists(real_index: SearchIndex) -> None:
    questions = load_questions()
    assert len(questions) >= 30
    assert len({q.text for q in questions}) == len(questions), "a question is listed twice"
    missing = unanswerable(real_index, questions)
    assert not missing, ("these answers name no passage of the content (edited? then update the phrase in "
                         "tests/search_questions.yaml):\n" + "\n".join(missing))


def test_search_finds_the_right_passage_near_the_top(real_index: SearchIndex) -> None:
    scores = score(real_index, load_questions())
    figures = summary(scores)
    table = "\n".join(f"{s.rank or '-':>4}  {s.question.text}  (first: {s.top})" for s in scores)
    assert figures["top3"] >= TOP3_FLOOR, f"top 3: {figures['top3']:.0%} < {TOP3_FLOOR:.0%}\n{table}"
    assert figures["top10"] >= TOP10_FLOOR, f"top 10: {figures['top10']:.0%} < {TOP10_FLOOR:.0%}\n{table}"


def test_the_issue_question_is_answered_first(real_client) -> None:
    """The question of issue 18, found only 20th by the old search."""
    data = real_client.get("/search.json", query_string={
        "q": "Which other services could benefit from self-management?"}).json
    first = data["passages"][0]
    assert (first["owner"]["id"], first["section"]) == ("buurtzorg-britain-ireland", "Open questions")
    assert "<mark>services</mark>" in first["text_html"] and "<mark>benefit</mark>" in first["text_html"]
    assert first["url"] == "/cases/buurtzorg-britain-ireland#section-open-questions"
    assert "seed-2017" in [s["id"] for s in first["sources"]]
    assert first["sources"][0]["page_url"].startswith("/sources/")
    page = real_client.get("/search", query_string={"q": "Which other services could benefit from self-management?"})
    assert page.status_code == 200
    text = page.text
    assert text.index("autonomous") < text.index("Cases and concepts")  # passages before documents
    assert 'href="/cases/buurtzorg-britain-ireland#section-open-questions"' in text
    case_page = real_client.get("/cases/buurtzorg-britain-ireland").text
    assert 'id="section-open-questions"' in case_page  # the link lands on the section
