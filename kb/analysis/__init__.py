"""Stage 8, analysis: what the site answers — comparable cases, patterns, facets and search, from a few extracts.

May import: every earlier stage (content to store); the site and the CLI call it, never the other way.

The explore pages (comparable cases, concept pages, patterns) read the graph through a handful
of named queries (``kb.queries.explore``) and compute here, so that both stores give the same
answers.  Everything is built once per graph version into a :class:`CaseIndex`:

- ``claims``: case -> kind -> concept -> status (``""``, ``"uncertain"`` or ``"contested"``);
- ``postings``: an inverted index from each feature (a concept, a sector, a country, a size band)
  to the cases that have it, kept both as sets and as bitmasks (one bit per case, in name order);
- ``rarity``: each concept's weight, an IDF over cases, so that sharing a rare practice counts
  for more than sharing one nearly everybody uses.

Comparable cases are scored by adding up explicit components, context first: the same sector
or the same kind of service (sectors under a common broader sector), the same country, the same
kind of organisation (or the same public / non-profit / company family) and the same or a
neighbouring size band; then the practices, frameworks and challenges both have, which share a
fixed budget of points by rarity (an IDF over cases: sharing a rare practice counts for more than
sharing one nearly everybody uses), each times the weight of its evidence grade.  Only claims an
organisation makes about itself count.  Every result lists its components, and its score is
their sum.

Ranking adds each component's points to every case on its posting list at once, with
bit-sliced arithmetic on Python integers (one integer per bit of the scores, one bit per case),
then picks the best cases plane by plane with population counts.  Every step is a C-level
operation on a 10,000-bit integer, so a ranking over 10,000 cases takes about a millisecond
whatever the query; only the best ``limit`` cases are then explained in Python.

>>> index = build_index(
...     [{"id": "a", "name": "A", "country": "NL", "sectors": ["care"], "size_band": "50-249"},
...      {"id": "b", "name": "B", "country": "NL", "sectors": ["care"], "size_band": "50-249"},
...      {"id": "c", "name": "C", "country": "US", "sectors": ["retail"], "size_band": "10000+"}],
...     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams", "evidence": "reported"},
...      {"organisation": "b", "type": "USES_PRACTICE", "concept": "teams", "evidence": "own-account"},
...      {"organisation": "c", "type": "USES_PRACTICE", "concept": "open-books", "evidence": "evaluated"}])
>>> [(m["id"], m["score"]) for m in rank_comparable(index, query_for_case(index, "a"), exclude={"a"})]
[('b', 7.0)]
>>> [(r["component"], r["points"]) for r in rank_comparable(index, query_for_case(index, "a"))[1]["reasons"]]
[('practice', 1.0), ('sector', 3.0), ('country', 2.0), ('size', 1.0)]

The comparison is three modules, one per stage of that work (grades and scopes are :mod:`kb.evidence`):
:mod:`kb.analysis.index` (the index, built once per graph version through :mod:`kb.store.versioned`),
:mod:`kb.analysis.compare` (comparable cases) and :mod:`kb.analysis.patterns` (co-occurrence,
centrality, matrices).  Beside them, what the site's lists decide: :mod:`kb.analysis.facets` (the case
list's facets, sorting and paging), :mod:`kb.analysis.sources` (the sources list's filters),
:mod:`kb.analysis.claims` (the claims an evidence filter keeps), :mod:`kb.analysis.lessons` (lessons
across cases).  Search is four modules:
:mod:`kb.analysis.passages` (what is indexed), :mod:`kb.analysis.words` (stop words and stems, shared
by the index and the question), :mod:`kb.analysis.search` (the index and the ranking) and
:mod:`kb.analysis.snippets` (what a result shows).
"""

from kb.analysis.compare import (
    CONCEPT_BUDGET,
    NEAR_SIZE,
    OWNERSHIP,
    RELATED_SECTOR,
    SAME_COUNTRY,
    SAME_KIND,
    SAME_OWNERSHIP,
    SAME_SECTOR,
    SAME_SERVICE,
    SAME_SIZE,
    comparable_cases,
    explain_match,
    query_for_case,
    rank_comparable,
)
from kb.analysis.index import (
    COMPARED_KINDS,
    KIND_OF_REL,
    KINDS,
    SIZE_ORDER,
    CaseIndex,
    CaseProfile,
    CaseQuery,
    ConceptInfo,
    build_index,
    index_for,
    load_index,
    rarity,
)
from kb.analysis.patterns import (
    Matrix,
    alongside,
    centrality,
    cooccurrence_graph,
    cross_matrix,
    most_connected,
    practice_graph,
    top_pairs,
)
from kb.analysis.sector_tree import sector_ancestors

__all__ = [
    "COMPARED_KINDS",
    "CONCEPT_BUDGET",
    "KINDS",
    "KIND_OF_REL",
    "NEAR_SIZE",
    "OWNERSHIP",
    "RELATED_SECTOR",
    "SAME_COUNTRY",
    "SAME_KIND",
    "SAME_OWNERSHIP",
    "SAME_SECTOR",
    "SAME_SERVICE",
    "SAME_SIZE",
    "SIZE_ORDER",
    "CaseIndex",
    "CaseProfile",
    "CaseQuery",
    "ConceptInfo",
    "Matrix",
    "alongside",
    "build_index",
    "centrality",
    "comparable_cases",
    "cooccurrence_graph",
    "cross_matrix",
    "explain_match",
    "index_for",
    "load_index",
    "most_connected",
    "practice_graph",
    "query_for_case",
    "rank_comparable",
    "rarity",
    "sector_ancestors",
    "top_pairs",
]
