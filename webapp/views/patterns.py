"""Patterns across cases (blueprint ``patterns``): practice x challenge and practice x outcome matrices
(:mod:`kb.analysis.patterns`), and the claims behind each count, kept by the evidence filter."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, get_template_attribute, request, url_for

from kb import analysis
from kb import evidence as grades
from kb.analysis import CaseIndex
from kb.analysis.claims import keeps, kept_claims
from kb.analysis.facets import PageOutOfRange, paginate
from kb.queries.explore import concept_query
from kb.store.versioned import derived

from ..bounds import whole_number
from ..store import get_store
from .base import page_route, respond
from .concepts import VERBS
from .evidence import evidence_filter, filter_args
from .links import KIND_PAGES, about_links, facet_url

bp = Blueprint("patterns", __name__)


#: The two matrices of the patterns page: (key in ``matrices``, section id, title, the verb of its column).
PATTERN_SECTIONS = (("practice_challenge", "practice-challenge", "Practices and challenges", "faced"),
                    ("practice_outcome", "practice-outcome", "Practices and outcomes", "reported"))


@page_route(bp, "/patterns")
def patterns(fmt: str):
    """Practice x challenge and practice x outcome matrices, and the most connected practices, counted
    from the claims the filter keeps (``scope``, ``grade``)."""
    selected = evidence_filter(request.args)
    index = analysis.index_for(get_store()).restricted(selected["scope"], selected["min_grade"])
    matrices = {col: index.memo(("matrix", "practice", col), lambda col=col: analysis.cross_matrix(
        index, "practice", col)) for col in ("challenge", "outcome")}
    args = filter_args(selected)
    data = {
        "cases_total": index.n_cases,
        "filter": {key: selected[key] for key in ("scope", "min_grade", "description")},
        "ignored": selected["ignored"],
        # Each cell's cases, evidence and links: the same for every request of one graph version and filter.
        "matrices": {f"practice_{col}": index.memo(("matrix data", col, tuple(sorted(args.items()))),
                                                   lambda m=matrix: matrix_data(index, m, args))
                     for col, matrix in matrices.items()},
        "most_connected": index.memo("most_connected", lambda: analysis.most_connected(index, limit=10)),
        "highlights": {f"practice_{col}": [{**pair, "claims_url": url_for(
            "patterns.pattern_claims", practice=pair["row"], **{col: pair["col"]}, **args)} for pair in index.memo(
            ("top_pairs", col), lambda m=matrix: analysis.top_pairs(index, m, limit=8))]
            for col, matrix in matrices.items()},
    }
    return respond(fmt, "patterns.html", data, verbs=VERBS, kinds=KIND_PAGES, choices=selected["choices"],
                   sections=PATTERN_SECTIONS, figures=_figures(data["matrices"], args) if fmt == "html" else {})


def _figures(matrices: dict[str, dict[str, Any]], args: dict[str, str]) -> dict[str, Any]:
    """Each matrix's figure (its dot matrix and most frequent pairs) as HTML, drawn once per graph version and
    filter: about 1,200 dots took most of a request.  Kept with the version (:func:`kb.store.versioned.derived`),
    at most one per section and filter (the filter's values are the few known scopes and grades)."""
    figure = get_template_attribute("chart_macros.html", "matrix_figure")
    return {key: derived(get_store(), f"patterns figure {key} {sorted(args.items())}",
                         lambda _store, key=key, section_id=section_id, title=title, verb=verb:
                         figure(matrices[key], section_id, title, verb))
            for key, section_id, title, verb in PATTERN_SECTIONS}


def matrix_data(index: CaseIndex, matrix: analysis.Matrix, args: dict[str, str] | None = None) -> dict[str, Any]:
    """A matrix as rows, columns and non-empty cells, each cell with its cases, how strong their evidence is
    (``evidence``, :func:`kb.analysis.patterns.cell_evidence`), a link to the claims behind it
    (``claims_url``, keeping the filter ``args``) and one to those cases in the case list."""
    def heading(kind: str, concept: str) -> dict[str, Any]:
        return {"id": concept, "name": index.name(kind, concept), "cases": len(index.cases_with(kind, concept))}

    cells = [{"row": row, "column": col, "row_name": index.name(matrix.row_kind, row),
              "column_name": index.name(matrix.col_kind, col),
              "count": len(matrix.cases(row, col)), "cases": list(matrix.cases(row, col)),
              "evidence": analysis.patterns.cell_evidence(index, matrix, row, col),
              "url": facet_url(**{matrix.row_kind: row, matrix.col_kind: col}),
              "claims_url": url_for("patterns.pattern_claims", **{matrix.row_kind: row, matrix.col_kind: col},
                                    **(args or {}))}
             for row in matrix.rows for col in matrix.cols if matrix.cases(row, col)]
    return {"row_kind": matrix.row_kind, "column_kind": matrix.col_kind,
            "rows": [heading(matrix.row_kind, r) for r in matrix.rows],
            "columns": [heading(matrix.col_kind, c) for c in matrix.cols],
            "largest_cell": max((cell["count"] for cell in cells), default=0), "cells": cells}


#: The pairs of kinds a pattern cell can join: (what organisations use, what they faced or reported).
PATTERN_PAIRS = (("practice", "challenge"), ("practice", "outcome"))
#: Organisations a page of the claims behind a count lists (at 10,000 cases a count can be thousands).
ORGANISATIONS_PER_PAGE = 50


@page_route(bp, "/patterns/claims")
def pattern_claims(fmt: str):
    """The claims behind one count: e.g. ``?practice=X&outcome=Y``, the organisations that use practice
    X and report outcome Y, each with its claims about both, their sources, dates and grades."""
    selected = evidence_filter(request.args)
    full = analysis.index_for(get_store())
    index = full.restricted(selected["scope"], selected["min_grade"])
    (row_kind, row), (col_kind, col) = pair = _requested_pair(index)
    cases = sorted(index.cases_with(row_kind, row) & index.cases_with(col_kind, col),
                   key=lambda case: (index.profiles[case].name, case))
    store = get_store()
    page = _organisations_page(cases)
    # The claims of the page's organisations only, read by their ids (a count can be thousands at 10,000 cases).
    parts = ("claims_from", "reported_from") if selected["scope"] == "all" else ("claims_from",)
    evidence = {kind: kept_claims([row for part in parts for row in store.query(
        concept_query(kind, part), id=concept, organisations=page.items)], selected["scope"], selected["min_grade"])
        for kind, concept in pair}
    data = {
        "filter": {key: selected[key] for key in ("scope", "min_grade", "description")},
        "ignored": selected["ignored"],
        "row": {"kind": row_kind, "id": row, "name": index.name(row_kind, row),
                "cases": len(index.cases_with(row_kind, row))},
        "column": {"kind": col_kind, "id": col, "name": index.name(col_kind, col)},
        "count": len(cases),
        "title": f"{index.name(col_kind, col)} among organisations that {VERBS[row_kind][0]} "
                 f"{index.name(row_kind, row)}",
        "organisations": _organisation_entries(store, full, page.items, evidence),
        "page": _page_links(page),
        "cases_url": facet_url(**{row_kind: row, col_kind: col}),
    }
    if fmt == "json":
        return respond(fmt, "pattern_claims.html", data)
    # The evidence profile counts the claims of every organisation of the count, not only this page's: their
    # grades and statuses from the case index, kept by the same filter.
    in_cell = set(cases)
    cell_claims = {kind: [claim for claim in full.claims_about(kind, concept) if claim["organisation"] in in_cell
                          and keeps(claim, selected["scope"], selected["min_grade"])] for kind, concept in pair}
    return respond(fmt, "pattern_claims.html", data, verbs=VERBS, kinds=KIND_PAGES, choices=selected["choices"],
                   cell_claims=cell_claims)


def _requested_pair(index: CaseIndex) -> tuple[tuple[str, str], tuple[str, str]]:
    """The (kind, id) of the count's row and column from the URL, or a 400/404 saying what is wrong."""
    if request.args.get("challenge") and request.args.get("outcome"):
        abort(400, f"Name a challenge or an outcome, not both (challenge '{request.args['challenge'][:40]}', "
                   f"outcome '{request.args['outcome'][:40]}'): a count is of one pair.")
    pair = next(((row, col) for row, col in PATTERN_PAIRS if request.args.get(row) and request.args.get(col)), None)
    if pair is None:
        abort(400, "Name a practice and a challenge or an outcome, e.g. "
                   "/patterns/claims?practice=self-managing-teams&outcome=staff-wellbeing")
    chosen = tuple((kind, request.args[kind]) for kind in pair)
    for kind, concept in chosen:
        if concept not in index.concepts[kind]:
            abort(404, f"No {kind} with id '{concept}'.")
    return chosen


def _organisations_page(cases: list[str]) -> Any:
    try:
        return paginate(cases, whole_number(request.args.get("page", "1"), "page"), ORGANISATIONS_PER_PAGE)
    except PageOutOfRange as err:
        abort(404, f"No such page of organisations: {err}.")


def _page_links(page: Any) -> dict[str, Any]:
    def link(number: int) -> str:
        return url_for(request.endpoint, **{**request.args.to_dict(flat=False), "page": number})
    return {"number": page.number, "pages": page.pages, "size": page.size,
            "next": link(page.number + 1) if page.number < page.pages else None,
            "previous": link(page.number - 1) if page.number > 1 else None}


def _organisation_entries(store: Any, index: CaseIndex, page_cases: list[str],
                          evidence: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A page of organisations, each with its claims about the row's and the column's concept."""
    # Each organisation's claims found once (not every claim scanned per organisation: thousands of both at
    # 10,000 cases), and only a page of organisations made into entries and drawn.
    by_case: dict[str, dict[str, list[dict[str, Any]]]] = {kind: {} for kind in evidence}
    for kind, rows in evidence.items():
        for claim in rows:
            by_case[kind].setdefault(claim["organisation"], []).append(claim)
    cited = {source for kind in by_case for case in page_cases for claim in by_case[kind].get(case, [])
             for source in claim["sources"] or []}
    sources = {s["id"]: s for s in store.query("explore_sources", ids=sorted(cited))}
    return [{"id": case, "name": index.profiles[case].name,
             "claims": {kind: [_claim_entry(claim, sources, index) for claim in by_case[kind].get(case, [])]
                        for kind in evidence}}
            for case in page_cases]


def _claim_entry(claim: dict[str, Any], sources: dict[str, dict[str, Any]], index: CaseIndex) -> dict[str, Any]:
    """One claim as the claims page lists it: what it says, whom about, its grade, and its sources with dates."""
    return {"detail": claim["detail"], "figure": claim.get("figure") or "", "status": claim.get("status") or "",
            "scope": claim.get("scope") or "self", "about": claim.get("about") or [],
            "about_links": about_links(claim.get("about"), index.profiles),
            "evidence": claim.get("evidence") or "",
            "grade_label": grades.grade_label(claim.get("evidence")), "line": claim["line"],
            "sources": [{"id": s, "title": sources.get(s, {}).get("title") or s,
                         "publisher": sources.get(s, {}).get("publisher") or "",
                         "date": sources.get(s, {}).get("date") or "",
                         "reliability": sources.get(s, {}).get("reliability") or ""}
                        for s in claim["sources"] or []]}
