"""The questions managers ask have a place (issue 25, item 4): their sections must cite, model_status must not
contradict status, and search and the report find them."""

from __future__ import annotations

from pathlib import Path

from .test_facts import CASE, edit, found, validate


def test_a_managers_section_without_a_citation_is_a_warning(mini_root: Path) -> None:
    edit(mini_root, "## Lessons", "## Funding and cost\n\nThe pilot cost a lot.\n\n## Lessons")
    code, problems = validate(mini_root, "--strict")
    [(path, _line, severity, message)] = found(problems, "uncited-section")
    assert (code, path, severity, message) == (1, CASE, "warning", "section 'Funding and cost' cites no source")


def test_a_cited_managers_section_passes(mini_root: Path) -> None:
    edit(mini_root, "## Lessons", "## Funding and cost\n\nThe pilot cost a lot. [src: report-a]\n\n## Lessons")
    _code, problems = validate(mini_root, "--strict")
    assert found(problems, "uncited-section") == []


def test_ongoing_self_management_in_a_closed_organisation_is_a_warning(mini_root: Path) -> None:
    edit(mini_root, "status: active", "status: closed\nmodel_status: ongoing")
    _code, problems = validate(mini_root, "--strict")
    assert [(p[2], p[3]) for p in found(problems, "model-status")] == [
        ("warning", "model_status 'ongoing' contradicts status 'closed'")]


def test_search_and_the_report_find_how_it_ended(real_client) -> None:
    hits = real_client.get("/search.json?q=why did the Cambridgeshire reclaiming social work model end").json
    assert any(p["owner"]["id"] == "cambridgeshire-reclaiming-social-work" for p in hits["passages"][:5])
