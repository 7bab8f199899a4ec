"""Figures that read right (issue 25, item 5): one number with its unit, qualifier and year; two figures for the
same measure and year that disagree are a warning, and the page says which source gives which; no raw Markdown
in any case page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .conftest import REPO
from .test_facts import edit, found, validate

CASES = sorted(path.stem for path in (REPO / "cases").glob("*.md"))
#: What Markdown left as text looks like: a link, a citation, strong emphasis.
RAW_MARKDOWN = re.compile(r"\]\([^)\s]*\)|\[src:|\*\*\w")


class _Text(HTMLParser):
    """The text a reader sees (code and scripts aside)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("code", "pre", "script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("code", "pre", "script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(parser.parts)


@pytest.mark.parametrize("case", CASES)
def test_no_case_page_shows_raw_markdown(real_client, case: str) -> None:
    text = visible_text(real_client.get(f"/cases/{case}").get_data(as_text=True))
    assert not RAW_MARKDOWN.findall(text), case


def test_a_link_in_a_claim_is_a_link(real_client) -> None:
    page = real_client.get("/cases/buurtzorg-britain-ireland").get_data(as_text=True)
    assert "organisations that Buurtzorg had supported (see <a href=\"/cases/buurtzorg\"" in page
    assert "(see [Buurtzorg](buurtzorg.md))" not in page


def test_disagreeing_figures_each_name_their_source(real_client) -> None:
    page = real_client.get("/cases/buurtzorg").get_data(as_text=True)
    size = page[page.index("<dt>Size</dt>"):page.index("<dt>Where</dt>")]
    assert ('sources disagree on staff in 2020: 10,000 staff (2020) — nurses; as reported by the UK partner '
            '(source: <a href="/sources/bbi-event-2020">') in size
    assert 'more than 15,000 staff (2020) (source: <a href="/sources/volkskrant-2020">' in size
    # Every other measure: its latest figure once, with its qualifier in words and its unit (the rest of its note
    # is in the list of every size figure, below).
    assert '<span class="size">about 1,000 teams (2020)</span>' in size
    assert "about 1,000 teams (2020) — as reported by the UK partner" in page[page.index("<dt>Where</dt>"):]
    assert "15,000 more than" not in page and "1,000 around 1000" not in page


def test_two_figures_that_disagree_are_a_warning_until_marked(tmp_path: Path) -> None:
    import shutil
    root = tmp_path / "content"
    shutil.copytree(REPO / "cases", root / "cases")
    shutil.copytree(REPO / "concepts", root / "concepts")
    shutil.copytree(REPO / "vocabulary", root / "vocabulary")
    case = "cases/buurtzorg.md"
    edit(root, "source: bbi-event-2020, status: contested,", "source: bbi-event-2020,", case)
    code, problems = validate(root, "--strict")
    assert code == 1 and found(problems, "figure-conflict") == [
        (case, 42, "warning", "staff in 2020: 15,000 (source 'volkskrant-2020') disagrees with 10,000 "
                              "(source 'bbi-event-2020')")]
    # 13,500 and 14,000 staff in 2018 are the same figure rounded: no warning.
    assert not [p for p in problems if p["code"] == "figure-conflict" and "2018" in p["message"]]


#: A qualifier left behind the number's words ("650 US patents, more than"), where a reader expects it first.
QUALIFIER_BEHIND = re.compile(r"(?:,\s*|\()(about|around|more than|over|nearly|almost|at least|up to|some)(?:\)|\s*,|\s*\()")


def test_every_figure_gives_its_qualifier_first_and_its_year(real_client) -> None:
    figures = []
    for case in CASES:
        page = real_client.get(f"/cases/{case}").get_data(as_text=True)
        # A figure's text up to its evidence mark, without the tags of its words (a title in italics).
        figures += [re.sub(r"<[^>]+>", "", text) for text in
                    re.findall(r'<li class="figure">(.*?)<span class="ev"', page, re.DOTALL)]
    assert len(figures) > 140
    assert [f for f in figures if QUALIFIER_BEHIND.search(f)] == []
    # Each with the year it applies to.
    assert [f for f in figures if not re.search(r"\(\d{4}\)", f)] == []
    # As the case files give them (**650** US patents, more than, as reported; **30** ..., around, as reported):
    assert "more than 650 US patents, as reported (2003) " in figures
    assert "about 30 NHS, local-government and charity organisations worked with since 2015, as reported (2020) " \
        in figures
