"""How evidence is graded (blueprint ``evidence``): ``/evidence``, the grades and scopes with how many claims
have each; and the evidence filter (``scope``, ``grade``) of the pages that count claims."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from werkzeug.datastructures import MultiDict

from kb import analysis
from kb import evidence as grades
from kb.analysis.claims import grade_and_scope_counts

from ..badges import SCOPE_BADGES, grade_words
from ..store import get_store
from .base import page_route, respond

bp = Blueprint("evidence", __name__)


@page_route(bp, "/evidence")
def evidence(fmt: str):
    """How claims are graded and scoped, with how many claims of the knowledge base have each grade and scope."""
    index = analysis.index_for(get_store())
    # Counted once per index (every claim of the graph: about 960,000 rows, 300 ms, at 100,000 cases).
    by_grade, by_scope = index.memo("grade and scope counts", lambda: grade_and_scope_counts(index.claim_rows))
    data = {
        "grades": [grade_words(g) | {"claims": by_grade.get(g.id, 0)} for g in grades.GRADES],
        "not_recorded": {"label": grades.UNGRADED.label, "weight": grades.UNGRADED.weight,
                         "claims": by_grade.get("", 0)},
        "rules": [
            "A claim's grade comes from the best reliability among the sources it cites.",
            "A source written or co-written by the organisation's own people, or commissioned or paid for by it (its "
            "affiliation), is its own account for its claims, whatever else it is.",
            "A claim marked [uncertain] is one grade lower (never below a commentator's impression), except one whose "
            "best source is the organisation's own account: that grade already says only the organisation vouches "
            "for it.",
            "[contested] is a separate flag: sources disagree; the grade still says how strong the best source is.",
            "Only claims about the organisation itself count in comparisons, patterns and analytics; each weighs "
            "as much as its grade (the weight column), and the patterns can be limited to a minimum grade.",
        ],
        "scopes": [{"id": scope, "label": grades.scope_label(scope), "badge": SCOPE_BADGES[scope],
                    "counted": scope == "self", "claims": by_scope.get(scope, 0)} for scope in grades.SCOPES],
        "claims_total": len(index.claim_rows),
    }
    return respond(fmt, "evidence.html", data)


#: The ``scope`` choices of the pattern pages: only what organisations say about themselves (the
#: default), or also what they report about others and in general.
SCOPE_CHOICES = {"self": "Only claims about the organisation itself",
                 "all": "All claims, including those about organisations it supported, inspired or franchised "
                        "and about self-managing organisations in general"}


def evidence_filter(args: MultiDict) -> dict[str, Any]:
    """The pattern pages' filter from the URL: ``scope`` (``self`` or ``all``) and ``grade`` (a minimum
    grade, empty for any), with the values it could not use (with why) and the choices to offer."""
    ignored = []
    scope = args.get("scope", "self").strip() or "self"
    if scope not in SCOPE_CHOICES:
        ignored.append({"field": "scope", "value": scope, "why": f"not one of {', '.join(SCOPE_CHOICES)}"})
        scope = "self"
    grade = args.get("grade", "").strip()
    if grade and grade not in grades.GRADE_IDS:
        ignored.append({"field": "grade", "value": grade,
                        "why": f"not an evidence grade; known: {', '.join(grades.GRADE_IDS)}"})
        grade = ""
    label = "any grade" if not grade else grades.grade_label(grade).lower() + (
        "" if grade == grades.GRADE_IDS[0] else " or better")
    return {"scope": scope, "min_grade": grade or None, "ignored": ignored,
            "description": f"{SCOPE_CHOICES[scope]}; evidence: {label}",
            "choices": {"scope": [{"id": key, "label": text, "selected": key == scope}
                                  for key, text in SCOPE_CHOICES.items()],
                        "grade": [{"id": "", "label": "Any grade", "selected": not grade}]
                        + [{"id": g.id, "label": g.label if g.id == grades.GRADE_IDS[0] else f"{g.label} or better",
                            "selected": g.id == grade} for g in grades.GRADES]}}


def filter_args(selected: dict[str, Any]) -> dict[str, str]:
    """The filter as URL arguments, leaving out the defaults (so that default URLs stay short)."""
    return {key: value for key, value in (("scope", selected["scope"]), ("grade", selected["min_grade"] or ""))
            if value and (key, value) != ("scope", "self")}
