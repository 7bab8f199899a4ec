"""Page weight budgets (docs/performance.md, "Page weight"): every page kind's HTML and the style sheet and
scripts it links, before compression, on the real content.

The page kinds are those the accessibility test checks (``tests/browser/test_accessibility.PAGE_KINDS``, one
example URL each): a new kind there without a budget here fails, so that every page has one.  A few heavier
pages of a kind are measured too (the largest case page; a console result of 20 rows drawn as a graph).  A
budget that no longer holds fails with what the page weighs and what it links, so that a heavier page is a
decision written down, not an accident.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.test_accessibility import PAGE_KINDS

#: What the site's one style sheet and one script may weigh together (KB, before compression): every page
#: links both, once, and browsers keep them for a year (fingerprinted names).
SHARED_BUDGET = 50
#: Page kind -> budget of its HTML in KB (the shared style sheet and script come on top, within SHARED_BUDGET).
BUDGETS: dict[str, int] = {
    # A case at a glance: its summary card, timeline row, claims (citations folded), sources.
    "case": 150, "case-ended": 150,
    "report": 180,  # the comparable cases of a description, with what they did and met
    "home": 60, "cases": 60, "cases-filtered": 60,
    "compare-empty": 60, "compare-case": 130, "compare-described": 130, "compare-bad-input": 60,
    # The heaviest: two dot matrices of about 250 dots each with their table twins (issue 26, item 4).
    "patterns": 550, "patterns-filtered": 550, "pattern-claims": 60,
    "evidence": 30, "analytics": 330,
    "sources": 100, "sources-filtered": 100, "source": 60,
    "search-empty": 30, "search-results": 80, "search-question-why": 80, "search-nothing": 30,
    "search-question": 80, "search-common-words": 30,
    "practices": 40, "practice": 150, "challenge": 150, "outcome": 150, "framework": 150,
    "graph": 80,  # the drawing made on the server, its list and its table: no script of its own
    "query-empty": 30, "query-example": 60, "query-results": 60, "query-error": 30,
    "query-graph": 120,  # up to 20 rows of nodes as chips with their properties, drawn as a graph
    "query-bad-params": 30,
    "contribute": 80, "accessibility": 30, "not-found": 20, "not-found-suggesting": 20,
    "lessons": 180, "lessons-filtered": 60,
    "repo-markdown": 60, "repo-text": 30,
    "timeline": 280, "timeline-filtered": 280,  # 63 rows, their marks as links, the list twin, small charts
}
#: Heavier pages of a kind, with the kind whose budget they keep.
MORE_PAGES: dict[str, str] = {
    "/practices/self-managing-teams": "practice",  # the concept most cases use
    "/query?q=MATCH+(o:Organisation)-[r:FACED]->(c:Challenge)+RETURN+o,+r,+c+LIMIT+20": "query-graph",
}
_LINKED = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/[^"]+)"')


def test_every_page_kind_has_a_budget() -> None:
    assert set(PAGE_KINDS) - set(BUDGETS) == set(), "add the new page kinds' budgets here and in docs/performance.md"
    assert set(BUDGETS) - set(PAGE_KINDS) == set(), "a budget for a page kind that is no longer checked"


@pytest.mark.parametrize("kind", sorted(PAGE_KINDS))
def test_page_kind_stays_within_its_weight_budget(real_client, kind: str) -> None:
    _within_budget(real_client, PAGE_KINDS[kind], BUDGETS[kind])


@pytest.mark.parametrize("path", MORE_PAGES)
def test_heavier_page_stays_within_its_kinds_budget(real_client, path: str) -> None:
    _within_budget(real_client, path, BUDGETS[MORE_PAGES[path]])


def _within_budget(client, path: str, html_budget: int) -> None:
    page = client.get(path)
    assert page.status_code in (200, 400, 404), (path, page.status_code)
    html_kb = len(page.data) / 1024
    assert html_kb <= html_budget, f"{path}: {html_kb:.0f} KB of HTML, over its {html_budget} KB budget"
    linked = {url: len(client.get(url).data) / 1024 for url in _LINKED.findall(page.text)}
    # One style sheet and the one script, nothing else (the graph page loaded 689 KB of vis-network before).
    assert sorted(re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", url.rsplit("/", 1)[-1]) for url in linked) == \
        ["site.js", "style.css"], f"{path} links {sorted(linked)}"
    shared = sum(linked.values())
    assert shared <= SHARED_BUDGET, (f"{path}: its style sheet and script weigh {shared:.0f} KB, over their "
                                     f"{SHARED_BUDGET} KB budget: " + ", ".join(f"{u} {kb:.0f} KB" for u, kb in linked.items()))


def test_the_largest_case_page_is_the_one_measured(real_client) -> None:
    every_case = [row["id"] for row in real_client.get("/timeline.json").json["organisations"]]
    assert len(every_case) >= 60
    sizes = {case: len(real_client.get(f"/cases/{case}").data) for case in every_case}
    heaviest = max(sizes, key=sizes.get)
    assert sizes[heaviest] <= BUDGETS["case"] * 1024, f"/cases/{heaviest} weighs {sizes[heaviest] / 1024:.0f} KB"
