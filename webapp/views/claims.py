"""How claims are shown on case and concept pages: each figure under the claim it was written under,
each view under its disputed claim, and the groups a claim about others names, linked to their cases."""

from __future__ import annotations

from typing import Any

from kb.analysis import CaseIndex
from kb.figures import figure_row_text

from .links import about_links

__all__ = ["figure_text", "with_about", "with_figures", "with_views"]


def with_views(claims: list[dict[str, Any]], views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach each disputed claim's views (matched by organisation and line) to the claim."""
    by_claim: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for view in views:
        by_claim.setdefault((view["organisation"], view["claim_line"]), []).append(
            {"text": view["text"], "sources": view["sources"] or [], "line": view["line"]})
    return [{**claim, "sources": claim["sources"] or [],
             "views": by_claim.get((claim["organisation"], claim["line"]), [])} for claim in claims]


def with_figures(claims: list[dict[str, Any]], figures: list[dict[str, Any]], organisation: str | None = None,
                 index: CaseIndex | None = None) -> list[dict[str, Any]]:
    """Attach every figure to the claim it was written under: the same organisation's last claim
    about the concept at or before the figure's line.  Rows may name the ``concept`` (one concept's
    page leaves it out); ``organisation`` is the one organisation of rows that do not name it.  A
    figure under a claim on another page of the list is left for that page.  Each figure keeps its
    own scope and grade (``index``: to link the cases a figure about others names).
    """
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for claim in claims:
        claim["figures"] = []
        by_key.setdefault((organisation or claim["organisation"], claim.get("concept", "")), []).append(claim)
    profiles = index.profiles if index else None
    for figure in figures:
        key = (organisation or figure["organisation"], figure.get("concept", ""))
        above = [c for c in by_key.get(key, []) if (c["line"] or 0) <= (figure["line"] or 0)]
        if above:
            max(above, key=lambda c: c["line"] or 0)["figures"].append(
                {key: figure[key] for key in ("id", "value", "value_max", "unit", "description", "year", "status",
                                              "line")}
                | {"sources": figure["sources"] or [], "text": figure_text(figure),
                   "scope": figure.get("scope") or "self", "evidence": figure.get("evidence") or "",
                   "about": figure.get("about") or [], "about_links": about_links(figure.get("about"), profiles)})
    return claims


def with_about(rows: list[dict[str, Any]], index: CaseIndex) -> list[dict[str, Any]]:
    """Add ``about_links`` to claim rows (see :func:`webapp.views.links.about_links`)."""
    for row in rows:
        row["about_links"] = about_links(row.get("about"), index.profiles)
    return rows


def figure_text(figure: dict[str, Any]) -> str:
    """A figure as people read it (:func:`kb.figures.figure_row_text`), e.g. ``18% of staff left (2016)``."""
    return figure_row_text(figure)
