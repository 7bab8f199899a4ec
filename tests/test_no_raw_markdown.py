"""No raw Markdown anywhere on the site (issue 25, item 5): every kind of page, rendered on the real content, shows
text and links, never the Markdown they were written in — a link's ``](``, a citation's ``[src:``, emphasis'
``**`` or ``__``, a heading's leading ``#``."""

from __future__ import annotations

import re

import pytest

from webapp.repository import SHOWN_FILES

from .test_figures_read_right import CASES, _Text

#: What Markdown left as text looks like, in the text of one element (a heading's ``#`` leads it).
RAW = {"a link": re.compile(r"\]\("), "a citation": re.compile(r"\[src:"),
       "strong emphasis": re.compile(r"\*\*\S.*?\*\*|__\S.*?__|\*\*$|^\*\*"),
       "a heading": re.compile(r"^\s*#{1,6} ")}
DESCRIBED = "country=GB&sector=social-care&kind=public-body&staff=600&practice=self-managing-teams"
#: One or more pages of every kind that is not one per case, concept or source (those are all rendered).
PAGES = ["/", "/cases", "/cases?framework=holacracy", "/practices", "/challenges", "/outcomes", "/frameworks",
         "/sources", "/sources?reliability=independent", "/lessons", "/lessons?country=GB&grade=reported",
         "/compare", "/compare?case=buurtzorg", f"/compare?{DESCRIBED}", f"/report?{DESCRIBED}",
         "/report?country=US&practice=holacracy-roles", "/patterns", "/patterns?scope=all",
         "/patterns/claims?practice=self-managing-teams&outcome=staff-wellbeing", "/analytics", "/evidence",
         "/timeline", "/timeline?sector=home-care", "/search?q=how+did+the+Buurtzorg+pilot+end",
         "/search?q=what+did+the+pilot+cost", "/search?q=buurtzorg", "/graph/organisation/buurtzorg", "/graph/practice/self-managing-teams", "/query",
         *(f"/repo/{path}" for path, kind in SHOWN_FILES.items() if kind == "markdown"),
         "/contribute", "/accessibility"]


def raw_markdown(page: str) -> list[str]:
    """What looks like raw Markdown in the text a reader sees (code aside), with some text around it."""
    parser = _Text()
    parser.feed(page)
    return [f"{what}: …{text[max(m.start() - 40, 0):m.end() + 40]}…" for text in parser.parts
            for what, pattern in RAW.items() for m in pattern.finditer(text)]


def every_page(client) -> list[str]:
    """Every case and concept page, every page of the source list and every fifth source's page, and the pages
    of every other kind."""
    urls = [f"/cases/{case}" for case in CASES]
    for kind in ("practices", "challenges", "outcomes", "frameworks"):
        data = client.get(f"/{kind}.json").json
        concepts = next(value for value in data.values() if isinstance(value, list))
        urls += [f"/{kind}/{c['id']}" for c in concepts]
    pages = client.get("/sources.json").json["page"]["pages"]
    for number in range(1, pages + 1):
        urls.append(f"/sources?page={number}")
        sources = client.get(f"/sources.json?page={number}").json["sources"]
        urls += [f"/sources/{source['id']}" for source in sources[::5]]
    return urls + PAGES


def test_the_check_finds_raw_markdown() -> None:
    page = ("<p>see [Buurtzorg](buurtzorg.md) [src: a] and **more**</p><h2>## Lessons</h2>"
            "<code>**kept** in code</code>")
    assert [found.split(":")[0] for found in raw_markdown(page)] == ["a link", "a citation", "strong emphasis",
                                                                    "a heading"]


@pytest.mark.parametrize("part", range(4))
def test_no_page_shows_raw_markdown(real_client, part: int) -> None:
    urls = every_page(real_client)
    assert len(urls) > 250
    failures = {}
    for url in urls[part::4]:
        answer = real_client.get(url)
        assert answer.status_code == 200, url
        if found := raw_markdown(answer.get_data(as_text=True)):
            failures[url] = found
    assert not failures, failures
