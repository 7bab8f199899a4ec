"""Accessibility in the HTML itself (the browser tests check the rendered pages): languages of source titles,
where the navigation says you are, /contribute's headings and contents links, the accessibility statement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.load import load_content

from .conftest import TEST_LIMITS


def test_a_source_title_in_another_language_is_marked_with_it(real_client) -> None:
    case = real_client.get("/cases/buurtzorg").text
    assert re.search(r'<a href="https://www\.nrc\.nl/[^"]+" rel="noopener nofollow" lang="nl" hreflang="nl">'
                     r"De ondernemer achter Buurtzorg</a>", case)
    english = re.search(r'<a href="[^"]+"[^>]*>Home Care by Self-Governing Nursing Teams', case)
    assert english and "lang=" not in english.group(0)  # English titles inherit the page's lang="en"
    source = real_client.get("/sources/nrc-2018-ondernemer").text
    assert '<h1 lang="nl">De ondernemer achter Buurtzorg</h1>' in source
    assert real_client.get("/sources/nrc-2018-ondernemer.json").json["source"]["language"] == "nl"


def test_a_language_that_is_not_a_tag_is_refused(mini_root: Path) -> None:
    file = mini_root / "cases" / "alpha-care.md"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("    title: A report about Alpha\n",
                                 "    title: A report about Alpha\n    language: Dutch\n", 1), encoding="utf-8")
    errors = [p for p in load_content(mini_root).problems if p.is_error]
    assert len(errors) == 1 and "language" in errors[0].message and errors[0].line == 20, errors


@pytest.mark.parametrize(("path", "current"), [("/cases", ("Cases", "page")), ("/cases/buurtzorg", ("Cases", "true")),
                                               ("/patterns", ("Patterns", "page")), ("/", None)])
def test_the_navigation_says_where_you_are(real_client, path: str, current: tuple[str, str] | None) -> None:
    nav = re.search(r'<nav aria-label="Main">.*?</nav>', real_client.get(path).text, re.DOTALL).group(0)
    marked = re.findall(r'<a href="[^"]+" aria-current="(\w+)">(\w+)</a>', nav)
    assert marked == ([(current[1], current[0])] if current else [])


def test_contribute_has_a_title_and_its_contents_links_lead_somewhere(real_client) -> None:
    page = real_client.get("/contribute").text
    main = page[page.index('<main id="main">'):page.index("</main>")]
    assert re.search(r'<h1 id="contributing">Contributing</h1>', main)
    ids = set(re.findall(r' id="([^"]+)"', page))
    anchors = re.findall(r'<a href="#([^"]+)"', main)
    assert len(anchors) >= 9
    assert [a for a in anchors if a not in ids] == []


def test_the_statement_is_linked_from_every_page_and_says_what_it_must(real_client) -> None:
    for path in ("/", "/cases/buurtzorg", "/query", "/no-such-page"):
        assert '<a href="/accessibility"' in real_client.get(path).text, path
    page = real_client.get("/accessibility").text
    for heading in ("How accessible this site is", "What is known not to work", "How we tested this site",
                    "Reporting a problem"):
        assert f">{heading}</h2>" in page
    version = real_client.get("/accessibility.json").json["axe_core_version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version) and f"axe-core {version}" in page
    assert "issue tracker" in page


def test_the_statement_names_the_contact_a_deployment_sets(make_client, real_store: Path) -> None:
    client = make_client(KB_STORE_PATH=str(real_store), KB_ACCESSIBILITY_CONTACT="access@example.org", **TEST_LIMITS)
    page = client.get("/accessibility").text
    assert '<a href="mailto:access@example.org">access@example.org</a>' in page
