"""Comparable cases: explicit, additive scores over the case index, ranked with bit-sliced arithmetic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kb.analysis.bitslice import add_to_lanes, best_lanes, set_bits
from kb.analysis.index import SIZE_ORDER, CaseIndex, CaseProfile, CaseQuery, index_for, rarity
from kb.analysis.sector_tree import common_broader, sector_distance
from kb.evidence import GRADE_IDS, best_grade, grade_label, grade_weight
from kb.kinds import CONCEPT_FOLDERS

#: Context first, but not alone: a manager compares organisations doing related work (the sector
#: hierarchy of ``vocabulary/sectors.yaml``: home care is near social care), on the same model, in the
#: same country, of the same kind and size; then what they did, met and reported.  Points per component:
SAME_SECTOR = 3.0           # a sector in common
SAME_SERVICE = 2.0          # otherwise a sector one step away (broader or narrower), less per further step
SAME_COUNTRY = 2.0          # the same country, and so the same health, care and public systems
SAME_KIND = 0.75            # the same kind of organisation (both charities, both companies...)
SAME_OWNERSHIP = 0.5        # otherwise the same family: public, non-profit or company
SAME_SIZE = 1.0
NEAR_SIZE = 0.5
#: What the shared concepts of each kind are worth together at most.  Each shared concept earns its
#: share of its kind's budget by rarity (rarer counts for more), times the weight of its evidence.
#: The model or framework both follow is context, and the strongest sign of a comparable case;
#: practices, challenges and outcomes each have a budget of their own, so that neither the context
#: nor one long list swamps the rest.  The values are those with the best nDCG@5 on the judged list
#: (tests/comparable_judged.yaml) among a small grid, rounded: bench/compare_quality.py prints them.
CONCEPT_BUDGETS = {"framework": 5.0, "practice": 2.0, "challenge": 3.0, "outcome": 2.0}
#: A declared relation between the two cases (partner of, part of, adopted the model of, inspired by, either
#: way): the organisations know each other's work first hand.  3, where the judged list's nDCG@5 levels off
#: (bench/compare_quality.py --grid, with its leave-one-out check).
RELATED_CASE = 3.0
#: Relations saying whose model a case follows; the model's own case follows it too.
MODEL_RELATIONS = {"ADOPTED_MODEL_OF": "adopted the model of", "INSPIRED_BY": "was inspired by"}
#: A model a case was only inspired by counts half as much as one it adopted (or its own): a looser tie.
#: (bench/compare_quality.py --grid: nDCG@5 and its leave-one-out check rise with it.)
INSPIRED_BY = 0.5
#: How a case follows the model that is its own.
OWN_MODEL = "its own model"
#: Relation types in words, for the reasons.
RELATION_WORDS = {"PARTNER_OF": "is a partner of", "PART_OF": "is part of", **MODEL_RELATIONS}
#: The most the shared concepts can earn together.
CONCEPT_BUDGET = sum(CONCEPT_BUDGETS.values())
#: What a comparison matches on, and the part of the split bar each kind of concept counts in.
SCORED_KINDS = ("framework", "practice", "challenge", "outcome")
#: The model or framework both follow, one budget: a framework either names (its own, or that of the case
#: whose model it adopted or was inspired by), else the case whose model both follow (a model case without a
#: framework page).  Its tokens are ``framework:<id>`` and ``case:<id>``.
MODEL = "model"
SPLIT_OF = {"sector": "context", "country": "context", "kind": "context", "size": "context", "relation": "context",
            "framework": "context", MODEL: "context", "practice": "practices", "challenge": "challenges",
            "outcome": "outcomes"}
SPLIT_PARTS = ("context", "practices", "challenges", "outcomes")
#: Deprecated name of :data:`SAME_SERVICE` (the related-sector component of earlier versions).
RELATED_SECTOR = SAME_SERVICE
#: Kinds of organisation grouped as public, non-profit or company.  Programmes in this knowledge base
#: are publicly commissioned pilots and test sites; networks, cooperatives, partnerships and schools
#: can be any of the three, so they match only their own kind.
OWNERSHIP = {"company": "company", "nonprofit": "non-profit", "charity": "non-profit",
             "social-enterprise": "non-profit", "public-body": "public", "programme": "public"}


@dataclass(frozen=True)
class Scoring:
    """The points of every component: :data:`SCORING` is the site's; :data:`PREVIOUS_SCORING` the
    scoring before issue 25 (sector-led, one budget for practices, frameworks and challenges, no
    outcomes, any sector under a common broader one worth the same) and :data:`WITHOUT_RELATIONS` the
    first scoring of issue 25 (no relations between cases), kept for the benchmark."""

    same_sector: float = SAME_SECTOR
    same_service: float = SAME_SERVICE
    same_country: float = SAME_COUNTRY
    same_kind: float = SAME_KIND
    same_ownership: float = SAME_OWNERSHIP
    same_size: float = SAME_SIZE
    near_size: float = NEAR_SIZE
    #: (kinds sharing one budget, its points).
    budgets: tuple[tuple[tuple[str, ...], float], ...] = tuple(((MODEL if kind == "framework" else kind,), points)
                                                                for kind, points in CONCEPT_BUDGETS.items())
    #: Whether a related sector is worth less the further away it is in the hierarchy.
    by_distance: bool = True
    #: Points for a declared relation between the two cases.
    related_case: float = RELATED_CASE
    #: How much a model counts when a case follows it only as inspired by it (1: as much as adopting it).
    inspired_by: float = INSPIRED_BY

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kinds, _points in self.budgets for kind in kinds)


SCORING = Scoring()
PREVIOUS_SCORING = Scoring(same_sector=10.0, same_service=6.0, by_distance=False, related_case=0.0,
                           budgets=((("practice", "framework", "challenge"), 8.0),))
WITHOUT_RELATIONS = Scoring(related_case=0.0, inspired_by=1.0, budgets=tuple(((kind,), points)
                                                           for kind, points in CONCEPT_BUDGETS.items()))


# -- comparable cases ------------------------------------------------------------------------------

def query_for_case(index: CaseIndex, case_id: str) -> CaseQuery:
    """A case's own profile as a query: its practices, frameworks, challenges and outcomes (with their
    evidence grades), sectors, country, kind and size."""
    profile, held = index.profiles[case_id], index.claims[case_id]
    grades = tuple((kind, concept, index.grade(case_id, kind, concept))
                   for kind in SCORED_KINDS for concept in sorted(held[kind]))
    models = tuple(sorted((model, grade) for model, (grade, _how) in case_models(index).get(case_id, {}).items()))
    return CaseQuery(practices=frozenset(held["practice"]), frameworks=frozenset(held["framework"]),
                     challenges=frozenset(held["challenge"]), outcomes=frozenset(held["outcome"]),
                     sectors=frozenset(profile.sectors), country=profile.country, size_band=profile.size_band,
                     kind=profile.kind, grades=grades, models=models, case=case_id)


def case_models(index: CaseIndex) -> dict[str, dict[str, tuple[str, str]]]:
    """Case -> the models it follows -> (evidence grade, how it came to it: "" for its own framework, else
    "adopted the model of X", "was inspired by X" or "its own model").  A model is a framework
    (``framework:<id>``): the case's own, or those of the case whose model it adopted or was inspired by;
    else, when that case names no framework, the case itself (``case:<id>``), which then follows its own
    model too (the strongest grade).  Once per index."""
    def build() -> dict[str, dict[str, tuple[str, str]]]:
        models: dict[str, dict[str, tuple[str, str]]] = {}

        def follow(case: str, token: str, grade: str | None, how: str) -> None:
            held = models.setdefault(case, {})
            if token in held and not held[token][1]:
                return  # its own framework: its own claim's grade and no "how"
            held[token] = (best_grade(held.get(token, ("", ""))[0], grade), how)

        for case, held in index.claims.items():
            for framework in held["framework"]:
                models.setdefault(case, {})[f"framework:{framework}"] = (index.grade(case, "framework", framework), "")
        for row in index.relations:
            how, model = MODEL_RELATIONS.get(row["type"]), row["target"]
            if not how or model == row["organisation"]:
                continue
            how = f"{how} {index.profiles[model].name}"
            frameworks = index.claims[model]["framework"]
            for framework in frameworks:
                follow(row["organisation"], f"framework:{framework}", row.get("evidence"), how)
            if not frameworks:
                follow(row["organisation"], f"case:{model}", row.get("evidence"), how)
                follow(model, f"case:{model}", GRADE_IDS[0], OWN_MODEL)
        return models
    return index.memo("case models", build)


def model_name(index: CaseIndex, token: str) -> str:
    """A model's name: its framework's, or its case's."""
    kind, _colon, key = token.partition(":")
    return index.name("framework", key) if kind == "framework" else index.profiles[key].name


def related_cases(index: CaseIndex) -> dict[str, dict[str, str]]:
    """Case -> the cases it has a declared relation with, either way -> the relation in words (from the
    case's side: "is a partner of", "is part of", "adopted the model of", "was inspired by", or "... it" for
    the other's relation to it).  Once per index."""
    def build() -> dict[str, dict[str, str]]:
        related: dict[str, dict[str, str]] = {}
        for row in index.relations:
            words = RELATION_WORDS.get(row["type"], row["type"].lower().replace("_", " "))
            mine, theirs = row["organisation"], row["target"]
            related.setdefault(mine, {}).setdefault(theirs, words)
            related.setdefault(theirs, {}).setdefault(mine, f"{words} it")
        return related
    return index.memo("related cases", build)


def _model_masks(index: CaseIndex) -> dict[tuple[str, str, bool], int]:
    """(model, grade, only inspired by it) -> the cases following that model so, as a bitmask."""
    def build() -> dict[tuple[str, str, bool], int]:
        masks: dict[tuple[str, str, bool], int] = {}
        for case, held in case_models(index).items():
            bit = 1 << index.bits[case]
            for model, (grade, how) in held.items():
                key = (model, grade, _inspired(how))
                masks[key] = masks.get(key, 0) | bit
        return masks
    return index.memo("model masks", build)


def _inspired(how: str) -> bool:
    """Whether a case follows a model only as inspired by it (not its own, not adopted)."""
    return how.startswith(MODEL_RELATIONS["INSPIRED_BY"])


def _strength(index: CaseIndex, query: CaseQuery, model: str, case_inspired: bool, scoring: Scoring) -> float:
    """How much a shared model counts: less when either side only was inspired by it."""
    query_inspired = _inspired(case_models(index).get(query.case, {}).get(model, ("", ""))[1])
    return scoring.inspired_by if query_inspired or case_inspired else 1.0


def rank_comparable(index: CaseIndex, query: CaseQuery, limit: int = 10,
                    exclude: Iterable[str] = (), scoring: Scoring = SCORING) -> list[dict[str, Any]]:
    """The ``limit`` cases most like ``query``, best first, each with the reasons behind its score.

    Each component adds its points to all the cases on its posting list at once (bit-sliced, see
    :mod:`kb.analysis.bitslice`); the best ``limit`` are picked from the bit planes and only they are
    explained.  Ties are broken by name, then id.  Cases that share nothing are never listed.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``country``, ``country_name``, ``sectors``, ``size_band``, ``staff``,
        ``summary``, ``score``, ``subtotals`` (points per component group), ``split`` (points per
        part of the split bar: context, practices, challenges, outcomes) and ``reasons`` (one per
        component: ``component``, ``id``, ``name``, ``points``, ``why`` and, for a shared concept,
        ``cases_with``: how many cases have it).  ``score`` is the sum of the reasons' points.
    """
    components = _components(index, query, scoring)
    candidates = 0
    for mask, _cents in components:
        candidates |= mask
    for case in exclude:
        if case in index.bits:
            candidates &= ~(1 << index.bits[case])
    planes: list[int] = []
    for mask, cents in components:
        add_to_lanes(planes, mask, cents)
    best = best_lanes(planes, candidates, limit)
    explained = [explain_match(index, query, index.order[bit], scoring) for bit in set_bits(best)]
    return sorted(explained, key=lambda match: (-match["score"], match["name"], match["id"]))


def _components(index: CaseIndex, query: CaseQuery, scoring: Scoring) -> list[tuple[int, int]]:
    """(cases as a bitmask, points in hundredths) for every component; alternatives are disjoint."""
    masks = index.masks
    components = []
    models = _model_masks(index)
    for (kind, concept), (share, budget) in _concept_shares(index, query, scoring).items():
        for grade_id in (*GRADE_IDS, ""):
            if kind != MODEL:
                mask = index.grade_masks.get((kind, concept, grade_id), 0)
                if mask:
                    components.append((mask, _cents(_concept_points(budget, share, query.grade(kind, concept),
                                                                    grade_id))))
                continue
            for inspired in (False, True):
                mask = models.get((concept, grade_id, inspired), 0)
                if mask:
                    points = _concept_points(budget, share, _query_grade(query, kind, concept), grade_id)
                    components.append((mask, _cents(points * _strength(index, query, concept, inspired, scoring))))
    if scoring.related_case and query.case:
        related = 0
        for case in related_cases(index).get(query.case, {}):
            related |= 1 << index.bits[case]
        components.append((related, _cents(scoring.related_case)))
    same = 0
    for sector in query.sectors:
        same |= masks.get(("sector", sector), 0)
    components.append((same, _cents(scoring.same_sector)))
    taken = same
    for points, sectors in sorted(_service_levels(index, query.sectors, scoring).items(), reverse=True):
        level = 0
        for sector in sectors:
            level |= masks.get(("sector", sector), 0)
        components.append((level & ~taken, _cents(points)))
        taken |= level
    if query.country:
        components.append((masks.get(("country", query.country), 0), _cents(scoring.same_country)))
    if query.kind:
        same_kind, family = masks.get(("org_kind", query.kind), 0), 0
        for kind in _same_ownership(query.kind):
            family |= masks.get(("org_kind", kind), 0)
        components += [(same_kind, _cents(scoring.same_kind)), (family & ~same_kind, _cents(scoring.same_ownership))]
    if query.size_band in SIZE_ORDER:
        position, near = SIZE_ORDER.index(query.size_band), 0
        for band in SIZE_ORDER[max(position - 1, 0):position + 2]:
            if band != query.size_band:
                near |= masks.get(("size", band), 0)
        components += [(masks.get(("size", query.size_band), 0), _cents(scoring.same_size)),
                       (near, _cents(scoring.near_size))]
    return [(mask, cents) for mask, cents in components if mask and cents]


def _cents(points: float) -> int:
    return round(points * 100)


def _query_grade(query: CaseQuery, kind: str, concept: str) -> str | None:
    """The query's own grade for a concept or a model (None for a described organisation)."""
    if kind == MODEL:
        return _query_models(query).get(concept)
    return query.grade(kind, concept)


def _followers(index: CaseIndex, model: str) -> int:
    """How many cases follow a model (its own case included)."""
    return index.memo(("followers", model), lambda: sum(1 for held in case_models(index).values() if model in held))


def _query_models(query: CaseQuery) -> dict[str, str | None]:
    """The models a query follows -> its grade for each (None for a described organisation's frameworks)."""
    return {f"framework:{framework}": query.grade("framework", framework) for framework in query.frameworks} | dict(
        query.models)


def _concept_shares(index: CaseIndex, query: CaseQuery,
                    scoring: Scoring = SCORING) -> dict[tuple[str, str], tuple[float, float]]:
    """Each of the query's concepts (and models) that some other case has -> (its share of its budget by
    rarity, the budget)."""
    shares = {}
    for kinds, budget in scoring.budgets:
        rarities = {(kind, concept): index.rarity(kind, concept)
                    for kind in kinds if kind != MODEL for concept in sorted(query.concepts(kind))
                    if index.cases_with(kind, concept)}
        if MODEL in kinds:
            rarities |= {(MODEL, model): rarity(index.n_cases, n) for model in sorted(_query_models(query))
                         if (n := _followers(index, model)) > (1 if query.case else 0)}
        total = sum(rarities.values())
        shares |= {key: (1.0 if key[0] == MODEL else value / total, budget)
                   for key, value in rarities.items()} if total else {}
    return shares


def _concept_points(budget: float, share: float, query_grade: str | None, case_grade: str) -> float:
    """Points for one shared concept: its share of the budget times the weaker side's evidence weight."""
    weight = grade_weight(case_grade) if query_grade is None else min(grade_weight(query_grade),
                                                                       grade_weight(case_grade))
    return round(budget * share * weight, 2)


def service_points(distance: int, scoring: Scoring = SCORING) -> float:
    """Points for a sector ``distance`` steps from one of the query's (1: its broader or narrower sector).

    >>> [service_points(d) for d in (1, 2, 3, 4)]
    [2.0, 1.0, 0.67, 0.5]
    """
    return round(scoring.same_service / distance, 2) if scoring.by_distance else scoring.same_service


def _service_levels(index: CaseIndex, sectors: Iterable[str], scoring: Scoring = SCORING) -> dict[float, set[str]]:
    """Points -> the sectors of a related kind of service worth them (the nearest of ``sectors`` counts)."""
    sectors, best = set(sectors), {}
    for other in index.sectors:
        if other in sectors:
            continue
        distances = [d for s in sectors if (d := sector_distance(index, other, s))]
        if distances:
            best[other] = service_points(min(distances), scoring)
    levels: dict[float, set[str]] = {}
    for other, points in best.items():
        levels.setdefault(points, set()).add(other)
    return levels


def _service_sectors(index: CaseIndex, sectors: Iterable[str]) -> set[str]:
    """Sectors of a related kind of service: sharing a broader sector with one of ``sectors`` (or being
    one of their broader or narrower sectors), without being one of them."""
    return set().union(*_service_levels(index, sectors).values())


def _same_ownership(kind: str) -> list[str]:
    """Other kinds of organisation in the same public / non-profit / company family as ``kind``."""
    family = OWNERSHIP.get(kind)
    return [k for k, f in OWNERSHIP.items() if family and f == family and k != kind]


def explain_match(index: CaseIndex, query: CaseQuery, case_id: str, scoring: Scoring = SCORING) -> dict[str, Any]:
    """One case's score against ``query``, component by component (see :func:`rank_comparable`)."""
    profile, held = index.profiles[case_id], index.claims[case_id]
    reasons = []
    shares = _concept_shares(index, query, scoring)
    for kind in (kind for kind in scoring.kinds if kind != MODEL):
        for concept in sorted(query.concepts(kind) & held[kind].keys(), key=lambda c: index.name(kind, c)):
            n_with = len(index.cases_with(kind, concept))
            case_grade, query_grade = index.grade(case_id, kind, concept), query.grade(kind, concept)
            weight = grade_weight(case_grade) if query_grade is None else min(grade_weight(case_grade),
                                                                               grade_weight(query_grade))
            share, budget = shares[(kind, concept)]
            points = _concept_points(budget, share, query_grade, case_grade)
            evidence = f"evidence: {grade_label(case_grade).lower()}"
            if query_grade is not None:
                evidence += f" (yours: {grade_label(query_grade).lower()})"
            reason = _reason(kind, concept, index.name(kind, concept), points,
                             f"shared {kind}; {n_with} of {index.n_cases} cases have it; {evidence}; "
                             f"weight {weight:g}", n_with)
            reasons.append(reason | {"share": round(share, 4), "weight": weight,
                                     "grade": case_grade, "grade_label": grade_label(case_grade),
                                     "query_grade": query_grade,
                                     "status": held[kind][concept]})
    reasons += _model_reasons(index, query, case_id, shares, scoring)
    words = related_cases(index).get(query.case, {}).get(case_id)
    if scoring.related_case and words:
        mine = index.profiles[query.case].name
        said = (f"{profile.name} {words.removesuffix(' it')} {mine}" if words.endswith(" it")
                else f"{mine} {words} {profile.name}")
        reasons.append(_reason("relation", case_id, profile.name, scoring.related_case,
                               f"related case: {said} (its file says so)"))
    reasons += _profile_reasons(index, query, profile, scoring)
    reasons = [r for r in reasons if r["points"]]
    subtotals = {group: 0.0 for group in ("practices", "frameworks", "models", "challenges", "outcomes",
                                          "relations", "sector", "country", "kind", "size")}
    split = dict.fromkeys(SPLIT_PARTS, 0.0)
    for reason in reasons:
        group = CONCEPT_FOLDERS.get(reason["component"], {MODEL: "models", "relation": "relations"}.get(
            reason["component"], reason["component"]))
        subtotals[group] = round(subtotals[group] + reason["points"], 2)
        part = SPLIT_OF[reason["component"]]
        split[part] = round(split[part] + reason["points"], 2)
    return {"id": profile.id, "name": profile.name, "country": profile.country,
            "country_name": profile.country_name, "sectors": list(profile.sectors), "kind": profile.kind,
            "size_band": profile.size_band, "staff": profile.staff, "summary": profile.summary,
            "score": round(sum(r["points"] for r in reasons), 2), "subtotals": subtotals, "split": split,
            "reasons": reasons}


def _model_reasons(index: CaseIndex, query: CaseQuery, case_id: str, shares: dict[tuple[str, str], tuple[float, float]],
                   scoring: Scoring = SCORING) -> list[dict[str, Any]]:
    """A reason for each model both follow: a framework (component ``framework``, as a concept) or the case
    whose model both follow (component ``model``)."""
    reasons = []
    theirs = case_models(index).get(case_id, {})
    for model, query_grade in sorted(_query_models(query).items(), key=lambda m: model_name(index, m[0])):
        if model not in theirs or (MODEL, model) not in shares:
            continue
        case_grade, how = theirs[model]
        weight = grade_weight(case_grade) if query_grade is None else min(grade_weight(case_grade),
                                                                           grade_weight(query_grade))
        share, budget = shares[(MODEL, model)]
        kind, _colon, key = model.partition(":")
        name, n_with = model_name(index, model), _followers(index, model)
        strength = _strength(index, query, model, _inspired(how), scoring)
        points = round(_cents(_concept_points(budget, share, query_grade, case_grade) * strength) / 100, 2)
        came = (" (its own)" if how == OWN_MODEL else f" ({index.profiles[case_id].name} {how})") if how else ""
        what = "shared framework" if kind == "framework" else f"same model: {name}'s model"
        evidence = f"evidence: {grade_label(case_grade).lower()}"
        if query_grade is not None:
            evidence += f" (yours: {grade_label(query_grade).lower()})"
        reasons.append(_reason("framework" if kind == "framework" else MODEL, key, name, points,
                               f"{what}{came}; {n_with} of {index.n_cases} cases follow it; {evidence}; "
                               f"weight {weight:g}" + (f"; inspired by it only: x {strength:g}" if strength != 1
                                                       else ""), n_with)
                       | {"share": round(share, 4), "weight": weight, "grade": case_grade,
                          "grade_label": grade_label(case_grade), "query_grade": query_grade,
                          "status": index.claims[case_id]["framework"].get(key, "") if kind == "framework" else "",
                          "how": how, "query_how": case_models(index).get(query.case, {}).get(model, ("", ""))[1]})
    return reasons


def _reason(component: str, key: str, name: str, points: float, why: str,
            cases_with: int | None = None) -> dict[str, Any]:
    return {"component": component, "id": key, "name": name, "points": points, "why": why, "cases_with": cases_with}


def _profile_reasons(index: CaseIndex, query: CaseQuery, profile: CaseProfile,
                     scoring: Scoring = SCORING) -> list[dict[str, Any]]:
    reasons = []
    shared = sorted(query.sectors & set(profile.sectors))
    levels = _service_levels(index, query.sectors, scoring)
    nearest = max((points for points, sectors in levels.items() if sectors & set(profile.sectors)), default=0.0)
    service = sorted(levels.get(nearest, set()) & set(profile.sectors))
    if shared:
        names = ", ".join(index.sector_name(s) for s in shared)
        reasons.append(_reason("sector", ",".join(shared), names, scoring.same_sector, f"same sector: {names}"))
    elif service:
        names = ", ".join(index.sector_name(s) for s in service)
        common = sorted({common_broader(index, query.sectors, s) for s in service} - {""})
        under = ", ".join(index.sector_name(s) for s in common)
        reasons.append(_reason("sector", ",".join(service), names, nearest,
                               f"related kind of service: {names} (under {under})"))
    if query.country and query.country == profile.country:
        reasons.append(_reason("country", profile.country, profile.country_name, scoring.same_country,
                               f"same country: {profile.country_name}"))
    if query.kind and profile.kind == query.kind:
        reasons.append(_reason("kind", profile.kind, profile.kind, scoring.same_kind,
                               f"same kind of organisation: {profile.kind}"))
    elif query.kind and profile.kind in _same_ownership(query.kind):
        family = OWNERSHIP[query.kind]
        reasons.append(_reason("kind", profile.kind, family, scoring.same_ownership,
                               f"also a {family} organisation: {profile.kind}"
                               f" (yours: {query.kind})"))
    if query.size_band in SIZE_ORDER and profile.size_band in SIZE_ORDER:
        gap = abs(SIZE_ORDER.index(query.size_band) - SIZE_ORDER.index(profile.size_band))
        if gap == 0:
            reasons.append(_reason("size", profile.size_band, profile.size_band, scoring.same_size,
                                   f"same size band: {profile.size_band} staff"))
        elif gap == 1:
            reasons.append(_reason("size", profile.size_band, profile.size_band, scoring.near_size,
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
