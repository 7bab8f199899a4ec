"""Facets over the sources: which sources a selection keeps and how many each filter value would give.

Pure functions over rows of the named queries ``sources``, ``source_declarations`` and the citing rows
of :func:`kb.queries.site.source_citations`, so they work on every store and know nothing of the web.
Each filter (:data:`SOURCE_FACETS`: type, reliability, year, organisation) is repeatable and keeps a
source that has any of its values; filters combine with AND.  A value's count is the number of sources
the list would show with that value chosen as well as the other filters' choices.  The values come
from the data, so new types or reliability grades need no change here.

>>> every = [{"id": "r1", "type": "report", "reliability": "independent", "date": "2015-05"},
...          {"id": "n1", "type": "news", "reliability": "", "date": None}]
>>> values = {"r1": source_values(every[0], {"alpha": "Alpha"}), "n1": source_values(every[1], {})}
>>> result = facet_sources(every, values, {"type": ("report",)})
>>> [s["id"] for s in result.sources]
['r1']
>>> [(v.value, v.count, v.selected) for v in result.facets[0].values]
[('news', 1, False), ('report', 1, True)]
>>> [(v.value, v.count) for v in result.facets[2].values]
[('2015', 1)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kb.analysis.facets import Facet, FacetCounts, FacetValue
from kb.suggest import Suggestions

__all__ = ["NO_YEAR", "SOURCE_FACETS", "FacetedSources", "SourceFacets", "facet_sources", "parse_source_selection",
           "source_organisations", "source_values"]

#: The filters of the sources list, in the order shown; every one keeps a source with any of its values.
SOURCE_FACETS: tuple[Facet, ...] = (
    Facet("type", "Type", "any"),
    Facet("reliability", "Reliability", "any"),
    Facet("year", "Year", "any"),
    Facet("organisation", "Organisation", "any"),
)
#: The ``year`` value of a source without a dated year.
NO_YEAR = "undated"


def parse_source_selection(get_list: Callable[[str], list[str]]) -> dict[str, tuple[str, ...]]:
    """The chosen values of each filter, from a ``getlist``-like function (e.g. ``request.args.getlist``).

    Blank and repeated values are dropped; the order of first appearance is kept.

    >>> parse_source_selection({"year": ["2015", " ", "2015", "2016"], "page": ["2"]}.get)
    {'year': ('2015', '2016')}
    """
    selection = {}
    for facet in SOURCE_FACETS:
        values = [value.strip() for value in (get_list(facet.name) or []) if value and value.strip()]
        if values:
            selection[facet.name] = tuple(dict.fromkeys(values))
    return selection


def source_organisations(declared: Iterable[Mapping[str, Any]],
                         citations: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Id -> name of the organisations a source belongs to: the cases that declare it or cite it.

    ``declared``: its ``source_declarations`` rows (concept pages declare sources too; they are left out).

    >>> source_organisations([{"label": "Organisation", "id": "a", "name": "A"},
    ...                       {"label": "Practice", "id": "p", "name": "P"}],
    ...                      [{"organisation": "b", "organisation_name": "B"}])
    {'a': 'A', 'b': 'B'}
    """
    organisations = {row["id"]: row["name"] for row in declared if row["label"] == "Organisation"}
    organisations.update({row["organisation"]: row["organisation_name"] for row in citations})
    return organisations


def source_values(source: Mapping[str, Any], organisations: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """A source's value -> label for each filter (its ``organisations``: see :func:`source_organisations`).

    >>> source_values({"id": "r", "type": "report", "reliability": "", "date": "2019"}, {})
    {'type': {'report': 'report'}, 'reliability': {}, 'year': {'2019': '2019'}, 'organisation': {}}
    >>> source_values({"id": "r", "date": None}, {})["year"]
    {'undated': 'undated'}
    """
    date = str(source.get("date") or "")
    year = date[:4] if date[:4].isdigit() else NO_YEAR
    return {"type": {source["type"]: source["type"]} if source.get("type") else {},
            "reliability": {source["reliability"]: source["reliability"]} if source.get("reliability") else {},
            "year": {year: year}, "organisation": dict(organisations)}


@dataclass(frozen=True)
class FacetedSources:
    """The sources matching a selection, and every filter's values with their counts."""

    sources: list[dict[str, Any]]
    facets: list[FacetCounts]
    selection: dict[str, tuple[str, ...]]


def facet_sources(sources: list[dict[str, Any]], values: Mapping[str, Mapping[str, Mapping[str, str]]],
                  selection: Mapping[str, tuple[str, ...]]) -> FacetedSources:
    """Filter ``sources`` by ``selection`` and count each filter's values against the other filters' choices.

    ``values``: source id -> :func:`source_values`.  Years run newest first, other values by label.  A value
    chosen in the URL that no source has is kept, with count 0, so that it can be taken out again.
    """
    def matches(source_id: str, skip: str | None = None) -> bool:
        return all(any(value in values[source_id][name] for value in wanted)
                   for name, wanted in selection.items() if name != skip)

    facets = []
    for facet in SOURCE_FACETS:
        counts: dict[str, int] = {}
        labels: dict[str, str] = {}
        for source in sources:
            if matches(source["id"], skip=facet.name):  # any-of: counted against the other filters only
                for value, label in values[source["id"]][facet.name].items():
                    counts[value] = counts.get(value, 0) + 1
                    labels[value] = label
        chosen = selection.get(facet.name, ())
        order = (sorted(counts, reverse=True) if facet.name == "year"
                 else sorted(counts, key=lambda v, lab=labels: (lab[v].casefold(), v)))
        facets.append(FacetCounts(facet, tuple(
            [FacetValue(v, labels[v], counts[v], v in chosen) for v in order]
            + [FacetValue(v, v, 0, True) for v in chosen if v not in counts])))
    return FacetedSources([source for source in sources if matches(source["id"])], facets,
                          {name: tuple(chosen) for name, chosen in selection.items()})


class SourceFacets:
    """Every source's facet values as an inverted index, built once per graph version: filtering and counting
    then take set operations on the sources that have each value, not a walk over every source.

    :meth:`facet` answers exactly as :func:`facet_sources` over the same sources and values; at 10,000
    cases (some 100,000 sources) that walk took seconds on every request to the sources list.

    >>> every = [{"id": "r1", "type": "report", "reliability": "independent", "date": "2015-05"},
    ...          {"id": "n1", "type": "news", "reliability": "", "date": None}]
    >>> values = {"r1": source_values(every[0], {"alpha": "Alpha"}), "n1": source_values(every[1], {})}
    >>> index = SourceFacets(every, values)
    >>> result = index.facet({"type": ("report",)})
    >>> [s["id"] for s in result.sources], [(v.value, v.count, v.selected) for v in result.facets[0].values]
    (['r1'], [('news', 1, False), ('report', 1, True)])
    >>> index.organisations("r1"), index.organisations("n1")
    (('alpha',), ())
    >>> capped = index.facet({}, most=1).facets[0]
    >>> [(v.value, v.count) for v in capped.values], capped.unlisted
    ([('news', 1)], 1)
    >>> index.closest("organisation", "ALPHA")
    ['alpha']
    """

    def __init__(self, sources: list[dict[str, Any]], values: Mapping[str, Mapping[str, Mapping[str, str]]]):
        self.sources = sources
        #: facet name -> value -> the positions (in ``sources``) of the sources that have it
        self._having: dict[str, dict[str, set[int]]] = {facet.name: {} for facet in SOURCE_FACETS}
        self._labels: dict[str, dict[str, str]] = {facet.name: {} for facet in SOURCE_FACETS}
        self._organisations: dict[str, tuple[str, ...]] = {}
        for position, source in enumerate(sources):
            own = values[source["id"]]
            for facet in SOURCE_FACETS:
                for value, label in own[facet.name].items():
                    self._having[facet.name].setdefault(value, set()).add(position)
                    self._labels[facet.name][value] = label
            self._organisations[source["id"]] = tuple(own["organisation"])
        #: facet name -> its values in the order listed (years newest first, the others by label), and how
        #: many sources have each: an unfiltered list needs neither sorted nor counted again
        self._order = {name: sorted(having, reverse=True) if name == "year"
                       else sorted(having, key=lambda v, lab=self._labels[name]: (lab[v].casefold(), v))
                       for name, having in self._having.items()}
        self._sizes = {name: {value: len(positions) for value, positions in having.items()}
                       for name, having in self._having.items()}
        self._suggestions: dict[str, Suggestions] = {}
        #: (facet name, most) -> its counts when no filter narrows it: the same for every visit of an unfiltered
        #: list (ranking the 10,000 organisations of 10,000 cases was most of the list's time)
        self._unfiltered: dict[tuple[str, int | None], FacetCounts] = {}

    def has(self, name: str, value: str) -> bool:
        """Whether any source has this value of the facet ``name`` (a chosen value no source has is said)."""
        return value in self._having.get(name, {})

    def organisations(self, source_id: str) -> tuple[str, ...]:
        """The organisations that declare or cite a source (the cases whose rows can cite it)."""
        return self._organisations.get(source_id, ())

    def _matching(self, selection: Mapping[str, tuple[str, ...]]) -> set[int] | None:
        """Positions of the sources with any of each filter's values (None: every source)."""
        kept: set[int] | None = None
        for name, wanted in selection.items():
            having = self._having[name]
            either = set().union(*(having.get(value, ()) for value in wanted))
            kept = either if kept is None else kept & either
        return kept

    def label(self, name: str, value: str) -> str:
        """How a value of the facet ``name`` is shown (an organisation's name; the value itself if unknown)."""
        return self._labels.get(name, {}).get(value, value)

    def closest(self, name: str, value: str) -> list[str]:
        """The values of the facet ``name`` most like ``value`` (its id or its label, ignoring case)."""
        if name not in self._suggestions:
            labels = self._labels.get(name, {})
            self._suggestions[name] = Suggestions([*((label.casefold(), v) for v, label in labels.items()),
                                                   *((v.casefold(), v) for v in labels)])
        return self._suggestions[name].closest(value.strip().casefold())

    def facet(self, selection: Mapping[str, tuple[str, ...]], most: int | None = None) -> FacetedSources:
        """The sources matching ``selection`` (in their order) and each filter's values with their counts.

        ``most``: list at most that many values of each filter with a count, those of the most sources (ties:
        the first listed), in the usual order; the chosen values are always listed.  At 10,000 cases the
        organisation filter had 10,000 values, most of the page's time.
        """
        selection = {name: tuple(chosen) for name, chosen in selection.items() if name in self._having}
        facets = []
        for facet in SOURCE_FACETS:
            others = self._matching({name: chosen for name, chosen in selection.items() if name != facet.name})
            if others is None and facet.name not in selection and (facet.name, most) in self._unfiltered:
                facets.append(self._unfiltered[facet.name, most])
                continue
            chosen = selection.get(facet.name, ())
            facets.append(self._counts(facet, others, chosen, most))
            if others is None and not chosen:
                self._unfiltered[facet.name, most] = facets[-1]
        matching = self._matching(selection)
        kept = self.sources if matching is None else [self.sources[position] for position in sorted(matching)]
        return FacetedSources(kept, facets, selection)

    def _counts(self, facet: Facet, others: set[int] | None, chosen: tuple[str, ...], most: int | None) -> FacetCounts:
        """One filter's values with how many of the sources ``others`` (None: every source) have each; at most
        ``most`` of them with a count, those of the most sources, and the chosen values always."""
        having = self._having[facet.name]
        sizes = self._sizes[facet.name] if others is None else {
            value: len(positions & others) for value, positions in having.items()}
        order = [value for value in self._order[facet.name] if sizes[value]]
        labels = self._labels[facet.name]
        listed = order
        if most is not None and len(order) > most:
            rank = {value: position for position, value in enumerate(order)}
            kept = set(sorted(order, key=lambda v: (-sizes[v], rank[v]))[:most]) | set(chosen)
            listed = [value for value in order if value in kept]
        return FacetCounts(facet, tuple(
            [FacetValue(v, labels[v], sizes[v], v in chosen) for v in listed]
            + [FacetValue(v, v, 0, True) for v in chosen if v not in sizes or not sizes[v]]),
            unlisted=len(order) - len(listed))
