"""The case list and the case pages (blueprint ``cases``): ``/cases`` with its facets, sorting and paging
(counted by :mod:`kb.analysis.facets`), and ``/cases/<id>``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from flask import Blueprint, abort, current_app, request, url_for
from werkzeug.datastructures import MultiDict

from kb.analysis import comparable_cases
from kb.analysis import index_for as analysis_index
from kb.analysis.facets import (
    SORTS,
    PageOutOfRange,
    every_case,
    facet_cases,
    paginate,
    parse_selection,
    sort_cases,
    unknown_values,
)
from kb.analysis.timeline import case_timelines, latest_sizes, size_series, timeline_rows_by_case, year_span
from kb.evidence import grade
from kb.store.versioned import derived

from ..bounds import whole_number
from ..render import prose_sections, render_markdown
from ..store import get_store
from .base import page_route, respond
from .claims import with_about, with_figures
from .links import missing

bp = Blueprint("cases", __name__)

#: The case page's groups of claims: relationship type -> heading, in the order shown.
CLAIM_GROUPS = (("USES_FRAMEWORK", "Frameworks"), ("USES_PRACTICE", "Practices"),
                ("FACED", "Challenges"), ("REPORTED", "Outcomes"))


# -- the case list ----------------------------------------------------------------------------------

@page_route(bp, "/cases")
def cases(fmt: str):
    """The cases matching the facets chosen (``sector``, ``country``, ``size``, ``kind``, ``framework``,
    ``practice``, ``challenge``, ``outcome``, repeatable; a value no case has is named in ``notices``), sorted
    (``sort=name|founded|size``) and paged (``page=``)."""
    return respond(fmt, "cases.html", case_list(get_store(), request.args, current_app.config["KB_PAGE_SIZE"], fmt))


class _ListLinks:
    """URLs of the case list that keep its selection and sort, for the page or its JSON twin."""

    def __init__(self, selection: dict[str, tuple[str, ...]], sort: str, fmt: str):
        self.selection, self.sort = selection, sort
        self.endpoint = "cases.cases_json" if fmt == "json" else "cases.cases"

    def to(self, chosen: dict[str, tuple[str, ...]], page: int = 1, sort: str | None = None) -> str:
        sort = sort or self.sort
        args: dict[str, Any] = {name: list(values) for name, values in chosen.items() if values}
        if sort != "name":
            args["sort"] = sort
        if page > 1:
            args["page"] = page
        return url_for(self.endpoint, **args)

    def toggle(self, facet: str, value: str) -> str:
        """The list with ``value`` added to the facet's choices, or taken out if it is chosen (back to page 1)."""
        values = self.selection.get(facet, ())
        values = tuple(v for v in values if v != value) if value in values else (*values, value)
        return self.to({**self.selection, facet: values})


def _list_args(args: MultiDict) -> tuple[dict[str, tuple[str, ...]], str, int]:
    sort, number = args.get("sort", "name"), args.get("page", "1")
    if sort not in SORTS:
        abort(400, f"Unknown sort '{sort}'; use one of: {', '.join(SORTS)}.")
    return parse_selection(args.getlist), sort, whole_number(number, "page")


def case_list(store: Any, args: MultiDict, page_size: int, fmt: str) -> dict[str, Any]:
    """The data of ``/cases``: one page of the cases matching the facets chosen in ``args``, and the facets."""
    selection, sort, number = _list_args(args)
    cases = every_case(store)
    if selection or sort not in SORTS:
        result = facet_cases(cases, selection)
        ordered = sort_cases(result.cases, sort)
    else:  # the whole list, the same on every visit until the graph changes: counted and sorted once
        result = derived(store, "facet cases unfiltered", lambda graph: facet_cases(every_case(graph), {}))
        ordered = derived(store, f"cases sorted by {sort}", lambda graph: sort_cases(every_case(graph), sort))
    try:
        page = paginate(ordered, number, page_size)
    except PageOutOfRange as err:
        abort(404, f"No such page of cases: {err}.")
    links = _ListLinks(selection, sort, fmt)
    facets = [{"name": counts.facet.name, "title": counts.facet.title, "match": counts.facet.match,
               "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected,
                           "url": links.toggle(counts.facet.name, v.value)} for v in counts.values]}
              for counts in result.facets]
    labels = {f["name"]: {v["value"]: v["label"] for v in f["values"]} for f in facets}
    return {
        "cases": [_case_row(case) for case in page.items],
        "total": page.total,
        "cases_total": len(cases),
        "page": {"number": page.number, "pages": page.pages, "size": page.size,
                 "next": links.to(selection, page.number + 1) if page.number < page.pages else None,
                 "previous": links.to(selection, page.number - 1) if page.number > 1 else None},
        "sort": sort,
        "sorts": [{"name": name, "url": links.to(selection, sort=name)} for name in SORTS],
        "selected": [{"facet": name, "value": value, "label": labels[name].get(value, value),
                      "remove_url": links.toggle(name, value)}
                     for name, values in selection.items() for value in values],
        "clear_url": links.to({}) if selection else None,
        "facets": facets,
        "notices": [{"facet": facet, "value": value, "remove_url": links.toggle(facet, value),
                     "message": f"No case has the {facet} '{value}': it is not one of this list's values."}
                    for facet, value in unknown_values(cases, selection)],
    }


def _case_row(case: Any) -> dict[str, Any]:
    return {key: case.row.get(key) for key in ("id", "name", "kind", "country", "country_name", "city", "status",
                                               "founded", "size_band", "staff", "summary", "sectors", "sector_names")}


# -- one case -----------------------------------------------------------------------------------------

@page_route(bp, "/cases/<case_id>")
def case(case_id: str, fmt: str):
    """One case: profile, evidence-backed claims, disputes, relations and sources."""
    store = get_store()
    found = store.query("organisation", id=case_id)
    if not found:
        raise missing("organisation", case_id, store, f"No case with id '{case_id}'.")
    found[0]["sectors"] = sorted(found[0]["sectors"])  # collect() order differs between stores
    data = {
        "case": found[0],
        "claims": store.query("organisation_claims", id=case_id),
        "figures": store.query("organisation_figures", id=case_id),
        "disputes": group_views(store.query("organisation_disputes", id=case_id)),
        # What the file says about others or in general: shown, never counted as the case's own.
        "reported": store.query("organisation_reported_claims", id=case_id),
        "relations": store.query("organisation_relations", id=case_id),
        "related_from": store.query("organisation_relations_in", id=case_id),
        "sources": store.query("organisation_sources", id=case_id),
        "comparable": [{"id": c["id"], "name": c["name"], "score": c["score"],
                        "why": [f"{r['name']} ({r['why']})" if r.get("name") else r["why"]
                                for r in sorted(c["reasons"], key=lambda r: -r["points"])]}
                       for c in comparable_cases(store, case_id, limit=5)],
    }
    index = analysis_index(store)
    with_figures([*data["claims"], *data["reported"]], [figure for figure in data["figures"] if figure["concept"]],
                 organisation=case_id, index=index)
    with_about([*data["claims"], *data["reported"]], index)
    shown = case_page_parts(data, index.profiles[case_id].sectors, row=timeline_rows_by_case(store).get(case_id))
    first, later = split_prose(prose_sections(found[0]["body"] or ""))
    return respond(fmt, "case.html", data, **shown, body_html=render_markdown(first, section_ids=True),
                   later_html=render_markdown(later, section_ids=True) if later else "",
                   source_index={s["id"]: s for s in data["sources"]})


def case_page_parts(data: dict[str, Any], sectors: Iterable[str],
                    dated: dict[str, Any] | None = None, row: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``case.html`` shows beyond the rows of ``data`` (``case``, ``claims``, ``figures``), made from them.

    Adds to ``data`` (and so to the JSON twin) the case's row of the timeline across cases (founded, adopted,
    what became of it, its Timeline entries), its size series and its latest size figures; returns the
    template's other parts: the claims by heading, the timeline's span and the headline outcomes.  The site's
    case view and the contributor preview (:mod:`webapp.preview`) both call it, so the two pages agree;
    ``dated``, the case's row with only the years a timeline can place, is the preview's (a file not yet
    valid may give a year as text); ``row``, the case's row as the graph's timeline holds it (the site's: read
    once per graph version, where reading it here parsed the case's body again on every visit).
    """
    case = data["case"]
    data["timeline"] = row or next(iter(case_timelines([dated or case], {case["id"]: sectors})), None)
    data["size_series"] = size_series({**f, "organisation": case["id"]} for f in data["figures"] if f["measure"])
    data["latest_sizes"] = latest_sizes(data["figures"])
    return {"groups": claim_groups(data["claims"]), "headline": headline_outcomes(data["claims"]),
            "timeline_span": year_span([data["timeline"]]) if data["timeline"] else (0, 0)}


#: The prose sections a case page shows before its claims (what the organisation is, and when).
FIRST_SECTIONS = ("context", "timeline")


def split_prose(body: str) -> tuple[str, str]:
    """A case's prose in two: what comes before the first ``##`` heading and the sections of
    :data:`FIRST_SECTIONS` (shown before the claims), and the other sections (shown after them).

    >>> split_prose("Intro.\\n## Lessons\\nL.\\n## Context\\nC.")
    ('Intro.\\n## Context\\nC.', '## Lessons\\nL.')
    """
    first: list[str] = []
    later: list[str] = []
    target = first
    for line in body.split("\n"):
        if line.startswith("## "):
            target = first if line[3:].strip().lower() in FIRST_SECTIONS else later
        target.append(line)
    return "\n".join(first).strip(), "\n".join(later).strip()


def headline_outcomes(claims: list[dict[str, Any]], limit: int = 3) -> list[dict[str, Any]]:
    """The outcomes a case reports that its first screen shows: the best evidenced first, contested last."""
    reported = [c for c in claims if c["type"] == "REPORTED"]
    return sorted(reported, key=lambda c: (c.get("status") == "contested", -grade(c.get("evidence")).strength,
                                           c["line"]))[:limit]


def claim_groups(claims: list[dict[str, Any]]) -> OrderedDict[str, list[dict[str, Any]]]:
    """A case's claims by heading (:data:`CLAIM_GROUPS`), as the case page shows them."""
    return OrderedDict((title, [c for c in claims if c["type"] == rel]) for rel, title in CLAIM_GROUPS)


def group_views(rows: list[dict]) -> list[dict]:
    """Rows of (claim, view) pairs -> one dict per claim with its list of views."""
    claims: OrderedDict[str, dict] = OrderedDict()
    for row in rows:
        claim = claims.setdefault(row["id"], {k: row[k] for k in ("id", "title", "text", "status", "sources", "line",
                                                                  "scope", "about", "evidence")} | {"views": []})
        if row["view"] is not None:
            claim["views"].append({"text": row["view"], "sources": row["view_sources"], "line": row["view_line"],
                                   "evidence": row["view_evidence"]})
    return list(claims.values())
