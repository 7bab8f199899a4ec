"""Named queries of the site's explore pages (see kb.queries for the conventions)."""

from __future__ import annotations

from .named_query import NamedQuery

EXPLORE_QUERIES: list[NamedQuery] = []
