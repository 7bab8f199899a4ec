"""Facets over the cases: which values each facet has, how many cases each would give, sorting, paging.

Pure functions over rows of the named queries ``facet_organisations`` and
``facet_links`` (:mod:`kb.queries.site`), so they work on every store and
know nothing of the web.  Facets combine with AND.  Within one facet, the
many-valued ones (sector, practice, challenge, outcome) also combine with
AND, a case having all the values chosen; the one-valued ones (country, size,
kind) combine with OR, since a case has only one of each.  A value's count is
the number of cases the list would show if that value were chosen as well.

>>> orgs = [{"id": "a", "name": "Alpha", "kind": "company", "country": "NL", "country_name": "Netherlands",
...          "size_band": "10-49", "staff": 20.0, "founded": 2001},
...         {"id": "b", "name": "Beta", "kind": "cooperative", "country": "NL", "country_name": "Netherlands",
...          "size_band": "unknown", "staff": None, "founded": None}]
>>> links = [{"organisation": "a", "type": "USES_PRACTICE", "value": "advice-process", "label": "Advice process"}]
>>> result = facet_cases(build_cases(orgs, links), {"country": ("NL",)})
>>> [c.id for c in result.cases]
['a', 'b']
>>> practice = next(f for f in result.facets if f.facet.name == "practice")
>>> [(v.value, v.count, v.selected) for v in practice.values]
[('advice-process', 1, False)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb.graph.model import SIZE_BANDS
from kb.store.versioned import derived

__all__ = ["FACETS", "SORTS", "Case", "Facet", "FacetCounts", "FacetValue", "FacetedCases", "Page",
           "PageOutOfRange", "build_cases", "every_case", "facet_cases", "paginate", "parse_selection", "sort_cases",
           "unknown_values"]


@dataclass(frozen=True)
class Facet:
    """One facet: its URL argument, its heading, how its values combine and where they come from."""

    name: str
    title: str
    match: str  # "all": a case needs every value chosen; "any": one of them is enough
    link_types: tuple[str, ...] = ()  # facet_links relationship types; empty for a profile field


FACETS: tuple[Facet, ...] = (
    Facet("sector", "Sector", "all", ("IN_SECTOR",)),
    Facet("country", "Country", "any"),
    Facet("size", "Size (staff)", "any"),
    Facet("kind", "Kind of organisation", "any"),
    Facet("framework", "Model or framework", "all", ("USES_FRAMEWORK",)),
    Facet("practice", "Practices used", "all", ("USES_PRACTICE", "USES_FRAMEWORK")),
    Facet("challenge", "Challenges faced", "all", ("FACED",)),
    Facet("outcome", "Outcomes reported", "all", ("REPORTED",)),
)
#: Relationship type -> the facets it gives values to (a framework is also one of the practices used).
_FACETS_BY_LINK: dict[str, tuple[str, ...]] = {}
for _facet in FACETS:
    for _link in _facet.link_types:
        _FACETS_BY_LINK[_link] = (*_FACETS_BY_LINK.get(_link, ()), _facet.name)
_SIZE_ORDER = [band for _, band in SIZE_BANDS] + ["10000+", "unknown"]


def size_label(band: str) -> str:
    """How a size band reads on the page.

    >>> size_label("10-49"), size_label("10000+"), size_label("unknown")
    ('10–49 staff', '10,000+ staff', 'Size not known')
    """
    if band == "unknown" or not band:
        return "Size not known"
    low, _, high = band.partition("-")
    plus = "+" if low.endswith("+") else ""
    return f"{int(low.rstrip('+')):,}{plus}" + (f"–{int(high):,}" if high else "") + " staff"


def kind_label(kind: str) -> str:
    """How a kind of organisation reads on the page.

    >>> kind_label("public-body")
    'Public body'
    """
    return kind.replace("-", " ").capitalize() if kind else "Not given"


@dataclass
class Case:
    """An organisation's profile row (with the ``sectors`` it names) and its values for each facet (id -> label)."""

    row: dict[str, Any]
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.row["id"]


def every_case(store: Any) -> list[Case]:
    """Every case with its facet values, built once per version of the store's graph.

    The lists, the lessons and the compare form all start from every case: three whole-graph queries
    (``facet_links`` alone took 0.4 s embedded and 2.8 s on Neo4j at 10,000 cases) are run once per
    load or sync (:func:`kb.store.versioned.derived`), not on every request.  The cases are shared:
    callers filter and sort them, never change them.
    """
    return derived(store, "facet cases", lambda graph: build_cases(
        graph.query("facet_organisations"), graph.query("facet_links"), graph.query("facet_sector_broader")))


def build_cases(organisations: Iterable[Mapping[str, Any]], links: Iterable[Mapping[str, Any]],
                broader_sectors: Iterable[Mapping[str, Any]] = ()) -> list[Case]:
    """Cases from the rows of ``facet_organisations``, ``facet_links`` and ``facet_sector_broader``.

    A case in a sector is also in every broader sector above it (home care is health care).
    """
    cases = {}
    for row in organisations:
        case = Case({**row, "sectors": [], "sector_names": []}, {facet.name: {} for facet in FACETS})
        case.values["country"][row["country"]] = row.get("country_name") or row["country"]
        band = row.get("size_band") or "unknown"
        case.values["size"][band] = size_label(band)
        case.values["kind"][row["kind"] or ""] = kind_label(row["kind"] or "")
        cases[row["id"]] = case
    broader = {row["id"]: (row["broader"], row["name"] or row["broader"]) for row in broader_sectors}
    for link in links:
        case = cases.get(link["organisation"])
        for facet in _FACETS_BY_LINK.get(link["type"], ()) if case else ():
            case.values[facet][link["value"]] = link["label"] or link["value"]
            if facet == "sector":  # the sectors the case names, without the broader ones
                case.row["sectors"].append(link["value"])
                case.row["sector_names"].append(link["label"] or link["value"])
            sector, seen = link["value"], set()
            while facet == "sector" and sector in broader and sector not in seen:  # the vocabulary has no cycles
                seen.add(sector)
                sector, name = broader[sector]
                case.values[facet][sector] = name
    return list(cases.values())


def parse_selection(get_list: Callable[[str], list[str]]) -> dict[str, tuple[str, ...]]:
    """The chosen values of each facet, from a ``getlist``-like function (e.g. Flask's ``request.args.getlist``).

    Blank and repeated values are dropped; the order of first appearance is kept.

    >>> parse_selection({"practice": ["b", "a", "b", " "], "sort": ["name"]}.get)
    {'practice': ('b', 'a')}
    """
    selection = {}
    for facet in FACETS:
        values = [value.strip() for value in (get_list(facet.name) or []) if value and value.strip()]
        if values:
            selection[facet.name] = tuple(dict.fromkeys(values))
    return selection


def unknown_values(cases: Iterable[Case], selection: Mapping[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(facet, value) of the chosen values that no case has at all: a page says so instead of silently
    showing nothing.

    >>> cases = build_cases([{"id": "a", "name": "A", "kind": "", "country": "NL"}], [])
    >>> unknown_values(cases, {"country": ("NL", "XX"), "framework": ("holacrazy",)})
    [('country', 'XX'), ('framework', 'holacrazy')]
    """
    cases = list(cases)
    return [(facet, value) for facet, values in selection.items() for value in values
            if not any(value in case.values.get(facet, {}) for case in cases)]


def _matches(case: Case, selection: Mapping[str, tuple[str, ...]], skip: str | None = None) -> bool:
    for facet in FACETS:
        chosen = selection.get(facet.name)
        if not chosen or facet.name == skip:
            continue
        have = case.values[facet.name]
        if facet.match == "all" and not all(value in have for value in chosen):
            return False
        if facet.match == "any" and not any(value in have for value in chosen):
            return False
    return True


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int  # cases the list would show with this value chosen as well
    selected: bool


@dataclass(frozen=True)
class FacetCounts:
    facet: Facet
    values: tuple[FacetValue, ...]
    unlisted: int = 0  # values with a count left out of ``values`` (a list capped to its most common values)


@dataclass(frozen=True)
class FacetedCases:
    """The cases matching a selection, and every facet's values with their counts."""

    cases: list[Case]
    facets: list[FacetCounts]
    selection: dict[str, tuple[str, ...]]


def facet_cases(cases: list[Case], selection: Mapping[str, tuple[str, ...]]) -> FacetedCases:
    """Filter ``cases`` by ``selection`` and count each facet's values against the other facets' choices.

    Values no case would give are left out, unless chosen (an unknown value chosen in the URL is shown
    with count 0, so that it can be removed).
    """
    matching = [case for case in cases if _matches(case, selection)] if selection else list(cases)
    facets = []
    for facet in FACETS:
        chosen = selection.get(facet.name, ())
        # For "all" facets a value narrows the current list; for "any" facets it widens the list
        # of cases that match every other facet.
        others = {name: values for name, values in selection.items() if name != facet.name}
        base = matching if facet.match == "all" or others == selection else (
            [c for c in cases if _matches(c, others)] if others else cases)
        counts: dict[str, int] = {}
        labels: dict[str, str] = {}
        for case in base:
            values_of = case.values[facet.name]
            for value in values_of:
                counts[value] = counts.get(value, 0) + 1
            if len(labels) < len(counts):
                labels.update(values_of)
        for value in chosen:  # a value chosen but no longer counted keeps the label some case gives it
            if value not in labels:
                labels[value] = next((case.values[facet.name][value] for case in cases
                                      if value in case.values[facet.name]), value)
        values = [FacetValue(value, labels.get(value, value), counts.get(value, 0), value in chosen)
                  for value in sorted(set(counts) | set(chosen))]
        facets.append(FacetCounts(facet, tuple(_ordered(facet, values))))
    return FacetedCases(matching, facets, {name: tuple(values) for name, values in selection.items()})


def _ordered(facet: Facet, values: list[FacetValue]) -> list[FacetValue]:
    if facet.name == "size":
        return sorted(values, key=lambda v: (_SIZE_ORDER.index(v.value) if v.value in _SIZE_ORDER else 99, v.value))
    return sorted(values, key=lambda v: (-v.count, v.label.casefold(), v.value))


#: Sort name -> key; unknown founding years and sizes go last, ties by name.
SORTS: dict[str, Callable[[Case], tuple]] = {
    "name": lambda c: (c.row["name"].casefold(), c.id),
    "founded": lambda c: (c.row.get("founded") is None, c.row.get("founded") or 0, c.row["name"].casefold(), c.id),
    "size": lambda c: (c.row.get("staff") is None, -(c.row.get("staff") or 0), c.row["name"].casefold(), c.id),
}


def sort_cases(cases: list[Case], sort: str = "name") -> list[Case]:
    """Cases sorted by name, by founding year (oldest first) or by size (largest first).

    >>> cases = build_cases([{"id": "b", "name": "B", "kind": "", "country": "NL", "founded": 1990},
    ...                      {"id": "a", "name": "A", "kind": "", "country": "NL", "founded": None}], [])
    >>> [c.id for c in sort_cases(cases, "founded")], [c.id for c in sort_cases(cases, "name")]
    (['b', 'a'], ['a', 'b'])
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort '{sort}'; use one of {', '.join(SORTS)}")
    return sorted(cases, key=SORTS[sort])


class PageOutOfRange(ValueError):
    """A page number beyond the last page."""


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    pages: int
    total: int
    size: int


def paginate(items: list, number: int, size: int) -> Page:
    """Page ``number`` (from 1) of ``items`` in pages of ``size``; an empty list has one, empty, page.

    >>> page = paginate(list(range(45)), 3, 20)
    >>> page.items, page.pages, page.total
    ([40, 41, 42, 43, 44], 3, 45)
    """
    pages = max(1, -(-len(items) // size))
    if number < 1 or number > pages:
        raise PageOutOfRange(f"there is no page {number}; pages run from 1 to {pages}")
    start = (number - 1) * size
    return Page(items[start:start + size], number, pages, len(items), size)
