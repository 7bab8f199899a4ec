"""The timeline across cases (blueprint ``timeline``): ``/timeline``, one row per organisation — founded,
adopted self-management, scaled back, abandoned or pilot ended, and its Timeline entries — filterable by
sector, country and what became of the model; and each organisation's size over the years as small charts.
The rows come from :mod:`kb.analysis.timeline`."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, abort, request, url_for

from kb.analysis import index_for as analysis_index
from kb.analysis.facets import PageOutOfRange, paginate
from kb.analysis.timeline import MARK_KINDS, MODEL_STATUSES, filter_timelines, size_series, timeline_rows, year_span
from kb.store.versioned import derived

from ..bounds import whole_number
from ..store import get_store, made_as_workers_start
from .base import page_route, respond

bp = Blueprint("timeline", __name__)

#: Organisations a page of the timeline shows (the chart, the cards and the size charts of 10,000 cases took seconds
#: to draw, and a browser longer to show); the years' span is the same on every page of a filter.
ORGANISATIONS_PER_PAGE = 100
_FILTERS = (("sector", "Sector"), ("country", "Country"), ("status", "What became of self-management"))
#: Each filter in a sentence.
_WORDS = {"sector": "sector", "country": "country", "status": "status of self-management"}


@made_as_workers_start
def all_timelines(store: Any) -> list[dict[str, Any]]:
    """Every organisation's timeline row, once per graph version (:func:`kb.analysis.timeline.timeline_rows`)."""
    return timeline_rows(store)


@page_route(bp, "/timeline")
def timeline(fmt: str):
    """Organisations along the years, filtered by ``sector``, ``country`` and ``status`` (of the model)."""
    store = get_store()
    index = analysis_index(store)
    rows = all_timelines(store)
    chosen = {name: (request.args.get(name) or "").strip() for name, _title in _FILTERS}
    broader = {s: b for s, (_name, b) in index.sectors.items() if b}
    shown = filter_timelines(rows, chosen["sector"] or None, chosen["country"] or None, chosen["status"] or None,
                             broader)
    try:
        page = paginate(shown, whole_number(request.args.get("page", "1"), "page"), ORGANISATIONS_PER_PAGE)
    except PageOutOfRange as err:
        abort(404, f"No such page of organisations: {err}.")
    sizes = {}
    names = {r["id"]: r["name"] for r in page.items}
    for series in derived(store, "timeline sizes", lambda store: size_series(store.query("timeline_sizes"))):
        if series["organisation"] in names:
            sizes.setdefault(series["organisation"], []).append(series)

    def link(number: int) -> str:
        return url_for("timeline.timeline_json" if fmt == "json" else "timeline.timeline",
                       **{name: value for name, value in chosen.items() if value},
                       **({"page": number} if number > 1 else {}))

    data = {
        "filter": chosen,
        "count": len(shown), "total": len(rows),
        "span": list(_span(store, rows, shown, filtered=any(chosen.values()))),
        "mark_kinds": MARK_KINDS, "statuses": MODEL_STATUSES,
        "organisations": page.items,
        "sizes": [{"organisation": org, "name": names[org], "series": sizes[org]} for org in sorted(
            sizes, key=lambda o: names[o])],
        "page": {"number": page.number, "pages": page.pages, "size": page.size,
                 "next": link(page.number + 1) if page.number < page.pages else None,
                 "previous": link(page.number - 1) if page.number > 1 else None},
    }
    facets = _facets(rows, chosen, index, broader)
    data["notices"] = _unknown_values(chosen, facets)
    clear_url = url_for("timeline.timeline") if any(chosen.values()) else ""
    return respond(fmt, "timeline.html", data, facets=facets, clear_url=clear_url)


def _span(store: Any, rows: list[dict[str, Any]], shown: list[dict[str, Any]], *, filtered: bool) -> tuple[int, int]:
    """The years the shown rows span; that of every row once per graph version (at 100,000 cases a pass over them
    took 250 ms a request: each row's first and last mark read)."""
    if filtered:
        return year_span(shown)
    return derived(store, "timeline span", lambda _store: year_span(rows))


def _unknown_values(chosen: dict[str, str], facets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A notice for each chosen value no organisation has (none of its drop-down's values), with a link without
    it: the timeline would otherwise be empty without saying why."""
    notices = []
    for facet in facets:
        value = chosen[facet["name"]]
        if value and not any(v["value"] == value for v in facet["values"]):
            rest = {name: v for name, v in chosen.items() if v and name != facet["name"]}
            notices.append({"facet": facet["name"], "value": value, "remove_url": url_for("timeline.timeline", **rest),
                            "message": f"No organisation has the {_WORDS[facet['name']]} '{value}': it is not one "
                                       "of this page's values."})
    return notices


def _facets(rows: list[dict[str, Any]], chosen: dict[str, str], index: Any,
            broader: dict[str, str]) -> list[dict[str, Any]]:
    """The filter form's drop-downs, each value with how many organisations it keeps (counted over every row once
    per graph version: 10,000 rows were counted on every visit)."""
    values = derived(get_store(), "timeline facet values", lambda _store: _facet_values(rows, index, broader))
    return [{"name": name, "title": title,
             "values": [{"value": v, "label": label, "count": n, "selected": chosen[name] == v}
                        for v, label, n in values[name]]} for name, title in _FILTERS]


def _facet_values(rows: list[dict[str, Any]], index: Any, broader: dict[str, str]) -> dict[str, list[tuple]]:
    sectors: Counter[str] = Counter()
    for row in rows:
        sectors.update({s for own in row["sectors"] for s in (own, broader.get(own)) if s})
    countries = Counter(row["country"] for row in rows)
    country_names = {row["country"]: row["country_name"] or row["country"] for row in rows}
    statuses = Counter(row["model_status"] or "" for row in rows)
    return {
        "sector": sorted(((s, index.sector_name(s), n) for s, n in sectors.items()), key=lambda v: v[1]),
        "country": sorted(((c, country_names[c], n) for c, n in countries.items()), key=lambda v: v[1]),
        "status": [(s, MODEL_STATUSES[s], statuses[s]) for s in MODEL_STATUSES if statuses.get(s)],
    }
