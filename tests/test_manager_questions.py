"""The questions managers ask have a place (issue 25, item 4): their sections must cite, model_status must not
contradict status, and search and the report find them."""

from __future__ import annotations

from pathlib import Path

from .test_facts import CASE, edit, found, validate


def test_a_managers_section_without_a_citation_is_a_warning(mini_root: Path) -> None:
    edit(mini_root, "## Lessons", "## Funding and cost\n\nThe pilot cost a lot.\n\n## Lessons")
    code, problems = validate(mini_root, "--strict")
    [(path, line, severity, message)] = found(problems, "uncited-sentence")
    assert (code, path, line, severity, message) == (
        1, CASE, 63, "warning", "section 'Funding and cost': the sentence 'The pilot cost a lot.' cites no source")


def test_a_sentence_after_the_last_citation_is_reported_at_its_line(mini_root: Path) -> None:
    # The citation covers the sentences before it; what follows it in the paragraph cites nothing.
    edit(mini_root, "## Lessons", "## Transition\n\nThe change took two years. [src: report-a] Then the\n"
                                  "teams ran alone. Costs fell.\n\n- A bullet with no source.\n"
                                  "- Was it worth it?\n\n## Lessons")
    _code, problems = validate(mini_root, "--strict")
    assert found(problems, "uncited-sentence") == [
        (CASE, 63, "warning", "section 'Transition': the sentence 'Then the teams ran alone.' cites no source"),
        (CASE, 66, "warning", "section 'Transition': the sentence 'A bullet with no source.' cites no source")]
    [hint] = {p["hint"] for p in problems if p["code"] == "uncited-sentence"}
    assert hint.startswith("end it (or the sentences it belongs with) with [src: id]")


def test_a_wrapped_line_starting_with_a_year_stays_in_its_paragraph(mini_root: Path) -> None:
    # As CommonMark reads it: "2015. " cannot start a list inside a paragraph, so the citation at the end
    # covers the line before it; only "1. " can interrupt a paragraph, and then that paragraph cites nothing.
    edit(mini_root, "## Lessons", "## Transition\n\nThe council took the teams over in\n"
                                  "2015. The teams kept their budgets. [src: report-a]\n\nThe board agreed to it\n"
                                  "1. Teams chose a coach. [src: report-a]\n\n## Lessons")
    _code, problems = validate(mini_root, "--strict")
    assert found(problems, "uncited-sentence") == [
        (CASE, 66, "warning", "section 'Transition': the sentence 'The board agreed to it' cites no source")]


def test_a_cited_managers_section_passes(mini_root: Path) -> None:
    edit(mini_root, "## Lessons", "## Funding and cost\n\nThe pilot cost a lot. It was paid\nby the city. "
                                  "[src: report-a]\n\n## Lessons")
    _code, problems = validate(mini_root, "--strict")
    assert found(problems, "uncited-sentence") == []


def test_ongoing_self_management_in_a_closed_organisation_is_a_warning(mini_root: Path) -> None:
    edit(mini_root, "status: active", "status: closed\nmodel_status: ongoing")
    _code, problems = validate(mini_root, "--strict")
    assert [(p[2], p[3]) for p in found(problems, "model-status")] == [
        ("warning", "model_status 'ongoing' contradicts status 'closed'")]


def test_a_case_that_stepped_back_needs_its_year_and_how_it_ended(mini_root: Path) -> None:
    edit(mini_root, "status: active", "status: active\nmodel_status: abandoned")
    _code, problems = validate(mini_root, "--strict")
    assert [(p[1], p[2], p[3]) for p in found(problems, "model-status")] == [
        (11, "warning", "model_status 'abandoned' without a 'How it ended' section"),
        (11, "warning", "model_status 'abandoned' without model_status_year")]


def test_a_dated_case_that_stepped_back_with_its_story_passes(mini_root: Path) -> None:
    edit(mini_root, "status: active", "status: active\nadopted: 2006\nmodel_status: scaled-back\n"
                                      "model_status_year: 2016")
    edit(mini_root, "## Lessons", "## How it ended\n\nThe teams got managers back. [src: report-a]\n\n## Lessons")
    _code, problems = validate(mini_root, "--strict")
    assert (found(problems, "model-status"), found(problems, "uncited-sentence")) == ([], [])


def test_how_it_ended_on_ongoing_self_management_is_a_warning(mini_root: Path) -> None:
    edit(mini_root, "status: active", "status: active\nmodel_status: ongoing")
    edit(mini_root, "## Lessons", "## How it ended\n\nIt did not. [src: report-a]\n\n## Lessons")
    _code, problems = validate(mini_root, "--strict")
    assert [(p[1], p[3]) for p in found(problems, "model-status")] == [
        (62, "a 'How it ended' section, but model_status is 'ongoing'")]


def test_adopted_after_the_end_is_an_error(mini_root: Path) -> None:
    edit(mini_root, "status: active", "status: active\nadopted: 2012\nmodel_status: pilot-ended\n"
                                      "model_status_year: 2010")
    edit(mini_root, "## Lessons", "## How it ended\n\nThe pilot stopped. [src: report-a]\n\n## Lessons")
    code, problems = validate(mini_root)
    assert (code, found(problems, "model-status")) == (1, [
        (CASE, 11, "error", "adopted 2012 is after model_status_year 2010: self-management cannot end before it "
                            "began")])


def test_search_and_the_report_find_how_it_ended(real_client) -> None:
    hits = real_client.get("/search.json?q=why did the Cambridgeshire reclaiming social work model end").json
    assert any(p["owner"]["id"] == "cambridgeshire-reclaiming-social-work" for p in hits["passages"][:5])


def test_search_finds_the_sections_answering_a_managers_questions(real_client) -> None:
    asked = {"What did the Buurtzorg pilots cost and who paid?": "Funding and cost",
             "How did inspectors judge the teams?": "Regulation and inspection",
             "Why did the Neighbourhood Cares pilot end?": "How it ended"}
    for question, section in asked.items():
        found = real_client.get("/search.json", query_string={"q": question}).json["passages"][:5]
        assert section in [p["section"] for p in found], (question, [(p["owner"]["id"], p["section"]) for p in found])
