"""Page weight budgets (docs/performance.md, "Page weight"): each page kind's HTML and the style sheets and
scripts it links, before compression, on the real content; the largest case page is the one measured.

A budget that no longer holds fails here with what the page weighs and what it links, so that a heavier
page is a decision written down, not an accident.
"""

from __future__ import annotations

import re

import pytest

#: Page -> (budget of its HTML, budget of the HTML with every style sheet and script it links), in KB.
BUDGETS: dict[str, tuple[int, int]] = {
    "/cases/buurtzorg": (150, 200),  # the largest case page
    "/": (60, 110),
    "/timeline": (230, 280),
    "/patterns": (450, 500),
    "/query?q=MATCH+(o:Organisation)-[r:FACED]->(c:Challenge)+RETURN+o,+r,+c+LIMIT+20": (120, 170),
    "/practices/self-managing-teams": (150, 200),
}
_LINKED = re.compile(r'<(?:link rel="stylesheet" href|script src)="(/[^"]+)"')


@pytest.mark.parametrize("path", BUDGETS)
def test_page_stays_within_its_weight_budget(real_client, path: str) -> None:
    page = real_client.get(path)
    assert page.status_code == 200
    html_kb = len(page.data) / 1024
    linked = {url: len(real_client.get(url).data) / 1024 for url in _LINKED.findall(page.text)}
    html_budget, total_budget = BUDGETS[path]
    assert html_kb <= html_budget, f"{path}: {html_kb:.0f} KB of HTML, over its {html_budget} KB budget"
    total = html_kb + sum(linked.values())
    assert total <= total_budget, (f"{path}: {total:.0f} KB with what it links, over its {total_budget} KB budget: "
                                   + ", ".join(f"{url} {kb:.0f} KB" for url, kb in linked.items()))


def test_the_largest_case_page_is_the_one_measured(real_client) -> None:
    every_case = [row["id"] for row in real_client.get("/timeline.json").json["organisations"]]
    assert len(every_case) >= 60
    sizes = {case: len(real_client.get(f"/cases/{case}").data) for case in every_case}
    heaviest = max(sizes, key=sizes.get)
    assert sizes[heaviest] <= 150 * 1024, f"/cases/{heaviest} weighs {sizes[heaviest] / 1024:.0f} KB"
