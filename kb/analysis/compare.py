"""Comparable cases: explicit, additive scores over the case index, ranked with bit-sliced arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kb.analysis.index import _PLURAL, COMPARED_KINDS, SIZE_ORDER, CaseIndex, CaseProfile, CaseQuery, index_for
from kb.evidence import GRADE_IDS, grade_label, grade_weight

#: Context comes first: a practitioner compares organisations that do the same work, in the same
#: system, of the same kind and size, and only then looks at what they share.  Points per component:
SAME_SECTOR = 10.0          # a sector in common: more than all the shared concepts together
SAME_SERVICE = 6.0          # otherwise the same kind of service: sectors under a common broader sector
SAME_COUNTRY = 2.0          # the same country, and so the same health, care and public systems
SAME_KIND = 0.75            # the same kind of organisation (both charities, both companies...)
SAME_OWNERSHIP = 0.5        # otherwise the same family: public, non-profit or company
SAME_SIZE = 1.0
NEAR_SIZE = 0.5
#: What shared practices, frameworks and challenges are worth together at most.  Each shared
#: concept earns its share of this budget by rarity (rarer counts for more), times the weight of
#: its evidence: so sharing generic practices cannot outweigh a shared sector.
CONCEPT_BUDGET = 8.0  # less than a shared sector: context comes first
#: Deprecated name of :data:`SAME_SERVICE` (the related-sector component of earlier versions).
RELATED_SECTOR = SAME_SERVICE
#: Kinds of organisation grouped as public, non-profit or company.  Programmes in this knowledge base
#: are publicly commissioned pilots and test sites; networks, cooperatives, partnerships and schools
#: can be any of the three, so they match only their own kind.
OWNERSHIP = {"company": "company", "nonprofit": "non-profit", "charity": "non-profit",
             "social-enterprise": "non-profit", "public-body": "public", "programme": "public"}
# -- comparable cases ------------------------------------------------------------------------------

def query_for_case(index: CaseIndex, case_id: str) -> CaseQuery:
    """A case's own profile as a query: its practices, frameworks, challenges (with their evidence
    grades), sectors, country, kind and size."""
    profile, held = index.profiles[case_id], index.claims[case_id]
    grades = tuple((kind, concept, index.grade(case_id, kind, concept))
                   for kind in COMPARED_KINDS for concept in sorted(held[kind]))
    return CaseQuery(practices=frozenset(held["practice"]), frameworks=frozenset(held["framework"]),
                     challenges=frozenset(held["challenge"]), sectors=frozenset(profile.sectors),
                     country=profile.country, size_band=profile.size_band, kind=profile.kind, grades=grades)


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
    components = []
    shares = _concept_shares(index, query)
    for (kind, concept), share in shares.items():
        for grade_id in (*GRADE_IDS, ""):
            mask = index.grade_masks.get((kind, concept, grade_id), 0)
            if mask:
                components.append((mask, _cents(_concept_points(share, query.grade(kind, concept), grade_id))))
    same = service = 0
    for sector in query.sectors:
        same |= masks.get(("sector", sector), 0)
    for sector in _service_sectors(index, query.sectors):
        service |= masks.get(("sector", sector), 0)
    components += [(same, _cents(SAME_SECTOR)), (service & ~same, _cents(SAME_SERVICE))]
    if query.country:
        components.append((masks.get(("country", query.country), 0), _cents(SAME_COUNTRY)))
    if query.kind:
        same_kind, family = masks.get(("org_kind", query.kind), 0), 0
        for kind in _same_ownership(query.kind):
            family |= masks.get(("org_kind", kind), 0)
        components += [(same_kind, _cents(SAME_KIND)), (family & ~same_kind, _cents(SAME_OWNERSHIP))]
    if query.size_band in SIZE_ORDER:
        position, near = SIZE_ORDER.index(query.size_band), 0
        for band in SIZE_ORDER[max(position - 1, 0):position + 2]:
            if band != query.size_band:
                near |= masks.get(("size", band), 0)
        components += [(masks.get(("size", query.size_band), 0), _cents(SAME_SIZE)),
                       (near, _cents(NEAR_SIZE))]
    return [(mask, cents) for mask, cents in components if mask and cents]


def _cents(points: float) -> int:
    return round(points * 100)


def _concept_shares(index: CaseIndex, query: CaseQuery) -> dict[tuple[str, str], float]:
    """Each of the query's concepts that some case has -> its share of :data:`CONCEPT_BUDGET` (by rarity)."""
    rarities = {(kind, concept): index.rarity(kind, concept)
                for kind in COMPARED_KINDS for concept in sorted(query.concepts(kind))
                if index.cases_with(kind, concept)}
    total = sum(rarities.values())
    return {key: value / total for key, value in rarities.items()} if total else {}


def _concept_points(share: float, query_grade: str | None, case_grade: str) -> float:
    """Points for one shared concept: its share of the budget times the weaker side's evidence weight."""
    weight = grade_weight(case_grade) if query_grade is None else min(grade_weight(query_grade),
                                                                       grade_weight(case_grade))
    return round(CONCEPT_BUDGET * share * weight, 2)


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


def _service_sectors(index: CaseIndex, sectors: Iterable[str]) -> set[str]:
    """Sectors of the same kind of service: sharing a broader sector with one of ``sectors`` (or being
    one of their broader or narrower sectors), without being one of them."""
    sectors = set(sectors)
    families = {top for sector in sectors for top in sector_ancestors(index, sector)}
    related = {s for s in index.sectors if families & set(sector_ancestors(index, s))}
    return related - sectors


def _common_broader(index: CaseIndex, query_sectors: Iterable[str], sector: str) -> str:
    """The nearest sector that ``sector`` and one of ``query_sectors`` both are or fall under."""
    mine = sector_ancestors(index, sector)
    theirs = {a for s in query_sectors for a in sector_ancestors(index, s)}
    return next((a for a in mine if a in theirs), "")


def _same_ownership(kind: str) -> list[str]:
    """Other kinds of organisation in the same public / non-profit / company family as ``kind``."""
    family = OWNERSHIP.get(kind)
    return [k for k, f in OWNERSHIP.items() if family and f == family and k != kind]


def explain_match(index: CaseIndex, query: CaseQuery, case_id: str) -> dict[str, Any]:
    """One case's score against ``query``, component by component (see :func:`rank_comparable`)."""
    profile, held = index.profiles[case_id], index.claims[case_id]
    reasons = []
    shares = _concept_shares(index, query)
    for kind in COMPARED_KINDS:
        for concept in sorted(query.concepts(kind) & held[kind].keys(), key=lambda c: index.name(kind, c)):
            n_with = len(index.cases_with(kind, concept))
            case_grade, query_grade = index.grade(case_id, kind, concept), query.grade(kind, concept)
            weight = grade_weight(case_grade) if query_grade is None else min(grade_weight(case_grade),
                                                                               grade_weight(query_grade))
            points = _concept_points(shares[(kind, concept)], query_grade, case_grade)
            evidence = f"evidence: {grade_label(case_grade).lower()}"
            if query_grade is not None:
                evidence += f" (yours: {grade_label(query_grade).lower()})"
            reason = _reason(kind, concept, index.name(kind, concept), points,
                             f"shared {kind}; {n_with} of {index.n_cases} cases have it; {evidence}; "
                             f"weight {weight:g}", n_with)
            reasons.append(reason | {"share": round(shares[(kind, concept)], 4), "weight": weight,
                                     "grade": case_grade, "grade_label": grade_label(case_grade),
                                     "query_grade": query_grade,
                                     "status": held[kind][concept]})
    reasons += _profile_reasons(index, query, profile)
    reasons = [r for r in reasons if r["points"]]
    subtotals = {group: 0.0 for group in ("practices", "frameworks", "challenges", "sector", "country", "kind",
                                          "size")}
    for reason in reasons:
        group = _PLURAL.get(reason["component"], reason["component"])
        subtotals[group] = round(subtotals[group] + reason["points"], 2)
    return {"id": profile.id, "name": profile.name, "country": profile.country,
            "country_name": profile.country_name, "sectors": list(profile.sectors), "kind": profile.kind,
            "size_band": profile.size_band, "staff": profile.staff, "summary": profile.summary,
            "score": round(sum(r["points"] for r in reasons), 2), "subtotals": subtotals, "reasons": reasons}


def _reason(component: str, key: str, name: str, points: float, why: str,
            cases_with: int | None = None) -> dict[str, Any]:
    return {"component": component, "id": key, "name": name, "points": points, "why": why, "cases_with": cases_with}


def _profile_reasons(index: CaseIndex, query: CaseQuery, profile: CaseProfile) -> list[dict[str, Any]]:
    reasons = []
    shared = sorted(query.sectors & set(profile.sectors))
    service = sorted(_service_sectors(index, query.sectors) & set(profile.sectors))
    if shared:
        names = ", ".join(index.sector_name(s) for s in shared)
        reasons.append(_reason("sector", ",".join(shared), names, SAME_SECTOR, f"same sector: {names}"))
    elif service:
        names = ", ".join(index.sector_name(s) for s in service)
        common = sorted({_common_broader(index, query.sectors, s) for s in service} - {""})
        under = ", ".join(index.sector_name(s) for s in common)
        reasons.append(_reason("sector", ",".join(service), names, SAME_SERVICE,
                               f"same kind of service: {names} (under {under})"))
    if query.country and query.country == profile.country:
        reasons.append(_reason("country", profile.country, profile.country_name, SAME_COUNTRY,
                               f"same country: {profile.country_name}"))
    if query.kind and profile.kind == query.kind:
        reasons.append(_reason("kind", profile.kind, profile.kind, SAME_KIND,
                               f"same kind of organisation: {profile.kind}"))
    elif query.kind and profile.kind in _same_ownership(query.kind):
        family = OWNERSHIP[query.kind]
        reasons.append(_reason("kind", profile.kind, family, SAME_OWNERSHIP,
                               f"also a {family} organisation: {profile.kind}"
                               f" (yours: {query.kind})"))
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
