"""A set of claims' evidence profile: how many rest on each grade, how many are contested or uncertain.

The site draws it as a bar (claims stacked by grade, strongest first) on every case, concept and
pattern cell, and its JSON twins carry it as it is here.

>>> p = evidence_profile([{"evidence": "reported", "status": "contested"}, {"evidence": "reported"},
...                       {"evidence": "impression", "status": "uncertain"}, {"evidence": None}])
>>> [(g["id"], g["count"]) for g in p["grades"]], p["total"], p["contested"], p["uncertain"]
([('evaluated', 0), ('reported', 2), ('own-account', 0), ('impression', 1), ('', 1)], 4, 1, 1)
>>> evidence_profile([])["total"]
0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from kb import evidence

__all__ = ["evidence_profile"]


def evidence_profile(claims: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Claims counted by grade (every grade, strongest first, then "" for not recorded), with totals.

    Each claim is a mapping with ``evidence`` (a grade id) and ``status`` ("", "uncertain" or
    "contested"); an unknown grade counts as not recorded.
    """
    grades: Counter[str] = Counter()
    status: Counter[str] = Counter()
    for claim in claims:
        grades[evidence.grade(claim.get("evidence")).id] += 1
        status[claim.get("status") or ""] += 1
    rows = [{"id": g.id, "label": g.label, "strength": g.strength, "count": grades[g.id]}
            for g in (*evidence.GRADES, evidence.UNGRADED)]
    return {"grades": rows, "total": sum(grades.values()),
            "contested": status["contested"], "uncertain": status["uncertain"]}
