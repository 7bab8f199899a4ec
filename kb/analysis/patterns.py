"""Patterns across cases: co-occurrence networks, centrality, cross matrices and concept neighbourhoods."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import networkx as nx

from kb.analysis.index import CaseIndex
from kb.analysis.profile import evidence_profile
from kb.evidence import grade

# -- co-occurrence network ------------------------------------------------------------------------

def cooccurrence_graph(memberships: Mapping[str, Iterable[str]]) -> nx.Graph:
    """Items joined when one case has both: edge ``weight`` = number of such cases.

    Parameters
    ----------
    memberships : mapping
        Case id -> the items (e.g. practice ids) it has.

    Returns
    -------
    networkx.Graph
        One node per item with ``cases`` (sorted case ids); one edge per pair of items that some
        case has together, with ``weight`` and ``cases``.  Nodes and edges are added in sorted
        order, so that algorithms over the graph give the same answer every time.

    Examples
    --------
    >>> G = cooccurrence_graph({"c1": ["teams", "coaches"], "c2": ["teams", "coaches", "open-books"]})
    >>> G["teams"]["coaches"]["weight"], G.nodes["open-books"]["cases"]
    (2, ['c2'])
    """
    node_cases: dict[str, list[str]] = defaultdict(list)
    pair_cases: dict[tuple[str, str], list[str]] = defaultdict(list)
    for case in sorted(memberships):
        held = sorted(set(memberships[case]))
        for item in held:
            node_cases[item].append(case)
        for pair in combinations(held, 2):
            pair_cases[pair].append(case)
    # Counted in plain dicts first, then added in bulk: much faster than updating the graph pair by pair.
    graph = nx.Graph()
    graph.add_nodes_from((item, {"cases": node_cases[item]}) for item in sorted(node_cases))
    graph.add_edges_from((a, b, {"weight": len(cases), "cases": cases}) for (a, b), cases in sorted(pair_cases.items()))
    return graph


def centrality(graph: nx.Graph) -> dict[str, dict[str, float]]:
    """How connected each node of a co-occurrence graph is, four ways.

    Returns
    -------
    dict
        Node -> ``degree`` (number of neighbours), ``strength`` (sum of edge weights: how many
        times it appears alongside another item), ``betweenness`` (normalised share of shortest
        paths through it, counted in hops: how much it bridges otherwise separate items) and
        ``eigenvector`` (weighted: high when it co-occurs often with items that are themselves
        central).  Values are rounded to 3 decimals.

    Examples
    --------
    >>> star = nx.Graph([("hub", "a"), ("hub", "b"), ("hub", "c")])
    >>> centrality(star)["hub"]["betweenness"], centrality(star)["a"]["betweenness"]
    (1.0, 0.0)
    """
    if graph.number_of_nodes() == 0:
        return {}
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    try:
        eigenvector = nx.eigenvector_centrality(graph, max_iter=1000, weight="weight")
    except nx.PowerIterationFailedConvergence:  # not seen on co-occurrence graphs; degrade, do not fail
        eigenvector = dict.fromkeys(graph, 0.0)
    return {node: {"degree": graph.degree(node), "strength": graph.degree(node, weight="weight"),
                   "betweenness": round(betweenness[node], 3), "eigenvector": round(eigenvector[node], 3)}
            for node in graph}


def practice_graph(index: CaseIndex) -> nx.Graph:
    """The practice co-occurrence graph of an index (cached on it)."""
    return index.memo("practice_graph", lambda: cooccurrence_graph(
        {case: held["practice"] for case, held in index.claims.items()}))


def most_connected(index: CaseIndex, limit: int = 10) -> list[dict[str, Any]]:
    """The practices that co-occur most with others, with their centralities and closest partners.

    Ordered by strength (co-occurrences), then degree, then name.
    """
    graph = practice_graph(index)
    scores = index.memo("practice_centrality", lambda: centrality(graph))
    rows = []
    for practice, score in scores.items():
        partners = sorted(graph[practice].items(), key=lambda p: (-p[1]["weight"], index.name("practice", p[0])))
        rows.append({"id": practice, "name": index.name("practice", practice),
                     "cases": len(graph.nodes[practice]["cases"]), **score,
                     "partners": [{"id": other, "name": index.name("practice", other), "cases": edge["weight"]}
                                  for other, edge in partners[:3]]})
    rows.sort(key=lambda row: (-row["strength"], -row["degree"], row["name"]))
    return rows[:limit]


# -- matrices and concept neighbourhoods -----------------------------------------------------------

@dataclass(frozen=True)
class Matrix:
    """Counts of cases having a row concept and a column concept (non-empty cells only)."""

    row_kind: str
    col_kind: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: dict[tuple[str, str], tuple[str, ...]]

    def cases(self, row: str, col: str) -> tuple[str, ...]:
        return self.cells.get((row, col), ())


def cross_matrix(index: CaseIndex, row_kind: str, col_kind: str) -> Matrix:
    """The ``row_kind`` x ``col_kind`` matrix: for each pair, the cases that have both.

    Rows and columns with no case in any cell are left out; the rest are ordered by how many
    cases have them (most first), then by name.

    >>> from kb.analysis import build_index
    >>> index = build_index([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
    ...     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "a", "type": "FACED", "concept": "attrition"},
    ...      {"organisation": "b", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "b", "type": "FACED", "concept": "attrition"}])
    >>> cross_matrix(index, "practice", "challenge").cases("teams", "attrition")
    ('a', 'b')
    """
    cells = {}
    for row in _used(index, row_kind):
        row_cases = index.cases_with(row_kind, row)
        for col in _used(index, col_kind):
            both = row_cases & index.cases_with(col_kind, col) if (row_kind, row) != (col_kind, col) else None
            if both:
                cells[(row, col)] = tuple(sorted(both))

    def ordered(kind: str, ids: set[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda c: (-len(index.cases_with(kind, c)), index.name(kind, c), c)))

    return Matrix(row_kind, col_kind, ordered(row_kind, {r for r, _c in cells}),
                  ordered(col_kind, {c for _r, c in cells}), cells)


def _used(index: CaseIndex, kind: str) -> list[str]:
    """The concepts of ``kind`` that at least one case has, sorted by id."""
    return index.memo(("used", kind), lambda: sorted(c for k, c in index.postings if k == kind))


def alongside(index: CaseIndex, kind: str, concept: str, other_kind: str) -> list[dict[str, Any]]:
    """Concepts of ``other_kind`` that the cases having ``concept`` also have, with how much evidence.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``count`` (cases with both), ``share`` (of the cases with ``concept``,
        rounded to 2 decimals), ``cases`` (sorted ids), ``contested`` and ``uncertain`` (how many
        of those cases' claims about the other concept are marked so); most cases first.

    >>> from kb.analysis import build_index
    >>> index = build_index([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
    ...     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "a", "type": "REPORTED", "concept": "wellbeing", "status": "uncertain"},
    ...      {"organisation": "b", "type": "USES_PRACTICE", "concept": "teams"}])
    >>> [(o["id"], o["count"], o["share"], o["uncertain"]) for o in alongside(index, "practice", "teams", "outcome")]
    [('wellbeing', 1, 0.5, 1)]

    Computed once per index (:meth:`CaseIndex.memo`: a concept's page asks for it on every visit, and a practice
    had hundreds of others to intersect with its thousands of cases at 10,000 cases); the rows are shared, not
    to be changed.
    """
    return index.memo(("alongside", kind, concept, other_kind), lambda: _alongside(index, kind, concept, other_kind))


def _alongside(index: CaseIndex, kind: str, concept: str, other_kind: str) -> list[dict[str, Any]]:
    having = index.cases_with(kind, concept)
    rows = []
    for other in _used(index, other_kind) if having else ():
        both = having & index.cases_with(other_kind, other)
        if not both or (other_kind, other) == (kind, concept):
            continue
        rows.append({"id": other, "name": index.name(other_kind, other), "count": len(both),
                     "share": round(len(both) / len(having), 2), "cases": sorted(both),
                     **{status: len(both & index.doubtful.get((other_kind, other, status), frozenset()))
                        for status in ("contested", "uncertain")}})
    return sorted(rows, key=lambda row: (-row["count"], row["name"], row["id"]))


def top_pairs(index: CaseIndex, matrix: Matrix, limit: int = 10, min_cases: int = 2) -> list[dict[str, Any]]:
    """For each row concept, the column concept its cases most often have: "those using X most often faced Y".

    Only rows whose best cell holds at least ``min_cases`` cases; ordered by that count, then by the
    share of the row's cases, then by name.  Each item: ``row``, ``row_name``, ``row_cases``,
    ``col``, ``col_name``, ``count``, ``share``, ``cases``.
    """
    pairs = []
    for row in matrix.rows:
        best = max(matrix.cols, key=lambda col: (len(matrix.cases(row, col)), -matrix.cols.index(col)))
        cases = matrix.cases(row, best)
        if len(cases) < min_cases:
            continue
        row_cases = len(index.cases_with(matrix.row_kind, row))
        pairs.append({"row": row, "row_name": index.name(matrix.row_kind, row), "row_cases": row_cases,
                      "col": best, "col_name": index.name(matrix.col_kind, best), "count": len(cases),
                      "share": round(len(cases) / row_cases, 2), "cases": list(cases)})
    pairs.sort(key=lambda p: (-p["count"], -p["share"], p["row_name"]))
    return pairs[:limit]


def cell_evidence(index: CaseIndex, matrix: Matrix, row: str, col: str) -> dict[str, Any]:
    """How strong the evidence behind one cell is: its cases counted by the grade of their best claim
    about the column concept (what they faced or reported), with how many of those are contested or
    uncertain (:func:`kb.analysis.profile.evidence_profile`), and ``median``, the grade of the middle case
    (the weaker of the two middle ones), which the dot matrix fills its dot with.

    >>> from kb.analysis import build_index
    >>> index = build_index([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
    ...     [{"organisation": "a", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "a", "type": "FACED", "concept": "attrition", "evidence": "evaluated"},
    ...      {"organisation": "b", "type": "USES_PRACTICE", "concept": "teams"},
    ...      {"organisation": "b", "type": "FACED", "concept": "attrition", "evidence": "own-account",
    ...       "status": "contested"}])
    >>> cell = cell_evidence(index, cross_matrix(index, "practice", "challenge"), "teams", "attrition")
    >>> cell["median"], cell["contested"], [g["count"] for g in cell["grades"]]
    ('own-account', 1, [1, 0, 1, 0, 0])
    """
    cases = matrix.cases(row, col)
    claims = [{"evidence": index.grade(case, matrix.col_kind, col),
               "status": next((status for status in ("contested", "uncertain")
                               if case in index.doubtful.get((matrix.col_kind, col, status), ())), "")}
              for case in cases]
    ranked = sorted((grade(c["evidence"]) for c in claims), key=lambda g: -g.strength)
    return {**evidence_profile(claims), "median": ranked[len(ranked) // 2].id if ranked else ""}
