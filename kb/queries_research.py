"""Named queries of the site's research pages (see kb.queries for the conventions)."""

from __future__ import annotations

from .named_query import NamedQuery

RESEARCH_QUERIES: list[NamedQuery] = []
