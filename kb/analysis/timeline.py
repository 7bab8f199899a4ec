"""A timeline across cases: when each organisation was founded, adopted self-management, and what became
of it (scaled back, abandoned, pilot ended), with the dated entries of its Timeline section; and how its
size changed over the years.

The milestones come from each case's front matter (``founded``, ``adopted``, ``model_status`` and
``model_status_year``), the entries from the bullets of its ``## Timeline`` section (read by the body
parser of :mod:`kb.content.body`), the sizes from its ``size`` figures.  Filters keep the rows of a
sector (or a sector under it), a country, or a status of the model.

>>> rows = case_timelines(
...     [{"id": "a", "name": "A", "country": "NL", "country_name": "Netherlands", "founded": 2006,
...       "adopted": 2006, "model_status": "ongoing", "model_status_year": None,
...       "body": "## Timeline\\n\\n- **2010**: Grew. [src: s]\\n"},
...      {"id": "b", "name": "B", "country": "US", "country_name": "United States", "founded": 1999,
...       "adopted": 2013, "model_status": "scaled-back", "model_status_year": 2020, "body": ""}],
...     sectors={"a": ("home-care",), "b": ("retail",)})
>>> [(r["id"], [(m["year"], m["kind"]) for m in r["marks"]]) for r in rows][0]
('b', [(1999, 'founded'), (2013, 'adopted'), (2020, 'scaled-back')])
>>> [(m["year"], m["kind"]) for m in rows[1]["marks"]]
[(2006, 'founded'), (2006, 'adopted'), (2010, 'entry')]
>>> [r["id"] for r in filter_timelines(rows, status="scaled-back")], year_span(rows)
(['b'], (1999, 2020))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from kb.content.body import parse_body
from kb.figures import disagree
from kb.store import GraphStore
from kb.store.versioned import derived

__all__ = ["MARK_KINDS", "MODEL_STATUSES", "case_timelines", "filter_timelines", "size_series", "timeline_rows",
           "timeline_rows_by_case", "year_span"]

#: What became of self-management in a case (front matter ``model_status``) -> words for people.
MODEL_STATUSES: dict[str, str] = {
    "ongoing": "ongoing", "scaled-back": "scaled back", "abandoned": "abandoned", "pilot-ended": "pilot ended",
    "never-completed": "never completed", "unknown": "not known",
}
#: The kinds of mark on a timeline row -> their words; each is drawn with its own shape.
MARK_KINDS: dict[str, str] = {
    "founded": "founded", "adopted": "adopted self-management", "scaled-back": "scaled back",
    "abandoned": "abandoned", "pilot-ended": "pilot ended", "never-completed": "never completed",
    "entry": "timeline entry",
}
#: Statuses that end (or cut back) the model, and so get a mark in the year they did.
_ENDINGS = ("scaled-back", "abandoned", "pilot-ended", "never-completed")


def _entries(body: str) -> list[dict[str, Any]]:
    """The dated bullets of a body's Timeline section: year, text and sources."""
    entries = []
    for item in parse_body(body or "").items:
        if item.section == "timeline" and (item.title or "").strip().isdigit():
            entries.append({"year": int(item.title), "text": item.detail, "sources": list(item.sources)})
    return entries


def case_timelines(organisations: Iterable[Mapping[str, Any]],
                   sectors: Mapping[str, Iterable[str]] | None = None) -> list[dict[str, Any]]:
    """One row per organisation that has at least one dated mark, ordered by its first year, then name.

    Each organisation: ``id``, ``name``, ``country``, ``country_name``, ``founded``, ``adopted``,
    ``model_status``, ``model_status_year`` and ``body`` (its Markdown body).  Each row: those (without
    the body), ``sectors``, ``status_words`` and ``marks`` (``year``, ``kind``, ``label``, ``text`` and,
    for an entry, its ``sources``), in year order, milestones before entries of the same year.
    """
    rows = []
    for org in organisations:
        marks = []
        for kind in ("founded", "adopted"):
            if org.get(kind):
                marks.append({"year": int(org[kind]), "kind": kind, "label": MARK_KINDS[kind], "text": ""})
        status = org.get("model_status") or ""
        if status in _ENDINGS and org.get("model_status_year"):
            marks.append({"year": int(org["model_status_year"]), "kind": status, "label": MARK_KINDS[status],
                          "text": ""})
        marks += [{"year": e["year"], "kind": "entry", "label": MARK_KINDS["entry"], "text": e["text"],
                   "sources": e["sources"]} for e in _entries(org.get("body") or "")]
        if not marks:
            continue
        order = list(MARK_KINDS)
        marks.sort(key=lambda m: (m["year"], order.index(m["kind"])))
        rows.append({key: org.get(key) for key in ("id", "name", "country", "country_name", "founded", "adopted",
                                                   "model_status", "model_status_year")}
                    | {"sectors": sorted((sectors or {}).get(org["id"], ())),
                       "status_words": MODEL_STATUSES.get(status, ""), "marks": marks})
    rows.sort(key=lambda r: (r["marks"][0]["year"], r["name"]))
    return rows


def timeline_rows(store: GraphStore) -> list[dict[str, Any]]:
    """Every organisation's timeline row (:func:`case_timelines`) of the store's graph, once per version of it: the
    Timeline sections are read from every case's body (8 CPU s at 10,000 cases)."""
    return derived(store, "timeline rows", _timeline_rows)


def timeline_rows_by_case(store: GraphStore) -> dict[str, dict[str, Any]]:
    """:func:`timeline_rows` by case id (a case without a dated mark has none)."""
    return derived(store, "timeline rows by case", lambda graph: {row["id"]: row for row in timeline_rows(graph)})


def _timeline_rows(store: GraphStore) -> list[dict[str, Any]]:
    from kb.analysis.index import index_for
    from kb.analysis.search_store import organisation_texts

    index = index_for(store)
    bodies = {row["id"]: row["body"] for row in organisation_texts(store)}
    organisations = [{**row, "body": bodies.get(row["id"], "")} for row in store.query("facet_organisations")]
    return case_timelines(organisations, sectors={case: p.sectors for case, p in index.profiles.items()})


def filter_timelines(rows: Iterable[dict[str, Any]], sector: str | None = None, country: str | None = None,
                     status: str | None = None, broader: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The rows of a sector (or of a sector whose broader sector it is, per ``broader``), a country and a
    model status; an empty filter keeps every row."""
    def in_sector(row: dict[str, Any]) -> bool:
        return not sector or any(s == sector or (broader or {}).get(s) == sector for s in row["sectors"])

    return [r for r in rows if in_sector(r) and (not country or r["country"] == country)
            and (not status or (r["model_status"] or "") == status)]


def year_span(rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """The first and last year of any mark (0, 0 without marks): a row's marks are in year order
    (:func:`case_timelines`), so only its first and last are read."""
    years = [m["year"] for r in rows if r["marks"] for m in (r["marks"][0], r["marks"][-1])]
    return (min(years), max(years)) if years else (0, 0)


def size_series(figures: Iterable[Mapping[str, Any]], min_points: int = 2) -> list[dict[str, Any]]:
    """Each organisation's size figures of one measure as a series over the years (at least ``min_points``
    years), for small charts: ``organisation``, ``measure``, ``unit`` and ``points`` (year, value), one
    point a year (the first figure given for it).

    >>> [s["points"] for s in size_series([{"organisation": "a", "measure": "staff", "value": 10, "year": 2010},
    ...     {"organisation": "a", "measure": "staff", "value": 40, "year": 2015},
    ...     {"organisation": "b", "measure": "staff", "value": 5, "year": 2015}])]
    [[(2010, 10.0), (2015, 40.0)]]
    """
    series: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    units: dict[tuple[str, str], str] = {}
    for f in figures:
        if not f.get("measure") or f.get("year") is None or f.get("value") is None:
            continue
        key = (f["organisation"], f["measure"])
        series[key].setdefault(int(f["year"]), float(f["value"]))
        units.setdefault(key, f.get("unit") or "")
    return [{"organisation": org, "measure": measure, "unit": units[(org, measure)],
             "points": sorted(points.items())}
            for (org, measure), points in sorted(series.items()) if len(points) >= min_points]


def latest_sizes(figures: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each measure's figures of its latest year, by measure: ``measure``, ``year``, ``figures`` (every one
    given for that year, in the file's order) and ``disagree`` (:func:`kb.figures.disagree`): then a page
    shows each with its source instead of picking one.

    >>> [(m["measure"], [f["value"] for f in m["figures"]], m["disagree"]) for m in latest_sizes([
    ...     {"measure": "staff", "value": 8000, "year": 2015}, {"measure": "staff", "value": 10000, "year": 2020},
    ...     {"measure": "staff", "value": 15000, "year": 2020}, {"measure": "teams", "value": 1000, "year": 2020}])]
    [('staff', [10000, 15000], True), ('teams', [1000], False)]
    """
    by_measure: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for f in figures:
        if f.get("measure") and f.get("year") is not None and f.get("value") is not None:
            by_measure[f["measure"]].append(f)
    latest = []
    for measure, given in sorted(by_measure.items()):
        year = max(int(f["year"]) for f in given)
        chosen = [f for f in given if int(f["year"]) == year]
        units = {f.get("unit") or "" for f in chosen}
        latest.append({"measure": measure, "year": year, "figures": chosen,
                       "disagree": len(units) == 1 and disagree(f["value"] for f in chosen)})
    return latest
