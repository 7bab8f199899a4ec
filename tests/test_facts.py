"""Issue 27, item 3: facts that cannot be true are refused, unfinished text too.

Each mistake through ``validate`` as a contributor runs it, with its file, line and fix.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main

CASE = "cases/alpha-care.md"
CONCEPT = "concepts/practices/self-managing-teams.md"
THIS_YEAR = dt.date.today().year


def validate(root: Path, *extra: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["validate", "--root", str(root), "--format", "json", *extra])
    return result.exit_code, json.loads(result.stdout)["problems"]


def edit(root: Path, old: str, new: str, path: str = CASE) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, f"fixture does not contain {old!r}"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def found(problems: list[dict], code: str) -> list[tuple]:
    return [(p["path"], p["line"], p["severity"], p["message"]) for p in problems if p["code"] == code]


FUTURE = {
    "a source dated 2031": ("    date: 2015-05", "    date: 2031-05", 21, "source 'report-a' date 2031-05 is in the future"),
    "a size for 2051": ("value: 1200, year: 2015", "value: 1200, year: 2051", 14, "size year 2051 is in the future"),
    "a timeline entry in 2031": ("- **2006**: Founded.", "- **2031**: Founded.", 53, "timeline entry **2031** is in the future"),
    "adopted in 2030": ("founded: 2006", "founded: 2006\nadopted: 2030", 10, "adopted 2030 is in the future"),
    "a figure for 2031": ("per team at most (2015)", "per team at most (2031)", 37, "figure year 2031 is in the future"),
}


@pytest.mark.parametrize("name", list(FUTURE))
def test_a_year_in_the_future_is_an_error(mini_root: Path, name: str) -> None:
    assert THIS_YEAR < 2030, "the examples' years must stay in the future"
    old, new, line, message = FUTURE[name]
    edit(mini_root, old, new)
    code, problems = validate(mini_root)
    assert code == 1 and found(problems, "year") == [(CASE, line, "error", message)]


def test_a_source_without_reliability_fails_strict(mini_root: Path) -> None:
    edit(mini_root, "    type: report\n", "    type: report\n    reliability: independent\n")
    code, problems = validate(mini_root, "--strict")
    assert found(problems, "reliability") == [(CASE, 25, "warning", "source 'report-b' has no reliability"),
                                              ("cases/beta-shoes.md", 12, "warning", "source 'news-1' has no reliability")]
    assert code == 1


@pytest.mark.parametrize(("path", "old", "new", "line", "col", "word"), [
    (CONCEPT, "definition: Small teams", "definition: TODO Small teams", 6, 13, "TODO"),
    (CASE, "Alpha is fictional.", "Alpha is fictional. TBD", 31, 21, "TBD"),
    (CASE, "- **2006**: Founded.", "- **2006**: FIXME", 53, 13, "FIXME"),
    (CASE, "## Lessons\n", "## Lessons\n\n<!-- TODO: ask the coaches -->\n", 63, 6, "TODO"),
])
def test_placeholder_text_anywhere_is_an_error(mini_root: Path, path: str, old: str, new: str, line: int, col: int,
                                               word: str) -> None:
    edit(mini_root, old, new, path)
    code, problems = validate(mini_root)
    placeholders = [(p["path"], p["line"], p["col"], p["message"]) for p in problems if p["code"] == "unfinished"]
    assert code == 1 and placeholders == [(path, line, col, f"placeholder '{word}' left in the text")]


def test_a_yaml_comment_may_say_todo(mini_root: Path) -> None:
    edit(mini_root, "founded: 2006", "founded: 2006   # TODO: check the month")
    _, problems = validate(mini_root)
    assert found(problems, "unfinished") == []


ABOUT_OTHERS = "at Beta Shoes, staff set their own pay."


def test_a_claim_about_another_organisation_without_a_mark_fails_strict(mini_root: Path) -> None:
    edit(mini_root, "coaches help on request.", ABOUT_OTHERS)
    code, problems = validate(mini_root, "--strict")
    (problem,) = [p for p in problems if p["code"] == "scope"]
    assert (problem["path"], problem["line"], problem["severity"]) == (CASE, 38, "warning")
    assert problem["message"] == ("this claim names Beta Shoes (beta-shoes), another organisation of the knowledge "
                                  "base, without an [about: …] mark, so it counts as this organisation's own")
    assert problem["hint"] == ("if it is about Beta Shoes, mark it [about: inspired: beta-shoes] (or supported, "
                               "franchised, general); if it is this organisation's own, mark it [about: self]")
    assert code == 1


@pytest.mark.parametrize("mark", ["[about: inspired: beta-shoes]", "[about: self]"])
def test_the_scope_mark_settles_it(mini_root: Path, mark: str) -> None:
    edit(mini_root, "coaches-not-managers.md):", f"coaches-not-managers.md) {mark}:")
    edit(mini_root, "coaches help on request.", ABOUT_OTHERS)
    _, problems = validate(mini_root, "--strict")
    assert [p for p in problems if p["code"] == "scope"] == []


def test_naming_a_partner_in_a_claim_of_ones_own_passes(mini_root: Path) -> None:
    edit(mini_root, "coaches help on request.", "coaches trained with Beta Shoes help on request.")
    _, problems = validate(mini_root, "--strict")
    assert [p for p in problems if p["code"] == "scope"] == []
