"""Evidence grades and claim scopes as the analysis weighs and filters them.

The grades and scopes are those of the evidence model (docs/case-format.md): every claim says
whom it is about (``scope``) and how strong its evidence is (``evidence``, a grade derived from
the reliability of its sources and its ``[uncertain]`` mark).  Only claims about the organisation
itself count in the analysis; among those, a claim weighs as much as its grade.

A claim whose grade is not recorded (a store loaded before grades existed, or a row without
one) weighs like an organisation's own account and passes only the "any grade" filter: the
analysis neither drops it nor lets it pass for better evidence than it may have.

>>> grade_weight("reported"), grade_weight(None)
(0.75, 0.5)
>>> meets_grade("own-account", "reported"), meets_grade("evaluated", "reported"), meets_grade(None, None)
(False, True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

from kb import evidence as model

__all__ = ["GRADES", "GRADE_IDS", "SCOPES", "SCOPE_BADGES", "SELF", "UNGRADED", "Grade", "best_grade", "grade_label",
           "grade_weight", "is_self", "meets_grade", "scope_label"]


@dataclass(frozen=True)
class Grade:
    """One evidence grade (:data:`kb.evidence.GRADES`) with what the site says about it."""

    id: str
    label: str
    weight: float
    #: What kind of source earns it.
    sources: str
    #: The source ``reliability`` (front matter) that earns it.
    reliability: str
    #: The few words of its badge.
    badge: str


_BADGES = {"evaluated": "evaluated", "reported": "third-party report", "own-account": "own account",
           "impression": "impression"}

#: Strongest first; ids, labels, weights and reliabilities are those of :mod:`kb.evidence`.
GRADES: tuple[Grade, ...] = tuple(
    Grade(g.id, g.label, g.weight, model.RELIABILITIES[g.reliability], g.reliability, _BADGES.get(g.id, g.id))
    for g in model.GRADES)
GRADE_IDS: tuple[str, ...] = tuple(g.id for g in GRADES)
_BY_ID = {g.id: g for g in GRADES}
_RANK = {g.id: len(GRADES) - n for n, g in enumerate(GRADES)}  # evaluated 4 ... impression 1

#: A claim without a recorded grade: weighed like an own account, shown as "grade not recorded".
UNGRADED = Grade("", "Grade not recorded", 0.5, "", "", "not graded")

#: Whom a claim is about, with the words the site uses.  Only ``self`` is the organisation's own.
SELF = model.DEFAULT_SCOPE
SCOPES: dict[str, str] = {scope: f"About {meaning}" for scope, meaning in model.SCOPES.items()}
#: The few words of each scope's badge.
SCOPE_BADGES: dict[str, str] = {"self": "about itself", "supported": "about organisations it supported",
                                "inspired": "about organisations it inspired", "franchised": "about its franchisees",
                                "general": "in general"}


def grade(grade_id: str | None) -> Grade:
    """The grade with this id, or :data:`UNGRADED` for a missing or unknown one."""
    return _BY_ID.get(grade_id or "", UNGRADED)


def grade_weight(grade_id: str | None) -> float:
    """How much a claim of this grade weighs in the analysis (0.25 to 1)."""
    return grade(grade_id).weight


def grade_label(grade_id: str | None) -> str:
    return grade(grade_id).label


def best_grade(*grade_ids: str | None) -> str:
    """The strongest of the grades given ("" if none is known)."""
    known = [g for g in grade_ids if g in _RANK]
    return max(known, key=_RANK.__getitem__) if known else ""


def meets_grade(grade_id: str | None, minimum: str | None) -> bool:
    """Whether a claim of ``grade_id`` passes a filter of at least ``minimum`` (None: any grade)."""
    if not minimum:
        return True
    return _RANK.get(grade_id or "", 0) >= _RANK[minimum]


def is_self(scope: str | None) -> bool:
    """Whether a claim is about the organisation itself (a missing scope is the default, ``self``)."""
    return (scope or SELF) == SELF


def scope_label(scope: str | None) -> str:
    return SCOPES.get(scope or SELF, f"About {scope}")
