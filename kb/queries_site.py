"""Named queries of the site's site pages (see kb.queries for the conventions)."""

from __future__ import annotations

from .named_query import NamedQuery

SITE_QUERIES: list[NamedQuery] = []
