"""Where things are on the site: the page of a graph node, of a passage, of a source; 404s that suggest pages.

Shared by every blueprint (each imports these public functions, never another view module's helpers).
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from kb.kinds import CONCEPT_FOLDERS, KINDS

from ..errors import not_found, page_names

__all__ = ["CONCEPT_FOLDERS", "KIND_PAGES", "KIND_TITLES", "about_links", "facet_url", "missing",
           "node_url", "passage_url", "source_refs"]

#: Concept kind -> (URL folder, title of its list page).
KIND_PAGES = {k.id: (k.folder, k.title) for k in KINDS}
#: What each kind of node is called, as a heading.
KIND_TITLES = {"organisation": "Case", **{k.id: k.label for k in KINDS}, "sector": "Sector", "country": "Country",
               "source": "Source"}
#: Kinds the case list can be filtered by (query arguments of /cases, combined with AND).
CASE_LIST_CONCEPT_FACETS = ("practice", "challenge", "outcome")
#: Case sections shown from structured data, and the ids of their headings on the case page.
STRUCTURED_ANCHORS = {"practices": "sec-practices", "challenges": "sec-challenges", "outcomes": "sec-outcomes",
                      "contested-claims": "sec-contested"}


def node_url(kind: str, node_id: str) -> str:
    """The page of a graph node: a case, a concept, the case list filtered by sector or country, a source."""
    if kind == "organisation":
        return url_for("cases.case", case_id=node_id)
    if kind in CONCEPT_FOLDERS:
        return f"/{CONCEPT_FOLDERS[kind]}/{node_id}"
    if kind in ("sector", "country"):
        return url_for("cases.cases", **{kind: node_id})
    return url_for("sources.source", source_id=node_id)


def passage_url(kind: str, owner_id: str, section_slug: str) -> str:
    """Where a passage is read: its case's page at its section, or its concept's page."""
    if kind == "organisation":
        anchor = STRUCTURED_ANCHORS.get(section_slug, f"section-{section_slug}")
        return url_for("cases.case", case_id=owner_id) + f"#{anchor}"
    return node_url(kind, owner_id)


def source_refs(ids: tuple[str, ...] | list[str], known: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Sources as a passage lists them: id, title, address and the site's page (for ``known`` ones)."""
    return [{"id": source, "title": (known.get(source) or {}).get("title") or source,
             "url": (known.get(source) or {}).get("url"),
             "page_url": url_for("sources.source", source_id=source) if source in known else None}
            for source in ids]


def facet_url(**selected: str | list[str]) -> str | None:
    """The case list filtered to cases that have all the given concepts, or None if it cannot say so.

    The case list filters by practice, challenge and outcome (not framework).
    """
    if any(kind not in CASE_LIST_CONCEPT_FACETS for kind in selected):
        return None
    return url_for("cases.cases", **selected)


def about_links(about: list[str] | None, profiles: dict[str, Any] | None) -> list[dict[str, str]]:
    """The groups a claim about others names, each linked to its case where it is one (``profiles``:
    case id -> profile with a ``name``, e.g. :attr:`kb.analysis.CaseIndex.profiles`)."""
    return [{"name": profiles[name].name if profiles and name in profiles else name,
             "url": url_for("cases.case", case_id=name) if profiles and name in profiles else ""}
            for name in about or ()]


def missing(kind: str, node_id: str, store: Any, description: str) -> Exception:
    """A 404 for a node id that does not exist, suggesting the closest ids of its kind (candidates built
    once per graph version)."""
    return not_found(description, node_id, *page_names(store, kind), url_of=lambda found: node_url(kind, found))
