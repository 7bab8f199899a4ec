"""The sector hierarchy of ``vocabulary/sectors.yaml`` over the case index: broader sectors, distances and
the cases under a sector (home care is near social care).  Used to compare cases and to count them."""

from __future__ import annotations

from collections.abc import Iterable

from kb.analysis.index import CaseIndex

__all__ = ["cases_under_sector", "common_broader", "sector_ancestors", "sector_distance"]


def sector_ancestors(index: CaseIndex, sector: str) -> list[str]:
    """The sector and its broader sectors, nearest first (a cycle in the vocabulary stops the walk)."""
    chain = [sector]
    while (broader := index.sectors.get(chain[-1], ("", ""))[1]) and broader not in chain:
        chain.append(broader)
    return chain


def cases_under_sector(index: CaseIndex, sector: str) -> set[str]:
    """The cases in a sector or in a narrower one: those a query for the sector finds in its sector."""
    narrower = [s for s in index.sectors if sector in sector_ancestors(index, s)]
    return set().union(*(index.cases_with("sector", s) for s in narrower))


def sector_distance(index: CaseIndex, sector: str, other: str) -> int | None:
    """Steps from one sector to another through their nearest common broader sector, None if none.

    >>> from kb.analysis.index import build_index
    >>> rows = [("care", ""), ("health", "care"), ("home", "health"), ("social", "care")]
    >>> index = build_index([], [], sector_rows=[{"id": s, "name": s, "broader": b} for s, b in rows])
    >>> [sector_distance(index, "home", other) for other in ("home", "health", "social")]
    [0, 1, 3]
    """
    mine, theirs = sector_ancestors(index, sector), sector_ancestors(index, other)
    steps = [up + theirs.index(common) for up, common in enumerate(mine) if common in theirs]
    return min(steps) if steps else None


def common_broader(index: CaseIndex, query_sectors: Iterable[str], sector: str) -> str:
    """The nearest sector that ``sector`` and one of ``query_sectors`` both are or fall under."""
    mine = sector_ancestors(index, sector)
    theirs = {a for s in query_sectors for a in sector_ancestors(index, s)}
    return next((a for a in mine if a in theirs), "")
