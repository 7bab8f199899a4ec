"""The JSON twins of the pages whose views were reorganised answer exactly as they did before.

Each URL's JSON (on the two-case fixture content) is compared with the answer recorded in
``tests/fixtures/json_twins/twins.json``.  A change to what a page says is then a visible change
to that file, reviewed with the code that makes it.  After an intended change, record the new
answers with ``KB_RECORD_TWINS=1 pytest tests/test_json_twins.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

RECORDED = Path(__file__).parent / "fixtures" / "json_twins" / "twins.json"

URLS = [
    "/cases.json",
    "/cases.json?practice=self-managing-teams&sort=size",
    "/cases/alpha-care.json",
    "/sources.json",
    "/sources.json?type=report&year=2015",
    "/sources.json?organisation=alpha-care&reliability=nonsense",
    "/sources/report-a.json",
    "/lessons.json",
    "/lessons.json?sector=home-care",
    "/compare.json?case=alpha-care",
    "/compare.json?practice=self-managing-teams&country=NL&staff=40",
    "/practices/self-managing-teams.json",
    "/challenges/staff-attrition.json",
    "/evidence.json",
    "/patterns.json",
    "/patterns.json?scope=all&grade=reported",
    "/patterns/claims.json?practice=self-managing-teams&challenge=staff-attrition",
    "/patterns/claims.json?practice=self-managing-teams&challenge=staff-attrition&scope=all",
    "/search.json?q=nurses",
    "/graph/organisation/alpha-care.json",
]


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(RECORDED.read_text(encoding="utf-8")) if RECORDED.exists() else {}


def test_every_url_has_a_recorded_answer(recorded: dict) -> None:
    if os.environ.get("KB_RECORD_TWINS"):
        pytest.skip("recording")
    assert sorted(recorded) == sorted(URLS)


@pytest.mark.parametrize("url", URLS)
def test_json_twin_is_unchanged(client, recorded: dict, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    answer = response.json
    if os.environ.get("KB_RECORD_TWINS"):
        recorded[url] = answer
        RECORDED.write_text(json.dumps(recorded, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                            encoding="utf-8")
        return
    assert answer == recorded[url]
