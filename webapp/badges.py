"""The few words of each evidence badge: the site's wording of :mod:`kb.evidence`.

The grades and scopes themselves (ids, labels, weights, ranks) are defined once in
:mod:`kb.evidence`; only how the site abbreviates them on a badge lives here.  ``init_app``
makes them template globals for the evidence marks of every template (``evidence_macros.html``), and
gives templates the ``evidence_profile`` filter (claims -> their profile, :mod:`kb.analysis.profile`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kb import evidence
from kb.analysis.profile import evidence_profile

__all__ = ["GRADE_BADGES", "SCOPE_BADGES", "grade_words", "init_app", "scope_words"]

#: Grade id -> its badge ("" is a claim whose grade is not recorded).
GRADE_BADGES: dict[str, str] = {"evaluated": "independent evaluation", "reported": "third-party report",
                                "own-account": "own account", "impression": "impression", "": "not graded"}
#: Scope -> its badge.
SCOPE_BADGES: dict[str, str] = {"self": "about itself", "supported": "about organisations it supported",
                                "inspired": "about organisations it inspired", "franchised": "about its franchisees",
                                "general": "in general"}


def grade_words(grade: evidence.Grade) -> dict[str, Any]:
    """A grade as templates and the JSON twins show it: id, label, weight, reliability, sources, badge."""
    return {"id": grade.id, "label": grade.label, "weight": grade.weight, "reliability": grade.reliability,
            "sources": grade.sources, "badge": GRADE_BADGES.get(grade.id, grade.id)}


def scope_words(scope: str) -> dict[str, str]:
    """A scope as templates show it: its label and its badge."""
    return {"label": evidence.scope_label(scope), "badge": SCOPE_BADGES.get(scope, f"about {scope}")}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        evidence_grades={g.id: grade_words(g) for g in evidence.GRADES},
        evidence_ungraded=grade_words(evidence.UNGRADED),
        claim_scopes={scope: scope_words(scope) for scope in evidence.SCOPES})
    app.add_template_filter(evidence_profile)
