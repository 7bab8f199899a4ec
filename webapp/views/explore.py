"""Explore pages (blueprint ``explore``): comparable cases, concept pages and patterns.

The numbers come from :mod:`kb.analysis`, over an index cached per graph version; a concept's
evidence (claim details, views, sources) is read per request through the ``concept_<kind>_*``
named queries.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, request, url_for
from werkzeug.datastructures import MultiDict

from kb import analysis
from kb import evidence as grades
from kb.analysis import SIZE_ORDER, CaseIndex, CaseQuery
from kb.evidence import is_self, meets_grade
from kb.graph.model import size_band
from kb.kinds import KINDS
from kb.queries.explore import concept_query

from ..badges import SCOPE_BADGES, grade_words
from ..errors import not_found
from ..render import render_markdown
from ..store import get_store
from .base import page_route, respond
from .discover import page_names

bp = Blueprint("explore", __name__)


#: Concept kind -> (URL folder, title of its list page).
KIND_PAGES = {k.id: (k.folder, k.title) for k in KINDS}
#: What a case does with a concept of each kind, for sentences like "organisations that faced it".
VERBS = {"practice": ("use", "using"), "framework": ("follow", "following"), "challenge": ("faced", "facing"),
         "outcome": ("reported", "reporting")}
#: Kinds the case list can be filtered by (query arguments of /cases, combined with AND).
FACETS = ("practice", "challenge", "outcome")
DEFAULT_LIMIT, MAX_LIMIT = 10, 50


def _index() -> CaseIndex:
    return analysis.index_for(get_store())


def _countries(index: CaseIndex) -> dict[str, str]:
    """Code -> name of every country with a case, by name (once per graph version)."""
    return index.memo("countries", lambda: dict(sorted(
        {(p.country, p.country_name) for p in index.profiles.values() if p.country}, key=lambda c: (c[1], c[0]))))


def _kinds(index: CaseIndex) -> list[str]:
    """The kinds of organisation (company, charity...) of the cases, sorted."""
    return index.memo("org_kinds", lambda: sorted({p.kind for p in index.profiles.values() if p.kind}))


# -- comparable cases -----------------------------------------------------------------------------

@page_route(bp, "/compare")
def compare(fmt: str):
    """Cases comparable to a case (``?case=id``) or to an organisation described in the form."""
    index, args = _index(), request.args
    limit = min(max(args.get("limit", DEFAULT_LIMIT, type=int), 1), MAX_LIMIT)
    case_id = args.get("case", "").strip()
    if case_id:
        if case_id not in index.profiles:
            raise not_found(f"No case with id '{case_id}'.", case_id, *page_names(get_store(), "organisation"),
                            url_of=lambda found: url_for("explore.compare", case=found))
        query, ignored, mode = analysis.query_for_case(index, case_id), [], "case"
        results = analysis.rank_comparable(index, query, limit=limit, exclude={case_id})
    else:
        query, ignored = described_query(index, args)
        mode = "empty" if query.is_empty() else "description"
        results = [] if query.is_empty() else analysis.rank_comparable(index, query, limit=limit)
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
        if staff.isdigit() and int(staff) > 0:
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
                        "neighbouring_size_band": analysis.NEAR_SIZE},
            "ownership_families": {family: sorted(k for k, f in analysis.OWNERSHIP.items() if f == family)
                                   for family in sorted(set(analysis.OWNERSHIP.values()))},
            "shared_concepts_budget": analysis.CONCEPT_BUDGET,
            "shared_concept": f"{analysis.CONCEPT_BUDGET:g} x (its rarity / the rarities of all the compared "
                              f"concepts together) x its evidence weight; rarity = 1 + ln((1 + {n}) / (1 + cases "
                              "that have it))",
            "shared_concept_rarity_range": [analysis.rarity(n, n), analysis.rarity(n, 1)],
            "evidence_weights": {g.id: g.weight for g in grades.GRADES} | {"not recorded": grades.UNGRADED.weight},
            "only_claims_about_the_organisation_itself": True}


def form_options(index: CaseIndex, query: CaseQuery, case_id: str = "") -> dict[str, Any]:
    """Choices of the compare forms, each with how many cases have it; choices no case has are left out.

    A sector counts the cases in it or in a narrower sector (those a query for it finds comparable).
    """
    def concepts(kind: str) -> list[dict[str, Any]]:
        chosen = query.concepts(kind)
        options = ({"id": c.id, "name": c.name, "cases": len(index.cases_with(kind, c.id)),
                    "checked": c.id in chosen} for c in index.concepts[kind].values())
        return sorted((o for o in options if o["cases"] or o["checked"]), key=lambda c: (c["name"].lower(), c["id"]))

    def sector_cases(sector: str) -> int:
        narrower = {s for s in index.sectors if sector in analysis.sector_ancestors(index, s)}
        return len(set().union(*(index.cases_with("sector", s) for s in narrower)))

    sectors = ({"id": s, "name": name, "cases": sector_cases(s), "selected": s in query.sectors}
               for s, (name, _broader) in index.sectors.items())
    kinds = [{"id": kind, "cases": len(index.cases_with("org_kind", kind)), "selected": kind == query.kind}
             for kind in _kinds(index)]
    return {
        "cases": [{"id": p.id, "name": p.name, "selected": p.id == case_id}
                  for p in sorted(index.profiles.values(), key=lambda p: (p.name.lower(), p.id))],
        "practice": concepts("practice"), "framework": concepts("framework"), "challenge": concepts("challenge"),
        "sectors": sorted((s for s in sectors if s["cases"] or s["selected"]), key=lambda s: s["name"].lower()),
        "countries": [{"id": code, "name": name, "cases": len(index.cases_with("country", code)),
                       "selected": code == query.country} for code, name in _countries(index).items()],
        "sizes": [{"id": band, "cases": len(index.cases_with("size", band)), "selected": band == query.size_band}
                  for band in SIZE_ORDER if index.cases_with("size", band) or band == query.size_band],
        "kinds": kinds,
    }


# -- concept pages --------------------------------------------------------------------------------

def _concept_routes(kind: str) -> None:
    """Register ``/<kind>s`` and ``/<kind>s/<id>`` (each with its JSON twin) for one concept kind."""
    folder = KIND_PAGES[kind][0]

    def listing(fmt: str):
        return _concept_list(kind, fmt)

    def page(concept_id: str, fmt: str):
        return _concept_page(kind, concept_id, fmt)

    listing.__name__, listing.__doc__ = folder, f"Every {kind}, with how many cases have it."
    page.__name__, page.__doc__ = kind, f"One {kind}: definition, the cases behind it, what goes with it."
    page_route(bp, f"/{folder}")(listing)
    page_route(bp, f"/{folder}/<concept_id>")(page)


def _concept_list(kind: str, fmt: str):
    index = _index()
    concepts = sorted(({"id": c.id, "name": c.name, "definition": c.definition,
                        "cases": len(index.cases_with(kind, c.id))} for c in index.concepts[kind].values()),
                      key=lambda c: (c["name"].lower(), c["id"]))
    return respond(fmt, "explore_concepts.html", {"kind": kind, "concepts": concepts, "cases_total": index.n_cases},
                   kinds=KIND_PAGES)


def _concept_page(kind: str, concept_id: str, fmt: str):
    index, store = _index(), get_store()
    info = index.concepts[kind].get(concept_id)
    if info is None:
        raise not_found(f"No {kind} with id '{concept_id}'.", concept_id, *page_names(store, kind),
                        url_of=lambda found: f"/{KIND_PAGES[kind][0]}/{found}")
    claims, paging = _page_of(store.query(concept_query(kind, "claims"), id=concept_id))
    # What files say about this concept at organisations they supported, inspired or franchised, or in
    # general: shown apart, never counted as those files' own.
    reported = store.query(concept_query(kind, "reported"), id=concept_id)
    views = store.query(concept_query(kind, "views"), id=concept_id)
    claims, reported = _with_views(claims, views), _with_views(reported, views)
    with_figures([*claims, *reported], store.query(concept_query(kind, "figures"), id=concept_id), index=index)
    with_about([*claims, *reported], index)
    # The sources cited on this page: by its claims, their figures and views, and by the concept's own text.
    cited = {source for claim in [*claims, *reported] for source in claim["sources"]}
    cited |= {source for claim in [*claims, *reported] for part in ("views", "figures") for item in claim[part]
              for source in item["sources"]}
    sources = {s["id"]: s for s in store.query("explore_sources", ids=sorted(cited))}
    sources.update({s["id"]: s for s in store.query(concept_query(kind, "sources"), id=concept_id)})
    data = {
        "kind": kind,
        "concept": {"id": info.id, "name": info.name, "definition": info.definition, "aliases": list(info.aliases),
                    "body": info.body, "file": info.file},
        **related_concepts(index, kind, concept_id),
        "cases_total": index.n_cases,
        "cases": len(index.cases_with(kind, concept_id)),
        "claims_page": paging,
        "claims": claims,
        "reported": reported,
        "alongside": {other: analysis.alongside(index, kind, concept_id, other) for other in analysis.KINDS},
        "sources": [sources[key] for key in sorted(sources)],
    }
    body_html = render_markdown(info.body, base=f"concepts/{KIND_PAGES[kind][0]}")
    return respond(fmt, "concept.html", data, body_html=body_html, kinds=KIND_PAGES, verbs=VERBS,
                   facet_url=facet_url, profiles=index.profiles, source_index=sources)


for _kind in KIND_PAGES:
    _concept_routes(_kind)


def related_concepts(index: CaseIndex, kind: str, concept_id: str) -> dict[str, Any]:
    """Broader and narrower concepts, and the framework <-> practice links, with names."""
    def ref(ref_kind: str, ref_id: str) -> dict[str, str]:
        return {"kind": ref_kind, "id": ref_id, "name": index.name(ref_kind, ref_id)}

    info = index.concepts[kind][concept_id]
    narrower = sorted((ref(kind, c.id) for c in index.concepts[kind].values() if c.broader == concept_id),
                      key=lambda c: c["name"])
    includes = [ref("practice", p) for p in index.includes.get(concept_id, ())] if kind == "framework" else []
    included_in = sorted((ref("framework", f) for f, practices in index.includes.items() if concept_id in practices),
                         key=lambda c: c["name"]) if kind == "practice" else []
    return {"broader": ref(kind, info.broader) if info.broader else None, "narrower": narrower,
            "includes": sorted(includes, key=lambda c: c["name"]), "included_in": included_in}


def _page_of(claims: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One page of a concept's claims (``?page=``, ``KB_PAGE_SIZE`` a page) and where it is."""
    per_page = current_app.config["KB_PAGE_SIZE"]
    pages = max(1, -(-len(claims) // per_page))
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= pages:
        abort(404, f"No page {page}: the claims fill {pages} page{'s' if pages > 1 else ''}.")
    start = (page - 1) * per_page
    return claims[start:start + per_page], {"page": page, "pages": pages, "per_page": per_page,
                                            "total": len(claims)}


def _with_views(claims: list[dict[str, Any]], views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attach each disputed claim's views (matched by organisation and line) to the claim."""
    by_claim: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for view in views:
        by_claim.setdefault((view["organisation"], view["claim_line"]), []).append(
            {"text": view["text"], "sources": view["sources"] or [], "line": view["line"]})
    return [{**claim, "sources": claim["sources"] or [],
             "views": by_claim.get((claim["organisation"], claim["line"]), [])} for claim in claims]


def with_figures(claims: list[dict[str, Any]], figures: list[dict[str, Any]], organisation: str | None = None,
                 index: CaseIndex | None = None) -> list[dict[str, Any]]:
    """Attach every figure to the claim it was written under: the same organisation's last claim
    about the concept at or before the figure's line.  Rows may name the ``concept`` (one concept's
    page leaves it out); ``organisation`` is the one organisation of rows that do not name it.  A
    figure under a claim on another page of the list is left for that page.  Each figure keeps its
    own scope and grade (``index``: to link the cases a figure about others names).
    """
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for claim in claims:
        claim["figures"] = []
        by_key.setdefault((organisation or claim["organisation"], claim.get("concept", "")), []).append(claim)
    for figure in figures:
        key = (organisation or figure["organisation"], figure.get("concept", ""))
        above = [c for c in by_key.get(key, []) if (c["line"] or 0) <= (figure["line"] or 0)]
        if above:
            max(above, key=lambda c: c["line"] or 0)["figures"].append(
                {key: figure[key] for key in ("id", "value", "value_max", "unit", "description", "year", "status",
                                              "line")}
                | {"sources": figure["sources"] or [], "text": figure_text(figure),
                   "scope": figure.get("scope") or "self", "evidence": figure.get("evidence") or "",
                   "about": figure.get("about") or [], "about_links": about_links(figure.get("about"), index)})
    return claims


def about_links(about: list[str] | None, index: CaseIndex | None) -> list[dict[str, str]]:
    """The groups a claim about others names, each linked to its case where it is one."""
    return [{"name": index.profiles[name].name if index and name in index.profiles else name,
             "url": url_for("browse.case", case_id=name) if index and name in index.profiles else ""}
            for name in about or ()]


def with_about(rows: list[dict[str, Any]], index: CaseIndex) -> list[dict[str, Any]]:
    """Add ``about_links`` to claim rows (see :func:`about_links`)."""
    for row in rows:
        row["about_links"] = about_links(row.get("about"), index)
    return rows


def figure_text(figure: dict[str, Any]) -> str:
    """A figure as people read it, e.g. ``18% staff left (2016)`` or ``12–15 nurses per team (2015)``."""
    def number(value: float) -> str:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"

    value = number(figure["value"]) + (f"–{number(figure['value_max'])}" if figure.get("value_max") is not None else "")
    unit = figure.get("unit") or ""
    unit = unit if unit == "%" else f" {unit}" if unit else ""
    year = f" ({figure['year']})" if figure.get("year") else ""
    return f"{value}{unit} {figure.get('description') or ''}".strip() + year


def facet_url(**selected: str | list[str]) -> str | None:
    """The case list filtered to cases that have all the given concepts, or None if it cannot say so.

    The case list filters by practice, challenge and outcome (not framework).
    """
    if any(kind not in FACETS for kind in selected):
        return None
    return url_for("browse.cases", **selected)


# -- how evidence is graded ------------------------------------------------------------------------

@page_route(bp, "/evidence")
def evidence(fmt: str):
    """How claims are graded and scoped, with how many claims of the knowledge base have each grade and scope."""
    index = _index()
    by_grade: dict[str, int] = {}
    by_scope: dict[str, int] = {}
    for row in index.claim_rows:
        grade_id = row.get("evidence") or ""
        by_grade[grade_id] = by_grade.get(grade_id, 0) + 1
        scope = row.get("scope") or "self"
        by_scope[scope] = by_scope.get(scope, 0) + 1
    data = {
        "grades": [grade_words(g) | {"claims": by_grade.get(g.id, 0)} for g in grades.GRADES],
        "not_recorded": {"label": grades.UNGRADED.label, "weight": grades.UNGRADED.weight,
                         "claims": by_grade.get("", 0)},
        "rules": [
            "A claim's grade comes from the best reliability among the sources it cites.",
            "A source written or co-written by the organisation's own people, or commissioned or paid for by it (its "
            "affiliation), is its own account for its claims, whatever else it is.",
            "A claim marked [uncertain] is one grade lower (never below a commentator's impression), except one whose "
            "best source is the organisation's own account: that grade already says only the organisation vouches "
            "for it.",
            "[contested] is a separate flag: sources disagree; the grade still says how strong the best source is.",
            "Only claims about the organisation itself count in comparisons, patterns and analytics; each weighs "
            "as much as its grade (the weight column), and the patterns can be limited to a minimum grade.",
        ],
        "scopes": [{"id": scope, "label": grades.scope_label(scope), "badge": SCOPE_BADGES[scope],
                    "counted": scope == "self", "claims": by_scope.get(scope, 0)} for scope in grades.SCOPES],
        "claims_total": len(index.claim_rows),
    }
    return respond(fmt, "evidence.html", data)


# -- patterns ---------------------------------------------------------------------------------------

#: The ``scope`` choices of the pattern pages: only what organisations say about themselves (the
#: default), or also what they report about others and in general.
SCOPE_CHOICES = {"self": "Only claims about the organisation itself",
                 "all": "All claims, including those about organisations it supported, inspired or franchised "
                        "and about self-managing organisations in general"}


def evidence_filter(args: MultiDict) -> dict[str, Any]:
    """The pattern pages' filter from the URL: ``scope`` (``self`` or ``all``) and ``grade`` (a minimum
    grade, empty for any), with the values it could not use (with why) and the choices to offer."""
    ignored = []
    scope = args.get("scope", "self").strip() or "self"
    if scope not in SCOPE_CHOICES:
        ignored.append({"field": "scope", "value": scope, "why": f"not one of {', '.join(SCOPE_CHOICES)}"})
        scope = "self"
    grade = args.get("grade", "").strip()
    if grade and grade not in grades.GRADE_IDS:
        ignored.append({"field": "grade", "value": grade,
                        "why": f"not an evidence grade; known: {', '.join(grades.GRADE_IDS)}"})
        grade = ""
    label = "any grade" if not grade else grades.grade_label(grade).lower() + (
        "" if grade == grades.GRADE_IDS[0] else " or better")
    return {"scope": scope, "min_grade": grade or None, "ignored": ignored,
            "description": f"{SCOPE_CHOICES[scope]}; evidence: {label}",
            "choices": {"scope": [{"id": key, "label": text, "selected": key == scope}
                                  for key, text in SCOPE_CHOICES.items()],
                        "grade": [{"id": "", "label": "Any grade", "selected": not grade}]
                        + [{"id": g.id, "label": g.label if g.id == grades.GRADE_IDS[0] else f"{g.label} or better",
                            "selected": g.id == grade} for g in grades.GRADES]}}


def filter_args(selected: dict[str, Any]) -> dict[str, str]:
    """The filter as URL arguments, leaving out the defaults (so that default URLs stay short)."""
    return {key: value for key, value in (("scope", selected["scope"]), ("grade", selected["min_grade"] or ""))
            if value and (key, value) != ("scope", "self")}


@page_route(bp, "/patterns")
def patterns(fmt: str):
    """Practice x challenge and practice x outcome matrices, and the most connected practices, counted
    from the claims the filter keeps (``scope``, ``grade``)."""
    selected = evidence_filter(request.args)
    index = _index().restricted(selected["scope"], selected["min_grade"])
    matrices = {col: index.memo(("matrix", "practice", col), lambda col=col: analysis.cross_matrix(
        index, "practice", col)) for col in ("challenge", "outcome")}
    args = filter_args(selected)
    data = {
        "cases_total": index.n_cases,
        "filter": {key: selected[key] for key in ("scope", "min_grade", "description")},
        "ignored": selected["ignored"],
        "matrices": {f"practice_{col}": matrix_data(index, matrix, args) for col, matrix in matrices.items()},
        "most_connected": index.memo("most_connected", lambda: analysis.most_connected(index, limit=10)),
        "highlights": {f"practice_{col}": [{**pair, "claims_url": url_for(
            "explore.pattern_claims", practice=pair["row"], **{col: pair["col"]}, **args)} for pair in index.memo(
            ("top_pairs", col), lambda m=matrix: analysis.top_pairs(index, m, limit=8))]
            for col, matrix in matrices.items()},
    }
    return respond(fmt, "patterns.html", data, verbs=VERBS, kinds=KIND_PAGES, choices=selected["choices"])


def matrix_data(index: CaseIndex, matrix: analysis.Matrix, args: dict[str, str] | None = None) -> dict[str, Any]:
    """A matrix as rows, columns and non-empty cells, each cell with its cases, a link to the claims
    behind it (``claims_url``, keeping the filter ``args``) and one to those cases in the case list."""
    def heading(kind: str, concept: str) -> dict[str, Any]:
        return {"id": concept, "name": index.name(kind, concept), "cases": len(index.cases_with(kind, concept))}

    cells = [{"row": row, "column": col, "count": len(matrix.cases(row, col)), "cases": list(matrix.cases(row, col)),
              "url": facet_url(**{matrix.row_kind: row, matrix.col_kind: col}),
              "claims_url": url_for("explore.pattern_claims", **{matrix.row_kind: row, matrix.col_kind: col},
                                    **(args or {}))}
             for row in matrix.rows for col in matrix.cols if matrix.cases(row, col)]
    return {"row_kind": matrix.row_kind, "column_kind": matrix.col_kind,
            "rows": [heading(matrix.row_kind, r) for r in matrix.rows],
            "columns": [heading(matrix.col_kind, c) for c in matrix.cols],
            "largest_cell": max((cell["count"] for cell in cells), default=0), "cells": cells}


#: The pairs of kinds a pattern cell can join: (what organisations use, what they faced or reported).
PATTERN_PAIRS = (("practice", "challenge"), ("practice", "outcome"))


@page_route(bp, "/patterns/claims")
def pattern_claims(fmt: str):
    """The claims behind one count: e.g. ``?practice=X&outcome=Y``, the organisations that use practice
    X and report outcome Y, each with its claims about both, their sources, dates and grades."""
    selected = evidence_filter(request.args)
    full = _index()
    index = full.restricted(selected["scope"], selected["min_grade"])
    pair = next(((row, col) for row, col in PATTERN_PAIRS if request.args.get(row) and request.args.get(col)), None)
    if pair is None:
        abort(400, "Name a practice and a challenge or an outcome, e.g. "
                   "/patterns/claims?practice=self-managing-teams&outcome=staff-wellbeing")
    row_kind, col_kind = pair
    row, col = request.args[row_kind], request.args[col_kind]
    for kind, concept in ((row_kind, row), (col_kind, col)):
        if concept not in index.concepts[kind]:
            abort(404, f"No {kind} with id '{concept}'.")
    cases = sorted(index.cases_with(row_kind, row) & index.cases_with(col_kind, col),
                   key=lambda case: (index.profiles[case].name, case))
    store = get_store()
    evidence = {kind: _kept_claims([*store.query(concept_query(kind, "claims"), id=concept),
                                    *(store.query(concept_query(kind, "reported"), id=concept)
                                      if selected["scope"] == "all" else [])], selected)
                for kind, concept in ((row_kind, row), (col_kind, col))}
    cited = {source for rows in evidence.values() for claim in rows for source in claim["sources"] or []}
    sources = {s["id"]: s for s in store.query("explore_sources", ids=sorted(cited))}
    organisations = [{"id": case, "name": index.profiles[case].name,
                      "claims": {kind: [_claim_entry(claim, sources, full) for claim in evidence[kind]
                                        if claim["organisation"] == case] for kind in (row_kind, col_kind)}}
                     for case in cases]
    data = {
        "filter": {key: selected[key] for key in ("scope", "min_grade", "description")},
        "ignored": selected["ignored"],
        "row": {"kind": row_kind, "id": row, "name": index.name(row_kind, row),
                "cases": len(index.cases_with(row_kind, row))},
        "column": {"kind": col_kind, "id": col, "name": index.name(col_kind, col)},
        "count": len(cases),
        "title": f"{index.name(col_kind, col)} among organisations that {VERBS[row_kind][0]} "
                 f"{index.name(row_kind, row)}",
        "organisations": organisations,
        "cases_url": facet_url(**{row_kind: row, col_kind: col}),
    }
    return respond(fmt, "pattern_claims.html", data, verbs=VERBS, kinds=KIND_PAGES, choices=selected["choices"])


def _kept_claims(rows: list[dict[str, Any]], selected: dict[str, Any]) -> list[dict[str, Any]]:
    """The claims the filter keeps: about the organisation itself unless ``scope`` is ``all``, and of
    at least the minimum grade."""
    return sorted((row for row in rows if (selected["scope"] == "all" or is_self(row.get("scope")))
                   and meets_grade(row.get("evidence"), selected["min_grade"])),
                  key=lambda row: (row["organisation"], row["line"] or 0))


def _claim_entry(claim: dict[str, Any], sources: dict[str, dict[str, Any]], index: CaseIndex) -> dict[str, Any]:
    """One claim as the claims page lists it: what it says, whom about, its grade, and its sources with dates."""
    return {"detail": claim["detail"], "figure": claim.get("figure") or "", "status": claim.get("status") or "",
            "scope": claim.get("scope") or "self", "about": claim.get("about") or [],
            "about_links": about_links(claim.get("about"), index),
            "evidence": claim.get("evidence") or "",
            "grade_label": grades.grade_label(claim.get("evidence")), "line": claim["line"],
            "sources": [{"id": s, "title": sources.get(s, {}).get("title") or s,
                         "publisher": sources.get(s, {}).get("publisher") or "",
                         "date": sources.get(s, {}).get("date") or "",
                         "reliability": sources.get(s, {}).get("reliability") or ""}
                        for s in claim["sources"] or []]}
