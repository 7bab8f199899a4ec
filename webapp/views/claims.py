"""How claims are shown on case and concept pages: each figure under the claim it was written under and each
view under its disputed claim (matched by :mod:`kb.analysis.claims`), and the groups a claim about others
names, linked to their cases."""

from __future__ import annotations

from typing import Any

from kb.analysis import CaseIndex
from kb.analysis.claims import figures_by_claim, views_by_claim
from kb.figures import figure_row_text

from .links import about_links

__all__ = ["figure_text", "with_about", "with_figures", "with_views"]


def with_views(claims: list[dict[str, Any]], views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each disputed claim with its views (:func:`kb.analysis.claims.views_by_claim`)."""
    return [{**claim, "sources": claim["sources"] or [],
             "views": [{"text": view["text"], "sources": view["sources"] or [], "line": view["line"]}
                       for view in on_it]}
            for claim, on_it in zip(claims, views_by_claim(claims, views), strict=True)]


def with_figures(claims: list[dict[str, Any]], figures: list[dict[str, Any]], organisation: str | None = None,
                 index: CaseIndex | None = None) -> list[dict[str, Any]]:
    """Each claim with the figures written under it (:func:`kb.analysis.claims.figures_by_claim`), each figure
    with its own scope and grade (``index``: to link the cases a figure about others names)."""
    profiles = index.profiles if index else None
    for claim, under in zip(claims, figures_by_claim(claims, figures, organisation), strict=True):
        claim["figures"] = [
            {key: figure[key] for key in ("id", "value", "value_max", "unit", "description", "year", "status", "line")}
            | {"sources": figure["sources"] or [], "text": figure_text(figure),
               "scope": figure.get("scope") or "self", "evidence": figure.get("evidence") or "",
               "about": figure.get("about") or [], "about_links": about_links(figure.get("about"), profiles)}
            for figure in under]
    return claims


def with_about(rows: list[dict[str, Any]], index: CaseIndex) -> list[dict[str, Any]]:
    """Add ``about_links`` to claim rows (see :func:`webapp.views.links.about_links`)."""
    for row in rows:
        row["about_links"] = about_links(row.get("about"), index.profiles)
    return rows


def figure_text(figure: dict[str, Any]) -> str:
    """A figure as people read it (:func:`kb.figures.figure_row_text`), e.g. ``18% of staff left (2016)``."""
    return figure_row_text(figure)
