"""Claims and what belongs to them: which claims an evidence filter keeps (the claims behind a count of the
pattern pages), which figures were written under which claim, which views answer which disputed claim.

Pure functions over claim, figure and view rows of the named queries (``organisation``, ``line``,
``concept``, ``scope``, ``evidence``...), so every page that lists claims decides the same way.

>>> rows = [{"organisation": "b", "line": 9, "scope": "self", "evidence": "evaluated"},
...         {"organisation": "a", "line": 4, "scope": "others", "evidence": "evaluated"},
...         {"organisation": "a", "line": 7, "scope": None, "evidence": "impression"}]
>>> [(r["organisation"], r["line"]) for r in kept_claims(rows, "self", None)]
[('a', 7), ('b', 9)]
>>> [(r["organisation"], r["line"]) for r in kept_claims(rows, "all", "evaluated")]
[('a', 4), ('b', 9)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kb.evidence import SELF, is_self, meets_grade

__all__ = ["figures_by_claim", "grade_and_scope_counts", "keeps", "kept_claims", "views_by_claim"]


def kept_claims(rows: Iterable[dict[str, Any]], scope: str, min_grade: str | None) -> list[dict[str, Any]]:
    """The claims the filter keeps, by organisation then line: only those about the organisation itself
    unless ``scope`` is ``"all"``, and only those of at least ``min_grade`` (``None``: any grade)."""
    return sorted((row for row in rows if keeps(row, scope, min_grade)),
                  key=lambda row: (row["organisation"], row["line"] or 0))


def keeps(row: Mapping[str, Any], scope: str, min_grade: str | None) -> bool:
    """Whether the evidence filter keeps one claim (see :func:`kept_claims`).

    >>> keeps({"scope": "general", "evidence": "reported"}, "self", None), keeps({"evidence": None}, "self", None)
    (False, True)
    """
    return (scope == "all" or is_self(row.get("scope"))) and meets_grade(row.get("evidence"), min_grade)


def figures_by_claim(claims: Sequence[Mapping[str, Any]], figures: Iterable[Mapping[str, Any]],
                     organisation: str | None = None) -> list[list[Mapping[str, Any]]]:
    """For each claim, in order, the figures written under it: a figure belongs to the same organisation's
    last claim about the same concept at or before the figure's line.

    Rows may name the ``concept`` (one concept's page leaves it out); ``organisation`` is the one organisation
    of rows that do not name it.  A figure with no such claim among ``claims`` (one on another page of the
    list) is left out.

    >>> claims = [{"organisation": "a", "concept": "teams", "line": 4},
    ...           {"organisation": "a", "concept": "teams", "line": 9},
    ...           {"organisation": "b", "concept": "teams", "line": 4}]
    >>> figures = [{"organisation": "a", "concept": "teams", "line": 10, "id": "f1"},
    ...            {"organisation": "a", "concept": "teams", "line": 5, "id": "f2"},
    ...            {"organisation": "a", "concept": "teams", "line": 2, "id": "f3"}]
    >>> [[f["id"] for f in under] for under in figures_by_claim(claims, figures)]
    [['f2'], ['f1'], []]
    """
    by_key: dict[tuple[str, str], list[int]] = {}
    for number, claim in enumerate(claims):
        by_key.setdefault((organisation or claim["organisation"], claim.get("concept", "")), []).append(number)
    under: list[list[Mapping[str, Any]]] = [[] for _ in claims]
    for figure in figures:
        key = (organisation or figure["organisation"], figure.get("concept", ""))
        above = [n for n in by_key.get(key, []) if (claims[n]["line"] or 0) <= (figure["line"] or 0)]
        if above:
            under[max(above, key=lambda n: claims[n]["line"] or 0)].append(figure)
    return under


def views_by_claim(claims: Sequence[Mapping[str, Any]],
                   views: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """For each claim, in order, the views on it: those of its organisation naming its line (``claim_line``).

    >>> views_by_claim([{"organisation": "a", "line": 7}, {"organisation": "b", "line": 7}],
    ...                [{"organisation": "a", "claim_line": 7, "text": "fewer left"}])
    [[{'organisation': 'a', 'claim_line': 7, 'text': 'fewer left'}], []]
    """
    by_claim: dict[tuple[str, int], list[Mapping[str, Any]]] = {}
    for view in views:
        by_claim.setdefault((view["organisation"], view["claim_line"]), []).append(view)
    return [by_claim.get((claim["organisation"], claim["line"]), []) for claim in claims]


def grade_and_scope_counts(rows: Iterable[Mapping[str, Any]]) -> tuple[Counter[str], Counter[str]]:
    """How many claims have each grade (``""``: not recorded) and each scope (a missing scope is ``self``).

    >>> grade_and_scope_counts([{"evidence": "reported", "scope": "self"}, {"evidence": None, "scope": None},
    ...                         {"evidence": "reported", "scope": "general"}])
    (Counter({'reported': 2, '': 1}), Counter({'self': 2, 'general': 1}))
    """
    grades: Counter[str] = Counter()
    scopes: Counter[str] = Counter()
    for row in rows:
        grades[row.get("evidence") or ""] += 1
        scopes[row.get("scope") or SELF] += 1
    return grades, scopes
