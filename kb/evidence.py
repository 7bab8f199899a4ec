"""The evidence vocabulary: whom a claim is about (scope), how reliable a source is, how strong a claim is.

Defined once here and shared by every stage (like :mod:`kb.problems`): the body parser reads
``[about: …]`` marks, the validator checks them, the model grades every claim, the graph writes
``scope`` and ``evidence`` on every relationship and claim node, the analysis weighs and filters
by grade.  The few words of each badge belong to the site (``webapp.badges``);
docs/case-format.md explains all of it to contributors.

A claim's **evidence grade** is derived, never written by hand:

1. Each cited source counts with its ``reliability`` — except that a source whose ``affiliation``
   names the claim's organisation (its own people wrote it, or it commissioned or paid for it) is
   that organisation's own account, ``self-reported`` at best, whatever its ``reliability`` says.
2. The best of the cited sources gives the grade.
3. ``[uncertain]`` lowers it one step (never below ``impression``) — but not below an own account
   when the best source is the organisation's own: that grade already says that only the
   organisation vouches for it, so the same weakness is not counted twice.

``[contested]`` is a separate flag, not a grade.

>>> grade_for(["third-party", "opinion"])
'reported'
>>> grade_for(["independent"], status="uncertain")
'reported'
>>> grade_for(["self-reported"], status="uncertain")   # rule 3: counted once
'own-account'
>>> grade_for(["opinion"], status="uncertain")
'impression'
>>> grade_for([])
'impression'

A grade id not recorded (a store loaded before grades existed) or unknown is :data:`UNGRADED`: it
weighs like an own account and passes only the "any grade" filter.

>>> grade("reported").weight, grade(None).weight, grade("nonsense") is UNGRADED
(0.75, 0.5, True)
>>> meets_grade("own-account", "reported"), meets_grade("evaluated", "reported"), meets_grade(None, None)
(False, True, True)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SCOPE",
    "GRADES",
    "GRADE_IDS",
    "OLD_RELIABILITY",
    "OWN_RELIABILITY",
    "RELIABILITIES",
    "SCOPES",
    "SELF",
    "UNGRADED",
    "Grade",
    "best_grade",
    "grade",
    "grade_for",
    "grade_label",
    "grade_weight",
    "is_case_id",
    "is_self",
    "meets_grade",
    "names_organisation",
    "reliability_for",
    "scope_label",
]

#: Whom a claim is about.  ``self`` (the organisation of the case file) is the default.
SCOPES: dict[str, str] = {
    "self": "the organisation of this case file",
    "supported": "organisations it supported, advised or helped",
    "inspired": "organisations it inspired or that copied its model",
    "franchised": "its franchisees or licensees",
    "general": "self-managing organisations in general",
}
DEFAULT_SCOPE = SELF = "self"

#: Source reliability (front matter ``sources[].reliability``), strongest first.
RELIABILITIES: dict[str, str] = {
    "independent": "independent evaluation, peer-reviewed or academic study, official inspection or audit",
    "third-party": "reporting by a third party: journalism, books, others' case studies and reports",
    "self-reported": "the organisation's own account: its website, reports, its leaders' talks or posts",
    "opinion": "a single commentator's impression: a personal blog, an opinion piece",
}
#: The reliability of an organisation's own account: the best a source affiliated with it can count as.
OWN_RELIABILITY = "self-reported"

#: The values used before the evidence model, and what each usually becomes (for the validator's hint).
OLD_RELIABILITY: dict[str, str] = {
    "primary": "independent for an evaluation, study or audit; self-reported for the organisation's own document",
    "secondary": "third-party for journalism, books and others' reports; opinion for a personal blog",
    "weak": "opinion for a personal blog or comment; third-party for a wiki or a copy of others' reporting",
}


@dataclass(frozen=True)
class Grade:
    """One evidence grade."""

    id: str
    label: str  # shown to people
    weight: float  # how much a claim of this grade weighs in the analysis (0.25 to 1)
    reliability: str  # the source reliability (front matter) that earns it
    sources: str  # what kind of source earns it, in words

    @property
    def strength(self) -> int:
        """Higher is stronger: evaluated 4 ... impression 1, not recorded 0."""
        return _STRENGTH.get(self.id, 0)


#: Evidence grades, strongest first.
GRADES: tuple[Grade, ...] = tuple(
    Grade(grade_id, label, weight, reliability, RELIABILITIES[reliability])
    for grade_id, label, weight, reliability in (
        ("evaluated", "Independent evaluation", 1.0, "independent"),
        ("reported", "Third-party report", 0.75, "third-party"),
        ("own-account", "Organisation's own account", 0.5, OWN_RELIABILITY),
        ("impression", "Commentator's impression", 0.25, "opinion"),
    ))
GRADE_IDS: tuple[str, ...] = tuple(g.id for g in GRADES)
#: A claim without a recorded (or with an unknown) grade: weighed like an own account.
UNGRADED = Grade("", "Grade not recorded", 0.5, "", "")

_BY_ID = {g.id: g for g in GRADES}
#: The one rank table: higher is stronger.
_STRENGTH = {g.id: len(GRADES) - n for n, g in enumerate(GRADES)}
_BY_RELIABILITY = {g.reliability: g for g in GRADES}
_OWN = _BY_RELIABILITY[OWN_RELIABILITY]
_WEAKEST = GRADES[-1]


def grade(grade_id: str | None) -> Grade:
    """The grade with this id, or :data:`UNGRADED` for a missing or unknown one.

    >>> grade("own-account").label
    "Organisation's own account"
    """
    return _BY_ID.get(grade_id or "", UNGRADED)


def grade_weight(grade_id: str | None) -> float:
    """How much a claim of this grade weighs in the analysis (0.25 to 1)."""
    return grade(grade_id).weight


def grade_label(grade_id: str | None) -> str:
    return grade(grade_id).label


def best_grade(*grade_ids: str | None) -> str:
    """The strongest of the grades given ("" if none is known).

    >>> best_grade("impression", None, "reported"), best_grade(None)
    ('reported', '')
    """
    return max((grade(g) for g in grade_ids), key=lambda g: g.strength, default=UNGRADED).id


def meets_grade(grade_id: str | None, minimum: str | None) -> bool:
    """Whether a claim of ``grade_id`` passes a filter of at least ``minimum`` (None: any grade)."""
    if not minimum:
        return True
    return grade(grade_id).strength >= grade(minimum).strength


def grade_for(reliabilities: Iterable[str], status: str = "") -> str:
    """The grade id of a claim whose cited sources have these (effective) reliabilities.

    Give each source's reliability through :func:`reliability_for` so that the organisation's own
    sources count as its own account.  A source without a (known) reliability counts as a
    commentator's impression: nothing vouches for it.
    """
    best = max((_BY_RELIABILITY.get(r, _WEAKEST) for r in reliabilities), key=lambda g: g.strength,
               default=_WEAKEST)
    if status == "uncertain" and best is not _OWN:
        best = GRADES[min(GRADES.index(best) + 1, len(GRADES) - 1)]
    return best.id


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def names_organisation(affiliation: Iterable[str], names: Iterable[str]) -> bool:
    """Whether a source's ``affiliation`` names an organisation known by these names (id, name, aliases).

    Compared without case and extra spaces.

    >>> names_organisation(["Buurtzorg Nederland", "NHS England"], ["buurtzorg", "Buurtzorg  nederland"])
    True
    >>> names_organisation(["zappos"], ["buurtzorg", "Buurtzorg Nederland"])
    False
    """
    own = {_folded(n) for n in names if isinstance(n, str) and n}
    return any(isinstance(a, str) and _folded(a) in own for a in affiliation)


def reliability_for(reliability: str, affiliation: Iterable[str], names: Iterable[str]) -> str:
    """How reliable a source is for claims of the organisation with these names (id, name, aliases).

    Its own account at best when the affiliation names it, whatever the source's ``reliability``.

    >>> reliability_for("independent", ["zappos"], ["zappos", "Zappos.com"])
    'self-reported'
    >>> reliability_for("opinion", ["zappos"], ["zappos"]), reliability_for("independent", ["zappos"], ["morning-star"])
    ('opinion', 'independent')
    """
    if not names_organisation(affiliation, names):
        return reliability
    given = _BY_RELIABILITY.get(reliability, _WEAKEST)
    return reliability if given.strength <= _OWN.strength else OWN_RELIABILITY


def is_self(scope: str | None) -> bool:
    """Whether a claim is about the organisation itself (a missing scope is the default, ``self``)."""
    return (scope or SELF) == SELF


def scope_label(scope: str | None) -> str:
    """The words for a scope, as a sentence start.

    >>> scope_label("general"), scope_label(None), scope_label("elsewhere")
    ('About self-managing organisations in general', 'About the organisation of this case file', 'About elsewhere')
    """
    meaning = SCOPES.get(scope or SELF)
    return f"About {meaning}" if meaning else f"About {scope}"


_CASE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_case_id(name: str) -> bool:
    """Whether a group in ``[about: kind: …]`` is written as a case id (else it is a name in words).

    Validation makes sure an id names a case, so the graph can link the claim to it.

    >>> is_case_id("zappos"), is_case_id("other Dutch care providers")
    (True, False)
    """
    return bool(_CASE_ID.fullmatch(name))
