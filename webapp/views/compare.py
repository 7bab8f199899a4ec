"""Comparable cases (blueprint ``compare``): the cases most like a case, or like an organisation described
in the form, ranked by :mod:`kb.analysis.compare` with every score's components."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from kb import analysis
from kb import evidence as grades
from kb.analysis import SIZE_ORDER, CaseIndex, CaseQuery
from kb.analysis.compare import (
    CONCEPT_BUDGETS,
    INSPIRED_BY,
    RELATED_CASE,
    RELATION_WORDS,
    SPLIT_OF,
    SPLIT_PARTS,
)
from kb.analysis.sector_tree import cases_under_sector
from kb.graph.model import size_band

from ..bounds import is_whole_number
from ..errors import not_found, page_names
from ..store import get_store
from .base import page_route, respond
from .links import KIND_PAGES

bp = Blueprint("compare", __name__)

DEFAULT_LIMIT, MAX_LIMIT = 10, 50
#: The most cases the case picker suggests (first by name); any other is typed by name or id.  A list of every
#: case made the page's HTML and its rendering grow with the content (10,000 options at 10,000 cases).
CASE_CHOICES = 100
#: The fields of the describe-your-organisation form.
DESCRIPTION_FIELDS = (*analysis.COMPARED_KINDS, "sector", "country", "kind", "size", "staff")


def read_limit(args: MultiDict, ignored: list[dict[str, str]]) -> int:
    """How many results to show: ``limit`` from 1 to :data:`MAX_LIMIT` (default :data:`DEFAULT_LIMIT`); a value
    that is not a whole number, or out of range, is said in ``ignored`` with what is shown instead."""
    text = args.get("limit", "").strip()
    if not text:
        return DEFAULT_LIMIT
    if not is_whole_number(text, minimum=0):
        ignored.append({"field": "limit", "value": text[:40],
                        "why": f"not a whole number of results; {DEFAULT_LIMIT} shown"})
        return DEFAULT_LIMIT
    limit = min(max(int(text), 1), MAX_LIMIT)
    if limit != int(text):
        ignored.append({"field": "limit", "value": text,
                        "why": f"outside 1 to {MAX_LIMIT} results; {limit} shown"})
    return limit


def _countries(index: CaseIndex) -> dict[str, str]:
    """Code -> name of every country with a case, by name (once per graph version)."""
    return index.memo("countries", lambda: dict(sorted(
        {(p.country, p.country_name) for p in index.profiles.values() if p.country}, key=lambda c: (c[1], c[0]))))


def _case_named(index: CaseIndex, name: str) -> str | None:
    """The id of the one case called ``name`` (ignoring case), or None (no case, or more than one)."""
    def by_name() -> dict[str, str | None]:
        ids: dict[str, str | None] = {}
        for profile in index.profiles.values():
            key = profile.name.casefold()
            ids[key] = None if key in ids else profile.id  # two cases of one name: neither is picked by it
        return ids
    return index.memo("case ids by name", by_name).get(name.casefold())


def _case_choices(index: CaseIndex) -> list[tuple[str, str]]:
    """(id, name) of the cases the picker suggests: the first :data:`CASE_CHOICES` by name."""
    return index.memo("cases by name", lambda: [
        (p.id, p.name) for p in sorted(index.profiles.values(), key=lambda p: (p.name.lower(), p.id))])[:CASE_CHOICES]


def _kinds(index: CaseIndex) -> list[str]:
    """The kinds of organisation (company, charity...) of the cases, sorted."""
    return index.memo("org_kinds", lambda: sorted({p.kind for p in index.profiles.values() if p.kind}))


@page_route(bp, "/compare")
def compare(fmt: str):
    """Cases comparable to a case (``?case=id``) or to an organisation described in the form."""
    index, args = analysis.index_for(get_store()), request.args
    limit_ignored: list[dict[str, str]] = []
    limit = read_limit(args, limit_ignored)
    case_id = args.get("case", "").strip()
    if case_id and case_id not in index.profiles and (named := _case_named(index, case_id)):
        # The picker takes a case's name too: answer at the id's address, the one every link uses.
        return redirect(url_for(request.endpoint, **{**args.to_dict(flat=False), "case": named}))
    if case_id:
        if case_id not in index.profiles:
            raise not_found(f"No case with id '{case_id}'.", case_id, *page_names(get_store(), "organisation"),
                            url_of=lambda found: url_for("compare.compare", case=found))
        query, mode = analysis.query_for_case(index, case_id), "case"
        ignored = [{"field": field, "value": value[:40], "why": f"not used when comparing with a case: "
                    f"remove case={case_id} to compare a description"}
                   for field in DESCRIPTION_FIELDS for value in args.getlist(field) if value.strip()]
        results = analysis.rank_comparable(index, query, limit=limit, exclude={case_id})
    else:
        query, ignored = described_query(index, args)
        mode = "empty" if query.is_empty() else "description"
        results = [] if query.is_empty() else analysis.rank_comparable(index, query, limit=limit)
    ignored += limit_ignored
    profile = index.profiles.get(case_id)
    data = {"mode": mode, "case": {"id": profile.id, "name": profile.name} if profile else None,
            "query": describe_query(index, query), "ignored": ignored, "limit": limit,
            "cases_total": index.n_cases, "scoring": scoring_rules(index), "results": results,
            "form": form_options(index, query, case_id)}
    return respond(fmt, "compare.html", data, kinds=KIND_PAGES, grades=grades.GRADES,
                   sector_names={s: name for s, (name, _broader) in index.sectors.items()})


def described_query(index: CaseIndex, args: MultiDict) -> tuple[CaseQuery, list[dict[str, str]]]:
    """The form's arguments as a query, and the values it could not use (with why)."""
    ignored: list[dict[str, str]] = []

    def known(field: str, values: list[str], vocabulary: Any, what: str) -> frozenset[str]:
        kept = set()
        for value in filter(None, (v.strip() for v in values)):
            if value in vocabulary:
                kept.add(value)
            else:
                ignored.append({"field": field, "value": value, "why": f"not a known {what}"})
        return frozenset(kept)

    concepts = {kind: known(kind, args.getlist(kind), index.concepts[kind], kind)
                for kind in analysis.COMPARED_KINDS}
    sectors = known("sector", args.getlist("sector"), index.sectors, "sector")
    country = next(iter(known("country", [args.get("country", "")], _countries(index), "country of any case")), "")
    kind = next(iter(known("kind", [args.get("kind", "")], _kinds(index), "kind of organisation of any case")), "")
    band = next(iter(known("size", [args.get("size", "")], SIZE_ORDER, "size band")), "")
    staff = args.get("staff", "").strip()
    if staff:
        if is_whole_number(staff):
            band = size_band(int(staff))
        else:
            ignored.append({"field": "staff", "value": staff, "why": "not a whole number of staff above 0"})
    return CaseQuery(practices=concepts["practice"], frameworks=concepts["framework"],
                     challenges=concepts["challenge"], sectors=sectors, country=country, size_band=band,
                     kind=kind), ignored


def describe_query(index: CaseIndex, query: CaseQuery) -> dict[str, Any]:
    """The query with names, as the page and its JSON twin state it."""
    def named(kind: str, ids: frozenset[str]) -> list[dict[str, str]]:
        return sorted(({"id": i, "name": index.name(kind, i)} for i in ids), key=lambda c: (c["name"], c["id"]))

    countries = _countries(index)
    return {"practices": named("practice", query.practices), "frameworks": named("framework", query.frameworks),
            "challenges": named("challenge", query.challenges),
            "sectors": sorted(({"id": s, "name": index.sector_name(s)} for s in query.sectors),
                              key=lambda s: s["name"]),
            "country": {"id": query.country, "name": countries.get(query.country, query.country)}
            if query.country else None,
            "size_band": query.size_band if query.size_band in SIZE_ORDER else None,
            "kind": query.kind or None}


def scoring_rules(index: CaseIndex) -> dict[str, Any]:
    """The points each component can earn, so that readers can check every score."""
    n = index.n_cases
    return {"context": {"same_sector": analysis.SAME_SECTOR, "same_kind_of_service": analysis.SAME_SERVICE,
                        "same_country": analysis.SAME_COUNTRY, "same_kind_of_organisation": analysis.SAME_KIND,
                        "same_ownership_family": analysis.SAME_OWNERSHIP, "same_size_band": analysis.SAME_SIZE,
                        "neighbouring_size_band": analysis.NEAR_SIZE, "related_case": RELATED_CASE,
                        "model_only_inspired_by": INSPIRED_BY},
            "relations": sorted(RELATION_WORDS.values()),
            "ownership_families": {family: sorted(k for k, f in analysis.OWNERSHIP.items() if f == family)
                                   for family in sorted(set(analysis.OWNERSHIP.values()))},
            "shared_concepts_budget": analysis.CONCEPT_BUDGET,
            "budgets": dict(CONCEPT_BUDGETS),
            "split": {part: sorted(c for c, p in SPLIT_OF.items() if p == part) for part in SPLIT_PARTS},
            "shared_concept": "its kind's budget x (its rarity / the rarities of all the compared concepts of "
                              f"its kind together) x its evidence weight; rarity = 1 + ln((1 + {n}) / (1 + cases "
                              "that have it))",
            "shared_concept_rarity_range": [analysis.rarity(n, n), analysis.rarity(n, 1)],
            "evidence_weights": {g.id: g.weight for g in grades.GRADES} | {"not recorded": grades.UNGRADED.weight},
            "only_claims_about_the_organisation_itself": True}


def form_options(index: CaseIndex, query: CaseQuery, case_id: str = "") -> dict[str, Any]:
    """Choices of the compare forms, each with how many cases have it; choices no case has are left out.

    ``cases``: the case picker's suggestions, at most :data:`CASE_CHOICES` (``cases_total`` says how many there are).

    A sector counts the cases in it or in a narrower sector (:func:`kb.analysis.sector_tree.cases_under_sector`).
    """
    def concepts(kind: str) -> list[dict[str, Any]]:
        chosen = query.concepts(kind)
        options = ({"id": c.id, "name": c.name, "cases": len(index.cases_with(kind, c.id)),
                    "checked": c.id in chosen} for c in index.concepts[kind].values())
        return sorted((o for o in options if o["cases"] or o["checked"]), key=lambda c: (c["name"].lower(), c["id"]))

    sectors = ({"id": s, "name": name, "cases": len(cases_under_sector(index, s)), "selected": s in query.sectors}
               for s, (name, _broader) in index.sectors.items())
    kinds = [{"id": kind, "cases": len(index.cases_with("org_kind", kind)), "selected": kind == query.kind}
             for kind in _kinds(index)]
    return {
        "cases": [{"id": id_, "name": name, "selected": id_ == case_id} for id_, name in _case_choices(index)],
        "practice": concepts("practice"), "framework": concepts("framework"), "challenge": concepts("challenge"),
        "sectors": sorted((s for s in sectors if s["cases"] or s["selected"]), key=lambda s: s["name"].lower()),
        "countries": [{"id": code, "name": name, "cases": len(index.cases_with("country", code)),
                       "selected": code == query.country} for code, name in _countries(index).items()],
        "sizes": [{"id": band, "cases": len(index.cases_with("size", band)), "selected": band == query.size_band}
                  for band in SIZE_ORDER if index.cases_with("size", band) or band == query.size_band],
        "kinds": kinds,
    }
