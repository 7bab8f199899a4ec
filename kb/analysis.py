"""Patterns across cases, computed in Python from a few whole-graph extracts.

The explore pages (comparable cases, concept pages, patterns) read the graph through a handful
of named queries (``kb.queries_explore``) and compute here, so that both stores give the same
answers.  Everything is built once per graph version into a :class:`CaseIndex`:

- ``claims``: case -> kind -> concept -> status (``""``, ``"uncertain"`` or ``"contested"``);
- ``postings``: an inverted index from each feature (a concept, a sector, a country, a size band)
  to the cases that have it, kept both as sets and as bitmasks (one bit per case, in name order);
- ``rarity``: each concept's weight, an IDF over cases, so that sharing a rare practice counts
  for more than sharing one nearly everybody uses.

Comparable cases are scored by adding up explicit components: one per shared practice,
framework or challenge (its rarity), one for the same or a related sector, one for the same
country and one for the same or a neighbouring size band.  Every result lists its components,
and its score is their sum.

Ranking adds each component's points to every case on its posting list at once, with
bit-sliced arithmetic on Python integers (one integer per bit of the scores, one bit per case),
then picks the best cases plane by plane with population counts.  Every step is a C-level
operation on a 10,000-bit integer, so a ranking over 10,000 cases takes about a millisecond
whatever the query; only the best ``limit`` cases are then explained in Python.

>>> index = build_index(
...     [{"id": "a", "name": "A", "country": "NL", "sectors": ["care"], "size_band": "50-249"},
...      {"id": "b", "name": "B", "country": "NL", "sectors": ["care"], "size_band": "50-249"},
...      {"id": "c", "name": "C", "country": "US", "sectors": ["retail"], "size_band": "10000+"}],
...     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams", "status": None},
...      {"organisation": "b", "type": "USES_PRACTICE", "concept": "teams", "status": None},
...      {"organisation": "c", "type": "USES_PRACTICE", "concept": "open-books", "status": None}])
>>> [(m["id"], m["score"]) for m in rank_comparable(index, query_for_case(index, "a"), exclude={"a"})]
[('b', 5.79)]
>>> [(r["component"], r["points"]) for r in rank_comparable(index, query_for_case(index, "a"))[1]["reasons"]]
[('practice', 1.29), ('sector', 2.0), ('country', 1.0), ('size', 1.5)]
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx

from .model import SIZE_BANDS

__all__ = [
    "COMPARED_KINDS", "KINDS", "SIZE_ORDER", "CaseIndex", "CaseProfile", "CaseQuery", "ConceptInfo", "Matrix",
    "alongside", "build_index", "centrality", "comparable_cases", "cooccurrence_graph", "cross_matrix",
    "explain_match", "index_for", "load_index", "most_connected", "practice_graph", "query_for_case",
    "rank_comparable", "rarity", "top_pairs",
]

#: Relationship type of a claim -> the kind of concept it is about.
KIND_OF_REL = {"USES_PRACTICE": "practice", "USES_FRAMEWORK": "framework", "FACED": "challenge",
               "REPORTED": "outcome"}
KINDS = ("practice", "framework", "challenge", "outcome")
#: What a comparison matches on: what an organisation does and what it met.  Outcomes are
#: results, not circumstances, so they are shown on the pages but do not make cases comparable.
COMPARED_KINDS = ("practice", "framework", "challenge")
#: Size bands from smallest to largest (``kb.model.size_band`` names them).
SIZE_ORDER = (*(band for _limit, band in SIZE_BANDS), "10000+")

# Points for the profile components; shared concepts score their rarity instead (1 to about 1 + ln N).
SAME_SECTOR = 2.0
RELATED_SECTOR = 1.0
SAME_COUNTRY = 1.0
SAME_SIZE = 1.5
NEAR_SIZE = 0.75

_STATUS_RANK = {"": 0, "uncertain": 1, "contested": 2}
_PLURAL = {"practice": "practices", "framework": "frameworks", "challenge": "challenges", "outcome": "outcomes"}


@dataclass(frozen=True)
class CaseProfile:
    """What the comparison and the lists need to know about one organisation."""

    id: str
    name: str
    country: str = ""
    country_name: str = ""
    sectors: tuple[str, ...] = ()
    size_band: str = "unknown"
    staff: float | None = None
    kind: str = ""
    status: str = ""
    summary: str = ""


@dataclass(frozen=True)
class ConceptInfo:
    """One practice, challenge, outcome or framework of the vocabulary."""

    kind: str
    id: str
    name: str
    definition: str = ""
    aliases: tuple[str, ...] = ()
    broader: str = ""
    body: str = ""
    file: str = ""


@dataclass(frozen=True)
class CaseQuery:
    """What to compare against: a case's own profile, or one a practitioner describes."""

    practices: frozenset[str] = frozenset()
    frameworks: frozenset[str] = frozenset()
    challenges: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    country: str = ""
    size_band: str = ""

    def concepts(self, kind: str) -> frozenset[str]:
        return getattr(self, _PLURAL[kind])

    def is_empty(self) -> bool:
        return not (self.practices or self.frameworks or self.challenges or self.sectors or self.country
                    or self.size_band in SIZE_ORDER)


@dataclass
class CaseIndex:
    """Cases, claims and vocabulary of one graph version, indexed for the explore pages.

    Build it with :func:`build_index` (from rows) or :func:`index_for` (from a store, cached).
    """

    profiles: dict[str, CaseProfile]
    claims: dict[str, dict[str, dict[str, str]]]
    concepts: dict[str, dict[str, ConceptInfo]]
    sectors: dict[str, tuple[str, str]]
    includes: dict[str, tuple[str, ...]]
    postings: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    #: Case ids in (name, id) order; a case's position is its bit in ``masks``.
    #: (kind, concept, "contested" or "uncertain") -> the cases whose claim about it is marked so.
    doubtful: dict[tuple[str, str, str], frozenset[str]] = field(default_factory=dict, repr=False)
    order: tuple[str, ...] = ()
    bits: dict[str, int] = field(default_factory=dict, repr=False)
    masks: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def n_cases(self) -> int:
        return len(self.profiles)

    def cases_with(self, kind: str, value: str) -> frozenset[str]:
        """Cases that have a feature: a concept of ``kind``, or a ``sector``, ``country`` or ``size``."""
        return self.postings.get((kind, value), frozenset())

    def rarity(self, kind: str, concept: str) -> float:
        """The points a shared concept is worth (see :func:`rarity`)."""
        return rarity(self.n_cases, len(self.cases_with(kind, concept)))

    def name(self, kind: str, concept: str) -> str:
        info = self.concepts.get(kind, {}).get(concept)
        return info.name if info else concept

    def sector_name(self, sector: str) -> str:
        return self.sectors.get(sector, (sector, ""))[0]

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value computed once per index (the index itself is rebuilt when the graph changes)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


def rarity(n_cases: int, n_with: int) -> float:
    """Points for sharing a concept that ``n_with`` of ``n_cases`` cases have: smoothed IDF, 2 decimals.

    A concept every case has is worth 1; one only a single case has is worth about 1 + ln(N/2).

    >>> rarity(25, 25), rarity(25, 9), rarity(25, 1)
    (1.0, 1.96, 3.56)
    """
    return round(math.log((1 + n_cases) / (1 + n_with)) + 1, 2)


def build_index(profile_rows: Iterable[Mapping[str, Any]], claim_rows: Iterable[Mapping[str, Any]],
                concept_rows: Iterable[Mapping[str, Any]] = (), sector_rows: Iterable[Mapping[str, Any]] = (),
                include_rows: Iterable[Mapping[str, Any]] = ()) -> CaseIndex:
    """Index rows shaped like the ``explore_*`` named queries' results."""
    profiles = {row["id"]: _profile(row) for row in profile_rows}
    claims: dict[str, dict[str, dict[str, str]]] = {case: {kind: {} for kind in KINDS} for case in profiles}
    for row in claim_rows:
        kind, case = KIND_OF_REL[row["type"]], row["organisation"]
        if case not in claims:
            continue
        status = row.get("status") or ""
        held = claims[case][kind].get(row["concept"])
        # Two bullets on the same concept: keep the less certain status, so doubt stays visible.
        if held is None or _STATUS_RANK.get(status, 0) > _STATUS_RANK.get(held, 0):
            claims[case][kind][row["concept"]] = status
    concepts: dict[str, dict[str, ConceptInfo]] = {kind: {} for kind in KINDS}
    for row in concept_rows:
        kind = row["label"].lower()
        concepts[kind][row["id"]] = ConceptInfo(
            kind, row["id"], row["name"], row.get("definition") or "", tuple(row.get("aliases") or ()),
            row.get("broader") or "", row.get("body") or "", row.get("file") or "")
    sectors = {row["id"]: (row["name"], row.get("broader") or "") for row in sector_rows}
    includes: dict[str, list[str]] = defaultdict(list)
    for row in include_rows:
        includes[row["framework"]].append(row["practice"])
    index = CaseIndex(profiles, claims, concepts, sectors, {f: tuple(sorted(p)) for f, p in includes.items()})
    index.postings = _postings(index)
    doubtful: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for case, held in claims.items():
        for kind, statuses in held.items():
            for concept, status in statuses.items():
                if status in ("contested", "uncertain"):
                    doubtful[(kind, concept, status)].add(case)
    index.doubtful = {key: frozenset(cases) for key, cases in doubtful.items()}
    index.order = tuple(sorted(profiles, key=lambda case: (profiles[case].name, case)))
    index.bits = {case: bit for bit, case in enumerate(index.order)}
    index.masks = _masks(index.postings, index.bits)
    return index


def _profile(row: Mapping[str, Any]) -> CaseProfile:
    return CaseProfile(
        id=row["id"], name=row.get("name") or row["id"], country=row.get("country") or "",
        country_name=row.get("country_name") or row.get("country") or "",
        sectors=tuple(sorted(row.get("sectors") or ())), size_band=row.get("size_band") or "unknown",
        staff=row.get("staff"), kind=row.get("kind") or "", status=row.get("status") or "",
        summary=row.get("summary") or "")


def _postings(index: CaseIndex) -> dict[tuple[str, str], frozenset[str]]:
    building: dict[tuple[str, str], set[str]] = defaultdict(set)
    for case, profile in index.profiles.items():
        for sector in profile.sectors:
            building[("sector", sector)].add(case)
        if profile.country:
            building[("country", profile.country)].add(case)
        if profile.size_band in SIZE_ORDER:
            building[("size", profile.size_band)].add(case)
        for kind, held in index.claims[case].items():
            for concept in held:
                building[(kind, concept)].add(case)
    return {key: frozenset(cases) for key, cases in building.items()}


def _masks(postings: Mapping[tuple[str, str], frozenset[str]], bits: Mapping[str, int]) -> dict[tuple[str, str], int]:
    """Each posting list as an integer with the bits of its cases set."""
    masks = {}
    for key, cases in postings.items():
        field_bits = bytearray((len(bits) + 7) // 8)
        for case in cases:
            field_bits[bits[case] >> 3] |= 1 << (bits[case] & 7)
        masks[key] = int.from_bytes(field_bits, "little")
    return masks


def load_index(store: Any) -> CaseIndex:
    """Read the ``explore_*`` extracts from a store (any backend) and index them."""
    return build_index(store.query("explore_profiles"), store.query("explore_claim_rows"),
                       store.query("explore_concepts"), store.query("explore_sectors"),
                       store.query("explore_includes"))


# -- caching per graph version -------------------------------------------------------------------

#: Stores without a ``generation`` (Neo4j): seconds between fingerprint checks, and the most a
#: cached index may age even when the fingerprint (node and relationship totals) did not change.
FINGERPRINT_EVERY = 5.0
MAX_AGE = 300.0


@dataclass
class _Cached:
    index: CaseIndex
    version: Any
    built: float
    checked: float


# Keyed by the store object itself, weakly, so that a closed and dropped store frees its index.
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def index_for(store: Any, clock: Callable[[], float] = time.monotonic) -> CaseIndex:
    """The store's :class:`CaseIndex`, rebuilt only when the graph changed.

    The embedded store names its generation, which changes with every load.  Other stores are
    checked with the ``explore_fingerprint`` query at most every ``FINGERPRINT_EVERY`` seconds,
    and rebuilt after ``MAX_AGE`` seconds whatever the fingerprint says.
    """
    now = clock()
    generation = getattr(store, "generation", None)
    with _CACHE_LOCK:
        cached = _cached(store)
    if generation is not None:
        if cached and cached.version == ("generation", generation):
            return cached.index
        version: Any = ("generation", generation)
    else:
        if cached and now - cached.checked < FINGERPRINT_EVERY:
            return cached.index
        version = ("fingerprint", _fingerprint(store))
        if cached and cached.version == version and now - cached.built < MAX_AGE:
            cached.checked = now
            return cached.index
    index = load_index(store)
    # A store that cannot be weakly referenced is simply not cached.
    with _CACHE_LOCK, contextlib.suppress(TypeError):
        _CACHE[store] = _Cached(index, version, now, now)
    return index


def _cached(store: Any) -> _Cached | None:
    try:
        return _CACHE.get(store)
    except TypeError:
        return None


def _fingerprint(store: Any) -> tuple:
    rows = store.query("explore_fingerprint")
    return tuple(sorted(rows[0].items())) if rows else ()


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


# -- co-occurrence network ------------------------------------------------------------------------

def cooccurrence_graph(memberships: Mapping[str, Iterable[str]]) -> nx.Graph:
    """Items joined when one case has both: edge ``weight`` = number of such cases.

    Parameters
    ----------
    memberships : mapping
        Case id -> the items (e.g. practice ids) it has.

    Returns
    -------
    networkx.Graph
        One node per item with ``cases`` (sorted case ids); one edge per pair of items that some
        case has together, with ``weight`` and ``cases``.  Nodes and edges are added in sorted
        order, so that algorithms over the graph give the same answer every time.

    Examples
    --------
    >>> G = cooccurrence_graph({"c1": ["teams", "coaches"], "c2": ["teams", "coaches", "open-books"]})
    >>> G["teams"]["coaches"]["weight"], G.nodes["open-books"]["cases"]
    (2, ['c2'])
    """
    node_cases: dict[str, list[str]] = defaultdict(list)
    pair_cases: dict[tuple[str, str], list[str]] = defaultdict(list)
    for case in sorted(memberships):
        held = sorted(set(memberships[case]))
        for item in held:
            node_cases[item].append(case)
        for pair in combinations(held, 2):
            pair_cases[pair].append(case)
    # Counted in plain dicts first, then added in bulk: much faster than updating the graph pair by pair.
    graph = nx.Graph()
    graph.add_nodes_from((item, {"cases": node_cases[item]}) for item in sorted(node_cases))
    graph.add_edges_from((a, b, {"weight": len(cases), "cases": cases}) for (a, b), cases in sorted(pair_cases.items()))
    return graph


def centrality(graph: nx.Graph) -> dict[str, dict[str, float]]:
    """How connected each node of a co-occurrence graph is, four ways.

    Returns
    -------
    dict
        Node -> ``degree`` (number of neighbours), ``strength`` (sum of edge weights: how many
        times it appears alongside another item), ``betweenness`` (normalised share of shortest
        paths through it, counted in hops: how much it bridges otherwise separate items) and
        ``eigenvector`` (weighted: high when it co-occurs often with items that are themselves
        central).  Values are rounded to 3 decimals.

    Examples
    --------
    >>> star = nx.Graph([("hub", "a"), ("hub", "b"), ("hub", "c")])
    >>> centrality(star)["hub"]["betweenness"], centrality(star)["a"]["betweenness"]
    (1.0, 0.0)
    """
    if graph.number_of_nodes() == 0:
        return {}
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    try:
        eigenvector = nx.eigenvector_centrality(graph, max_iter=1000, weight="weight")
    except nx.PowerIterationFailedConvergence:  # not seen on co-occurrence graphs; degrade, do not fail
        eigenvector = dict.fromkeys(graph, 0.0)
    return {node: {"degree": graph.degree(node), "strength": graph.degree(node, weight="weight"),
                   "betweenness": round(betweenness[node], 3), "eigenvector": round(eigenvector[node], 3)}
            for node in graph}


def practice_graph(index: CaseIndex) -> nx.Graph:
    """The practice co-occurrence graph of an index (cached on it)."""
    return index.memo("practice_graph", lambda: cooccurrence_graph(
        {case: held["practice"] for case, held in index.claims.items()}))


def most_connected(index: CaseIndex, limit: int = 10) -> list[dict[str, Any]]:
    """The practices that co-occur most with others, with their centralities and closest partners.

    Ordered by strength (co-occurrences), then degree, then name.
    """
    graph = practice_graph(index)
    scores = index.memo("practice_centrality", lambda: centrality(graph))
    rows = []
    for practice, score in scores.items():
        partners = sorted(graph[practice].items(), key=lambda p: (-p[1]["weight"], index.name("practice", p[0])))
        rows.append({"id": practice, "name": index.name("practice", practice),
                     "cases": len(graph.nodes[practice]["cases"]), **score,
                     "partners": [{"id": other, "name": index.name("practice", other), "cases": edge["weight"]}
                                  for other, edge in partners[:3]]})
    rows.sort(key=lambda row: (-row["strength"], -row["degree"], row["name"]))
    return rows[:limit]


# -- matrices and concept neighbourhoods -----------------------------------------------------------

@dataclass(frozen=True)
class Matrix:
    """Counts of cases having a row concept and a column concept (non-empty cells only)."""

    row_kind: str
    col_kind: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: dict[tuple[str, str], tuple[str, ...]]

    def cases(self, row: str, col: str) -> tuple[str, ...]:
        return self.cells.get((row, col), ())


def cross_matrix(index: CaseIndex, row_kind: str, col_kind: str) -> Matrix:
    """The ``row_kind`` x ``col_kind`` matrix: for each pair, the cases that have both.

    Rows and columns with no case in any cell are left out; the rest are ordered by how many
    cases have them (most first), then by name.

    >>> index = build_index([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
    ...     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "a", "type": "FACED", "concept": "attrition"},
    ...      {"organisation": "b", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "b", "type": "FACED", "concept": "attrition"}])
    >>> cross_matrix(index, "practice", "challenge").cases("teams", "attrition")
    ('a', 'b')
    """
    cells = {}
    for row in _used(index, row_kind):
        row_cases = index.cases_with(row_kind, row)
        for col in _used(index, col_kind):
            both = row_cases & index.cases_with(col_kind, col) if (row_kind, row) != (col_kind, col) else None
            if both:
                cells[(row, col)] = tuple(sorted(both))

    def ordered(kind: str, ids: set[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda c: (-len(index.cases_with(kind, c)), index.name(kind, c), c)))

    return Matrix(row_kind, col_kind, ordered(row_kind, {r for r, _c in cells}),
                  ordered(col_kind, {c for _r, c in cells}), cells)


def _used(index: CaseIndex, kind: str) -> list[str]:
    """The concepts of ``kind`` that at least one case has, sorted by id."""
    return index.memo(("used", kind), lambda: sorted(c for k, c in index.postings if k == kind))


def alongside(index: CaseIndex, kind: str, concept: str, other_kind: str) -> list[dict[str, Any]]:
    """Concepts of ``other_kind`` that the cases having ``concept`` also have, with how much evidence.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``count`` (cases with both), ``share`` (of the cases with ``concept``,
        rounded to 2 decimals), ``cases`` (sorted ids), ``contested`` and ``uncertain`` (how many
        of those cases' claims about the other concept are marked so); most cases first.

    >>> index = build_index([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
    ...     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "a", "type": "REPORTED", "concept": "wellbeing", "status": "uncertain"},
    ...      {"organisation": "b", "type": "USES_PRACTICE", "concept": "teams"}])
    >>> [(o["id"], o["count"], o["share"], o["uncertain"]) for o in alongside(index, "practice", "teams", "outcome")]
    [('wellbeing', 1, 0.5, 1)]
    """
    having = index.cases_with(kind, concept)
    rows = []
    for other in _used(index, other_kind) if having else ():
        both = having & index.cases_with(other_kind, other)
        if not both or (other_kind, other) == (kind, concept):
            continue
        rows.append({"id": other, "name": index.name(other_kind, other), "count": len(both),
                     "share": round(len(both) / len(having), 2), "cases": sorted(both),
                     **{status: len(both & index.doubtful.get((other_kind, other, status), frozenset()))
                        for status in ("contested", "uncertain")}})
    return sorted(rows, key=lambda row: (-row["count"], row["name"], row["id"]))


def top_pairs(index: CaseIndex, matrix: Matrix, limit: int = 10, min_cases: int = 2) -> list[dict[str, Any]]:
    """For each row concept, the column concept its cases most often have: "those using X most often faced Y".

    Only rows whose best cell holds at least ``min_cases`` cases; ordered by that count, then by the
    share of the row's cases, then by name.  Each item: ``row``, ``row_name``, ``row_cases``,
    ``col``, ``col_name``, ``count``, ``share``, ``cases``.
    """
    pairs = []
    for row in matrix.rows:
        best = max(matrix.cols, key=lambda col: (len(matrix.cases(row, col)), -matrix.cols.index(col)))
        cases = matrix.cases(row, best)
        if len(cases) < min_cases:
            continue
        row_cases = len(index.cases_with(matrix.row_kind, row))
        pairs.append({"row": row, "row_name": index.name(matrix.row_kind, row), "row_cases": row_cases,
                      "col": best, "col_name": index.name(matrix.col_kind, best), "count": len(cases),
                      "share": round(len(cases) / row_cases, 2), "cases": list(cases)})
    pairs.sort(key=lambda p: (-p["count"], -p["share"], p["row_name"]))
    return pairs[:limit]
