"""Figures read right everywhere (issue 23 finding 2, issue 25 item 5): one number with its unit, the
qualifier in words and the year — never exponent notation, never the number twice.

Every figure goes through kb.figures; the last tests render every kind of page that shows figures, on
the real content, and read the text people see.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from kb.contrib.preview import preview_case
from kb.figures import figure_row_text, figure_text, number
from webapp.preview import render_preview

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("value", "written"), [
    (1_200_000.0, "1,200,000"), (1.2e21, "1,200,000,000,000,000,000,000"), (58.1, "58.1"), (0.44, "0.44"),
    (15000.0, "15,000"), (3.5, "3.5"), (0.000125, "0.000125"),
])
def test_a_number_is_written_in_full(value: float, written: str) -> None:
    assert number(value) == written


@pytest.mark.parametrize(("note", "expected"), [
    ("more than 15000 staff", "more than 15,000 staff (2020)"),
    ("over 15,000", "more than 15,000 staff (2020)"),
    ("around 15000; as reported by the UK partner", "about 15,000 staff (2020) — as reported by the UK partner"),
    ("nearly 15,000 employees", "almost 15,000 staff (2020) — employees"),
    ("at least", "at least 15,000 staff (2020)"),
    ("nurses", "15,000 staff (2020) — nurses"),
    ("15000 staff", "15,000 staff (2020)"),
    # a qualifier of another number is part of the remark, not of this figure
    ("about 9,000 in the Netherlands and 6,000 abroad", "15,000 staff (2020) — about 9,000 in the Netherlands "
                                                        "and 6,000 abroad"),
])
def test_a_size_figure_takes_the_qualifier_of_its_note_once(note: str, expected: str) -> None:
    assert figure_text(15000, what="staff", year=2020, note=note) == expected


def test_a_figure_row_of_the_graph_reads_the_same_wherever_it_is_shown() -> None:
    size = {"measure": "revenue", "value": 362.0, "value_max": None, "unit": "EUR m", "description": "revenue",
            "year": 2016}
    claim = {"measure": "", "value": 20.0, "value_max": 24.0, "unit": "", "description": "issues an hour",
             "year": 2017}
    assert figure_row_text(size) == "€362m revenue (2016)"
    assert figure_row_text(claim) == "20–24 issues an hour (2017)"
    assert figure_row_text({**size, "value": 1.2e6, "unit": "EUR", "measure": "funding", "description": ""}) == \
        "€1,200,000 funding (2016)"


# --- on the real content, every page kind that shows figures ------------------------------------------

#: 1.2e+06, 3E7 — but not the hex of an id in a URL shown as text (…-126e-11e8-8940-…).
_EXPONENT = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?e[+-]?\d+(?![\w-])", re.IGNORECASE)
#: A number repeated within three words ("15,000 more than 15000", "1,000 around 1000"), compared
#: without thousands separators; years are left out (a year may well follow a year).
_TWICE = re.compile(r"\b(\d{3,})\b(?:\s+[^\s\d]+){0,3}\s+\1\b")
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def visible_text(page: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", page)).split())


def figure_problems(url: str, page: str) -> list[str]:
    text = visible_text(page)
    found = [f"{url}: exponent notation {m.group()!r}" for m in _EXPONENT.finditer(text)]
    plain = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    found += [f"{url}: number twice in {m.group()!r}" for m in _TWICE.finditer(plain)
              if not 1000 <= int(m.group(1)) <= 2100]
    return found


def test_the_checks_catch_what_the_pages_once_showed() -> None:
    assert figure_problems("/cases/buurtzorg", "<li>15,000 more than 15000 staff (2020)</li>")
    assert figure_problems("/cases/buurtzorg", "<li>1,000 around 1000; as reported</li>") == []  # a year-sized number
    assert figure_problems("/cases/buurtzorg", "<li>13,500 around 13500</li>")
    assert figure_problems("/sources", "<td>1.2e+06 EUR revenue (2016)</td>")
    assert figure_problems("/sources", "<a>https://example.org/article_22140262-126e-11e8-8940.html</a>") == []
    assert figure_problems("/cases/buurtzorg", "<li>more than 15,000 staff (2020)</li>") == []


def all_pages(client, url: str) -> list[dict]:
    """Every page of a paged JSON list, in order."""
    first = client.get(url).json
    return [first] + [client.get(f"{url}?page={n}").json for n in range(2, first["page"]["pages"] + 1)]


def pages_with_figures(client) -> list[str]:
    case_lists = all_pages(client, "/cases.json")
    cases = [c["id"] for data in case_lists for c in data["cases"]]
    pages = ["/", "/evidence", "/patterns", "/lessons", f"/compare?case={cases[0]}"]
    pages += [f"/cases?page={n}" for n in range(1, len(case_lists) + 1)]
    pages += [f"/sources?page={n}" for n in range(1, len(all_pages(client, "/sources.json")) + 1)]
    pages += [f"/cases/{case_id}" for case_id in cases]
    for kind in ("practices", "challenges", "outcomes", "frameworks"):
        pages.append(f"/{kind}")
        pages += [f"/{kind}/{c['id']}" for c in client.get(f"/{kind}.json").json["concepts"]]
    return pages


def test_no_page_shows_a_figure_in_exponent_notation_or_twice(real_client) -> None:
    pages = pages_with_figures(real_client)
    assert len(pages) > 100  # every case and concept page, not a sample
    problems = []
    for url in pages:
        response = real_client.get(url)
        assert response.status_code == 200, url
        problems += figure_problems(url, response.text)
    assert problems == []


def test_the_size_list_and_facts_panel_read_right_on_buurtzorg(real_client) -> None:
    text = visible_text(real_client.get("/cases/buurtzorg").text)
    assert "more than 15,000 staff (2020)" in text
    assert "about 1,000 teams (2020) — as reported by the UK partner" in text
    assert "€362m revenue (2016)" in text


@pytest.mark.parametrize(("unit", "expected"), [
    ("EUR m", "about €400m revenue (2020)"), ("GBP m", "about £400m revenue (2020)"),
    ("USD bn", "about $400bn revenue (2020)"), ("SEK m", "about SEK 400m revenue (2020)"),
    ("GBP", "about £400 revenue (2020)"), ("EURO", "about 400 EURO revenue (2020)"),
])
def test_money_reads_with_its_sign_and_scale(unit: str, expected: str) -> None:
    assert figure_text(400, unit=unit, what="revenue", year=2020, note="about") == expected


def test_the_preview_writes_figures_as_the_site_does(tmp_path: Path) -> None:
    page = render_preview(preview_case(REPO / "cases" / "buurtzorg.md", REPO))
    assert figure_problems("preview of buurtzorg", page) == []
    assert "more than 15,000 staff (2020)" in visible_text(page)
