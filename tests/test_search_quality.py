"""Question search answers everyday questions: the question set of tests/search_questions.yaml.

Each question has a type (figures, people, places, dates, comparisons, what went wrong, name look-ups, cost,
regulation, transition, how it ended, how and why) and names the passages that answer it (case or concept,
section, a phrase). The floor below is what search must hold on the real content; bench/search_quality.py
prints the full table and the figures per type, which the README shows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.analysis.search import SearchIndex, search_index_for
from kb.store.ladybug import LadybugStore

from .search_quality import TYPES, load_questions, score, summary, unanswerable

REPO = Path(__file__).resolve().parent.parent
#: The right passage first for at least this share of the questions, in the top 3 and in the top 10 for these.
TOP1_FLOOR, TOP3_FLOOR, TOP10_FLOOR = 0.65, 0.85, 0.93
MIN_QUESTIONS, MIN_PER_TYPE = 60, 5


@pytest.fixture(scope="module")
def real_index(real_store: Path) -> SearchIndex:
    store = LadybugStore(real_store)
    try:
        return search_index_for(store)
    finally:
        store.close()


def test_the_question_set_is_large_and_every_answer_exists(real_index: SearchIndex) -> None:
    questions = load_questions()
    assert len(questions) >= MIN_QUESTIONS
    per_type = {kind: sum(q.type == kind for q in questions) for kind in TYPES}
    assert min(per_type.values()) >= MIN_PER_TYPE, per_type
    assert len({q.text for q in questions}) == len(questions), "a question is listed twice"
    missing = unanswerable(real_index, questions)
    assert not missing, ("these answers name no passage of the content (edited? then update the phrase in "
                         "tests/search_questions.yaml):\n" + "\n".join(missing))


def test_search_finds_the_right_passage_near_the_top(real_index: SearchIndex) -> None:
    scores = score(real_index, load_questions())
    figures = summary(scores)
    table = "\n".join(f"{s.rank or '-':>4}  {s.question.text}  (first: {s.top})" for s in scores)
    assert figures["top1"] >= TOP1_FLOOR, f"rank 1: {figures['top1']:.0%} < {TOP1_FLOOR:.0%}\n{table}"
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


def test_the_readme_shows_the_figures_of_every_question_type() -> None:
    """The README's table per type (from bench/search_quality.py --markdown) has a row for every type, with the
    number of questions the set has of it."""
    questions = load_questions()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Question search"):]
    rows = {cells[0]: cells[1:] for line in section.splitlines() if line.startswith("| ")
            and len(cells := [c.strip() for c in line.strip("|").split("|")]) > 2}
    for kind, label in TYPES.items():
        assert label in rows, f"README: no row for the question type '{label}' (rerun bench/search_quality.py)"
        assert rows[label][0] == str(sum(q.type == kind for q in questions)), f"README: '{label}' row out of date"
    assert rows["**all**"][0] == str(len(questions))
