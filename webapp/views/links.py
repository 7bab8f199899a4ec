"""Where things are on the site: the page of a graph node, of a passage, of a source; 404s that suggest pages.

Shared by every blueprint (each imports these public functions, never another view module's helpers).
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, url_for

from kb.kinds import CONCEPT_FOLDERS, KINDS

from ..errors import not_found, page_names

__all__ = ["CONCEPT_FOLDERS", "KIND_PAGES", "KIND_TITLES", "about_links", "case_url", "facet_url", "missing",
           "node_url", "passage_url", "source_page_url", "source_refs"]

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


#: An id made only of characters a URL never escapes (RFC 3986's unreserved, not starting with a dot): its
#: address is the route's beginning followed by the id itself, exactly as ``url_for`` writes it.
_PLAIN_ID = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")
_PLACEHOLDER = "kb-id-placeholder"


def _page_url(endpoint: str, argument: str, value: str) -> str:
    """``url_for(endpoint, argument=value)``, with the route's beginning made once per request: a concept page
    links a few hundred cases and sources, and each ``url_for`` matched the route again (a quarter of the
    template's time on a practice's page)."""
    if not _PLAIN_ID.fullmatch(value):
        return url_for(endpoint, **{argument: value})
    prefixes = g.setdefault("kb_url_prefixes", {})
    prefix = prefixes.get(endpoint)
    if prefix is None:
        sample = url_for(endpoint, **{argument: _PLACEHOLDER})
        prefix = prefixes[endpoint] = sample[:-len(_PLACEHOLDER)] if sample.endswith(_PLACEHOLDER) else ""
    return prefix + value if prefix else url_for(endpoint, **{argument: value})


def case_url(case_id: str) -> str:
    """A case's page (as ``url_for("cases.case", case_id=...)``)."""
    return _page_url("cases.case", "case_id", case_id)


def source_page_url(source_id: str) -> str:
    """A source's page (as ``url_for("sources.source", source_id=...)``)."""
    return _page_url("sources.source", "source_id", source_id)


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
             "page_url": source_page_url(source) if source in known else None}
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
