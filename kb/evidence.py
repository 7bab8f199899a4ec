"""The evidence vocabulary: whom a claim is about (scope), how reliable a source is, how strong a claim is.

Shared by every stage (like :mod:`kb.problems`): the body parser reads ``[about: …]`` marks, the
validator checks them, the model grades every claim and the graph writes ``scope`` and ``evidence``
on every relationship and claim node.  docs/case-format.md explains it to contributors.

A claim's **evidence grade** is derived, never written by hand: the best reliability among its cited
sources gives the grade; ``[uncertain]`` lowers it one step (never below ``impression``);
``[contested]`` is a separate flag, not a grade.

>>> grade_for(["third-party", "opinion"])
'reported'
>>> grade_for(["independent"], status="uncertain")
'reported'
>>> grade_for(["opinion"], status="uncertain")
'impression'
>>> grade_for([])
'impression'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SCOPE",
    "GRADES",
    "OLD_RELIABILITY",
    "RELIABILITIES",
    "SCOPES",
    "Grade",
    "grade",
    "grade_for",
    "is_case_id",
]

#: Whom a claim is about.  ``self`` (the organisation of the case file) is the default.
SCOPES: dict[str, str] = {
    "self": "the organisation of this case file",
    "supported": "organisations it supported, advised or helped",
    "inspired": "organisations it inspired or that copied its model",
    "franchised": "its franchisees or licensees",
    "general": "self-managing organisations in general",
}
DEFAULT_SCOPE = "self"

#: Source reliability (front matter ``sources[].reliability``), strongest first.
RELIABILITIES: dict[str, str] = {
    "independent": "independent evaluation, peer-reviewed or academic study, official inspection or audit",
    "third-party": "reporting by a third party: journalism, books, others' case studies and reports",
    "self-reported": "the organisation's own account: its website, reports, its leaders' talks or posts",
    "opinion": "a single commentator's impression: a personal blog, an opinion piece",
}

#: The values used before the evidence model, and what each usually becomes (for the validator's hint).
OLD_RELIABILITY: dict[str, str] = {
    "primary": "independent for an evaluation, study or audit; self-reported for the organisation's own document",
    "secondary": "third-party for journalism, books and others' reports; opinion for a personal blog",
    "weak": "opinion for a personal blog or comment; third-party for a wiki or a copy of others' reporting",
}


@dataclass(frozen=True)
class Grade:
    id: str
    label: str  # shown to people
    weight: float  # used by the analysis
    reliability: str  # the source reliability that gives this grade


#: Evidence grades, strongest first.
GRADES: tuple[Grade, ...] = (
    Grade("evaluated", "Independent evaluation", 1.0, "independent"),
    Grade("reported", "Third-party report", 0.75, "third-party"),
    Grade("own-account", "Organisation's own account", 0.5, "self-reported"),
    Grade("impression", "Commentator's impression", 0.25, "opinion"),
)
_BY_ID = {g.id: g for g in GRADES}
_RANK = {name: rank for rank, name in enumerate(RELIABILITIES)}


def grade(grade_id: str) -> Grade:
    """The grade with this id.

    >>> grade("own-account").label
    "Organisation's own account"
    """
    return _BY_ID[grade_id]


def grade_for(reliabilities: Iterable[str], status: str = "") -> str:
    """The grade id of a claim whose cited sources have these reliabilities.

    A source without a (known) reliability counts as a commentator's impression: nothing vouches for it.
    """
    ranks = [_RANK.get(r, len(GRADES) - 1) for r in reliabilities]
    rank = min(ranks, default=len(GRADES) - 1)
    if status == "uncertain":
        rank = min(rank + 1, len(GRADES) - 1)
    return GRADES[rank].id


_CASE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_case_id(name: str) -> bool:
    """Whether a group in ``[about: kind: …]`` is written as a case id (else it is a name in words).

    Validation makes sure an id names a case, so the graph can link the claim to it.

    >>> is_case_id("zappos"), is_case_id("other Dutch care providers")
    (True, False)
    """
    return bool(_CASE_ID.fullmatch(name))
