"""Comparable cases: explicit, additive scores over the case index, ranked with bit-sliced arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kb.analysis.index import _PLURAL, COMPARED_KINDS, SIZE_ORDER, CaseIndex, CaseProfile, CaseQuery, index_for

# Points for the profile components; shared concepts score their rarity instead (1 to about 1 + ln N).
SAME_SECTOR = 2.0
RELATED_SECTOR = 1.0
SAME_COUNTRY = 1.0
SAME_SIZE = 1.5
NEAR_SIZE = 0.75
# -- comparable cases ------------------------------------------------------------------------------

def query_for_case(index: CaseIndex, case_id: str) -> CaseQuery:
    """A case's own profile as a query: its practices, frameworks, challenges, sectors, country, size."""
    profile, held = index.profiles[case_id], index.claims[case_id]
    return CaseQuery(practices=frozenset(held["practice"]), frameworks=frozenset(held["framework"]),
                     challenges=frozenset(held["challenge"]), sectors=frozenset(profile.sectors),
                     country=profile.country, size_band=profile.size_band)


def rank_comparable(index: CaseIndex, query: CaseQuery, limit: int = 10,
                    exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The ``limit`` cases most like ``query``, best first, each with the reasons behind its score.

    Each component adds its points to all the cases on its posting list at once (bit-sliced, see
    the module's docstring); the best ``limit`` are picked from the bit planes and only they are
    explained.  Ties are broken by name, then id.  Cases that share nothing are never listed.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``country``, ``country_name``, ``sectors``, ``size_band``, ``staff``,
        ``summary``, ``score``, ``subtotals`` (points per component group) and ``reasons`` (one per
        component: ``component``, ``id``, ``name``, ``points``, ``why`` and, for a shared concept,
        ``cases_with``: how many cases have it).  ``score`` is the sum of
        the reasons' points.
    """
    components = _components(index, query)
    candidates = 0
    for mask, _cents in components:
        candidates |= mask
    for case in exclude:
        if case in index.bits:
            candidates &= ~(1 << index.bits[case])
    planes: list[int] = []
    for mask, cents in components:
        _add_to_lanes(planes, mask, cents)
    best = _best_lanes(planes, candidates, limit)
    explained = [explain_match(index, query, index.order[bit]) for bit in _bits(best)]
    return sorted(explained, key=lambda match: (-match["score"], match["name"], match["id"]))


def _components(index: CaseIndex, query: CaseQuery) -> list[tuple[int, int]]:
    """(cases as a bitmask, points in hundredths) for every component; alternatives are disjoint."""
    masks = index.masks
    components = [(masks[(kind, concept)], round(index.rarity(kind, concept) * 100))
                  for kind in COMPARED_KINDS for concept in sorted(query.concepts(kind)) if (kind, concept) in masks]
    same = related = 0
    for sector in query.sectors:
        same |= masks.get(("sector", sector), 0)
    for sector in _related_sectors(index, query.sectors):
        related |= masks.get(("sector", sector), 0)
    components += [(same, round(SAME_SECTOR * 100)), (related & ~same, round(RELATED_SECTOR * 100))]
    if query.country:
        components.append((masks.get(("country", query.country), 0), round(SAME_COUNTRY * 100)))
    if query.size_band in SIZE_ORDER:
        position, near = SIZE_ORDER.index(query.size_band), 0
        for band in SIZE_ORDER[max(position - 1, 0):position + 2]:
            if band != query.size_band:
                near |= masks.get(("size", band), 0)
        components += [(masks.get(("size", query.size_band), 0), round(SAME_SIZE * 100)),
                       (near, round(NEAR_SIZE * 100))]
    return [(mask, cents) for mask, cents in components if mask]


def _add_to_lanes(planes: list[int], mask: int, value: int) -> None:
    """Add ``value`` to the score of every case in ``mask``; ``planes[j]`` holds bit j of every score.

    A ripple-carry adder run on all cases at once: each step is a few operations on whole integers.
    """
    carry, j = 0, 0
    while value or carry:
        if j == len(planes):
            planes.append(0)
        addend = mask if value & 1 else 0
        plane = planes[j]
        planes[j] = plane ^ addend ^ carry
        carry = (plane & addend) | (carry & (plane ^ addend))
        value >>= 1
        j += 1


def _best_lanes(planes: list[int], candidates: int, limit: int) -> int:
    """The ``limit`` candidates with the highest scores (ties: lowest bits, i.e. by name) as a bitmask.

    From the highest bit plane down: if at least ``needed`` candidates have this bit set, the best
    are among them; otherwise all of those are in, and the rest are sought among the others.  What
    is left at the end are candidates with equal scores, of which the first ``needed`` are taken.
    """
    if candidates.bit_count() <= limit:
        return candidates
    chosen, needed = 0, limit
    for plane in reversed(planes):
        ones = candidates & plane
        count = ones.bit_count()
        if count >= needed:
            candidates = ones
        else:
            chosen, needed, candidates = chosen | ones, needed - count, candidates & ~plane
    for _ in range(needed):
        lowest = candidates & -candidates
        chosen, candidates = chosen | lowest, candidates ^ lowest
    return chosen


def _bits(mask: int) -> list[int]:
    """Positions of the set bits of ``mask``, lowest first."""
    positions = []
    while mask:
        lowest = mask & -mask
        positions.append(lowest.bit_length() - 1)
        mask ^= lowest
    return positions


def _related_sectors(index: CaseIndex, sectors: Iterable[str]) -> set[str]:
    """Sectors one step away in the hierarchy: broader, narrower, or under the same broader sector."""
    sectors = set(sectors)
    broader = {index.sectors.get(s, ("", ""))[1] for s in sectors} - {""}
    related = {s for s, (_name, parent) in index.sectors.items() if parent and (parent in sectors or parent in broader)}
    return (related | broader) - sectors


def explain_match(index: CaseIndex, query: CaseQuery, case_id: str) -> dict[str, Any]:
    """One case's score against ``query``, component by component (see :func:`rank_comparable`)."""
    profile, held = index.profiles[case_id], index.claims[case_id]
    reasons = []
    for kind in COMPARED_KINDS:
        for concept in sorted(query.concepts(kind) & held[kind].keys(), key=lambda c: index.name(kind, c)):
            n_with = len(index.cases_with(kind, concept))
            reasons.append(_reason(kind, concept, index.name(kind, concept), index.rarity(kind, concept),
                                   f"shared {kind}; {n_with} of {index.n_cases} cases have it", n_with))
    reasons += _profile_reasons(index, query, profile)
    subtotals = {group: 0.0 for group in ("practices", "frameworks", "challenges", "sector", "country", "size")}
    for reason in reasons:
        group = _PLURAL.get(reason["component"], reason["component"])
        subtotals[group] = round(subtotals[group] + reason["points"], 2)
    return {"id": profile.id, "name": profile.name, "country": profile.country,
            "country_name": profile.country_name, "sectors": list(profile.sectors),
            "size_band": profile.size_band, "staff": profile.staff, "summary": profile.summary,
            "score": round(sum(r["points"] for r in reasons), 2), "subtotals": subtotals, "reasons": reasons}


def _reason(component: str, key: str, name: str, points: float, why: str,
            cases_with: int | None = None) -> dict[str, Any]:
    return {"component": component, "id": key, "name": name, "points": points, "why": why, "cases_with": cases_with}


def _profile_reasons(index: CaseIndex, query: CaseQuery, profile: CaseProfile) -> list[dict[str, Any]]:
    reasons = []
    shared = sorted(query.sectors & set(profile.sectors))
    related = sorted(_related_sectors(index, query.sectors) & set(profile.sectors))
    if shared:
        names = ", ".join(index.sector_name(s) for s in shared)
        reasons.append(_reason("sector", ",".join(shared), names, SAME_SECTOR, f"same sector: {names}"))
    elif related:
        names = ", ".join(index.sector_name(s) for s in related)
        reasons.append(_reason("sector", ",".join(related), names, RELATED_SECTOR, f"related sector: {names}"))
    if query.country and query.country == profile.country:
        reasons.append(_reason("country", profile.country, profile.country_name, SAME_COUNTRY,
                               f"same country: {profile.country_name}"))
    if query.size_band in SIZE_ORDER and profile.size_band in SIZE_ORDER:
        gap = abs(SIZE_ORDER.index(query.size_band) - SIZE_ORDER.index(profile.size_band))
        if gap == 0:
            reasons.append(_reason("size", profile.size_band, profile.size_band, SAME_SIZE,
                                   f"same size band: {profile.size_band} staff"))
        elif gap == 1:
            reasons.append(_reason("size", profile.size_band, profile.size_band, NEAR_SIZE,
                                   f"neighbouring size band: {profile.size_band} staff (yours: {query.size_band})"))
    return reasons


def comparable_cases(store: Any, case_id: str, limit: int = 5) -> list[dict[str, Any]]:
    """The cases most comparable to ``case_id`` in ``store``, with reasons; ``[]`` for an unknown id.

    The result dicts are those of :func:`rank_comparable`; the index is cached per graph version.
    """
    index = index_for(store)
    if case_id not in index.profiles:
        return []
    return rank_comparable(index, query_for_case(index, case_id), limit=limit, exclude={case_id})
