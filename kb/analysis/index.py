"""The case index: every case's profile and claims, inverted and weighted, built once per graph version.

>>> index = build_index([{"id": "a", "name": "A", "country": "NL", "sectors": ["care"], "size_band": "1-9"}],
...                     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams", "status": None}])
>>> index.claims["a"]["practice"]
{'teams': ''}
"""

from __future__ import annotations

import itertools
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.evidence import best_grade, is_self, meets_grade
from kb.graph.model import SIZE_BANDS
from kb.kinds import CONCEPT_FOLDERS, KIND_OF_CLAIM_TYPE
from kb.store import GraphStore
from kb.store.versioned import derived

#: Relationship type of a claim -> the kind of concept it is about.
KIND_OF_REL = KIND_OF_CLAIM_TYPE
KINDS = tuple(CONCEPT_FOLDERS)
#: What a described organisation can state in the compare form: what it does and what it met (a
#: case compared with others also brings its outcomes, see ``kb.analysis.compare.SCORED_KINDS``).
COMPARED_KINDS = ("practice", "framework", "challenge")
#: Size bands from smallest to largest (``kb.graph.model.size_band`` names them).
SIZE_ORDER = (*(band for _limit, band in SIZE_BANDS), "10000+")


_STATUS_RANK = {"": 0, "uncertain": 1, "contested": 2}
_PLURAL = CONCEPT_FOLDERS  # a profile's attribute for each kind is named like its folder


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
    #: Outcomes reported: a case's own, or those a practitioner wants to compare on.
    outcomes: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    country: str = ""
    size_band: str = ""
    #: The kind of organisation (``company``, ``charity``, ``public-body``...), "" if not stated.
    kind: str = ""
    #: For a case's own profile: (kind, concept, grade) of its claims, so that a shared concept
    #: weighs no more than the weaker side's evidence.  A described organisation has none: what a
    #: practitioner says of their own organisation is taken as given.
    grades: tuple[tuple[str, str, str], ...] = ()
    #: For a case: the cases whose model it follows (adopted the model of, inspired by; itself when others
    #: follow its model), each with the evidence grade of the relation saying so.
    models: tuple[tuple[str, str], ...] = ()
    #: The case the query was made from ("" for a described organisation): its declared relations count.
    case: str = ""

    def concepts(self, kind: str) -> frozenset[str]:
        return getattr(self, _PLURAL[kind])

    def grade(self, kind: str, concept: str) -> str | None:
        """This query's own evidence grade for a concept: None for a described organisation."""
        for grade_kind, grade_concept, grade_id in self.grades:
            if (grade_kind, grade_concept) == (kind, concept):
                return grade_id
        return None

    def is_empty(self) -> bool:
        return not (self.practices or self.frameworks or self.challenges or self.outcomes or self.sectors
                    or self.country or self.size_band in SIZE_ORDER or self.kind)


@dataclass
class CaseIndex:
    """Cases, claims and vocabulary of one graph version, indexed for the explore pages.

    Build it with :func:`build_index` (from rows) or :func:`index_for` (from a store, cached): all
    its fields are made there, at once.
    """

    profiles: dict[str, CaseProfile]
    claims: dict[str, dict[str, dict[str, str]]]
    concepts: dict[str, dict[str, ConceptInfo]]
    sectors: dict[str, tuple[str, str]]
    includes: dict[str, tuple[str, ...]]
    postings: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    #: (kind, concept, "contested" or "uncertain") -> the cases whose claim about it is marked so.
    doubtful: dict[tuple[str, str, str], frozenset[str]] = field(default_factory=dict, repr=False)
    #: Case ids in (name, id) order; a case's position is its bit in ``masks``.
    order: tuple[str, ...] = ()
    bits: dict[str, int] = field(default_factory=dict, repr=False)
    masks: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    #: case -> kind -> concept -> the best evidence grade of its claims about it ("" if not recorded).
    grades: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict, repr=False)
    #: (kind, concept, grade) -> bitmask of the cases whose best claim about it has that grade.
    grade_masks: dict[tuple[str, str, str], int] = field(default_factory=dict, repr=False)
    #: Every claim row the index was built from, about the organisation itself or not, for
    #: :meth:`restricted` and the lists of claims behind a count.
    claim_rows: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    #: Every relation between two organisations: ``organisation``, ``type`` (``PARTNER_OF``...), ``target``,
    #: ``evidence`` (the grade of its sources), ``status`` and ``since``.
    relations: tuple[dict[str, Any], ...] = field(default=(), repr=False)
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

    def grade(self, case: str, kind: str, concept: str) -> str:
        """The best evidence grade of ``case``'s own claims about a concept ("" if not recorded)."""
        return self.grades.get(case, {}).get(kind, {}).get(concept, "")

    def restricted(self, scope: str = "self", min_grade: str | None = None) -> CaseIndex:
        """The same cases counted from a subset of the claims (cached per index).

        ``scope``: ``"self"`` (the default everywhere) counts only claims about the organisation
        itself; ``"all"`` also counts what it reports about organisations it supported, inspired or
        franchised and about self-managing organisations in general.  ``min_grade``: only claims of
        at least this grade (None: any).  The unrestricted index is returned as it is.
        """
        if scope == "self" and not min_grade:
            return self
        return self.memo(("restricted", scope, min_grade), lambda: build_index(
            (_profile_row(p) for p in self.profiles.values()),
            ({**row, "scope": "self"} for row in self.claim_rows if meets_grade(row.get("evidence"), min_grade)
             and (scope == "all" or is_self(row.get("scope")))),
            sector_rows=({"id": s, "name": n, "broader": b} for s, (n, b) in self.sectors.items()),
            concepts=self.concepts, includes=self.includes, relation_rows=self.relations))

    def claims_about(self, kind: str, concept: str) -> tuple[dict[str, Any], ...]:
        """Every claim row about one concept (``claim_rows``: about the organisation itself or not), grouped by
        concept once per index, so that a count's evidence profile does not read every claim of the concept."""
        grouped = self.memo("claims by concept", lambda: _by_concept(self.claim_rows))
        return grouped.get((kind, concept), ())

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
                include_rows: Iterable[Mapping[str, Any]] = (), *,
                relation_rows: Iterable[Mapping[str, Any]] = (),
                concepts: dict[str, dict[str, ConceptInfo]] | None = None,
                includes: Mapping[str, tuple[str, ...]] | None = None) -> CaseIndex:
    """Index rows shaped like the ``explore_*`` named queries' results.

    A claim row has ``organisation``, ``type`` (a relationship type of :data:`KIND_OF_REL`; or
    ``kind``, a concept kind, as claim nodes about others have), ``concept`` and ``status``, and may
    have ``scope`` and ``evidence``.  Only claims about the
    organisation itself (``scope`` ``self`` or missing) are counted as its own; the others are
    kept in ``claim_rows`` only.  ``concepts`` and ``includes``, when given, are used as they are
    instead of being read from ``concept_rows`` and ``include_rows``.  ``relation_rows`` (shaped like
    ``explore_relations``): the relations between organisations, those between two indexed cases kept.
    """
    profiles = {row["id"]: _profile(row) for row in profile_rows}
    held = _held_claims(profiles, claim_rows)
    order = tuple(sorted(profiles, key=lambda case: (profiles[case].name, case)))
    bits = {case: bit for bit, case in enumerate(order)}
    postings = _postings(profiles, held.claims)
    return CaseIndex(
        profiles, held.claims, _concept_infos(concept_rows) if concepts is None else concepts,
        {row["id"]: (row["name"], row.get("broader") or "") for row in sector_rows},
        _bundles(include_rows) if includes is None else dict(includes),
        postings=postings, doubtful=_doubtful(held.claims), order=order, bits=bits, masks=_masks(postings, bits),
        grades=held.grades, grade_masks=_masks(_graded(held.grades), bits), claim_rows=held.rows,
        relations=tuple(dict(row) for row in relation_rows
                        if row.get("organisation") in profiles and row.get("target") in profiles))


@dataclass
class _Held:
    """What each case holds: case -> kind -> concept -> status, and -> best grade; every claim row kept."""

    claims: dict[str, dict[str, dict[str, str]]]
    grades: dict[str, dict[str, dict[str, str]]]
    rows: tuple[dict[str, Any], ...]


def _held_claims(profiles: Mapping[str, CaseProfile], claim_rows: Iterable[Mapping[str, Any]]) -> _Held:
    """Each case's own claims by kind and concept: the least certain status and the best grade."""
    claims: dict[str, dict[str, dict[str, str]]] = {case: {kind: {} for kind in KINDS} for case in profiles}
    grades: dict[str, dict[str, dict[str, str]]] = {case: {kind: {} for kind in KINDS} for case in profiles}
    kept = []
    for given in claim_rows:
        kind, case = KIND_OF_REL.get(given.get("type", "")) or _kind(given.get("kind")), given["organisation"]
        if case not in claims or kind is None:
            continue
        row = _shared_strings(given)
        kept.append(row)
        if not is_self(row.get("scope")):
            continue
        status = row.get("status") or ""
        held = claims[case][kind].get(row["concept"])
        # Two bullets on the same concept: keep the less certain status, so doubt stays visible,
        # and the best grade, since the fact stands on its best evidence.
        if held is None or _STATUS_RANK.get(status, 0) > _STATUS_RANK.get(held, 0):
            claims[case][kind][row["concept"]] = status
        grades[case][kind][row["concept"]] = best_grade(grades[case][kind].get(row["concept"]),
                                                        row.get("evidence"))
    return _Held(claims, grades, tuple(kept))


def _shared_strings(row: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` whose text values are the one shared copy of each (:func:`sys.intern`): a store hands
    each row's values over as new strings, at 100,000 cases 6.3 million of them (400 MB) in the kept claim rows
    for a few thousand distinct ids, kinds and statuses."""
    copy = dict(row)  # sized to its keys, where a comprehension's dict grows as it fills
    for key, value in copy.items():
        if type(value) is str:
            copy[key] = sys.intern(value)
    return copy


def _by_concept(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, str], tuple[dict[str, Any], ...]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(KIND_OF_REL.get(row.get("type", "")) or _kind(row.get("kind")), row["concept"])].append(row)
    return {key: tuple(claims) for key, claims in grouped.items()}


def _concept_infos(concept_rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, ConceptInfo]]:
    concepts: dict[str, dict[str, ConceptInfo]] = {kind: {} for kind in KINDS}
    for row in concept_rows:
        kind = row["label"].lower()
        concepts[kind][row["id"]] = ConceptInfo(
            kind, row["id"], row["name"], row.get("definition") or "", tuple(row.get("aliases") or ()),
            row.get("broader") or "", row.get("body") or "", row.get("file") or "")
    return concepts


def _bundles(include_rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """Framework -> the practices it includes, sorted."""
    bundled: dict[str, list[str]] = defaultdict(list)
    for row in include_rows:
        bundled[row["framework"]].append(row["practice"])
    return {framework: tuple(sorted(practices)) for framework, practices in bundled.items()}


def _doubtful(claims: Mapping[str, Mapping[str, Mapping[str, str]]]) -> dict[tuple[str, str, str], frozenset[str]]:
    """(kind, concept, "contested" or "uncertain") -> the cases whose claim about it is marked so."""
    doubtful: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for case, held in claims.items():
        for kind, statuses in held.items():
            for concept, status in statuses.items():
                if status in ("contested", "uncertain"):
                    doubtful[(kind, concept, status)].add(case)
    return {key: frozenset(cases) for key, cases in doubtful.items()}


def _graded(grades: Mapping[str, Mapping[str, Mapping[str, str]]]) -> dict[tuple[str, str, str], frozenset[str]]:
    """(kind, concept, grade) -> the cases whose best claim about it has that grade."""
    graded: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for case, held in grades.items():
        for kind, by_concept in held.items():
            for concept, grade_id in by_concept.items():
                graded[(kind, concept, grade_id)].add(case)
    return {key: frozenset(cases) for key, cases in graded.items()}


def _profile(row: Mapping[str, Any]) -> CaseProfile:
    return CaseProfile(
        id=row["id"], name=row.get("name") or row["id"], country=row.get("country") or "",
        country_name=row.get("country_name") or row.get("country") or "",
        sectors=tuple(sorted(row.get("sectors") or ())), size_band=row.get("size_band") or "unknown",
        staff=row.get("staff"), kind=row.get("kind") or "", status=row.get("status") or "",
        summary=row.get("summary") or "")


def _kind(kind: str | None) -> str | None:
    return kind.lower() if kind and kind.lower() in KINDS else None


def _profile_row(profile: CaseProfile) -> dict[str, Any]:
    return {"id": profile.id, "name": profile.name, "country": profile.country, "country_name": profile.country_name,
            "sectors": list(profile.sectors), "size_band": profile.size_band, "staff": profile.staff,
            "kind": profile.kind, "status": profile.status, "summary": profile.summary}


def _postings(profiles: Mapping[str, CaseProfile],
              claims: Mapping[str, Mapping[str, Mapping[str, str]]]) -> dict[tuple[str, str], frozenset[str]]:
    """Each feature (a concept, a sector, a country, a size band, a kind of organisation) -> the cases with it."""
    building: dict[tuple[str, str], set[str]] = defaultdict(set)
    for case, profile in profiles.items():
        for sector in profile.sectors:
            building[("sector", sector)].add(case)
        if profile.country:
            building[("country", profile.country)].add(case)
        if profile.size_band in SIZE_ORDER:
            building[("size", profile.size_band)].add(case)
        if profile.kind:
            building[("org_kind", profile.kind)].add(case)
        for kind, held in claims[case].items():
            for concept in held:
                building[(kind, concept)].add(case)
    return {key: frozenset(cases) for key, cases in building.items()}


def _masks(postings: Mapping[tuple, frozenset[str]], bits: Mapping[str, int]) -> dict[tuple, int]:
    """Each posting list as an integer with the bits of its cases set."""
    masks = {}
    for key, cases in postings.items():
        field_bits = bytearray((len(bits) + 7) // 8)
        for case in cases:
            field_bits[bits[case] >> 3] |= 1 << (bits[case] & 7)
        masks[key] = int.from_bytes(field_bits, "little")
    return masks


def load_index(store: GraphStore) -> CaseIndex:
    """Read the ``explore_*`` extracts from a store (any backend) and index them.

    The claims about others or in general (``explore_reported_claim_rows``) are indexed too, apart:
    they count only where a reader asks for every scope.
    """
    # One claim row at a time, each kept with shared strings: at 100,000 cases the 960,288 rows read whole
    # took the case index's build from 1.97 to 2.55 GB of RSS (the pages kept by the allocator after).
    claims = itertools.chain(store.stream("explore_claim_rows"), store.stream("explore_reported_claim_rows"))
    return build_index(store.query("explore_profiles"), claims, store.query("explore_concepts"),
                       store.query("explore_sectors"), store.query("explore_includes"),
                       relation_rows=store.query("explore_relations"))


# -- one index per graph version -----------------------------------------------------------------

def index_for(store: GraphStore) -> CaseIndex:
    """The store's :class:`CaseIndex`, built once per version of its graph (:func:`kb.store.versioned.derived`)."""
    return derived(store, "analysis index", load_index)
