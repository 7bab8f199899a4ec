"""Which claims an evidence filter keeps: the claims behind a count of the pattern pages.

Pure functions over claim rows of the named queries (``organisation``, ``line``, ``scope``,
``evidence``), so the pattern pages, their claims pages and the research views keep the same claims.

>>> rows = [{"organisation": "b", "line": 9, "scope": "self", "evidence": "evaluated"},
...         {"organisation": "a", "line": 4, "scope": "others", "evidence": "evaluated"},
...         {"organisation": "a", "line": 7, "scope": None, "evidence": "impression"}]
>>> [(r["organisation"], r["line"]) for r in kept_claims(rows, "self", None)]
[('a', 7), ('b', 9)]
>>> [(r["organisation"], r["line"]) for r in kept_claims(rows, "all", "evaluated")]
[('a', 4), ('b', 9)]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kb.evidence import is_self, meets_grade

__all__ = ["kept_claims"]


def kept_claims(rows: Iterable[dict[str, Any]], scope: str, min_grade: str | None) -> list[dict[str, Any]]:
    """The claims the filter keeps, by organisation then line: only those about the organisation itself
    unless ``scope`` is ``"all"``, and only those of at least ``min_grade`` (``None``: any grade)."""
    return sorted((row for row in rows if (scope == "all" or is_self(row.get("scope")))
                   and meets_grade(row.get("evidence"), min_grade)),
                  key=lambda row: (row["organisation"], row["line"] or 0))
